import { describe, expect, it } from 'vitest';
import type { PartyMember } from '../../domain/party-member';
import { awardsOf, counterEntryOf, entryOf, rankingsOf, showcasesOf } from '../../domain/points';
import { resolvePolicy } from '../../domain/policy';

const policy = resolvePolicy(undefined, 'test').points;
const MEMBER: PartyMember = {
  id: 'pm-000000000001', userId: 'pm.a', name: '王一', phone: '13900000001', role: 'member', kind: 'resident', branch: '第一党支部', unitCode: '371002001001', skills: [], publicConsent: false,
  villageCode: '371002001001', gridCode: null, orgPath: ['371000', '371002', '371002001', '371002001001'], status: 'active', createdAt: '2026-11-01T00:00:00Z', createdBy: 'x',
};
const actor = (role: string) => ({ userId: 'pm.a', role, unitCode: '371002001001' }) as never;

describe('awardsOf: which events earn points', () => {
  it('maps data.awards, a party member’s alert visit that met a deadline (once per deadline) and a member helper’s confirmed wish', () => {
    const awards = awardsOf({
      caseId: 'alert-1',
      kind: 'alert',
      view: {},
      events: [
        { type: 'visit_recorded', at: 100, actor: actor('party_member'), data: { visitedAt: 50 } },
        { type: 'deadline_met', at: 100, actor: actor('party_member'), data: { deadline: 'orange#1' } },
        { type: 'deadline_opened', at: 100, data: { deadline: 'revisit#1' } },
        { type: 'visit_recorded', at: 200, actor: actor('grid_worker'), data: { visitedAt: 150 } },
        { type: 'contact_recorded', at: 300, data: { awards: [{ userId: 'pm.b', rule: 'contact_on_time', key: 'k1' }, { userId: 'pm.b', rule: 'no_such_rule', key: 'k2' }, { userId: 'pm.b', rule: 'visit', key: '' }] } },
      ],
    });
    expect(awards).toEqual([
      { userId: 'pm.a', rule: 'visit', key: 'alert-1:visit:week-1969-12-29', at: 100, source: { kind: 'alert', id: 'alert-1' } },
      { userId: 'pm.b', rule: 'contact_on_time', key: 'k1', at: 300, source: { kind: 'alert', id: 'alert-1' } },
    ]);
    // A member's visit that met no deadline (a repeat, a pairing's visit forwarded) earns nothing, nor does one
    // beside a side track's deadline; the deadline met after a later visit belongs to that visit.
    const repeat = awardsOf({
      caseId: 'alert-2',
      kind: 'alert',
      view: {},
      events: [
        { type: 'visit_recorded', at: 100, actor: actor('party_member'), data: { visitedAt: 50 } },
        { type: 'deadline_met', at: 100, data: { deadline: 'decision#1', track: 'decision' } },
        { type: 'visit_recorded', at: 200, actor: { userId: 'pm.b', role: 'party_member', unitCode: '371002001001' } as never, data: { visitedAt: 150 } },
        { type: 'deadline_met', at: 200, data: { deadline: 'yellow#2' } },
      ],
    });
    expect(repeat).toEqual([{ userId: 'pm.b', rule: 'visit', key: 'alert-2:visit:week-1969-12-29', at: 200, source: { kind: 'alert', id: 'alert-2' } }]);
    // An orange alert's revisit is due 15 days after each visit, so every visit meets one: a member's visits earn
    // once per alert and China-time week (Monday to Sunday), whatever they meet (found by the fresh-eyes pass).
    const mon = Date.parse('2026-11-30T01:00:00Z'); // Monday 09:00 in China
    const orange = (at: number, n: number) => [
      { type: 'visit_recorded', at, actor: actor('party_member'), data: { visitedAt: at } },
      { type: 'deadline_met', at, data: { deadline: n === 0 ? 'orange#1' : `revisit#${n}` } },
    ];
    const week = awardsOf({ caseId: 'alert-3', kind: 'alert', view: {}, events: [...orange(mon, 0), ...orange(mon + 3_600_000, 1), ...orange(mon + 5 * 86_400_000, 2), ...orange(mon + 7 * 86_400_000, 3)] });
    expect(week.map((a) => a.key)).toEqual(['alert-3:visit:week-2026-11-30', 'alert-3:visit:week-2026-11-30', 'alert-3:visit:week-2026-11-30', 'alert-3:visit:week-2026-12-07']);
    expect(new Set(week.map((a) => a.key)).size).toBe(2);
    const wish = awardsOf({ caseId: 'wish-1', kind: 'wish', view: { claim: { helper: { userId: 'pm.c' } } }, events: [{ type: 'points_recorded', at: 5, data: {} }] });
    expect(wish).toEqual([{ userId: 'pm.c', rule: 'wish_fulfilled', key: 'wish-1:wish_fulfilled', at: 5, source: { kind: 'wish', id: 'wish-1' } }]);
    expect(awardsOf({ caseId: 'wish-2', kind: 'wish', view: { claim: { helper: { userId: null } } }, events: [{ type: 'points_recorded', at: 5, data: {} }] })).toEqual([]);
  });
});

describe('entries and counter-entries', () => {
  it('takes the policy’s points × quantity and the China-time month (UTC 16:00 on the 31st is the 1st)', () => {
    const e = entryOf({ userId: 'pm.a', rule: 'service_hour', key: 'k', quantity: 3, at: Date.parse('2026-10-31T16:30:00Z'), source: { kind: 'service_task', id: 't' } }, MEMBER, policy);
    expect(e).toMatchObject({ _id: 'k', points: 3, quantity: 3, month: '2026-11', year: 2026, branch: '第一党支部', memberId: MEMBER.id, recordedBy: 'system' });
    const c = counterEntryOf(e, '错误', 'village.li', Date.parse('2026-12-05T00:00:00Z'));
    expect(c).toMatchObject({ _id: 'k:reversal', points: -3, month: '2026-11', reverses: 'k', reason: '错误', recordedBy: 'village.li' });
    expect(() => counterEntryOf(c, 'again', 'x', 0)).toThrow(/counter-entry/);
  });
});

describe('rankingsOf', () => {
  it('ranks per branch by total, ties sharing a rank (1, 1, 3), counter-entries included', () => {
    const row = (memberId: string, branch: string, points: number, at = 1, villageCode = 'v1') => ({ memberId, userId: memberId, villageCode, branch, points, at });
    const r = rankingsOf([row('m1', 'B', 5), row('m2', 'B', 3), row('m2', 'B', 2), row('m3', 'B', 4), row('m4', 'A', 1), row('m3', 'B', 2), row('m3', 'B', -2)]);
    expect(r).toEqual([
      { villageCode: 'v1', branch: 'A', members: [{ rank: 1, memberId: 'm4', userId: 'm4', points: 1 }] },
      { villageCode: 'v1', branch: 'B', members: [{ rank: 1, memberId: 'm1', userId: 'm1', points: 5 }, { rank: 1, memberId: 'm2', userId: 'm2', points: 5 }, { rank: 3, memberId: 'm3', userId: 'm3', points: 4 }] },
    ]);
  });

  it('same-named branches of two villages are two branches (a town’s ranking does not merge them)', () => {
    const row = (memberId: string, villageCode: string, points: number) => ({ memberId, userId: memberId, villageCode, branch: '第一党支部', points, at: 1 });
    expect(rankingsOf([row('m1', 'v2', 5), row('m2', 'v1', 3), row('m3', 'v1', 4)])).toEqual([
      { villageCode: 'v1', branch: '第一党支部', members: [{ rank: 1, memberId: 'm3', userId: 'm3', points: 4 }, { rank: 2, memberId: 'm2', userId: 'm2', points: 3 }] },
      { villageCode: 'v2', branch: '第一党支部', members: [{ rank: 1, memberId: 'm1', userId: 'm1', points: 5 }] },
    ]);
  });

  it('showcases count actions net of counter-entries', () => {
    const s = showcasesOf([
      { memberId: 'm', rule: 'visit', points: 2, quantity: 1 },
      { memberId: 'm', rule: 'visit', points: 2, quantity: 1 },
      { memberId: 'm', rule: 'visit', points: -2, quantity: 1, reverses: 'x' },
      { memberId: 'm', rule: 'service_hour', points: 3, quantity: 2.5 },
    ]);
    expect(s.get('m')).toEqual({ actions: { visits: 1, contacts: 0, discoveries: 0, wishes: 0, serviceHours: 2.5 }, points: 5 });
  });
});
