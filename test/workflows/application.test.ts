import { boardRowOf } from '../helpers/board';
import { defaultPayloadConverter, WorkflowNotFoundError } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFileSources } from '../../activities/departments/file-source';
import type { ApplicationStepName, ApplicationView } from '../../domain/application';
import type { HolidayCalendar } from '../../domain/calendar';
import type { Actor } from '../../domain/case';
import type { UnitRef } from '../../domain/org';
import { COLLECTIONS } from '../../store/collections';
import { applicationStepUpdates } from '../../workflows/application/contract';
import { idNumber, SAMPLE_DEPARTMENT_DATA } from '../helpers/context';
import {
  acceptAndVerify as acceptAndVerifyOn,
  act as actOn,
  applicationView,
  approvalInput,
  CAL,
  deliberate as deliberateOn,
  DISTRICT_STAFF,
  DISTRICT_STAFF_2,
  fileApplication,
  GRID_WORKER,
  investigate as investigateOn,
  reaches,
  resultOf as resultOfOn,
  sitOutNotice as sitOutNoticeOn,
  TOWN_STAFF,
  TOWN_STAFF_2,
  toTownReview as toTownReviewOn,
  TOWN_SUPERVISOR,
  VILLAGE_STAFF,
  VILLAGE_STAFF_2,
  type FileOptions,
  type Started,
} from '../helpers/drivers/application';
import { nowIso as nowIsoOn, quiet, refusal, runsOf } from '../helpers/drivers/common';
import { findCase } from '../../store/cases';
import { createTimeSkippingHarness, eventually, TEST_DATA_CONVERTER, type TimeSkippingHarness, MIN, H, D, SLACK, VILLAGE, TOWN, DISTRICT } from '../helpers/time-skipping';

/**
 * The application workflow on Temporal's time-skipping test server, at the real default policy
 * (deadlines in working days on the shipped holiday calendar, a 7-day notice, escalation every 2 days,
 * quarterly to yearly re-review), with the real activities: the projection into a real read model and
 * the economic-verification fan-out over the sample department extracts (5 departments answer, 3 have
 * no feed).
 *
 * The server's clock starts at the real current time and only moves forward, through the file. Expected
 * deadlines are counted in this file from the calendar's lists (`workingDaysLater`), never with the
 * engine's own addWorkingDays.
 */

const ANSWERING = ['banks', 'hrss', 'medical_insurance', 'real_estate', 'vehicles'];
const WITHOUT_FEED = ['civil_affairs', 'housing_fund', 'market_regulation'];

interface CaseRow {
  _id: string;
  kind: string;
  version: number;
  status: string;
  stage: string;
  overdue: boolean;
  rung: number;
  escalatedTo: UnitRef | null;
  dueAt: Date | null;
  household: { headName: string; address: string } | null;
  workflowId: string;
  firstRunId: string;
  view: ApplicationView;
}
interface EventRow {
  _id: string;
  caseId: string;
  version: number;
  type: string;
  at: Date;
  actor: Actor | null;
  data: Record<string, unknown>;
}
interface NoticeRow {
  _id: string;
  caseId: string;
  unitCode: string;
  unitName: string;
  kind: string;
  message: string;
  at: Date;
}
interface DeadlineRow {
  _id: string;
  caseId: string;
  deadlineKind: string;
  dueAt: Date;
  metAt: Date | null;
  outcome: string;
  escalations: number;
}

let harness: TimeSkippingHarness;
let env: TestWorkflowEnvironment;
let mongo: TimeSkippingHarness['mongo'];
/** The server's clock when the file started. */
let clockAtStart: number;

beforeAll(async () => {
  harness = await createTimeSkippingHarness('application', { sources: createFileSources(SAMPLE_DEPARTMENT_DATA) });
  ({ env, mongo } = harness);
  // One worker for the whole file (creating one per test costs about a second each), polling the file's
  // task queue over the real activities, database and sample department extracts.
  await harness.startWorker();
  clockAtStart = await env.currentTimeMs();
});

/** Workflows started by the current test are terminated after it so their timers do not fire in the next. */
afterEach(async () => {
  // Each workflow goes quiet first: an activity still in flight when its workflow is terminated keeps the
  // test server's clock locked, and the next test's sleep would never return.
  await harness.terminateLeftovers({ first: (handle) => quiet(harness, handle.workflowId).catch(() => undefined) });
});

afterAll(() => harness?.close());

// ---------------------------------------------------------------------------------------------------
// Days, counted by hand: Beijing time (UTC+8), weekends off, the calendar's holidays off, its make-up
// days worked.

const OFFSET = 8 * H;
/** The Beijing-time day of an instant, 'YYYY-MM-DD'. */
const beijingDay = (ms: number) => new Date(ms + OFFSET).toISOString().slice(0, 10);
/** An instant at a Beijing-time day and hour. */
const beijing = (day: string, time = '00:00') => Date.parse(`${day}T${time}:00+08:00`);
const dayAfter = (day: string, n = 1) => new Date(Date.parse(`${day}T00:00:00Z`) + n * D).toISOString().slice(0, 10);
const weekday = (day: string) => new Date(`${day}T00:00:00Z`).getUTCDay();
const isWeekend = (day: string) => weekday(day) === 0 || weekday(day) === 6;

function worksOn(day: string, cal: HolidayCalendar): boolean {
  const year = cal.years[day.slice(0, 4)];
  if (year?.holidays.includes(day)) return false;
  if (year?.workdays.includes(day)) return true;
  return !isWeekend(day);
}

/** "Within n working days of `from`": the end (next Beijing midnight) of the n-th working day after from's day. */
function workingDaysLater(from: number, n: number, cal: HolidayCalendar = CAL): number {
  let day = beijingDay(from);
  for (let counted = 0; counted < n; ) {
    day = dayAfter(day);
    if (worksOn(day, cal)) counted += 1;
  }
  return beijing(dayAfter(day));
}

/** The days after from's day up to and including the last day before `due`. */
function daysBetween(from: number, due: number): string[] {
  const days: string[] = [];
  for (let day = dayAfter(beijingDay(from)); beijing(day) < due; day = dayAfter(day)) days.push(day);
  return days;
}

/** The month arithmetic the re-review schedule is defined by: whole months after a day, clamped to the month's end. */
function monthsAfter(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  return `${target.toISOString().slice(0, 8)}${String(Math.min(d, last)).padStart(2, '0')}`;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The first working day after now's whose 15 working days take in both a weekday holiday and a make-up weekend day. */
function acceptanceDayAcrossABreak(now: number, cal: HolidayCalendar): string | undefined {
  let day = beijingDay(now);
  for (let i = 0; i < 400; i++) {
    day = dayAfter(day);
    if (!worksOn(day, cal)) continue;
    const from = beijing(day, '10:00');
    const span = daysBetween(from, workingDaysLater(from, 15, cal));
    if (span.some((d) => !isWeekend(d) && !worksOn(d, cal)) && span.some((d) => isWeekend(d) && worksOn(d, cal))) return day;
  }
  return undefined;
}

/**
 * The shipped calendar and an acceptance day whose town deadline crosses one of its breaks (today, Spring
 * Festival 2027 with its make-up days). Only when the test clock has run past every break the calendar
 * holds does the test add one of its own (a Monday–Friday break, the Saturday after it worked), so that
 * it keeps testing the counting rather than failing for want of a newer calendar.
 */
function calendarWithBreakAhead(now: number): { cal: HolidayCalendar; day: string } {
  const cal = structuredClone(CAL);
  const day = acceptanceDayAcrossABreak(now, cal);
  if (day) return { cal, day };
  let monday = dayAfter(beijingDay(now), 28);
  while (weekday(monday) !== 1) monday = dayAfter(monday);
  const add = (d: string, list: 'holidays' | 'workdays') => (cal.years[d.slice(0, 4)] ??= { holidays: [], workdays: [] })[list].push(d);
  for (let i = 0; i < 5; i++) add(dayAfter(monday, i), 'holidays');
  add(dayAfter(monday, 5), 'workdays');
  return { cal, day: acceptanceDayAcrossABreak(now, cal)! };
}

// ---------------------------------------------------------------------------------------------------

/** Skips server time forward to the instant `t`. */
const sleepUntil = (t: number) => harness.sleepUntil(t);
const nowIso = () => nowIsoOn(harness);

/** `actual` (ms or ISO) is at `expected` or just after it. */
function expectAt(actual: number | string | Date | null | undefined, expected: number, slack = SLACK): void {
  expect(actual, 'time is set').not.toBeNull();
  expect(actual, 'time is set').toBeDefined();
  const ms = typeof actual === 'number' ? actual : new Date(actual!).getTime();
  expect(ms).toBeGreaterThanOrEqual(expected);
  expect(ms - expected).toBeLessThan(slack);
}

// The steps as the API sends them (test/helpers/drivers/application.ts), on this file's harness.
const file = (opts: FileOptions = {}) => fileApplication(harness, opts);
const act = (a: Started, step: ApplicationStepName, actor: Actor, input: unknown) => actOn(harness, a, step, actor, input);
const view = applicationView;
const resultOf = (a: Started) => resultOfOn(harness, a);
const acceptAndVerify = (a: Started, actor?: Actor) => acceptAndVerifyOn(harness, a, actor);
const investigate = (a: Started, actor?: Actor, investigators?: string[]) => investigateOn(harness, a, actor, investigators);
const deliberate = (a: Started, actor?: Actor) => deliberateOn(harness, a, actor);
const sitOutNotice = (a: Started) => sitOutNoticeOn(harness, a);

const toTownReview = (a: Started) => toTownReviewOn(harness, a);

/** A step the workflow refuses (in its validator): the failure's type and message. */
async function refused(p: Promise<unknown>): Promise<{ type: string | undefined; message: string }> {
  const failure = await refusal(p);
  return { type: failure.type ?? undefined, message: failure.message };
}

/** The workflow's view, once the read model has caught up with it; and the case row. */
async function settled(a: Started): Promise<{ view: ApplicationView; row: CaseRow }> {
  return eventually(async () => {
    const v = await view(a);
    const row = await mongo.db.collection<CaseRow>(COLLECTIONS.cases).findOne({ _id: a.caseId });
    expect(row?.version).toBe(v.version);
    return { view: v, row: row! };
  });
}

const eventsOf = async (caseId: string) => (await mongo.db.collection<EventRow>(COLLECTIONS.events).find({ caseId }).toArray()).sort((x, y) => x.version - y.version || x._id.localeCompare(y._id));
const noticesOf = async (caseId: string, kind: string) => (await mongo.db.collection<NoticeRow>(COLLECTIONS.notifications).find({ caseId, kind }).toArray()).sort((x, y) => x._id.localeCompare(y._id));
const deadlinesOf = async (caseId: string) => (await mongo.db.collection<DeadlineRow>(COLLECTIONS.deadlines).find({ caseId }).toArray()).sort((x, y) => x.dueAt.getTime() - y.dueAt.getTime());


describe('application workflow (time-skipping, default policy, shipped holiday calendar)', () => {
  it('happy path: acceptance, fan-out (3 departments missing is not fatal), investigation, deliberation, review, a 7-day notice, approval; read model agrees', async () => {
    const a = await file();
    const submitted = await view(a);
    expect(submitted).toMatchObject({ stage: 'submitted', status: 'open', flagged: false, due: { key: 'acceptance#1', dueAt: iso(workingDaysLater(a.submittedAt, 3)) } });

    const { accepted, verified } = await acceptAndVerify(a);
    const T = Date.parse(accepted.acceptedAt!);
    // The town's opinion is due 15 working days after acceptance (notice not counted).
    const townDue = workingDaysLater(T, 15);
    expect(accepted.due).toMatchObject({ key: 'town_review#1', opensAt: iso(T), dueAt: iso(townDue) });
    expect(accepted.decisions).toEqual([{ act: 'accepted', at: iso(T), by: TOWN_STAFF, what: {}, why: '受理' }]);

    // Five departments answered from their extracts; the three without a feed are recorded missing, with why.
    expect(verified.verification).toMatchObject({ rounds: 1, pending: false });
    expect([...verified.verification.summary.answered].sort()).toEqual(ANSWERING);
    expect([...verified.verification.summary.missing].sort()).toEqual(WITHOUT_FEED);
    for (const answer of verified.verification.answers) {
      if (answer.status === 'missing') expect(answer.reason).toMatch(/no extract/);
      else for (const r of answer.records) expect(r.idNumber).toBe(idNumber(1));
    }
    // Only the head's records: a pension of 210 a month; a deposit and a dwelling.
    expect(verified.verification.summary).toMatchObject({ monthlyIncome: 210, assetValue: 392_000.5 });
    expect(verified.due?.key).toBe('town_review#1');

    const investigated = await investigate(a);
    expect(investigated).toMatchObject({ stage: 'deliberation', investigations: [{ investigators: ['village.li', 'village.wang'], by: VILLAGE_STAFF }] });
    const deliberated = await deliberate(a);
    expect(deliberated).toMatchObject({ stage: 'town_review', meetings: [{ place: '海港社区会议室', members: 9, attendees: 7, votesFor: 6, quorate: true, approved: true }] });

    const reviewed = await act(a, 'review', TOWN_STAFF, { opinion: 'approve', reason: '经审核符合低保条件' });
    const R = Date.parse(reviewed.notices[0]!.startedAt);
    expect(reviewed).toMatchObject({ stage: 'notice', due: null, notices: [{ endsAt: iso(R + 7 * D), endedAt: null, objections: [] }] });
    expect(reviewed.decisions.slice(0, 1)).toEqual(accepted.decisions);
    expect(reviewed.deadlines.find((d) => d.key === 'town_review#1')).toMatchObject({ dueAt: iso(townDue), metAt: iso(R) });

    // The notice runs 7 days; just before its end nothing has moved.
    await sleepUntil(R + 7 * D - MIN);
    expect((await view(a)).stage).toBe('notice');
    const atDistrict = await sitOutNotice(a);
    const noticeEnd = Date.parse(atDistrict.notices[0]!.endedAt!);
    expectAt(noticeEnd, R + 7 * D);
    // The district has 10 working days from the end of the notice.
    expect(atDistrict.due).toMatchObject({ key: 'district_approval#1', opensAt: iso(noticeEnd), dueAt: iso(workingDaysLater(noticeEnd, 10)) });

    await sleepUntil(noticeEnd + 2 * D);
    // A start date that is no real day is refused before it can enter the state.
    const impossible = await refused(act(a, 'approval', DISTRICT_STAFF, approvalInput('2027-02-30')));
    expect(impossible.type).toBe('unprocessable');
    expect(impossible.message).toMatch(/startDate/);
    const approved = await act(a, 'approval', DISTRICT_STAFF, approvalInput('2027-01-01'));
    const A = Date.parse(approved.decisions.at(-1)!.at);
    expect(approved).toMatchObject({
      stage: 'in_benefit',
      status: 'open',
      outcome: 'approved',
      due: null,
      benefit: { category: 'minimum_subsistence', monthlyAmount: 890, startDate: '2027-01-01', nextReReviewAt: iso(beijing('2028-01-01')), reReviews: 0 },
    });
    // Decisions: an append-only list of who decided what, when and why.
    expect(approved.decisions).toEqual([
      { act: 'accepted', at: iso(T), by: TOWN_STAFF, what: {}, why: '受理' },
      { act: 'town_opinion', at: iso(R), by: TOWN_STAFF, what: { opinion: 'approve' }, why: '经审核符合低保条件' },
      { act: 'approved', at: iso(A), by: DISTRICT_STAFF, what: { category: 'minimum_subsistence', monthlyAmount: 890, startDate: '2027-01-01' }, why: '经审批确认，符合最低生活保障条件' },
    ]);
    expect(approved.escalations).toEqual([]);

    // The read model agrees: the case, its audit trail, its deadlines, the decision told to the village.
    const { view: v, row } = await settled(a);
    expect(row).toMatchObject({ kind: 'application', status: 'open', stage: 'in_benefit', overdue: false, rung: 0, dueAt: null, household: { headName: '张一' }, workflowId: a.handle.workflowId, firstRunId: a.handle.firstExecutionRunId });
    // Stored with the department records' ID numbers sealed (store/pii.ts); read through the store, the same view.
    expect(JSON.stringify(row.view)).not.toContain('371002195001010017');
    expect(JSON.stringify(v)).toContain('371002195001010017');
    expect((await findCase(mongo.db, a.caseId))?.view).toEqual(v);
    const events = await eventsOf(a.caseId);
    expect(events.filter((e) => e.type !== 'stage_entered' && e.type !== 'at_risk' && !e.type.startsWith('deadline_')).map((e) => e.type)).toEqual([
      'submitted',
      'accepted',
      'verification_completed',
      'investigated',
      'deliberation_scheduled',
      'deliberated',
      'town_opinion',
      'notice_ended',
      'approved',
    ]);
    expect(events.filter((e) => e.type === 'stage_entered').map((e) => e.data.stage)).toEqual(['verification', 'investigation', 'deliberation', 'town_review', 'notice', 'district_approval', 'in_benefit']);
    // The deadline book's audit trail: each deadline opened, then met on time by the step that answered it.
    expect(events.filter((e) => e.type.startsWith('deadline_')).map((e) => [e.type, e.data.deadline, e.data.lateByMs ?? null])).toEqual([
      ['deadline_opened', 'acceptance#1', null],
      ['deadline_met', 'acceptance#1', 0],
      ['deadline_opened', 'town_review#1', null],
      ['deadline_met', 'town_review#1', 0],
      ['deadline_opened', 'district_approval#1', null],
      ['deadline_met', 'district_approval#1', 0],
    ]);
    const fanOut = events.find((e) => e.type === 'verification_completed')!;
    expect((fanOut.data.answered as string[]).sort()).toEqual(ANSWERING);
    expect((fanOut.data.missing as string[]).sort()).toEqual(WITHOUT_FEED);
    expect(events.find((e) => e.type === 'approved')).toMatchObject({ actor: DISTRICT_STAFF, data: { category: 'minimum_subsistence', monthlyAmount: 890, startDate: '2027-01-01', reason: '经审批确认，符合最低生活保障条件' } });
    expect((await deadlinesOf(a.caseId)).map((d) => [d._id, d.deadlineKind, d.outcome, d.escalations])).toEqual([
      [`${a.caseId}:acceptance#1`, 'application.acceptance', 'on_time', 0],
      [`${a.caseId}:town_review#1`, 'application.town_review', 'on_time', 0],
      [`${a.caseId}:district_approval#1`, 'application.district_approval', 'on_time', 0],
    ]);
    expect((await noticesOf(a.caseId, 'opened')).map((n) => n.unitCode)).toEqual([TOWN.code]);
    const missingNotice = await noticesOf(a.caseId, 'stage');
    expect(missingNotice).toEqual([expect.objectContaining({ unitCode: TOWN.code })]);
    for (const d of WITHOUT_FEED) expect(missingNotice[0]!.message).toContain(d);
    const decided = await noticesOf(a.caseId, 'decided');
    expect(decided).toEqual([expect.objectContaining({ unitCode: VILLAGE.code, unitName: VILLAGE.name, message: expect.stringContaining('已批准') })]);
    expectAt(decided[0]!.at, A, 1);
  });

  it('missing materials: returned with the complete list, incomplete supplements refused, full supplements bring a new acceptance deadline', async () => {
    const a = await file();
    expect((await refused(act(a, 'acceptance', TOWN_STAFF, { decision: 'return', missing: [] }))).type).toBe('unprocessable');

    const missing = ['户口簿复印件', '收入证明', '残疾证'];
    const returned = await act(a, 'acceptance', TOWN_STAFF, { decision: 'return', missing, note: '请一次补齐' });
    const t1 = Date.parse(returned.materials[0]!.returnedAt);
    expect(returned).toMatchObject({ stage: 'returned', materials: [{ missing, suppliedAt: null }], due: { key: 'supplements#1', opensAt: iso(t1), dueAt: iso(workingDaysLater(t1, 10)) } });
    expect(returned.decisions).toEqual([{ act: 'returned_for_materials', at: iso(t1), by: TOWN_STAFF, what: { missing }, why: '请一次补齐' }]);

    await sleepUntil(t1 + 2 * D);
    const partial = await refused(act(a, 'supplements', VILLAGE_STAFF, { supplied: ['户口簿复印件', '残疾证'] }));
    expect(partial.type).toBe('unprocessable');
    expect(partial.message).toContain('收入证明');
    expect((await view(a)).stage).toBe('returned');

    const supplied = await act(a, 'supplements', VILLAGE_STAFF, { supplied: ['残疾证', '收入证明', '户口簿复印件'] });
    const t2 = Date.parse(supplied.materials[0]!.suppliedAt!);
    expectAt(t2, t1 + 2 * D);
    expect(supplied).toMatchObject({ stage: 'submitted', due: { key: 'acceptance#2', opensAt: iso(t2), dueAt: iso(workingDaysLater(t2, 3)) } });
    expect(supplied.deadlines.map((d) => [d.key, d.metAt])).toEqual([
      ['acceptance#1', iso(t1)],
      ['supplements#1', iso(t2)],
      ['acceptance#2', null],
    ]);

    // And on it goes.
    const { verified } = await acceptAndVerify(a);
    expect(verified.decisions.map((d) => d.act)).toEqual(['returned_for_materials', 'accepted']);
    const events = await eventsOf(a.caseId);
    expect(events.filter((e) => e.type === 'materials_supplied').map((e) => e.data)).toEqual([{ supplied: ['残疾证', '收入证明', '户口簿复印件'] }]);
    const outcomes = Object.fromEntries((await deadlinesOf(a.caseId)).map((d) => [d._id.slice(a.caseId.length + 1), d.outcome]));
    expect(outcomes).toEqual({ 'acceptance#1': 'on_time', 'supplements#1': 'on_time', 'acceptance#2': 'on_time', 'town_review#1': 'pending' });
  });
  it('an objection during the notice: a second verification round, a decision due in 20 working days, a second review and notice, then approval', async () => {
    const a = await file();
    await toTownReview(a);
    const first = await act(a, 'review', TOWN_STAFF, { opinion: 'approve', reason: '经审核符合低保条件' });
    const R1 = Date.parse(first.notices[0]!.startedAt);

    await sleepUntil(R1 + 3 * D);
    const text = '该户有一辆小型轿车未申报';
    const objected = await act(a, 'objection', GRID_WORKER, { text, from: '邻居（匿名）' });
    const O = Date.parse(objected.notices[0]!.objections[0]!.at);
    expectAt(O, R1 + 3 * D);
    const objectionDue = workingDaysLater(O, 20);
    expect(objected).toMatchObject({
      stage: 'verification',
      objectionDecisionDueAt: iso(objectionDue),
      due: { key: 'objection#1', opensAt: iso(O), dueAt: iso(objectionDue) },
      notices: [{ endedAt: iso(O), objections: [{ text, from: '邻居（匿名）', by: GRID_WORKER }] }],
    });

    // The departments are asked again; the case goes straight back to the town's review.
    const again = await reaches(a, 'town_review');
    expect(again.verification).toMatchObject({ rounds: 2, pending: false });
    expect([...again.verification.summary.answered].sort()).toEqual(ANSWERING);
    expect(again.due).toMatchObject({ key: 'objection#1', dueAt: iso(objectionDue) });
    // The objection's deadline is statutory: no extension.
    expect((await refused(act(a, 'extension', TOWN_SUPERVISOR, { stage: 'town_review', workingDays: 5, reason: '复核' }))).type).toBe('unprocessable');

    const second = await act(a, 'review', TOWN_STAFF_2, { opinion: 'approve', reason: '复核：车辆已于2025年转让，仍符合条件' });
    expect(second.notices).toHaveLength(2);
    expect(second).toMatchObject({ stage: 'notice', due: { key: 'objection#1' } });
    const atDistrict = await sitOutNotice(a);
    expectAt(atDistrict.notices[1]!.endedAt, Date.parse(second.notices[1]!.endsAt));
    // No district deadline of its own: the decision is due by the objection's deadline.
    expect(atDistrict.due).toMatchObject({ key: 'objection#1', dueAt: iso(objectionDue) });
    expect(atDistrict.deadlines.map((d) => d.key)).toEqual(['acceptance#1', 'town_review#1', 'objection#1']);

    const approved = await act(a, 'approval', DISTRICT_STAFF, approvalInput('2027-02-01'));
    expect(approved).toMatchObject({ stage: 'in_benefit', outcome: 'approved', due: null, objectionDecisionDueAt: null });
    expect(approved.decisions.map((d) => [d.act, d.by.userId])).toEqual([
      ['accepted', TOWN_STAFF.userId],
      ['town_opinion', TOWN_STAFF.userId],
      ['town_opinion', TOWN_STAFF_2.userId],
      ['approved', DISTRICT_STAFF.userId],
    ]);
    expect(approved.deadlines.find((d) => d.key === 'objection#1')?.metAt).toBe(approved.decisions.at(-1)!.at);

    await settled(a);
    const events = await eventsOf(a.caseId);
    expect(events.filter((e) => e.type === 'verification_completed').map((e) => e.data.round)).toEqual([1, 2]);
    expect(events.filter((e) => e.type === 'objection_received').map((e) => e.data)).toEqual([{ decisionDueAt: objectionDue }]);
    expect((await noticesOf(a.caseId, 'stage')).filter((n) => n.message.includes('异议')).map((n) => n.unitCode)).toEqual([TOWN.code]);
    const outcomes = Object.fromEntries((await deadlinesOf(a.caseId)).map((d) => [d._id.slice(a.caseId.length + 1), d.outcome]));
    expect(outcomes).toEqual({ 'acceptance#1': 'on_time', 'town_review#1': 'on_time', 'objection#1': 'on_time' });
  });

  it('a town extension: one, of at most 15 working days, by a town supervisor, before the deadline passes', async () => {
    const a = await file();
    const b = await file();
    const T = Date.parse((await acceptAndVerify(a)).accepted.acceptedAt!);
    const TB = Date.parse((await acceptAndVerify(b)).accepted.acceptedAt!);
    const reason = '需补充入户调查';
    const extend = (x: Started, workingDays: number, actor = TOWN_SUPERVISOR) => act(x, 'extension', actor, { stage: 'town_review', workingDays, reason });

    const byStaff = await refused(extend(a, 10, TOWN_STAFF));
    expect(byStaff.type).toBe('forbidden');
    expect(byStaff.message).toMatch(/town_supervisor/);
    const tooLong = await refused(extend(a, 16));
    expect(tooLong.type).toBe('unprocessable');
    expect(tooLong.message).toMatch(/at most 15/);

    const extended = await extend(a, 15);
    const X = Date.parse(extended.extensions[0]!.at);
    const movedTo = workingDaysLater(T, 30);
    expect(extended.due).toMatchObject({ key: 'town_review#1', opensAt: iso(T), dueAt: iso(movedTo) });
    expect(extended.extensions).toEqual([{ stage: 'town_review', workingDays: 15, reason, at: iso(X), by: TOWN_SUPERVISOR }]);
    expect(extended.decisions.at(-1)).toEqual({ act: 'extended', at: iso(X), by: TOWN_SUPERVISOR, what: { stage: 'town_review', workingDays: 15, dueAt: movedTo }, why: reason });

    const twice = await refused(extend(a, 1));
    expect(twice.type).toBe('conflict');
    expect(twice.message).toMatch(/already extended/);
    expect((await refused(act(a, 'extension', DISTRICT_STAFF, { stage: 'district_approval', workingDays: 5, reason }))).type).toBe('conflict');

    const { row } = await settled(a);
    expect(row.dueAt).toEqual(new Date(movedTo));
    expect((await deadlinesOf(a.caseId)).find((d) => d._id.endsWith(':town_review#1'))?.dueAt).toEqual(new Date(movedTo));

    // b was not extended: once its 15 working days are over, an extension comes too late.
    const dueB = workingDaysLater(TB, 15);
    expect(workingDaysLater(T, 15)).toBe(dueB);
    await sleepUntil(dueB + MIN);
    const overdue = await eventually(async () => {
      const v = await view(b);
      expect(v).toMatchObject({ overdue: true, rung: 1 });
      return v;
    });
    expect(overdue.due?.dueAt).toBe(iso(dueB));
    const late = await refused(extend(b, 5));
    expect(late.type).toBe('unprocessable');
    expect(late.message).toMatch(/already passed/);
    expect((await view(b)).extensions).toEqual([]);
    // a, extended, is neither overdue nor escalated at the time its first deadline would have been.
    expect(await view(a)).toMatchObject({ overdue: false, rung: 0, escalations: [] });
    // Refused steps never entered history: b took one update (its acceptance), a two.
    const accepted = async (x: Started) => ((await x.handle.fetchHistory()).events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
    expect([await accepted(a), await accepted(b)]).toEqual([2, 1]);
  });

  it('rejections: the district\'s, with reason, notice and appeal information, closes the case; a town rejection needs its written notice', async () => {
    const a = await file();
    const b = await file();
    await toTownReview(a);
    await toTownReview(b);

    // The town rejects b; without its written notice the schema refuses the opinion.
    const reason = '家庭人均收入超过当地低保标准';
    const noNotice = await refused(act(b, 'review', TOWN_STAFF, { opinion: 'reject', reason }));
    expect(noNotice.type).toBe('unprocessable');
    expect(noNotice.message).toMatch(/noticeText/);
    expect((await view(b)).stage).toBe('town_review');
    const byTown = await act(b, 'review', TOWN_STAFF, { opinion: 'reject', reason, noticeText: '不予通过审核告知书：……如不服，可申请复议。' });
    expect(byTown).toMatchObject({ status: 'closed', stage: 'closed', outcome: 'rejected', due: null, notices: [] });
    expect(byTown.decisions.slice(1).map((d) => [d.act, d.what])).toEqual([
      ['town_opinion', { opinion: 'reject' }],
      ['rejected', { by: 'town', noticeText: '不予通过审核告知书：……如不服，可申请复议。', appealInformed: true }],
    ]);

    // a goes to the district, which rejects it.
    await act(a, 'review', TOWN_STAFF, { opinion: 'approve', reason: '经审核符合低保条件' });
    await sitOutNotice(a);
    const rejection = { decision: 'reject', reason: '核对发现有未申报的存款', noticeText: '不予批准告知书：……' };
    const noAppeal = await refused(act(a, 'approval', DISTRICT_STAFF, rejection));
    expect(noAppeal.type).toBe('unprocessable');
    expect(noAppeal.message).toMatch(/appeal/);
    const byDistrict = await act(a, 'approval', DISTRICT_STAFF, { ...rejection, appealInformed: true });
    expect(byDistrict).toMatchObject({ status: 'closed', stage: 'closed', outcome: 'rejected', due: null, benefit: null });
    expect(byDistrict.decisions.map((d) => d.act)).toEqual(['accepted', 'town_opinion', 'rejected']);
    expect(byDistrict.decisions.at(-1)).toMatchObject({ by: DISTRICT_STAFF, what: { by: 'district', noticeText: '不予批准告知书：……', appealInformed: true }, why: '核对发现有未申报的存款' });

    // Both workflows complete; the read model has the decisions, told to the village.
    for (const x of [a, b]) {
      expect(await resultOf(x)).toMatchObject({ status: 'closed', outcome: 'rejected' });
      const { row } = await settled(x);
      expect(row).toMatchObject({ status: 'closed', stage: 'closed', dueAt: null });
      expect((await noticesOf(x.caseId, 'decided')).map((n) => [n.unitCode, n.message.includes('未')])).toEqual([[VILLAGE.code, true]]);
    }
    expect((await deadlinesOf(a.caseId)).map((d) => d.outcome)).toEqual(['on_time', 'on_time', 'on_time']);
    // A step sent to a decided application finds no running workflow to take it.
    await expect(a.handle.executeUpdate(applicationStepUpdates.approval, { args: [{ caseId: a.caseId, actor: DISTRICT_STAFF, input: approvalInput('2027-01-01') }] })).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('deliberation: 5 of 9 present is no quorum and the case stays; exactly 6 of 9 is two thirds', async () => {
    const a = await file();
    await acceptAndVerify(a);
    await investigate(a);
    await act(a, 'deliberation', VILLAGE_STAFF, { kind: 'schedule', scheduledAt: await nowIso(), place: '海港社区会议室' });
    const meeting = async (attendees: number, votesFor: number, votesAgainst: number) =>
      act(a, 'deliberation', VILLAGE_STAFF, { kind: 'record', heldAt: await nowIso(), members: 9, attendees, votesFor, votesAgainst });

    const noQuorum = await meeting(5, 5, 0);
    expect(noQuorum).toMatchObject({ stage: 'deliberation', meetings: [{ place: '海港社区会议室', members: 9, attendees: 5, quorate: false, approved: false }] });
    expect(noQuorum.decisions.map((d) => d.act)).toEqual(['accepted']);
    expect((await refused(meeting(10, 5, 0))).type).toBe('unprocessable');

    const t = await env.currentTimeMs();
    await sleepUntil(t + 3 * D);
    await act(a, 'deliberation', VILLAGE_STAFF, { kind: 'schedule', scheduledAt: await nowIso(), place: '海港社区会议室' });
    const quorate = await meeting(6, 4, 2);
    expect(quorate.stage).toBe('town_review');
    expect(quorate.meetings).toHaveLength(2);
    expect(quorate.meetings[1]).toMatchObject({ attendees: 6, votesFor: 4, votesAgainst: 2, quorate: true, approved: true });
    expect((await refused(meeting(9, 9, 0))).type).toBe('conflict');

    await settled(a);
    expect((await eventsOf(a.caseId)).filter((e) => e.type === 'deliberated').map((e) => [e.data.attendees, e.data.quorate, e.data.approved])).toEqual([
      [5, false, false],
      [6, true, true],
    ]);
  });

  it('the town\'s 15 working days skip a holiday break and count its make-up days; left undone, it escalates to the town at its due time and to the district 2 days later', async () => {
    // The counting this test relies on, checked on days counted by hand: National Day 2026 (Mid-Autumn
    // 09-25..27, 10-01..07 off, Saturday 10-10 worked) and Spring Festival 2027 (Sunday 01-31 worked,
    // 02-05..12 off, Saturday 02-20 worked).
    expect(iso(workingDaysLater(beijing('2026-09-21', '10:00'), 15))).toBe(iso(beijing('2026-10-20')));
    expect(iso(workingDaysLater(beijing('2027-01-27', '10:00'), 15))).toBe(iso(beijing('2027-02-24')));

    // The clock has moved only by the earlier tests' sleeps (weeks, not years): the break is the shipped one.
    const now = await env.currentTimeMs();
    expect(now - clockAtStart).toBeLessThan(365 * D);
    const { cal, day } = calendarWithBreakAhead(now);
    await sleepUntil(beijing(day, '10:00'));
    const a = await file({ calendar: cal });
    const { accepted } = await acceptAndVerify(a);
    const T = Date.parse(accepted.acceptedAt!);
    expect(beijingDay(T)).toBe(day);
    const due = workingDaysLater(T, 15, cal);
    const span = daysBetween(T, due);
    expect(span.filter((d) => worksOn(d, cal))).toHaveLength(15);
    expect(span.filter((d) => !isWeekend(d) && !worksOn(d, cal)).length, 'weekday holidays inside').toBeGreaterThan(0);
    expect(span.filter((d) => isWeekend(d) && worksOn(d, cal)).length, 'make-up days inside').toBeGreaterThan(0);
    expect(due).not.toBe(workingDaysLater(T, 15, { region: 'none', years: {} }));
    expect(accepted.due).toMatchObject({ key: 'town_review#1', opensAt: iso(T), dueAt: iso(due) });

    await investigate(a);
    expect((await deliberate(a)).stage).toBe('town_review');

    await sleepUntil(due - MIN);
    const before = await settled(a);
    expect(before.view).toMatchObject({ stage: 'town_review', overdue: false, atRisk: true, rung: 0, escalations: [] });

    await sleepUntil(due + MIN);
    const first = await eventually(async () => {
      const v = await view(a);
      expect(v.escalations).toHaveLength(1);
      return v;
    });
    expect(first.escalations[0]).toMatchObject({ rung: 1, from: VILLAGE, to: TOWN, deadlineKey: 'town_review#1', dueAt: iso(due), resolvedAt: null });
    expectAt(first.escalations[0]!.at, due);
    expect(first).toMatchObject({ overdue: true, rung: 1, escalatedTo: TOWN });

    await sleepUntil(due + 2 * D - MIN);
    expect((await view(a)).escalations).toHaveLength(1);
    await sleepUntil(due + 2 * D + MIN);
    const second = await eventually(async () => {
      const v = await view(a);
      expect(v.escalations).toHaveLength(2);
      return v;
    });
    expect(second.escalations[1]).toMatchObject({ rung: 2, from: TOWN, to: DISTRICT, deadlineKey: 'town_review#1', dueAt: iso(due), resolvedAt: null });
    expectAt(second.escalations[1]!.at, due + 2 * D);
    expectAt(second.escalations[1]!.lateByMs, 2 * D);
    const { row } = await settled(a);
    expect(row).toMatchObject({ overdue: true, rung: 2, escalatedTo: DISTRICT });
    expect(await boardRowOf(mongo.db, a.caseId)).toMatchObject({ rung: 2, escalatedTo: DISTRICT });
    const escalated = await noticesOf(a.caseId, 'escalated');
    expect(escalated.map((n) => n.unitCode)).toEqual([TOWN.code, DISTRICT.code]);
    expectAt(escalated[0]!.at, due);
    expectAt(escalated[1]!.at, due + 2 * D);
    expect((await noticesOf(a.caseId, 'at_risk')).map((n) => n.unitCode)).toEqual([VILLAGE.code]);

    // The late review meets the deadline late and resolves both escalations.
    const reviewed = await act(a, 'review', TOWN_STAFF, { opinion: 'approve', reason: '经审核符合低保条件' });
    expect(reviewed.escalations.map((e) => [e.rung, e.resolution])).toEqual([
      [1, 'met'],
      [2, 'met'],
    ]);
    await settled(a);
    expect((await deadlinesOf(a.caseId)).find((d) => d._id.endsWith(':town_review#1'))).toMatchObject({ outcome: 'late', escalations: 2, dueAt: new Date(due) });
    expect(await mongo.db.collection<{ _id: string }>(COLLECTIONS.overdue).findOne({ _id: a.caseId })).toBeNull();
  });

  it('two years of quarterly re-reviews continue as new and keep every decision; the dates keep to the start date; a stop closes it', async () => {
    const a = await file({ labourCapacity: 'labour_capacity', continueAsNewAfterEvents: 60 });
    await toTownReview(a);
    await act(a, 'review', TOWN_STAFF, { opinion: 'approve', reason: '经审核符合低保条件' });
    const atDistrict = await sitOutNotice(a);

    // Starting on a 31st: the quarterly dates clamp to shorter months and come back to the 31st.
    let startDate = beijingDay(Date.parse(atDistrict.notices[0]!.endedAt!));
    while (!startDate.endsWith('-31')) startDate = dayAfter(startDate);
    const schedule = Array.from({ length: 9 }, (_, k) => monthsAfter(startDate, 3 * (k + 1)));
    expect(schedule.some((d) => !d.endsWith('-31'))).toBe(true);

    const approved = await act(a, 'approval', DISTRICT_STAFF, approvalInput(startDate));
    expect(approved.benefit).toMatchObject({ startDate, nextReReviewAt: iso(beijing(schedule[0]!)), reReviews: 0 });
    const acts = ['accepted', 'town_opinion', 'approved'];

    for (let k = 0; k < 8; k++) {
      const date = beijing(schedule[k]!);
      if (k === 0) {
        await sleepUntil(date - MIN);
        expect((await view(a)).stage).toBe('in_benefit');
      }
      await sleepUntil(date + MIN);
      const due = await reaches(a, 're_review');
      expectAt(due.due!.opensAt, date);
      expect(due.due).toMatchObject({ key: `re_review#${k + 1}`, dueAt: iso(workingDaysLater(date, 20)) });

      const change = k === 3;
      const done = await act(a, 'reReview', TOWN_STAFF, change ? { outcome: 'change', reason: '就业收入减少', monthlyAmount: 950 } : { outcome: 'renew', reason: '家庭情况未变' });
      acts.push(change ? 're_review_change' : 're_review_renew');
      expect(done).toMatchObject({ stage: 'in_benefit', due: null, benefit: { reReviews: k + 1, monthlyAmount: k >= 3 ? 950 : 890, nextReReviewAt: iso(beijing(schedule[k + 1]!)) } });
      expect(done.decisions.map((d) => d.act)).toEqual(acts);
    }

    // It continued as new, more than once; the case kept its identity and everything it decided.
    const { view: v, row } = await settled(a);
    const { runId } = await a.handle.describe();
    expect(runId).not.toBe(a.handle.firstExecutionRunId);
    const runs = await runsOf(harness, a.handle);
    for (const run of runs.slice(0, -1)) {
      const continued = (await env.client.workflow.getHandle(a.handle.workflowId, run).fetchHistory()).events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes;
      // The next run takes the carried state and nothing else: the holiday calendar travels once, in the state.
      // Histories hold encrypted payloads (the codec, worker/codec.ts): decoded first, as the worker does.
      const [decoded] = await TEST_DATA_CONVERTER.payloadCodecs![0]!.decode([continued!.input!.payloads![0]!]);
      const carriedInput = defaultPayloadConverter.fromPayload<Record<string, unknown>>(decoded!);
      expect(Object.keys(carriedInput).sort()).toEqual(['carried', 'continueAsNewAfterEvents']);
      expect(carriedInput.continueAsNewAfterEvents).toBe(60);
      expect(carriedInput.carried).toMatchObject({ applicationId: a.caseId, calendar: expect.any(Object) });
    }
    expect(runs.at(-1)).toBe(runId);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(v.caseId).toBe(a.caseId);
    expect(v.decisions.slice(0, 3)).toEqual(approved.decisions);
    expect(v.decisions.map((d) => d.act)).toEqual(acts);
    expect(v.deadlines.map((d) => [d.key, d.metAt !== null])).toEqual([
      ['acceptance#1', true],
      ['town_review#1', true],
      ['district_approval#1', true],
      ...Array.from({ length: 8 }, (_, k) => [`re_review#${k + 1}`, true]),
    ]);
    expect(row).toMatchObject({ workflowId: a.handle.workflowId, firstRunId: a.handle.firstExecutionRunId });
    expect(row.view.decisions).toEqual(v.decisions);
    expect((await eventsOf(a.caseId)).filter((e) => e.type.startsWith('re_review_')).map((e) => e.type)).toEqual(acts.slice(3));

    // The ninth date: the benefit stops and the workflow ends.
    await sleepUntil(beijing(schedule[8]!) + MIN);
    await reaches(a, 're_review');
    const stopped = await act(a, 'reReview', TOWN_STAFF, { outcome: 'stop', reason: '家庭人均收入超过低保标准' });
    expect(stopped).toMatchObject({ status: 'closed', stage: 'closed', outcome: 'stopped', due: null });
    expect(stopped.decisions.map((d) => d.act)).toEqual([...acts, 're_review_stop']);
    expect(await resultOf(a)).toMatchObject({ status: 'closed', outcome: 'stopped' });
    await eventually(async () => expect((await settled(a)).row.status).toBe('closed'));
    expect((await noticesOf(a.caseId, 'decided')).map((n) => n.unitCode)).toEqual([VILLAGE.code, VILLAGE.code]);
  });

  it('close relatives: a declared relative may not investigate, review or approve, nor be named an investigator', async () => {
    const a = await file({ conflictedUsers: [VILLAGE_STAFF_2.userId, TOWN_STAFF.userId, DISTRICT_STAFF.userId] });
    expect((await view(a)).flagged).toBe(true);
    await acceptAndVerify(a, TOWN_STAFF_2);

    const byRelative = await refused(investigate(a, VILLAGE_STAFF_2, ['village.li', 'village.zhang']));
    expect(byRelative.type).toBe('forbidden');
    expect(byRelative.message).toMatch(/close relative/);
    const naming = await refused(investigate(a, VILLAGE_STAFF, ['village.li', 'village.wang']));
    expect(naming.type).toBe('forbidden');
    expect(naming.message).toMatch(/village\.wang/);
    await investigate(a, VILLAGE_STAFF, ['village.li', 'village.zhang']);
    await deliberate(a);

    expect((await refused(act(a, 'review', TOWN_STAFF, { opinion: 'approve', reason: '符合条件' }))).type).toBe('forbidden');
    await act(a, 'review', TOWN_STAFF_2, { opinion: 'approve', reason: '经全面调查，符合条件' });
    const noticed = await sitOutNotice(a);
    // The benefit starts on the day the notice ended (the server's clock has moved on with the tests before).
    const startDate = beijingDay(Date.parse(noticed.notices[0]!.endedAt!));
    expect((await refused(act(a, 'approval', DISTRICT_STAFF, approvalInput(startDate)))).type).toBe('forbidden');
    const approved = await act(a, 'approval', DISTRICT_STAFF_2, approvalInput(startDate));
    expect(approved.stage).toBe('in_benefit');
    expect(approved.investigations.map((i) => i.investigators)).toEqual([['village.li', 'village.zhang']]);
    expect(approved.decisions.map((d) => [d.act, d.by.userId])).toEqual([
      ['accepted', TOWN_STAFF_2.userId],
      ['town_opinion', TOWN_STAFF_2.userId],
      ['approved', DISTRICT_STAFF_2.userId],
    ]);

    // The refusals left no trace: six updates entered history (acceptance, investigation, two deliberation steps, review, approval).
    expect(((await a.handle.fetchHistory()).events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length).toBe(6);
    await settled(a);
    expect((await noticesOf(a.caseId, 'opened'))[0]?.message).toContain('近亲属');
    expect((await eventsOf(a.caseId)).find((e) => e.type === 'submitted')?.data).toMatchObject({ flagged: true });
  });
  it('dates the validator refuses (issue 11 item 5): an investigation in 1900 or 2999, a meeting held before the application; nothing enters history', async () => {
    const a = await file();
    await acceptAndVerify(a);
    const before = (await view(a)).version;
    for (const visitedAt of ['1900-01-01T10:00:00+08:00', '2999-01-01T10:00:00+08:00']) {
      const r = await refused(act(a, 'investigation', VILLAGE_STAFF, { investigators: ['李明', '王芳'], visitedAt, findings: '家中无劳动力' }));
      expect(r, visitedAt).toMatchObject({ type: 'unprocessable', message: expect.stringMatching(/^visitedAt: /) });
    }
    expect((await view(a)).version).toBe(before);
    await investigate(a);
    const heldBefore = await refused(act(a, 'deliberation', VILLAGE_STAFF, { kind: 'record', heldAt: iso(a.submittedAt - 2 * D), members: 9, attendees: 7, votesFor: 6, votesAgainst: 1 }));
    expect(heldBefore).toMatchObject({ type: 'unprocessable', message: expect.stringMatching(/^heldAt: .* before the day the application was submitted/) });
  });
});
