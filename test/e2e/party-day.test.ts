import { ScheduleNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDate, localMonth, shiftMonth } from '../../domain/china-time';
import { partyDayStartsAt } from '../../domain/party-day';
import { COLLECTIONS, type PartyDayDoc } from '../../store/collections';
import { partyDayScheduleId } from '../../workflows/party-day/contract';
import { authz, createTestContext, UNITS, type TestContext } from '../helpers/context';
import { eventually } from '../helpers/wait';

/**
 * The monthly Party-day Q&A end to end on the dev server: a unit's Temporal Schedule made through the
 * API, run for last month (a backfill of last month's party day) and this month (a trigger), with real
 * public reports and their common issue on the agenda. The grace is an hour: last month's is long over,
 * this month's is not.
 */
const POLICY = {
  version: 'e2e-party-day',
  partyDay: { grace: 'PT1H' },
  // Five reports from one test client within the hour.
  reports: { rateLimit: { perClient: { max: 100, window: 'PT1H' }, perUnit: { max: 100, window: 'PT1H' } } },
};
const MIN = 60_000;
/** Schedules are namespace-wide on the shared dev server: every one made here is deleted in afterAll. */
const SCHEDULED_UNITS = [UNITS.haigang, '371002001002', '371002001003'];
/** A party day well away from today, so the schedule never fires by itself while the tests run. */
const DAY = localDate(Date.now()).day > 14 ? 5 : 20;

let ctx: TestContext;
let village: string;
let town: string;
let townStaff: string;
let siblingTown: string;
let monitor: string;
let grid: string;

beforeAll(async () => {
  ctx = await createTestContext('party_day_e2e', { policy: POLICY });
  await ctx.startWorker();
  village = await ctx.token('village_staff', UNITS.haigang);
  town = await ctx.token('town_supervisor', UNITS.jingyuan);
  townStaff = await ctx.token('town_staff', UNITS.jingyuan);
  siblingTown = await ctx.token('town_supervisor', UNITS.huancuilou);
  monitor = await ctx.token('city_monitor', UNITS.city);
  grid = await ctx.token('grid_worker', UNITS.haigang);
});

afterAll(async () => {
  if (!ctx) return;
  for (const code of SCHEDULED_UNITS) {
    await ctx.temporal.schedule
      .getHandle(partyDayScheduleId(code))
      .delete()
      .catch((err: unknown) => {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
      });
  }
  // Reports wait for their deadlines: stop everything this file started on its task queue.
  for await (const wf of ctx.temporal.workflow.list({ query: `TaskQueue = "${ctx.config.temporal.taskQueue}" AND ExecutionStatus = "Running"` })) {
    await ctx.temporal.workflow.getHandle(wf.workflowId, wf.runId).terminate('test over').catch(() => undefined);
  }
  await ctx.close();
});

const send = (method: 'POST' | 'PUT' | 'GET', url: string, token: string | null, payload?: unknown) =>
  ctx.app.inject({ method, url, headers: token ? authz(token) : {}, ...(payload === undefined ? {} : { payload: payload as object }) });
const board = async (token: string) => (await send('GET', '/v1/cases?overdue=true&kind=party_day', token)).json().items as Array<{ caseId: string; rung: number; escalatedTo: { code: string } | null }>;
const partyDays = () => ctx.mongo.db.collection<PartyDayDoc>(COLLECTIONS.partyDays);
const record = (id: string) => partyDays().findOne({ _id: id });
const caseOf = (caseId: string) => ctx.mongo.db.collection<{ _id: string; status: string; overdue: boolean; view: Record<string, unknown> }>(COLLECTIONS.cases).findOne({ _id: caseId });

async function fileReport(category: string, text: string, contact?: string, unitCode: string = UNITS.haigang): Promise<string> {
  const res = await send('POST', '/v1/public/reports', null, { unitCode, category, text, ...(contact ? { contact } : {}) });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().reportId as string;
}

/** The next instant the calendar (day, HH:MM, Weihai time) matches after now. */
function nextPartyDay(day: number, startsAt: string): number {
  const now = Date.now();
  const thisMonth = partyDayStartsAt(localMonth(now), day, startsAt);
  if (thisMonth > now) return thisMonth;
  const [y, m] = localMonth(now).split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return partyDayStartsAt(next, day, startsAt);
}

const answerBody = (itemId: string, role: 'committee_member' | 'civil_affairs_assistant', name: string, answer: string) => ({ itemId, answer, answeredBy: { role, name } });

describe('the monthly Party-day Q&A through its schedule', () => {
  it('fires for two consecutive months: month 1 carries its unanswered item over and escalates to the town; month 2’s answers are the minutes', async () => {
    // On the agenda: a common issue from three reports of one category, and one report of its own
    // whose text names the reporter.
    const policyReports = [
      await fileReport('assistance_policy', '临时救助怎么申请？'),
      await fileReport('assistance_policy', '低保标准是多少？'),
      await fileReport('assistance_policy', '医疗救助报销比例？'),
    ];
    const privateText = '我是李秀英，家住海港路12号，低保金两个月没到账';
    const benefitReport = await fileReport('benefit_problem', privateText, '李秀英 13912345678');
    const issue = await eventually(
      async () => (await ctx.mongo.db.collection<{ _id: string; reportIds: string[]; status: string }>(COLLECTIONS.commonIssues).findOne({ unitCode: UNITS.haigang, category: 'assistance_policy' } as never)) ?? undefined,
      'the proposed common issue',
    );
    await eventually(async () => (await ctx.mongo.db.collection(COLLECTIONS.commonIssues).findOne({ _id: issue._id as never }))?.reportIds.length === 3, 'all three reports on the issue');
    await eventually(async () => (await ctx.mongo.db.collection(COLLECTIONS.cases).countDocuments({ kind: 'report', unitCode: UNITS.haigang, status: 'open' })) === 4, 'four open reports in the read model');

    const created = await send('PUT', `/v1/units/${UNITS.haigang}/party-day-schedule`, village, { dayOfMonth: DAY, startsAt: '09:30', note: '每月固定党员活动日' });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({
      scheduleId: `party-day-${UNITS.haigang}`,
      dayOfMonth: DAY,
      startsAt: '09:30',
      timezone: 'Asia/Shanghai',
      paused: false,
      note: '每月固定党员活动日',
      taskQueue: ctx.config.temporal.taskQueue,
      policyVersion: 'e2e-party-day',
    });
    expect(created.json().nextActionTimes[0]).toBe(new Date(nextPartyDay(DAY, '09:30')).toISOString());

    // Month 1: last month's party day, backfilled — its grace ended weeks ago.
    const month2 = localMonth(Date.now());
    const month1 = shiftMonth(month2, -1);
    const id1 = `${UNITS.haigang}:${month1}`;
    const id2 = `${UNITS.haigang}:${month2}`;
    const at1 = partyDayStartsAt(month1, DAY, '09:30');
    const schedule = ctx.temporal.schedule.getHandle(partyDayScheduleId(UNITS.haigang));
    await schedule.backfill({ start: new Date(at1 - MIN), end: new Date(at1 + MIN), overlap: 'ALLOW_ALL' });

    const carried1 = await eventually(async () => {
      const r = await record(id1);
      return r?.status === 'closed' && r;
    }, 'month 1 closed with its items carried over');
    expect(carried1).toMatchObject({ unitCode: UNITS.haigang, month: month1, scheduledAt: new Date(at1), carriedOver: ['Q1', 'Q2'] });
    expect(carried1.items.map((i) => [i.itemId, i.kind, i.refId])).toEqual([
      ['Q1', 'common_issue', issue._id],
      ['Q2', 'report', benefitReport],
    ]);
    expect(carried1.items[1]!.title).toBe('待遇发放问题：群众反映问题（第1件）');
    // The public record carries no report text and no contact.
    expect(JSON.stringify(carried1)).not.toMatch(/李秀英|13912345678|海港路12号/);

    // Escalated one rung, to the town: on its overdue board with a notification; not the sibling town's.
    const case1 = carried1.caseId;
    expect(case1).toBe(`party-day-${UNITS.haigang}-${month1}`);
    const row = await eventually(async () => (await board(town)).find((r) => r.caseId === case1), 'month 1 on the town’s overdue board');
    expect(row).toMatchObject({ rung: 1, escalatedTo: { code: UNITS.jingyuan } });
    expect((await board(siblingTown)).map((r) => r.caseId)).not.toContain(case1);
    const notices = await ctx.mongo.db.collection(COLLECTIONS.notifications).find({ caseId: case1, kind: 'escalated' }).toArray();
    expect(notices.map((n) => n.unitCode)).toEqual([UNITS.jingyuan]);
    const staffView1 = (await send('GET', `/v1/party-days/${id1}`, town)).json();
    expect(staffView1).toMatchObject({ status: 'open', stage: 'closed', overdue: true, rung: 1, carriedOver: ['Q1', 'Q2'] });
    expect(staffView1.escalations).toHaveLength(1);

    // The report is answered late, still in month 1: it answers the report through its workflow.
    const late = await send('POST', `/v1/party-days/${id1}/answers`, village, answerBody('Q2', 'civil_affairs_assistant', '刘协理员', '经核实为银行代发延迟，已补发。'));
    expect(late.statusCode, late.body).toBe(200);
    expect(late.json().items[1]).toMatchObject({ itemId: 'Q2', answeredBy: { role: 'civil_affairs_assistant', name: '刘协理员' } });
    const report = (await send('GET', `/v1/reports/${benefitReport}`, town)).json();
    expect(report).toMatchObject({ status: 'closed', answer: { channel: 'party_day', answeredBy: { role: 'civil_affairs_assistant', name: '刘协理员' } } });
    expect(late.json().status).toBe('open');

    // Month 2: this month's run (a trigger fires it now). A report filed since is on it too.
    const newReport = await fileReport('other', '村里的救助公示栏在哪里？');
    await eventually(async () => (await ctx.mongo.db.collection(COLLECTIONS.cases).findOne({ _id: newReport as never }))?.status === 'open', 'the new report in the read model');
    await schedule.trigger();
    const agenda2 = await eventually(async () => (await record(id2)) ?? undefined, 'month 2’s agenda');
    expect(agenda2).toMatchObject({ status: 'agenda_published', carriedOver: [] });
    expect(agenda2.items.map((i) => [i.itemId, i.kind, i.origin, i.refId, i.carriedFrom ?? null])).toEqual([
      ['Q1', 'carried_over', 'common_issue', issue._id, id1],
      ['Q2', 'report', 'report', newReport, null],
    ]);

    // Month 1 handed its item over and closed: off the board, its deadline counted late.
    const closed1 = await eventually(async () => {
      const c = await caseOf(case1);
      return c?.status === 'closed' && c;
    }, 'month 1 closed by the hand-over');
    expect(closed1.view).toMatchObject({ handedOverTo: id2, overdue: false });
    expect((await board(town)).map((r) => r.caseId)).not.toContain(case1);
    expect((await send('POST', `/v1/party-days/${id1}/answers`, village, answerBody('Q1', 'committee_member', '王书记', '…'))).statusCode).toBe(409);
    const deadline1 = await ctx.mongo.db.collection(COLLECTIONS.deadlines).findOne({ caseId: case1 });
    expect(deadline1).toMatchObject({ outcome: 'late', escalations: 1 });

    // Answers on site in month 2: refused input first.
    const badRole = await send('POST', `/v1/party-days/${id2}/answers`, village, { itemId: 'Q1', answer: '好', answeredBy: { role: 'mayor', name: '王' } });
    expect(badRole.statusCode).toBe(400);
    expect(badRole.json().error.details[0].path).toBe('body.answeredBy.role');
    expect((await send('POST', `/v1/party-days/${id2}/answers`, village, answerBody('Q7', 'committee_member', '王书记', '…'))).statusCode).toBe(422);
    expect((await send('POST', `/v1/party-days/${id2}/answers`, siblingTown, answerBody('Q1', 'committee_member', '王书记', '…'))).statusCode).toBe(403);
    expect((await send('POST', `/v1/party-days/${id2}/answers`, grid, answerBody('Q1', 'committee_member', '王书记', '…'))).statusCode).toBe(403);

    const policyAnswer = '临时救助由本人或代办人向镇(街道)申请；低保标准按市政府公布执行。';
    const a1 = await send('POST', `/v1/party-days/${id2}/answers`, village, answerBody('Q1', 'committee_member', '王书记', policyAnswer));
    expect(a1.statusCode, a1.body).toBe(200);
    expect(a1.json()).toMatchObject({ stage: 'held', status: 'open' });
    expect((await send('POST', `/v1/party-days/${id2}/answers`, village, answerBody('Q1', 'committee_member', '王书记', '再答一次'))).statusCode).toBe(409);
    const a2 = await send('POST', `/v1/party-days/${id2}/answers`, townStaff, answerBody('Q2', 'civil_affairs_assistant', '刘协理员', '公示栏在村委会一楼大厅。'));
    expect(a2.statusCode, a2.body).toBe(200);
    expect(a2.json()).toMatchObject({ status: 'closed', stage: 'closed', overdue: false, carriedOver: [] });

    // The minutes, as the unit's public page reads them.
    const minutes = await eventually(async () => {
      const r = await record(id2);
      return r?.status === 'closed' && r;
    }, 'month 2’s minutes');
    expect(minutes.items.map((i) => [i.itemId, i.answer, i.answeredBy])).toEqual([
      ['Q1', policyAnswer, { role: 'committee_member', name: '王书记' }],
      ['Q2', '公示栏在村委会一楼大厅。', { role: 'civil_affairs_assistant', name: '刘协理员' }],
    ]);
    expect(JSON.stringify(minutes)).not.toMatch(/village_staff@|town_supervisor@/);
    const page = (await send('GET', `/v1/public/units/${UNITS.haigang}`, null)).json();
    const shown = page.partyDays.find((d: { month: string }) => d.month === month2);
    expect(shown.items.map((i: { answer: string | null }) => i.answer)).toEqual([policyAnswer, '公示栏在村委会一楼大厅。']);

    // The common issue is answered, and with it every report behind it, through their workflows.
    expect(await ctx.mongo.db.collection(COLLECTIONS.commonIssues).findOne({ _id: issue._id as never })).toMatchObject({ status: 'answered' });
    for (const id of [...policyReports, newReport]) {
      const r = await eventually(async () => {
        const v = (await send('GET', `/v1/reports/${id}`, town)).json();
        return v.status === 'closed' && v;
      }, `report ${id} answered`);
      expect(r.answer).toMatchObject({ channel: 'party_day' });
    }
    const deadline2 = await ctx.mongo.db.collection(COLLECTIONS.deadlines).findOne({ caseId: `party-day-${UNITS.haigang}-${month2}` });
    expect(deadline2).toMatchObject({ outcome: 'on_time', escalations: 0 });

    // Staff lists: the unit's Q&As, newest first; the schedule remembers both runs.
    const list = (await send('GET', `/v1/units/${UNITS.haigang}/party-days`, monitor)).json();
    expect(list.items.map((d: { _id: string }) => d._id)).toEqual([id2, id1]);
    const described = (await send('GET', `/v1/units/${UNITS.haigang}/party-day-schedule`, village)).json();
    expect(described.recentActions).toHaveLength(2);
    expect(described.recentActions[0].scheduledAt).toBe(new Date(at1).toISOString());
  });

  it('a second run in the same month (a trigger on top of the fired one) holds nothing and ends', async () => {
    const schedule = ctx.temporal.schedule.getHandle(partyDayScheduleId(UNITS.haigang));
    const before = (await schedule.describe()).info.recentActions.length;
    await schedule.trigger();
    const started = await eventually(async () => {
      const d = await schedule.describe();
      return d.info.recentActions.length > before && d.info.recentActions.at(-1)!.action.workflow;
    }, 'the extra run');
    expect(await ctx.temporal.workflow.getHandle(started.workflowId).result()).toBeNull();
    expect(await partyDays().countDocuments({ unitCode: UNITS.haigang })).toBe(2);
  });
});

describe('reports answered through their own endpoints, and a skipped month', () => {
  // 北山社区: a unit of its own, so that the first describe's months are not touched.
  const unit = '371002001003';

  it('ends the agenda item of a report answered at POST /v1/reports/{id}/answer, and the month after a skipped one takes over what is still open', async () => {
    const staff = await ctx.token('village_staff', unit);
    const reportA = await fileReport('benefit_problem', '低保金本月未到账', undefined, unit);
    const reportB = await fileReport('other', '救助公示栏在哪里？', undefined, unit);
    await eventually(async () => (await ctx.mongo.db.collection(COLLECTIONS.cases).countDocuments({ kind: 'report', unitCode: unit, status: 'open' })) === 2, 'both reports in the read model');
    expect((await send('PUT', `/v1/units/${unit}/party-day-schedule`, staff, { dayOfMonth: DAY, startsAt: '10:00' })).statusCode).toBe(201);
    const schedule = ctx.temporal.schedule.getHandle(partyDayScheduleId(unit));

    // Two months ago: held (backfilled), nothing answered, so both reports are carried over and escalated.
    const month3 = localMonth(Date.now());
    const month1 = shiftMonth(month3, -2);
    const id1 = `${unit}:${month1}`;
    const id3 = `${unit}:${month3}`;
    const at1 = partyDayStartsAt(month1, DAY, '10:00');
    await schedule.backfill({ start: new Date(at1 - MIN), end: new Date(at1 + MIN), overlap: 'ALLOW_ALL' });
    const carried = await eventually(async () => {
      const r = await record(id1);
      return r?.status === 'closed' && r;
    }, 'month 1 carried over');
    expect(carried.items.map((i) => [i.itemId, i.refId])).toEqual([
      ['Q1', reportA],
      ['Q2', reportB],
    ]);
    expect(carried.carriedOver).toEqual(['Q1', 'Q2']);
    await eventually(async () => (await board(town)).some((r) => r.caseId === carried.caseId), 'month 1 on the town’s board');

    // Report A is answered by staff through the report's own endpoint: its item ends at once.
    const answered = await send('POST', `/v1/reports/${reportA}/answer`, staff, { answer: '经核实系银行代发延迟，已补发。', answeredBy: { name: '孙丽', role: 'civil_affairs_assistant' } });
    expect(answered.statusCode, answered.body).toBe(200);
    const ended = await eventually(async () => {
      const v = (await send('GET', `/v1/party-days/${id1}`, town)).json();
      return v.items[0]?.ended && v;
    }, 'report A’s item ended');
    expect(ended.items[0]).toMatchObject({ itemId: 'Q1', ended: { reason: 'report_answered' } });
    expect(ended.items[0].answer).toBeUndefined();
    expect(ended.items[1].ended).toBeUndefined();
    // B is still open: month 1 stays overdue with the town. An answer on site to the ended item is a 409.
    expect(ended).toMatchObject({ status: 'open', overdue: true });
    expect((await send('POST', `/v1/party-days/${id1}/answers`, staff, answerBody('Q1', 'committee_member', '王书记', '…'))).statusCode).toBe(409);

    // Last month's Q&A was skipped (no run); this month's takes over what month 1 left open: B only.
    await schedule.trigger();
    const agenda3 = await eventually(async () => (await record(id3)) ?? undefined, 'this month’s agenda');
    expect(agenda3.items.map((i) => [i.itemId, i.kind, i.refId, i.carriedFrom ?? null])).toEqual([['Q1', 'carried_over', reportB, id1]]);
    const closed1 = await eventually(async () => {
      const c = await caseOf(carried.caseId);
      return c?.status === 'closed' && c;
    }, 'month 1 handed over');
    expect(closed1.view).toMatchObject({ handedOverTo: id3, overdue: false });
    expect((await board(town)).map((r) => r.caseId)).not.toContain(carried.caseId);

    // Report B answered through its own endpoint too: this month's only item ends and its Q&A closes, on time.
    expect((await send('POST', `/v1/reports/${reportB}/answer`, staff, { answer: '公示栏在村委会一楼大厅。', answeredBy: { name: '孙丽', role: 'civil_affairs_assistant' } })).statusCode).toBe(200);
    const closed3 = await eventually(async () => {
      const v = (await send('GET', `/v1/party-days/${id3}`, town)).json();
      return v.status === 'closed' && v;
    }, 'this month’s Q&A closed');
    expect(closed3).toMatchObject({ stage: 'closed', overdue: false, items: [expect.objectContaining({ itemId: 'Q1', ended: { reason: 'report_answered', at: expect.any(String) } })] });
    expect(await ctx.mongo.db.collection(COLLECTIONS.deadlines).findOne({ caseId: closed3.caseId })).toMatchObject({ outcome: 'on_time' });
  });
});

describe('managing a unit’s schedule through the API', () => {
  const unit = '371002001002';
  const url = `/v1/units/${unit}/party-day-schedule`;

  it('creates, pauses, unpauses and changes it; describe shows each', async () => {
    expect((await send('GET', url, town)).statusCode).toBe(404);
    expect((await send('POST', `${url}/pause`, town, { reason: 'x' })).statusCode).toBe(404);
    expect((await send('PUT', url, town, { dayOfMonth: DAY, startsAt: '08:00' })).statusCode).toBe(201);
    const handle = ctx.temporal.schedule.getHandle(partyDayScheduleId(unit));

    const paused = await send('POST', `${url}/pause`, town, { reason: '村两委换届，暂停本月活动日' });
    expect(paused.statusCode, paused.body).toBe(200);
    expect(paused.json()).toMatchObject({ paused: true, note: '村两委换届，暂停本月活动日' });
    expect((await handle.describe()).state).toMatchObject({ paused: true, note: '村两委换届，暂停本月活动日' });

    const resumed = await send('POST', `${url}/unpause`, town, {});
    expect(resumed.statusCode).toBe(200);
    expect(resumed.json().paused).toBe(false);
    expect((await handle.describe()).state.paused).toBe(false);

    const changed = await send('PUT', url, await ctx.token('village_staff', unit), { dayOfMonth: 20, startsAt: '14:00', note: '改为每月20日下午' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ dayOfMonth: 20, startsAt: '14:00', paused: false, note: '改为每月20日下午' });
    expect(changed.json().nextActionTimes[0]).toBe(new Date(nextPartyDay(20, '14:00')).toISOString());
    const d = await handle.describe();
    expect(d.spec.calendars?.[0]).toMatchObject({ dayOfMonth: [{ start: 20, end: 20 }], hour: [{ start: 14, end: 14 }], minute: [{ start: 0, end: 0 }] });
    expect(d.spec.timezone).toBe('Asia/Shanghai');
    expect(d.policies.overlap).toBe('ALLOW_ALL');
    expect(d.action).toMatchObject({ workflowType: 'partyDayWorkflow', workflowId: `party-day-${unit}`, taskQueue: ctx.config.temporal.taskQueue });
    expect((d.action.args as Array<{ unitCode: string; ladder: { code: string }[]; policy: { dayOfMonth: number; startsAt: string } }>)[0]).toMatchObject({
      unitCode: unit,
      ladder: [{ code: unit }, { code: UNITS.jingyuan }, { code: UNITS.huancui }, { code: UNITS.city }],
      policy: { dayOfMonth: 20, startsAt: '14:00', grace: 3_600_000 },
    });

    // A change keeps a paused schedule paused.
    await send('POST', `${url}/pause`, town, { reason: '暂停' });
    const whilePaused = await send('PUT', url, town, { dayOfMonth: 21, startsAt: '14:00' });
    expect(whilePaused.json()).toMatchObject({ dayOfMonth: 21, paused: true, note: '暂停' });
  });

  it('keeps to jurisdiction: a sibling town, a grid worker and a monitor may not change it', async () => {
    const sibling = await send('PUT', url, siblingTown, { dayOfMonth: 3, startsAt: '09:00' });
    expect(sibling.statusCode).toBe(403);
    expect(sibling.json().error.code).toBe('forbidden');
    expect((await send('GET', url, siblingTown)).statusCode).toBe(403);
    expect((await send('POST', `${url}/pause`, siblingTown, { reason: '越权' })).statusCode).toBe(403);
    expect((await send('GET', `/v1/units/${unit}/party-days`, siblingTown)).statusCode).toBe(403);
    expect((await send('PUT', url, grid, { dayOfMonth: 3, startsAt: '09:00' })).statusCode).toBe(403);
    expect((await send('PUT', url, monitor, { dayOfMonth: 3, startsAt: '09:00' })).statusCode).toBe(403);
    expect((await send('GET', url, monitor)).statusCode).toBe(200);
    // The Haigang community's staff are not the neighbouring community's.
    expect((await send('PUT', url, village, { dayOfMonth: 3, startsAt: '09:00' })).statusCode).toBe(403);
  });

  it('refuses bad input naming the field, and units that hold no party day', async () => {
    const day31 = await send('PUT', url, town, { dayOfMonth: 31, startsAt: '09:00' });
    expect(day31.statusCode).toBe(400);
    expect(day31.json().error.details.map((x: { path: string }) => x.path)).toEqual(['body.dayOfMonth']);
    expect(day31.json().error.message).toMatch(/^body\.dayOfMonth: /);
    const badTime = await send('PUT', url, town, { dayOfMonth: 3, startsAt: '9点' });
    expect(badTime.json().error.details[0].path).toBe('body.startsAt');
    expect((await send('PUT', url, town, { dayOfMonth: 3, startsAt: '09:00', extra: 1 })).statusCode).toBe(400);
    expect((await send('POST', `${url}/pause`, town, {})).json().error.details[0].path).toBe('body.reason');
    const townLevel = await send('PUT', `/v1/units/${UNITS.jingyuan}/party-day-schedule`, town, { dayOfMonth: 3, startsAt: '09:00' });
    expect(townLevel.statusCode).toBe(422);
    expect((await send('PUT', '/v1/units/371002001999/party-day-schedule', town, { dayOfMonth: 3, startsAt: '09:00' })).statusCode).toBe(404);
    expect((await send('GET', '/v1/party-days/371002001001:2026-13', town)).statusCode).toBe(400);
    expect((await send('GET', '/v1/party-days/371002001001:1999-01', town)).statusCode).toBe(404);
  });
});
