import { describe, expect, it, vi } from 'vitest';
import { RuleViolation, type Actor } from '../../domain/case';
import { outcomeOf } from '../../domain/deadlines';
import type { UnitRef } from '../../domain/org';
import type { CaseSummary } from '../../domain/projection';
import { resolvePolicy, type WishesPolicy } from '../../domain/policy';
import {
  advanceWish,
  claim,
  confirmation,
  currentClaim,
  currentDeadline,
  fulfilment,
  pointsEntry,
  pointsRecorded,
  postWish,
  release,
  screening,
  wishView,
  wishWakeAt,
  withdrawal,
  WISH_STEPS,
  zClaimInput,
  zConfirmationInput,
  zFulfilmentInput,
  zPostWishInput,
  zScreeningInput,
  POINTS_PER_FULFILMENT,
  type HelperRef,
  type WishState,
} from '../../domain/wish';

/** The wish rules as pure functions, on a fake clock, at the default policy (every number ours). */

const H = 3_600_000;
const D = 24 * H;
const T0 = Date.parse('2026-05-11T02:00:00Z'); // 10:00 in Weihai

const VILLAGE: UnitRef = { code: '371002001001', name: '海港社区居委会', level: 'village' };
const TOWN: UnitRef = { code: '371002001', name: '鲸园街道', level: 'town' };
const DISTRICT: UnitRef = { code: '371002', name: '环翠区', level: 'district' };
const CITY: UnitRef = { code: '371000', name: '威海市', level: 'city' };
const LADDER = [VILLAGE, TOWN, DISTRICT, CITY];

const VILLAGE_STAFF: Actor = { userId: 'village.li', role: 'village_staff', unitCode: VILLAGE.code };
const TOWN_STAFF: Actor = { userId: 'town.zhao', role: 'town_staff', unitCode: TOWN.code };
const PARTY_MEMBER: Actor = { userId: 'pm.wang', role: 'party_member', unitCode: VILLAGE.code };
const OTHER_PARTY_MEMBER: Actor = { userId: 'pm.sun', role: 'party_member', unitCode: VILLAGE.code };

const POLICY: WishesPolicy = resolvePolicy(undefined, 'default').wishes;
const VOLUNTEER: HelperRef = { helperId: 'helper-0000000000a1', name: '海港志愿服务队', kind: 'organisation', unitCode: VILLAGE.code, userId: null };
const PM_HELPER: HelperRef = { helperId: 'helper-0000000000b2', name: '王党员', kind: 'party_member', unitCode: VILLAGE.code, userId: PARTY_MEMBER.userId };

function post(at = T0): WishState {
  return postWish(
    {
      wishId: 'wish-0123456789ab',
      householdId: 'hh-0123456789ab',
      title: '想要一台轮椅',
      description: '张秀兰老人腿脚不便，家住海港路12号，电话13800001234',
      category: 'material',
      postedBy: 'household',
      unit: VILLAGE,
      ladder: LADDER,
      orgPath: [CITY.code, DISTRICT.code, TOWN.code, VILLAGE.code],
      policy: POLICY,
      actor: VILLAGE_STAFF,
    },
    at,
  ).state;
}

function approved(at = T0 + H): WishState {
  const s = post();
  screening(s, { decision: 'approve', publicTitle: '老人需要一台轮椅' }, TOWN_STAFF, at);
  return s;
}

function claimed(at = T0 + 2 * H, fulfilBy?: string, helper = VOLUNTEER, actor = VILLAGE_STAFF): WishState {
  const s = approved();
  claim(s, { helperId: helper.helperId, ...(fulfilBy ? { fulfilBy } : {}) }, actor, at, helper);
  return s;
}

function refused(fn: () => unknown, type: RuleViolation['type'], message?: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RuleViolation);
    expect((err as RuleViolation).type).toBe(type);
    if (message) expect((err as Error).message).toMatch(message);
    return;
  }
  throw new Error('expected a RuleViolation');
}

describe('posting and screening', () => {
  it('a posted wish waits for the town’s screening for screenWithin, and the town is told', () => {
    const out = postWish({ wishId: 'wish-1', householdId: 'hh-1', title: 't', description: 'd', category: 'service', postedBy: 'staff', unit: VILLAGE, ladder: LADDER, orgPath: [VILLAGE.code], policy: POLICY, actor: VILLAGE_STAFF }, T0);
    expect(out.state).toMatchObject({ stage: 'screening', status: 'open', postedBy: 'staff' });
    expect(currentDeadline(out.state)).toMatchObject({ key: 'screening#1', kind: 'wish.screening', dueAt: T0 + 3 * D });
    expect(out.notices).toEqual([expect.objectContaining({ unit: TOWN, kind: 'opened' })]);
    expect(wishWakeAt(out.state)).toBe(T0 + Math.round(3 * D * 0.75));
  });

  it('approval sets the public title and opens the claim deadline; rejection closes with its reason', () => {
    const s = approved(T0 + H);
    expect(s).toMatchObject({ stage: 'open', publicTitle: '老人需要一台轮椅', screening: { decision: 'approve', titleEdited: true } });
    expect(s.deadlines[0]).toMatchObject({ key: 'screening#1', metAt: T0 + H });
    expect(currentDeadline(s)).toMatchObject({ key: 'claim#1', opensAt: T0 + H, dueAt: T0 + H + 14 * D });

    const r = post();
    const out = screening(r, { decision: 'reject', reason: '不属于帮扶范围' }, TOWN_STAFF, T0 + H);
    expect(r).toMatchObject({ status: 'closed', stage: 'closed', outcome: 'rejected' });
    expect(out.notices[0]).toMatchObject({ unit: VILLAGE, kind: 'decided' });
    expect(currentDeadline(r)).toBeUndefined();
  });

  it('refuses a public title with personal data, the posted one included; a second screening is a conflict', () => {
    const s = post();
    refused(() => screening(s, { decision: 'approve', publicTitle: '请拨打13800001234' }, TOWN_STAFF, T0), 'unprocessable', /publicTitle.*电话号码/);
    const withId = postWish({ ...s, wishId: 'w2', title: '身份证371002195001010017', actor: VILLAGE_STAFF, policy: POLICY, unit: VILLAGE, ladder: LADDER, orgPath: s.orgPath }, T0).state;
    refused(() => screening(withId, { decision: 'approve' }, TOWN_STAFF, T0), 'unprocessable', /身份证号/);
    screening(s, { decision: 'approve' }, TOWN_STAFF, T0);
    expect(s.publicTitle).toBe('想要一台轮椅');
    refused(() => screening(s, { decision: 'approve' }, TOWN_STAFF, T0), 'conflict');
  });

  it('validates input with the field named', () => {
    const bad = zPostWishInput.safeParse({ householdId: 'hh-0123456789ab', title: '', description: 'x', category: 'money', postedBy: 'neighbour' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['category', 'postedBy', 'title']);
    expect(zScreeningInput.safeParse({ decision: 'reject' }).error!.issues[0]!.path).toEqual(['reason']);
    expect(zClaimInput.safeParse({ helperId: 'bob' }).error!.issues[0]!.path).toEqual(['helperId']);
    expect(zFulfilmentInput.safeParse({ text: '已送达', photos: ['javascript:alert(1)'] }).error!.issues[0]!.path).toEqual(['photos', 0]);
    expect(zFulfilmentInput.parse({ text: '已送达' }).photos).toEqual([]);
    expect(zConfirmationInput.safeParse({ confirmedBy: 'staff' }).success).toBe(false);
  });
});

describe('claims: one need, one helper', () => {
  it('a claim meets the claim deadline and opens the fulfilment deadline at the date proposed, the maximum by default', () => {
    const s = claimed(T0 + 2 * H);
    expect(s.stage).toBe('claimed');
    expect(s.deadlines.find((d) => d.key === 'claim#1')?.metAt).toBe(T0 + 2 * H);
    expect(currentDeadline(s)).toMatchObject({ key: 'fulfilment#1', dueAt: T0 + 2 * H + 30 * D });
    expect(currentClaim(s)).toMatchObject({ helper: VOLUNTEER, fulfilBy: T0 + 2 * H + 30 * D });

    const at = T0 + 2 * H;
    const proposed = claimed(at, new Date(at + 5 * D).toISOString());
    expect(currentDeadline(proposed)?.dueAt).toBe(at + 5 * D);
    // A date is the end of that day in Weihai.
    expect(currentDeadline(claimed(at, '2026-05-20'))?.dueAt).toBe(Date.parse('2026-05-20T23:59:59.999+08:00'));
    // The last allowed date is clamped to fulfilWithin.
    expect(currentDeadline(claimed(at, '2026-06-10'))?.dueAt).toBe(at + 30 * D);
  });

  it('refuses a date beyond fulfilWithin or in the past, a second claim, an unregistered helper', () => {
    const at = T0 + 2 * H;
    refused(() => claimed(at, new Date(at + 31 * D).toISOString()), 'unprocessable', /fulfilBy: at most/);
    refused(() => claimed(at, '2026-06-11'), 'unprocessable', /fulfilBy: at most 2026-06-10/);
    refused(() => claimed(at, new Date(at - H).toISOString()), 'unprocessable', /future/);
    // An impossible date is refused by the rule, never an invalid instant that fails the workflow task (issue 10).
    refused(() => claimed(at, '2026-06-00'), 'unprocessable', /^fulfilBy: expected a date YYYY-MM-DD, got "2026-06-00"$/);
    const s = claimed(at);
    refused(() => claim(s, { helperId: PM_HELPER.helperId }, PARTY_MEMBER, at + H, PM_HELPER), 'conflict', /already claimed by 海港志愿服务队/);
    const open = approved();
    refused(() => claim(open, { helperId: VOLUNTEER.helperId }, VILLAGE_STAFF, at, undefined), 'unprocessable', /registered helper/);
    refused(() => claim(post(), { helperId: VOLUNTEER.helperId }, VILLAGE_STAFF, at, VOLUNTEER), 'conflict', /screening/);
  });

  it('a party member claims, gives up and fulfils only as their own registered helper', () => {
    const at = T0 + 2 * H;
    refused(() => claim(approved(), { helperId: VOLUNTEER.helperId }, PARTY_MEMBER, at, VOLUNTEER), 'forbidden');
    const s = claimed(at, undefined, PM_HELPER, PARTY_MEMBER);
    refused(() => release(s, { reason: '出差' }, OTHER_PARTY_MEMBER, at + H), 'forbidden');
    refused(() => fulfilment(s, { text: '已送达', photos: [] }, OTHER_PARTY_MEMBER, at + H), 'forbidden');
    fulfilment(s, { text: '轮椅已送达', photos: ['https://example.org/p/1.jpg'] }, PARTY_MEMBER, at + D);
    expect(s.stage).toBe('fulfilled');
  });

  it('a helper who gives up releases the claim (recorded) and the claim deadline runs again from then', () => {
    const s = claimed(T0 + 2 * H);
    const out = release(s, { reason: '临时有事' }, VILLAGE_STAFF, T0 + 3 * D);
    expect(s.stage).toBe('open');
    expect(s.claims[0]).toMatchObject({ releasedAt: T0 + 3 * D, release: { reason: 'helper_gave_up', note: '临时有事' } });
    expect(currentClaim(s)).toBeUndefined();
    expect(s.deadlines.find((d) => d.key === 'fulfilment#1')).toMatchObject({ endedAt: T0 + 3 * D });
    expect(outcomeOf(s.deadlines.find((d) => d.key === 'fulfilment#1')!)).toBe('not_due');
    expect(currentDeadline(s)).toMatchObject({ key: 'claim#2', dueAt: T0 + 3 * D + 14 * D });
    expect(out.events.map((e) => e.type)).toEqual(['claim_released', 'deadline_ended', 'deadline_opened', 'stage_entered']);
    claim(s, { helperId: PM_HELPER.helperId }, PARTY_MEMBER, T0 + 4 * D, PM_HELPER);
    expect(currentClaim(s)?.helper).toEqual(PM_HELPER);
  });
});

describe('deadlines', () => {
  it('screening overdue escalates to the town at screenWithin, then the district after escalateEvery', () => {
    const s = post();
    expect(advanceWish(s, T0 + 3 * D - 1).events.map((e) => e.type)).toEqual(['at_risk']);
    const out = advanceWish(s, T0 + 3 * D);
    expect(out.events.map((e) => e.type)).toEqual(['overdue', 'escalated']);
    expect(out.notices).toEqual([expect.objectContaining({ unit: TOWN, kind: 'escalated' })]);
    expect(wishWakeAt(s)).toBe(T0 + 10 * D);
    advanceWish(s, T0 + 10 * D);
    expect(s.escalations.map((e) => [e.rung, e.to.code])).toEqual([
      [1, TOWN.code],
      [2, DISTRICT.code],
    ]);
    expect(wishView(s, T0 + 10 * D)).toMatchObject({ overdue: true, rung: 2, escalatedTo: DISTRICT, due: { key: 'screening#1' } });
    // A late screening resolves the escalations.
    screening(s, { decision: 'approve' }, TOWN_STAFF, T0 + 11 * D);
    expect(s.escalations.every((e) => e.resolution === 'met')).toBe(true);
  });

  it('approved but unclaimed for claimWithin escalates to the town to mobilise help', () => {
    const s = approved(T0);
    const out = advanceWish(s, T0 + 14 * D);
    expect(out.events.map((e) => e.type)).toEqual(['overdue', 'escalated']);
    expect(s.escalations[0]).toMatchObject({ rung: 1, from: VILLAGE, to: TOWN, deadlineKey: 'claim#1' });
    expect(out.notices[0]?.message).toContain('动员');
  });

  it('claimed but not fulfilled by its date: the claim is released (recorded), the wish reopened and escalated at once', () => {
    const s = claimed(T0, new Date(T0 + 10 * D).toISOString());
    expect(advanceWish(s, T0 + 10 * D - 1).events.map((e) => e.type)).toEqual(['at_risk']);
    const out = advanceWish(s, T0 + 10 * D + 5);
    expect(s.stage).toBe('open');
    expect(s.claims[0]).toMatchObject({ releasedAt: T0 + 10 * D + 5, release: { reason: 'overdue' } });
    const missed = s.deadlines.find((d) => d.key === 'fulfilment#1')!;
    expect(outcomeOf(missed)).toBe('late');
    expect(currentDeadline(s)).toMatchObject({ key: 'claim#2', kind: 'wish.claim', dueAt: T0 + 10 * D });
    expect(out.events.map((e) => e.type)).toEqual(['claim_released', 'deadline_ended', 'deadline_opened', 'stage_entered', 'overdue', 'escalated']);
    expect(out.notices.map((n) => [n.unit.code, n.kind])).toEqual([
      [VILLAGE.code, 'stage'],
      [TOWN.code, 'escalated'],
    ]);
    expect(wishView(s, T0 + 10 * D + 5)).toMatchObject({ stage: 'open', overdue: true, rung: 1, escalatedTo: TOWN, claim: null });
    // It keeps climbing until someone claims it.
    expect(wishWakeAt(s)).toBe(T0 + 17 * D);
    advanceWish(s, T0 + 17 * D);
    expect(wishView(s, T0 + 17 * D)).toMatchObject({ rung: 2, escalatedTo: DISTRICT });
    claim(s, { helperId: PM_HELPER.helperId }, PARTY_MEMBER, T0 + 18 * D, PM_HELPER);
    expect(wishView(s, T0 + 18 * D)).toMatchObject({ stage: 'claimed', overdue: false, rung: 0 });
    expect(s.escalations.filter((e) => e.deadlineKey === 'claim#2').every((e) => e.resolution === 'met')).toBe(true);
  });

  it('fulfilled, then silence for confirmWithin: confirmed by staff automatically and closed; points once', () => {
    const s = claimed(T0);
    fulfilment(s, { text: '轮椅已送到家中', photos: [] }, VILLAGE_STAFF, T0 + 5 * D);
    expect(wishView(s, T0 + 5 * D)).toMatchObject({ stage: 'fulfilled', due: null, overdue: false, autoConfirmAt: new Date(T0 + 12 * D).toISOString() });
    expect(s.deadlines.find((d) => d.key === 'fulfilment#1')?.metAt).toBe(T0 + 5 * D);
    expect(wishWakeAt(s)).toBe(T0 + 12 * D);
    expect(pointsEntry(s)).toBeUndefined();
    expect(advanceWish(s, T0 + 12 * D - 1).events).toEqual([]);
    const out = advanceWish(s, T0 + 12 * D);
    expect(s).toMatchObject({ status: 'closed', outcome: 'fulfilled', confirmation: { confirmedBy: 'staff', automatic: true, at: T0 + 12 * D } });
    expect(out.events[0]).toMatchObject({ type: 'confirmed', data: { confirmedBy: 'staff', automatic: true } });
    expect(pointsEntry(s)).toMatchObject({ wishId: s.wishId, helper: VOLUNTEER, points: POINTS_PER_FULFILMENT, confirmedBy: 'staff' });
    pointsRecorded(s, { points: 10, alreadyRecorded: false }, T0 + 12 * D);
    expect(pointsEntry(s)).toBeUndefined();
    expect(wishWakeAt(s)).toBeUndefined();
  });

  it('the household’s own confirmation closes it; nothing is due any more', () => {
    const s = claimed(T0);
    fulfilment(s, { text: '陪老人去医院复查', photos: [] }, VILLAGE_STAFF, T0 + D);
    confirmation(s, { confirmedBy: 'household', note: '很满意' }, VILLAGE_STAFF, T0 + 2 * D);
    expect(s).toMatchObject({ status: 'closed', outcome: 'fulfilled', confirmation: { confirmedBy: 'household', automatic: false } });
    expect(advanceWish(s, T0 + 30 * D).events).toEqual([]);
    refused(() => confirmation(s, { confirmedBy: 'household' }, VILLAGE_STAFF, T0 + 3 * D), 'conflict', /closed/);
  });

  it('withdrawal before fulfilment releases a claim and ends every deadline; after fulfilment it is refused', () => {
    const s = claimed(T0);
    withdrawal(s, { reason: '家人已购买' }, VILLAGE_STAFF, T0 + D);
    expect(s).toMatchObject({ status: 'closed', outcome: 'withdrawn' });
    expect(s.claims[0]?.release?.reason).toBe('withdrawn');
    expect(s.deadlines.every((d) => d.metAt !== undefined || d.endedAt !== undefined)).toBe(true);
    const f = claimed(T0);
    fulfilment(f, { text: '已送达', photos: [] }, VILLAGE_STAFF, T0 + D);
    refused(() => withdrawal(f, { reason: 'x' }, VILLAGE_STAFF, T0 + 2 * D), 'conflict', /fulfilled/);
  });
});

describe('the view and the step table', () => {
  it('the view is a case summary of kind wish with its household', () => {
    const v = wishView(claimed(T0), T0 + D);
    const summary: CaseSummary = v;
    expect(summary).toMatchObject({ caseId: 'wish-0123456789ab', kind: 'wish', status: 'open', householdId: 'hh-0123456789ab', level: null, stage: 'claimed', unit: VILLAGE, rung: 0, escalatedTo: null });
    expect(v.orgPath).toEqual([CITY.code, DISTRICT.code, TOWN.code, VILLAGE.code]);
    expect(v.claim).toMatchObject({ helper: VOLUNTEER });
  });

  it('screening is the town’s; party members may claim, give up and fulfil but not confirm or withdraw', () => {
    expect(WISH_STEPS.screening.roles).toEqual(['town_staff', 'town_supervisor']);
    for (const name of ['claim', 'release', 'fulfilment'] as const) expect(WISH_STEPS[name].roles).toContain('party_member');
    for (const name of ['confirmation', 'withdrawal', 'screening'] as const) expect(WISH_STEPS[name].roles).not.toContain('party_member');
    expect(Object.values(WISH_STEPS).map((s) => s.path).sort()).toEqual(['claim', 'confirmation', 'fulfilment', 'release', 'screening', 'withdrawal']);
  });
});

describe('dates a wish names are real calendar dates', () => {
  const post = { householdId: 'hh-0123456789ab', title: '想要一台轮椅', description: '出门需要轮椅', category: 'material', postedBy: 'household' };
  it('neededBy 2026-12-00, 2027-02-30 or 9999-99-99 is refused naming the field; a day from today to a year ahead is taken', () => {
    vi.useFakeTimers({ now: Date.parse('2026-11-29T10:00:00+08:00') });
    try {
      for (const neededBy of ['2026-12-00', '2027-02-30', '9999-99-99', '2026-11-28', '2027-11-30']) {
        const parsed = zPostWishInput.safeParse({ ...post, neededBy });
        expect(parsed.success, neededBy).toBe(false);
        expect(parsed.error?.issues[0]?.path).toEqual(['neededBy']);
      }
      for (const neededBy of ['2026-11-29', '2026-12-31', '2027-11-29']) expect(zPostWishInput.safeParse({ ...post, neededBy }).success, neededBy).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
