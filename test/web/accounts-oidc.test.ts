import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/proc';
import { authz, createTestContext, UNITS, type TestContext } from '../helpers/context';
import { startIdentityService, type IdentityService } from '../helpers/identity-service';
import { launchChromium, screenshot } from './browser';
import { ensureWebBuilt } from './build';

/**
 * OIDC sign-in (统一身份认证; issue 14 item 2, docs/accounts.md) clicked through in headless Chromium at a phone
 * viewport: the sign-in screen's 使用统一身份认证登录 goes to a local identity service (oidc-provider,
 * test/helpers/identity-service.ts, with its development login and consent pages), the user signs in there,
 * comes back through the API's callback and lands in the workspace signed in with the role and unit the
 * service's claims name. The service runs on `localhost` and the API on `127.0.0.1` — two sites, as a city's
 * service and its workspace are — so the redirects between them are cross-site, as the flow cookie
 * (SameSite=Lax) and the refresh cookie (SameSite=Strict) meet them in a real deployment.
 */

const ACCOUNTS: Record<string, Record<string, unknown>> = {
  'zhang.town': { name: '张镇长', jiuzhu_role: 'town_staff', jiuzhu_unit: UNITS.jingyuan },
  'bad.unit': { name: '坏单位', jiuzhu_role: 'town_staff', jiuzhu_unit: '371099999' },
};

let ctx: TestContext;
let idp: IdentityService;
let browser: Browser;
let base: string;
const problems: string[] = [];

beforeAll(async () => {
  await ensureWebBuilt();
  const apiPort = await freePort();
  base = `http://127.0.0.1:${apiPort}`;
  idp = await startIdentityService({ redirectUri: `${base}/v1/auth/oidc/callback`, accounts: ACCOUNTS, consent: 'screen', host: 'localhost' });
  ctx = await createTestContext('web_oidc', { env: idp.env });
  await ctx.app.listen({ port: apiPort, host: '127.0.0.1' });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await ctx?.close();
  await idp?.close();
});

async function phonePage(): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })).newPage();
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  return page;
}

/** On the identity service's pages: its development login (any password), then its consent page (Continue). */
async function signInAtService(page: Page, account: string): Promise<void> {
  await page.waitForURL((u) => u.origin === idp.issuer && u.pathname.startsWith('/interaction/'));
  await page.locator('input[name="login"]').fill(account);
  await page.locator('input[name="password"]').fill('any-password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  // The service's consent page (a new browser: nothing granted yet), naming the scope asked for (OIDC_SCOPES: openid profile).
  const consent = page.getByRole('button', { name: 'Continue' });
  await consent.waitFor();
  expect(new URL(page.url()).origin).toBe(idp.issuer);
  expect(await page.locator('li', { hasText: 'profile' }).count()).toBe(1);
  await consent.click();
}

describe('OIDC sign-in in Chromium against a local identity service', () => {
  it('the sign-in screen’s OIDC button goes to the service, and the user comes back signed in with the role and unit of its claims', async () => {
    const page = await phonePage();
    const fromService: string[] = [];
    page.on('request', (r) => {
      if (r.isNavigationRequest() && r.url().startsWith(`${base}/v1/auth/oidc/callback`)) fromService.push(r.url());
    });
    // Once back from the service, the tab never shows the sign-in screen: it waits for its refresh.
    const signInShown: string[] = [];
    page.on('framenavigated', (f) => f === page.mainFrame() && fromService.length > 0 && new URL(f.url()).pathname === '/app/signin' && signInShown.push(f.url()));
    await page.goto(`${base}/app/`);
    await page.waitForURL('**/app/signin');
    const button = page.getByRole('link', { name: '使用统一身份认证登录' });
    await button.waitFor();
    await screenshot(page, 'sign-in-oidc-phone');
    await button.click();
    await signInAtService(page, 'zhang.town');

    // Back through the API's callback, to the workspace, which got its access token by refresh.
    await page.waitForURL(`${base}/app/board`);
    await page.getByTestId('whoami').waitFor();
    expect(await page.getByTestId('whoami').textContent()).toBe('张镇长 · 镇(街道)工作人员 · 鲸园街道');
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(signInShown).toEqual([]);
    expect(fromService).toHaveLength(1);
    expect(new URL(fromService[0]!).searchParams.get('code')).toBeTruthy();
    // The workspace's token is a session's, of the user the service named, at the unit its claims gave.
    const token = (await page.evaluate(`sessionStorage.getItem('jiuzhu.token')`)) as string;
    const me = await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: authz(token) });
    expect(me.statusCode, me.body).toBe(200);
    expect(me.json()).toMatchObject({ userId: 'oidc:zhang.town', role: 'town_staff', unit: { code: UNITS.jingyuan } });
    expect(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString())).toHaveProperty('sid');
    // The refresh cookie was set on the way back from the other site, out of the page's reach.
    expect((await page.context().cookies(`${base}/v1/auth/refresh`)).find((c) => c.name === 'jiuzhu_refresh')).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/v1/auth' });
    // A town's staff works in the town's screens: its navigation is shown.
    expect(await page.getByRole('navigation').getByRole('link').count()).toBeGreaterThan(0);
    await screenshot(page, 'signed-in-oidc-phone');

    // A reload keeps the session (the tab's token gone: renewed from the cookie).
    await page.evaluate(`sessionStorage.removeItem('jiuzhu.token')`);
    await page.reload();
    await expect.poll(() => page.getByTestId('whoami').textContent(), { timeout: 10_000 }).toBe('张镇长 · 镇(街道)工作人员 · 鲸园街道');
    expect(new URL(page.url()).pathname).toBe('/app/board');
    expect(signInShown).toEqual([]);

    // Signing out ends the session; the OIDC button is offered again.
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.waitForURL('**/app/signin');
    await page.getByRole('link', { name: '使用统一身份认证登录' }).waitFor();
    await expect.poll(async () => (await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: authz(token) })).statusCode, { timeout: 10_000 }).toBe(401);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 90_000);

  it('a user the service names at a unit the org tree does not have comes back to the sign-in screen, told why in Chinese', async () => {
    const page = await phonePage();
    await page.goto(`${base}/app/signin`);
    await page.getByRole('link', { name: '使用统一身份认证登录' }).click();
    await signInAtService(page, 'bad.unit');
    await page.waitForURL(`${base}/app/signin?oidc_error=oidc_unit_unknown`);
    await page.getByTestId('oidc-error').waitFor();
    expect(await page.getByTestId('oidc-error').textContent()).toMatch(/[\u4e00-\u9fff]/);
    expect(await page.getByTestId('oidc-error').textContent()).not.toContain('oidc_unit_unknown');
    expect(await page.getByTestId('whoami').count()).toBe(0);
    expect(await page.evaluate(`sessionStorage.getItem('jiuzhu.token')`)).toBeNull();
    expect(problems).toEqual([]);
    await page.context().close();
  }, 60_000);
});
