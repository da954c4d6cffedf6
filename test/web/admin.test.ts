import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authz, UNITS, type TestContext } from '../helpers/context';
import { horizontalOverflow, screenshot, unlabelledControls } from './browser';
import { closeWebStack, startWebStack } from './stack';

/**
 * The admin screens (issue 14, item 3) in headless Chromium at a desktop width, against the API on a real port
 * and the Mongo-compatible server with the seeded Weihai tree and calendar: a city admin browses the org tree
 * from the city to a village and adds a grid there (a wrong code named beside its field); changes a holiday
 * and sees the working-day count move; adds a catalogue item (a bad code named beside it) and finds it after
 * a reload. A town's staff reads the calendar without the edit form.
 */

let ctx: TestContext;
let browser: Browser;
let base: string;
const problems: string[] = [];
const DESKTOP = { width: 1280, height: 900 };

beforeAll(async () => {
  ({ ctx, base, browser } = await startWebStack('web_admin'));
});
afterAll(() => closeWebStack(browser, ctx));

async function signedIn(role: Parameters<TestContext['token']>[0], unit: string, user: string): Promise<Page> {
  const token = await ctx.token(role, unit, { user });
  const page = await (await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })).newPage();
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  await page.goto(`${base}/app/signin`);
  await page.evaluate(`sessionStorage.setItem('jiuzhu.token', ${JSON.stringify(token)})`);
  return page;
}

/** The page at 375 px wide (a phone): how far it scrolls sideways (0 when it fits). Leaves the page at desktop width. */
async function fitsPhone(page: Page): Promise<number> {
  await page.setViewportSize({ width: 375, height: 667 });
  const overflow = await horizontalOverflow(page);
  await page.setViewportSize(DESKTOP);
  return overflow;
}

describe('admin screens in Chromium at 1280×900', () => {
  it('组织机构: the admin browses from the city to a village, adds a grid there (a wrong code is named beside its field)', async () => {
    const admin = await signedIn('admin', UNITS.city, 'admin.li');
    await admin.goto(`${base}/app/board`);
    await admin.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '组织机构' }).click();
    await admin.getByRole('heading', { name: '组织机构', level: 1 }).waitFor();
    const children = admin.getByRole('list', { name: '下级单位' });
    await children.getByRole('link', { name: '环翠区' }).click();
    await admin.getByTestId('org-unit-name').filter({ hasText: '环翠区' }).waitFor();
    await children.getByRole('link', { name: '鲸园街道' }).click();
    await admin.getByTestId('org-unit-name').filter({ hasText: '鲸园街道' }).waitFor();
    await children.getByRole('link', { name: '海港社区居委会' }).click();
    await admin.getByTestId('org-unit-name').filter({ hasText: '海港社区居委会' }).waitFor();
    expect(await admin.getByTestId('org-unit-name').textContent()).toContain('村(社区)');
    expect(await admin.getByTestId('org-trail').textContent()).toBe('威海市环翠区鲸园街道海港社区居委会');
    expect(await children.getByRole('link').allTextContents()).toEqual(['海港社区第一网格', '海港社区第二网格']);
    expect(admin.url()).toBe(`${base}/app/org/${UNITS.haigang}`);

    const add = admin.getByTestId('org-add');
    expect(await add.getByRole('heading').textContent()).toBe('新增下级单位（网格）');
    await add.getByLabel('单位代码').fill('371002001002-G03');
    await add.getByLabel('单位名称').fill('海港社区第三网格');
    await add.getByRole('button', { name: '新增' }).click();
    const codeError = add.locator('[data-field="orgCode"] .field-error');
    await codeError.waitFor();
    expect(await codeError.textContent()).toContain('上级单位代码后续写');
    expect(await add.getByLabel('单位代码').getAttribute('aria-invalid')).toBe('true');
    await add.getByLabel('单位代码').fill(`${UNITS.haigang}-G03`);
    await add.getByRole('button', { name: '新增' }).click();
    await add.getByRole('status').filter({ hasText: '已新增“海港社区第三网格”' }).waitFor();
    await children.getByRole('link', { name: '海港社区第三网格' }).waitFor();
    expect(await unlabelledControls(admin)).toEqual([]);
    await screenshot(admin, 'admin-org-tree');
    expect(await fitsPhone(admin)).toBeLessThanOrEqual(0);

    // Search by name finds it with its path.
    await admin.getByLabel('查找单位').fill('第三网格');
    await admin.getByRole('button', { name: '查找' }).click();
    const results = admin.getByRole('list', { name: '查找结果' });
    await results.getByRole('link', { name: '海港社区第三网格' }).waitFor();
    expect(await results.textContent()).toContain('威海市 / 环翠区 / 鲸园街道 / 海港社区居委会');
    const stored = await ctx.app.inject({ method: 'GET', url: `/v1/org-units/${UNITS.haigang}-G03`, headers: authz(await ctx.token('village_staff', UNITS.haigang)) });
    expect(stored.json()).toMatchObject({ name: '海港社区第三网格', level: 'grid', parent: UNITS.haigang });
  });

  it('节假日日历: the admin adds a holiday and the working-day count moves; a wrong make-up workday is named beside its row', async () => {
    const admin = await signedIn('admin', UNITS.city, 'admin.li');
    await admin.goto(`${base}/app/calendar?year=2026`);
    await admin.getByRole('heading', { name: '节假日日历', level: 1 }).waitFor();
    const form = admin.locator('form.calendar-form');
    await form.waitFor();
    // Mon 2 March 2026 + 5 working days: Mon–Fri of that week.
    const count = admin.locator('form.working-days');
    await count.getByLabel('起算日').fill('2026-03-01');
    await count.getByLabel('工作日数').fill('5');
    await count.getByRole('button', { name: '计算' }).click();
    await admin.getByTestId('working-days-result').filter({ hasText: '最后一个工作日 2026-03-06' }).waitFor();

    // A make-up workday on a weekday: refused, the message beside that row.
    const workdays = form.locator('[data-field="workdays"]');
    const before = await workdays.locator('input[type=date]').count();
    await form.getByRole('button', { name: '添加调休上班日' }).click();
    await workdays.locator('input[type=date]').nth(before).fill('2026-03-03');
    await form.getByRole('button', { name: '保存日历' }).click();
    await workdays.locator('.field-error').waitFor();
    expect(await workdays.locator('.field-error').textContent()).toBe('调休上班日须为周六或周日');
    expect(await workdays.locator('input[type=date]').nth(before).getAttribute('aria-invalid')).toBe('true');
    await admin.getByRole('button', { name: `删除调休上班日第 ${before + 1} 天` }).click();

    // A day off on Wednesday 4 March: saved, and the count runs one day longer.
    const holidays = form.locator('[data-field="holidays"]');
    const n = await holidays.locator('input[type=date]').count();
    await form.getByRole('button', { name: '添加放假日' }).click();
    await holidays.locator('input[type=date]').nth(n).fill('2026-03-04');
    await form.getByRole('button', { name: '保存日历' }).click();
    await admin.getByTestId('calendar-saved').waitFor({ state: 'visible' });
    await admin.getByTestId('working-days-result').filter({ hasText: '最后一个工作日 2026-03-09' }).waitFor();
    expect(await unlabelledControls(admin)).toEqual([]);
    await screenshot(admin, 'admin-calendar');
    expect(await fitsPhone(admin)).toBeLessThanOrEqual(0);
    const stored = (await ctx.app.inject({ method: 'GET', url: '/v1/calendar/2026', headers: authz(await ctx.token('town_staff', UNITS.jingyuan)) })).json();
    expect(stored.holidays).toContain('2026-03-04');
    expect(stored.updatedBy).toBe('admin.li');

    // A provisional year is marked 暂定; a town's staff reads it without the edit form.
    const town = await signedIn('town_staff', UNITS.jingyuan, 'town.zhao');
    await town.goto(`${base}/app/calendar?year=2027`);
    await town.getByTestId('calendar-provisional').waitFor();
    expect(await town.getByTestId('calendar-provisional').textContent()).toBe('暂定');
    await town.getByTestId('calendar-holidays').waitFor();
    expect(await town.locator('form.calendar-form').count()).toBe(0);
    // English on the switch.
    await town.getByRole('button', { name: '切换语言: English' }).click();
    await town.getByRole('heading', { name: 'Holiday calendar', level: 1 }).waitFor();
    expect(await town.getByTestId('calendar-provisional').textContent()).toBe('Provisional');
  });

  it('救助目录: the admin adds an assistance item (a bad code named beside it), saves, and finds it after a reload', async () => {
    const admin = await signedIn('admin', UNITS.city, 'admin.li');
    await admin.goto(`${base}/app/catalogue`);
    await admin.getByRole('heading', { name: '救助目录', level: 1 }).waitFor();
    const items = admin.locator('fieldset[data-list="items"]');
    await items.locator('li').first().waitFor();
    const n = await items.locator('li').count();
    await items.getByRole('button', { name: '添加救助项目' }).click();
    await items.getByLabel(`救助项目第 ${n + 1} 项 · 代码`).fill('Legal Aid');
    await items.getByLabel(`救助项目第 ${n + 1} 项 · 名称`).fill('法律援助');
    await admin.getByRole('button', { name: '保存目录' }).click();
    const err = items.locator('.field-error');
    await err.waitFor();
    expect(await err.textContent()).toContain('小写字母开头');
    expect(await items.getByLabel(`救助项目第 ${n + 1} 项 · 代码`).getAttribute('aria-invalid')).toBe('true');
    await items.getByLabel(`救助项目第 ${n + 1} 项 · 代码`).fill('legal_aid');
    await admin.getByRole('button', { name: '保存目录' }).click();
    await admin.getByTestId('catalogue-saved').waitFor({ state: 'visible' });
    expect(await unlabelledControls(admin)).toEqual([]);

    await admin.reload();
    await admin.getByRole('heading', { name: '救助目录', level: 1 }).waitFor();
    await admin.locator('fieldset[data-list="items"] li[data-entry="legal_aid"]').waitFor();
    expect(await admin.locator('fieldset[data-list="items"]').getByLabel(`救助项目第 ${n + 1} 项 · 名称`).inputValue()).toBe('法律援助');
    await screenshot(admin, 'admin-catalogue');
    expect(await fitsPhone(admin)).toBeLessThanOrEqual(0);
    const stored = (await ctx.app.inject({ method: 'GET', url: '/v1/catalogue', headers: authz(await ctx.token('village_staff', UNITS.haigang)) })).json();
    expect(stored.items).toContainEqual({ code: 'legal_aid', name: '法律援助' });
    expect(problems).toEqual([]);
  });
});
