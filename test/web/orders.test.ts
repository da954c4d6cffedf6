import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authz, UNITS, type TestContext } from '../helpers/context';
import { screenshot, unlabelledControls } from './browser';
import { closeWebStack, startWebStack } from './stack';

/**
 * The order screens in headless Chromium, against the API on a real port, the Temporal dev server and the
 * Mongo-compatible server: the district issues an order from the 督办单 screen, the village finds it in its
 * 待反馈 list and replies through the order's page, the district accepts it there.
 */

let ctx: TestContext;
let browser: Browser;
let base: string;
const problems: string[] = [];

beforeAll(async () => {
  ({ ctx, base, browser } = await startWebStack('web_orders', {}, { worker: true }));
});
afterAll(() => closeWebStack(browser, ctx));

/** A fresh browser profile signed in with a token for `role` at `unit` (the session the sign-in page would keep). */
async function signedIn(role: Parameters<TestContext['token']>[0], unit: string, user: string): Promise<Page> {
  const token = await ctx.token(role, unit, { user });
  const page = await (await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })).newPage();
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  await page.goto(`${base}/app/signin`);
  await page.evaluate(`sessionStorage.setItem('jiuzhu.token', ${JSON.stringify(token)})`);
  return page;
}

describe('order screens in Chromium', () => {
  it('the district issues an order to a village, the village replies on the order page, the district accepts it', async () => {
    const district = await signedIn('district_staff', UNITS.huancui, 'district.zhou');
    await district.goto(`${base}/app/orders`);
    await district.getByRole('heading', { name: '督办单', level: 1 }).waitFor();
    const form = district.locator('form', { has: district.getByRole('heading', { name: '下达督办单' }) });
    await form.getByLabel('被督办单位代码').fill(UNITS.haigang);
    await form.getByLabel('督办要求').fill('请三日内报送本月走访台账');
    await form.getByRole('button', { name: '下达督办单' }).click();
    const issuedRow = district.locator('#h-issued + label + table tbody tr').first();
    await issuedRow.waitFor();
    const orderId = (await issuedRow.locator('th a').textContent())!;
    expect(orderId).toMatch(/^order-371002-371002001001-/);
    expect(await unlabelledControls(district)).toEqual([]);

    const village = await signedIn('village_staff', UNITS.haigang, 'village.li');
    await village.goto(`${base}/app/orders`);
    await village.getByRole('link', { name: orderId }).click();
    await village.waitForURL(`**/app/cases/${orderId}`);
    await village.getByText('请三日内报送本月走访台账').waitFor();
    const reply = village.locator('form', { has: village.getByRole('heading', { name: '提交反馈' }) });
    await reply.getByLabel('办理情况').fill('已报送本月走访台账');
    await reply.getByLabel('附件编号').fill('att-1, att-2');
    await reply.getByRole('button', { name: '提交反馈' }).click();
    await village.getByText('已反馈，待审核').first().waitFor();
    await screenshot(village, 'order-replied');

    await district.goto(`${base}/app/cases/${orderId}`);
    await district.getByText('已报送本月走访台账').waitFor();
    await district.getByRole('button', { name: '审核通过（办结）' }).click();
    await district.getByText('已办结').first().waitFor();
    const stored = await ctx.app.inject({ method: 'GET', url: `/v1/orders/${orderId}`, headers: authz(await ctx.token('district_staff', UNITS.huancui)) });
    expect(stored.json()).toMatchObject({ stage: 'accepted', status: 'closed', replies: [{ text: '已报送本月走访台账', attachments: ['att-1', 'att-2'] }] });
    expect(problems).toEqual([]);
  });
});
