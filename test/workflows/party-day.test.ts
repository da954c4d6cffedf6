import { boardRowOf } from '../helpers/board';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localMonth, nextLocalMidnight } from '../../domain/china-time';
import { partyDayStartsAt, type PartyDayView } from '../../domain/party-day';
import { COLLECTIONS, type PartyDayDoc } from '../../store/collections';
import { partyDayQuery } from '../../workflows/party-day/contract';
import { answerReportUpdate } from '../../workflows/report/contract';
import { ANSWERED_BY, REPORT_STAFF, startReport } from '../helpers/drivers/report';
import { answerItem, seedAgenda as seedAgendaOn, startPartyDay, type PartyDayHandle as Handle } from '../helpers/drivers/party-day';
import { createTimeSkippingHarness, eventually, type TimeSkippingHarness, MIN, D, SLACK, VILLAGE, TOWN } from '../helpers/time-skipping';

/**
 * The Party-day workflow's own timing on Temporal's time-skipping test server, at the default policy
 * (grace one day): at risk from local midnight, carried over and escalated to the town — one rung only —
 * at the end of the grace, and handed to next month's run. The Schedule that starts it in production is
 * tested on the dev server (test/e2e/party-day.test.ts): the test server does not run Schedules.
 */


let harness: TimeSkippingHarness;
let env: TestWorkflowEnvironment;
let mongo: TimeSkippingHarness['mongo'];

beforeAll(async () => {
  harness = await createTimeSkippingHarness('party-day', { temporalClient: true });
  ({ env, mongo } = harness);
});

/** Workflows started by the current test are terminated after it so their timers do not fire in the next. */
afterEach(async () => {
  await harness.terminateLeftovers();
  await mongo.db.dropDatabase();
});

afterAll(() => harness?.close());

/** Runs `fn` with a worker polling the file's task queue, over the real activities and database. */
const withWorker = (fn: () => Promise<void>) => harness.withWorker(fn);

const sleepUntil = (t: number) => harness.sleepUntil(t);

function expectAt(actual: number | string | Date | null | undefined, expected: number, slack = SLACK): void {
  expect(actual, 'time is set').toBeTruthy();
  const ms = typeof actual === 'number' ? actual : new Date(actual!).getTime();
  expect(ms).toBeGreaterThanOrEqual(expected);
  expect(ms - expected).toBeLessThan(slack);
}

// The Schedule's start, the agenda and the answers (test/helpers/drivers/party-day.ts), on this file's harness.
const seedAgenda = (tag: string) => seedAgendaOn(harness, tag);
const start = (scheduledAt: number | undefined) => startPartyDay(harness, scheduledAt);

/** The workflow's view once the `party_days` record and the case have caught up with it. */
async function settled(handle: Handle): Promise<{ view: PartyDayView; doc: PartyDayDoc }> {
  return eventually(async () => {
    const view = await handle.query(partyDayQuery);
    const doc = await mongo.db.collection<PartyDayDoc>(COLLECTIONS.partyDays).findOne({ _id: view.partyDayId });
    const row = await mongo.db.collection<{ version: number }>(COLLECTIONS.cases).findOne({ _id: view.caseId as never });
    expect(doc?.version).toBe(view.version);
    expect(row?.version).toBe(view.version);
    return { view, doc: doc! };
  });
}

const answer = answerItem;

/** The first day of the month `n` months after `month` (YYYY-MM). */
function monthAfter(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const k = y * 12 + (m - 1) + n;
  return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`;
}

describe('party-day workflow (time-skipping, default policy)', () => {
  it('is at risk from midnight, carries the unanswered over at midnight + 1 day and escalates to the town once; next month takes it over', async () => {
    await withWorker(async () => {
      const { issueId, reportId } = await seedAgenda('m1');
      const t0 = await env.currentTimeMs();
      const dayEnd = nextLocalMidnight(t0);
      const handle = await start(t0);
      const first = await settled(handle);
      expect(first.view).toMatchObject({ month: localMonth(t0), stage: 'agenda_published', status: 'open' });
      expect(first.view.items.map((i) => [i.itemId, i.kind, i.refId])).toEqual([
        ['Q1', 'common_issue', issueId],
        ['Q2', 'report', reportId],
      ]);
      expect(first.view.answersDueAt).toBe(new Date(dayEnd + D).toISOString());
      expect(JSON.stringify(first.doc)).not.toContain('13900000000');

      // The common issue is answered on the day; the report is not.
      const answered = await answer(handle, first.view.partyDayId, 'Q1');
      expect(answered).toMatchObject({ stage: 'held', status: 'open' });
      // An answer naming another month's Q&A is refused by this run, and leaves it as it was.
      const elsewhere = await answer(handle, `${VILLAGE.code}:1999-01`, 'Q2').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(elsewhere).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((elsewhere as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'conflict', message: `this run holds ${first.view.partyDayId}, not ${VILLAGE.code}:1999-01` });
      expect((await handle.query(partyDayQuery)).items.find((i) => i.itemId === 'Q2')?.answer).toBeUndefined();
      expect(await mongo.db.collection(COLLECTIONS.commonIssues).findOne({ _id: issueId as never })).toMatchObject({ status: 'answered', answer: '已现场答复。', partyDayId: first.view.partyDayId });

      await sleepUntil(dayEnd - MIN);
      expect((await settled(handle)).view.atRisk).toBe(false);
      await sleepUntil(dayEnd + MIN);
      const atRisk = await settled(handle);
      expect(atRisk.view).toMatchObject({ atRisk: true, overdue: false, stage: 'held' });
      const warned = await mongo.db.collection(COLLECTIONS.notifications).find({ caseId: first.view.caseId, kind: 'at_risk' }).toArray();
      expect(warned.map((n) => n.unitCode)).toEqual([VILLAGE.code]);

      await sleepUntil(dayEnd + D - MIN);
      expect((await settled(handle)).view.carriedOver).toEqual([]);
      await sleepUntil(dayEnd + D + MIN);
      const carried = await settled(handle);
      expect(carried.view).toMatchObject({ status: 'open', stage: 'closed', overdue: true, rung: 1, escalatedTo: TOWN, carriedOver: ['Q2'] });
      expect(carried.doc).toMatchObject({ status: 'closed', carriedOver: ['Q2'] });
      expectAt(carried.doc.closedAt, dayEnd + D);
      expect(carried.view.escalations).toEqual([expect.objectContaining({ rung: 1, from: VILLAGE, to: TOWN })]);
      expectAt(carried.view.escalations[0]!.at, dayEnd + D);
      expect(await boardRowOf(mongo.db, first.view.caseId)).toMatchObject({ rung: 1, escalatedTo: TOWN });
      const escalated = await mongo.db.collection(COLLECTIONS.notifications).find({ caseId: first.view.caseId, kind: 'escalated' }).toArray();
      expect(escalated.map((n) => n.unitCode)).toEqual([TOWN.code]);

      // It climbs no further, however long the town leaves it.
      await sleepUntil(dayEnd + 20 * D);
      expect((await settled(handle)).view.escalations).toHaveLength(1);

      // Next month's run takes the open item; this month's closes.
      const [y, m] = localMonth(t0).split('-').map(Number) as [number, number];
      const month2 = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
      // The 28th of next month: always after the 20 days above, so next month's run starts on its day.
      const day2 = partyDayStartsAt(month2, 28, '09:00');
      await sleepUntil(day2);
      const next = await start(day2);
      const second = await settled(next);
      expect(second.view.partyDayId).toBe(`${VILLAGE.code}:${month2}`);
      expect(second.view.items.map((i) => [i.itemId, i.kind, i.origin, i.refId, i.carriedFrom])).toEqual([['Q1', 'carried_over', 'report', reportId, first.view.partyDayId]]);
      const handed = await settled(handle);
      expect(handed.view).toMatchObject({ status: 'closed', handedOverTo: second.view.partyDayId, overdue: false });
      expect(handed.doc.handedOverTo).toBe(second.view.partyDayId);
      // (Not handle.result(): waiting on a result lets the test server skip time, and with no timer left
      // anywhere it would skip to month 2's ten-year execution timeout.)
      expect((await handle.describe()).status.name).toBe('COMPLETED');
      expect(await mongo.db.collection(COLLECTIONS.overdue).findOne({ _id: first.view.caseId as never })).toBeNull();

      // Answering the carried report (its workflow is gone: settled already) closes month 2 on time.
      const closed = await answer(next, second.view.partyDayId, 'Q1');
      expect(closed).toMatchObject({ status: 'closed', carriedOver: [], deadlines: [expect.objectContaining({ metAt: expect.any(String) })] });
      const events = await mongo.db.collection(COLLECTIONS.events).find({ caseId: second.view.caseId, type: 'answer_forwarded' }).toArray();
      expect(events[0]!.data).toMatchObject({ itemId: 'Q1', reports: [{ reportId, result: 'already_answered' }] });
    });
  });

  it('without a scheduled time takes its month from its start; an empty agenda closes at once', async () => {
    await withWorker(async () => {
      const t0 = await env.currentTimeMs();
      const handle = await start(undefined);
      const view = await handle.result();
      expect(view).toMatchObject({ month: localMonth(t0), status: 'closed', items: [], deadlines: [] });
      expect(await mongo.db.collection<PartyDayDoc>(COLLECTIONS.partyDays).findOne({ _id: `${VILLAGE.code}:${localMonth(t0)}` })).toMatchObject({ status: 'closed', items: [] });
    });
  });

  it('a report on the agenda answered through its own path ends its item: the overdue Q&A closes, met late, and leaves the town\'s board', async () => {
    await withWorker(async () => {
      // A real report: its workflow is what staff answer through POST /v1/reports/{id}/answer.
      const report = await startReport(harness, 'benefit_problem');
      await eventually(async () => expect(await mongo.db.collection(COLLECTIONS.cases).findOne({ _id: report.caseId as never })).toMatchObject({ status: 'open' }));
      await seedAgendaOn(harness, 'link', { reportId: report.caseId });
      const t0 = await env.currentTimeMs();
      const dayEnd = nextLocalMidnight(t0);
      const handle = await start(t0);
      const first = await settled(handle);
      const item = first.view.items.find((i) => i.refId === report.caseId)!;
      expect(item).toMatchObject({ kind: 'report', origin: 'report' });
      // The common issue is answered on site; the report is not, and is carried over and escalated.
      await answer(handle, first.view.partyDayId, 'Q1');
      await sleepUntil(dayEnd + D + MIN);
      const overdue = await settled(handle);
      expect(overdue.view).toMatchObject({ status: 'open', overdue: true, carriedOver: [item.itemId] });
      expect(await boardRowOf(mongo.db, first.view.caseId)).toMatchObject({ rung: 1, escalatedTo: TOWN });

      // Staff answer the report through its own update (channel staff), not at the Party day.
      await report.handle.executeUpdate(answerReportUpdate, { args: [{ caseId: report.caseId, actor: REPORT_STAFF, answer: '已电话答复。', answeredBy: ANSWERED_BY, channel: 'staff' }] });
      const closed = await eventually(async () => {
        const got = await settled(handle);
        expect(got.view.status).toBe('closed');
        return got;
      });
      expect(closed.view.items.find((i) => i.itemId === item.itemId)).toMatchObject({ ended: { reason: 'report_answered' } });
      expect(closed.view.items.find((i) => i.itemId === item.itemId)?.answer).toBeUndefined();
      expect(closed.view).toMatchObject({ overdue: false, stage: 'closed' });
      expect(closed.view.deadlines).toEqual([expect.objectContaining({ key: 'answers', metAt: expect.any(String) })]);
      expect(closed.view.escalations).toEqual([expect.objectContaining({ rung: 1, resolvedAt: expect.any(String) })]);
      expect(closed.doc.items.find((i) => i.itemId === item.itemId)).toMatchObject({ ended: { reason: 'report_answered' } });
      expect(await mongo.db.collection(COLLECTIONS.overdue).findOne({ _id: first.view.caseId as never })).toBeNull();
      const ended = await mongo.db.collection(COLLECTIONS.events).find({ caseId: first.view.caseId, type: 'item_ended' }).toArray();
      expect(ended.map((e) => e.data)).toEqual([expect.objectContaining({ itemId: item.itemId, refId: report.caseId, reason: 'report_answered' })]);
      // The view says closed as soon as the update is applied; the run settles (and completes) a moment later.
      await eventually(async () => expect((await handle.describe()).status.name).toBe('COMPLETED'));
    });
  });

  it('a skipped month loses nothing: the month after it takes over what the last held month carried over', async () => {
    await withWorker(async () => {
      const { reportId } = await seedAgenda('skip');
      const t0 = await env.currentTimeMs();
      const dayEnd = nextLocalMidnight(t0);
      const handle = await start(t0);
      const first = await settled(handle);
      await answer(handle, first.view.partyDayId, 'Q1');
      await sleepUntil(dayEnd + D + MIN);
      expect((await settled(handle)).view).toMatchObject({ overdue: true, carriedOver: ['Q2'] });

      // Next month has no Q&A (the schedule was paused); the month after holds one.
      const month3 = monthAfter(localMonth(t0), 2);
      const day3 = partyDayStartsAt(month3, 15, '09:00');
      await sleepUntil(day3);
      const third = await start(day3);
      const got = await settled(third);
      expect(got.view.partyDayId).toBe(`${VILLAGE.code}:${month3}`);
      expect(got.view.items.map((i) => [i.kind, i.origin, i.refId, i.carriedFrom])).toEqual([['carried_over', 'report', reportId, first.view.partyDayId]]);
      const handed = await settled(handle);
      expect(handed.view).toMatchObject({ status: 'closed', handedOverTo: got.view.partyDayId, overdue: false });
    });
  });
});
