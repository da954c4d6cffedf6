import { describe, expect, it } from 'vitest';
import type { Actor } from '../../domain/case';
import { endOfLocalDay, localDay } from '../../domain/china-time';
import { outcomeOf } from '../../domain/deadlines';
import { assign, contact, end, gridOf, openPairing, qualifies, RuleViolation, type PairingState } from '../../domain/pairing';
import type { MemberRef } from '../../domain/party-member';
import { resolvePolicy } from '../../domain/policy';

/** The pairing's rules as pure functions, at any clock (the workflow tests run them at real durations). */

const POLICY = resolvePolicy(undefined, 'default').pairing;
const D = 86_400_000;
const VILLAGE = { code: '371002001001', name: '海港社区居委会', level: 'village' as const };
const LADDER = [VILLAGE, { code: '371002001', name: '鲸园街道', level: 'town' as const }];
const PATH = ['371000', '371002', '371002001', '371002001001'];
const STAFF: Actor = { userId: 'village.li', role: 'village_staff', unitCode: VILLAGE.code };
const T0 = Date.UTC(2026, 10, 2, 2); // 2026-11-02 10:00 China time
const member = (gridCode: string | null): MemberRef => ({ memberId: 'pm-00000000000a', userId: 'pm.zhang', name: '张党员', role: 'member', gridCode, villageCode: VILLAGE.code });
const open = (orgPath: string[]): PairingState => openPairing({ householdId: 'hh-000000000001', categories: ['minimum_subsistence'], unit: VILLAGE, ladder: LADDER, orgPath, policy: POLICY, trigger: 'registered' }, T0).state;
const violation = (work: () => unknown) => {
  try {
    work();
  } catch (err) {
    expect(err).toBeInstanceOf(RuleViolation);
    return err as RuleViolation;
  }
  throw new Error('expected a RuleViolation');
};

describe('pairing rules', () => {
  it('qualifies by the policy’s categories (低保, 特困, 重度残疾 by default); the grid is the path’s last code when it names one', () => {
    expect(qualifies(['minimum_subsistence'], POLICY)).toBe(true);
    expect(qualifies(['low_income_marginal', 'other'], POLICY)).toBe(false);
    expect(gridOf([...PATH, '371002001001-G01'])).toBe('371002001001-G01');
    expect(gridOf(PATH)).toBeNull();
  });

  it('a household with no grid is paired with a member registered at its village, not a grid’s member', () => {
    const s = open(PATH);
    expect(violation(() => assign(s, { memberId: 'pm-00000000000a' }, STAFF, T0 + D, member('371002001001-G01'))).message).toMatch(/no grid/);
    expect(assign(s, { memberId: 'pm-00000000000a' }, STAFF, T0 + D, member(null)).events.map((e) => e.type)).toContain('member_assigned');
  });

  it('a contact meets the open deadline, earns the award when on time, and opens the next after the end of its day; a late one earns nothing', () => {
    const s = open([...PATH, '371002001001-G01']);
    assign(s, { memberId: 'pm-00000000000a' }, STAFF, T0, member('371002001001-G01'));
    const day = localDay(T0 + 10 * D);
    const first = contact(s, { channel: 'phone', day, note: '电话问候' }, STAFF, T0 + 10 * D);
    expect(first.events[0]!.data!.awards).toEqual([{ userId: 'pm.zhang', rule: 'contact_on_time', key: 'pairing-hh-000000000001:contact#1' }]);
    expect(s.deadlines.at(-1)).toMatchObject({ key: 'contact#2', dueAt: endOfLocalDay(day) + 30 * D });
    const lateAt = endOfLocalDay(day) + 31 * D;
    const late = contact(s, { channel: 'phone', day: localDay(lateAt), note: '补打电话' }, STAFF, lateAt);
    expect(late.events[0]!.data!.awards).toBeUndefined();
    expect(s.deadlines.filter((d) => d.kind === 'pairing.contact').map(outcomeOf)).toEqual(['on_time', 'late', 'pending']);
    // Not before the pairing, not in the future.
    expect(violation(() => contact(s, { channel: 'phone', day: localDay(T0 - D), note: '早于结对' }, STAFF, lateAt)).reason).toBe('date_out_of_range');
    expect(violation(() => contact(s, { channel: 'phone', day: localDay(lateAt + 2 * D), note: '未来' }, STAFF, lateAt)).reason).toBe('date_out_of_range');
  });

  it('ending closes the case; its open deadline ends unmet and is not counted as missed', () => {
    const s = open(PATH);
    end(s, { reason: 'deceased' }, STAFF, T0 + D);
    expect(s).toMatchObject({ status: 'closed', stage: 'ended' });
    expect(s.deadlines.map(outcomeOf)).toEqual(['not_due']);
  });
});
