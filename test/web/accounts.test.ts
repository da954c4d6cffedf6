import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../api/auth';
import { authz, JWT_SECRET, UNITS, type TestContext } from '../helpers/context';
import { horizontalOverflow, screenshot, unlabelledControls } from './browser';
import { closeWebStack, startWebStack } from './stack';

/**
 * Staff accounts in headless Chromium at a phone viewport (375×667), against the API on a real port (issue 14
 * item 2): a user signs in with the temporary password an admin gave, must change it first, works, signs
 * out; repeated wrong passwords lock the account, said beside the password field; the refresh cookie is out of
 * the page's reach. The admin's 用户管理 screen creates a user, resets a password and disables a user.
 */

let ctx: TestContext;
let browser: Browser;
let base: string;
const problems: string[] = [];
const PHONE = { width: 375, height: 667 };

beforeAll(async () => {
  ({ ctx, base, browser } = await startWebStack('web_accounts'));
});
afterAll(() => closeWebStack(browser, ctx));

async function phonePage(): Promise<Page> {
  const page = await (await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })).newPage();
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  return page;
}

describe('sign-in and 用户管理 in Chromium at 375×667', () => {
  it('signs in with a password, must change the temporary one, signs out; a locked account is said beside the password', async () => {
    const admin = await ctx.token('admin', UNITS.huancui, { user: 'web-admin' });
    const created = await ctx.app.inject({ method: 'POST', url: '/v1/users', headers: authz(admin), payload: { login: 'li.web', name: '李协理', role: 'village_staff', unitCode: UNITS.haigang } });
    expect(created.statusCode, created.body).toBe(201);
    const temporary = created.json().temporaryPassword as string;

    const page = await phonePage();
    await page.goto(`${base}/app/`);
    await page.waitForURL('**/app/signin');
    await page.getByRole('heading', { name: '账号密码登录' }).waitFor();
    expect(await page.getByText('使用统一身份认证登录').count(), 'no OIDC offered here').toBe(0);
    // An OIDC sign-in refused comes back here with its reason, said in Chinese (not the API's JSON).
    await page.goto(`${base}/app/signin?oidc_error=oidc_role_invalid`);
    await page.getByTestId('oidc-error').waitFor();
    expect(await page.getByTestId('oidc-error').textContent()).toBe('统一身份认证提供的角色无效');
    // Empty: each field says so.
    await page.getByRole('button', { name: '登录', exact: true }).click();
    expect(await page.locator('#login-error').textContent()).toBe('此项必填');
    await page.getByLabel('登录名').fill('li.web');
    await page.getByLabel('密码', { exact: true }).fill('wrong-Password-1');
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.locator('#password-error').waitFor();
    expect(await page.locator('#password-error').textContent()).toBe('登录名或密码错误');

    await page.getByLabel('密码', { exact: true }).fill(temporary);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    // Forced to change it first.
    await page.getByRole('heading', { name: '修改密码', level: 1 }).waitFor();
    expect(await page.getByText('新开账号或密码已被重置').count()).toBe(1);
    expect(await unlabelledControls(page)).toEqual([]);
    await page.getByLabel('当前密码').fill(temporary);
    await page.getByLabel('新密码', { exact: true }).fill('li.web-password');
    await page.getByLabel('再次输入新密码').fill('li.web-password');
    await page.getByRole('button', { name: '修改密码' }).click();
    await page.locator('[data-field="newPassword"] .field-error').waitFor();
    expect(await page.locator('[data-field="newPassword"] .field-error').textContent()).toContain('密码不得包含登录名');
    await screenshot(page, 'password-change-phone');
    await page.getByLabel('新密码', { exact: true }).fill('Harbour-Lights-2026');
    await page.getByLabel('再次输入新密码').fill('Harbour-Lights-2026');
    await page.getByRole('button', { name: '修改密码' }).click();
    await page.waitForURL('**/app/tasks');
    await page.getByRole('heading', { name: '我的任务', level: 1 }).waitFor();
    expect(await page.getByTestId('whoami').textContent()).toContain('李协理');
    // The refresh token is an HttpOnly cookie: the page cannot read it.
    expect(await page.evaluate('document.cookie')).not.toContain('jiuzhu_refresh');
    expect((await page.context().cookies()).find((c) => c.name === 'jiuzhu_refresh')).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/v1/auth' });
    const token = (await page.evaluate(`sessionStorage.getItem('jiuzhu.token')`)) as string;
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: authz(token) })).statusCode).toBe(200);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);

    // A reload keeps the session (the access token renewed from the cookie once it is gone from the tab).
    await page.evaluate(`sessionStorage.removeItem('jiuzhu.token')`);
    await page.reload();
    await page.getByTestId('whoami').waitFor();

    // An expired access token is renewed silently from the cookie (on its 401), and the request sent again.
    const current = (await page.evaluate(`sessionStorage.getItem('jiuzhu.token')`)) as string;
    const { sid } = JSON.parse(Buffer.from(current.split('.')[1]!, 'base64url').toString()) as { sid: string };
    const expired = await signToken(JWT_SECRET, { sub: 'li.web', role: 'village_staff', org: UNITS.haigang, sid }, Math.floor(Date.now() / 1000) - 120);
    await page.evaluate(`sessionStorage.setItem('jiuzhu.token', ${JSON.stringify(expired)})`);
    await page.goto(`${base}/app/tasks`);
    await page.getByTestId('whoami').waitFor();
    await expect.poll(async () => page.evaluate(`sessionStorage.getItem('jiuzhu.token')`)).not.toBe(expired);
    expect(page.url()).toContain('/app/tasks');

    // Sign-out ends the session at the API: the old token is refused at once.
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.waitForURL('**/app/signin');
    await expect.poll(async () => (await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: authz(token) })).statusCode).toBe(401);

    // Five wrong passwords: the account is locked, and the screen says for how long.
    for (let i = 0; i < 5; i++) {
      await page.getByLabel('登录名').fill('li.web');
      await page.getByLabel('密码', { exact: true }).fill(`Wrong-password-${i}`);
      await page.getByRole('button', { name: '登录', exact: true }).click();
      await page.locator('#password-error').waitFor();
      await expect.poll(() => page.locator('.password-form button[disabled]').count()).toBe(0);
    }
    await expect.poll(() => page.locator('#password-error').textContent()).toContain('账号已锁定');
    expect(await page.locator('#password-error').textContent()).toContain('15 分钟');
    await screenshot(page, 'sign-in-locked-phone');
    expect(problems).toEqual([]);
    await page.context().close();
  }, 90_000);

  it('the admin creates a user (its temporary password shown once), resets a password and disables a user', async () => {
    const page = await phonePage();
    await page.goto(`${base}/app/signin`);
    await page.evaluate(`sessionStorage.setItem('jiuzhu.token', ${JSON.stringify(await ctx.token('admin', UNITS.jingyuan, { user: 'town-admin' }))})`);
    await page.goto(`${base}/app/users`);
    await page.getByRole('heading', { name: '用户管理', level: 1 }).waitFor();
    await page.getByRole('button', { name: '新建用户' }).click();
    const form = page.getByRole('form', { name: '新建用户' });
    await form.getByLabel('登录名').fill('Bad Login');
    await form.getByLabel('姓名').fill('赵网格');
    await form.getByLabel('角色').selectOption('grid_worker');
    await form.getByLabel('所在单位代码').fill(UNITS.haigangGrid);
    await form.getByLabel('手机号（可选）').fill('12345');
    await form.getByRole('button', { name: '新建用户' }).click();
    await form.locator('[data-field="login"] .field-error').waitFor();
    expect(await form.locator('[data-field="login"] .field-error').textContent()).toContain('小写字母');
    // Field errors in Chinese on the Chinese screen.
    expect(await form.locator('[data-field="phone"] .field-error').textContent()).toContain('手机号');
    await form.getByLabel('登录名').fill('zhao.grid');
    await form.getByLabel('手机号（可选）').fill('13912345678');
    // A role at a unit of a level it is not held at: said beside both fields, in Chinese (fresh-eyes on issue 14: the API's English showed).
    await form.getByLabel('角色').selectOption('town_staff');
    await form.getByRole('button', { name: '新建用户' }).click();
    await form.locator('[data-field="role"] .field-error').waitFor();
    for (const field of ['role', 'unitCode']) expect(await form.locator(`[data-field="${field}"] .field-error`).textContent()).toBe('镇(街道)工作人员须设在镇(街道)一级的单位，所选单位是网格');
    await form.getByLabel('角色').selectOption('grid_worker');
    await form.getByRole('button', { name: '新建用户' }).click();
    await page.getByTestId('temporary-password').waitFor();
    const shown = (await page.locator('[data-testid="temporary-password"] code').textContent())!;
    expect(shown.length).toBeGreaterThanOrEqual(16);
    const card = page.locator('li[data-login="zhao.grid"]');
    await card.waitFor();
    expect(await card.textContent()).toContain('网格员');
    // An admin sees the phone in full (and the read is audited).
    expect(await card.textContent()).toContain('13912345678');
    expect(await unlabelledControls(page)).toEqual([]);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'users-phone');

    // The temporary password signs in (the user must change it).
    const signIn = await ctx.app.inject({ method: 'POST', url: '/v1/auth/sign-in', payload: { login: 'zhao.grid', password: shown } });
    expect(signIn.statusCode).toBe(200);
    expect(signIn.json().user.mustChangePassword).toBe(true);

    // Reset: a new temporary password; the old one no longer works.
    page.once('dialog', (d) => void d.accept());
    await card.getByRole('button', { name: '重置密码 zhao.grid' }).click();
    await expect.poll(async () => page.locator('[data-testid="temporary-password"] code').textContent()).not.toBe(shown);
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/auth/sign-in', payload: { login: 'zhao.grid', password: shown } })).statusCode).toBe(401);

    // Disable: shown as disabled, and the user cannot sign in.
    await card.getByRole('button', { name: '停用 zhao.grid' }).click();
    await expect.poll(() => card.locator('.user-status').getAttribute('data-status')).toBe('disabled');
    const fresh = (await page.locator('[data-testid="temporary-password"] code').textContent())!;
    const refused = await ctx.app.inject({ method: 'POST', url: '/v1/auth/sign-in', payload: { login: 'zhao.grid', password: fresh } });
    expect(refused.json().error.reason).toBe('account_disabled');

    // Edit: the role changes.
    await card.getByRole('button', { name: '编辑 zhao.grid' }).click();
    await card.getByLabel('角色').selectOption('village_staff');
    await card.getByLabel('所在单位代码').fill(UNITS.haigang);
    await card.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => card.textContent()).toContain('村(社区)工作人员');
    expect(problems).toEqual([]);
    await page.context().close();
  }, 90_000);
});
