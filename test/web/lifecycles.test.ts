import { ScheduleNotFoundError } from '@temporalio/client';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDate } from '../../domain/china-time';
import { COLLECTIONS, type PartyDayDoc } from '../../store/collections';
import { partyDayScheduleId } from '../../workflows/party-day/contract';
import { authz, registerHousehold, UNITS, type TestContext } from '../helpers/context';
import { eventually } from '../helpers/wait';
import { horizontalOverflow, screenshot, unlabelledControls } from './browser';
import { startWebStack } from './stack';

/**
 * The workspace screens for wishes (微心愿), public reports (群众反映) and Party days (党员活动日) — issue 14
 * item 3 — in headless Chromium at a phone viewport (375×667, where village staff work), against the API on
 * a real port, the Temporal dev server (with its Schedules) and the Mongo-compatible server. Each test does
 * its screen's main step through the page and checks the outcome in the API:
 * - a wish posted by village staff for a household (a wrong entry named next to its field), screened by the
 *   town with a public title on the wish's case page, claimed by a helper registered there, fulfilled and
 *   confirmed;
 * - a public report acknowledged, marked as a common issue and answered from its case page; the unit's QR
 *   profile edited from its form (a personal mobile refused next to the phone field);
 * - a Party day scheduled from the form, its agenda (a report) answered on site, the minutes shown and
 *   printable alone.
 */

let ctx: TestContext;
let browser: Browser;
let base: string;
const problems: string[] = [];
const PHONE = { width: 375, height: 667 };
/** 望岛社区 of 竹岛街道: a village no other test schedules Party days for (schedules are namespace-wide). */
const PARTY_VILLAGE = '371002003002';
const PARTY_TOWN = '371002003';
/** A party day well away from today, so the schedule never fires by itself while the test runs. */
const DAY = localDate(Date.now()).day > 14 ? 5 : 20;

beforeAll(async () => {
  ({ ctx, base, browser } = await startWebStack('web_lifecycles', { policy: { reports: { rateLimit: { perClient: { max: 100, window: 'PT1H' }, perUnit: { max: 100, window: 'PT1H' } } } } }, { worker: true }));
});
afterAll(async () => {
  await browser?.close();
  if (!ctx) return;
  await ctx.temporal.schedule
    .getHandle(partyDayScheduleId(PARTY_VILLAGE))
    .delete()
    .catch((err: unknown) => {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    });
  // Wishes and reports wait for their deadlines: stop everything this file started on its task queue.
  for await (const wf of ctx.temporal.workflow.list({ query: `TaskQueue = "${ctx.config.temporal.taskQueue}" AND ExecutionStatus = "Running"` })) {
    await ctx.temporal.workflow.getHandle(wf.workflowId, wf.runId).terminate('test over').catch(() => undefined);
  }
  await ctx.close();
});

async function signedIn(role: Parameters<TestContext['token']>[0], unit: string, user: string): Promise<Page> {
  const token = await ctx.token(role, unit, { user });
  const page = await (await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })).newPage();
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  await page.goto(`${base}/app/signin`);
  await page.evaluate(`sessionStorage.setItem('jiuzhu.token', ${JSON.stringify(token)})`);
  return page;
}

/** The page at 375 px: every control labelled, nothing scrolling sideways, no control of these screens smaller than a finger (44 CSS px high, WCAG 2.5.5). */
async function fitsPhone(page: Page): Promise<void> {
  expect(await unlabelledControls(page)).toEqual([]);
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  const small = await page.evaluate(`(() => {
    const out = [];
    for (const scope of ['.lifecycle', '.wish-steps', '.report-steps'])
      for (const el of document.querySelectorAll(scope + ' button, ' + scope + ' input:not([type=radio]), ' + scope + ' select, ' + scope + ' .choice')) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue;
        if (r.height < 44) out.push((el.textContent || el.id || el.tagName).trim().slice(0, 30) + ' ' + Math.round(r.height));
      }
    return out;
  })()`);
  expect(small).toEqual([]);
}

async function fileReport(unitCode: string, category: string, text: string): Promise<string> {
  const res = await ctx.app.inject({ method: 'POST', url: '/v1/public/reports', payload: { unitCode, category, text, contact: '李女士 0631-5201234' } });
  expect(res.statusCode, res.body).toBe(201);
  const reportId = res.json().reportId as string;
  await eventually(async () => (await ctx.mongo.db.collection(COLLECTIONS.cases).findOne({ _id: reportId as never }))?.status === 'open', 'the report in the read model');
  return reportId;
}

describe('wishes, public reports and Party days in Chromium at 375×667', () => {
  it('微心愿: village staff post a wish for a household; the town screens it with a public title; a helper claims, fulfils, the household confirms', async () => {
    const hh = await registerHousehold(ctx, await ctx.token('village_staff', UNITS.haigang), 501);
    const village = await signedIn('village_staff', UNITS.haigang, 'village.li');
    await village.goto(`${base}/app/wishes`);
    await village.getByRole('heading', { name: '微心愿', level: 1 }).waitFor();
    expect(await village.getByRole('navigation').getByRole('link', { name: '微心愿' }).count()).toBe(1);
    await village.getByRole('button', { name: '登记心愿' }).click();
    const form = village.locator('form.wish-form');
    // Without a category and with a malformed household id: each message beside its field.
    await form.getByLabel('户编号').fill('hh-12');
    await form.getByLabel('心愿标题').fill('想要一台轮椅');
    await form.getByLabel('心愿说明').fill('腿脚不便，出门困难');
    await form.getByRole('button', { name: '登记心愿' }).click();
    await form.locator('[data-field="householdId"] .field-error').waitFor();
    await form.locator('[data-field="category"] .field-error').waitFor();
    expect(await form.locator('[data-field="householdId"] input').getAttribute('aria-invalid')).toBe('true');
    await fitsPhone(village);
    await screenshot(village, 'wish-form-errors-phone');
    await form.getByLabel('户编号').fill(hh);
    await form.getByLabel('物质帮扶').check();
    await form.getByRole('button', { name: '登记心愿' }).click();
    const posted = village.getByTestId('wish-posted');
    await posted.waitFor();
    const wishId = /wish-[0-9a-f]{12}/.exec((await posted.textContent())!)![0];
    const card = village.locator(`[data-case="${wishId}"]`);
    await card.waitFor();
    expect(await card.textContent()).toContain('想要一台轮椅');
    expect(await card.textContent()).toContain('待审核');
    // English on the switch: the screen's own text follows.
    await village.getByRole('button', { name: /English/ }).click();
    await village.getByRole('heading', { name: 'Wishes', level: 1 }).waitFor();
    expect(await village.locator(`[data-case="${wishId}"]`).textContent()).toContain('To screen');
    expect(await village.getByLabel('Stage').inputValue()).toBe('screening');

    // The town screens it on the wish's case page, at the same phone size.
    const town = await signedIn('town_staff', UNITS.jingyuan, 'town.zhao');
    await town.goto(`${base}/app/wishes?stage=screening`);
    await town.locator(`[data-case="${wishId}"]`).getByRole('link', { name: `查看 ${wishId}` }).click();
    await town.waitForURL(`**/app/cases/${wishId}`);
    const steps = town.getByTestId('wish-steps');
    await steps.waitFor();
    await steps.getByRole('button', { name: '审核' }).click();
    expect(await steps.getByLabel('公开标题').inputValue()).toBe('想要一台轮椅');
    await steps.getByLabel('公开标题').fill('轮椅一台');
    await fitsPhone(town);
    await steps.locator('form').getByRole('button', { name: '审核' }).click();
    await town.getByTestId('wish-public-title').waitFor();
    expect(await town.getByTestId('wish-stage').textContent()).toBe('待认领');
    await screenshot(town, 'wish-screened-phone');

    // A helper registered from the page, then the claim, the fulfilment and the household's confirmation.
    await steps.getByRole('button', { name: '登记帮扶力量' }).click();
    await steps.getByLabel('名称或姓名').fill('海港志愿服务队');
    await steps.getByLabel('联系方式').fill('0631-5201234');
    await steps.locator('form').getByRole('button', { name: '登记帮扶力量' }).click();
    await steps.getByText('已登记帮扶力量：海港志愿服务队').waitFor();
    await steps.getByRole('button', { name: '登记认领' }).click();
    await steps.getByLabel('认领的帮扶力量').selectOption({ label: '海港志愿服务队（志愿者）' });
    await steps.locator('form').getByRole('button', { name: '登记认领' }).click();
    await town.getByText('已认领，待实现').waitFor();
    await steps.getByRole('button', { name: '登记已实现' }).click();
    await steps.getByLabel('实现情况说明').fill('轮椅已送到家中');
    await steps.locator('form').getByRole('button', { name: '登记已实现' }).click();
    await town.getByText('已实现，待确认').waitFor();
    await steps.getByRole('button', { name: '登记群众确认' }).click();
    await steps.locator('form').getByRole('button', { name: '登记群众确认' }).click();
    await town.getByTestId('wish-stage').getByText('心愿已实现').waitFor();

    const stored = (await ctx.app.inject({ method: 'GET', url: `/v1/wishes/${wishId}`, headers: authz(await ctx.token('town_staff', UNITS.jingyuan)) })).json();
    expect(stored).toMatchObject({ status: 'closed', outcome: 'fulfilled', publicTitle: '轮椅一台', postedBy: 'household', confirmation: { confirmedBy: 'household' } });
    expect(stored.claims[0].helper.name).toBe('海港志愿服务队');
    expect(problems).toEqual([]);
  });

  it('群众反映: village staff acknowledge a report, mark it as a common issue and answer it; the QR profile is edited from its form', async () => {
    const text = '本月低保金还没到账，请帮忙查一下';
    const reportId = await fileReport(UNITS.haigang, 'benefit_problem', text);
    const village = await signedIn('village_staff', UNITS.haigang, 'village.li');
    await village.goto(`${base}/app/reports`);
    await village.getByRole('heading', { name: '群众反映', level: 1 }).waitFor();
    const card = village.locator(`[data-case="${reportId}"]`);
    await card.waitFor();
    expect(await card.textContent()).toContain(text);
    expect(await card.textContent()).toContain('待遇发放问题');
    await fitsPhone(village);
    await card.getByRole('link', { name: `查看 ${reportId}` }).click();
    await village.waitForURL(`**/app/cases/${reportId}`);
    const steps = village.getByTestId('report-steps');
    await steps.waitFor();

    await steps.getByRole('button', { name: '受理' }).click();
    await steps.getByLabel('受理说明（可不填）').fill('已转民政协理员核实');
    await steps.locator('form').getByRole('button', { name: '受理' }).click();
    await village.getByTestId('report-stage').getByText('已受理，待答复').waitFor();

    await steps.getByRole('button', { name: '标记为共性问题' }).click();
    await steps.getByLabel('共性问题标题（可不填）').fill('低保金发放时间');
    await steps.locator('form').getByRole('button', { name: '标记为共性问题' }).click();
    await village.getByTestId('report-common').waitFor();
    expect(await village.getByTestId('report-common').textContent()).toContain('共性问题');

    // The answer without who gave it: the message beside the answerer's fields, nothing sent.
    await steps.getByRole('button', { name: '答复' }).click();
    await steps.getByLabel('答复内容').fill('经核实，本月低保金已于 25 日发放到账。');
    await steps.locator('form').getByRole('button', { name: '答复' }).click();
    await steps.locator('[data-field="answeredBy"] .field-error').first().waitFor();
    await steps.getByLabel('答复人姓名').fill('王书记');
    await steps.getByLabel('村(社区)两委成员').check();
    await fitsPhone(village);
    await steps.locator('form').getByRole('button', { name: '答复' }).click();
    await village.getByTestId('report-answer').waitFor();
    expect(await village.getByTestId('report-answer').textContent()).toContain('本月低保金已于 25 日发放到账');
    await screenshot(village, 'report-answered-phone');

    const staff = await ctx.token('village_staff', UNITS.haigang);
    const stored = (await ctx.app.inject({ method: 'GET', url: `/v1/reports/${reportId}`, headers: authz(staff) })).json();
    expect(stored).toMatchObject({ status: 'closed', stage: 'answered', acknowledgement: { note: '已转民政协理员核实' }, answer: { answeredBy: { name: '王书记', role: 'committee_member' }, channel: 'staff' }, commonIssue: { status: 'confirmed' } });
    expect(stored.commonIssues[0]).toMatchObject({ title: '低保金发放时间' });
    // Off the open lists, on the answered one.
    await village.goto(`${base}/app/reports?stage=answered`);
    await village.locator(`[data-case="${reportId}"]`).waitFor();

    // The QR profile: a personal mobile is refused beside the phone field; an office line is saved.
    await village.goto(`${base}/app/reports`);
    const profile = village.locator('form.profile-form');
    await profile.waitFor();
    expect(await village.getByTestId('profile-updated').textContent()).toBe('尚未填写。');
    await profile.getByLabel('政策说明').fill('最低生活保障、特困供养、临时救助，可向社区民政协理员咨询。');
    await profile.getByRole('button', { name: '添加联系人' }).click();
    await profile.getByLabel('职务').fill('民政协理员');
    await profile.getByLabel('姓名').fill('刘协理员');
    await profile.getByLabel('办公电话').fill('13912345678');
    await profile.getByRole('button', { name: '保存公开信息' }).click();
    const phoneError = profile.locator('#contact-0-phone-error');
    await phoneError.waitFor();
    expect(await profile.getByLabel('办公电话').getAttribute('aria-invalid')).toBe('true');
    await profile.getByLabel('办公电话').fill('0631-5201234');
    await fitsPhone(village);
    await profile.getByRole('button', { name: '保存公开信息' }).click();
    await village.getByText('公开信息已保存。').waitFor();
    expect(await village.getByTestId('profile-updated').textContent()).toContain('village.li');
    await screenshot(village, 'report-profile-phone');
    const saved = (await ctx.app.inject({ method: 'GET', url: `/v1/units/${UNITS.haigang}/profile`, headers: authz(staff) })).json();
    expect(saved).toMatchObject({ contacts: [{ role: '民政协理员', name: '刘协理员', phone: '0631-5201234' }], updatedBy: 'village.li' });
    expect(problems).toEqual([]);
  });

  it('党员活动日: village staff set the schedule, record the answer given on site to the month’s agenda, and see the minutes, printable alone', async () => {
    const reportId = await fileReport(PARTY_VILLAGE, 'assistance_policy', '临时救助怎么申请？');
    const village = await signedIn('village_staff', PARTY_VILLAGE, 'village.wang');
    await village.goto(`${base}/app/party-days`);
    await village.getByRole('heading', { name: '党员活动日', level: 1 }).waitFor();
    await village.getByTestId('party-day-schedule').getByText('尚未设定活动日。').waitFor();
    // A day the calendar does not have: the API's message beside the field.
    await village.getByLabel('每月几日').fill('31');
    await village.getByLabel('开始时间').fill('09:30');
    await village.getByRole('button', { name: '保存安排' }).click();
    await village.locator('[data-field="dayOfMonth"] .field-error').waitFor();
    await village.getByLabel('每月几日').fill(String(DAY));
    await fitsPhone(village);
    await village.getByRole('button', { name: '保存安排' }).click();
    await village.getByText('活动日安排已保存。').waitFor();
    expect(await village.getByTestId('party-day-schedule').textContent()).toContain('下次');
    // Paused with its reason (empty: named next to the field), then resumed.
    await village.getByRole('button', { name: '暂停活动日' }).click();
    await village.locator('[data-field="reason"] .field-error').waitFor();
    await village.getByLabel('暂停原因').fill('村委换届');
    await village.getByRole('button', { name: '暂停活动日' }).click();
    await village.getByTestId('party-day-schedule').getByText('已暂停').waitFor();
    expect((await ctx.temporal.schedule.getHandle(partyDayScheduleId(PARTY_VILLAGE)).describe()).state).toMatchObject({ paused: true, note: '村委换届' });
    await village.getByRole('button', { name: '恢复活动日' }).click();
    await village.getByRole('button', { name: '暂停活动日' }).waitFor();
    expect(await village.getByTestId('party-day-schedule').textContent()).not.toContain('已暂停');
    const described = await ctx.temporal.schedule.getHandle(partyDayScheduleId(PARTY_VILLAGE)).describe();
    expect(described.state.paused).toBe(false);
    expect(described.spec.calendars?.[0]).toMatchObject({ dayOfMonth: [{ start: DAY }], hour: [{ start: 9 }], minute: [{ start: 30 }] });

    // The day comes (the schedule triggered now): the agenda holds the open report.
    await ctx.temporal.schedule.getHandle(partyDayScheduleId(PARTY_VILLAGE)).trigger();
    const record = await eventually(async () => (await ctx.mongo.db.collection<PartyDayDoc>(COLLECTIONS.partyDays).findOne({ unitCode: PARTY_VILLAGE } as never)) ?? undefined, 'the month’s agenda');
    expect(record.items.map((i) => [i.itemId, i.refId])).toEqual([['Q1', reportId]]);
    await eventually(async () => (await ctx.mongo.db.collection(COLLECTIONS.cases).findOne({ _id: record.caseId as never })) !== null, 'the Party day’s case');

    await village.reload();
    const month = village.locator(`[data-party-day="${record._id}"]`);
    await month.waitFor();
    expect(await month.textContent()).toContain('已答复 0/1 项');
    await month.getByRole('link').click();
    await village.waitForURL(`**/app/party-days/${encodeURIComponent(record._id)}`);
    const item = village.locator('[data-item="Q1"]');
    await item.waitFor();
    expect(await item.textContent()).toContain('群众反映');
    expect(await village.getByTestId('party-day-minutes').textContent()).toContain('尚无答复。');
    await item.getByRole('button', { name: '记录 Q1 的现场答复' }).click();
    await item.getByLabel('答复内容').fill('临时救助由本人或代办人向镇(街道)申请，社区可代为提交。');
    await item.getByLabel('答复人姓名').fill('刘协理员');
    await item.getByLabel('民政协理员').check();
    await fitsPhone(village);
    await item.getByRole('button', { name: '保存答复' }).click();
    const minutes = village.getByTestId('party-day-minutes');
    await minutes.getByText('临时救助由本人或代办人向镇(街道)申请，社区可代为提交。').waitFor();
    expect(await minutes.textContent()).toContain('民政协理员 刘协理员');
    expect(await minutes.getByRole('heading').textContent()).toContain('党员活动日集中答疑纪要');
    await screenshot(village, 'party-day-minutes-phone');

    // Printed, the minutes stand alone: the header, the agenda and the buttons are not on paper.
    await village.emulateMedia({ media: 'print' });
    const printed = await village.evaluate(`[...document.querySelectorAll('.topbar, [data-testid="party-day-agenda"], .minutes button')].map((e) => e.checkVisibility())`);
    expect(printed).toEqual([false, false, false]);
    expect(await minutes.isVisible()).toBe(true);
    await village.emulateMedia({ media: 'screen' });

    // The answer reached the report through its own workflow, and the Q&A is done.
    const staff = await ctx.token('village_staff', PARTY_VILLAGE);
    await eventually(async () => (await ctx.app.inject({ method: 'GET', url: `/v1/reports/${reportId}`, headers: authz(staff) })).json().status === 'closed', 'the report answered on the Party day');
    const day = (await ctx.app.inject({ method: 'GET', url: `/v1/party-days/${record._id}`, headers: authz(staff) })).json();
    expect(day).toMatchObject({ status: 'closed', items: [{ itemId: 'Q1', answeredBy: { role: 'civil_affairs_assistant', name: '刘协理员' } }] });
    // The town reaches the same page through its village picker.
    const town = await signedIn('town_staff', PARTY_TOWN, 'town.sun');
    await town.goto(`${base}/app/party-days`);
    await town.getByLabel('村(社区)').selectOption(PARTY_VILLAGE);
    await town.locator(`[data-party-day="${record._id}"]`).getByText('已答复 1/1 项').waitFor();
    expect(problems).toEqual([]);
  });
});
