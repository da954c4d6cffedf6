import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config';

/** The sign-in settings (config/index.ts `auth`; docs/accounts.md): defaults, and OIDC validated at start-up. */

const base = { DATA_DIR: mkdtempSync(join(tmpdir(), 'jiuzhu-config-auth-')), JWT_SECRET: 'x'.repeat(40) };
const oidc = { OIDC_ISSUER: 'https://id.weihai.example', OIDC_CLIENT_ID: 'jiuzhu', OIDC_CLIENT_SECRET: 's'.repeat(32) };
const message = (env: NodeJS.ProcessEnv) => {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('sign-in configuration', () => {
  it('defaults: 15-minute access tokens, sessions of 2 h idle and 12 h at most, 5 failures in 15 min lock for 15 min; no OIDC', () => {
    expect(loadConfig(base).auth).toEqual({ accessTokenSeconds: 900, sessionIdleSeconds: 7200, sessionMaxSeconds: 43_200, refreshGraceSeconds: 30, maxFailures: 5, failureWindowSeconds: 900, lockoutSeconds: 900, clientMaxFailures: 30, oidc: null });
  });

  it('OIDC: issuer, client and secret together; the redirect URI from PUBLIC_BASE_URL; the claim names', () => {
    expect(loadConfig({ ...base, ...oidc, PUBLIC_BASE_URL: 'https://jiuzhu.weihai.example/' }).auth.oidc).toEqual({
      issuer: 'https://id.weihai.example',
      clientId: 'jiuzhu',
      clientSecret: 's'.repeat(32),
      redirectUri: 'https://jiuzhu.weihai.example/v1/auth/oidc/callback',
      roleClaim: 'jiuzhu_role',
      unitClaim: 'jiuzhu_unit',
      scopes: 'openid profile',
    });
    expect(loadConfig({ ...base, ...oidc, OIDC_ROLE_CLAIM: 'roles', OIDC_SCOPES: 'profile email' }).auth.oidc).toMatchObject({ roleClaim: 'roles', scopes: 'openid profile email' });
    expect(message({ ...base, OIDC_ISSUER: oidc.OIDC_ISSUER })).toMatch(/^OIDC_CLIENT_ID: required when OIDC_ISSUER is set/);
    expect(message({ ...base, ...oidc, OIDC_CLIENT_SECRET: undefined })).toMatch(/^OIDC_CLIENT_SECRET: required when OIDC_ISSUER, OIDC_CLIENT_ID is set/);
    expect(message({ ...base, ...oidc, OIDC_ISSUER: 'ftp://id' })).toMatch(/^OIDC_ISSUER: /);
    expect(message({ ...base, ...oidc, OIDC_UNIT_CLAIM: 'a b' })).toMatch(/^OIDC_UNIT_CLAIM: expected a claim name/);
    const production = { ...base, NODE_ENV: 'production', PUBLIC_BASE_URL: 'https://jiuzhu.weihai.example', PII_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`, PII_INDEX_KEY: Buffer.alloc(32, 2).toString('base64') };
    expect(message({ ...production, ...oidc, OIDC_ISSUER: 'http://id.weihai.example' })).toBe('OIDC_ISSUER: must be https in production');
  });

  it('refuses an idle expiry longer than the absolute one, and a lockout rule out of range', () => {
    expect(message({ ...base, AUTH_SESSION_IDLE_SECONDS: '7200', AUTH_SESSION_MAX_SECONDS: '3600' })).toBe('AUTH_SESSION_IDLE_SECONDS: must not exceed AUTH_SESSION_MAX_SECONDS');
    expect(message({ ...base, AUTH_MAX_FAILURES: '0' })).toMatch(/^AUTH_MAX_FAILURES: /);
  });
});
