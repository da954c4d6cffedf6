import { boardRowOf } from '../helpers/board';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import type { UnitRef } from '../../domain/org';
import type { WishView } from '../../domain/wish';
import { COLLECTIONS, type HelperPointsDoc } from '../../store/collections';
import { wishQuery } from '../../workflows/wish/contract';
import { refusal } from '../helpers/drivers/common';
import {
  ORGANISATION,
  PARTY_MEMBER,
  PM_HELPER,
  postWish as postWishOn,
  WISH_TOWN_STAFF as TOWN_STAFF,
  WISH_VILLAGE_STAFF as VILLAGE_STAFF,
  wishStep,
  type WishHandle as Handle,
} from '../helpers/drivers/wish';
import { createTimeSkippingHarness, eventually, type TimeSkippingHarness, MIN, H, D, SLACK, VILLAGE, TOWN, DISTRICT, CITY } from '../helpers/time-skipping';

/**
 * The wish workflow on Temporal's time-skipping test server, at the real default policy (screening within
 * 3 days, claims within 14, fulfilment at most 30 days after the claim, the household's silence 7 days,
 * one rung every 7 days), with the real activities: the projection into a real read model and the
 * helper-points ledger.
 */


interface CaseRow {
  _id: string;
  kind: string;
  version: number;
  status: string;
  stage: string;
  householdId: string | null;
  overdue: boolean;
  rung: number;
  escalatedTo: UnitRef | null;
  view: WishView;
}
interface EventRow {
  _id: string;
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
  caseId: string;
  deadlineKind: string;
  label: string;
  dueAt: Date;
  outcome: string;
  escalations: number;
}

let harness: TimeSkippingHarness;
let mongo: TimeSkippingHarness['mongo'];

beforeAll(async () => {
  harness = await createTimeSkippingHarness('wish');
  ({ mongo } = harness);
});

/** Workflows started by the current test are terminated after it so their timers do not fire in the next. */
afterEach(() => harness.terminateLeftovers());

afterAll(() => harness?.close());

/** Runs `fn` with a worker polling the file's task queue, over the real activities and database. */
const withWorker = (fn: () => Promise<void>) => harness.withWorker(fn);

/** Posts a wheelchair wish (test/helpers/drivers/wish.ts). */
const postWish = () => postWishOn(harness);
const step = wishStep;

/** Skips server time forward to the instant `t`. */
const sleepUntil = (t: number) => harness.sleepUntil(t);

/** The workflow's view once the read model has caught up with it; and the case row. */
async function settled(handle: Handle): Promise<{ view: WishView; row: CaseRow }> {
  return eventually(async () => {
    const view = await handle.query(wishQuery);
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
const overdueRow = (caseId: string) => boardRowOf<{ _id: string; kind: string; householdId: string; rung: number; escalatedTo: UnitRef | null }>(mongo.db, caseId);

function expectAt(actual: number | string | Date | null | undefined, expected: number, slack = SLACK): void {
  expect(actual, 'time is set').not.toBeNull();
  expect(actual, 'time is set').toBeDefined();
  const ms = typeof actual === 'number' ? actual : new Date(actual!).getTime();
  expect(ms).toBeGreaterThanOrEqual(expected);
  expect(ms - expected).toBeLessThan(slack);
}

async function refused(promise: Promise<unknown>, type: string, message?: RegExp): Promise<void> {
  const failure = await refusal(promise);
  expect(failure.type).toBe(type);
  if (message) expect(failure.message).toMatch(message);
}

describe('wish workflow (time-skipping, default policy)', () => {
  it('a wish nobody screens escalates to the town at 3 days, the district a week later; a late screening resolves both', async () => {
    await withWorker(async () => {
      const { handle, caseId, postedAt: t0, householdId } = await postWish();
      const first = await settled(handle);
      expect(first.row).toMatchObject({ kind: 'wish', householdId, stage: 'screening', overdue: false });
      expect(first.view.due).toMatchObject({ key: 'screening#1', dueAt: new Date(t0 + 3 * D).toISOString() });
      expect((await noticesOf(caseId, 'opened')).map((n) => n.unitCode)).toEqual([TOWN.code]);

      await sleepUntil(t0 + 3 * D - MIN);
      expect((await handle.query(wishQuery)).escalations).toEqual([]);
      expect((await noticesOf(caseId, 'at_risk')).map((n) => n.unitCode)).toEqual([VILLAGE.code]);

      await sleepUntil(t0 + 3 * D + MIN);
      const rung1 = await settled(handle);
      expect(rung1.view).toMatchObject({ overdue: true, rung: 1, escalatedTo: TOWN });
      expectAt(rung1.view.escalations[0]?.at, t0 + 3 * D);
      expect(await overdueRow(caseId)).toMatchObject({ kind: 'wish', householdId, rung: 1, escalatedTo: TOWN });

      await sleepUntil(t0 + 10 * D + MIN);
      const rung2 = await settled(handle);
      expect(rung2.view.escalations.map((e) => [e.rung, e.from.code, e.to.code, e.deadlineKey])).toEqual([
        [1, VILLAGE.code, TOWN.code, 'screening#1'],
        [2, TOWN.code, DISTRICT.code, 'screening#1'],
      ]);
      expectAt(rung2.view.escalations[1]?.at, t0 + 10 * D);
      expect(await overdueRow(caseId)).toMatchObject({ rung: 2, escalatedTo: DISTRICT });
      expect((await noticesOf(caseId, 'escalated')).map((n) => n.unitCode)).toEqual([TOWN.code, DISTRICT.code]);

      const screened = await step(handle, caseId, 'screening', TOWN_STAFF, { decision: 'approve', publicTitle: '老人需要一台轮椅' });
      expect(screened).toMatchObject({ stage: 'open', publicTitle: '老人需要一台轮椅', overdue: false, rung: 0, due: { key: 'claim#1' } });
      expect(screened.escalations.every((e) => e.resolution === 'met')).toBe(true);
      await eventually(async () => expect(await overdueRow(caseId)).toBeNull());
      expect(await deadlinesOf(caseId)).toEqual([
        expect.objectContaining({ deadlineKind: 'wish.screening', outcome: 'late', escalations: 2 }),
        expect.objectContaining({ deadlineKind: 'wish.claim', outcome: 'pending', escalations: 0 }),
      ]);
    });
  });

  it('approved but unclaimed for 14 days escalates to the town to mobilise help, then climbs until claimed', async () => {
    await withWorker(async () => {
      const { handle, caseId, postedAt: t0 } = await postWish();
      await sleepUntil(t0 + H);
      await step(handle, caseId, 'screening', TOWN_STAFF, { decision: 'approve' });
      const approvedAt = t0 + H;

      await sleepUntil(approvedAt + 14 * D - MIN);
      expect((await settled(handle)).view).toMatchObject({ stage: 'open', overdue: false, atRisk: true, rung: 0 });

      await sleepUntil(approvedAt + 14 * D + MIN);
      const { view, row } = await settled(handle);
      expect(view).toMatchObject({ stage: 'open', overdue: true, rung: 1, escalatedTo: TOWN, due: { key: 'claim#1' } });
      expect(row).toMatchObject({ overdue: true, rung: 1 });
      expectAt(view.escalations[0]?.at, approvedAt + 14 * D);
      const notices = await noticesOf(caseId, 'escalated');
      expect(notices.map((n) => n.unitCode)).toEqual([TOWN.code]);
      expect(notices[0]?.message).toContain('动员');
      expect(await overdueRow(caseId)).toMatchObject({ kind: 'wish', rung: 1, escalatedTo: TOWN });

      await sleepUntil(approvedAt + 21 * D + MIN);
      expect((await settled(handle)).view).toMatchObject({ rung: 2, escalatedTo: DISTRICT });

      const claimed = await step(handle, caseId, 'claim', PARTY_MEMBER, { helperId: PM_HELPER.helperId }, PM_HELPER);
      expect(claimed).toMatchObject({ stage: 'claimed', overdue: false, rung: 0, claim: { helper: PM_HELPER } });
      await eventually(async () => expect(await overdueRow(caseId)).toBeNull());
    });
  });

  it('claimed but not fulfilled by its date: the claim is released, the wish reopened and escalated to the town', async () => {
    await withWorker(async () => {
      const { handle, caseId, postedAt: t0 } = await postWish();
      await step(handle, caseId, 'screening', TOWN_STAFF, { decision: 'approve' });
      await sleepUntil(t0 + D);
      const fulfilBy = t0 + 11 * D;
      // Nobody may promise beyond fulfilWithin (30 days after the claim).
      await refused(step(handle, caseId, 'claim', VILLAGE_STAFF, { helperId: ORGANISATION.helperId, fulfilBy: new Date(t0 + 32 * D).toISOString() }, ORGANISATION), 'unprocessable', /fulfilBy: at most/);
      const claimed = await step(handle, caseId, 'claim', VILLAGE_STAFF, { helperId: ORGANISATION.helperId, fulfilBy: new Date(fulfilBy).toISOString() }, ORGANISATION);
      expect(claimed).toMatchObject({ stage: 'claimed', due: { key: 'fulfilment#1', dueAt: new Date(fulfilBy).toISOString() } });
      // One need, one helper.
      await refused(step(handle, caseId, 'claim', PARTY_MEMBER, { helperId: PM_HELPER.helperId }, PM_HELPER), 'conflict', /already claimed by 海港志愿服务队/);
      // A party member may not give up someone else's claim.
      await refused(step(handle, caseId, 'release', PARTY_MEMBER, { reason: '不是我的' }), 'forbidden');

      await sleepUntil(fulfilBy - MIN);
      expect((await settled(handle)).view).toMatchObject({ stage: 'claimed', atRisk: true, overdue: false });

      await sleepUntil(fulfilBy + MIN);
      const { view, row } = await settled(handle);
      expect(view).toMatchObject({ stage: 'open', claim: null, overdue: true, rung: 1, escalatedTo: TOWN, due: { key: 'claim#2', dueAt: new Date(fulfilBy).toISOString() } });
      expect(view.claims).toEqual([expect.objectContaining({ helper: ORGANISATION, release: expect.objectContaining({ reason: 'overdue' }) })]);
      expectAt(view.claims[0]?.releasedAt, fulfilBy);
      expect(row).toMatchObject({ stage: 'open', overdue: true, rung: 1 });
      expect(await overdueRow(caseId)).toMatchObject({ kind: 'wish', rung: 1, escalatedTo: TOWN });
      const released = await eventsOf(caseId, 'claim_released');
      expect(released.map((e) => e.data)).toEqual([expect.objectContaining({ helperId: ORGANISATION.helperId, reason: 'overdue' })]);
      expect((await noticesOf(caseId, 'escalated')).map((n) => n.unitCode)).toEqual([TOWN.code]);
      const deadlines = await deadlinesOf(caseId);
      expect(deadlines.find((d) => d.deadlineKind === 'wish.fulfilment')).toMatchObject({ outcome: 'late' });

      // Someone else may claim it now; the reopened deadline is met late and leaves the board.
      const again = await step(handle, caseId, 'claim', PARTY_MEMBER, { helperId: PM_HELPER.helperId }, PM_HELPER);
      expect(again).toMatchObject({ stage: 'claimed', overdue: false, rung: 0, due: { key: 'fulfilment#2' } });
      expect(again.escalations).toEqual([expect.objectContaining({ deadlineKey: 'claim#2', resolution: 'met' })]);
      await eventually(async () => expect(await overdueRow(caseId)).toBeNull());
    });
  });

  it('fulfilled, then the household is silent for 7 days: confirmed by staff automatically, closed, points recorded once', async () => {
    await withWorker(async () => {
      const { handle, caseId, postedAt: t0 } = await postWish();
      await step(handle, caseId, 'screening', TOWN_STAFF, { decision: 'approve', publicTitle: '老人需要一台轮椅' });
      await step(handle, caseId, 'claim', PARTY_MEMBER, { helperId: PM_HELPER.helperId }, PM_HELPER);
      await sleepUntil(t0 + 2 * D);
      const fulfilled = await step(handle, caseId, 'fulfilment', PARTY_MEMBER, { text: '轮椅已送到家中并教会使用', photos: ['https://example.org/wish/1.jpg'] });
      const fulfilledAt = Date.parse(fulfilled.fulfilment!.at);
      expect(fulfilled).toMatchObject({ stage: 'fulfilled', due: null, overdue: false });
      expectAt(fulfilled.autoConfirmAt, fulfilledAt + 7 * D, 1);

      await sleepUntil(fulfilledAt + 7 * D - MIN);
      expect((await settled(handle)).view).toMatchObject({ status: 'open', stage: 'fulfilled' });

      await sleepUntil(fulfilledAt + 7 * D + MIN);
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'closed', stage: 'closed', outcome: 'fulfilled', confirmation: { confirmedBy: 'staff', automatic: true } });
      expectAt(result.confirmation!.at, fulfilledAt + 7 * D);
      expect(result.points).toMatchObject({ helperId: PM_HELPER.helperId, points: 10, alreadyRecorded: false });
      const { row } = await settled(handle);
      expect(row).toMatchObject({ status: 'closed', stage: 'closed' });

      const ledger = mongo.db.collection<HelperPointsDoc>(COLLECTIONS.helperPoints);
      expect(await ledger.find({ helperId: PM_HELPER.helperId }).toArray()).toEqual([
        expect.objectContaining({ _id: caseId, wishId: caseId, points: 10, confirmedBy: 'staff', publicTitle: '老人需要一台轮椅' }),
      ]);
      expect((await eventsOf(caseId, 'confirmed')).map((e) => e.data)).toEqual([expect.objectContaining({ confirmedBy: 'staff', automatic: true })]);
      expect(await eventsOf(caseId, 'points_recorded')).toHaveLength(1);

      // Idempotent by wish id: recording the same fulfilment again adds nothing.
      const again = await createActivities({ db: mongo.db }).recordHelperPoints({
        wishId: caseId,
        helper: PM_HELPER,
        points: 10,
        publicTitle: '老人需要一台轮椅',
        category: 'material',
        unit: VILLAGE,
        orgPath: [CITY.code, DISTRICT.code, TOWN.code, VILLAGE.code],
        fulfilledAt,
        confirmedAt: fulfilledAt + 7 * D,
        confirmedBy: 'staff',
      });
      expect(again).toEqual({ points: 10, alreadyRecorded: true });
      expect(await ledger.countDocuments({ _id: caseId })).toBe(1);
    });
  });
});
