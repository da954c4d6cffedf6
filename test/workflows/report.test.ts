import { boardRowOf } from '../helpers/board';
import type { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { UnitRef } from '../../domain/org';
import type { ReportCategory, ReportView } from '../../domain/report';
import { COLLECTIONS, type CommonIssueDoc } from '../../store/collections';
import { acknowledgeReportUpdate, answerReportUpdate, markCommonIssueUpdate, reportQuery } from '../../workflows/report/contract';
import { refusal } from '../helpers/drivers/common';
import { ANSWERED_BY, REPORT_STAFF as STAFF, startReport as startReportOn, type ReportHandle as Handle } from '../helpers/drivers/report';
import { createTimeSkippingHarness, eventually, type TimeSkippingHarness, MIN, H, D, SLACK, VILLAGE, TOWN, DISTRICT, CITY } from '../helpers/time-skipping';

/**
 * The public-report workflow on Temporal's time-skipping test server, at the default durations
 * (受理 within 48 h, answer within 10 days of receipt, a rung every 2 days), with the real activities
 * writing a real read model.
 */

const OTHER_VILLAGE: UnitRef = { code: '371002001002', name: '戚谷疃社区居委会', level: 'village' };

interface CaseRow {
  _id: string;
  version: number;
  kind: string;
  status: string;
  stage: string;
  category: string;
  unitCode: string;
  householdId: string | null;
  overdue: boolean;
  rung: number;
  escalatedTo: UnitRef | null;
  view: ReportView;
}
interface EventRow {
  caseId: string;
  type: string;
  at: Date;
  data: Record<string, unknown>;
}
interface NoticeRow {
  caseId: string;
  unitCode: string;
  kind: string;
  message: string;
  at: Date;
}
interface DeadlineRow {
  _id: string;
  deadlineKind: string;
  dueAt: Date;
  outcome: string;
  escalations: number;
}

let harness: TimeSkippingHarness;
let env: TestWorkflowEnvironment;
let mongo: TimeSkippingHarness['mongo'];

beforeAll(async () => {
  harness = await createTimeSkippingHarness('report');
  ({ env, mongo } = harness);
});

/** Workflows started by the current test are terminated after it so their timers do not fire in the next. */
afterEach(() => harness.terminateLeftovers());

afterAll(() => harness?.close());

/** Runs `fn` with a worker polling the file's task queue, over the real activities and database. */
const withWorker = (fn: () => Promise<void>) => harness.withWorker(fn);

/** Receives a report from the QR code of `unit` (test/helpers/drivers/report.ts). */
const startReport = (category: ReportCategory, unit: UnitRef = VILLAGE) => startReportOn(harness, category, unit);

const sleepUntil = (t: number) => harness.sleepUntil(t);

async function settled(handle: Handle): Promise<{ view: ReportView; row: CaseRow }> {
  return eventually(async () => {
    const view = await handle.query(reportQuery);
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
const overdueRow = (caseId: string) => boardRowOf<{ _id: string; rung: number; escalatedTo: UnitRef | null; kind: string }>(mongo.db, caseId);

function expectAt(actual: number | string | Date | null | undefined, expected: number, slack = SLACK): void {
  expect(actual, 'time is set').not.toBeNull();
  expect(actual, 'time is set').toBeDefined();
  const ms = typeof actual === 'number' ? actual : new Date(actual!).getTime();
  expect(ms).toBeGreaterThanOrEqual(expected);
  expect(ms - expected).toBeLessThan(slack);
}

/** The failure an update was refused with (test/helpers/drivers/common.ts). */
const rejection = (work: Promise<unknown>): Promise<ApplicationFailure> => refusal(work);

describe('report workflow (time-skipping, default policy)', () => {
  it('acknowledged at 47 h and answered on day 5: both deadlines on time, nothing escalates, the workflow completes', async () => {
    await withWorker(async () => {
      const { handle, caseId, receivedAt: t0 } = await startReport('assistance_policy');
      const first = await settled(handle);
      expect(first.row).toMatchObject({ kind: 'report', status: 'open', stage: 'received', category: 'assistance_policy', unitCode: VILLAGE.code, householdId: null });
      expect(first.view.dueAt).toBe(new Date(t0 + 48 * H).toISOString());

      await sleepUntil(t0 + 47 * H);
      const acked = await handle.executeUpdate(acknowledgeReportUpdate, { args: [{ caseId, actor: STAFF, note: '已受理' }] });
      expect(acked).toMatchObject({ stage: 'acknowledged', rung: 0, escalations: [], due: { key: 'answer#1', dueAt: new Date(t0 + 10 * D).toISOString() } });
      expectAt(acked.acknowledgedAt, t0 + 47 * H);

      await sleepUntil(t0 + 5 * D);
      const answered = await handle.executeUpdate(answerReportUpdate, { args: [{ caseId, actor: STAFF, answer: '政策已当面解释', answeredBy: ANSWERED_BY, channel: 'staff' }] });
      expect(answered).toMatchObject({ status: 'closed', stage: 'answered', due: null, answer: { text: '政策已当面解释', answeredBy: ANSWERED_BY, channel: 'staff' } });
      const result = await handle.result();
      expect(result.status).toBe('closed');
      expect((await handle.describe()).status.name).toBe('COMPLETED');

      await sleepUntil(t0 + 30 * D);
      const row = await eventually(async () => {
        const r = await mongo.db.collection<CaseRow>(COLLECTIONS.cases).findOne({ _id: caseId });
        expect(r?.status).toBe('closed');
        return r!;
      });
      expect(row).toMatchObject({ stage: 'answered', overdue: false, rung: 0 });
      expect(await deadlinesOf(caseId)).toEqual([
        expect.objectContaining({ deadlineKind: 'report.acknowledge', outcome: 'on_time', escalations: 0 }),
        expect.objectContaining({ deadlineKind: 'report.answer', outcome: 'on_time', escalations: 0 }),
      ]);
      expect(await eventsOf(caseId, 'escalated')).toEqual([]);
      expect(await noticesOf(caseId, 'escalated')).toEqual([]);
      expect(await overdueRow(caseId)).toBeNull();
    });
  });

  it('left unacknowledged, climbs to the town at 48 h, the district at 96 h, the city at 144 h, with an outbox notice at each', async () => {
    await withWorker(async () => {
      const { handle, caseId, receivedAt: t0 } = await startReport('missed_household');
      await sleepUntil(t0 + 48 * H - MIN);
      expect((await settled(handle)).view.escalations).toEqual([]);
      expect(await overdueRow(caseId)).toBeNull();
      expect((await noticesOf(caseId, 'at_risk')).map((n) => n.unitCode)).toEqual([VILLAGE.code]);

      const rungs = [
        { rung: 1, from: VILLAGE, to: TOWN, hours: 48 },
        { rung: 2, from: TOWN, to: DISTRICT, hours: 96 },
        { rung: 3, from: DISTRICT, to: CITY, hours: 144 },
      ];
      for (const step of rungs) {
        await sleepUntil(t0 + step.hours * H + MIN);
        const { view, row } = await settled(handle);
        expect(view.escalations).toHaveLength(step.rung);
        const e = view.escalations[step.rung - 1]!;
        expect(e).toMatchObject({ rung: step.rung, from: step.from, to: step.to, deadlineKey: 'acknowledge#1', resolvedAt: null });
        expectAt(e.at, t0 + step.hours * H);
        expect(row).toMatchObject({ overdue: true, rung: step.rung, escalatedTo: step.to, stage: 'received' });
        expect(await overdueRow(caseId)).toMatchObject({ kind: 'report', rung: step.rung, escalatedTo: step.to });
      }
      await sleepUntil(t0 + 20 * D);
      expect((await settled(handle)).view.escalations).toHaveLength(3);
      const notices = await noticesOf(caseId, 'escalated');
      expect(notices.map((n) => n.unitCode)).toEqual([TOWN.code, DISTRICT.code, CITY.code]);
      notices.forEach((n, i) => expectAt(n.at, t0 + (48 + 48 * i) * H));
      // Notices name the report and its category, never what the reporter wrote.
      for (const n of notices) expect(n.message).not.toContain('低保金');
      expect(await deadlinesOf(caseId)).toEqual([expect.objectContaining({ deadlineKind: 'report.acknowledge', outcome: 'pending', escalations: 3 })]);
    });
  });

  it('acknowledged, then answered late on day 13 (through the Party-day channel): the answer deadline’s escalations are resolved', async () => {
    await withWorker(async () => {
      const { handle, caseId, receivedAt: t0 } = await startReport('benefit_problem');
      await sleepUntil(t0 + 10 * H);
      await handle.executeUpdate(acknowledgeReportUpdate, { args: [{ caseId, actor: STAFF }] });

      await sleepUntil(t0 + 12 * D + MIN);
      const before = await settled(handle);
      expect(before.view.escalations.map((e) => [e.rung, e.to.code, e.deadlineKey])).toEqual([
        [1, TOWN.code, 'answer#1'],
        [2, DISTRICT.code, 'answer#1'],
      ]);
      expectAt(before.view.escalations[0]!.at, t0 + 10 * D);
      expect(await overdueRow(caseId)).toMatchObject({ rung: 2, escalatedTo: DISTRICT });

      await sleepUntil(t0 + 13 * D);
      const answered = await handle.executeUpdate(answerReportUpdate, {
        args: [{ caseId, actor: { userId: 'party-day', role: 'village_staff', unitCode: VILLAGE.code }, answer: '党员活动日现场答复：已补发', answeredBy: ANSWERED_BY, channel: 'party_day' }],
      });
      expect(answered).toMatchObject({ status: 'closed', overdue: false, rung: 0, escalatedTo: null, answer: { channel: 'party_day' } });
      expect(answered.escalations.map((e) => e.resolution)).toEqual(['met', 'met']);
      answered.escalations.forEach((e) => expectAt(e.resolvedAt, t0 + 13 * D));
      await handle.result();

      await eventually(async () => expect(await overdueRow(caseId)).toBeNull());
      expect(await deadlinesOf(caseId)).toEqual([
        expect.objectContaining({ deadlineKind: 'report.acknowledge', outcome: 'on_time', escalations: 0 }),
        expect.objectContaining({ deadlineKind: 'report.answer', outcome: 'late', escalations: 2 }),
      ]);
      const met = await eventsOf(caseId, 'deadline_met');
      expect(met.map((e) => e.data)).toEqual([
        expect.objectContaining({ deadline: 'acknowledge#1', resolvedEscalations: 0 }),
        expect.objectContaining({ deadline: 'answer#1', resolvedEscalations: 2 }),
      ]);
    });
  });

  it('refuses what does not fit: another report’s id, a second 受理, a bad answer, an answer to a closed report', async () => {
    await withWorker(async () => {
      const { handle, caseId } = await startReport('staff_conduct');
      const other = await rejection(handle.executeUpdate(acknowledgeReportUpdate, { args: [{ caseId: 'rp-ffffffffffffffff', actor: STAFF }] }));
      expect(other.type).toBe('conflict');
      expect(other.message).toBe(`this workflow holds report ${caseId}, not rp-ffffffffffffffff`);
      await handle.executeUpdate(acknowledgeReportUpdate, { args: [{ caseId, actor: STAFF }] });
      expect((await rejection(handle.executeUpdate(acknowledgeReportUpdate, { args: [{ caseId, actor: STAFF }] }))).type).toBe('conflict');
      const bad = await rejection(
        handle.executeUpdate(answerReportUpdate, { args: [{ caseId, actor: STAFF, answer: '  ', answeredBy: { name: '王', role: 'mayor' as never }, channel: 'staff' }] }),
      );
      expect(bad.type).toBe('unprocessable');
      await handle.executeUpdate(answerReportUpdate, { args: [{ caseId, actor: STAFF, answer: '已答复', answeredBy: ANSWERED_BY, channel: 'staff' }] });
      await handle.result();
      // The workflow is done: a second answer finds nothing to take it.
      await expect(handle.executeUpdate(answerReportUpdate, { args: [{ caseId, actor: STAFF, answer: '再答复', answeredBy: ANSWERED_BY, channel: 'staff' }] })).rejects.toThrow();
      expect(await eventsOf(caseId, 'answered')).toHaveLength(1);
    });
  });

  it('the third report of a category in a unit within the window proposes one common issue; staff marking confirms it', async () => {
    await withWorker(async () => {
      const reports: Awaited<ReturnType<typeof startReport>>[] = [];
      for (let i = 0; i < 3; i++) {
        reports.push(await startReport('benefit_problem', OTHER_VILLAGE));
        await settled(reports.at(-1)!.handle);
        await sleepUntil((await env.currentTimeMs()) + H);
      }
      const issues = mongo.db.collection<CommonIssueDoc>(COLLECTIONS.commonIssues);
      const issue = await eventually(async () => {
        const docs = await issues.find({ unitCode: OTHER_VILLAGE.code }).toArray();
        expect(docs).toHaveLength(1);
        return docs[0]!;
      });
      expect(issue).toMatchObject({ unitCode: OTHER_VILLAGE.code, category: 'benefit_problem', status: 'proposed', title: expect.stringContaining('待遇发放问题') });
      expect(issue.month).toMatch(/^\d{4}-\d{2}$/);
      expect([...issue.reportIds].sort()).toEqual(reports.map((r) => r.caseId).sort());
      const third = await eventually(async () => {
        const v = await reports[2]!.handle.query(reportQuery);
        expect(v.commonIssue).toMatchObject({ issueId: issue._id, status: 'proposed' });
        return v;
      });
      expect(third.commonIssue?.issueId).toBe(`ci-${OTHER_VILLAGE.code}-benefit_problem-${issue.month}`);
      expect((await noticesOf(third.caseId, 'stage')).map((n) => n.unitCode)).toEqual([OTHER_VILLAGE.code]);
      // The first two did not reach the threshold themselves.
      expect((await reports[0]!.handle.query(reportQuery)).commonIssue).toBeNull();

      // Staff of the reports' own village (a village's staff act on their own village's reports only).
      const otherStaff = { ...STAFF, unitCode: OTHER_VILLAGE.code };
      const marked = await reports[0]!.handle.executeUpdate(markCommonIssueUpdate, { args: [{ caseId: reports[0]!.caseId, actor: otherStaff, title: '低保金发放延迟' }] });
      expect(marked.commonIssue).toMatchObject({ issueId: issue._id, status: 'confirmed', title: '低保金发放延迟' });
      expect(await issues.findOne({ _id: issue._id })).toMatchObject({ status: 'confirmed', title: '低保金发放延迟' });
      expect((await issues.findOne({ _id: issue._id }))!.reportIds).toHaveLength(3);
      expect(await issues.countDocuments({})).toBe(1);
      expect((await rejection(reports[0]!.handle.executeUpdate(markCommonIssueUpdate, { args: [{ caseId: reports[0]!.caseId, actor: otherStaff }] }))).type).toBe('conflict');
      // Staff of another village are refused by the validator: outside their jurisdiction.
      expect((await rejection(reports[1]!.handle.executeUpdate(markCommonIssueUpdate, { args: [{ caseId: reports[1]!.caseId, actor: STAFF }] }))).type).toBe('forbidden');
    });
  });
});
