import { describe, expect, it } from 'vitest';
import { outcomeOf } from '../../domain/deadlines';
import type { UnitRef } from '../../domain/org';
import {
  advancePartyDay,
  buildAgenda,
  carriedItemsOf,
  currentDeadline,
  endAnsweredItems,
  handOver,
  openPartyDay,
  partyDayRecord,
  partyDayStartsAt,
  partyDayView,
  partyDayWakeAt,
  recordAnswer,
  RuleViolation,
  zAnswerInput,
  zScheduleInput,
  type Actor,
  type AgendaSources,
  type PartyDayState,
} from '../../domain/party-day';
import { resolvePolicy } from '../../domain/policy';

const MIN = 60_000;
const H = 60 * MIN;
const D = 24 * H;

const VILLAGE: UnitRef = { code: '371002001001', name: '海港社区居委会', level: 'village' };
const TOWN: UnitRef = { code: '371002001', name: '鲸园街道', level: 'town' };
const DISTRICT: UnitRef = { code: '371002', name: '环翠区', level: 'district' };
const CITY: UnitRef = { code: '371000', name: '威海市', level: 'city' };
const LADDER = [VILLAGE, TOWN, DISTRICT, CITY];
const STAFF: Actor = { userId: 'u-village-1', role: 'village_staff', unitCode: VILLAGE.code };
/** Default policy: the 15th at 09:00, grace one day. */
const POLICY = resolvePolicy(undefined, 'default').partyDay;

/** 2026-11-15 09:00 in Weihai = 01:00 UTC. */
const NOV15 = Date.UTC(2026, 10, 15, 1, 0);
/** Local midnight after it: 2026-11-16 00:00 +08:00. */
const NOV15_END = Date.UTC(2026, 10, 15, 16, 0);

const SOURCES: AgendaSources = {
  commonIssues: [{ id: 'ci-371002001001-assistance_policy-2026-11', category: 'assistance_policy', title: '救助政策咨询（群众集中反映）', reportIds: ['r-1', 'r-2', 'r-3'] }],
  reports: [
    { id: 'r-2', category: 'assistance_policy', categoryName: '救助政策咨询' },
    { id: 'r-9', category: 'benefit_problem', categoryName: '待遇发放问题' },
  ],
  carried: [],
};

function open(sources: AgendaSources = SOURCES, at = NOV15): PartyDayState {
  return openPartyDay({ unitCode: VILLAGE.code, unit: VILLAGE, ladder: LADDER, policy: POLICY, scheduledAt: at, sources }, at).state;
}
const answer = (itemId: string, role: 'committee_member' | 'civil_affairs_assistant' = 'committee_member') => ({ itemId, answer: '已按政策解释并登记，下周入户核实。', answeredBy: { role, name: '王书记' } });

describe('local time in Weihai (UTC+8)', () => {
  it('takes the party day’s instant in local time (the month and the day’s end: test/domain/china-time.test.ts)', () => {
    expect(partyDayStartsAt('2026-11', 15, '09:00')).toBe(NOV15);
    expect(partyDayStartsAt('2026-12', 1, '07:30')).toBe(Date.UTC(2026, 10, 30, 23, 30));
  });
});

describe('the schedule input', () => {
  it('takes days 1–28 (every month has them) and HH:MM', () => {
    expect(zScheduleInput.parse({ dayOfMonth: 28, startsAt: '23:59' })).toEqual({ dayOfMonth: 28, startsAt: '23:59' });
    const bad = zScheduleInput.safeParse({ dayOfMonth: 31, startsAt: '24:00' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['dayOfMonth', 'startsAt']);
    expect(zScheduleInput.safeParse({ dayOfMonth: 0, startsAt: '9:00' }).success).toBe(false);
  });

  it('an answer names a committee member or the civil-affairs assistant', () => {
    expect(zAnswerInput.safeParse(answer('Q1')).success).toBe(true);
    const bad = zAnswerInput.safeParse({ itemId: 'Q1', answer: '好', answeredBy: { role: 'staff', name: '王' } });
    expect(bad.error!.issues[0]!.path).toEqual(['answeredBy', 'role']);
  });
});

describe('the agenda', () => {
  it('lists carried-over items first, then common issues, then reports no issue covers, with public titles', () => {
    const items = buildAgenda({
      ...SOURCES,
      carried: [{ itemId: 'Q4', origin: 'report', refId: 'r-7', category: 'other', title: '其他：群众反映问题（第2件）', carriedFrom: '371002001001:2026-10' }],
    });
    expect(items.map((i) => [i.itemId, i.kind, i.origin, i.refId])).toEqual([
      ['Q1', 'carried_over', 'report', 'r-7'],
      ['Q2', 'common_issue', 'common_issue', 'ci-371002001001-assistance_policy-2026-11'],
      // r-2 is behind the common issue: answered with it, not listed twice.
      ['Q3', 'report', 'report', 'r-9'],
    ]);
    expect(items[0]).toMatchObject({ title: '其他：群众反映问题（第2件）', carriedFrom: '371002001001:2026-10' });
    expect(items[2]!.title).toBe('待遇发放问题：群众反映问题（第1件）');
  });

  it('does not list an item twice when it is carried over and still open', () => {
    const items = buildAgenda({
      ...SOURCES,
      carried: [
        { itemId: 'Q1', origin: 'common_issue', refId: SOURCES.commonIssues[0]!.id, category: 'assistance_policy', title: 't', carriedFrom: 'x' },
        { itemId: 'Q2', origin: 'report', refId: 'r-9', category: 'benefit_problem', title: 't2', carriedFrom: 'x' },
      ],
    });
    expect(items.map((i) => i.kind)).toEqual(['carried_over', 'carried_over']);
  });
});

describe('one month’s Q&A', () => {
  it('is due by the end of the party day plus grace, at risk from midnight, and notifies the unit', () => {
    const opened = openPartyDay({ unitCode: VILLAGE.code, unit: VILLAGE, ladder: LADDER, policy: POLICY, scheduledAt: NOV15, sources: SOURCES }, NOV15 + MIN);
    const s = opened.state;
    expect(s).toMatchObject({ partyDayId: '371002001001:2026-11', caseId: 'party-day-371002001001-2026-11', month: '2026-11', stage: 'agenda_published', status: 'open' });
    const d = currentDeadline(s)!;
    expect(d.dueAt).toBe(NOV15_END + D);
    expect(d.warnAt).toBe(NOV15_END);
    expect(opened.notices).toEqual([{ unit: VILLAGE, kind: 'opened', message: '2026-11党员活动日集中答疑议程已发布：2项待答复' }]);
    expect(partyDayWakeAt(s)).toBe(NOV15_END);

    const view = partyDayView(s, NOV15 + H);
    expect(view).toMatchObject({ kind: 'party_day', householdId: null, level: null, orgPath: [CITY.code, DISTRICT.code, TOWN.code, VILLAGE.code], overdue: false, atRisk: false, rung: 0 });
  });

  it('an empty agenda closes at once', () => {
    const s = open({ commonIssues: [], reports: [], carried: [] });
    expect(s).toMatchObject({ status: 'closed', stage: 'closed', deadlines: [] });
    expect(partyDayWakeAt(s)).toBeUndefined();
  });

  it('answers mark it held; the last answer meets the deadline and closes it', () => {
    const s = open();
    const first = recordAnswer(s, answer('Q1'), STAFF, NOV15 + H);
    expect(s.stage).toBe('held');
    expect(first.events.map((e) => e.type)).toEqual(['answered']);
    expect(() => recordAnswer(s, answer('Q1'), STAFF, NOV15 + H)).toThrow(RuleViolation);
    expect(() => recordAnswer(s, answer('Q9'), STAFF, NOV15 + H)).toThrow(/not on the agenda/);
    const last = recordAnswer(s, answer('Q2', 'civil_affairs_assistant'), STAFF, NOV15 + 2 * H);
    expect(last.events.map((e) => e.type)).toEqual(['answered', 'deadline_met', 'closed']);
    expect(s).toMatchObject({ status: 'closed', stage: 'closed', closedAt: NOV15 + 2 * H, carriedOver: [] });
    expect(outcomeOf(s.deadlines[0]!)).toBe('on_time');
    expect(() => recordAnswer(s, answer('Q2'), STAFF, NOV15 + 3 * H)).toThrow(/closed/);
  });

  it('at the end of the grace carries the unanswered over and escalates one rung, to the town only', () => {
    const s = open();
    recordAnswer(s, answer('Q1'), STAFF, NOV15 + H);
    const warned = advancePartyDay(s, NOV15_END);
    expect(warned.notices).toEqual([expect.objectContaining({ unit: VILLAGE, kind: 'at_risk' })]);
    expect(partyDayView(s, NOV15_END).atRisk).toBe(true);

    const due = NOV15_END + D;
    const out = advancePartyDay(s, due);
    expect(out.events.map((e) => e.type)).toEqual(['overdue', 'escalated', 'carried_over']);
    expect(out.notices).toEqual([expect.objectContaining({ unit: TOWN, kind: 'escalated' })]);
    expect(out.notices[0]!.message).toContain('海港社区居委会2026-11党员活动日');
    expect(s).toMatchObject({ status: 'open', stage: 'closed', closedAt: due, carriedOver: ['Q2'] });
    expect(partyDayView(s, due + MIN)).toMatchObject({ overdue: true, rung: 1, escalatedTo: TOWN });
    // It climbs no further: the town answers for the village's open questions.
    expect(partyDayWakeAt(s)).toBeUndefined();
    expect(advancePartyDay(s, due + 60 * D).events).toEqual([]);
    expect(carriedItemsOf(s)).toEqual([{ itemId: 'Q2', origin: 'report', refId: 'r-9', category: 'benefit_problem', title: '待遇发放问题：群众反映问题（第1件）', carriedFrom: '371002001001:2026-11' }]);
  });

  it('still takes a late answer after the carry-over: met late, escalation resolved, nothing left to hand over', () => {
    const s = open();
    recordAnswer(s, answer('Q1'), STAFF, NOV15 + H);
    advancePartyDay(s, NOV15_END + D);
    const late = recordAnswer(s, answer('Q2'), STAFF, NOV15_END + 2 * D);
    expect(late.events.map((e) => e.type)).toEqual(['answered', 'deadline_met', 'closed']);
    expect(outcomeOf(s.deadlines[0]!)).toBe('late');
    expect(s.escalations[0]).toMatchObject({ resolution: 'met' });
    expect(s).toMatchObject({ status: 'closed', carriedOver: ['Q2'], closedAt: NOV15_END + D });
    expect(carriedItemsOf(s)).toEqual([]);
  });

  it('ends an item whose report was answered through its own path; the last one meets the deadline (late after the grace) and closes', () => {
    const s = open();
    // Q1: the common issue (r-1, r-2, r-3); Q2: report r-9.
    const none = endAnsweredItems(s, { refs: [{ origin: 'report', refId: 'r-2' }] }, NOV15 + H);
    expect(none.events).toEqual([]);
    advancePartyDay(s, NOV15_END + D);
    expect(s.carriedOver).toEqual(['Q1', 'Q2']);
    const one = endAnsweredItems(s, { refs: [{ origin: 'report', refId: 'r-9' }] }, NOV15_END + 2 * D);
    expect(one.events.map((e) => [e.type, e.data?.reason])).toEqual([['item_ended', 'report_answered']]);
    expect(s.items[1]).toMatchObject({ itemId: 'Q2', ended: { reason: 'report_answered', at: NOV15_END + 2 * D } });
    expect(s.items[1]!.answer).toBeUndefined();
    expect(s.status).toBe('open');
    expect(carriedItemsOf(s).map((i) => i.itemId)).toEqual(['Q1']);
    expect(() => recordAnswer(s, answer('Q2'), STAFF, NOV15_END + 2 * D)).toThrow(/answered through their own path/);
    // A repeat changes nothing.
    expect(endAnsweredItems(s, { refs: [{ origin: 'report', refId: 'r-9' }] }, NOV15_END + 2 * D).events).toEqual([]);
    const last = endAnsweredItems(s, { refs: [{ origin: 'common_issue', refId: SOURCES.commonIssues[0]!.id }] }, NOV15_END + 3 * D);
    expect(last.events.map((e) => e.type)).toEqual(['item_ended', 'deadline_met', 'closed']);
    expect(s.items[0]!.ended?.reason).toBe('reports_answered');
    expect(s).toMatchObject({ status: 'closed', stage: 'closed' });
    expect(outcomeOf(s.deadlines[0]!)).toBe('late');
    expect(s.escalations[0]).toMatchObject({ resolution: 'met' });
    expect(partyDayView(s, NOV15_END + 3 * D).overdue).toBe(false);
    expect(partyDayRecord(s).items[1]).toMatchObject({ ended: { reason: 'report_answered' } });
    expect(endAnsweredItems(s, { refs: [{ origin: 'report', refId: 'r-9' }] }, NOV15_END + 4 * D).events).toEqual([]);
  });

  it('hands its carried-over items to next month and closes; the deadline counts late', () => {
    const s = open();
    advancePartyDay(s, NOV15_END + D);
    expect(() => handOver(s, '371002001002:2026-12', NOV15 + 30 * D)).toThrow(/not a later party day/);
    expect(() => handOver(s, '371002001001:2026-11', NOV15 + 30 * D)).toThrow(/not a later party day/);
    const handed = handOver(s, '371002001001:2026-12', NOV15 + 30 * D);
    expect(handed.items.map((i) => i.itemId)).toEqual(['Q1', 'Q2']);
    expect(handed.events.map((e) => e.type)).toEqual(['deadline_ended', 'handed_over']);
    expect(s).toMatchObject({ status: 'closed', handedOverTo: '371002001001:2026-12' });
    expect(outcomeOf(s.deadlines[0]!)).toBe('late');
    expect(s.escalations[0]).toMatchObject({ resolution: 'closed' });
    expect(() => recordAnswer(s, answer('Q1'), STAFF, NOV15 + 31 * D)).toThrow(/handed its open items over/);
    expect(() => handOver(s, '371002001001:2027-01', NOV15 + 31 * D)).toThrow(/already handed over/);
  });

  it('when next month starts before the grace is over, carries the unanswered over then, without escalating', () => {
    const s = open();
    const handed = handOver(s, '371002001001:2026-12', NOV15 + 2 * H);
    expect(handed.events.map((e) => e.type)).toEqual(['carried_over', 'deadline_ended', 'handed_over']);
    expect(s.carriedOver).toEqual(['Q1', 'Q2']);
    expect(s.escalations).toEqual([]);
    expect(outcomeOf(s.deadlines[0]!)).toBe('not_due');
  });

  it('keeps the public record free of personal data', () => {
    const s = open();
    recordAnswer(s, answer('Q1'), STAFF, NOV15 + H);
    const record = partyDayRecord(s);
    expect(record).toMatchObject({ _id: '371002001001:2026-11', unitCode: VILLAGE.code, month: '2026-11', status: 'held', carriedOver: [] });
    expect(record.items[0]).toEqual({
      itemId: 'Q1',
      kind: 'common_issue',
      origin: 'common_issue',
      refId: SOURCES.commonIssues[0]!.id,
      category: 'assistance_policy',
      title: '救助政策咨询（群众集中反映）',
      answer: answer('Q1').answer,
      answeredBy: { role: 'committee_member', name: '王书记' },
      answeredAt: NOV15 + H,
    });
    expect(JSON.stringify(record)).not.toContain(STAFF.userId);
    // The staff view keeps who recorded it.
    expect(partyDayView(s, NOV15 + H).items[0]!.recordedBy).toEqual(STAFF);
  });
});
