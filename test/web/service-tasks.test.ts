import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberIdFor } from '../../store/party-members';
import { authz, createUsers, UNITS, type TestContext } from '../helpers/context';
import { screenshot, unlabelledControls } from './browser';
import { closeWebStack, startWebStack } from './stack';

/**
 * The 双报到 screens on a phone (375 px) in headless Chromium, against the API on a real port: the village
 * registers an in-service member on 党员名册 and posts a task on 双报到; the member claims it and records
 * hours; the village confirms; the member's 我的积分 shows the points.
 */

let ctx: TestContext;
let browser: Browser;
let base: string;
const problems: string[] = [];

beforeAll(async () => {
  ({ ctx, base, browser } = await startWebStack('web_service_tasks'));
  // The member the village registers on 党员名册 is a staff user (fresh-eyes on issue 14).
  await createUsers(ctx, [{ login: 'pm.svc', role: 'party_member', unitCode: UNITS.haigang, name: '孙医生' }]);
}, 120_000);
afterAll(() => closeWebStack(browser, ctx));

async function phone(role: Parameters<TestContext['token']>[0], user: string): Promise<Page> {
  const token = await ctx.token(role, UNITS.haigang, { user });
  const page = await (await browser.newContext({ viewport: { width: 375, height: 812 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', isMobile: true, hasTouch: true })).newPage();
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  await page.goto(`${base}/app/signin`);
  await page.evaluate(`sessionStorage.setItem('jiuzhu.token', ${JSON.stringify(token)})`);
  return page;
}
const width = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth');

describe('双报到 screens at 375 px', () => {
  it('register an in-service member, post a task, claim, record hours, confirm, see the points', async () => {
    const village = await phone('village_staff', 'village.li');
    await village.goto(`${base}/app/members`);
    await village.getByRole('heading', { name: '党员名册', level: 1 }).waitFor();
    const add = village.locator('form', { has: village.getByRole('heading', { name: '登记党员' }) });
    await add.getByLabel('登录账号').fill('pm.svc');
    await add.getByLabel('姓名').fill('孙医生');
    await add.getByLabel('电话').fill('13912345678');
    await add.getByLabel('类别').selectOption('in_service');
    await add.getByLabel('所在党支部').fill('海港社区第一党支部');
    await add.getByLabel('工作单位').fill('威海市立医院');
    await add.getByRole('button', { name: '登记党员' }).click();
    await village.getByText('已登记：孙医生').waitFor();
    // The village sees the phone masked.
    await village.getByText('139****5678', { exact: false }).waitFor();
    expect(await width(village)).toBeLessThanOrEqual(375);
    expect(await unlabelledControls(village)).toEqual([]);

    await village.goto(`${base}/app/service`);
    const post = village.locator('form', { has: village.getByRole('heading', { name: '发布服务任务' }) });
    await post.getByLabel('任务名称').fill('义诊');
    await post.getByLabel('任务内容').fill('为社区老人测血压');
    await post.getByRole('button', { name: '发布服务任务' }).click();
    await village.getByText('已认领 0/1').waitFor();
    expect(await width(village)).toBeLessThanOrEqual(375);

    const member = await phone('party_member', 'pm.svc');
    await member.goto(`${base}/app/service`);
    await member.getByRole('button', { name: '认领' }).click();
    await member.getByText('已认领 1/1').waitFor();
    const hours = member.locator('form', { has: member.getByRole('button', { name: '登记服务时长' }) });
    await hours.getByLabel('服务时长（小时）').fill('25');
    await hours.getByRole('button', { name: '登记服务时长' }).click();
    await hours.locator('.field-error').first().waitFor();
    await hours.getByLabel('服务时长（小时）').fill('2');
    await hours.getByRole('button', { name: '登记服务时长' }).click();
    await member.getByText(/服务 2 小时/).waitFor();
    await screenshot(member, 'service-task-375');

    await village.reload();
    await village.getByRole('button', { name: '确认孙医生的时长' }).click();
    await village.getByText('已确认孙医生的服务时长').waitFor();

    await member.goto(`${base}/app/points`);
    await member.getByTestId('points-total').filter({ hasText: '累计 2 分' }).waitFor();
    await member.getByText('双报到服务时长').waitFor();
    const ledger = await ctx.app.inject({ method: 'GET', url: `/v1/party-members/${memberIdFor('pm.svc')}/points`, headers: authz(await ctx.token('village_staff', UNITS.haigang)) });
    expect(ledger.json().total).toBe(2);
    expect(problems).toEqual([]);
  });
});
