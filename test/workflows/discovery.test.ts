import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { UnitRef } from '../../domain/org';
import type { DiscoveryView } from '../../domain/discovery';
import { COLLECTIONS } from '../../store/collections';
import { discoveryQuery } from '../../workflows/discovery/contract';
import { refusal } from '../helpers/drivers/common';
import { decide, DISCOVERY_REPORTER, startDiscovery, type DiscoveryHandle } from '../helpers/drivers/discovery';
import { boardRowOf } from '../helpers/board';
import { createTimeSkippingHarness, eventually, type TimeSkippingHarness, MIN, H, D, SLACK, VILLAGE, TOWN, DISTRICT, CITY } from '../helpers/time-skipping';

/**
 * The active-discovery workflow (主动发现) on Temporal's time-skipping test server at the default durations
 * (urgent assessed within 24 h, normal within 3 days, a rung every day from the town), with the real
 * activities writing a real read model. This harness's activities have no Temporal client, so an outcome
 * that opens another case fails to open here: the decision must then not be made (the e2e test opens them).
 */

interface CaseRow {
  _id: string;
  version: number;
  status: string;
  unitCode: string;
  orgPath: string[];
  overdue: boolean;
  rung: number;
  escalatedTo: UnitRef | null;
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
  userId?: string;
  kind: string;
  message: string;
  at: Date;
}

let harness: TimeSkippingHarness;
let env: TestWorkflowEnvironment;
let mongo: TimeSkippingHarness['mongo'];

beforeAll(async () => {
  harness = await createTimeSkippingHarness('discovery');
  ({ env, mongo } = harness);
  await harness.startWorker();
});
afterEach(() => harness.terminateLeftovers());
afterAll(() => harness?.close());

const sleepUntil = (t: number) => harness.sleepUntil(t);

async function settled(handle: DiscoveryHandle): Promise<{ view: DiscoveryView; row: CaseRow }> {
  return eventually(async () => {
    const view = await handle.query(discoveryQuery);
    const row = await mongo.db.collection<CaseRow>(COLLECTIONS.cases).findOne({ _id: view.caseId });
    expect(row?.version).toBe(view.version);
    return { view, row: row! };
  });
}
const eventsOf = async (caseId: string, type: string) => (await mongo.db.collection<EventRow>(COLLECTIONS.events).find({ caseId, type }).toArray()).sort((a, b) => a.at.getTime() - b.at.getTime());
const noticesOf = async (caseId: string, kind: string) => (await mongo.db.collection<NoticeRow>(COLLECTIONS.notifications).find({ caseId, kind }).toArray()).sort((a, b) => a.at.getTime() - b.at.getTime());
const deadlinesOf = async (caseId: string) => mongo.db.collection<{ deadlineKind: string; outcome: string; escalations: number; unitCode: string }>(COLLECTIONS.deadlines).find({ caseId }).toArray();

function expectAt(actual: number | string | Date | null | undefined, expected: number, slack = SLACK): void {
  expect(actual, 'time is set').toBeTruthy();
  const ms = typeof actual === 'number' ? actual : new Date(actual!).getTime();
  expect(ms).toBeGreaterThanOrEqual(expected);
  expect(ms - expected).toBeLessThan(slack);
}

describe('discovery workflow (time-skipping, default policy)', () => {
  it('an urgent report reaches the town at once and is assessed in time (referral at 20 h): on time, closed, the reporter told and awarded', async () => {
    const { handle, caseId, reportedAt: t0 } = await startDiscovery(harness, { urgency: 'urgent' });
    const first = await settled(handle);
    expect(first.view).toMatchObject({ status: 'open', stage: 'reported', urgency: 'urgent', unit: TOWN, town: TOWN, village: VILLAGE, reporterUserId: DISCOVERY_REPORTER.userId });
    expect(first.view.dueAt).toBe(new Date(t0 + 24 * H).toISOString());
    expect(first.row).toMatchObject({ unitCode: TOWN.code, orgPath: [CITY.code, DISTRICT.code, TOWN.code, VILLAGE.code] });
    // The town is the addressee of the report, at once (not an escalation).
    const opened = await eventually(async () => {
      const n = await noticesOf(caseId, 'discovery_reported');
      expect(n).toHaveLength(1);
      return n;
    });
    expect(opened[0]).toMatchObject({ unitCode: TOWN.code });
    expect(opened[0]!.message).toContain('紧急');

    await sleepUntil(t0 + 20 * H);
    const decided = await decide(handle, caseId, { outcome: 'referral', referredTo: '区残联', note: '协助办理残疾证' });
    expect(decided).toMatchObject({ status: 'closed', stage: 'decided', due: null, escalations: [], decision: { outcome: 'referral', referredTo: '区残联' } });
    expectAt(decided.decision!.at, t0 + 20 * H);
    await handle.result();

    const [event] = await eventsOf(caseId, 'decided');
    expect(event!.data).toMatchObject({ outcome: 'referral', awards: [{ userId: DISCOVERY_REPORTER.userId, rule: 'discovery_confirmed', key: `${caseId}:confirmed` }] });
    const told = await eventually(async () => {
      const n = await noticesOf(caseId, 'decided');
      expect(n).toHaveLength(1);
      return n[0]!;
    });
    expect(told).toMatchObject({ unitCode: VILLAGE.code, userId: DISCOVERY_REPORTER.userId });
    expect(told.message).toContain('转介');
    // The town's deadline in the figures (not the village's).
    expect(await deadlinesOf(caseId)).toEqual([expect.objectContaining({ deadlineKind: 'discovery.assess', outcome: 'on_time', escalations: 0, unitCode: TOWN.code })]);
    expect(await eventsOf(caseId, 'escalated')).toEqual([]);
  });

  it('a normal report left unassessed is at risk at 54 h, climbs from the town to the district at 3 days and the city at 4, and a late decision resolves it', async () => {
    const { handle, caseId, reportedAt: t0 } = await startDiscovery(harness, { urgency: 'normal' });
    expect((await settled(handle)).view.dueAt).toBe(new Date(t0 + 3 * D).toISOString());

    await sleepUntil(t0 + 3 * D - MIN);
    expect((await settled(handle)).view.escalations).toEqual([]);
    const atRisk = await noticesOf(caseId, 'at_risk');
    expect(atRisk.map((n) => n.unitCode)).toEqual([TOWN.code]);
    expectAt(atRisk[0]!.at, t0 + 54 * H);

    const rungs = [
      { rung: 1, from: TOWN, to: DISTRICT, at: t0 + 3 * D },
      { rung: 2, from: DISTRICT, to: CITY, at: t0 + 4 * D },
    ];
    for (const step of rungs) {
      await sleepUntil(step.at + MIN);
      const { view, row } = await settled(handle);
      expect(view.escalations).toHaveLength(step.rung);
      expect(view.escalations[step.rung - 1]).toMatchObject({ rung: step.rung, from: step.from, to: step.to, deadlineKey: 'assess#1', resolvedAt: null });
      expectAt(view.escalations[step.rung - 1]!.at, step.at);
      expect(row).toMatchObject({ overdue: true, rung: step.rung, escalatedTo: step.to });
      expect(await boardRowOf<{ rung: number; escalatedTo: UnitRef | null }>(mongo.db, caseId)).toMatchObject({ rung: step.rung, escalatedTo: step.to });
    }
    const escalated = await noticesOf(caseId, 'escalated');
    expect(escalated.map((n) => n.unitCode)).toEqual([DISTRICT.code, CITY.code]);

    await sleepUntil(t0 + 5 * D);
    const decided = await decide(handle, caseId, { outcome: 'no_action', reason: '经核实，该户已纳入低保，暂无新增困难' });
    expect(decided).toMatchObject({ status: 'closed', overdue: false, escalatedTo: null });
    expect(decided.escalations.map((e) => e.resolution)).toEqual(['met', 'met']);
    await handle.result();
    const [event] = await eventsOf(caseId, 'decided');
    // No action earns no points.
    expect(event!.data.awards).toBeUndefined();
    expect(await deadlinesOf(caseId)).toEqual([expect.objectContaining({ deadlineKind: 'discovery.assess', outcome: 'late', escalations: 2 })]);
  });

  it('a decision whose case cannot be opened is not made: the failure is recorded and the town decides again', async () => {
    const { handle, caseId } = await startDiscovery(harness, { urgency: 'urgent' });
    // An opening for another household, or under another id, is refused at the gate.
    const other = await refusal(decide(handle, caseId, { outcome: 'alert', level: 'red', opening: { workflowId: 'alert-hh-0123456789ab', start: { householdId: 'hh-ffffffffffff' } } }));
    expect(other.message).toMatch(/^opening: not the alert of household hh-0123456789ab/);
    expect((await refusal(decide(handle, caseId, { outcome: 'alert', level: 'red', opening: { workflowId: 'alert-hh-ffffffffffff', start: { householdId: 'hh-0123456789ab' } } }))).type).toBe('unprocessable');
    // A registered household's discovery names no other household, even with that household's own opening.
    const named = await refusal(decide(handle, caseId, { outcome: 'alert', level: 'red', householdId: 'hh-ffffffffffff', opening: { workflowId: 'alert-hh-ffffffffffff', start: { householdId: 'hh-ffffffffffff' } } }));
    expect(named.message).toMatch(/^householdId: discovery .* is about household hh-0123456789ab, not hh-ffffffffffff/);
    const opening = { workflowId: 'alert-hh-0123456789ab', start: { householdId: 'hh-0123456789ab' }, args: {} };
    const failed = await decide(handle, caseId, { outcome: 'alert', level: 'red', opening });
    expect(failed).toMatchObject({ status: 'open', stage: 'reported', decision: null, openFailures: 1 });
    expect(await eventsOf(caseId, 'outcome_open_failed')).toEqual([expect.objectContaining({ data: expect.objectContaining({ outcome: 'alert' }) })]);
    const decided = await decide(handle, caseId, { outcome: 'no_action', reason: '户主已出院，家属照料' });
    expect(decided).toMatchObject({ status: 'closed', decision: { outcome: 'no_action' } });
  });

  it('refuses a village’s decision, an alert for a household not yet registered, a decision without its opening or category; decided, it completes', async () => {
    const { handle, caseId } = await startDiscovery(harness, { urgency: 'normal', householdId: null });
    const village = { userId: 'village.staff', role: 'village_staff' as const, unitCode: VILLAGE.code };
    expect((await refusal(decide(handle, caseId, { outcome: 'no_action', reason: '无' }, village))).type).toBe('forbidden');
    const unregistered = await refusal(decide(handle, caseId, { outcome: 'alert', level: 'orange', opening: { workflowId: 'x', start: {} } }));
    expect(unregistered.type).toBe('unprocessable');
    expect(unregistered.message).toMatch(/^householdId/);
    expect((await refusal(decide(handle, caseId, { outcome: 'application', labourCapacity: 'labour_capacity', householdId: 'hh-0123456789ab', category: 'temporary_hardship' }))).message).toMatch(/^opening/);
    // A normal report names its category: only an urgent one defaults to 临时救助.
    expect((await refusal(decide(handle, caseId, { outcome: 'application', labourCapacity: 'labour_capacity', householdId: 'hh-0123456789ab', opening: { workflowId: 'x', start: {} } }))).message).toMatch(/^category/);
    // A new household's discovery opens a case only at the report's village.
    const elsewhere = await refusal(decide(handle, caseId, { outcome: 'alert', level: 'orange', householdId: 'hh-0123456789ab', opening: { workflowId: 'alert-hh-0123456789ab', start: { householdId: 'hh-0123456789ab', unit: { code: '371002001002', name: '戚谷疃社区居委会', level: 'village' } } } }));
    expect(elsewhere.message).toMatch(/^householdId: household hh-0123456789ab is not in /);
    await decide(handle, caseId, { outcome: 'referral', referredTo: '镇卫生院' });
    // Decided, the discovery completes: a second decision finds no running case (the API answers 409 from the read model).
    expect((await handle.result()).status).toBe('closed');
    void env;
  });
});
