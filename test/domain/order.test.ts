import { describe, expect, it } from 'vitest';
import type { Actor } from '../../domain/case';
import { acceptReply, advanceOrder, checkReplyBy, issueOrder, orderView, orderWakeAt, replyToOrder, returnReply, type IssueArgs } from '../../domain/order';
import { resolvePolicy } from '../../domain/policy';
import { RuleViolation } from '../../domain/case';

/** The rules of a supervision order (domain/order.ts), pure, with any clock. */

const H = 3_600_000;
const D = 24 * H;
const CITY = { code: '371000', name: '威海市', level: 'city' as const };
const DISTRICT = { code: '371002', name: '环翠区', level: 'district' as const };
const TOWN = { code: '371002001', name: '鲸园街道', level: 'town' as const };
const VILLAGE = { code: '371002001001', name: '海港社区居委会', level: 'village' as const };
const ISSUER: Actor = { userId: 'd1', role: 'district_staff', unitCode: DISTRICT.code };
const VILLAGE_STAFF: Actor = { userId: 'v1', role: 'village_staff', unitCode: VILLAGE.code };
const TOWN_STAFF: Actor = { userId: 't1', role: 'town_staff', unitCode: TOWN.code };
const POLICY = resolvePolicy(undefined, 'default').orders;
const T0 = Date.parse('2026-11-30T02:00:00Z');

const args = (replyBy = T0 + 3 * D): IssueArgs => ({
  orderId: 'order-371002-371002001001-k1',
  issuer: { unit: DISTRICT, actor: ISSUER },
  unit: VILLAGE,
  ladder: [VILLAGE, TOWN, DISTRICT, CITY],
  orgPath: [CITY.code, DISTRICT.code, TOWN.code, VILLAGE.code],
  target: { caseId: 'alert-hh-1', caseKind: 'alert' },
  householdId: 'hh-1',
  requirement: '请入户核实',
  replyBy,
  linkedCaseIds: [],
  origin: null,
  policy: POLICY,
});

const refused = (work: () => unknown): RuleViolation => {
  try {
    work();
  } catch (err) {
    if (err instanceof RuleViolation) return err;
    throw err;
  }
  throw new Error('not refused');
};

describe('a supervision order', () => {
  it('opens its reply deadline at issue and tells the ordered unit; a reply deadline already past is due at once', () => {
    const { state, notices, events } = issueOrder(args(), T0);
    expect(state.deadlines).toEqual([expect.objectContaining({ kind: 'order.reply', key: 'reply#1', dueAt: T0 + 3 * D, opensAt: T0 })]);
    expect(notices).toEqual([expect.objectContaining({ unit: VILLAGE, kind: 'order_issued' })]);
    expect(events.map((e) => e.type)).toEqual(['issued', 'deadline_opened']);
    expect(issueOrder(args(T0 - H), T0).state.deadlines[0]!.dueAt).toBe(T0);
  });

  it('bounds a reply deadline by policy: from one hour to 90 days ahead', () => {
    expect(() => checkReplyBy(POLICY, T0 + H, T0)).not.toThrow();
    expect(() => checkReplyBy(POLICY, T0 + 90 * D, T0)).not.toThrow();
    expect(refused(() => checkReplyBy(POLICY, T0 + H - 1, T0))).toMatchObject({ type: 'unprocessable', reason: 'date_out_of_range' });
    expect(refused(() => checkReplyBy(POLICY, T0 + 90 * D + 1, T0)).message).toMatch(/^replyBy: /);
    expect(refused(() => checkReplyBy(POLICY, Number.NaN, T0)).type).toBe('unprocessable');
  });

  it('is replied to by the ordered unit only, and decided by the issuing unit only', () => {
    const { state } = issueOrder(args(), T0);
    expect(refused(() => replyToOrder(state, { text: 'x' }, TOWN_STAFF, T0 + D)).type).toBe('forbidden');
    // Who may act is checked before the stage: another unit deciding on an unreplied order is 403, not 409.
    expect(refused(() => acceptReply(state, {}, TOWN_STAFF, T0 + D)).type).toBe('forbidden');
    expect(refused(() => returnReply(state, { reason: '补充', replyBy: new Date(T0 + 3 * D).toISOString() }, TOWN_STAFF, T0 + D)).type).toBe('forbidden');
    expect(refused(() => acceptReply(state, {}, ISSUER, T0 + D))).toMatchObject({ type: 'conflict', message: expect.stringMatching(/not replied/) });
    const replied = replyToOrder(state, { text: '已处理', attachments: ['a'] }, VILLAGE_STAFF, T0 + D);
    expect(replied.notices).toEqual([expect.objectContaining({ unit: DISTRICT, kind: 'order_replied' })]);
    expect(state.deadlines[0]!.metAt).toBe(T0 + D);
    expect(refused(() => acceptReply(state, {}, VILLAGE_STAFF, T0 + D)).type).toBe('forbidden');
    expect(refused(() => replyToOrder(state, { text: 'again' }, VILLAGE_STAFF, T0 + D)).type).toBe('conflict');
    acceptReply(state, { note: '同意' }, ISSUER, T0 + 2 * D);
    expect(orderView(state, T0 + 2 * D)).toMatchObject({ status: 'closed', stage: 'accepted', due: null, replies: [{ decision: { outcome: 'accepted' } }] });
    expect(orderWakeAt(state)).toBeUndefined();
  });

  it('returned for more opens reply#2; missed, it climbs from the village one rung per 2 days', () => {
    const { state } = issueOrder(args(), T0);
    replyToOrder(state, { text: '已处理' }, VILLAGE_STAFF, T0 + D);
    expect(refused(() => returnReply(state, { reason: '缺材料', replyBy: new Date(T0 + D + 10 * 60_000).toISOString() }, ISSUER, T0 + D)).reason).toBe('date_out_of_range');
    returnReply(state, { reason: '缺材料', replyBy: new Date(T0 + 2 * D).toISOString() }, ISSUER, T0 + D);
    expect(state.stage).toBe('returned');
    expect(state.deadlines.map((d) => [d.key, d.dueAt])).toEqual([
      ['reply#1', T0 + 3 * D],
      ['reply#2', T0 + 2 * D],
    ]);
    const at = (t: number) => advanceOrder(state, t).notices.filter((n) => n.kind === 'escalated').map((n) => n.unit.code);
    expect(at(T0 + 2 * D)).toEqual([TOWN.code]);
    expect(at(T0 + 4 * D)).toEqual([DISTRICT.code]);
    expect(at(T0 + 6 * D)).toEqual([CITY.code]);
    expect(orderWakeAt(state)).toBeUndefined();
  });
});
