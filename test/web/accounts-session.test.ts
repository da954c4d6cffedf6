import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authz, createTestContext, UNITS, type TestContext } from '../helpers/context';
import { closeWebStack, startWebStack } from './stack';

/**
 * The workspace's session in headless Chromium (issue 14 item 2, docs/accounts.md "Tokens and sessions"), with
 * access tokens that live 30 s (AUTH_ACCESS_TOKEN_SECONDS' least) and no clock skew, so they expire within the
 * test:
 * - a tab in use renews its token ahead of expiry (web/src/api.ts: a timer before `expiresIn`, if the user was
 *   active since the last renewal); an idle tab does not, and its next request after expiry is renewed on the
 *   401; either way a request after the first token's expiry succeeds, and after sign-out the tokens are refused;
 * - two tabs of one browser: both refreshing at once (each reloaded without its token) keep the session, and
 *   signing out in one signs the other out at its next request (the inbox badge polls every 3 s).
 * The API's grace for the refresh token rotated away last is off here (AUTH_REFRESH_GRACE_SECONDS=0): what
 * keeps two tabs from presenting one refresh token twice — which revokes the session (refresh_reused) — is
 * then the workspace's own lock (navigator.locks), which this file tests.
 */

const ACCESS_SECONDS = 30;
let ctx: TestContext;
let browser: Browser;
let base: string;
const problems: string[] = [];

beforeAll(async () => {
  ({ ctx, base, browser } = await startWebStack('web_session', { env: { AUTH_ACCESS_TOKEN_SECONDS: String(ACCESS_SECONDS), JWT_CLOCK_SKEW_SECONDS: '0', AUTH_REFRESH_GRACE_SECONDS: '0' } }));
});
afterAll(() => closeWebStack(browser, ctx));

const PASSWORD = 'Harbour-Lights-2026';

/** A village worker with a password of their own (created by an admin, its temporary password changed). */
async function villageUser(login: string, name: string, c: TestContext = ctx): Promise<void> {
  const admin = await c.token('admin', UNITS.huancui, { user: 'web-admin' });
  const created = await c.app.inject({ method: 'POST', url: '/v1/users', headers: authz(admin), payload: { login, name, role: 'village_staff', unitCode: UNITS.haigang } });
  expect(created.statusCode, created.body).toBe(201);
  const first = await c.app.inject({ method: 'POST', url: '/v1/auth/sign-in', payload: { login, password: created.json().temporaryPassword } });
  expect(first.statusCode, first.body).toBe(200);
  const changed = await c.app.inject({ method: 'POST', url: '/v1/auth/password', headers: authz(first.json().accessToken), payload: { currentPassword: created.json().temporaryPassword, newPassword: PASSWORD } });
  expect(changed.statusCode, changed.body).toBe(200);
}

async function newContext(): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
}

async function open(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  return page;
}

/** Signs in on the sign-in screen with login and password; resolves once the workspace shows who is signed in. */
async function signIn(page: Page, login: string, at: string = base): Promise<void> {
  await page.goto(`${at}/app/signin`);
  await page.getByLabel('登录名').fill(login);
  await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.waitForURL('**/app/tasks');
  await page.getByTestId('whoami').waitFor();
}

const tokenOf = (page: Page) => page.evaluate(`sessionStorage.getItem('jiuzhu.token')`) as Promise<string | null>;
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { iat: number; exp: number; sid: string };
/** What the API answers a token now: 200, or 401 with its reason. */
async function verdict(token: string, c: TestContext = ctx): Promise<string> {
  const res = await c.app.inject({ method: 'GET', url: '/v1/me', headers: authz(token) });
  return res.statusCode === 200 ? 'ok' : `${res.statusCode} ${res.json().error?.reason}`;
}

/** Each POST /v1/auth/refresh a page sends, with when (ms) and its answer's status. */
function refreshesOf(page: Page): Array<{ at: number; status: number | null }> {
  const seen: Array<{ at: number; status: number | null }> = [];
  page.on('request', (r: Request) => {
    if (new URL(r.url()).pathname !== '/v1/auth/refresh') return;
    const entry = { at: Date.now(), status: null as number | null };
    seen.push(entry);
    void r.response().then((res) => (entry.status = res?.status() ?? null));
  });
  return seen;
}

describe('the workspace’s session in Chromium: renewal, two tabs, sign-out', () => {
  it('a tab in use renews its token before it expires, an idle one on the 401 after; a request after the first token’s expiry succeeds; sign-out refuses the tokens', async () => {
    await villageUser('zhou.active', '周在用');
    await villageUser('wu.idle', '吴空闲');
    const active = await open(await newContext());
    const idle = await open(await newContext());
    const activeRefreshes = refreshesOf(active);
    const idleRefreshes = refreshesOf(idle);
    const toSignIn: string[] = [];
    for (const page of [active, idle]) page.on('framenavigated', (f) => f === page.mainFrame() && f.url().includes('/app/signin') && toSignIn.push(f.url()));
    await signIn(active, 'zhou.active');
    await signIn(idle, 'wu.idle');
    // What the sign-in screens above sent and passed through (a refresh asked on load, refused: no cookie yet).
    toSignIn.length = 0;
    activeRefreshes.length = 0;
    idleRefreshes.length = 0;
    const first = (await tokenOf(active))!;
    const idleFirst = (await tokenOf(idle))!;
    expect(claimsOf(first).exp - claimsOf(first).iat).toBe(ACCESS_SECONDS);

    // The user works in one tab (a key pressed): its token is renewed by the timer, before it expires.
    await active.keyboard.press('Shift');
    await expect.poll(() => tokenOf(active), { timeout: ACCESS_SECONDS * 1000 }).not.toBe(first);
    const renewed = (await tokenOf(active))!;
    expect(claimsOf(renewed).sid).toBe(claimsOf(first).sid);
    expect(claimsOf(renewed).iat, 'renewed ahead of expiry').toBeLessThan(claimsOf(first).exp);
    expect(activeRefreshes.length).toBeGreaterThanOrEqual(1);
    expect(activeRefreshes[0]!.at, 'the renewal was sent before the first token expired').toBeLessThan(claimsOf(first).exp * 1000);

    // Both first tokens expire (the API says so, no skew).
    await expect.poll(() => verdict(first), { timeout: (ACCESS_SECONDS + 10) * 1000, interval: 500 }).toBe('401 token_expired');
    await expect.poll(() => verdict(idleFirst), { timeout: 10_000, interval: 500 }).toBe('401 token_expired');
    // The idle tab did not renew ahead of expiry: nothing was sent before its token expired. Being visible, it
    // polls (the inbox badge, every 3 s), and its poll's 401 renews the token with no one at the keyboard.
    expect(idleRefreshes.filter((r) => r.at < claimsOf(idleFirst).exp * 1000)).toEqual([]);
    await expect.poll(() => tokenOf(idle), { timeout: 10_000 }).not.toBe(idleFirst);

    // A request after the first token's expiry succeeds in either tab (the idle one renewed on its 401 first).
    for (const page of [active, idle]) {
      const listed = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/notifications' && r.status() === 200);
      await page.getByRole('link', { name: '通知：没有未读' }).click();
      await page.waitForURL('**/app/inbox');
      await listed;
      expect(await tokenOf(page)).not.toBe(page === active ? first : idleFirst);
      expect(await verdict((await tokenOf(page))!)).toBe('ok');
    }
    expect(idleRefreshes.length).toBeGreaterThanOrEqual(1);
    expect(idleRefreshes.every((r) => r.at >= claimsOf(idleFirst).exp * 1000)).toBe(true);
    await expect.poll(() => [...activeRefreshes, ...idleRefreshes].map((r) => r.status).filter((s) => s !== 200), { timeout: 10_000 }).toEqual([]);
    expect(toSignIn, 'no tab was sent to the sign-in screen').toEqual([]);

    // Sign-out: the tab's current token and the one before are refused, and the refresh cookie is gone.
    const current = (await tokenOf(active))!;
    await active.getByRole('button', { name: '退出登录' }).click();
    await active.waitForURL('**/app/signin');
    await expect.poll(() => verdict(current), { timeout: 10_000 }).toBe('401 token_session_ended');
    expect(await verdict(renewed)).toMatch(/^401 token_(session_ended|expired)$/);
    expect((await active.request.post(`${base}/v1/auth/refresh`)).status()).toBe(401);
    // The other user's session is untouched.
    expect(await verdict((await tokenOf(idle))!)).toBe('ok');
    expect(problems).toEqual([]);
    await active.context().close();
    await idle.context().close();
  }, 120_000);

  it('two tabs: refreshing at once keeps the session (one at a time, by a lock); signing out in one signs the other out', async () => {
    await villageUser('zheng.tabs', '郑双开');
    const context = await newContext();
    const a = await open(context);
    await signIn(a, 'zheng.tabs');
    // A second tab of the same browser signs in from the refresh cookie (its sessionStorage is its own).
    const b = await open(context);
    await b.goto(`${base}/app/`);
    await b.waitForURL('**/app/tasks');
    await b.getByTestId('whoami').waitFor();
    const sid = claimsOf((await tokenOf(a))!).sid;
    expect(claimsOf((await tokenOf(b))!).sid).toBe(sid);

    // Both tabs refresh at once (each reloaded without its token asks on load): the refreshes are held at the
    // network until both tabs are asking — the second one's request sent, or waiting for the first's to end
    // (web/src/api.ts takes a Web Lock, 'jiuzhu.refresh', around its refresh).
    const sent: Page[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await context.route('**/v1/auth/refresh', async (route) => {
      sent.push(route.request().frame().page());
      await held;
      await route.continue();
    });
    const answers: number[] = [];
    context.on('response', (r) => new URL(r.url()).pathname === '/v1/auth/refresh' && answers.push(r.status()));
    for (const page of [a, b]) await page.evaluate(`sessionStorage.removeItem('jiuzhu.token')`);
    await Promise.all([a.reload(), b.reload()]);
    const waitingOnLock = () => a.evaluate(`navigator.locks ? navigator.locks.query().then((q) => q.pending.filter((l) => l.name === 'jiuzhu.refresh').length) : 0`) as Promise<number>;
    await expect.poll(async () => sent.length >= 2 || (sent.length === 1 && (await waitingOnLock()) === 1), { timeout: 15_000 }).toBe(true);
    release();
    // Each tab's refresh answered (the second presents the successor the first one's answer set), both signed in.
    await expect.poll(() => answers.length, { timeout: 15_000 }).toBe(2);
    expect(answers).toEqual([200, 200]);
    for (const page of [a, b]) await page.getByTestId('whoami').waitFor();
    expect(new Set(sent)).toEqual(new Set([a, b]));
    await context.unroute('**/v1/auth/refresh');
    // Both tabs hold a live token of the one session, which is not revoked.
    const [ta, tb] = [(await tokenOf(a))!, (await tokenOf(b))!];
    expect([claimsOf(ta).sid, claimsOf(tb).sid]).toEqual([sid, sid]);
    expect([await verdict(ta), await verdict(tb)]).toEqual(['ok', 'ok']);
    expect((await ctx.mongo.db.collection('sessions').findOne({ _id: sid as never }))?.revokedAt ?? null).toBeNull();

    // Signing out in one tab: the session ends at the API, and the other tab, at its next request, finds it
    // ended (its token refused, no refresh cookie left) and goes to the sign-in screen, saying why.
    await a.getByRole('button', { name: '退出登录' }).click();
    await a.waitForURL('**/app/signin');
    await expect.poll(() => verdict(tb), { timeout: 10_000 }).toBe('401 token_session_ended');
    await b.waitForURL('**/app/signin');
    await expect.poll(() => b.getByText('登录已失效，请重新登录。').count(), { timeout: 10_000 }).toBe(1);
    expect(await tokenOf(b)).toBeNull();
    // A reload does not bring it back.
    await b.reload();
    await b.getByLabel('登录名').waitFor();
    expect(await b.getByTestId('whoami').count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);
});

describe('the workspace’s idle expiry in Chromium (等保2.0 8.1.4.1 登录连接超时自动退出)', () => {
  const IDLE_SECONDS = 60;
  let idleCtx: TestContext;
  let idleBase: string;
  beforeAll(async () => {
    idleCtx = await createTestContext('web_session_idle', { env: { AUTH_ACCESS_TOKEN_SECONDS: String(ACCESS_SECONDS), JWT_CLOCK_SKEW_SECONDS: '0', AUTH_SESSION_IDLE_SECONDS: String(IDLE_SECONDS) } });
    await idleCtx.app.listen({ port: 0, host: '127.0.0.1' });
    idleBase = `http://127.0.0.1:${(idleCtx.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => idleCtx?.close());

  it('a visible tab nobody touches is renewed by its polls within the idle expiry, then signed out with the reason; a tab in use is not', async () => {
    await villageUser('qian.away', '钱离开', idleCtx);
    await villageUser('sun.here', '孙在岗', idleCtx);
    const away = await open(await newContext());
    const here = await open(await newContext());
    // The away user's last input is their sign-in: typed after this instant.
    const signedInAt = Date.now();
    await signIn(away, 'qian.away', idleBase);
    await signIn(here, 'sun.here', idleBase);
    const first = (await tokenOf(away))!;
    // Within the idle expiry: the first token expires and the visible tab's poll renews it, nobody at the keyboard.
    await expect.poll(() => tokenOf(away), { timeout: (ACCESS_SECONDS + 15) * 1000, interval: 500 }).not.toBe(first);
    expect(Date.now() - signedInAt).toBeLessThan(IDLE_SECONDS * 1000);
    // The other user keeps working: a key now and then.
    const working = setInterval(() => void here.keyboard.press('Shift').catch(() => undefined), 10_000);
    try {
      // Past the idle expiry with no input: the next poll's 401 is not renewed; the tab goes to the sign-in screen, saying why.
      await away.waitForURL('**/app/signin', { timeout: (IDLE_SECONDS + ACCESS_SECONDS + 20) * 1000 });
      expect(Date.now() - signedInAt, 'not before the idle expiry').toBeGreaterThanOrEqual(IDLE_SECONDS * 1000);
      await expect.poll(() => away.getByText('长时间未操作，已自动退出，请重新登录。').count(), { timeout: 10_000 }).toBe(1);
      expect(await tokenOf(away)).toBeNull();
      // The session ended at the API as well: a reload does not renew it from the refresh cookie.
      await expect.poll(async () => (await away.request.post(`${idleBase}/v1/auth/refresh`)).status(), { timeout: 10_000 }).toBe(401);
      await away.reload();
      await away.getByLabel('登录名').waitFor();
      expect(await away.getByTestId('whoami').count()).toBe(0);
      // The tab in use was renewed throughout and is signed in (its token live, or renewed at its next poll).
      expect(here.url()).toContain('/app/tasks');
      await expect.poll(async () => verdict((await tokenOf(here))!, idleCtx), { timeout: 10_000, interval: 500 }).toBe('ok');
    } finally {
      clearInterval(working);
    }
    expect(problems).toEqual([]);
    await away.context().close();
    await here.context().close();
  }, 180_000);
});
