import { describe, expect, it } from 'vitest';
import { RuleViolation } from '../../domain/case';
import { advancePatrol, checkRecord, openPatrol, patrolId, patrolView, patrolWakeAt, recordPatrol, zPatrolPlanInput, zPatrolRecordInput, zPatrolVisit, type PatrolStart } from '../../domain/patrol';
import { resolvePolicy } from '../../domain/policy';
import type { Actor } from '../../domain/case';
import type { UnitRef } from '../../domain/org';

/** The patrol's rules, pure, with any clock (domain/patrol.ts). */

const POLICY = resolvePolicy(undefined, 'default').patrol;
const D = 86_400_000;
const VILLAGE: UnitRef = { code: '371002001001', name: '海港社区居委会', level: 'village' };
const TOWN: UnitRef = { code: '371002001', name: '鲸园街道', level: 'town' };
const START: PatrolStart = { villageCode: VILLAGE.code, unit: VILLAGE, ladder: [VILLAGE, TOWN, { code: '371002', name: '环翠区', level: 'district' as const }, { code: '371000', name: '威海市', level: 'city' as const }], focusGroups: ['accident'], everyMs: 7 * D, policy: POLICY };
const T0 = Date.parse('2026-11-30T00:00:00Z'); // 08:00 China time
const MEMBER: Actor = { userId: 'li.patrol', role: 'party_member', unitCode: VILLAGE.code };
const record = (day: string, members = [MEMBER.userId]) => zPatrolRecordInput.parse({ day, members, visited: [{ description: '一户', focusGroup: 'accident', finding: 'ok' }] });

describe('the plan’s body', () => {
  it('the default policy keeps cadences between P1D and P90D (a second-long plan is the tests’ policy only)', () => {
    const plan = zPatrolPlanInput(POLICY);
    expect(plan.parse({})).toEqual({ every: 7 * D, focusGroups: ['sudden_event', 'accident', 'major_illness', 'severe_disability'] });
    expect(plan.parse({ every: 'P1D' }).every).toBe(D);
    for (const every of ['PT2S', 'PT23H', 'P91D', 'P1M', 'weekly', '']) expect(plan.safeParse({ every }).success, every).toBe(false);
    expect(plan.safeParse({ focusGroups: [] }).success).toBe(false);
    expect(plan.safeParse({ focusGroups: ['accident', 'accident'] }).success).toBe(false);
    expect(plan.safeParse({ focusGroups: ['hunger'] }).success).toBe(false);
    expect(zPatrolPlanInput({ ...POLICY, minEvery: 1000 }).parse({ every: 'PT2S' }).every).toBe(2000);
  });
});

describe('a visit', () => {
  it('names a registered household or describes one, not both or neither; only a discovery links a discovery', () => {
    expect(zPatrolVisit.safeParse({ householdId: 'hh-0123456789ab', focusGroup: 'accident', finding: 'ok' }).success).toBe(true);
    expect(zPatrolVisit.safeParse({ description: '一户', focusGroup: 'accident', finding: 'ok' }).success).toBe(true);
    expect(zPatrolVisit.safeParse({ householdId: 'hh-0123456789ab', description: '一户', focusGroup: 'accident', finding: 'ok' }).success).toBe(false);
    expect(zPatrolVisit.safeParse({ focusGroup: 'accident', finding: 'ok' }).success).toBe(false);
    expect(zPatrolVisit.safeParse({ householdId: 'hh-0123456789ab', focusGroup: 'accident', finding: 'ok', discoveryId: 'discovery-0123456789abcdef' }).success).toBe(false);
    expect(zPatrolVisit.safeParse({ householdId: 'hh-0123456789ab', focusGroup: 'accident', finding: 'discovery', discoveryId: 'discovery-0123456789abcdef' }).success).toBe(true);
    expect(zPatrolVisit.safeParse({ householdId: 'hh-0123456789ab', focusGroup: 'accident', finding: 'discovery', discoveryId: 'dc-1234' }).success).toBe(false);
  });
});

describe('a cycle', () => {
  it('opens with the record due at the next fire, escalates from the village every 3 days, and is met on time within the cycle', () => {
    const { state, events } = openPatrol(START, T0, T0 + 1000);
    expect(state.patrolId).toBe(patrolId(VILLAGE.code, T0));
    expect(state.patrolId).toBe('patrol-371002001001-20261130T000000Z');
    expect(events.map((e) => e.type)).toEqual(['cycle_opened', 'deadline_opened']);
    expect(patrolView(state, T0).due).toMatchObject({ kind: 'patrol.record', dueAt: new Date(T0 + 7 * D).toISOString() });
    expect(patrolWakeAt(state)).toBe(T0 + 0.75 * 7 * D);
    const on = structuredClone(state);
    recordPatrol(on, record('2026-12-04'), MEMBER, T0 + 4 * D);
    expect(on.deadlines[0]!.metAt).toBe(T0 + 4 * D);
    expect(on.status).toBe('closed');

    const missed = structuredClone(state);
    const climbed = advancePatrol(missed, T0 + 10 * D + 1);
    expect(climbed.notices.filter((n) => n.kind === 'escalated').map((n) => n.unit.code)).toEqual([TOWN.code, '371002']);
    recordPatrol(missed, record('2026-12-10'), MEMBER, T0 + 10 * D + 2);
    expect(missed.escalations.every((e) => e.resolution === 'met')).toBe(true);
    expect(patrolView(missed, T0 + 11 * D)).toMatchObject({ overdue: false, rung: 0, status: 'closed' });
  });

  it('refuses a day before the cycle or in the future, a party member not among those who patrolled, and a second record', () => {
    const { state } = openPatrol(START, T0, T0);
    const refused = (f: () => void) => {
      try {
        f();
      } catch (err) {
        return err instanceof RuleViolation ? err.type : 'other';
      }
      return 'taken';
    };
    expect(refused(() => checkRecord(state, record('2026-11-29'), MEMBER, T0 + D))).toBe('unprocessable');
    expect(refused(() => checkRecord(state, record('2026-12-02'), MEMBER, T0 + D))).toBe('unprocessable');
    expect(refused(() => checkRecord(state, record('2026-12-01', ['someone.else']), MEMBER, T0 + D))).toBe('unprocessable');
    expect(refused(() => checkRecord(state, record('2026-12-01', ['someone.else']), { ...MEMBER, role: 'village_staff' }, T0 + D))).toBe('taken');
    recordPatrol(state, record('2026-12-01'), MEMBER, T0 + D);
    expect(refused(() => checkRecord(state, record('2026-12-01'), MEMBER, T0 + D))).toBe('conflict');
  });
});
