import { describe, expect, it } from 'vitest';
import { outcomeOf } from '../../domain/deadlines';
import type { UnitRef } from '../../domain/org';
import { resolvePolicy } from '../../domain/policy';
import type { CaseSummary } from '../../domain/projection';
import {
  acknowledgeReport,
  advanceReport,
  answerReport,
  commonIssueId,
  commonIssueProposed,
  currentDeadline,
  markCommonIssue,
  receiveReport,
  reportMonth,
  reportView,
  reportWakeAt,
  REPORT_STEPS,
  RuleViolation,
  zPublicReportInput,
  zReceipt,
  type Actor,
  type AnswerReportInput,
  type ReportState,
} from '../../domain/report';

// A fake clock: plain milliseconds. The report arrives at T0.
const H = 3_600_000;
const D = 24 * H;
const T0 = Date.UTC(2026, 2, 2, 8, 0, 0);

const VILLAGE: UnitRef = { code: '371002001001', name: '海港社区居委会', level: 'village' };
const TOWN: UnitRef = { code: '371002001', name: '鲸园街道', level: 'town' };
const DISTRICT: UnitRef = { code: '371002', name: '环翠区', level: 'district' };
const CITY: UnitRef = { code: '371000', name: '威海市', level: 'city' };
const LADDER = [VILLAGE, TOWN, DISTRICT, CITY];
const STAFF: Actor = { userId: 'u1', role: 'village_staff', unitCode: VILLAGE.code };
/** Defaults: acknowledge within 48 h, answer within 10 days of receipt, escalate every 2 days, warn at 75 %. */
const POLICY = resolvePolicy(undefined, 'default').reports;

const receive = (at = T0): ReportState =>
  receiveReport({ reportId: 'rp-0123456789abcdef', category: 'benefit_problem', text: '低保金本月未到账', unit: VILLAGE, ladder: LADDER, policy: POLICY }, at).state;

const ANSWER: AnswerReportInput = { answer: '已核实，系银行代发延迟，已于本周补发。', answeredBy: { name: '王主任', role: 'committee_member' }, channel: 'staff' };

/** Drives the report the way the workflow does: wake at each reportWakeAt up to `until`. */
function runUntil(s: ReportState, until: number) {
  const events = [];
  const notices = [];
  for (let wake = reportWakeAt(s); wake !== undefined && wake <= until; wake = reportWakeAt(s)) {
    const out = advanceReport(s, wake);
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

describe('receiving a report', () => {
  it('opens the acknowledgement deadline at acknowledgeWithin of receipt and tells the village, with no actor and no text in the audit', () => {
    const out = receiveReport({ reportId: 'rp-1', category: 'missed_household', text: '邻居老人独居无人照料', unit: VILLAGE, ladder: LADDER, policy: POLICY }, T0);
    expect(out.state).toMatchObject({ status: 'open', stage: 'received', receivedAt: T0 });
    expect(out.state.deadlines).toEqual([expect.objectContaining({ key: 'acknowledge#1', kind: 'report.acknowledge', opensAt: T0, dueAt: T0 + 48 * H, warnAt: T0 + 36 * H })]);
    expect(out.events).toEqual([
      { type: 'received', at: T0, data: { category: 'missed_household', policyVersion: 'default' } },
      { type: 'deadline_opened', at: T0, data: { deadline: 'acknowledge#1', kind: 'report.acknowledge', label: '群众反映：受理', opensAt: T0, dueAt: T0 + 48 * H } },
    ]);
    expect(JSON.stringify(out.events)).not.toContain('邻居');
    expect(out.notices).toEqual([expect.objectContaining({ unit: VILLAGE, kind: 'opened' })]);
    expect(out.notices[0]!.message).toContain('应救未救');
  });

  it('refuses a ladder that does not start at the responsible unit', () => {
    expectViolation(() => receiveReport({ reportId: 'rp-1', category: 'other', text: 'x', unit: VILLAGE, ladder: [TOWN, DISTRICT], policy: POLICY }, T0), 'unprocessable');
  });

  it('its view satisfies the projection’s CaseSummary: kind report, no household, no level, a stage', () => {
    const s = receive();
    const view = reportView(s, T0 + H);
    const summary: CaseSummary = view;
    expect(summary).toMatchObject({
      caseId: 'rp-0123456789abcdef',
      kind: 'report',
      status: 'open',
      householdId: null,
      level: null,
      stage: 'received',
      unit: VILLAGE,
      orgPath: [CITY.code, DISTRICT.code, TOWN.code, VILLAGE.code],
      dueAt: new Date(T0 + 48 * H).toISOString(),
      overdue: false,
      atRisk: false,
      rung: 0,
      escalatedTo: null,
    });
    expect(view).toMatchObject({ category: 'benefit_problem', categoryName: '待遇发放问题', acknowledgeBy: new Date(T0 + 48 * H).toISOString(), answerBy: new Date(T0 + 10 * D).toISOString() });
  });
});

describe('acknowledgement (受理)', () => {
  it('on time: meets the deadline and opens the answer’s, due answerWithin of receipt', () => {
    const s = receive();
    const out = acknowledgeReport(s, { note: '已受理' }, STAFF, T0 + 47 * H);
    expect(s.stage).toBe('acknowledged');
    expect(outcomeOf(s.deadlines[0]!)).toBe('on_time');
    expect(currentDeadline(s)).toMatchObject({ key: 'answer#1', kind: 'report.answer', opensAt: T0 + 47 * H, dueAt: T0 + 10 * D });
    expect(out.events.map((e) => e.type)).toEqual(['acknowledged', 'deadline_met', 'deadline_opened']);
    expect(out.events[1]!.data).toMatchObject({ deadline: 'acknowledge#1', lateByMs: 0, resolvedEscalations: 0 });
    expectViolation(() => acknowledgeReport(s, {}, STAFF, T0 + 48 * H), 'conflict', /already acknowledged/);
  });

  it('left undone, escalates to the town at acknowledgeWithin, then one rung each escalateEvery, and stops at the city', () => {
    const s = receive();
    const warned = runUntil(s, T0 + 36 * H);
    expect(warned.notices).toEqual([expect.objectContaining({ unit: VILLAGE, kind: 'at_risk' })]);
    expect(reportView(s, T0 + 36 * H).atRisk).toBe(true);

    const { events, notices } = runUntil(s, T0 + 60 * D);
    expect(events.filter((e) => e.type === 'escalated').map((e) => [e.data!.rung, e.data!.to, e.at])).toEqual([
      [1, TOWN.code, T0 + 48 * H],
      [2, DISTRICT.code, T0 + 96 * H],
      [3, CITY.code, T0 + 144 * H],
    ]);
    expect(notices.filter((n) => n.kind === 'escalated').map((n) => n.unit)).toEqual([TOWN, DISTRICT, CITY]);
    expect(reportWakeAt(s)).toBeUndefined();
    expect(reportView(s, T0 + 7 * D)).toMatchObject({ overdue: true, rung: 3, escalatedTo: CITY, stage: 'received' });

    // 受理 late: the escalations are resolved, the acknowledgement counts as late.
    const late = acknowledgeReport(s, {}, STAFF, T0 + 7 * D);
    expect(late.events[1]!.data).toMatchObject({ resolvedEscalations: 3, lateByMs: 5 * D });
    expect(s.escalations.every((e) => e.resolution === 'met' && e.resolvedAt === T0 + 7 * D)).toBe(true);
    expect(outcomeOf(s.deadlines[0]!)).toBe('late');
    expect(reportView(s, T0 + 7 * D)).toMatchObject({ overdue: false, rung: 0, escalatedTo: null, due: { key: 'answer#1' } });
  });
});

describe('answer (答复)', () => {
  it('answered late after 受理: the answer deadline’s escalations are resolved, the report closes', () => {
    const s = receive();
    acknowledgeReport(s, {}, STAFF, T0 + 10 * H);
    const climbed = runUntil(s, T0 + 12 * D + H);
    expect(climbed.events.filter((e) => e.type === 'escalated').map((e) => [e.data!.rung, e.data!.deadline, e.at])).toEqual([
      [1, 'answer#1', T0 + 10 * D],
      [2, 'answer#1', T0 + 12 * D],
    ]);
    const out = answerReport(s, ANSWER, STAFF, T0 + 13 * D);
    expect(s).toMatchObject({ status: 'closed', stage: 'answered', answer: { text: ANSWER.answer, answeredBy: ANSWER.answeredBy, channel: 'staff', at: T0 + 13 * D } });
    expect(out.events.map((e) => e.type)).toEqual(['answered', 'deadline_met', 'closed']);
    expect(out.events[1]!.data).toMatchObject({ deadline: 'answer#1', resolvedEscalations: 2, lateByMs: 3 * D });
    expect(s.escalations.map((e) => e.resolution)).toEqual(['met', 'met']);
    expect(s.deadlines.map(outcomeOf)).toEqual(['on_time', 'late']);
    expect(reportWakeAt(s)).toBeUndefined();
    expect(reportView(s, T0 + 13 * D)).toMatchObject({ status: 'closed', due: null, overdue: false, rung: 0, answeredAt: new Date(T0 + 13 * D).toISOString() });
    expectViolation(() => answerReport(s, ANSWER, STAFF, T0 + 14 * D), 'conflict', /closed/);
    expectViolation(() => acknowledgeReport(s, {}, STAFF, T0 + 14 * D), 'conflict');
  });

  it('an answer without 受理 (on site, at the Party day) is the acknowledgement too: both deadlines are met in that instant', () => {
    const s = receive();
    runUntil(s, T0 + 3 * D);
    expect(s.escalations).toHaveLength(1);
    const out = answerReport(s, { ...ANSWER, channel: 'party_day' }, STAFF, T0 + 3 * D);
    expect(out.events.map((e) => e.type)).toEqual(['answered', 'deadline_met', 'deadline_opened', 'deadline_met', 'closed']);
    expect(s.deadlines.map((d) => [d.key, outcomeOf(d)])).toEqual([
      ['acknowledge#1', 'late'],
      ['answer#1', 'on_time'],
    ]);
    expect(s.escalations[0]).toMatchObject({ resolution: 'met', resolvedAt: T0 + 3 * D });
    expect(s.answer?.channel).toBe('party_day');
    expect(s.acknowledgement?.at).toBe(T0 + 3 * D);
  });
});

describe('common issues (共性问题)', () => {
  it('a proposal is recorded once; staff confirm it, and a second mark is a conflict', () => {
    const s = receive();
    const id = commonIssueId(VILLAGE.code, 'benefit_problem', reportMonth(T0));
    expect(id).toBe('ci-371002001001-benefit_problem-2026-03');
    const proposed = commonIssueProposed(s, id, 3, T0);
    expect(proposed.notices[0]!.message).toContain('3件');
    expect(s.commonIssue).toMatchObject({ issueId: id, status: 'proposed' });
    markCommonIssue(s, { title: '低保金发放延迟' }, id, STAFF, T0 + H);
    expect(s.commonIssue).toMatchObject({ issueId: id, status: 'confirmed', title: '低保金发放延迟', by: STAFF });
    expectViolation(() => REPORT_STEPS.commonIssue.check(s), 'conflict', /already marked/);
  });

  it('months are local (UTC+8): 2026-01-31 23:30 in Weihai is January, 2026-02-01 00:30 is February', () => {
    expect(reportMonth(Date.parse('2026-01-31T23:30:00+08:00'))).toBe('2026-01');
    expect(reportMonth(Date.parse('2026-02-01T00:30:00+08:00'))).toBe('2026-02');
  });
});

describe('public input', () => {
  const schema = zPublicReportInput(POLICY.maxTextLength);

  it('keeps the text verbatim (trimmed), HTML and all, and drops an empty contact', () => {
    const html = '<script>alert("x")</script><b>低保</b> &amp;';
    const parsed = schema.parse({ unitCode: VILLAGE.code, category: 'other', text: `  ${html}\n`, contact: '  ' });
    expect(parsed).toEqual({ unitCode: VILLAGE.code, category: 'other', text: html, contact: undefined });
  });

  it('names the failing field: text too long, unknown category, unknown fields', () => {
    const long = schema.safeParse({ unitCode: VILLAGE.code, category: 'other', text: '字'.repeat(POLICY.maxTextLength + 1) });
    expect(long.success).toBe(false);
    expect(long.error!.issues[0]!.path).toEqual(['text']);
    expect(schema.safeParse({ unitCode: VILLAGE.code, category: 'other', text: '字'.repeat(POLICY.maxTextLength) }).success).toBe(true);
    expect(schema.safeParse({ unitCode: VILLAGE.code, category: 'gossip', text: 'x' }).error!.issues[0]!.path).toEqual(['category']);
    expect(schema.safeParse({ unitCode: VILLAGE.code, category: 'other', text: '   ' }).error!.issues[0]!.path).toEqual(['text']);
    expect(schema.safeParse({ unitCode: VILLAGE.code, category: 'other', text: 'x', name: '张三' }).success).toBe(false);
  });

  it('receipt codes are read forgivingly (case, dashes, spaces) but only from the unambiguous alphabet', () => {
    expect(zReceipt.parse('abcd-efgh-jkmn')).toBe('ABCDEFGHJKMN');
    expect(zReceipt.safeParse('ABCDEFGHJKM0').success).toBe(false); // 0 is not in the alphabet
    expect(zReceipt.safeParse('ABCDEFGHJKM').success).toBe(false);
  });
});
