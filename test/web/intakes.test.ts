import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authz, idNumber, UNITS, type TestContext } from '../helpers/context';
import { horizontalOverflow, screenshot, unlabelledControls } from './browser';
import { closeWebStack, startWebStack } from './stack';

/**
 * 申请受理 (issue 14) in headless Chromium at a phone viewport (375×667), against the API on a real port, the
 * Temporal dev server and the Mongo-compatible server: an application filed through the public channel is in
 * the town's queue; a return without a reason is named beside its field; the town accepts it and sees the
 * application opened (its link leads to the application's page, linked back to the intake); the receipt says
 * 已受理. The page also shows a returned intake's reason.
 */

let ctx: TestContext;
let browser: Browser;
let base: string;
const problems: string[] = [];
const PHONE = { width: 375, height: 667 };

beforeAll(async () => {
  ({ ctx, base, browser } = await startWebStack('web_intakes', {}, { worker: true }));
});
afterAll(() => closeWebStack(browser, ctx));

async function signedIn(role: Parameters<TestContext['token']>[0], unit: string, user: string): Promise<Page> {
  const token = await ctx.token(role, unit, { user });
  const page = await (await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })).newPage();
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  await page.goto(`${base}/app/signin`);
  await page.evaluate(`sessionStorage.setItem('jiuzhu.token', ${JSON.stringify(token)})`);
  return page;
}

async function file(seq: number, ip: string): Promise<{ intakeId: string; receipt: string }> {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/v1/public/applications',
    remoteAddress: ip,
    payload: { unitCode: UNITS.haigang, category: 'minimum_subsistence', applicantName: '刘桂兰', idNumber: idNumber(seq), phone: '13912340000', address: '威海市环翠区海港路7号', householdSize: 2, situation: '老伴去世，本人患慢性病无收入', urgent: seq % 2 === 0 },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

describe('申请受理 in Chromium at 375×667', () => {
  it('the town accepts an intake from its queue and sees the application opened; a return needs its reason (beside the field) and shows on the case page', async () => {
    const first = await file(7001, '10.77.0.1');
    const second = await file(7002, '10.77.0.2');
    const town = await signedIn('town_staff', UNITS.jingyuan, 'town.zhao');
    await town.goto(`${base}/app/intakes`);
    await town.getByRole('heading', { name: '申请受理', level: 1 }).waitFor();
    await town.getByRole('link', { name: '申请受理' }).first().waitFor();
    const card = town.locator(`[data-case="${first.intakeId}"]`);
    await card.waitFor();
    expect(await card.textContent()).toContain('最低生活保障对象');
    // The applicant by name (the town sees it), not the intake's id; the deadline as its last day.
    expect(await card.textContent()).toMatch(/须于 \d+月\d+日(前（含）| \d\d:\d\d 前)受理或退回/);
    expect(await card.locator('button').allTextContents()).toEqual(['受理 刘桂兰 的申请', '退回 刘桂兰 的申请']);

    // Return the second without a reason: the API's 400 beside the field; then with one.
    const other = town.locator(`[data-case="${second.intakeId}"]`);
    await other.getByRole('button', { name: '退回 刘桂兰 的申请' }).click();
    await other.getByRole('button', { name: '确认退回' }).click();
    await other.locator('[data-field="reason"] .field-error').waitFor();
    expect(await other.locator('[data-field="reason"] textarea').getAttribute('aria-invalid')).toBe('true');
    await other.getByLabel('退回理由').fill('材料不齐：请补充户口簿和医院诊断证明');
    expect(await unlabelledControls(town)).toEqual([]);
    await other.getByRole('button', { name: '确认退回' }).click();
    await town.getByTestId('intake-done').waitFor();
    expect(await town.getByTestId('intake-done').textContent()).toContain('已退回');

    // Accept the first: the application opens; its link leads to the application, which links back.
    await card.getByRole('button', { name: '受理 刘桂兰 的申请' }).click();
    await card.getByLabel('劳动能力（决定定期复核周期）').selectOption('illness_or_disability');
    await card.getByLabel('备注（可不填）').fill('材料齐全');
    expect(await unlabelledControls(town)).toEqual([]);
    expect(await horizontalOverflow(town)).toBeLessThanOrEqual(0);
    await screenshot(town, 'intake-accept-phone');
    await card.getByRole('button', { name: '确认受理' }).click();
    const done = town.getByTestId('intake-done');
    await done.waitFor({ state: 'visible' });
    await town.getByTestId('intake-done').filter({ hasText: '已受理' }).waitFor();
    const applicationId = /application-[^\s]+/.exec((await done.textContent())!)![0];
    await screenshot(town, 'intake-accepted-phone');
    // Both left the open queue.
    await town.locator(`[data-case="${first.intakeId}"]`).waitFor({ state: 'detached' });
    expect(await town.locator(`[data-case="${second.intakeId}"]`).count()).toBe(0);

    await done.getByRole('link', { name: applicationId }).click();
    await town.waitForURL(`**/app/cases/${applicationId}`);
    const links = town.getByTestId('case-links');
    await links.waitFor();
    expect(await links.textContent()).toContain(first.intakeId);
    expect(await horizontalOverflow(town)).toBeLessThanOrEqual(0);

    // The receipt the applicant holds shows 已受理 and follows the application, already past 受理.
    const receipt = (await ctx.app.inject({ method: 'GET', url: `/v1/public/receipts/${first.receipt}` })).json();
    expect(receipt).toMatchObject({ kind: 'application', steps: [{ name: '已提交' }, { name: '已受理' }] });
    expect(['accepted', 'verification', 'investigation']).toContain(receipt.status);
    const application = (await ctx.app.inject({ method: 'GET', url: `/v1/applications/${applicationId}`, headers: authz(await ctx.token('town_staff', UNITS.jingyuan)) })).json();
    expect(application).toMatchObject({ status: 'open', source: 'public_qr', labourCapacity: 'illness_or_disability' });

    // The returned intake's page shows the reason.
    await town.goto(`${base}/app/cases/${second.intakeId}`);
    const decision = town.getByTestId('intake-decision');
    await decision.waitFor();
    expect(await decision.textContent()).toContain('材料不齐：请补充户口簿和医院诊断证明');
    // The town reads whom to tell: the applicant whole.
    const applicant = town.getByTestId('intake-applicant');
    await applicant.waitFor();
    expect(await applicant.textContent()).toContain('刘桂兰');
    expect(await applicant.textContent()).toContain('13912340000');
    expect(await horizontalOverflow(town)).toBeLessThanOrEqual(0);
    expect(problems).toEqual([]);
  });

  it('an intake filed with a registered ID number under another name: a warning before accepting, and the confirmation says it joined the open application', async () => {
    // 王大山 is registered in the village with an open 低保 application; someone files with his ID number as 刘桂兰.
    const village = await ctx.token('village_staff', UNITS.haigang);
    const hh = await ctx.app.inject({ method: 'POST', url: '/v1/households', headers: authz(village), payload: { headName: '王大山', headIdNumber: idNumber(7101), address: '威海市环翠区海港路9号', phone: '13912349999', unitCode: UNITS.haigang, categories: [] } });
    expect(hh.statusCode, hh.body).toBe(201);
    const app = await ctx.app.inject({ method: 'POST', url: '/v1/applications', headers: authz(village), payload: { householdId: hh.json().id, category: 'minimum_subsistence', source: 'on_behalf', labourCapacity: 'no_labour_capacity' } });
    expect(app.statusCode, app.body).toBe(201);
    const openApplication = app.json().caseId as string;
    const filed = await file(7101, '10.77.0.3');
    // The API says it to the town (GET /v1/intakes/{id}).
    const view = (await ctx.app.inject({ method: 'GET', url: `/v1/intakes/${filed.intakeId}`, headers: authz(await ctx.token('town_staff', UNITS.jingyuan)) })).json();
    expect(view.register).toEqual({ inVillage: true, householdId: hh.json().id, registeredName: '王大山', nameMatches: false, asHead: true, openApplicationId: openApplication, phoneMatches: false, addressMatches: false });

    const town = await signedIn('town_staff', UNITS.jingyuan, 'town.zhao');
    await town.goto(`${base}/app/intakes`);
    const card = town.locator(`[data-case="${filed.intakeId}"]`);
    await card.waitFor();
    await card.getByRole('button', { name: '受理 刘桂兰 的申请' }).click();
    const check = card.getByTestId('intake-register-check');
    await check.waitFor();
    expect(await check.textContent()).toContain('该身份证号已登记');
    expect(await check.textContent()).toContain('王大山');
    expect(await check.getByTestId('intake-name-mismatch').textContent()).toContain('申请人姓名与登记的姓名不一致');
    // Her phone and address differ from the register's too: said as well.
    expect(await check.getByTestId('intake-contact-mismatch').textContent()).toContain('申请人填写的电话和住址与该户登记的不一致');
    expect(await check.textContent()).toContain(openApplication);
    expect(await horizontalOverflow(town)).toBeLessThanOrEqual(0);
    await screenshot(town, 'intake-registered-warning-phone');
    await card.getByLabel('劳动能力（决定定期复核周期）').selectOption('illness_or_disability');
    await card.getByRole('button', { name: '确认受理' }).click();
    const done = town.getByTestId('intake-done');
    await done.filter({ hasText: '已并入该户已有的救助申请' }).waitFor();
    expect(await done.textContent()).toContain(openApplication);
    expect(await done.textContent()).not.toContain('救助申请已开启');
    expect(problems).toEqual([]);
  });
});
