import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authz, registerHousehold, UNITS, type TestContext } from '../helpers/context';
import { horizontalOverflow, screenshot, unlabelledControls } from './browser';
import { closeWebStack, startWebStack } from './stack';

/**
 * The active-discovery screens (主动发现) in headless Chromium at a phone viewport (375×667), against the API
 * on a real port, the Temporal dev server and the Mongo-compatible server: a party member fills the
 * discovery form (a wrong entry is named next to its field), sends it, and finds it in 我的上报; the town
 * decides it in 发现待研判 and the member sees the outcome.
 */

let ctx: TestContext;
let browser: Browser;
let base: string;
const problems: string[] = [];
const PHONE = { width: 375, height: 667 };

beforeAll(async () => {
  // A city's own assessment times (not the defaults), so the queue's labels are seen to come from the policy.
  ({ ctx, base, browser } = await startWebStack('web_discoveries', { policy: { discovery: { warnAt: 0.75, assess: { normal: 'P5D', urgent: 'PT12H' }, escalateEvery: 'P1D' } } }, { worker: true }));
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

/** Controls smaller than a finger (44 CSS px high, WCAG 2.5.5's target size) among the visible buttons, inputs and choices of the form. */
async function smallTargets(page: Page, scope: string): Promise<string[]> {
  return page.evaluate(`(() => {
    const out = [];
    for (const el of document.querySelectorAll('${scope} button, ${scope} input[type=text], ${scope} input[type=tel], ${scope} select, ${scope} .choice')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.height < 44) out.push((el.textContent || el.id || el.tagName).trim().slice(0, 30) + ' ' + Math.round(r.height));
    }
    return out;
  })()`);
}

describe('discovery screens in Chromium at 375×667', () => {
  it('a member fills and sends the form (errors next to fields), sees it in 我的上报; the town decides it in its queue; the member sees the outcome', async () => {
    const hh = await registerHousehold(ctx, await ctx.token('village_staff', UNITS.haigang), 201);
    const member = await signedIn('party_member', UNITS.haigang, 'member.zhang');
    await member.goto(`${base}/app/discover`);
    await member.getByRole('heading', { name: '主动发现上报', level: 1 }).waitFor();
    const form = member.locator('form.discovery-form');

    // Sent without a focus group and urgency, with a malformed village code: each message beside its field.
    await form.getByLabel('未登记的新发现户').check();
    await form.getByLabel('户主姓名').fill('李四海');
    await form.getByLabel('住址').fill('威海市环翠区海港路88号');
    await form.getByLabel('所在村(社区)代码').fill('12ab');
    await form.getByLabel('情况说明').fill('户主突发重病住院');
    await form.getByRole('button', { name: '上报镇(街道)' }).click();
    await form.locator('[data-field="villageCode"] .field-error').waitFor();
    await form.locator('[data-field="focusGroup"] .field-error').waitFor();
    await form.locator('[data-field="urgency"] .field-error').waitFor();
    expect(await form.locator('[data-field="villageCode"] input').getAttribute('aria-invalid')).toBe('true');
    expect(await form.locator('[data-field="villageCode"] .field-error').textContent()).toContain('行政区划代码');
    expect(await form.locator('[data-field="urgency"] .field-error').textContent()).toContain('请从选项中选择一项');
    await screenshot(member, 'discovery-form-errors-phone');

    // A registered household, the right way. A member has no 户籍登记 screen: the hint points to their pairings and the new-household path.
    await form.getByLabel('已登记户').check();
    expect(await form.locator('[data-field="householdId"] .hint').textContent()).toContain('您帮包的户');
    expect(await form.locator('[data-field="householdId"] .hint').textContent()).not.toContain('户籍登记中查到');
    await form.getByLabel('户编号').fill(hh);
    await form.getByLabel('重大疾病').check();
    await form.getByLabel('紧急（24 小时内研判）').check();
    expect(await unlabelledControls(member)).toEqual([]);
    expect(await smallTargets(member, 'form.discovery-form')).toEqual([]);
    expect(await horizontalOverflow(member)).toBeLessThanOrEqual(0);
    await form.getByRole('button', { name: '上报镇(街道)' }).click();
    const sent = member.getByTestId('discovery-sent');
    await sent.waitFor();
    const caseId = /discovery-[0-9a-f]{16}/.exec((await sent.textContent())!)![0];
    await screenshot(member, 'discovery-sent-phone');

    await member.getByRole('link', { name: '我的上报' }).first().click();
    await member.locator(`[data-case="${caseId}"]`).waitFor();
    expect(await member.locator(`[data-case="${caseId}"]`).textContent()).toContain('待研判');

    // The town's queue at the same phone size: decide a red alert.
    const town = await signedIn('town_staff', UNITS.jingyuan, 'town.zhao');
    await town.goto(`${base}/app/discoveries`);
    await town.getByRole('heading', { name: '发现待研判', level: 1 }).waitFor();
    const card = town.locator(`[data-case="${caseId}"]`);
    // The urgency with the assessment time its own deadline gives (this city's assess.urgent: PT12H).
    expect(await card.locator('.card-head').textContent()).toContain('紧急（12 小时内研判）');
    // The household by its name (the town sees it in full), not its id; the button names it too.
    expect(await card.getByTestId('discovery-household').textContent()).toContain('张201');
    expect(await card.textContent()).not.toContain(hh);
    await card.getByRole('button', { name: '研判 张201 的上报' }).click();
    await card.getByLabel('启动预警').check();
    await card.getByLabel('预警等级').selectOption('red');
    expect(await unlabelledControls(town)).toEqual([]);
    expect(await horizontalOverflow(town)).toBeLessThanOrEqual(0);
    await card.getByRole('button', { name: '提交研判' }).click();
    await town.getByTestId('discovery-decided').waitFor();
    await screenshot(town, 'discovery-queue-decided-phone');

    const stored = (await ctx.app.inject({ method: 'GET', url: `/v1/discoveries/${caseId}`, headers: authz(await ctx.token('town_staff', UNITS.jingyuan)) })).json();
    expect(stored).toMatchObject({ status: 'closed', decision: { outcome: 'alert', level: 'red' } });
    const alertId = stored.outcomeCaseId as string;

    // The alert's page shows where it came from, and the discovery's page what it led to.
    await town.goto(`${base}/app/cases/${alertId}`);
    const links = town.getByTestId('case-links');
    await links.waitFor();
    expect(await links.textContent()).toContain(`来自主动发现：${caseId}`);
    await links.getByRole('link', { name: caseId }).click();
    await town.waitForURL(`**/app/cases/${caseId}`);
    expect(await town.getByTestId('case-links').textContent()).toContain(`由此启动的三色预警：${alertId}`);
    await town.getByTestId('discovery-situation').waitFor();
    expect(await horizontalOverflow(town)).toBeLessThanOrEqual(0);

    await member.reload();
    const outcome = member.locator(`[data-case="${caseId}"] [data-testid="discovery-outcome"]`);
    await outcome.waitFor();
    expect(await outcome.textContent()).toContain('启动预警');
    expect(await outcome.textContent()).toContain(alertId);
    expect(problems).toEqual([]);
  });

  it('a grid member’s new household is in their own grid by default (the hint says a grid code works); the town’s 422 on another household shows beside 户编号', async () => {
    const member = await signedIn('party_member', UNITS.haigangGrid, 'member.grid.form');
    await member.goto(`${base}/app/discover`);
    const form = member.locator('form.discovery-form');
    await form.getByLabel('未登记的新发现户').check();
    expect(await form.getByLabel('所在村(社区)代码').inputValue()).toBe(UNITS.haigangGrid);
    expect(await form.locator('[data-field="villageCode"] .hint').textContent()).toContain('网格代码');
    await form.getByLabel('户主姓名').fill('周六安');
    await form.getByLabel('住址').fill('海港路9号');
    await form.getByLabel('突发事件').check();
    await form.getByLabel('情况说明').fill('房屋漏雨，独居');
    await form.getByLabel('一般（3 日内研判）').check();
    await form.getByRole('button', { name: '上报镇(街道)' }).click();
    await member.getByTestId('discovery-sent').waitFor();

    // A registered household's report decided on another household: the API's 422 goes beside the field, in Chinese.
    const hh = await registerHousehold(ctx, await ctx.token('village_staff', UNITS.haigang), 202);
    const other = await registerHousehold(ctx, await ctx.token('village_staff', UNITS.haigang), 203);
    const reported = await ctx.app.inject({ method: 'POST', url: '/v1/discoveries', headers: authz(await ctx.token('party_member', UNITS.haigang, { user: 'member.zhang' })), payload: { key: 'web-422', householdId: hh, focusGroup: 'major_illness', situation: '重病', urgency: 'urgent' } });
    const caseId = reported.json().caseId as string;
    const town = await signedIn('town_staff', UNITS.jingyuan, 'town.zhao');
    await town.goto(`${base}/app/discoveries`);
    const card = town.locator(`[data-case="${caseId}"]`);
    await card.getByRole('button', { name: '研判 张202 的上报' }).click();
    await card.getByLabel('启动预警').check();
    await card.getByLabel('户编号', { exact: true }).fill(other);
    await card.getByRole('button', { name: '提交研判' }).click();
    const error = card.locator('[data-field="householdId"] .field-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('只能为本次上报所涉及的户');
    expect(await card.locator('[data-field="householdId"] input').getAttribute('aria-invalid')).toBe('true');
    expect(await card.locator('.notice-error').count()).toBe(0);
    expect(problems).toEqual([]);
  });
});
