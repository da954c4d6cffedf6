import { describe, expect, it } from 'vitest';
import type { Actor } from '../../domain/case';
import { localDay } from '../../domain/china-time';
import { outcomeOf } from '../../domain/deadlines';
import { assign, contact, end, gridOf, mayOpenPairing, openPairing, qualifies, RuleViolation, type PairingState } from '../../domain/pairing';
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

  it('the cadence is periods: a contact meets the open period (award when on time); the next opens at its due time; a contact before then is extra', () => {
    const s = open([...PATH, '371002001001-G01']);
    assign(s, { memberId: 'pm-00000000000a' }, STAFF, T0, member('371002001001-G01'));
    const at = T0 + 10 * D;
    const first = contact(s, { channel: 'phone', day: localDay(at), note: '电话问候' }, STAFF, at);
    expect(first.events[0]!.data!.awards).toEqual([{ userId: 'pm.zhang', rule: 'contact_on_time', key: 'pairing-hh-000000000001:contact#1' }]);
    // The next period opens when the met one was due (T0 + 30 days), not after the contact.
    expect(s.deadlines.at(-1)).toMatchObject({ key: 'contact#2', opensAt: T0 + 30 * D, dueAt: T0 + 60 * D });
    // Seven contacts in a row within the same period: extra contacts, no deadline met, no award, nothing opened.
    for (let i = 1; i <= 7; i++) {
      const extra = contact(s, { channel: 'phone', day: localDay(at), note: `第${i}次` }, STAFF, at + i * 1000);
      expect(extra.events.map((e) => e.type)).toEqual(['contact_recorded']);
      expect(extra.events[0]!.data).toMatchObject({ onTime: null, extra: true });
      expect(extra.events[0]!.data!.awards).toBeUndefined();
    }
    expect(s.contacts.at(-1)).toMatchObject({ onTime: null });
    expect(s.contacts.at(-1)!.deadline).toBeUndefined();
    // A contact once the next period has begun meets it; one late opens the next at the contact.
    const second = contact(s, { channel: 'phone', day: localDay(T0 + 31 * D), note: '第二期' }, STAFF, T0 + 31 * D);
    expect(second.events[0]!.data).toMatchObject({ onTime: true, awards: [{ key: 'pairing-hh-000000000001:contact#2' }] });
    expect(s.deadlines.at(-1)).toMatchObject({ key: 'contact#3', opensAt: T0 + 60 * D, dueAt: T0 + 90 * D });
    const lateAt = T0 + 95 * D;
    const late = contact(s, { channel: 'phone', day: localDay(lateAt), note: '补打电话' }, STAFF, lateAt);
    expect(late.events[0]!.data).toMatchObject({ onTime: false });
    expect(late.events[0]!.data!.awards).toBeUndefined();
    expect(s.deadlines.at(-1)).toMatchObject({ key: 'contact#4', opensAt: lateAt, dueAt: lateAt + 30 * D });
    expect(s.deadlines.filter((d) => d.kind === 'pairing.contact').map(outcomeOf)).toEqual(['on_time', 'on_time', 'late', 'pending']);
    // Not before the pairing, not in the future.
    expect(violation(() => contact(s, { channel: 'phone', day: localDay(T0 - D), note: '早于结对' }, STAFF, lateAt)).reason).toBe('date_out_of_range');
    expect(violation(() => contact(s, { channel: 'phone', day: localDay(lateAt + 2 * D), note: '未来' }, STAFF, lateAt)).reason).toBe('date_out_of_range');
  });

  it('a pairing is opened again only when none was, or the last ended because the household no longer qualified', () => {
    expect(mayOpenPairing(undefined)).toBe(true);
    expect(mayOpenPairing({ status: 'closed', endedReason: 'no_longer_qualifies' })).toBe(true);
    expect(mayOpenPairing({ status: 'closed', endedReason: 'moved_away' })).toBe(false);
    expect(mayOpenPairing({ status: 'closed', endedReason: 'deceased' })).toBe(false);
    expect(mayOpenPairing({ status: 'open', endedReason: null })).toBe(false);
  });

  it('ending closes the case; its open deadline ends unmet and is not counted as missed', () => {
    const s = open(PATH);
    end(s, { reason: 'deceased' }, STAFF, T0 + D);
    expect(s).toMatchObject({ status: 'closed', stage: 'ended' });
    expect(s.deadlines.map(outcomeOf)).toEqual(['not_due']);
  });
});
