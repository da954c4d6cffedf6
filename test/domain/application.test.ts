import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  acceptance,
  addMonths,
  advanceApplication,
  applicationWakeAt,
  approval,
  currentDeadline,
  deliberation,
  extension,
  investigation,
  objection,
  reReview,
  review,
  submitApplication,
  supplements,
  verificationCompleted,
  verificationResult,
  withdrawal,
  zAcceptanceInput,
  zApprovalInput,
  zDeliberationInput,
  zReReviewInput,
  zReviewInput,
  APPLICATION_STEPS,
  applicationStepRules,
  checkApplicationDates,
  zVerificationResultInput,
  type ApplicationStage,
  type ApplicationState,
  type LabourCapacity,
} from '../../domain/application';
import { RuleViolation, type Actor } from '../../domain/case';
import type { UnitRef } from '../../domain/org';
import { reaches, resolvePolicy, type ApplicationPolicy } from '../../domain/policy';
import type { DepartmentAnswer } from '../../domain/verification';
import { shippedHolidayCalendar } from '../../store/calendar';

/**
 * The application rules as pure functions, on a fake clock (plain epoch milliseconds) and the shipped
 * holiday calendar. Expected deadlines below were counted by hand on the calendar in
 * scripts/seed/holidays-cn-mainland.json; each says which days it skips.
 */

const H = 3_600_000;
const D = 24 * H;
/** An instant given in Beijing time. */
const bj = (local: string) => Date.parse(`${local}+08:00`);

const VILLAGE: UnitRef = { code: '371002001001', name: '海港社区居委会', level: 'village' };
const TOWN: UnitRef = { code: '371002001', name: '鲸园街道', level: 'town' };
const DISTRICT: UnitRef = { code: '371002', name: '环翠区', level: 'district' };
const CITY: UnitRef = { code: '371000', name: '威海市', level: 'city' };
const LADDER = [VILLAGE, TOWN, DISTRICT, CITY];

const VILLAGE_STAFF: Actor = { userId: 'village.li', role: 'village_staff', unitCode: VILLAGE.code };
const TOWN_STAFF: Actor = { userId: 'town.zhao', role: 'town_staff', unitCode: TOWN.code };
const TOWN_SUPERVISOR: Actor = { userId: 'town.sun', role: 'town_supervisor', unitCode: TOWN.code };
const DISTRICT_STAFF: Actor = { userId: 'district.zhou', role: 'district_staff', unitCode: DISTRICT.code };
/** Who takes the steps that bring an application to the stage a test starts from (never a conflicted user). */
const ALONG = {
  village: { userId: 'village.zhang', role: 'village_staff', unitCode: VILLAGE.code },
  town: { userId: 'town.qian', role: 'town_staff', unitCode: TOWN.code },
  district: { userId: 'district.wu', role: 'district_staff', unitCode: DISTRICT.code },
} satisfies Record<string, Actor>;

const POLICY: ApplicationPolicy = resolvePolicy(undefined, 'default').applications;
const CAL = shippedHolidayCalendar();

/** Monday 2026-09-21, 10:00 in Weihai: the week before the Mid-Autumn Festival and National Day 2026. */
const T0 = bj('2026-09-21T10:00:00');

const ANSWERS: DepartmentAnswer[] = [
  { department: 'hrss', status: 'answered', records: [{ idNumber: '371002195001010017', kind: 'pension', description: '养老金', monthlyIncome: 210 }], answeredAt: T0 },
  { department: 'civil_affairs', status: 'missing', reason: 'no extract' },
];

function submit(at = T0, opts: { conflictedUsers?: string[]; labourCapacity?: LabourCapacity; policy?: ApplicationPolicy } = {}): ApplicationState {
  return submitApplication(
    {
      applicationId: 'application-hh1-minimum_subsistence-1',
      householdId: 'hh1',
      category: 'minimum_subsistence',
      source: 'one_door',
      labourCapacity: opts.labourCapacity ?? 'no_labour_capacity',
      unit: VILLAGE,
      ladder: LADDER,
      conflictedUsers: opts.conflictedUsers ?? [],
      policy: opts.policy ?? POLICY,
      calendar: CAL,
      actor: VILLAGE_STAFF,
    },
    at,
  ).state;
}

type Deliberation = z.infer<typeof zDeliberationInput>;
const meeting = (at: number, members: number, attendees: number, votesFor: number, votesAgainst = 0): Deliberation => ({
  kind: 'record',
  heldAt: new Date(at).toISOString(),
  members,
  attendees,
  votesFor,
  votesAgainst,
  minutes: '',
});
const investigated = (at: number, investigators = ['village.li', 'village.wang']) => ({ investigators, visitedAt: new Date(at).toISOString(), findings: '家中无劳动力' });
const approve = (startDate: string) => ({ decision: 'approve' as const, category: 'minimum_subsistence', monthlyAmount: 890, startDate, reason: '经审批确认' });

const ORDER: ApplicationStage[] = ['submitted', 'verification', 'investigation', 'deliberation', 'town_review', 'notice', 'district_approval', 'in_benefit', 're_review'];

/** An application brought to `stage`, every step taken at `when` (the notice ends after its 7 days). */
function at(stage: ApplicationStage, when = T0, opts: Parameters<typeof submit>[1] & { startDate?: string } = {}): ApplicationState {
  const s = submit(when, opts);
  if (stage === 'returned') {
    acceptance(s, { decision: 'return', missing: ['户口簿复印件', '收入证明'] }, ALONG.town, when);
    return s;
  }
  if (stage === 'closed') {
    withdrawal(s, { reason: '申请人撤回' }, ALONG.village, when);
    return s;
  }
  const reach = (x: ApplicationStage) => ORDER.indexOf(stage) >= ORDER.indexOf(x);
  if (reach('verification')) acceptance(s, { decision: 'accept' }, ALONG.town, when);
  if (reach('investigation')) verificationCompleted(s, ANSWERS, when);
  if (reach('deliberation')) investigation(s, investigated(when, ['village.zhang', 'village.zhou']), ALONG.village, when);
  if (reach('town_review')) deliberation(s, meeting(when, 9, 7, 6, 1), ALONG.village, when);
  if (reach('notice')) review(s, { opinion: 'approve', reason: '符合条件' }, ALONG.town, when);
  if (reach('district_approval')) advanceApplication(s, s.notices.at(-1)!.endsAt);
  if (reach('in_benefit')) approval(s, approve(opts.startDate ?? '2026-11-01'), ALONG.district, s.notices.at(-1)!.endsAt + H);
  if (reach('re_review')) advanceApplication(s, s.benefit!.nextReReviewAt);
  expect(s.stage).toBe(stage);
  return s;
}

function violation(fn: () => unknown): RuleViolation {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RuleViolation);
    return err as RuleViolation;
  }
  throw new Error('expected a RuleViolation, nothing was thrown');
}
function expectViolation(fn: () => unknown, type: RuleViolation['type'], message?: RegExp): void {
  const v = violation(fn);
  expect(v.type, v.message).toBe(type);
  if (message) expect(v.message).toMatch(message);
}

describe('submission and acceptance', () => {
  it('opens the acceptance deadline (3 working days) and tells the town; a close relative flags it', () => {
    const { state, events, notices } = submitApplication(
      { applicationId: 'a1', householdId: 'hh1', category: 'minimum_subsistence', source: 'one_door', labourCapacity: 'labour_capacity', unit: VILLAGE, ladder: LADDER, conflictedUsers: ['village.wang'], policy: POLICY, calendar: CAL, actor: VILLAGE_STAFF },
      T0,
    );
    // Tue 22, Wed 23, Thu 24 → the end of Thursday 2026-09-24.
    expect(state.deadlines).toEqual([expect.objectContaining({ key: 'acceptance#1', kind: 'application.acceptance', opensAt: T0, dueAt: bj('2026-09-25T00:00:00'), escalateEveryMs: 2 * D })]);
    expect(state).toMatchObject({ stage: 'submitted', status: 'open', flagged: true, decisions: [] });
    expect(events).toEqual([
      { type: 'submitted', at: T0, actor: VILLAGE_STAFF, data: { category: 'minimum_subsistence', source: 'one_door', flagged: true } },
      { type: 'deadline_opened', at: T0, actor: VILLAGE_STAFF, data: { deadline: 'acceptance#1', kind: 'application.acceptance', label: '受理：收到申请后作出受理决定', opensAt: T0, dueAt: bj('2026-09-25T00:00:00') } },
    ]);
    expect(notices).toEqual([{ unit: TOWN, kind: 'opened', message: expect.stringContaining('近亲属') }]);
  });

  it('returns with the complete list at once; supplements must supply every item; then a new acceptance deadline', () => {
    const s = submit();
    const returned = acceptance(s, { decision: 'return', missing: ['户口簿复印件', '收入证明', '残疾证'] }, TOWN_STAFF, T0 + H);
    expect(s.stage).toBe('returned');
    expect(returned.events.map((e) => e.type)).toEqual(['returned_for_materials', 'deadline_met', 'deadline_opened', 'stage_entered']);
    expect(s.decisions).toEqual([{ act: 'returned_for_materials', at: T0 + H, by: TOWN_STAFF, what: { missing: ['户口簿复印件', '收入证明', '残疾证'] }, why: '材料不全，一次性告知' }]);
    // 10 working days from Mon 09-21, across the Mid-Autumn break (09-25..27) and National Day (10-01..07),
    // counting the make-up Saturday 10-10: 22 23 24 28 29 30 | 10-08 10-09 10-10 10-12 → the end of 10-12.
    expect(s.deadlines.map((d) => [d.key, d.metAt, d.dueAt])).toEqual([
      ['acceptance#1', T0 + H, bj('2026-09-25T00:00:00')],
      ['supplements#1', undefined, bj('2026-10-13T00:00:00')],
    ]);

    expectViolation(() => supplements(s, { supplied: ['户口簿复印件', '残疾证'] }, VILLAGE_STAFF, T0 + 2 * H), 'unprocessable', /收入证明/);
    expect(s.stage).toBe('returned');

    const t = bj('2026-09-30T09:00:00');
    supplements(s, { supplied: ['残疾证', '收入证明', '户口簿复印件', '照片'] }, VILLAGE_STAFF, t);
    expect(s.stage).toBe('submitted');
    expect(s.materials).toEqual([{ missing: ['户口簿复印件', '收入证明', '残疾证'], returnedAt: T0 + H, suppliedAt: t }]);
    // From Wed 09-30: 10-01..07 are off → 10-08, 10-09, 10-10 (make-up Saturday).
    expect(currentDeadline(s)).toMatchObject({ key: 'acceptance#2', opensAt: t, dueAt: bj('2026-10-11T00:00:00') });
    expect(s.deadlines.find((d) => d.key === 'supplements#1')?.metAt).toBe(t);
  });

  it('the schemas refuse an empty missing list, a town rejection without its notice, a district rejection without the appeal notice', () => {
    expect(zAcceptanceInput.safeParse({ decision: 'return', missing: [] }).success).toBe(false);
    expect(zAcceptanceInput.safeParse({ decision: 'accept', extra: 1 }).success).toBe(false);
    expect(zReviewInput.safeParse({ opinion: 'reject', reason: '收入超标' }).success).toBe(false);
    expect(zReviewInput.safeParse({ opinion: 'reject', reason: '收入超标', noticeText: '不予通过告知书' }).success).toBe(true);
    expect(zReviewInput.safeParse({ opinion: 'approve', reason: '符合条件' }).success).toBe(true);
    expect(zApprovalInput.safeParse({ decision: 'reject', reason: '收入超标', noticeText: '不予批准告知书' }).success).toBe(false);
    expect(zApprovalInput.safeParse({ decision: 'reject', reason: '收入超标', noticeText: '不予批准告知书', appealInformed: false }).success).toBe(false);
    expect(zApprovalInput.safeParse({ decision: 'reject', reason: '收入超标', noticeText: '不予批准告知书', appealInformed: true }).success).toBe(true);
    expect(zApprovalInput.safeParse(approve('2026-12-1')).success).toBe(false);
    // Only real days: an impossible start date would give a re-review date of NaN and wedge the workflow.
    for (const day of ['2027-02-29', '2027-02-30', '2027-02-00', '2027-13-01', '2027-04-31']) expect(zApprovalInput.safeParse(approve(day)).success, day).toBe(false);
    expect(zApprovalInput.safeParse(approve('2028-02-29')).success).toBe(true);
    expect(zDeliberationInput.safeParse({ ...meeting(T0, 9, 10, 5) }).success).toBe(false);
    expect(zDeliberationInput.safeParse({ ...meeting(T0, 9, 6, 4, 3) }).success).toBe(false);
    expect(zReReviewInput.safeParse({ outcome: 'change', reason: '收入变化' }).success).toBe(false);
    expect(zReReviewInput.safeParse({ outcome: 'change', reason: '收入变化', monthlyAmount: 500 }).success).toBe(true);
  });
});

describe('an application opened by a public intake’s acceptance (issue 14)', () => {
  it('opens already accepted by the town: at verification, its acceptance deadline met, the town-review deadline from now; never accepted twice', () => {
    const { state: s, events, notices } = submitApplication(
      { applicationId: 'application-hh1-minimum_subsistence-2', householdId: 'hh1', category: 'minimum_subsistence', source: 'public_qr', labourCapacity: 'no_labour_capacity', unit: VILLAGE, ladder: LADDER, conflictedUsers: [], policy: POLICY, calendar: CAL, actor: TOWN_STAFF, accepted: { intakeId: 'intake-0123456789ab', note: '材料齐全' } },
      T0,
    );
    expect(s).toMatchObject({ stage: 'verification', acceptedAt: T0, verification: { pending: true } });
    expect(s.decisions).toEqual([{ act: 'accepted', at: T0, by: TOWN_STAFF, what: {}, why: '镇(街道)受理公众申请 intake-0123456789ab：材料齐全' }]);
    expect(s.deadlines.map((d) => [d.kind, d.metAt !== undefined])).toEqual([
      ['application.acceptance', true],
      ['application.town_review', false],
    ]);
    expect(events[0]).toMatchObject({ type: 'submitted', data: { source: 'public_qr', intakeId: 'intake-0123456789ab' } });
    expect(notices[0]!.message).toContain('已受理');
    expect(() => acceptance(s, { decision: 'accept' }, TOWN_STAFF, T0 + 1)).toThrow(RuleViolation);
  });
});

describe('stage guards', () => {
  const steps: [string, (s: ApplicationState) => unknown, ApplicationStage][] = [
    ['acceptance', (s) => acceptance(s, { decision: 'accept' }, TOWN_STAFF, T0), 'submitted'],
    ['supplements', (s) => supplements(s, { supplied: ['户口簿复印件', '收入证明'] }, VILLAGE_STAFF, T0), 'returned'],
    ['investigation', (s) => investigation(s, investigated(T0), VILLAGE_STAFF, T0), 'investigation'],
    ['deliberation', (s) => deliberation(s, meeting(T0, 9, 7, 6), VILLAGE_STAFF, T0), 'deliberation'],
    ['review', (s) => review(s, { opinion: 'approve', reason: '符合条件' }, TOWN_STAFF, T0), 'town_review'],
    ['objection', (s) => objection(s, { text: '有车辆未申报' }, VILLAGE_STAFF, T0), 'notice'],
    ['approval', (s) => approval(s, approve('2026-11-01'), DISTRICT_STAFF, T0), 'district_approval'],
    ['reReview', (s) => reReview(s, { outcome: 'renew', reason: '情况未变' }, TOWN_STAFF, T0), 're_review'],
  ];
  const stages: (ApplicationStage)[] = ['submitted', 'returned', 'verification', 'investigation', 'deliberation', 'town_review', 'notice', 'district_approval', 'in_benefit', 're_review'];

  for (const [name, fn, allowed] of steps) {
    it(`${name} is a conflict at every stage but ${allowed}`, () => {
      for (const stage of stages.filter((x) => x !== allowed)) {
        const s = at(stage);
        const before = structuredClone(s);
        expectViolation(() => fn(s), 'conflict', new RegExp(`is at ${stage}`));
        expect(s, `${name} at ${stage} changed nothing`).toEqual(before);
      }
      expect(() => fn(at(allowed))).not.toThrow();
    });
  }

  it('every step on a closed application is a conflict naming it closed', () => {
    for (const [name, fn] of steps) {
      const s = at('closed');
      expectViolation(() => fn(s), 'conflict', /is closed/);
      expect(s.stage, name).toBe('closed');
    }
  });

  it('a manual verification result is taken after the fan-out, and replaces that department', () => {
    expectViolation(() => verificationResult(at('verification'), { department: 'civil_affairs', records: [] }, TOWN_STAFF, T0), 'conflict');
    const s = at('investigation');
    verificationResult(s, { department: 'civil_affairs', records: [] }, TOWN_STAFF, T0 + H);
    expect(s.verification.answers.map((a) => [a.department, a.status])).toEqual([
      ['hrss', 'answered'],
      ['civil_affairs', 'answered'],
    ]);
  });

  it('an investigation needs two different investigators, none of them a close relative', () => {
    const s = at('investigation', T0, { conflictedUsers: ['village.wang'] });
    expectViolation(() => investigation(s, investigated(T0, ['village.li']), VILLAGE_STAFF, T0), 'unprocessable', /at least 2/);
    expectViolation(() => investigation(s, investigated(T0, ['village.li', 'village.li']), VILLAGE_STAFF, T0), 'unprocessable', /at least 2/);
    expectViolation(() => investigation(s, investigated(T0, ['village.li', 'village.wang']), VILLAGE_STAFF, T0), 'forbidden', /village\.wang/);
    investigation(s, investigated(T0, ['village.li', 'village.zhang']), VILLAGE_STAFF, T0);
    expect(s.stage).toBe('deliberation');
  });

  it('a close relative may not investigate, deliberate, review, approve, extend or re-review', () => {
    const opts = { conflictedUsers: [VILLAGE_STAFF.userId, TOWN_STAFF.userId, TOWN_SUPERVISOR.userId, DISTRICT_STAFF.userId] };
    expectViolation(() => investigation(at('investigation', T0, opts), investigated(T0, ['village.zhang', 'village.zhou']), VILLAGE_STAFF, T0), 'forbidden', /close relative/);
    expectViolation(() => deliberation(at('deliberation', T0, opts), meeting(T0, 9, 7, 6), VILLAGE_STAFF, T0), 'forbidden');
    expectViolation(() => review(at('town_review', T0, opts), { opinion: 'approve', reason: '符合条件' }, TOWN_STAFF, T0), 'forbidden');
    expectViolation(() => extension(at('town_review', T0, opts), { stage: 'town_review', workingDays: 5, reason: '补充调查' }, TOWN_SUPERVISOR, T0), 'forbidden');
    expectViolation(() => approval(at('district_approval', T0, opts), approve('2026-11-01'), DISTRICT_STAFF, T0 + 8 * D), 'forbidden');
    expectViolation(() => reReview(at('re_review', T0, opts), { outcome: 'renew', reason: '情况未变' }, TOWN_STAFF, T0 + 400 * D), 'forbidden');
    // Acceptance is not among the acts barred to a relative (a filing is taken whoever is at the counter).
    expect(() => acceptance(at('submitted', T0, opts), { decision: 'accept' }, TOWN_STAFF, T0)).not.toThrow();
  });

  it('the step table names the roles the API checks', () => {
    expect(APPLICATION_STEPS.approval.roles).toEqual(['district_staff']);
    expect(APPLICATION_STEPS.extension.roles).toEqual(['town_supervisor', 'district_staff']);
    expect(APPLICATION_STEPS.review.roles).toEqual(['town_staff', 'town_supervisor']);
  });
});

describe('working-day deadlines on the holiday calendar', () => {
  it('the town has 15 working days from acceptance, across the Mid-Autumn break, National Day 2026 and a make-up Saturday', () => {
    const s = at('verification');
    // After Mon 09-21: 22 23 24 (1–3), 25–27 off, 28 29 30 (4–6), 10-01..07 off, 08 09 (7–8),
    // Sat 10-10 worked (9), 12 13 14 15 16 (10–14), Mon 10-19 (15) → the end of 10-19.
    expect(currentDeadline(s)).toMatchObject({ key: 'town_review#1', kind: 'application.town_review', opensAt: T0, dueAt: bj('2026-10-20T00:00:00') });
    // Plain Monday–Friday would have said the end of Monday 10-12.
    expect(bj('2026-10-20T00:00:00') - bj('2026-10-13T00:00:00')).toBe(7 * D);
  });

  it('the day of acceptance never counts, whatever the hour', () => {
    expect(currentDeadline(at('verification', bj('2026-09-21T00:00:00')))?.dueAt).toBe(bj('2026-10-20T00:00:00'));
    expect(currentDeadline(at('verification', bj('2026-09-21T23:59:59')))?.dueAt).toBe(bj('2026-10-20T00:00:00'));
    // 00:30 on Tuesday is Tuesday: one working day later.
    expect(currentDeadline(at('verification', bj('2026-09-22T00:30:00')))?.dueAt).toBe(bj('2026-10-21T00:00:00'));
  });

  it('the notice runs 7 days, then the district has 10 working days from its end (New Year 2027 skipped)', () => {
    const reviewAt = bj('2026-12-24T15:00:00');
    const s = at('town_review', reviewAt);
    review(s, { opinion: 'approve', reason: '符合条件' }, TOWN_STAFF, reviewAt);
    expect(s.stage).toBe('notice');
    expect(s.notices).toEqual([{ startedAt: reviewAt, endsAt: reviewAt + 7 * D, objections: [] }]);
    expect(currentDeadline(s)).toBeUndefined();
    expect(applicationWakeAt(s)).toBe(reviewAt + 7 * D);

    expect(advanceApplication(s, reviewAt + 7 * D - 1).events).toEqual([]);
    expect(s.stage).toBe('notice');
    const ended = advanceApplication(s, reviewAt + 7 * D);
    expect(ended.events.map((e) => e.type)).toEqual(['notice_ended', 'deadline_opened', 'stage_entered']);
    expect(s.stage).toBe('district_approval');
    // After Thu 12-31: 01-01..03 off, 04–08 (1–5), 11–15 (6–10) → the end of Fri 2027-01-15.
    expect(currentDeadline(s)).toMatchObject({ key: 'district_approval#1', opensAt: reviewAt + 7 * D, dueAt: bj('2027-01-16T00:00:00') });
  });

  it('an objection sends it back to verification with a decision due in 20 working days (Spring Festival 2027 skipped)', () => {
    const reviewAt = bj('2027-01-15T10:00:00');
    const s = at('notice', reviewAt);
    const o = bj('2027-01-20T09:00:00');
    const out = objection(s, { text: '该户有车辆未申报', from: '邻居' }, VILLAGE_STAFF, o);
    expect(s).toMatchObject({ stage: 'verification', verification: { pending: true, rounds: 1 } });
    // After Wed 01-20: 21 22 25 26 27 28 29 (1–7), Sun 01-31 worked (8), 02-01..04 (9–12), 02-05..12 off,
    // 15–19 (13–17), Sat 02-20 worked (18), 22 23 (19–20) → the end of Tue 2027-02-23.
    expect(s.objectionDecisionDue).toBe(bj('2027-02-24T00:00:00'));
    expect(currentDeadline(s)).toMatchObject({ key: 'objection#1', opensAt: o, dueAt: bj('2027-02-24T00:00:00') });
    expect(s.notices[0]).toMatchObject({ endedAt: o, objections: [{ at: o, text: '该户有车辆未申报', from: '邻居', by: VILLAGE_STAFF }] });
    expect(out.notices).toEqual([expect.objectContaining({ unit: TOWN, kind: 'stage' })]);

    // The second round of verification goes straight back to the town's review, then a second notice.
    verificationCompleted(s, ANSWERS, o + H);
    expect(s).toMatchObject({ stage: 'town_review', verification: { rounds: 2, pending: false } });
    expectViolation(() => extension(s, { stage: 'town_review', workingDays: 5, reason: '复核' }, TOWN_SUPERVISOR, o + H), 'unprocessable', /objection/);
    review(s, { opinion: 'approve', reason: '复核后仍符合条件' }, TOWN_STAFF, o + 2 * H);
    expect(s.notices).toHaveLength(2);
    // The objection deadline still runs through the second notice; no district deadline of its own.
    advanceApplication(s, o + 2 * H + 7 * D);
    expect(s.stage).toBe('district_approval');
    expect(currentDeadline(s)?.key).toBe('objection#1');
    approval(s, approve('2027-03-01'), DISTRICT_STAFF, o + 8 * D);
    expect(s.deadlines.map((d) => [d.key, d.metAt !== undefined])).toEqual([
      ['acceptance#1', true],
      ['town_review#1', true],
      ['objection#1', true],
    ]);
    expect(s.objectionDecisionDue).toBeUndefined();
  });

  it('a missed deadline escalates to the town at its due time, then one unit up every 2 days, up to the city', () => {
    const s = at('town_review');
    const due = bj('2026-10-20T00:00:00');
    const d = currentDeadline(s)!;
    expect(d.warnAt).toBe(T0 + Math.round((due - T0) * 0.75));
    expect(applicationWakeAt(s)).toBe(d.warnAt);
    expect(advanceApplication(s, d.warnAt).notices).toEqual([expect.objectContaining({ unit: VILLAGE, kind: 'at_risk' })]);
    expect(applicationWakeAt(s)).toBe(due);

    expect(advanceApplication(s, due - 1).events).toEqual([]);
    const first = advanceApplication(s, due);
    expect(first.events.map((e) => e.type)).toEqual(['overdue', 'escalated']);
    expect(first.notices).toEqual([expect.objectContaining({ unit: TOWN, kind: 'escalated' })]);
    expect(applicationWakeAt(s)).toBe(due + 2 * D);
    advanceApplication(s, due + 2 * D);
    advanceApplication(s, due + 4 * D);
    expect(s.escalations.map((e) => [e.rung, e.from.code, e.to.code, e.at, e.lateByMs])).toEqual([
      [1, VILLAGE.code, TOWN.code, due, 0],
      [2, TOWN.code, DISTRICT.code, due + 2 * D, 2 * D],
      [3, DISTRICT.code, CITY.code, due + 4 * D, 4 * D],
    ]);
    expect(applicationWakeAt(s)).toBeUndefined();

    // The late review meets the deadline and resolves every escalation.
    review(s, { opinion: 'approve', reason: '符合条件' }, TOWN_STAFF, due + 5 * D);
    expect(s.escalations.every((e) => e.resolution === 'met' && e.resolvedAt === due + 5 * D)).toBe(true);
  });
});

describe('extensions', () => {
  it('one town extension of at most 15 working days, by a town supervisor, before the deadline passes', () => {
    const s = at('deliberation');
    expectViolation(() => extension(s, { stage: 'town_review', workingDays: 10, reason: '补充调查' }, TOWN_STAFF, T0 + D), 'forbidden', /town_supervisor/);
    expectViolation(() => extension(s, { stage: 'town_review', workingDays: 16, reason: '补充调查' }, TOWN_SUPERVISOR, T0 + D), 'unprocessable', /at most 15/);
    expectViolation(() => extension(s, { stage: 'district_approval', workingDays: 5, reason: '补充调查' }, DISTRICT_STAFF, T0 + D), 'conflict');
    const out = extension(s, { stage: 'town_review', workingDays: 15, reason: '补充调查' }, TOWN_SUPERVISOR, T0 + D);
    // 15 more working days after Mon 10-19: 20–23, 26–30, 11-02..06, 11-09 → the end of Mon 2026-11-09.
    expect(currentDeadline(s)).toMatchObject({ key: 'town_review#1', opensAt: T0, dueAt: bj('2026-11-10T00:00:00') });
    expect(currentDeadline(s)?.warnAt).toBe(T0 + Math.round((bj('2026-11-10T00:00:00') - T0) * 0.75));
    expect(out.events).toEqual([expect.objectContaining({ type: 'extended', actor: TOWN_SUPERVISOR, data: { stage: 'town_review', workingDays: 15, dueAt: bj('2026-11-10T00:00:00'), reason: '补充调查' } })]);
    expect(s.decisions.map((x) => x.act)).toEqual(['accepted', 'extended']);
    expectViolation(() => extension(s, { stage: 'town_review', workingDays: 1, reason: '再延' }, TOWN_SUPERVISOR, T0 + 2 * D), 'conflict', /already extended/);
  });

  it('an extension after the at-risk warning warns again before the new due date', () => {
    const s = at('deliberation');
    const warned = currentDeadline(s)!.warnAt;
    expect(advanceApplication(s, warned).notices).toEqual([expect.objectContaining({ kind: 'at_risk' })]);
    extension(s, { stage: 'town_review', workingDays: 15, reason: '补充调查' }, TOWN_SUPERVISOR, warned + H);
    const moved = currentDeadline(s)!;
    expect(moved.warnAt).toBeGreaterThan(warned + H);
    expect(applicationWakeAt(s)).toBe(moved.warnAt);
    expect(advanceApplication(s, moved.warnAt - 1).notices).toEqual([]);
    expect(advanceApplication(s, moved.warnAt).notices).toEqual([expect.objectContaining({ kind: 'at_risk' })]);
  });

  it('an extension after the deadline passed is refused', () => {
    const s = at('investigation');
    advanceApplication(s, bj('2026-10-20T00:00:00'));
    expectViolation(() => extension(s, { stage: 'town_review', workingDays: 5, reason: '补充调查' }, TOWN_SUPERVISOR, bj('2026-10-20T09:00:00')), 'unprocessable', /already passed/);
  });

  it('one district extension of at most 10 working days, by the district', () => {
    const s = at('district_approval');
    const opensAt = currentDeadline(s)!.opensAt;
    expectViolation(() => extension(s, { stage: 'district_approval', workingDays: 11, reason: '复核' }, DISTRICT_STAFF, opensAt + H), 'unprocessable', /at most 10/);
    expectViolation(() => extension(s, { stage: 'district_approval', workingDays: 5, reason: '复核' }, TOWN_SUPERVISOR, opensAt + H), 'forbidden');
    extension(s, { stage: 'district_approval', workingDays: 10, reason: '复核' }, DISTRICT_STAFF, opensAt + H);
    expect(s.extensions).toEqual([{ stage: 'district_approval', workingDays: 10, reason: '复核', at: opensAt + H, by: DISTRICT_STAFF }]);
  });
});

describe('deliberation: quorum and approval by exact two thirds', () => {
  it('reaches compares fractions exactly', () => {
    const twoThirds = { num: 2, den: 3 };
    expect(reaches(6, 9, twoThirds)).toBe(true);
    expect(reaches(5, 9, twoThirds)).toBe(false);
    expect(reaches(4, 6, twoThirds)).toBe(true);
    expect(reaches(3, 6, twoThirds)).toBe(false);
    expect(reaches(0, 1, twoThirds)).toBe(false);
    for (let members = 1; members <= 60; members++) {
      for (let attendees = 0; attendees <= members; attendees++) expect(reaches(attendees, members, twoThirds)).toBe(3 * attendees >= 2 * members);
    }
    expect(POLICY.deliberation).toEqual({ attendance: twoThirds, approval: twoThirds });
  });

  it('5 of 9 present is no quorum: the application stays in deliberation for another meeting', () => {
    const s = at('deliberation');
    deliberation(s, { kind: 'schedule', scheduledAt: new Date(T0 + D).toISOString(), place: '海港社区会议室' }, VILLAGE_STAFF, T0);
    const out = deliberation(s, meeting(T0 + D, 9, 5, 5), VILLAGE_STAFF, T0 + D);
    expect(s.stage).toBe('deliberation');
    expect(out.events).toEqual([expect.objectContaining({ type: 'deliberated', data: expect.objectContaining({ quorate: false, approved: false }) })]);
    expect(s.meetings).toEqual([expect.objectContaining({ place: '海港社区会议室', attendees: 5, quorate: false, approved: false })]);

    // Exactly 6 of 9 is two thirds: quorate; 4 of the 6 for is two thirds of those present: approved.
    deliberation(s, meeting(T0 + 2 * D, 9, 6, 4, 2), VILLAGE_STAFF, T0 + 2 * D);
    expect(s.stage).toBe('town_review');
    expect(s.meetings).toHaveLength(2);
    expect(s.meetings[1]).toMatchObject({ attendees: 6, votesFor: 4, quorate: true, approved: true });
  });

  it('a quorate meeting that does not approve still goes to the town, which decides', () => {
    const s = at('deliberation');
    deliberation(s, meeting(T0, 9, 6, 3, 3), VILLAGE_STAFF, T0);
    expect(s.stage).toBe('town_review');
    expect(s.meetings[0]).toMatchObject({ quorate: true, approved: false });
  });

  it('a policy written as other fractions is used as written', () => {
    const policy = resolvePolicy({ applications: { deliberation: { attendance: '3/4', approval: '1/2' } } }, 'custom').applications;
    const s = at('deliberation', T0, { policy });
    deliberation(s, meeting(T0, 8, 5, 5), VILLAGE_STAFF, T0); // 5/8 < 3/4
    expect(s.stage).toBe('deliberation');
    deliberation(s, meeting(T0, 8, 6, 3, 3), VILLAGE_STAFF, T0); // 6/8 = 3/4, 3/6 = 1/2
    expect(s.meetings[1]).toMatchObject({ quorate: true, approved: true });
  });
});

describe('addMonths', () => {
  it('clamps to the end of a shorter month', () => {
    expect(addMonths('2027-01-31', 1)).toBe('2027-02-28');
    expect(addMonths('2026-03-31', 1)).toBe('2026-04-30');
    expect(addMonths('2026-08-31', 6)).toBe('2027-02-28');
    expect(addMonths('2026-05-30', 9)).toBe('2027-02-28');
    expect(addMonths('2026-12-15', 1)).toBe('2027-01-15');
    expect(addMonths('2026-03-31', -1)).toBe('2026-02-28');
  });

  it('knows leap years, including the century rules', () => {
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonths('2024-02-29', 12)).toBe('2025-02-28');
    expect(addMonths('2024-02-29', 48)).toBe('2028-02-29');
    expect(addMonths('1900-01-31', 1)).toBe('1900-02-28');
    expect(addMonths('2000-01-31', 1)).toBe('2000-02-29');
    expect(addMonths('2100-01-31', 1)).toBe('2100-02-28');
  });

  it('crosses year ends both ways and keeps zero-padding', () => {
    expect(addMonths('2026-10-31', 3)).toBe('2027-01-31');
    expect(addMonths('2026-11-30', 3)).toBe('2027-02-28');
    expect(addMonths('2026-01-05', -1)).toBe('2025-12-05');
    expect(addMonths('2026-01-05', 0)).toBe('2026-01-05');
    expect(addMonths('2026-12-01', 25)).toBe('2029-01-01');
  });
});

describe('approval and re-review', () => {
  const midnight = (day: string) => bj(`${day}T00:00:00`);

  it('approval records the decision and schedules the first re-review from the start date', () => {
    const s = at('district_approval');
    const when = s.notices[0]!.endsAt + H;
    const out = approval(s, approve('2026-11-01'), DISTRICT_STAFF, when);
    expect(s).toMatchObject({ stage: 'in_benefit', status: 'open', outcome: 'approved' });
    expect(s.benefit).toEqual({ category: 'minimum_subsistence', monthlyAmount: 890, startDate: '2026-11-01', nextReReviewAt: midnight('2027-11-01'), reReviews: 0 });
    expect(s.decisions.map((x) => x.act)).toEqual(['accepted', 'town_opinion', 'approved']);
    expect(s.decisions[2]).toEqual({ act: 'approved', at: when, by: DISTRICT_STAFF, what: { category: 'minimum_subsistence', monthlyAmount: 890, startDate: '2026-11-01' }, why: '经审批确认' });
    expect(out.notices).toEqual([expect.objectContaining({ unit: VILLAGE, kind: 'decided' })]);
  });

  it('a district rejection closes it with its notice and the appeal information', () => {
    const s = at('district_approval');
    approval(s, { decision: 'reject', reason: '收入超标', noticeText: '不予批准告知书', appealInformed: true }, DISTRICT_STAFF, s.notices[0]!.endsAt + H);
    expect(s).toMatchObject({ status: 'closed', stage: 'closed', outcome: 'rejected' });
    expect(s.decisions.at(-1)).toMatchObject({ act: 'rejected', what: { by: 'district', noticeText: '不予批准告知书', appealInformed: true }, why: '收入超标' });
    expect(applicationWakeAt(s)).toBeUndefined();
  });

  it('quarterly re-reviews keep to the schedule from the start date: month ends are not lost after a clamp', () => {
    const s = at('district_approval', T0, { labourCapacity: 'labour_capacity' });
    approval(s, approve('2026-12-31'), DISTRICT_STAFF, s.notices[0]!.endsAt + H);
    const expected = ['2027-03-31', '2027-06-30', '2027-09-30', '2027-12-31', '2028-03-31', '2028-06-30', '2028-09-30', '2028-12-31', '2029-03-31'];
    expect(s.benefit?.nextReReviewAt).toBe(midnight(expected[0]!));
    for (let i = 0; i < 8; i++) {
      const due = s.benefit!.nextReReviewAt;
      expect(applicationWakeAt(s)).toBe(due);
      advanceApplication(s, due);
      expect(s.stage).toBe('re_review');
      expect(currentDeadline(s)?.key).toBe(`re_review#${i + 1}`);
      // Handled late (a week after the date): the next date does not move with it.
      reReview(s, { outcome: 'renew', reason: '情况未变' }, TOWN_STAFF, due + 7 * D);
      expect(s.stage).toBe('in_benefit');
      expect(s.benefit?.nextReReviewAt, `after re-review ${i + 1}`).toBe(midnight(expected[i + 1]!));
    }
    expect(s.benefit?.reReviews).toBe(8);
  });

  it('yearly re-reviews from 29 February come back to 29 February in the next leap year', () => {
    const s = at('district_approval');
    approval(s, approve('2024-02-29'), DISTRICT_STAFF, s.notices[0]!.endsAt + H);
    const dates: string[] = [];
    for (let i = 0; i < 4; i++) {
      dates.push(new Date(s.benefit!.nextReReviewAt + 8 * H).toISOString().slice(0, 10));
      advanceApplication(s, s.benefit!.nextReReviewAt);
      reReview(s, { outcome: 'renew', reason: '情况未变' }, TOWN_STAFF, s.benefit!.nextReReviewAt + H);
    }
    expect(dates).toEqual(['2025-02-28', '2026-02-28', '2027-02-28', '2028-02-29']);
  });

  it('a change of labour capacity changes the cadence; a re-review takes 20 working days; a stop closes it', () => {
    const s = at('re_review', T0, { labourCapacity: 'labour_capacity', startDate: '2026-11-01' });
    const due = midnight('2027-02-01');
    expect(currentDeadline(s)).toMatchObject({ key: 're_review#1', opensAt: due });
    // After Mon 02-01: 02-02..04 (1–3), 02-05..12 off, 15–19 (4–8), Sat 02-20 worked (9), 22–26 (10–14), 03-01..05 (15–19), 03-08 (20).
    expect(currentDeadline(s)?.dueAt).toBe(midnight('2027-03-09'));
    reReview(s, { outcome: 'change', reason: '因病丧失劳动能力', labourCapacity: 'illness_or_disability', monthlyAmount: 950 }, TOWN_STAFF, due + D);
    expect(s.labourCapacity).toBe('illness_or_disability');
    expect(s.benefit).toMatchObject({ monthlyAmount: 950, reReviews: 1, nextReReviewAt: midnight('2027-08-01') });
    expect(s.decisions.at(-1)).toMatchObject({ act: 're_review_change', what: { monthlyAmount: 950, labourCapacity: 'illness_or_disability' } });

    advanceApplication(s, midnight('2027-08-01'));
    const out = reReview(s, { outcome: 'stop', reason: '家庭收入超过标准' }, TOWN_STAFF, midnight('2027-08-02'));
    expect(s).toMatchObject({ status: 'closed', stage: 'closed', outcome: 'stopped' });
    expect(s.deadlines.at(-1)).toMatchObject({ key: 're_review#2', metAt: midnight('2027-08-02') });
    expect(out.notices).toEqual([expect.objectContaining({ unit: VILLAGE, kind: 'decided' })]);
    expect(s.decisions.map((x) => x.act)).toEqual(['accepted', 'town_opinion', 'approved', 're_review_change', 're_review_stop']);
  });
});

describe('withdrawal', () => {
  const before: (ApplicationStage)[] = ['submitted', 'returned', 'verification', 'investigation', 'deliberation', 'town_review', 'notice', 'district_approval'];
  for (const stage of before) {
    it(`is taken at ${stage}, before the decision: closed, withdrawn, its deadline ended`, () => {
      const s = at(stage);
      const open = currentDeadline(s);
      const t = stage === 'district_approval' ? s.notices[0]!.endsAt + H : T0 + H;
      withdrawal(s, { reason: '申请人撤回' }, VILLAGE_STAFF, t);
      expect(s).toMatchObject({ status: 'closed', stage: 'closed', outcome: 'withdrawn' });
      expect(s.decisions.at(-1)).toEqual({ act: 'withdrawn', at: t, by: VILLAGE_STAFF, what: {}, why: '申请人撤回' });
      if (open) expect(open).toMatchObject({ endedAt: t, endReason: 'closed' });
      expect(applicationWakeAt(s)).toBeUndefined();
      expect(advanceApplication(s, t + 365 * D)).toEqual({ events: [], notices: [] });
    });
  }

  it('is refused once decided: in benefit, at re-review, or closed', () => {
    for (const stage of ['in_benefit', 're_review', 'closed'] as const) {
      const s = at(stage);
      expectViolation(() => withdrawal(s, { reason: '申请人撤回' }, VILLAGE_STAFF, T0 + 500 * D), 'conflict');
    }
    const rejected = at('town_review');
    review(rejected, { opinion: 'reject', reason: '收入超标', noticeText: '不予通过告知书' }, TOWN_STAFF, T0 + H);
    expect(rejected).toMatchObject({ status: 'closed', outcome: 'rejected' });
    expectViolation(() => withdrawal(rejected, { reason: '申请人撤回' }, VILLAGE_STAFF, T0 + 2 * H), 'conflict', /closed/);
  });
});

describe('dates a step declares, against the case (issue 11 item 5; the workflow validator\'s gate)', () => {
  const s = submit(T0);
  const now = T0 + 10 * 86_400_000;
  const refused = (input: object) => {
    try {
      checkApplicationDates(s, input, now);
    } catch (err) {
      return err instanceof RuleViolation ? `${err.reason}: ${err.message.split(':')[0]}` : String(err);
    }
    return 'accepted';
  };

  it('an investigation or a meeting held in 1900 or 2999, or before the application\'s day, is refused naming the field', () => {
    expect(refused({ visitedAt: '1900-01-01T00:00:00+08:00' })).toBe('date_out_of_range: visitedAt');
    expect(refused({ visitedAt: '2999-01-01T00:00:00+08:00' })).toBe('date_out_of_range: visitedAt');
    expect(refused({ visitedAt: '2026-09-20T23:59:00+08:00' })).toBe('date_out_of_range: visitedAt');
    expect(refused({ heldAt: '1900-01-01T00:00:00+08:00' })).toBe('date_out_of_range: heldAt');
    expect(refused({ heldAt: new Date(now + 3_600_000).toISOString() })).toBe('date_out_of_range: heldAt');
    expect(refused({ scheduledAt: '2999-01-01T00:00:00+08:00' })).toBe('date_out_of_range: scheduledAt');
    expect(refused({ startDate: '2999-01-01' })).toBe('date_out_of_range: startDate');
    expect(refused({ startDate: '1900-01-01' })).toBe('date_out_of_range: startDate');
  });

  it('the application\'s own day, now, a meeting next month and a benefit from next month pass', () => {
    expect(refused({ visitedAt: '2026-09-21T08:00:00+08:00' })).toBe('accepted');
    expect(refused({ visitedAt: new Date(now).toISOString(), heldAt: new Date(now - 60_000).toISOString() })).toBe('accepted');
    expect(refused({ scheduledAt: new Date(now + 30 * 86_400_000).toISOString(), startDate: '2026-11-01' })).toBe('accepted');
  });

  it('the steps that carry dates name the check as their gate', () => {
    for (const name of ['investigation', 'deliberation', 'approval'] as const) expect(APPLICATION_STEPS[name].gate, name).toBeTypeOf('function');
  });
});

describe('a manual verification result (issue 11 item 9, 10)', () => {
  const base = { department: 'hrss', records: [{ idNumber: '371002195001010017', kind: 'pension', description: '养老金', monthlyIncome: 210 }] };
  it('names a known department and real ID numbers', () => {
    expect(zVerificationResultInput.safeParse(base).success).toBe(true);
    expect(zVerificationResultInput.safeParse({ ...base, department: '随便写的部门' }).success).toBe(false);
    const notAnId = zVerificationResultInput.safeParse({ ...base, records: [{ ...base.records[0], idNumber: 'not-an-id' }] });
    expect(notAnId.success).toBe(false);
    expect(notAnId.error?.issues[0]?.path).toEqual(['records', 0, 'idNumber']);
    // A wrong check digit.
    expect(zVerificationResultInput.safeParse({ ...base, records: [{ ...base.records[0], idNumber: '371002195001010018' }] }).success).toBe(false);
  });

  it('bounds amounts by meaning, in whole fen', () => {
    for (const monthlyIncome of [1e308, 10_000_000.01, -1, 0.001, Number.POSITIVE_INFINITY]) expect(zVerificationResultInput.safeParse({ ...base, records: [{ ...base.records[0], monthlyIncome }] }).success, String(monthlyIncome)).toBe(false);
    expect(zVerificationResultInput.safeParse({ ...base, records: [{ ...base.records[0], monthlyIncome: 10_000_000, assetValue: 10_000_000_000 }] }).success).toBe(true);
    const approve = { decision: 'approve', category: '低保', startDate: '2026-12-01', reason: '符合条件' };
    for (const monthlyAmount of [0, 0.001, 100_000.01, 1e308]) expect(zApprovalInput.safeParse({ ...approve, monthlyAmount }).success, String(monthlyAmount)).toBe(false);
    expect(zApprovalInput.safeParse({ ...approve, monthlyAmount: 1234.56 }).success).toBe(true);
  });
});

describe('applicationStepRules: what the workspace shows on each step’s form (issue 14)', () => {
  /** A valid input of each step (several where the input chooses the stage: an extension). */
  const INPUTS: Record<keyof typeof APPLICATION_STEPS, unknown[]> = {
    acceptance: [{ decision: 'accept' }],
    supplements: [{ supplied: ['户口簿复印件', '收入证明'] }],
    verificationResult: [{ department: 'civil_affairs', records: [] }],
    investigation: [investigated(T0)],
    deliberation: [meeting(T0, 9, 7, 6, 1)],
    review: [{ opinion: 'approve', reason: '符合条件' }],
    objection: [{ text: '有异议' }],
    approval: [approve('2026-11-01')],
    extension: [
      { stage: 'town_review', workingDays: 1, reason: '核查' },
      { stage: 'district_approval', workingDays: 1, reason: '核查' },
    ],
    withdrawal: [{ reason: '申请人撤回' }],
    reReview: [{ outcome: 'renew', reason: '情况未变' }],
  };
  const STAGES: ApplicationStage[] = [...ORDER, 'returned', 'closed'];
  /** Whether the step's check refuses the application for its stage (or for being closed), whatever else it checks. */
  const refusedForStage = (step: keyof typeof APPLICATION_STEPS, stage: ApplicationStage) =>
    INPUTS[step].every((input) => {
      try {
        (APPLICATION_STEPS[step].check as (s: ApplicationState, i: unknown, a: Actor) => void)(at(stage), input, { userId: 'admin.x', role: 'admin', unitCode: CITY.code });
        return false;
      } catch (err) {
        return err instanceof RuleViolation && /is at |is closed/.test(err.message);
      }
    });

  it('names, for every step, exactly the stages its check accepts, and the matrix’s roles', () => {
    const rules = applicationStepRules(POLICY);
    expect(rules.map((r) => r.step).sort()).toEqual(Object.keys(APPLICATION_STEPS).sort());
    for (const r of rules) {
      for (const stage of STAGES) expect(refusedForStage(r.step, stage), `${r.step} at ${stage}`).toBe(!r.stages.includes(stage));
      expect(r.roles).toEqual(APPLICATION_STEPS[r.step].roles);
      expect(r.path).toBe(APPLICATION_STEPS[r.step].path);
      expect(r.rules.length).toBeGreaterThan(0);
      for (const rule of r.rules) expect(rule.source.length).toBeGreaterThan(0);
    }
  });

  it('states the policy’s numbers, so a city’s own policy shows', () => {
    const own = resolvePolicy({ applications: { minInvestigators: 3, acceptanceWorkingDays: 5, notice: 'P10D', deliberation: { attendance: '3/4', approval: '1/2' } } }, 'own').applications;
    const text = (step: string) => applicationStepRules(own).find((r) => r.step === step)!.rules.map((r) => r.text).join('\n');
    expect(text('investigation')).toContain('入户调查不少于3人');
    expect(text('acceptance')).toContain('5个工作日内');
    expect(text('objection')).toContain('公示期10天');
    expect(text('deliberation')).toContain('3/4');
    expect(text('deliberation')).toContain('1/2');
    expect(applicationStepRules(POLICY).find((r) => r.step === 'investigation')!.rules[0]).toEqual({ text: '入户调查不少于2人', source: '民发〔2021〕57号（国家做法）' });
  });
});
