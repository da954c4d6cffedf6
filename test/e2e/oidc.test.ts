import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFRESH_COOKIE } from '../../api/accounts';
import { freePort } from '../../scripts/lib/proc';
import { authz, createTestContext, UNITS, type TestContext } from '../helpers/context';
import { startIdentityService, type IdentityService } from '../helpers/identity-service';

/**
 * OIDC sign-in (issue 14 item 2) against a real identity service over real HTTP: `oidc-provider` started by
 * test/helpers/identity-service.ts on a free port, with its development login screen (any account id signs
 * in) and its grants given without a consent screen. The API listens on a free port too; the test plays the
 * browser with fetch and a cookie jar: /v1/auth/oidc/start → the provider's login → the callback → the
 * workspace, which gets its access token by refresh. Accounts whose role or unit claim is invalid are refused
 * with the claim named. (test/web/accounts-oidc.test.ts clicks the same flow through in Chromium.)
 */

const ACCOUNTS: Record<string, Record<string, unknown>> = {
  'zhang.town': { name: '张镇长', jiuzhu_role: 'town_staff', jiuzhu_unit: UNITS.jingyuan },
  'bad.role': { name: '坏角色', jiuzhu_role: 'mayor', jiuzhu_unit: UNITS.jingyuan },
  'bad.unit': { name: '坏单位', jiuzhu_role: 'town_staff', jiuzhu_unit: '371099999' },
  'town.at.village': { name: '错位', jiuzhu_role: 'town_staff', jiuzhu_unit: UNITS.haigang },
  'name.markup': { name: '<b>张</b>', jiuzhu_role: 'town_staff', jiuzhu_unit: UNITS.jingyuan },
  'name.masked': { name: '王**', jiuzhu_role: 'town_staff', jiuzhu_unit: UNITS.jingyuan },
  'name.none': { jiuzhu_role: 'town_staff', jiuzhu_unit: UNITS.jingyuan },
};

let ctx: TestContext;
let idp: IdentityService;
let apiBase: string;

beforeAll(async () => {
  const apiPort = await freePort();
  apiBase = `http://127.0.0.1:${apiPort}`;
  idp = await startIdentityService({ redirectUri: `${apiBase}/v1/auth/oidc/callback`, accounts: ACCOUNTS });
  ctx = await createTestContext('oidc', { env: idp.env });
  await ctx.app.listen({ port: apiPort, host: '127.0.0.1' });
}, 60_000);
afterAll(async () => {
  await ctx?.close();
  await idp?.close();
});

/** A browser: fetch without following redirects, keeping cookies by name (every server here is 127.0.0.1). */
function browser() {
  const jar = new Map<string, string>();
  const send = async (url: string, init: RequestInit = {}) => {
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a)) || attrs.some((a) => /^\s*max-age=0$/i.test(a));
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  };
  return { jar, send };
}

/** Signs `account` in through the provider's development login; returns the callback's answer and the browser. */
async function signInAs(account: string) {
  const b = browser();
  const start = await b.send(`${apiBase}/v1/auth/oidc/start`);
  expect(start.status).toBe(302);
  const authUrl = new URL(start.headers.get('location')!);
  expect(authUrl.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authUrl.searchParams.get('state')).toBeTruthy();
  expect(authUrl.searchParams.get('nonce')).toBeTruthy();
  let res = await b.send(authUrl.href);
  // The provider's login screen (its interaction), then back through /auth to our callback.
  for (let hops = 0; hops < 8 && res.status >= 300 && res.status < 400; hops++) {
    const next = new URL(res.headers.get('location')!, authUrl);
    if (next.href.startsWith(`${apiBase}/v1/auth/oidc/callback`)) return { callback: await b.send(next.href), b };
    res = await b.send(next.href);
    if (res.status === 200 && next.pathname.startsWith('/interaction/')) {
      res = await b.send(next.href, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ prompt: 'login', login: account, password: 'any' }).toString() });
    }
  }
  throw new Error(`the provider did not send the browser back: ${res.status} ${await res.text()}`);
}

describe('OIDC sign-in against a local provider (oidc-provider)', () => {
  it('says OIDC is offered, signs a user in with the role and unit of their claims, and the workspace gets its token by refresh', async () => {
    expect(((await (await fetch(`${apiBase}/v1/auth/options`)).json()) as { oidc: boolean }).oidc).toBe(true);
    const { callback, b } = await signInAs('zhang.town');
    expect(callback.status, await callback.clone().text()).toBe(302);
    expect(callback.headers.get('location')).toBe('/app/');
    expect(b.jar.has(REFRESH_COOKIE)).toBe(true);
    const refreshed = await b.send(`${apiBase}/v1/auth/refresh`, { method: 'POST' });
    expect(refreshed.status, await refreshed.clone().text()).toBe(200);
    const body = (await refreshed.json()) as { accessToken: string; user: Record<string, unknown> };
    expect(body.user).toMatchObject({ login: 'oidc:zhang.town', name: '张镇长', role: 'town_staff', unitCode: UNITS.jingyuan, source: 'oidc', mustChangePassword: false });
    const me = await fetch(`${apiBase}/v1/me`, { headers: authz(body.accessToken) });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ role: 'town_staff', unit: { code: UNITS.jingyuan } });
    // The admin sees and can disable the user like any other; the session ends with it.
    const admin = await ctx.token('admin', UNITS.city);
    // Role and unit are the identity service's: an edit here would be overwritten at the next sign-in, so it is refused.
    const edit = await ctx.app.inject({ method: 'PATCH', url: '/v1/users/oidc:zhang.town', headers: authz(admin), payload: { role: 'village_staff', phone: '13912345678' } });
    expect(edit.statusCode, edit.body).toBe(409);
    expect(edit.json().error.details.map((d: { path: string }) => d.path)).toEqual(['body.role']);
    const off = await ctx.app.inject({ method: 'PATCH', url: '/v1/users/oidc:zhang.town', headers: authz(admin), payload: { status: 'disabled' } });
    expect(off.statusCode, off.body).toBe(200);
    expect((await fetch(`${apiBase}/v1/me`, { headers: authz(body.accessToken) })).status).toBe(401);
    const again = await signInAs('zhang.town');
    expect(again.callback.status).toBe(302);
    expect(again.callback.headers.get('location')).toBe('/app/signin?oidc_error=account_disabled');
  });

  it('refuses an invalid role or an unknown unit: back to the workspace’s sign-in with the reason (shown in Chinese there)', async () => {
    const role = (await signInAs('bad.role')).callback;
    expect(role.status).toBe(302);
    expect(role.headers.get('location')).toBe('/app/signin?oidc_error=oidc_role_invalid');
    const unit = (await signInAs('bad.unit')).callback;
    expect(unit.status).toBe(302);
    expect(unit.headers.get('location')).toBe('/app/signin?oidc_error=oidc_unit_unknown');
    // A role at a unit of a level it may not hold (a town's staff at a village): refused, no user stored.
    const misplaced = (await signInAs('town.at.village')).callback;
    expect(misplaced.status).toBe(302);
    expect(misplaced.headers.get('location')).toBe('/app/signin?oidc_error=oidc_unit_invalid');
    expect(await ctx.mongo.db.collection('users').findOne({ _id: 'oidc:town.at.village' as never })).toBeNull();
  });

  it('refuses a name claim that is not a person’s name (markup, a masked-looking one), storing no user; no name claim: the subject stands in', async () => {
    for (const account of ['name.markup', 'name.masked']) {
      const { callback, b } = await signInAs(account);
      expect(callback.status).toBe(302);
      expect(callback.headers.get('location')).toBe('/app/signin?oidc_error=oidc_name_invalid');
      expect(b.jar.has(REFRESH_COOKIE)).toBe(false);
      expect(await ctx.mongo.db.collection('users').findOne({ _id: `oidc:${account}` as never })).toBeNull();
    }
    const { callback } = await signInAs('name.none');
    expect(callback.headers.get('location')).toBe('/app/');
    expect(await ctx.mongo.db.collection('users').findOne({ _id: 'oidc:name.none' as never })).toMatchObject({ name: 'name.none' });
  });

  it('a malformed callback query (a NUL, a value beyond its schema) redirects to the sign-in like every refusal, and ends the flow', async () => {
    for (const query of ['code=%00', `code=x&state=${'s'.repeat(501)}`, 'state=%E2%80%AE']) {
      const b = browser();
      await b.send(`${apiBase}/v1/auth/oidc/start`);
      expect(b.jar.size).toBe(1);
      const res = await b.send(`${apiBase}/v1/auth/oidc/callback?${query}`);
      expect(res.status, `${query}: ${await res.clone().text()}`).toBe(302);
      expect(res.headers.get('location')).toBe('/app/signin?oidc_error=oidc_bad_callback');
      expect(b.jar.size).toBe(0);
    }
  });

  it('refuses a callback with no flow under way, or a forged state', async () => {
    const none = await fetch(`${apiBase}/v1/auth/oidc/callback?code=x&state=y`, { redirect: 'manual' });
    expect(none.headers.get('location')).toBe('/app/signin?oidc_error=oidc_no_flow');
    const b = browser();
    await b.send(`${apiBase}/v1/auth/oidc/start`);
    const forged = await b.send(`${apiBase}/v1/auth/oidc/callback?code=x&state=forged`);
    expect(forged.status).toBe(302);
    expect(forged.headers.get('location')).toBe('/app/signin?oidc_error=oidc_failed');
  });
});
