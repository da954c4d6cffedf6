import { describe, expect, it } from 'vitest';
import {
  acknowledge,
  advanceAlert,
  checkCloseEvidence,
  checkDirect,
  checkDisposeOrder,
  checkRequest,
  decideRequest,
  dispose,
  requestChange,
  alertView,
  alertWakeAt,
  changeLevel,
  close,
  currentDeadline,
  openAlert,
  recordVisit,
  repolicy,
  RuleViolation,
  type Actor,
  type AlertState,
  type VisitInput,
} from '../../domain/alert';
import { outcomeOf } from '../../domain/deadlines';
import type { UnitRef } from '../../domain/org';
import { resolvePolicy, type AlertLevel, type AlertPolicy } from '../../domain/policy';

// A fake clock: plain milliseconds. The alert opens at T0.
const H = 3_600_000;
const D = 24 * H;
const T0 = Date.UTC(2026, 2, 2, 8, 0, 0);

const VILLAGE: UnitRef = { code: '371002001001', name: '海港社区居委会', level: 'village' };
const TOWN: UnitRef = { code: '371002001', name: '鲸园街道', level: 'town' };
const DISTRICT: UnitRef = { code: '371002', name: '环翠区', level: 'district' };
const CITY: UnitRef = { code: '371000', name: '威海市', level: 'city' };
const LADDER = [VILLAGE, TOWN, DISTRICT, CITY];
const STAFF: Actor = { userId: 'u1', role: 'village_staff', unitCode: VILLAGE.code };
const POLICY: AlertPolicy = resolvePolicy(undefined, 'default').alerts;

function open(level: AlertLevel, at = T0): AlertState {
  return openAlert({ alertId: 'alert-hh1-1', householdId: 'hh1', level, reasons: ['重病'], unit: VILLAGE, ladder: LADDER, policy: POLICY, actor: STAFF }, at).state;
}

/** A visit declared at `visitedAt` (defaults to the moment it is recorded). */
const visit = (visitedAt: number): VisitInput => ({ visitors: ['李四'], visitedAt: new Date(visitedAt).toISOString(), outcome: 'stable', notes: '' });

/** Records a visit made and entered at `at`. */
const visitAt = (s: AlertState, at: number) => recordVisit(s, visit(at), STAFF, at);

/** Drives the alert the way the workflow does: wake at each alertWakeAt up to `until`. */
function runUntil(s: AlertState, until: number) {
  const events = [];
  const notices = [];
  for (let wake = alertWakeAt(s); wake !== undefined && wake <= until; wake = alertWakeAt(s)) {
    const out = advanceAlert(s, wake);
    events.push(...out.events);
    notices.push(...out.notices);
  }
  return { events, notices };
}

function expectViolation(fn: () => unknown, type: RuleViolation['type'], message?: RegExp) {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(RuleViolation);
  expect((caught as RuleViolation).type).toBe(type);
  if (message) expect((caught as RuleViolation).message).toMatch(message);
}

describe('openAlert', () => {
  it('sets the level deadline from the policy and tells the responsible unit', () => {
    const { state, events, notices } = openAlert(
      { alertId: 'a1', householdId: 'hh1', level: 'red', reasons: ['重病', '独居'], unit: VILLAGE, ladder: LADDER, policy: POLICY, actor: STAFF },
      T0,
    );
    expect(state.deadlines).toEqual([
      expect.objectContaining({ key: 'red#1', kind: 'alert.red', opensAt: T0, dueAt: T0 + 24 * H, warnAt: T0 + 18 * H, escalateEveryMs: 24 * H }),
    ]);
    expect(state.levelHistory).toEqual([{ from: null, to: 'red', at: T0, by: STAFF, reason: '重病；独居' }]);
    expect(events).toEqual([
      { type: 'opened', at: T0, actor: STAFF, data: { level: 'red', reasons: ['重病', '独居'], policyVersion: 'default' } },
      { type: 'deadline_opened', at: T0, actor: STAFF, data: { deadline: 'red#1', kind: 'alert.red', label: '红色预警：受理并处置', opensAt: T0, dueAt: T0 + 24 * H } },
    ]);
    expect(notices).toEqual([expect.objectContaining({ unit: VILLAGE, kind: 'opened' })]);
    expect(alertWakeAt(state)).toBe(T0 + 18 * H);
  });

  it('uses each level its own durations', () => {
    expect(currentDeadline(open('orange'))).toMatchObject({ dueAt: T0 + 72 * H, warnAt: T0 + 54 * H, escalateEveryMs: 48 * H });
    expect(currentDeadline(open('yellow'))).toMatchObject({ key: 'yellow#1', dueAt: T0 + 7 * D, escalateEveryMs: 3 * D });
  });
});

describe('advanceAlert', () => {
  it('warns the responsible unit at 75 % and sends each escalation to the unit it reaches', () => {
    const s = open('red');
    const warned = advanceAlert(s, T0 + 18 * H);
    expect(warned.events).toEqual([{ type: 'at_risk', at: T0 + 18 * H, data: { deadline: 'red#1', dueAt: T0 + 24 * H } }]);
    expect(warned.notices).toEqual([expect.objectContaining({ unit: VILLAGE, kind: 'at_risk' })]);
    expect(alertView(s, T0 + 18 * H)).toMatchObject({ atRisk: true, overdue: false });

    const { events, notices } = runUntil(s, T0 + 1000 * H);
    expect(events.map((e) => e.type)).toEqual(['overdue', 'escalated', 'escalated', 'escalated']);
    expect(events.filter((e) => e.type === 'escalated').map((e) => e.data)).toEqual([
      { rung: 1, from: VILLAGE.code, to: TOWN.code, deadline: 'red#1', lateByMs: 0 },
      { rung: 2, from: TOWN.code, to: DISTRICT.code, deadline: 'red#1', lateByMs: 24 * H },
      { rung: 3, from: DISTRICT.code, to: CITY.code, deadline: 'red#1', lateByMs: 48 * H },
    ]);
    expect(notices.map((n) => [n.kind, n.unit.code])).toEqual([
      ['escalated', TOWN.code],
      ['escalated', DISTRICT.code],
      ['escalated', CITY.code],
    ]);
    expect(alertWakeAt(s)).toBeUndefined();
    const view = alertView(s, T0 + 80 * H);
    expect(view).toMatchObject({ overdue: true, overdueByMs: 56 * H, rung: 3, escalatedTo: CITY, atRisk: false });
  });
});

describe('red: acknowledgement and visit', () => {
  it('is not met by an acknowledgement alone, nor by a visit alone', () => {
    const acked = open('red');
    expect(acknowledge(acked, {}, STAFF, T0 + H).events.map((e) => e.type)).toEqual(['acknowledged']);
    expect(currentDeadline(acked)?.metAt).toBeUndefined();

    const visited = open('red');
    expect(visitAt(visited, T0 + H).events.map((e) => e.type)).toEqual(['visit_recorded']);
    expect(currentDeadline(visited)?.metAt).toBeUndefined();
  });

  it('is met by the second of the two, on time before 24 h', () => {
    const s = open('red');
    acknowledge(s, { note: '已受理' }, STAFF, T0 + 2 * H);
    const out = visitAt(s, T0 + 23 * H);
    expect(out.events.map((e) => e.type)).toEqual(['visit_recorded', 'deadline_met']);
    expect(out.events[1]?.data).toEqual({ deadline: 'red#1', dueAt: T0 + 24 * H, lateByMs: 0, resolvedEscalations: 0 });
    expect(s.deadlines).toHaveLength(1);
    expect(s.deadlines[0]).toMatchObject({ metAt: T0 + 23 * H });
    expect(outcomeOf(s.deadlines[0]!)).toBe('on_time');
    expect(s.acknowledgement).toEqual({ at: T0 + 2 * H, by: STAFF, note: '已受理' });
    expect(alertWakeAt(s)).toBeUndefined();
    expect(runUntil(s, T0 + 1000 * H).events).toEqual([]);
  });

  it('does not count a visit recorded before the red deadline opened', () => {
    const s = open('yellow');
    acknowledge(s, {}, STAFF, T0 + H);
    visitAt(s, T0 + 2 * H); // meets yellow#1
    changeLevel(s, 'red', '病情加重', STAFF, T0 + 3 * H);
    expect(currentDeadline(s)).toMatchObject({ key: 'red#1', opensAt: T0 + 3 * H });
    // Acknowledged and visited, but the visit predates the red deadline: still pending.
    expect(currentDeadline(s)?.metAt).toBeUndefined();
    visitAt(s, T0 + 4 * H);
    expect(s.deadlines.find((d) => d.key === 'red#1')?.metAt).toBe(T0 + 4 * H);
  });
});

describe('recordVisit', () => {
  it('counts at recordedAt, not at the declared visitedAt', () => {
    const s = open('orange');
    runUntil(s, T0 + 72 * H); // warned, breached, escalated to the town
    const out = recordVisit(s, visit(T0 + 70 * H), STAFF, T0 + 75 * H);
    expect(s.visits).toEqual([{ visitors: ['李四'], visitedAt: T0 + 70 * H, recordedAt: T0 + 75 * H, outcome: 'stable', notes: '', by: STAFF }]);
    const d = s.deadlines[0]!;
    expect(d.metAt).toBe(T0 + 75 * H);
    expect(outcomeOf(d)).toBe('late');
    expect(out.events[1]?.data).toEqual({ deadline: 'orange#1', dueAt: T0 + 72 * H, lateByMs: 3 * H, resolvedEscalations: 1 });
    expect(s.escalations).toEqual([expect.objectContaining({ rung: 1, to: TOWN, resolvedAt: T0 + 75 * H, resolution: 'met' })]);
  });

  it('a visit entered in time counts on time even when declared earlier', () => {
    const s = open('orange');
    recordVisit(s, visit(T0 + H), STAFF, T0 + 71 * H);
    expect(outcomeOf(s.deadlines[0]!)).toBe('on_time');
  });

  it('refuses a visit declared in the future, beyond five minutes of clock skew', () => {
    const s = open('orange');
    const now = T0 + 10 * H;
    expectViolation(() => recordVisit(s, visit(now + 6 * 60_000), STAFF, now), 'unprocessable', /future/);
    expect(s.visits).toEqual([]);
    recordVisit(s, visit(now + 4 * 60_000), STAFF, now);
    expect(s.visits).toHaveLength(1);
  });

  it('refuses a visit declared more than a day before the alert opened', () => {
    const s = open('orange');
    expectViolation(() => recordVisit(s, visit(T0 - 25 * H), STAFF, T0 + H), 'unprocessable', /before the alert was opened/);
  });
});

describe('yellow cycles', () => {
  it('after an on-time visit, the next cycle starts at the next weekly boundary', () => {
    const s = open('yellow');
    visitAt(s, T0 + 2 * D);
    expect(s.deadlines.map((d) => [d.key, d.opensAt, d.dueAt, d.metAt])).toEqual([
      ['yellow#1', T0, T0 + 7 * D, T0 + 2 * D],
      ['yellow#2', T0 + 7 * D, T0 + 14 * D, undefined],
    ]);
    // The next cycle warns at 75 % of its own week.
    expect(alertWakeAt(s)).toBe(T0 + 7 * D + Math.round(0.75 * 7 * D));

    // A second visit in the same week does not count for next week's cycle.
    visitAt(s, T0 + 5 * D);
    expect(s.deadlines).toHaveLength(2);
    expect(s.deadlines[1]?.metAt).toBeUndefined();

    // A visit in week two meets it, and week three follows.
    visitAt(s, T0 + 8 * D);
    expect(s.deadlines.map((d) => d.key)).toEqual(['yellow#1', 'yellow#2', 'yellow#3']);
    expect(outcomeOf(s.deadlines[1]!)).toBe('on_time');
    expect(s.deadlines[2]).toMatchObject({ opensAt: T0 + 14 * D, dueAt: T0 + 21 * D });
  });

  it('after a late visit, the cycle the visit falls in is covered and the next one starts after it', () => {
    const s = open('yellow');
    const { notices } = runUntil(s, T0 + 11 * D); // rung 1 at day 7, rung 2 at day 10
    expect(notices.filter((n) => n.kind === 'escalated').map((n) => n.unit.code)).toEqual([TOWN.code, DISTRICT.code]);
    const out = visitAt(s, T0 + 11 * D);
    expect(out.events[1]?.data).toEqual({ deadline: 'yellow#1', dueAt: T0 + 7 * D, lateByMs: 4 * D, resolvedEscalations: 2 });
    expect(outcomeOf(s.deadlines[0]!)).toBe('late');
    expect(s.deadlines[1]).toMatchObject({ key: 'yellow#2', opensAt: T0 + 14 * D, dueAt: T0 + 21 * D });
    expect(s.escalations.every((e) => e.resolution === 'met' && e.resolvedAt === T0 + 11 * D)).toBe(true);
    expect(alertView(s, T0 + 11 * D)).toMatchObject({ overdue: false, rung: 0, escalatedTo: null });
  });
});

describe('changeLevel', () => {
  it('raising from yellow to red mid-cycle starts the red 24 h from the raise', () => {
    const s = open('yellow');
    const at = T0 + 3 * D + 5 * H;
    const out = changeLevel(s, 'red', '病情加重', STAFF, at);
    expect(s.level).toBe('red');
    expect(s.levelSetAt).toBe(at);
    expect(s.deadlines[0]).toMatchObject({ key: 'yellow#1', endedAt: at, endReason: 'level_changed' });
    expect(outcomeOf(s.deadlines[0]!)).toBe('not_due');
    expect(s.deadlines[1]).toMatchObject({ key: 'red#1', opensAt: at, dueAt: at + 24 * H, warnAt: at + 18 * H });
    expect(out.events).toEqual([
      { type: 'level_changed', at, actor: STAFF, data: { from: 'yellow', to: 'red', reason: '病情加重' } },
      { type: 'deadline_ended', at, actor: STAFF, data: { deadline: 'yellow#1', dueAt: T0 + 7 * D, reason: 'level_changed', late: false, resolvedEscalations: 0 } },
      { type: 'deadline_opened', at, actor: STAFF, data: { deadline: 'red#1', kind: 'alert.red', label: '红色预警：受理并处置', opensAt: at, dueAt: at + 24 * H } },
    ]);
    expect(out.notices).toEqual([expect.objectContaining({ unit: VILLAGE, kind: 'level_raised' })]);
    expect(s.levelHistory.at(-1)).toEqual({ from: 'yellow', to: 'red', at, by: STAFF, reason: '病情加重' });

    const { notices } = runUntil(s, at + 24 * H);
    expect(notices).toEqual([expect.objectContaining({ kind: 'at_risk' }), expect.objectContaining({ kind: 'escalated', unit: TOWN })]);
    expect(s.escalations).toEqual([expect.objectContaining({ deadlineKey: 'red#1', dueAt: at + 24 * H, at: at + 24 * H, lateByMs: 0 })]);
  });

  it('lowering after a breach keeps the breach counted late and resolves its escalations as level_changed', () => {
    const s = open('red');
    runUntil(s, T0 + 50 * H); // rungs 1 and 2
    const at = T0 + 50 * H;
    const out = changeLevel(s, 'yellow', '已稳定', STAFF, at);
    expect(out.notices).toEqual([]);
    const red = s.deadlines[0]!;
    expect(red).toMatchObject({ endedAt: at, endReason: 'level_changed' });
    expect(red.metAt).toBeUndefined();
    expect(outcomeOf(red)).toBe('late');
    expect(s.escalations).toHaveLength(2);
    for (const e of s.escalations) expect(e).toMatchObject({ resolvedAt: at, resolution: 'level_changed' });
    expect(s.deadlines[1]).toMatchObject({ key: 'yellow#1', opensAt: at, dueAt: at + 7 * D });
    expect(alertView(s, at)).toMatchObject({ level: 'yellow', overdue: false, rung: 0, escalatedTo: null, dueAt: new Date(at + 7 * D).toISOString() });
    // The escalation history is kept, not erased.
    expect(alertView(s, at).escalations.map((e) => e.rung)).toEqual([1, 2]);
  });

  it('refuses a change to the current level', () => {
    expectViolation(() => changeLevel(open('orange'), 'orange', 'x', STAFF, T0), 'conflict');
  });
});

describe('close', () => {
  it('ends the open deadline, resolves its escalations and stops every wake', () => {
    const s = open('red');
    runUntil(s, T0 + 30 * H);
    const out = close(s, { reason: 'resolved', note: '已处置' }, STAFF, T0 + 31 * H);
    expect(out.events).toEqual([
      { type: 'closed', at: T0 + 31 * H, actor: STAFF, data: { reason: 'resolved' } },
      { type: 'deadline_ended', at: T0 + 31 * H, actor: STAFF, data: { deadline: 'red#1', dueAt: T0 + 24 * H, reason: 'closed', late: true, resolvedEscalations: 1 } },
    ]);
    expect(s.status).toBe('closed');
    expect(s.closure).toEqual({ reason: 'resolved', note: '已处置', at: T0 + 31 * H, by: STAFF });
    expect(s.deadlines[0]).toMatchObject({ endedAt: T0 + 31 * H, endReason: 'closed' });
    expect(outcomeOf(s.deadlines[0]!)).toBe('late');
    expect(s.escalations[0]).toMatchObject({ resolution: 'closed', resolvedAt: T0 + 31 * H });
    expect(alertWakeAt(s)).toBeUndefined();
    expect(advanceAlert(s, T0 + 1000 * H)).toEqual({ events: [], notices: [] });
    expect(alertView(s, T0 + 1000 * H)).toMatchObject({ status: 'closed', overdue: false, due: null, rung: 0 });
  });

  it('refuses every action on a closed alert as a conflict', () => {
    const s = open('red');
    close(s, { reason: 'moved_away' }, STAFF, T0 + H);
    const now = T0 + 2 * H;
    expectViolation(() => acknowledge(s, {}, STAFF, now), 'conflict', /closed/);
    expectViolation(() => recordVisit(s, visit(now), STAFF, now), 'conflict', /closed/);
    expectViolation(() => changeLevel(s, 'yellow', 'x', STAFF, now), 'conflict', /closed/);
    expectViolation(() => close(s, { reason: 'resolved' }, STAFF, now), 'conflict', /closed/);
    expectViolation(() => repolicy(s, { ...POLICY, version: 'v2' }, STAFF, now), 'conflict', /closed/);
    expect(s.visits).toEqual([]);
    expect(s.acknowledgement).toBeUndefined();
  });
});

describe('acknowledge', () => {
  it('refuses a second acknowledgement as a conflict', () => {
    const s = open('red');
    acknowledge(s, {}, STAFF, T0 + H);
    expectViolation(() => acknowledge(s, {}, STAFF, T0 + 2 * H), 'conflict', /already acknowledged/);
    expect(s.acknowledgement?.at).toBe(T0 + H);
  });
});

describe('repolicy', () => {
  const tighter = (version: string): AlertPolicy => ({
    version,
    levels: { ...POLICY.levels, red: { dueMs: 12 * H, escalateEveryMs: 6 * H, warnAt: 0.5 } },
  });

  it('recomputes the open deadline from when it opened under the new durations', () => {
    const s = open('red');
    const out = repolicy(s, tighter('v2'), STAFF, T0 + 2 * H);
    expect(out.events).toEqual([{ type: 'repolicied', at: T0 + 2 * H, actor: STAFF, data: { from: 'default', to: 'v2' } }]);
    expect(currentDeadline(s)).toMatchObject({ key: 'red#1', opensAt: T0, dueAt: T0 + 12 * H, warnAt: T0 + 6 * H, escalateEveryMs: 6 * H });
    expect(s.policyHistory).toEqual([{ from: 'default', to: 'v2', at: T0 + 2 * H, by: STAFF }]);
    expect(alertWakeAt(s)).toBe(T0 + 6 * H);
    expectViolation(() => repolicy(s, tighter('v2'), STAFF, T0 + 3 * H), 'conflict', /already follows/);
  });

  it('a tightened deadline may fall due at once', () => {
    const s = open('red');
    repolicy(s, tighter('v2'), STAFF, T0 + 13 * H);
    expect(alertWakeAt(s)).toBe(T0 + 6 * H);
    const out = advanceAlert(s, T0 + 13 * H);
    expect(out.events.map((e) => e.type)).toEqual(['overdue', 'escalated']);
    expect(s.escalations[0]).toMatchObject({ dueAt: T0 + 12 * H, lateByMs: H });
  });

  it('keeps the due time of a deadline already breached, taking only the new escalation pace', () => {
    const s = open('red');
    runUntil(s, T0 + 24 * H);
    repolicy(s, tighter('v2'), STAFF, T0 + 25 * H);
    expect(currentDeadline(s)).toMatchObject({ dueAt: T0 + 24 * H, escalateEveryMs: 6 * H });
    expect(alertWakeAt(s)).toBe(T0 + 30 * H);
  });
});

describe('no quiet defusing and follow-up (issue 12)', () => {
  const SUPERVISOR: Actor = { userId: 'sup', role: 'town_supervisor', unitCode: TOWN.code };
  const TOWN_STAFF: Actor = { userId: 'ts', role: 'town_staff', unitCode: TOWN.code };
  const withFollowUp = (level: AlertLevel) => ({ ...open(level), followUp: true });

  it('a lowering or an early closure is for the town supervisor and above; others request it', () => {
    const s = withFollowUp('orange');
    expectViolation(() => checkDirect(s, STAFF, { lower: 'yellow' }, T0 + H), 'forbidden', /approval/);
    expectViolation(() => checkDirect(s, TOWN_STAFF, { close: { reason: 'resolved' } }, T0 + H), 'forbidden');
    expect(() => checkDirect(s, SUPERVISOR, { lower: 'yellow' }, T0 + H)).not.toThrow();
    // A raise, and a conversion into an application, need no approval.
    expect(() => checkDirect(s, STAFF, { lower: 'red' }, T0 + H)).not.toThrow();
    expect(() => checkDirect(s, STAFF, { close: { reason: 'converted_to_application', applicationId: 'application-1' } }, T0 + H)).not.toThrow();
    // Once the visit is made (orange met; its revisit has just opened and is unmet) closing still needs approval.
    visitAt(s, T0 + 2 * H);
    expectViolation(() => checkDirect(s, STAFF, { close: { reason: 'resolved' } }, T0 + 3 * H), 'forbidden');
  });

  it('a yellow alert whose week is visited closes directly: the next cycle has not begun', () => {
    const s = withFollowUp('yellow');
    expectViolation(() => checkDirect(s, STAFF, { close: { reason: 'resolved' } }, T0 + H), 'forbidden');
    visitAt(s, T0 + 2 * H);
    expect(() => checkDirect(s, STAFF, { close: { reason: 'resolved' } }, T0 + 3 * H)).not.toThrow();
    const out = close(s, { reason: 'resolved' }, STAFF, T0 + 3 * H);
    expect(out.events.find((e) => e.type === 'deadline_ended')?.data).toMatchObject({ deadline: 'yellow#2', reason: 'closed' });
    expect(outcomeOf(s.deadlines[1]!)).toBe('not_due');
  });

  it('a request tells the town, its decision the requester (unit and user); refused changes nothing, approved applies', () => {
    const s = withFollowUp('red');
    const asked = requestChange(s, { change: 'lower', level: 'orange', reason: '好转' }, STAFF, T0 + H);
    expect(asked.notices).toEqual([expect.objectContaining({ unit: TOWN, kind: 'approval_requested' })]);
    expectViolation(() => checkRequest(s, { change: 'lower', level: 'yellow', reason: 'x' }, T0 + H), 'conflict');
    expectViolation(() => checkDirect(s, SUPERVISOR, { lower: 'yellow' }, T0 + H), 'conflict', /decide it first/);
    const refused = decideRequest(s, { request: 'request#1', decision: 'refuse', reason: '不同意' }, SUPERVISOR, T0 + 2 * H);
    expect(refused.notices).toEqual([expect.objectContaining({ unit: VILLAGE, userId: 'u1', kind: 'approval_decided' })]);
    expect(s.level).toBe('red');
    expect(currentDeadline(s)?.key).toBe('red#1');
    requestChange(s, { change: 'lower', level: 'orange', reason: '好转' }, STAFF, T0 + 3 * H);
    decideRequest(s, { request: 'request#2', decision: 'approve', reason: '同意' }, SUPERVISOR, T0 + 4 * H);
    expect(s.level).toBe('orange');
    expect(s.deadlines.filter((d) => d.kind === 'alert.red').map(outcomeOf)).toEqual(['unhandled']);
    expect(s.deadlines.filter((d) => d.kind === 'alert.approval').map(outcomeOf)).toEqual(['on_time', 'on_time']);
  });

  it('a request’s and a decision’s notices carry no free text: ids, levels and the decision only (the reasons stay in the timeline)', () => {
    const s = withFollowUp('red');
    const reason = '李网格2仍需关注，电话13912345678，身份证371002199001011234';
    const asked = requestChange(s, { change: 'lower', level: 'orange', reason }, STAFF, T0 + H);
    const decided = decideRequest(s, { request: 'request#1', decision: 'refuse', reason }, SUPERVISOR, T0 + 2 * H);
    for (const n of [...asked.notices, ...decided.notices]) {
      expect(n.message).not.toMatch(/李网格|1391234|37100219/);
      expect(n.message).toContain('request#1');
    }
    expect(asked.events[0]?.data).toMatchObject({ reason });
  });

  it('red needs 受理, a visit and a disposition; a needs_assistance visit opens a decision a disposition meets', () => {
    const s = withFollowUp('red');
    acknowledge(s, {}, STAFF, T0 + H);
    recordVisit(s, { ...visit(T0 + 2 * H), outcome: 'needs_assistance' }, STAFF, T0 + 2 * H);
    expect(s.deadlines.map((d) => [d.key, d.metAt])).toEqual([
      ['red#1', undefined],
      ['decision#1', undefined],
    ]);
    dispose(s, { kind: 'referral', to: '民政局' }, STAFF, T0 + 3 * H);
    expect(s.deadlines.map((d) => [d.key, d.metAt])).toEqual([
      ['red#1', T0 + 3 * H],
      ['decision#1', T0 + 3 * H],
    ]);
  });

  it('a disposition needs 受理 and a visit first (the gate); a needs_assistance visit after a disposition opens a new decision', () => {
    const s = withFollowUp('red');
    expectViolation(() => checkDisposeOrder(s), 'conflict', /not acknowledged/);
    acknowledge(s, {}, STAFF, T0 + H);
    expectViolation(() => checkDisposeOrder(s), 'conflict', /no visit/);
    recordVisit(s, { ...visit(T0 + 2 * H), outcome: 'stable' }, STAFF, T0 + 2 * H);
    expect(() => checkDisposeOrder(s)).not.toThrow();
    dispose(s, { kind: 'no_further_action', reason: '已核实' }, STAFF, T0 + 3 * H);
    // The stated rule: the disposition answered the visits before it; a later visit finding need is a new finding.
    recordVisit(s, { ...visit(T0 + 4 * H), outcome: 'needs_assistance' }, STAFF, T0 + 4 * H);
    expect(s.deadlines.filter((d) => d.kind === 'alert.decision').map((d) => [d.key, d.metAt])).toEqual([['decision#1', undefined]]);
    const refusal = (() => {
      try {
        checkDisposeOrder(withFollowUp('orange'));
      } catch (err) {
        return err as RuleViolation;
      }
    })();
    expect(refusal?.reason).toBe('not_acknowledged');
  });

  it('a closure’s date: required for a death or a move, not in the future, not more than a year before the alert', () => {
    const s = open('red');
    expectViolation(() => checkCloseEvidence(s, { reason: 'deceased' }, T0), 'unprocessable', /closure\.date/);
    expectViolation(() => checkCloseEvidence(s, { reason: 'moved_away', date: '2026-03-04' }, T0), 'unprocessable', /closure\.date/);
    expectViolation(() => checkCloseEvidence(s, { reason: 'moved_away', date: '2024-12-31' }, T0), 'unprocessable', /closure\.date/);
    expectViolation(() => checkCloseEvidence(s, { reason: 'resolved', date: '2026-03-01' }, T0), 'unprocessable', /closure\.date/);
    expect(() => checkCloseEvidence(s, { reason: 'deceased', date: '2026-03-02' }, T0)).not.toThrow();
    expect(() => checkCloseEvidence(s, { reason: 'moved_away', date: '2025-06-01' }, T0)).not.toThrow();
  });
});
