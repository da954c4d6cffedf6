import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../api/app';
import { signToken } from '../../api/auth';
import { authz, createTestContext, JWT_SECRET, UNITS, type TestContext } from '../helpers/context';

/**
 * Bearer tokens (issue 11, item 7): a token must carry `exp` and `iat`, live at most the configured lifetime,
 * not be issued (or valid from) in the future beyond the clock skew, and carry the configured `iss`/`aud`;
 * each refusal is a 401 naming its check in `error.reason`. And the local token picker answers only this
 * machine's own browser: no other Host, no proxy headers, no other origin. Through the API on the real servers.
 */

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext('tokens');
});
afterAll(async () => ctx?.close());

const me = (app: App, token: string) => app.inject({ method: 'GET', url: '/v1/me', headers: authz(token) });
const now = () => Math.floor(Date.now() / 1000);

/** A token with exactly the given claims (times in epoch seconds), signed with the suite's secret. */
function mint(times: { iat?: number; exp?: number; nbf?: number }, extra: Record<string, unknown> = {}, secret = JWT_SECRET): Promise<string> {
  return new SignJWT({ role: 'town_staff', org: UNITS.jingyuan, ...times, ...extra }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject('t1').sign(new TextEncoder().encode(secret));
}

async function refusedWith(token: string, reason: string, app: App = ctx.app) {
  const res = await me(app, token);
  expect(res.statusCode, reason).toBe(401);
  expect(res.json().error).toMatchObject({ code: 'unauthorized', reason, message: expect.any(String) });
}

describe('bearer tokens: times', () => {
  it('the defaults: a 12 h maximum lifetime, 60 s of clock skew, no issuer or audience', () => {
    expect(ctx.config.tokens).toEqual({ maxLifetimeSeconds: 12 * 3600, clockSkewSeconds: 60 });
  });

  it('a token with no exp is refused (token_no_expiry)', async () => {
    await refusedWith(await mint({ iat: now() }), 'token_no_expiry');
  });

  it('a token whose sub or name holds a control or bidi character is refused (token_claims_invalid): they become stored text', async () => {
    const now = Math.floor(Date.now() / 1000);
    const badSub = await new SignJWT({ role: 'town_staff', org: UNITS.jingyuan, iat: now, exp: now + 600 }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject('a\u202eb\u0000').sign(new TextEncoder().encode(JWT_SECRET));
    await refusedWith(badSub, 'token_claims_invalid');
    await refusedWith(await mint({ iat: now, exp: now + 600 }, { name: '王\u0007五' }), 'token_claims_invalid');
  });

  it('a token with no iat is refused (token_no_issued_at)', async () => {
    await refusedWith(await mint({ exp: now() + 600 }), 'token_no_issued_at');
  });

  it('a 100-year token is refused (token_lifetime_too_long); exactly the maximum is accepted, one second more is not', async () => {
    const t = now();
    await refusedWith(await mint({ iat: t, exp: t + 100 * 365 * 86_400 }), 'token_lifetime_too_long');
    expect((await me(ctx.app, await mint({ iat: t, exp: t + 12 * 3600 }))).statusCode).toBe(200);
    await refusedWith(await mint({ iat: t, exp: t + 12 * 3600 + 1 }), 'token_lifetime_too_long');
    // A long-lived token minted in the past is refused too: the lifetime is exp − iat, not exp − now.
    await refusedWith(await mint({ iat: t - 86_400, exp: t + 3600 }), 'token_lifetime_too_long');
  });

  it('a token issued in the future is refused beyond the clock skew (token_issued_in_future), accepted within it', async () => {
    const t = now();
    await refusedWith(await mint({ iat: t + 3600, exp: t + 7200 }), 'token_issued_in_future');
    await refusedWith(await mint({ iat: t + 120, exp: t + 600 }), 'token_issued_in_future');
    expect((await me(ctx.app, await mint({ iat: t + 30, exp: t + 600 }))).statusCode).toBe(200);
  });

  it('nbf, when present, must have come (token_not_yet_valid)', async () => {
    const t = now();
    await refusedWith(await mint({ iat: t, exp: t + 3600, nbf: t + 600 }), 'token_not_yet_valid');
    expect((await me(ctx.app, await mint({ iat: t, exp: t + 3600, nbf: t - 5 }))).statusCode).toBe(200);
  });

  it('expired, forged, unsigned, non-numeric times, a missing header: each its own reason', async () => {
    const t = now();
    await refusedWith(await mint({ iat: t - 7200, exp: t - 3600 }), 'token_expired');
    await refusedWith(await mint({ iat: t, exp: t + 600 }, {}, 'not-the-secret-not-the-secret-0000'), 'token_signature_invalid');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'x', role: 'admin', org: UNITS.city, iat: t, exp: t + 60 })).toString('base64url')}.`;
    await refusedWith(unsigned, 'token_malformed');
    await refusedWith(await mint({ iat: t, exp: String(t + 600) as never }), 'token_claims_invalid');
    await refusedWith(await mint({ iat: t, exp: t + 600 }, { role: 'mayor' }), 'token_claims_invalid');
    await refusedWith(await mint({ iat: t, exp: t + 600 }, { org: '371099001' }), 'token_unknown_unit');
    const bare = await ctx.app.inject({ method: 'GET', url: '/v1/me' });
    expect(bare.json().error).toMatchObject({ code: 'unauthorized', reason: 'token_missing' });
    // Every response, staff routes included, is JSON that a browser must not sniff into anything else.
    expect(String(bare.headers['content-type'])).toMatch(/^application\/json/);
    expect(bare.headers['x-content-type-options']).toBe('nosniff');
  });

  it('the tokens the project mints itself pass: the test helper, signToken with the 12 h default', async () => {
    expect((await me(ctx.app, await ctx.token('town_staff', UNITS.jingyuan))).statusCode).toBe(200);
    expect((await me(ctx.app, await signToken(JWT_SECRET, { sub: 'u', role: 'town_staff', org: UNITS.jingyuan }))).statusCode).toBe(200);
    await refusedWith(await signToken(JWT_SECRET, { sub: 'u', role: 'town_staff', org: UNITS.jingyuan }, '13h'), 'token_lifetime_too_long');
  });
});

describe('bearer tokens: issuer and audience, when configured', () => {
  let app: App;
  const rules = { maxLifetimeSeconds: 3600, clockSkewSeconds: 10, issuer: 'https://sso.weihai.example.cn', audience: 'jiuzhu-api' };
  beforeAll(async () => {
    app = await buildApp({ config: { ...ctx.config, tokens: rules }, mongo: ctx.mongo, temporal: ctx.temporal, logger: false });
  });
  afterAll(async () => app?.close());

  it('requires iss and aud, and the configured maximum lifetime and skew', async () => {
    const t = now();
    const issuer = { secret: JWT_SECRET, issuer: rules.issuer, audience: rules.audience };
    expect((await me(app, await signToken(issuer, { sub: 'u', role: 'town_staff', org: UNITS.jingyuan }, '1h'))).statusCode).toBe(200);
    await refusedWith(await mint({ iat: t, exp: t + 600 }), 'token_wrong_issuer', app);
    await refusedWith(await mint({ iat: t, exp: t + 600 }, { iss: 'https://evil.example', aud: rules.audience }), 'token_wrong_issuer', app);
    await refusedWith(await mint({ iat: t, exp: t + 600 }, { iss: rules.issuer }), 'token_wrong_audience', app);
    await refusedWith(await mint({ iat: t, exp: t + 600 }, { iss: rules.issuer, aud: ['other-api'] }), 'token_wrong_audience', app);
    expect((await me(app, await mint({ iat: t, exp: t + 600 }, { iss: rules.issuer, aud: ['other-api', rules.audience] }))).statusCode).toBe(200);
    await refusedWith(await signToken(issuer, { sub: 'u', role: 'town_staff', org: UNITS.jingyuan }, '2h'), 'token_lifetime_too_long', app);
    await refusedWith(await mint({ iat: t + 30, exp: t + 600 }, { iss: rules.issuer, aud: rules.audience }), 'token_issued_in_future', app);
  });
});

describe('the local token picker (GET /v1/dev/tokens)', () => {
  const port = () => ctx.config.port;
  const pick = (headers: Record<string, string>, remoteAddress = '127.0.0.1') => ctx.app.inject({ method: 'GET', url: '/v1/dev/tokens', headers, remoteAddress });

  it('answers this machine’s browser addressed by a loopback name with the server’s port', async () => {
    for (const host of [`localhost:${port()}`, `127.0.0.1:${port()}`, `[::1]:${port()}`, `LOCALHOST:${port()}`]) {
      const res = await pick({ host, 'sec-fetch-site': 'same-origin' });
      expect(res.statusCode, host).toBe(200);
      expect(res.json().tokens.length).toBe(5);
    }
    expect((await pick({ host: `127.0.0.1:${port()}`, origin: `http://127.0.0.1:${port()}` })).statusCode).toBe(200);
    expect((await pick({ host: `localhost:${port()}`, 'sec-fetch-site': 'none' })).statusCode).toBe(200);
  });

  it('the tokens it hands out pass the token checks', async () => {
    const tokens = (await pick({ host: `localhost:${port()}` })).json().tokens as Array<{ token: string }>;
    for (const t of tokens) expect((await me(ctx.app, t.token)).statusCode).toBe(200);
  });

  it('refuses another Host (DNS rebinding), another port, proxy headers, another origin or site, a remote peer', async () => {
    const ok = `127.0.0.1:${port()}`;
    const refusals: Array<[string, Record<string, string>, string?]> = [
      ['rebinding name', { host: `evil.example:${port()}` }],
      ['rebinding name, same-origin by the browser’s lights', { host: `attacker.example:${port()}`, 'sec-fetch-site': 'same-origin' }],
      ['a subdomain of localhost', { host: `a.localhost:${port()}` }],
      ['another port', { host: `localhost:${port() + 1}` }],
      ['no port', { host: 'localhost' }],
      ['a LAN address', { host: `192.168.1.10:${port()}` }],
      ['X-Forwarded-For', { host: ok, 'x-forwarded-for': '203.0.113.9' }],
      ['X-Forwarded-For naming loopback', { host: ok, 'x-forwarded-for': '127.0.0.1' }],
      ['Forwarded', { host: ok, forwarded: 'for=203.0.113.9' }],
      ['X-Real-IP', { host: ok, 'x-real-ip': '203.0.113.9' }],
      ['X-Forwarded-Host', { host: ok, 'x-forwarded-host': 'evil.example' }],
      ['another origin', { host: ok, origin: 'http://evil.example' }],
      ['an opaque origin', { host: ok, origin: 'null' }],
      ['a cross-site request', { host: ok, 'sec-fetch-site': 'cross-site' }],
      ['a same-site request', { host: ok, 'sec-fetch-site': 'same-site' }],
      ['a remote peer', { host: ok }, '192.168.1.20'],
    ];
    for (const [what, headers, remote] of refusals) {
      const res = await pick(headers, remote);
      expect(res.statusCode, what).toBe(403);
      expect(res.json().error.code, what).toBe('forbidden');
      expect(res.body, what).not.toContain('token"');
    }
  });

  it('on a real socket, the port is the one the request came in on', async () => {
    const app = await buildApp({ config: ctx.config, mongo: ctx.mongo, temporal: ctx.temporal, logger: false });
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const listening = (app.server.address() as AddressInfo).port;
      const call = (host: string) =>
        new Promise<number>((resolve, reject) => {
          const req = httpRequest({ host: '127.0.0.1', port: listening, path: '/v1/dev/tokens', headers: { host } }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          req.on('error', reject);
          req.end();
        });
      expect(await call(`127.0.0.1:${listening}`)).toBe(200);
      expect(await call(`localhost:${listening}`)).toBe(200);
      expect(await call(`rebind.example:${listening}`)).toBe(403);
      if (listening !== ctx.config.port) expect(await call(`localhost:${ctx.config.port}`)).toBe(403);
    } finally {
      await app.close();
    }
  });
});
