import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { UnitRef } from '../../domain/org';
import type { PatrolView } from '../../domain/patrol';
import { COLLECTIONS } from '../../store/collections';
import { patrolQuery } from '../../workflows/patrol/contract';
import { refusal } from '../helpers/drivers/common';
import { patrolRecord, PATROLLER, recordPatrol, startPatrol, type PatrolHandle } from '../helpers/drivers/patrol';
import { boardRowOf } from '../helpers/board';
import { createTimeSkippingHarness, eventually, type TimeSkippingHarness, MIN, D, SLACK, VILLAGE, TOWN, DISTRICT } from '../helpers/time-skipping';

/**
 * The patrol workflow (巡查, one per cycle of a village's plan) on Temporal's time-skipping test server at the
 * default durations (a cycle of 7 days, a rung every 3 days), with the real activities writing a real read model.
 */

interface CaseRow {
  _id: string;
  version: number;
  kind: string;
  status: string;
  overdue: boolean;
  rung: number;
  escalatedTo: UnitRef | null;
}
interface DeadlineRow {
  _id: string;
  deadlineKind: string;
  dueAt: Date;
  outcome: string;
  escalations: number;
}

let harness: TimeSkippingHarness;

beforeAll(async () => {
  harness = await createTimeSkippingHarness('patrol');
});
afterEach(() => harness.terminateLeftovers());
afterAll(() => harness?.close());

async function settled(handle: PatrolHandle): Promise<{ view: PatrolView; row: CaseRow }> {
  return eventually(async () => {
    const view = await handle.query(patrolQuery);
    const row = await harness.mongo.db.collection<CaseRow>(COLLECTIONS.cases).findOne({ _id: view.caseId });
    expect(row?.version).toBe(view.version);
    return { view, row: row! };
  });
}
const deadlinesOf = (caseId: string) => harness.mongo.db.collection<DeadlineRow>(COLLECTIONS.deadlines).find({ caseId }).toArray();
const noticesOf = (caseId: string, kind: string) => harness.mongo.db.collection<{ unitCode: string; at: Date }>(COLLECTIONS.notifications).find({ caseId, kind }).toArray();

describe('patrol workflow (time-skipping, default policy)', () => {
  it('a patrol recorded within its cycle (day 5 of 7): the record deadline on time, whom it visited in the view, the case closed', async () => {
    await harness.withWorker(async () => {
      const t0 = await harness.env.currentTimeMs();
      const { handle, caseId } = await startPatrol(harness, t0);
      const first = await settled(handle);
      expect(first.view).toMatchObject({ caseId, kind: 'patrol', status: 'open', stage: 'due', unit: VILLAGE, focusGroups: ['sudden_event', 'accident', 'major_illness', 'severe_disability'], visited: [] });
      expect(first.view.due).toMatchObject({ kind: 'patrol.record', dueAt: new Date(t0 + 7 * D).toISOString() });
      expect(first.view.cycleEnd).toBe(new Date(t0 + 7 * D).toISOString());

      await harness.sleepUntil(t0 + 5 * D);
      const now = await harness.env.currentTimeMs();
      // A party member records only a patrol they took part in (the validator refuses, nothing enters history).
      const notAmong = await refusal(recordPatrol(handle, caseId, { ...patrolRecord(now), members: ['someone.else'] }));
      expect(notAmong.type).toBe('unprocessable');
      const recorded = await recordPatrol(handle, caseId, patrolRecord(now));
      expect(recorded).toMatchObject({ status: 'closed', stage: 'recorded', due: null, rung: 0, record: { members: [PATROLLER.userId, 'wang.grid@371002001001'] } });
      expect(recorded.visited).toEqual([
        expect.objectContaining({ householdId: 'hh-0123456789ab', focusGroup: 'major_illness', finding: 'concern' }),
        expect.objectContaining({ householdId: null, description: '外来务工人员一户，租住在港区', finding: 'ok' }),
      ]);
      await handle.result();
      const [deadline] = await eventually(async () => {
        const rows = await deadlinesOf(caseId);
        expect(rows[0]?.outcome).toBe('on_time');
        return rows;
      });
      expect(deadline).toMatchObject({ deadlineKind: 'patrol.record', outcome: 'on_time', escalations: 0 });
    });
  });

  it('a missed patrol escalates village → town at the cycle’s end, → district 3 days later; recorded late, its escalations resolve', async () => {
    await harness.withWorker(async () => {
      const t0 = await harness.env.currentTimeMs();
      const { handle, caseId } = await startPatrol(harness, t0);
      await harness.sleepUntil(t0 + 7 * D - MIN);
      expect((await settled(handle)).view.escalations).toEqual([]);

      await harness.sleepUntil(t0 + 7 * D + MIN);
      const town = await settled(handle);
      expect(town.view.escalations).toHaveLength(1);
      expect(town.view.escalations[0]).toMatchObject({ rung: 1, from: VILLAGE, to: TOWN, deadlineKey: 'record#1', resolvedAt: null });
      expect(new Date(town.view.escalations[0]!.at).getTime() - (t0 + 7 * D)).toBeLessThan(SLACK);
      expect(town.row).toMatchObject({ overdue: true, rung: 1, escalatedTo: TOWN });
      expect(await boardRowOf(harness.mongo.db, caseId)).toMatchObject({ kind: 'patrol', rung: 1, escalatedTo: TOWN });
      expect((await eventually(async () => {
        const n = await noticesOf(caseId, 'escalated');
        expect(n).toHaveLength(1);
        return n;
      })).map((n) => n.unitCode)).toEqual([TOWN.code]);

      await harness.sleepUntil(t0 + 10 * D + MIN);
      expect((await settled(handle)).row).toMatchObject({ rung: 2, escalatedTo: DISTRICT });

      await harness.sleepUntil(t0 + 11 * D);
      const late = await recordPatrol(handle, caseId, patrolRecord(await harness.env.currentTimeMs()));
      expect(late).toMatchObject({ status: 'closed', overdue: false, rung: 0, escalatedTo: null });
      expect(late.escalations.map((e) => e.resolution)).toEqual(['met', 'met']);
      await handle.result();
      await eventually(async () => expect(await deadlinesOf(caseId)).toEqual([expect.objectContaining({ deadlineKind: 'patrol.record', outcome: 'late', escalations: 2 })]));
      expect(await boardRowOf(harness.mongo.db, caseId)).toBeNull();
    });
  });

  it('a cycle started again after its patrol was recorded (a re-run, a backfill) opens no second patrol: the run ends at once', async () => {
    await harness.withWorker(async () => {
      const t0 = await harness.env.currentTimeMs();
      const first = await startPatrol(harness, t0);
      await settled(first.handle);
      await recordPatrol(first.handle, first.caseId, patrolRecord(t0));
      await first.handle.result();
      const again = await startPatrol(harness, t0);
      expect(again.handle.workflowId).toBe(first.handle.workflowId);
      expect(await again.handle.result()).toBeNull();
      const row = await harness.mongo.db.collection<CaseRow & { view: PatrolView }>(COLLECTIONS.cases).findOne({ _id: first.caseId });
      expect(row).toMatchObject({ status: 'closed', view: { stage: 'recorded' } });
      expect(await harness.mongo.db.collection(COLLECTIONS.patrolRuns).countDocuments({ _id: first.caseId as never })).toBe(1);
    });
  });

  it('refuses a day outside the cycle and a record of another cycle’s patrol', async () => {
    await harness.withWorker(async () => {
      const t0 = await harness.env.currentTimeMs();
      const { handle, caseId } = await startPatrol(harness, t0);
      await settled(handle);
      const before = await refusal(recordPatrol(handle, caseId, { ...patrolRecord(t0), day: '2020-01-01' }));
      expect(before.type).toBe('unprocessable');
      const future = await refusal(recordPatrol(handle, caseId, { ...patrolRecord(t0), day: '2099-01-01' }));
      expect(future.type).toBe('unprocessable');
      const other = await refusal(recordPatrol(handle, `patrol-${VILLAGE.code}-20200101T000000Z`, patrolRecord(t0)));
      expect(other.type).toBe('conflict');
      expect((await settled(handle)).view.status).toBe('open');
    });
  });
});
