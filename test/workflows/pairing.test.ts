import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localDay } from '../../domain/china-time';
import type { UnitRef } from '../../domain/org';
import type { PairingView } from '../../domain/pairing';
import { COLLECTIONS } from '../../store/collections';
import { alertQuery } from '../../workflows/alert/contract';
import { pairingQuery } from '../../workflows/pairing/contract';
import { refusal } from '../helpers/drivers/common';
import { startAlert } from '../helpers/drivers/alert';
import { MEMBER, MEMBER_ACTOR, OTHER_MEMBER, PAIRING_VILLAGE_STAFF as STAFF, openPairing, pairingStep, type PairingHandle } from '../helpers/drivers/pairing';
import { createTimeSkippingHarness, D, DISTRICT, eventually, MIN, TOWN, VILLAGE, type TimeSkippingHarness } from '../helpers/time-skipping';

/**
 * The pairing workflow (党员帮包) on Temporal's time-skipping test server at the real default policy (assign
 * within 7 days, a contact every 30 days, one rung every 3 days from the village), with the real activities:
 * the projection into a real read model and the visit forwarded to the household's open alert.
 */

interface EventRow {
  caseId: string;
  type: string;
  at: Date;
  data: Record<string, unknown>;
}
interface DeadlineRow {
  caseId: string;
  deadlineKind: string;
  dueAt: Date;
  metAt: Date | null;
  outcome: string;
}

let harness: TimeSkippingHarness;
let mongo: TimeSkippingHarness['mongo'];

beforeAll(async () => {
  harness = await createTimeSkippingHarness('pairing', { temporalClient: true });
  ({ mongo } = harness);
  await harness.startWorker();
});
afterEach(() => harness.terminateLeftovers());
afterAll(() => harness?.close());

const sleepUntil = (t: number) => harness.sleepUntil(t);
const now = () => harness.env.currentTimeMs();

/** The workflow's view once the read model has caught up with it. */
async function settled(handle: PairingHandle): Promise<PairingView> {
  return eventually(async () => {
    const view = await handle.query(pairingQuery);
    const row = await mongo.db.collection<{ _id: string; version: number }>(COLLECTIONS.cases).findOne({ _id: view.caseId });
    expect(row?.version).toBe(view.version);
    return view;
  });
}
const eventsOf = async (caseId: string, type: string) => (await mongo.db.collection<EventRow>(COLLECTIONS.events).find({ caseId, type }).toArray()).sort((a, b) => a.at.getTime() - b.at.getTime());
const deadlinesOf = async (caseId: string, kind: string) =>
  (await mongo.db.collection<DeadlineRow>(COLLECTIONS.deadlines).find({ caseId, deadlineKind: kind }).toArray()).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
const climbs = (v: PairingView) => v.escalations.map((e) => [e.rung, e.from.code, e.to.code, e.deadlineKey]);

async function refused(promise: Promise<unknown>, type: string, message?: RegExp): Promise<void> {
  const failure = await refusal(promise);
  expect(failure.type).toBe(type);
  if (message) expect(failure.message).toMatch(message);
}

const visit = async (note = '入户走访，家中情况稳定') => ({ channel: 'visit', day: localDay(await now()), note, outcome: 'stable' });

describe('pairing workflow (time-skipping, default policy)', () => {
  it('an assignment within 7 days meets the assign deadline and opens the first contact, due 30 days later', async () => {
    const { handle, caseId, openedAt: t0 } = await openPairing(harness);
    const opened = await settled(handle);
    expect(opened).toMatchObject({ stage: 'unpaired', member: null, unit: VILLAGE });
    expect(opened.orgPath.at(-1)).toBe(MEMBER.gridCode);
    expect(opened.due).toMatchObject({ key: 'assign#1', dueAt: new Date(t0 + 7 * D).toISOString() });

    await sleepUntil(t0 + 2 * D);
    // A member of another grid, a party member assigning, a re-assignment with no change: refused.
    await refused(pairingStep(handle, caseId, 'assign', STAFF, { memberId: 'pm-00000000000c' }, { ...MEMBER, memberId: 'pm-00000000000c', gridCode: `${VILLAGE.code}-G02` }), 'unprocessable', /grid/);
    await refused(pairingStep(handle, caseId, 'assign', MEMBER_ACTOR, { memberId: MEMBER.memberId }, MEMBER), 'forbidden');
    const assigned = await pairingStep(handle, caseId, 'assign', STAFF, { memberId: MEMBER.memberId }, MEMBER);
    const at = await now();
    expect(assigned).toMatchObject({ stage: 'paired', member: MEMBER });
    expect(assigned.due).toMatchObject({ key: 'contact#1' });
    expect(Math.abs(Date.parse(assigned.due!.dueAt) - (at + 30 * D))).toBeLessThan(MIN);
    await settled(handle);
    expect((await deadlinesOf(caseId, 'pairing.assign')).map((d) => d.outcome)).toEqual(['on_time']);
    expect(assigned.escalations).toEqual([]);

    // Re-assigning needs a reason; the contact cadence goes on.
    await refused(pairingStep(handle, caseId, 'assign', STAFF, { memberId: OTHER_MEMBER.memberId }, OTHER_MEMBER), 'unprocessable', /reason/);
    const re = await pairingStep(handle, caseId, 'assign', STAFF, { memberId: OTHER_MEMBER.memberId, reason: '原帮包党员外出务工' }, OTHER_MEMBER);
    expect(re.member).toEqual(OTHER_MEMBER);
    expect(re.due).toEqual(assigned.due);
  });

  it('an assignment missed climbs from the village to the town at 7 days and to the district 3 days later; a late one resolves them', async () => {
    const { handle, caseId, openedAt: t0 } = await openPairing(harness);
    await sleepUntil(t0 + 7 * D - MIN);
    expect((await settled(handle)).escalations).toEqual([]);

    await sleepUntil(t0 + 7 * D + MIN);
    const rung1 = await settled(handle);
    expect(rung1).toMatchObject({ overdue: true, rung: 1, escalatedTo: TOWN as UnitRef });
    await sleepUntil(t0 + 10 * D + MIN);
    const rung2 = await settled(handle);
    expect(climbs(rung2)).toEqual([
      [1, VILLAGE.code, TOWN.code, 'assign#1'],
      [2, TOWN.code, DISTRICT.code, 'assign#1'],
    ]);

    const late = await pairingStep(handle, caseId, 'assign', STAFF, { memberId: MEMBER.memberId }, MEMBER);
    expect(late).toMatchObject({ stage: 'paired', overdue: false });
    expect(late.escalations.every((e) => e.resolvedAt !== null)).toBe(true);
    await settled(handle);
    expect((await deadlinesOf(caseId, 'pairing.assign')).map((d) => d.outcome)).toEqual(['late']);
  });

  it('the contact cadence is periods: a contact on time earns the award and the next period opens at its due time; a contact before it is extra; a missed one climbs; a late one earns nothing', async () => {
    const { handle, caseId } = await openPairing(harness);
    const paired = await pairingStep(handle, caseId, 'assign', STAFF, { memberId: MEMBER.memberId }, MEMBER);
    const t1 = Date.parse(paired.pairedAt!);
    await sleepUntil(t1 + 10 * D);

    // Another member's login, a day in the future, a visit without its outcome: refused.
    await refused(pairingStep(handle, caseId, 'contact', { ...MEMBER_ACTOR, userId: 'pm.other' }, await visit()), 'forbidden', /own pairings/);
    await refused(pairingStep(handle, caseId, 'contact', MEMBER_ACTOR, { ...(await visit()), day: localDay((await now()) + 2 * D) }), 'unprocessable', /future/);
    await refused(pairingStep(handle, caseId, 'contact', MEMBER_ACTOR, { channel: 'visit', day: localDay(await now()), note: '走访' }), 'unprocessable', /outcome/);

    const first = await pairingStep(handle, caseId, 'contact', MEMBER_ACTOR, await visit());
    const day = localDay(await now());
    expect(first.lastContact).toMatchObject({ n: 1, channel: 'visit', onTime: true, forwarded: null });
    // The next period opens when contact#1 was due (30 days after the assignment), due 30 days after that.
    expect(first.due).toMatchObject({ key: 'contact#2', opensAt: new Date(t1 + 30 * D).toISOString(), dueAt: new Date(t1 + 60 * D).toISOString() });
    expect(first.nextContactOpens).toBe(new Date(t1 + 30 * D).toISOString());
    const recorded = await eventually(async () => {
      const e = await eventsOf(caseId, 'contact_recorded');
      expect(e).toHaveLength(1);
      return e[0]!;
    });
    expect(recorded.data.awards).toEqual([{ userId: MEMBER.userId, rule: 'contact_on_time', key: `${caseId}:contact#1` }]);

    // A phone call at once: an extra contact (its period has not begun): no deadline met, no award.
    const extra = await pairingStep(handle, caseId, 'contact', STAFF, { channel: 'phone', day, note: '电话问候' });
    expect(extra.lastContact).toMatchObject({ n: 2, onTime: null });
    expect(extra.due).toMatchObject({ key: 'contact#2' });

    // Staff record a phone call for the member once the period has begun: the member's contact (meets contact#2, opens #3).
    await sleepUntil(t1 + 31 * D);
    const second = await pairingStep(handle, caseId, 'contact', STAFF, { channel: 'phone', day: localDay(await now()), note: '电话问候' });
    expect(second.lastContact).toMatchObject({ n: 3, onTime: true });
    expect(second.due).toMatchObject({ key: 'contact#3', opensAt: new Date(t1 + 60 * D).toISOString(), dueAt: new Date(t1 + 90 * D).toISOString() });
    const due3 = Date.parse(second.due!.dueAt);

    // contact#3 missed: the village, then the town at its due time, the district 3 days later.
    await sleepUntil(due3 + MIN);
    expect(await settled(handle)).toMatchObject({ overdue: true, rung: 1, escalatedTo: TOWN as UnitRef });
    await sleepUntil(due3 + 3 * D + MIN);
    expect(climbs(await settled(handle))).toEqual([
      [1, VILLAGE.code, TOWN.code, 'contact#3'],
      [2, TOWN.code, DISTRICT.code, 'contact#3'],
    ]);
    const late = await pairingStep(handle, caseId, 'contact', MEMBER_ACTOR, { channel: 'help', day: localDay(await now()), note: '送去米面油', help: '米面油一套' });
    expect(late.lastContact).toMatchObject({ n: 4, onTime: false });
    expect(late.due).toMatchObject({ key: 'contact#4' });
    await settled(handle);
    const events = await eventsOf(caseId, 'contact_recorded');
    expect(events.map((e) => e.data.awards ?? null)).toEqual([
      [{ userId: MEMBER.userId, rule: 'contact_on_time', key: `${caseId}:contact#1` }],
      null,
      [{ userId: MEMBER.userId, rule: 'contact_on_time', key: `${caseId}:contact#2` }],
      null,
    ]);
    expect((await deadlinesOf(caseId, 'pairing.contact')).map((d) => d.outcome)).toEqual(['on_time', 'on_time', 'late', 'pending']);
  });

  it('a paired member’s visit meets the household’s open orange alert’s visit deadline', async () => {
    const { handle: alert, caseId: alertId, householdId } = await startAlert(harness, 'orange');
    // The pairing of the alert's household.
    const { handle, caseId } = await openPairing(harness, householdId);
    await pairingStep(handle, caseId, 'assign', STAFF, { memberId: MEMBER.memberId }, MEMBER);
    await eventually(async () => expect(await mongo.db.collection<{ _id: string; status: string }>(COLLECTIONS.cases).findOne({ _id: alertId, status: 'open' })).not.toBeNull());

    await pairingStep(handle, caseId, 'contact', MEMBER_ACTOR, await visit('入户走访，老人病情稳定'));
    await eventually(async () => {
      const v = await handle.query(pairingQuery);
      expect(v.lastContact?.forwarded).toMatchObject({ alertId, status: 'recorded', level: 'orange' });
    });
    const alertView = await alert.query(alertQuery);
    expect(alertView.visits).toHaveLength(1);
    expect(alertView.visits[0]).toMatchObject({ visitors: [MEMBER.name], by: { userId: MEMBER.userId, role: 'party_member', unitCode: VILLAGE.code, onBehalfOf: { pairingId: caseId } } });
    expect(alertView.visits[0]!.notes).toContain(caseId);
    await eventually(async () => {
      const met = await mongo.db.collection<DeadlineRow>(COLLECTIONS.deadlines).find({ caseId: alertId, deadlineKind: 'alert.orange' }).toArray();
      expect(met.map((d) => d.outcome)).toContain('on_time');
    });
    await eventually(async () => expect((await eventsOf(caseId, 'visit_forwarded')).map((e) => e.data.alertId)).toEqual([alertId]));
  });

  it('a visit the alert refuses (dated before the alert opened) still stands on the pairing, the refusal in its timeline; no alert, nothing forwarded', async () => {
    const { handle, caseId, householdId } = await openPairing(harness);
    await pairingStep(handle, caseId, 'assign', STAFF, { memberId: MEMBER.memberId }, MEMBER);
    const pairedDay = localDay(await now());
    // No alert yet: the visit is recorded, nothing forwarded.
    const alone = await pairingStep(handle, caseId, 'contact', MEMBER_ACTOR, await visit());
    expect(alone.lastContact?.forwarded).toBeNull();

    await sleepUntil((await now()) + 3 * D);
    const { caseId: alertId } = await startAlert(harness, 'orange', { householdId });
    await eventually(async () => expect(await mongo.db.collection<{ _id: string; status: string }>(COLLECTIONS.cases).findOne({ _id: alertId, status: 'open' })).not.toBeNull());
    const stands = await pairingStep(handle, caseId, 'contact', MEMBER_ACTOR, { ...(await visit('补记三天前的走访')), day: pairedDay });
    expect(stands.lastContact).toMatchObject({ n: 2, day: pairedDay });
    await eventually(async () => {
      const v = await handle.query(pairingQuery);
      expect(v.lastContact?.forwarded).toMatchObject({ alertId, status: 'refused' });
      expect(v.lastContact?.forwarded?.reason).toMatch(/before the alert was opened/);
    });
    await eventually(async () => expect((await eventsOf(caseId, 'visit_forward_refused')).map((e) => e.data.alertId)).toEqual([alertId]));
  });

  it('ending a pairing closes it; its open deadline ends, not counted as missed', async () => {
    const { handle, caseId } = await openPairing(harness);
    await pairingStep(handle, caseId, 'assign', STAFF, { memberId: MEMBER.memberId }, MEMBER);
    await refused(pairingStep(handle, caseId, 'end', MEMBER_ACTOR, { reason: 'moved_away' }), 'forbidden');
    const ended = await pairingStep(handle, caseId, 'end', STAFF, { reason: 'moved_away', note: '已迁往外地' });
    expect(ended).toMatchObject({ status: 'closed', stage: 'ended', ended: { reason: 'moved_away' } });
    await eventually(async () => expect((await deadlinesOf(caseId, 'pairing.contact')).map((d) => d.outcome)).toEqual(['not_due']));
    // The run completes once the ending is projected: nothing more lands on it.
    expect(await handle.result()).toMatchObject({ status: 'closed', stage: 'ended' });
  });
});
