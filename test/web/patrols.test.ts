import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScheduleNotFoundError } from '@temporalio/client';
import { authz, registerHousehold, UNITS, type TestContext } from '../helpers/context';
import { eventually } from '../helpers/time-skipping';
import { patrolPlanScheduleId } from '../../workflows/patrol/contract';
import { horizontalOverflow, screenshot, unlabelledControls } from './browser';
import { startWebStack } from './stack';

/**
 * The patrol screens in headless Chromium at a phone's width (375 px), against the API on a real port and the
 * Temporal dev server: village staff make the plan on 巡查计划, its schedule opens this cycle's patrol, and a
 * party member records it on 巡查记录 with the households visited and what was found.
 */

/** A village no other file plans for (schedules are namespace-wide on the shared dev server; deleted in afterAll). */
const VILLAGE = '371002001002';
const MEMBER = `sun.member@${VILLAGE}`;

let ctx: TestContext;
let browser: Browser;
let base: string;
const problems: string[] = [];

beforeAll(async () => {
  ({ ctx, base, browser } = await startWebStack('web_patrols', {}, { worker: true }));
});
afterAll(async () => {
  await browser?.close();
  if (!ctx) return;
  await ctx.temporal.schedule
    .getHandle(patrolPlanScheduleId(VILLAGE))
    .delete()
    .catch((err: unknown) => {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    });
  for await (const wf of ctx.temporal.workflow.list({ query: `TaskQueue = "${ctx.config.temporal.taskQueue}" AND ExecutionStatus = "Running"` })) {
    await ctx.temporal.workflow.getHandle(wf.workflowId, wf.runId).terminate('test over').catch(() => undefined);
  }
  await ctx.close();
});

/** A phone-sized browser signed in with a token for `role` at `unit`. */
async function onPhone(role: Parameters<TestContext['token']>[0], unit: string, user: string): Promise<Page> {
  const token = await ctx.token(role, unit, { user });
  const page = await (await browser.newContext({ viewport: { width: 375, height: 740 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', hasTouch: true })).newPage();
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  await page.goto(`${base}/app/signin`);
  await page.evaluate(`sessionStorage.setItem('jiuzhu.token', ${JSON.stringify(token)})`);
  return page;
}

describe('patrol screens in Chromium at 375 px', () => {
  it('village staff make the plan; a party member records this cycle’s patrol with the households visited', async () => {
    const household = await registerHousehold(ctx, await ctx.token('village_staff', VILLAGE), 7401, VILLAGE);
    const staff = await onPhone('village_staff', VILLAGE, 'village.qian');
    await staff.goto(`${base}/app/patrols`);
    await staff.getByRole('heading', { name: '巡查', level: 1 }).waitFor();
    const plan = staff.locator('section', { has: staff.getByRole('heading', { name: '巡查计划' }) });
    await plan.getByText('本村(社区)尚未制定巡查计划。').waitFor();
    await plan.getByLabel('巡查周期').selectOption('P7D');
    await plan.getByLabel('意外事故').uncheck();
    await plan.getByLabel('备注').fill('每周一次，重点走访大病户');
    await plan.getByRole('button', { name: '保存巡查计划' }).click();
    await plan.getByText('已保存').waitFor();
    expect(await plan.getByTestId('plan-summary').textContent()).toMatch(/^每周巡查一次，重点：突发事件、重大疾病、重度残疾/);
    expect(await horizontalOverflow(staff)).toBeLessThanOrEqual(0);
    expect(await unlabelledControls(staff)).toEqual([]);
    await screenshot(staff, 'patrol-plan-375');
    const stored = await ctx.app.inject({ method: 'GET', url: `/v1/villages/${VILLAGE}/patrol-plan`, headers: authz(await ctx.token('town_staff', UNITS.jingyuan)) });
    expect(stored.json()).toMatchObject({ every: 'P7D', focusGroups: ['sudden_event', 'major_illness', 'severe_disability'], note: '每周一次，重点走访大病户', paused: false });

    // This cycle's patrol: what the schedule fires (a trigger stands in for this week's fire).
    await ctx.temporal.schedule.getHandle(patrolPlanScheduleId(VILLAGE)).trigger();
    const caseId = await eventually(async () => {
      const doc = await ctx.mongo.db.collection<{ _id: string }>('cases').findOne({ kind: 'patrol', unitCode: VILLAGE, status: 'open' });
      expect(doc).not.toBeNull();
      return doc!._id;
    }, 20_000);

    // A discovery the member reported on the round, about a household they visit.
    const sick = await registerHousehold(ctx, await ctx.token('village_staff', VILLAGE), 7402, VILLAGE);
    const reported = await ctx.app.inject({ method: 'POST', url: '/v1/discoveries', headers: authz(await ctx.token('party_member', VILLAGE, { user: MEMBER })), payload: { key: 'web-patrol-1', householdId: sick, focusGroup: 'major_illness', situation: '突发重病', urgency: 'urgent' } });
    expect(reported.statusCode, reported.body).toBe(201);
    const discoveryId = reported.json().caseId as string;

    const member = await onPhone('party_member', VILLAGE, MEMBER);
    // From the case page (a task links there), the way to 巡查记录.
    await member.goto(`${base}/app/cases/${caseId}`);
    await member.getByRole('link', { name: '到“巡查记录”记录本周期巡查' }).click();
    await member.waitForURL('**/app/patrols');
    const record = member.locator('section', { has: member.getByRole('heading', { name: '巡查记录' }) });
    await record.getByText(caseId).waitFor();
    expect(await record.getByLabel('巡查人员').inputValue()).toBe(MEMBER);
    await record.getByLabel('巡查人员').fill(`${MEMBER}, zhou.grid@${VILLAGE}`);
    await record.getByLabel('走访户 1').fill(household);
    await record.locator('#visit-0-group').selectOption('major_illness');
    await record.locator('#visit-0-finding').selectOption('concern');
    await record.locator('#visit-0-note').fill('刚出院，需定期探望');
    await record.getByRole('button', { name: '添加走访户' }).click();
    await record.getByLabel('走访户 2').fill('新搬来的独居老人一户');
    await record.locator('#visit-1-group').selectOption('severe_disability');
    // A finding reported as a discovery: the field to link it appears, offering the village's open discoveries (or the id typed in).
    await record.getByRole('button', { name: '添加走访户' }).click();
    await record.getByLabel('走访户 3').fill(sick);
    await record.locator('#visit-2-finding').selectOption('discovery');
    await record.locator(`#visit-2-discoveries option[value="${discoveryId}"]`).waitFor({ state: 'attached' });
    await record.getByLabel('对应的主动发现上报').fill(discoveryId);
    // Close the suggestions list the browser opens over the form.
    await record.getByLabel('对应的主动发现上报').blur();
    expect(await horizontalOverflow(member)).toBeLessThanOrEqual(0);
    expect(await unlabelledControls(member)).toEqual([]);
    await screenshot(member, 'patrol-record-375');
    await record.getByRole('button', { name: '提交巡查记录' }).click();
    const done = record.getByTestId('patrol-recorded');
    await done.waitFor();
    expect(await done.textContent()).toContain(`${MEMBER}、zhou.grid@${VILLAGE}`);
    expect(await done.locator('li').allTextContents()).toEqual([`${household} · 重大疾病 · 需关注 · 刚出院，需定期探望`, '新搬来的独居老人一户 · 重度残疾 · 正常', `${sick} · 重大疾病 · 发现困难（已上报） · ${discoveryId}`]);
    expect(await horizontalOverflow(member)).toBeLessThanOrEqual(0);

    const view = await ctx.app.inject({ method: 'GET', url: `/v1/patrols/${caseId}`, headers: authz(await ctx.token('town_staff', UNITS.jingyuan)) });
    expect(view.json()).toMatchObject({ status: 'closed', record: { members: [MEMBER, `zhou.grid@${VILLAGE}`] }, visited: [{ householdId: household, finding: 'concern' }, { description: '新搬来的独居老人一户', finding: 'ok' }, { householdId: sick, finding: 'discovery', discoveryId }] });
    // The discovery's page links back to the patrol that cited it.
    await member.goto(`${base}/app/cases/${discoveryId}`);
    const links = member.getByTestId('case-links');
    await links.waitFor();
    expect(await links.textContent()).toContain(caseId);
    expect(problems).toEqual([]);
  }, 120_000);

  it('巡查记录 lists every open patrol of the village (an earlier cycle left open is not a dead end) and records the one picked', async () => {
    // Two cycles fire while neither is recorded (triggers a few seconds apart stand in for two weeks' fires).
    const openIds = async () => (await ctx.mongo.db.collection<{ _id: string }>('cases').find({ kind: 'patrol', unitCode: VILLAGE, status: 'open' }).toArray()).map((d) => d._id).sort();
    const before = await openIds();
    await ctx.temporal.schedule.getHandle(patrolPlanScheduleId(VILLAGE)).trigger();
    await eventually(async () => expect((await openIds()).length).toBe(before.length + 1), 20_000);
    await new Promise((r) => setTimeout(r, 1100));
    await ctx.temporal.schedule.getHandle(patrolPlanScheduleId(VILLAGE)).trigger();
    const ids = await eventually(async () => {
      const now = await openIds();
      expect(now.length).toBe(before.length + 2);
      return now;
    }, 20_000);
    const [older] = ids;

    const member = await onPhone('party_member', VILLAGE, MEMBER);
    await member.goto(`${base}/app/patrols`);
    const record = member.locator('section', { has: member.getByRole('heading', { name: '巡查记录' }) });
    const picker = record.getByLabel('待记录的巡查（逾期的在前）');
    await picker.waitFor();
    expect((await picker.locator('option').allTextContents()).map((o) => o.slice(0, older!.length)).sort()).toEqual(ids);
    await picker.selectOption(older!);
    await record.getByTestId('patrol-cycle').getByText(older!).waitFor();
    await record.getByLabel('走访户 1').fill('村东头独居老人一户');
    await record.getByRole('button', { name: '提交巡查记录' }).click();
    await record.getByTestId('patrol-recorded').waitFor();
    const view = await ctx.app.inject({ method: 'GET', url: `/v1/patrols/${older}`, headers: authz(await ctx.token('town_staff', UNITS.jingyuan)) });
    expect(view.json()).toMatchObject({ status: 'closed', visited: [{ description: '村东头独居老人一户' }] });
    expect(await openIds()).toEqual(ids.filter((id) => id !== older));
    expect(problems).toEqual([]);
  }, 90_000);

  it('a user whose unit is a grid has no 巡查 tab (a grid token does not reach the village’s patrol); one at the village has it', async () => {
    const atGrid = await onPhone('party_member', UNITS.haigangGrid, 'member.grid.nav');
    await atGrid.goto(`${base}/app/tasks`);
    const nav = atGrid.getByRole('navigation', { name: '主导航' });
    await nav.getByRole('link', { name: '主动发现上报' }).waitFor();
    expect(await nav.getByRole('link', { name: '巡查', exact: true }).count()).toBe(0);
    const gridWorker = await onPhone('grid_worker', UNITS.haigangGrid, 'worker.grid.nav');
    await gridWorker.goto(`${base}/app/tasks`);
    await gridWorker.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '主动发现上报' }).waitFor();
    expect(await gridWorker.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '巡查', exact: true }).count()).toBe(0);
    const atVillage = await onPhone('party_member', UNITS.haigang, 'member.village.nav');
    await atVillage.goto(`${base}/app/tasks`);
    await atVillage.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '巡查', exact: true }).waitFor();
    expect(problems).toEqual([]);
  }, 60_000);
});
