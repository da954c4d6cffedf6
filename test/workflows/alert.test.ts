import { boardRowOf } from '../helpers/board';
import { WorkflowUpdateFailedError, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AlertView } from '../../domain/alert';
import type { UnitRef } from '../../domain/org';
import type { AlertLevel } from '../../domain/policy';
import { COLLECTIONS } from '../../store/collections';
import { acknowledgeUpdate, alertQuery, changeLevelUpdate, closeUpdate, recordVisitUpdate, type AlertInput } from '../../workflows/alert/contract';
import type { alertWorkflow } from '../../workflows';
import { ALERT_STAFF as STAFF, decideRequest, disposeAlert, requestChange, startAlert as startAlertOn, TOWN_SUPERVISOR, visitAlert, visitWith } from '../helpers/drivers/alert';
import { runsOf } from '../helpers/drivers/common';
import { createTimeSkippingHarness, eventually, type TimeSkippingHarness, MIN, H, D, SLACK, VILLAGE, TOWN, DISTRICT, CITY } from '../helpers/time-skipping';

/**
 * The alert workflow on Temporal's time-skipping test server, at the real default durations (red 24 h,
 * orange 72 h, yellow weekly), with the real projection activity writing a real read model.
 */

type Handle = WorkflowHandleWithFirstExecutionRunId<typeof alertWorkflow>;

interface CaseRow {
  _id: string;
  version: number;
  status: string;
  level: string;
  overdue: boolean;
  atRisk: boolean;
  rung: number;
  escalatedTo: UnitRef | null;
  workflowId: string;
  firstRunId: string;
  view: AlertView;
}
interface EventRow {
  _id: string;
  caseId: string;
  version: number;
  type: string;
  at: Date;
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
interface OverdueRow {
  _id: string;
  rung: number;
  escalatedTo: UnitRef | null;
}

let harness: TimeSkippingHarness;
let env: TestWorkflowEnvironment;
let mongo: TimeSkippingHarness['mongo'];

beforeAll(async () => {
  harness = await createTimeSkippingHarness('alert');
  ({ env, mongo } = harness);
});

/** Workflows started by the current test are terminated after it so their timers do not fire in the next. */
afterEach(() => harness.terminateLeftovers());

afterAll(() => harness?.close());

/** Runs `fn` with a worker polling the file's task queue, over the real activities and database. */
const withWorker = (fn: () => Promise<void>) => harness.withWorker(fn);

/** Opens an alert of `level` for a new household (test/helpers/drivers/alert.ts). */
const startAlert = (level: AlertLevel, extra: Partial<AlertInput> = {}) => startAlertOn(harness, level, extra);

/** Skips server time forward to the instant `t`. */
const sleepUntil = (t: number) => harness.sleepUntil(t);

/** Records a stable visit, now. */
const visit = (handle: Handle, caseId: string): Promise<AlertView> => visitAlert(harness, handle, caseId);

/** The workflow's view, once the read model has caught up with it; and the case row. */
async function settled(handle: Handle): Promise<{ view: AlertView; row: CaseRow }> {
  return eventually(async () => {
    const view = await handle.query(alertQuery);
    const row = await mongo.db.collection<CaseRow>(COLLECTIONS.cases).findOne({ _id: view.caseId });
    expect(row?.version).toBe(view.version);
    return { view, row: row! };
  });
}

const eventsOf = async (caseId: string, type: string) =>
  (await mongo.db.collection<EventRow>(COLLECTIONS.events).find({ caseId, type }).toArray()).sort((a, b) => a.at.getTime() - b.at.getTime());
const noticesOf = async (caseId: string, kind: string) =>
  (await mongo.db.collection<NoticeRow>(COLLECTIONS.notifications).find({ caseId, kind }).toArray()).sort((a, b) => a.at.getTime() - b.at.getTime());
const deadlinesOf = async (caseId: string) =>
  (await mongo.db.collection<DeadlineRow>(COLLECTIONS.deadlines).find({ caseId }).toArray()).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
const overdueRow = (caseId: string) => boardRowOf<OverdueRow>(mongo.db, caseId);

/**
 * The history length once the workflow is idle: its last workflow task completed, nothing after it but the
 * events of that task's own commands (the projection's local-activity marker, search attributes).
 */
async function idleHistoryLength(handle: Handle): Promise<number> {
  const E = temporal.api.enums.v1.EventType;
  const COMMAND_EVENTS = new Set([E.EVENT_TYPE_MARKER_RECORDED, E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES]);
  return eventually(async () => {
    const events = (await handle.fetchHistory()).events ?? [];
    const lastTask = events.findLastIndex((e) => e.eventType === E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    expect(lastTask).toBeGreaterThan(0);
    expect(events.slice(lastTask + 1).filter((e) => !COMMAND_EVENTS.has(e.eventType!))).toEqual([]);
    return events.length;
  });
}

/** `actual` (ms or ISO) is at `expected` or just after it. */
function expectAt(actual: number | string | Date | null | undefined, expected: number, slack = SLACK): void {
  expect(actual, 'time is set').not.toBeNull();
  expect(actual, 'time is set').toBeDefined();
  const ms = typeof actual === 'number' ? actual : new Date(actual!).getTime();
  expect(ms).toBeGreaterThanOrEqual(expected);
  expect(ms - expected).toBeLessThan(slack);
}

/** The escalation records as the read model stores them in events. */
async function escalatedEvents(caseId: string) {
  return (await eventsOf(caseId, 'escalated')).map((e) => e.data as { rung: number; from: string; to: string; deadline: string; lateByMs: number });
}

describe('alert workflow (time-skipping, default policy)', () => {
  it('an unhandled red alert escalates to the town at 24 h, the district at 48 h, the city at 72 h, then no more', async () => {
    await withWorker(async () => {
      const { handle, caseId, openedAt: t0 } = await startAlert('red');
      const dueAt = t0 + 24 * H;

      await sleepUntil(t0 + 24 * H - MIN);
      expect((await handle.query(alertQuery)).escalations).toEqual([]);
      expect(await overdueRow(caseId)).toBeNull();

      const expected = [
        { rung: 1, from: VILLAGE, to: TOWN, hours: 24 },
        { rung: 2, from: TOWN, to: DISTRICT, hours: 48 },
        { rung: 3, from: DISTRICT, to: CITY, hours: 72 },
      ];
      for (const step of expected) {
        await sleepUntil(t0 + step.hours * H + MIN);
        const { view, row } = await settled(handle);
        expect(view.escalations).toHaveLength(step.rung);
        const e = view.escalations[step.rung - 1]!;
        expect(e).toMatchObject({ rung: step.rung, from: step.from, to: step.to, deadlineKey: 'red#1', dueAt: new Date(dueAt).toISOString(), resolvedAt: null });
        expectAt(e.at, t0 + step.hours * H);
        expectAt(e.lateByMs, (step.hours - 24) * H);
        expect(view).toMatchObject({ overdue: true, rung: step.rung, escalatedTo: step.to });
        expect(row).toMatchObject({ overdue: true, rung: step.rung, escalatedTo: step.to });
        expect(await overdueRow(caseId)).toMatchObject({ rung: step.rung, escalatedTo: step.to });
      }

      // At the top of the ladder the workflow has nothing left to wait for: a month passes without a trace.
      const historyLength = await idleHistoryLength(handle);
      await sleepUntil(t0 + 30 * D);
      const { view, row } = await settled(handle);
      expect(await idleHistoryLength(handle)).toBe(historyLength);
      expect(view.escalations).toHaveLength(3);
      expect(view.deadlines).toEqual([expect.objectContaining({ key: 'red#1', metAt: null, endedAt: null })]);

      // The read model holds the same records: the case document, the audit events, one notice per rung.
      expect(row.view.escalations).toEqual(view.escalations);
      const events = await escalatedEvents(caseId);
      expect(events.map(({ rung, from, to, deadline }) => ({ rung, from, to, deadline }))).toEqual(
        expected.map((s) => ({ rung: s.rung, from: s.from.code, to: s.to.code, deadline: 'red#1' })),
      );
      events.forEach((e, i) => expectAt(e.lateByMs, i * 24 * H));
      const notices = await noticesOf(caseId, 'escalated');
      expect(notices.map((n) => [n.unitCode, n.unitName])).toEqual([
        [TOWN.code, TOWN.name],
        [DISTRICT.code, DISTRICT.name],
        [CITY.code, CITY.name],
      ]);
      notices.forEach((n, i) => expectAt(n.at, t0 + (24 + 24 * i) * H));
      expect(await deadlinesOf(caseId)).toEqual([expect.objectContaining({ deadlineKind: 'alert.red', outcome: 'pending', escalations: 3, metAt: null })]);
      expect(await overdueRow(caseId)).toMatchObject({ rung: 3, escalatedTo: CITY });
    });
  });

  it('a red alert acknowledged, visited and disposed of at 23 h is on time and never escalates', async () => {
    await withWorker(async () => {
      const { handle, caseId, openedAt: t0 } = await startAlert('red');
      await sleepUntil(t0 + 23 * H);
      const acked = await handle.executeUpdate(acknowledgeUpdate, { args: [{ caseId, actor: STAFF, note: '已受理' }] });
      // 受理 alone does not meet a red deadline.
      expect(acked.deadlines[0]?.metAt).toBeNull();
      expectAt(acked.acknowledgedAt, t0 + 23 * H);
      // Nor 受理 and a visit (issue 12): a disposition (处置) too.
      const visited = await visit(handle, caseId);
      expect(visited.deadlines[0]?.metAt).toBeNull();
      const disposed = await disposeAlert(handle, caseId, { kind: 'referral', to: '区残联' });
      expectAt(disposed.deadlines[0]?.metAt, t0 + 23 * H);
      expect(disposed).toMatchObject({ due: null, overdue: false, rung: 0 });

      await sleepUntil(t0 + 100 * H);
      const { view, row } = await settled(handle);
      expect(view.escalations).toEqual([]);
      expect(view.deadlines).toHaveLength(1);
      expect(row).toMatchObject({ overdue: false, rung: 0, escalatedTo: null });
      expect(await deadlinesOf(caseId)).toEqual([expect.objectContaining({ deadlineKind: 'alert.red', outcome: 'on_time', escalations: 0 })]);
      expect(await eventsOf(caseId, 'escalated')).toEqual([]);
      expect(await eventsOf(caseId, 'overdue')).toEqual([]);
      expect(await noticesOf(caseId, 'escalated')).toEqual([]);
      expect(await overdueRow(caseId)).toBeNull();
      const met = await eventsOf(caseId, 'deadline_met');
      expect(met.map((e) => e.data)).toEqual([expect.objectContaining({ deadline: 'red#1', lateByMs: 0, resolvedEscalations: 0 })]);
    });
  });

  it('an orange visit at 71 h is on time; one at 73 h is late, after one escalation to the town that the visit resolves', async () => {
    await withWorker(async () => {
      const onTime = await startAlert('orange');
      const late = await startAlert('orange');

      await sleepUntil(onTime.openedAt + 71 * H);
      expect((await visit(onTime.handle, onTime.caseId)).escalations).toEqual([]);

      await sleepUntil(late.openedAt + 72 * H + 30 * MIN);
      const before = await settled(late.handle);
      expect(before.view.escalations).toHaveLength(1);
      expect(before.view.escalations[0]).toMatchObject({ rung: 1, from: VILLAGE, to: TOWN, deadlineKey: 'orange#1', dueAt: new Date(late.openedAt + 72 * H).toISOString(), resolvedAt: null });
      expect(await overdueRow(late.caseId)).toMatchObject({ rung: 1, escalatedTo: TOWN });

      await sleepUntil(late.openedAt + 73 * H);
      const after = await visit(late.handle, late.caseId);
      expect(after.escalations).toHaveLength(1);
      expect(after.escalations[0]).toMatchObject({ rung: 1, to: TOWN, resolution: 'met' });
      expectAt(after.escalations[0]?.resolvedAt, late.openedAt + 73 * H);
      expectAt(after.deadlines[0]?.metAt, late.openedAt + 73 * H);
      expect(after).toMatchObject({ overdue: false, rung: 0, escalatedTo: null });

      // Nothing more for either until their revisits (15 days after each visit, issue 12) fall due.
      await sleepUntil(late.openedAt + 17 * D);
      const a = await settled(onTime.handle);
      const b = await settled(late.handle);
      expect(a.view.escalations).toEqual([]);
      expect(b.view.escalations).toHaveLength(1);
      expect(b.row.view.escalations).toEqual(b.view.escalations);

      expect(await deadlinesOf(onTime.caseId)).toEqual([
        expect.objectContaining({ deadlineKind: 'alert.orange', outcome: 'on_time', escalations: 0 }),
        expect.objectContaining({ deadlineKind: 'alert.revisit', outcome: 'pending', escalations: 0 }),
      ]);
      expect(await deadlinesOf(late.caseId)).toEqual([
        expect.objectContaining({ deadlineKind: 'alert.orange', outcome: 'late', escalations: 1 }),
        expect.objectContaining({ deadlineKind: 'alert.revisit', outcome: 'pending', escalations: 0 }),
      ]);
      const met = await eventsOf(late.caseId, 'deadline_met');
      expect(met.map((e) => e.data)).toEqual([expect.objectContaining({ deadline: 'orange#1', resolvedEscalations: 1 })]);
      expectAt(met[0]?.data.lateByMs as number, H);
      expect((await noticesOf(late.caseId, 'escalated')).map((n) => n.unitCode)).toEqual([TOWN.code]);
      expect(await noticesOf(onTime.caseId, 'escalated')).toEqual([]);
      expect(await overdueRow(late.caseId)).toBeNull();
      expect(await overdueRow(onTime.caseId)).toBeNull();
    });
  });

  it('a yellow alert over ten weekly cycles continues as new and keeps its whole history', async () => {
    await withWorker(async () => {
      const { handle, caseId, openedAt: t0 } = await startAlert('yellow', { continueAsNewAfterEvents: 40 });
      // Visits in weeks 1, 2, 4 (late for week 3), 5, 8 (late for weeks 6–7), 9; none in week 10.
      for (const day of [2, 9, 25, 30, 50, 58]) {
        await sleepUntil(t0 + day * D);
        const view = await visit(handle, caseId);
        expect(view.visits).toHaveLength([2, 9, 25, 30, 50, 58].indexOf(day) + 1);
      }
      await sleepUntil(t0 + 70 * D + 12 * H);
      const { view, row } = await settled(handle);

      // It did continue as new, several times, and the case kept its first run's identity.
      const { runId } = await handle.describe();
      expect(runId).not.toBe(handle.firstExecutionRunId);
      const runs = await runsOf(harness, handle);
      expect(runs.at(-1)).toBe(runId);
      expect(runs.length).toBeGreaterThanOrEqual(3);
      expect(row).toMatchObject({ workflowId: handle.workflowId, firstRunId: handle.firstExecutionRunId });
      expect(view.caseId).toBe(caseId);

      // Seven deadlines: a late visit covers the week it falls in.
      const cycles: [string, number, number, number | null][] = [
        ['yellow#1', 0, 7, 2],
        ['yellow#2', 7, 14, 9],
        ['yellow#3', 14, 21, 25],
        ['yellow#4', 28, 35, 30],
        ['yellow#5', 35, 42, 50],
        ['yellow#6', 56, 63, 58],
        ['yellow#7', 63, 70, null],
      ];
      expect(view.deadlines.map((d) => d.key)).toEqual(cycles.map((c) => c[0]));
      cycles.forEach(([key, opens, due, met], i) => {
        const d = view.deadlines[i]!;
        expect(d, key).toMatchObject({ opensAt: new Date(t0 + opens * D).toISOString(), dueAt: new Date(t0 + due * D).toISOString(), endedAt: null });
        if (met === null) expect(d.metAt).toBeNull();
        else expectAt(d.metAt, t0 + met * D);
      });

      // Every escalation from every run is still there: week 3's two, weeks 6–7's three, week 10's one.
      const expected = [
        { deadlineKey: 'yellow#3', rung: 1, from: VILLAGE, to: TOWN, day: 21, due: 21, resolution: 'met', resolvedDay: 25 },
        { deadlineKey: 'yellow#3', rung: 2, from: TOWN, to: DISTRICT, day: 24, due: 21, resolution: 'met', resolvedDay: 25 },
        { deadlineKey: 'yellow#5', rung: 1, from: VILLAGE, to: TOWN, day: 42, due: 42, resolution: 'met', resolvedDay: 50 },
        { deadlineKey: 'yellow#5', rung: 2, from: TOWN, to: DISTRICT, day: 45, due: 42, resolution: 'met', resolvedDay: 50 },
        { deadlineKey: 'yellow#5', rung: 3, from: DISTRICT, to: CITY, day: 48, due: 42, resolution: 'met', resolvedDay: 50 },
        { deadlineKey: 'yellow#7', rung: 1, from: VILLAGE, to: TOWN, day: 70, due: 70, resolution: undefined, resolvedDay: null },
      ];
      expect(view.escalations).toHaveLength(expected.length);
      expected.forEach((x, i) => {
        const e = view.escalations[i]!;
        expect(e).toMatchObject({ deadlineKey: x.deadlineKey, rung: x.rung, from: x.from, to: x.to, dueAt: new Date(t0 + x.due * D).toISOString() });
        expect(e.resolution).toBe(x.resolution);
        expectAt(e.at, t0 + x.day * D);
        expectAt(e.lateByMs, (x.day - x.due) * D);
        if (x.resolvedDay === null) expect(e.resolvedAt).toBeNull();
        else expectAt(e.resolvedAt, t0 + x.resolvedDay * D);
      });
      expect(view).toMatchObject({ overdue: true, rung: 1, escalatedTo: TOWN });

      // The read model has all of it too.
      expect(row.view.escalations).toEqual(view.escalations);
      expect(row.view.deadlines).toEqual(view.deadlines);
      expect((await escalatedEvents(caseId)).map((e) => [e.deadline, e.rung, e.to])).toEqual(expected.map((x) => [x.deadlineKey, x.rung, x.to.code]));
      expect((await noticesOf(caseId, 'escalated')).map((n) => n.unitCode)).toEqual(expected.map((x) => x.to.code));
      expect((await noticesOf(caseId, 'at_risk')).length).toBe(3); // weeks 3, 6 and 10 reached 75 % unvisited
      expect((await eventsOf(caseId, 'deadline_met')).length).toBe(6);
      const deadlines = await deadlinesOf(caseId);
      expect(deadlines.map((d) => [d._id, d.outcome, d.escalations])).toEqual([
        [`${caseId}:yellow#1`, 'on_time', 0],
        [`${caseId}:yellow#2`, 'on_time', 0],
        [`${caseId}:yellow#3`, 'late', 2],
        [`${caseId}:yellow#4`, 'on_time', 0],
        [`${caseId}:yellow#5`, 'late', 3],
        [`${caseId}:yellow#6`, 'on_time', 0],
        [`${caseId}:yellow#7`, 'pending', 1],
      ]);
      expect(await overdueRow(caseId)).toMatchObject({ rung: 1, escalatedTo: TOWN });
    });
  });

  it('a raise from yellow to red mid-cycle starts the red 24 h from the raise', async () => {
    await withWorker(async () => {
      const { handle, caseId, openedAt: t0 } = await startAlert('yellow');
      await sleepUntil(t0 + 3 * D + 5 * H);
      const raised = await handle.executeUpdate(changeLevelUpdate, { args: [{ caseId, actor: STAFF, level: 'red', reason: '病情加重' }] });
      const r = Date.parse(raised.levelHistory.at(-1)!.at);
      expectAt(r, t0 + 3 * D + 5 * H);
      expect(raised.levelHistory.map((h) => [h.from, h.to])).toEqual([
        [null, 'yellow'],
        ['yellow', 'red'],
      ]);
      expect(raised.deadlines).toEqual([
        expect.objectContaining({ key: 'yellow#1', endedAt: new Date(r).toISOString(), metAt: null }),
        expect.objectContaining({ key: 'red#1', opensAt: new Date(r).toISOString(), dueAt: new Date(r + 24 * H).toISOString() }),
      ]);
      await handle.executeUpdate(acknowledgeUpdate, { args: [{ caseId, actor: STAFF }] });

      // Not due 24 h after the alert opened (that was days ago): 24 h after the raise.
      await sleepUntil(r + 24 * H - MIN);
      expect((await handle.query(alertQuery)).escalations).toEqual([]);
      await sleepUntil(r + 24 * H + MIN);
      const { view } = await settled(handle);
      expect(view.escalations).toHaveLength(1);
      expect(view.escalations[0]).toMatchObject({ rung: 1, from: VILLAGE, to: TOWN, deadlineKey: 'red#1', dueAt: new Date(r + 24 * H).toISOString() });
      expectAt(view.escalations[0]?.at, r + 24 * H);

      await sleepUntil(r + 25 * H);
      await visit(handle, caseId);
      const done = await disposeAlert(handle, caseId);
      expect(done.escalations[0]).toMatchObject({ resolution: 'met' });
      // By due time: the red (raise + 24 h) falls before the week the yellow would have had.
      expect(await deadlinesOf(caseId)).toEqual([
        expect.objectContaining({ _id: `${caseId}:red#1`, outcome: 'late', escalations: 1, dueAt: new Date(r + 24 * H) }),
        expect.objectContaining({ _id: `${caseId}:yellow#1`, outcome: 'not_due', escalations: 0, dueAt: new Date(t0 + 7 * D), metAt: null }),
      ]);
      // Raised to red: the town is told at once besides the village (domain/notice-policy.ts, seed 三(三)一).
      expect((await noticesOf(caseId, 'level_raised')).map((n) => n.unitCode)).toEqual([VILLAGE.code, TOWN.code]);
      expect((await eventsOf(caseId, 'level_changed')).map((e) => e.data)).toEqual([{ from: 'yellow', to: 'red', reason: '病情加重' }]);
    });
  });

  it('closing stops every timer: the workflow completes and nothing escalates afterwards', async () => {
    await withWorker(async () => {
      const { handle, caseId, openedAt: t0 } = await startAlert('red');
      await sleepUntil(t0 + 25 * H);
      expect((await settled(handle)).view.escalations).toHaveLength(1);
      expect(await overdueRow(caseId)).not.toBeNull();

      // Before its requirement is met only the town supervisor closes directly (issue 12): its own approval.
      const closed = await handle.executeUpdate(closeUpdate, { args: [{ caseId, actor: TOWN_SUPERVISOR, closure: { reason: 'resolved', note: '已处置' } }] });
      expect(closed).toMatchObject({ status: 'closed', due: null, overdue: false, rung: 0 });
      const result = await handle.result();
      expect(result.status).toBe('closed');
      expect(result.closure).toMatchObject({ reason: 'resolved', note: '已处置' });
      expect(result.escalations).toEqual([expect.objectContaining({ rung: 1, resolution: 'closed' })]);
      expect((await handle.describe()).status.name).toBe('COMPLETED');

      await sleepUntil(t0 + 10 * D);
      const row = await eventually(async () => {
        const r = await mongo.db.collection<CaseRow>(COLLECTIONS.cases).findOne({ _id: caseId });
        expect(r?.status).toBe('closed');
        return r!;
      });
      expect(row).toMatchObject({ overdue: false, rung: 0, escalatedTo: null });
      expect(await overdueRow(caseId)).toBeNull();
      expect(await escalatedEvents(caseId)).toHaveLength(1);
      expect(await noticesOf(caseId, 'escalated')).toHaveLength(1);
      // Closed after the due time: the deadline still counts as late.
      expect(await deadlinesOf(caseId)).toEqual([expect.objectContaining({ outcome: 'late', escalations: 1 })]);

      // A visit to the closed alert finds no running workflow to take it (the test server says
      // "update <id> not found"), and nothing is recorded.
      await expect(visit(handle, caseId)).rejects.toBeInstanceOf(WorkflowNotFoundError);
      expect(await eventsOf(caseId, 'visit_recorded')).toEqual([]);
      expect((await handle.describe()).status.name).toBe('COMPLETED');
    });
  });

  it('warns the village at 75 % of the time (at risk)', async () => {
    await withWorker(async () => {
      const { handle, caseId, openedAt: t0 } = await startAlert('red');
      await sleepUntil(t0 + 18 * H - MIN);
      expect((await settled(handle)).view.atRisk).toBe(false);
      expect(await noticesOf(caseId, 'at_risk')).toEqual([]);

      await sleepUntil(t0 + 18 * H + MIN);
      const { view, row } = await settled(handle);
      expect(view).toMatchObject({ atRisk: true, overdue: false, escalations: [] });
      expect(row.atRisk).toBe(true);
      const notices = await noticesOf(caseId, 'at_risk');
      expect(notices).toEqual([expect.objectContaining({ unitCode: VILLAGE.code, unitName: VILLAGE.name })]);
      expectAt(notices[0]?.at, t0 + 18 * H);
      expect((await eventsOf(caseId, 'at_risk')).map((e) => e.data)).toEqual([{ deadline: 'red#1', dueAt: t0 + 24 * H }]);
    });
  });

  it('refuses a second acknowledgement and a future visit without recording them', async () => {
    await withWorker(async () => {
      const { handle, caseId } = await startAlert('red');
      await handle.executeUpdate(acknowledgeUpdate, { args: [{ caseId, actor: STAFF }] });

      const twice = await handle.executeUpdate(acknowledgeUpdate, { args: [{ caseId, actor: STAFF }] }).catch((err: unknown) => err);
      expect(twice).toBeInstanceOf(WorkflowUpdateFailedError);
      const cause = (twice as WorkflowUpdateFailedError).cause;
      expect(cause).toBeInstanceOf(ApplicationFailure);
      expect((cause as ApplicationFailure).type).toBe('conflict');
      expect((cause as ApplicationFailure).message).toMatch(/already acknowledged/);

      const future = new Date((await env.currentTimeMs()) + 2 * H).toISOString();
      const early = await handle
        .executeUpdate(recordVisitUpdate, { args: [{ caseId, actor: STAFF, visit: { visitors: ['李四'], visitedAt: future, outcome: 'stable', notes: '' } }] })
        .catch((err: unknown) => err);
      expect(early).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(((early as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe('unprocessable');

      const other = await handle.executeUpdate(acknowledgeUpdate, { args: [{ caseId: `${caseId}-older`, actor: STAFF }] }).catch((err: unknown) => err);
      expect(((other as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe('conflict');

      // Rejected in the validator: only the first acknowledgement entered history or the state.
      const history = await handle.fetchHistory();
      expect(history.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length).toBe(1);
      const { view } = await settled(handle);
      expect(view.visits).toEqual([]);
      expect(await eventsOf(caseId, 'acknowledged')).toHaveLength(1);
    });
  });
});

/**
 * Issue 12 on the time-skipping server at the default policy: the approval of an early lowering (24 h, from the
 * town up), the red disposition, orange's revisit every 15 days, the decision 3 days after needs_assistance —
 * each met on time, missed, and escalated up the tree.
 */
describe('alert follow-up (issue 12, time-skipping, default policy)', () => {
  const escalationsOf = (view: AlertView, key: string) => view.escalations.filter((e) => e.deadlineKey === key);
  const outcomes = async (caseId: string) => Object.fromEntries((await deadlinesOf(caseId)).map((d) => [d._id.slice(caseId.length + 1), d.outcome]));

  it('approval: decided on time, the lowering applies and the orange deadline ended early counts as unhandled; refused changes nothing', async () => {
    await withWorker(async () => {
      const { handle, caseId, openedAt: t0 } = await startAlert('orange');
      await sleepUntil(t0 + 2 * H);
      const asked = await requestChange(handle, caseId, { change: 'lower', level: 'yellow', reason: '已就业' });
      expect(asked).toMatchObject({ level: 'orange', pendingRequest: { id: 'request#1', from: 'orange', level: 'yellow' } });
      const approvalDue = Date.parse(asked.pendingRequest!.at) + 24 * H;
      expect(asked.deadlines.find((d) => d.key === 'approval#1')).toMatchObject({ kind: 'alert.approval', track: 'approval', dueAt: new Date(approvalDue).toISOString() });
      expectAt(approvalDue, t0 + 26 * H);

      await sleepUntil(t0 + 10 * H);
      const refused = await decideRequest(handle, caseId, { request: 'request#1', decision: 'refuse', reason: '需先走访' });
      expect(refused).toMatchObject({ level: 'orange', pendingRequest: null, due: { key: 'orange#1' } });
      expectAt(refused.deadlines.find((d) => d.key === 'approval#1')?.metAt, t0 + 10 * H);

      await requestChange(handle, caseId, { change: 'lower', level: 'yellow', reason: '已就业' });
      await sleepUntil(t0 + 20 * H);
      const approved = await decideRequest(handle, caseId, { request: 'request#2', decision: 'approve', reason: '核实无误' });
      expect(approved).toMatchObject({ level: 'yellow', pendingRequest: null, due: { key: 'yellow#1' } });
      expect(approved.deadlines.find((d) => d.key === 'orange#1')).toMatchObject({ endReason: 'unhandled' });
      const { view } = await settled(handle);
      expect(view.escalations).toEqual([]);
      await eventually(async () => expect(await outcomes(caseId)).toMatchObject({ 'approval#1': 'on_time', 'approval#2': 'on_time', 'orange#1': 'unhandled', 'yellow#1': 'pending' }));
      expect((await eventsOf(caseId, 'approval_decided')).map((e) => e.data.decision)).toEqual(['refuse', 'approve']);
      expect((await noticesOf(caseId, 'approval_requested')).map((n) => n.unitCode)).toEqual([TOWN.code, TOWN.code]);
      expect((await noticesOf(caseId, 'approval_decided')).map((n) => n.unitCode)).toEqual([VILLAGE.code, VILLAGE.code]);
    });
  });

  it('approval: missed, it climbs from the town to the district and the city while the level’s own deadline keeps escalating; a late approval resolves it', async () => {
    await withWorker(async () => {
      const { handle, caseId, openedAt: t0 } = await startAlert('orange');
      await sleepUntil(t0 + H);
      await requestChange(handle, caseId, { change: 'close', closure: { reason: 'resolved' }, reason: '已解决' });
      const due = t0 + 25 * H;
      await sleepUntil(due - MIN);
      expect(escalationsOf((await settled(handle)).view, 'approval#1')).toEqual([]);
      // At risk at 75 %: the town is warned (its approval is due).
      expect((await noticesOf(caseId, 'at_risk')).map((n) => n.unitCode)).toEqual([TOWN.code]);

      await sleepUntil(due + MIN);
      let view = (await settled(handle)).view;
      expect(escalationsOf(view, 'approval#1')).toEqual([expect.objectContaining({ rung: 1, from: TOWN, to: DISTRICT })]);
      expect(view).toMatchObject({ overdue: true, due: { key: 'approval#1' } });
      await sleepUntil(due + 24 * H + MIN);
      view = (await settled(handle)).view;
      expect(escalationsOf(view, 'approval#1').map((e) => [e.rung, e.to.code])).toEqual([
        [1, DISTRICT.code],
        [2, CITY.code],
      ]);
      // Beside it, the orange visit (72 h) went on running and escalated from the village.
      await sleepUntil(t0 + 72 * H + MIN);
      view = (await settled(handle)).view;
      expect(escalationsOf(view, 'orange#1')).toEqual([expect.objectContaining({ rung: 1, from: VILLAGE, to: TOWN })]);
      expect(escalationsOf(view, 'approval#1')).toHaveLength(2); // the top of its ladder

      const approved = await decideRequest(handle, caseId, { request: 'request#1', decision: 'approve', reason: '同意销号' });
      expect(approved).toMatchObject({ status: 'closed', closure: { reason: 'resolved' } });
      expect(escalationsOf(approved, 'approval#1').every((e) => e.resolution === 'met')).toBe(true);
      await eventually(async () => expect(await outcomes(caseId)).toEqual({ 'approval#1': 'late', 'orange#1': 'late' }));
      expect((await noticesOf(caseId, 'escalated')).map((n) => n.unitCode)).toEqual([DISTRICT.code, CITY.code, TOWN.code]);
    });
  });

  it('red disposition: met on time with 受理 and a visit; missed, red escalates until the disposition', async () => {
    await withWorker(async () => {
      const onTime = await startAlert('red');
      const late = await startAlert('red');
      await sleepUntil(onTime.openedAt + 5 * H);
      for (const a of [onTime, late]) {
        await a.handle.executeUpdate(acknowledgeUpdate, { args: [{ caseId: a.caseId, actor: STAFF }] });
        await visit(a.handle, a.caseId);
      }
      await sleepUntil(onTime.openedAt + 20 * H);
      const done = await disposeAlert(onTime.handle, onTime.caseId, { kind: 'temporary_assistance', amount: 800.5 });
      expect(done.dispositions).toEqual([expect.objectContaining({ kind: 'temporary_assistance', amount: 800.5 })]);
      expect(done).toMatchObject({ due: null, overdue: false });

      await sleepUntil(late.openedAt + 48 * H + MIN);
      let view = (await settled(late.handle)).view;
      expect(escalationsOf(view, 'red#1').map((e) => [e.rung, e.to.code])).toEqual([
        [1, TOWN.code],
        [2, DISTRICT.code],
      ]);
      view = await disposeAlert(late.handle, late.caseId, { kind: 'application', applicationId: 'application-x' });
      expect(view.escalations.every((e) => e.resolution === 'met')).toBe(true);
      await eventually(async () => expect(await outcomes(onTime.caseId)).toEqual({ 'red#1': 'on_time' }));
      await eventually(async () => expect(await outcomes(late.caseId)).toEqual({ 'red#1': 'late' }));
      expect((await noticesOf(onTime.caseId, 'escalated'))).toEqual([]);
    });
  });

  it('orange revisit: after the 72 h visit a revisit is due every 15 days; met on time, then missed and escalated until the late visit', async () => {
    await withWorker(async () => {
      const { handle, caseId, openedAt: t0 } = await startAlert('orange');
      await sleepUntil(t0 + 70 * H);
      const first = await visit(handle, caseId);
      const v1 = Date.parse(first.visits[0]!.recordedAt);
      expect(first.due).toMatchObject({ key: 'revisit#1', kind: 'alert.revisit', dueAt: new Date(v1 + 15 * D).toISOString() });

      await sleepUntil(v1 + 14 * D);
      const second = await visit(handle, caseId);
      const v2 = Date.parse(second.visits[1]!.recordedAt);
      expect(second.due).toMatchObject({ key: 'revisit#2', dueAt: new Date(v2 + 15 * D).toISOString() });

      await sleepUntil(v2 + 15 * D + 3 * D + MIN);
      const { view } = await settled(handle);
      expect(escalationsOf(view, 'revisit#2').map((e) => [e.rung, e.from.code, e.to.code])).toEqual([
        [1, VILLAGE.code, TOWN.code],
        [2, TOWN.code, DISTRICT.code],
      ]);
      const third = await visit(handle, caseId);
      expect(third.due).toMatchObject({ key: 'revisit#3' });
      expect(escalationsOf(third, 'revisit#2').every((e) => e.resolution === 'met')).toBe(true);
      await eventually(async () => expect(await outcomes(caseId)).toEqual({ 'orange#1': 'on_time', 'revisit#1': 'on_time', 'revisit#2': 'late', 'revisit#3': 'pending' }));
    });
  });

  it('needs_assistance opens a decision due in 3 days: met by a disposition on time; missed, it escalates until one', async () => {
    await withWorker(async () => {
      const { handle, caseId, openedAt: t0 } = await startAlert('yellow');
      // A disposition follows 受理 and the visit (the validator's gate): refused before either, nothing recorded.
      const reasonOf = async (p: Promise<unknown>) => {
        const err = await p.catch((e: unknown) => e);
        expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
        const cause = (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
        expect(cause.type).toBe('conflict');
        return (cause.details?.[0] as { reason?: string } | undefined)?.reason;
      };
      expect(await reasonOf(disposeAlert(handle, caseId))).toBe('not_acknowledged');
      await handle.executeUpdate(acknowledgeUpdate, { args: [{ caseId, actor: STAFF }] });
      expect(await reasonOf(disposeAlert(handle, caseId))).toBe('not_visited');
      expect((await handle.query(alertQuery)).dispositions).toEqual([]);
      await sleepUntil(t0 + D);
      const found = await visitWith(harness, handle, caseId, 'needs_assistance');
      const d1 = Date.parse(found.visits[0]!.recordedAt);
      expect(found.deadlines.find((d) => d.key === 'decision#1')).toMatchObject({ kind: 'alert.decision', track: 'decision', dueAt: new Date(d1 + 3 * D).toISOString(), metAt: null });
      await sleepUntil(t0 + 2 * D);
      const decided = await disposeAlert(handle, caseId, { kind: 'referral', to: '镇卫生院' });
      expectAt(decided.deadlines.find((d) => d.key === 'decision#1')?.metAt, t0 + 2 * D);

      await sleepUntil(t0 + 3 * D);
      const again = await visitWith(harness, handle, caseId, 'needs_assistance');
      const d2 = Date.parse(again.visits[1]!.recordedAt);
      await sleepUntil(d2 + 3 * D + 2 * D + MIN);
      const { view } = await settled(handle);
      expect(escalationsOf(view, 'decision#2').map((e) => [e.rung, e.from.code, e.to.code])).toEqual([
        [1, VILLAGE.code, TOWN.code],
        [2, TOWN.code, DISTRICT.code],
      ]);
      const late = await disposeAlert(handle, caseId);
      expect(escalationsOf(late, 'decision#2').every((e) => e.resolution === 'met')).toBe(true);
      await eventually(async () => expect(await outcomes(caseId)).toMatchObject({ 'decision#1': 'on_time', 'decision#2': 'late' }));
    });
  });
});
