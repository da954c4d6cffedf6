import { z } from 'zod';
import { zPersonName } from './text';
import { localInstant, localMonth, nextLocalMidnight } from './china-time';
import { RuleViolation, type Actor, type CaseEvent, type Outcome } from './case';
import { advanceBook, bookWakeAt, endOpen, meetOpen, openDeadline, openNext } from './deadline-book';
import { deadlineView, isoTime, type Deadline, type Escalation } from './deadlines';
import type { UnitRef } from './org';
import type { PartyDayPolicy } from './policy';
import { zMonth } from './dates';

/**
 * The monthly Party-day Q&A (每月党员活动日集中答疑) of one village/community: the agenda gathered on the
 * day (common issues, unanswered reports, what last month left open), the answers recorded on site by
 * the village committee (两委) or the civil-affairs assistant (民政协理员), and — by the end of the day
 * plus the policy's grace — carry-over of whatever is unanswered to next month, escalated to the town.
 * Pure: the workflow (workflows/party-day) calls these with workflow time and projects what they return.
 */


export const zStartsAt = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a local time HH:MM (00:00–23:59)');
export const zDayOfMonth = z.number().int().min(1, 'expected a day of month from 1 to 28').max(28, 'expected a day of month from 1 to 28 (every month has it)');
export { zMonth };

/** PUT /v1/units/{code}/party-day-schedule */
export const zScheduleInput = z
  .object({ dayOfMonth: zDayOfMonth, startsAt: zStartsAt, note: z.string().trim().min(1).max(200).optional() })
  .strict();
export type ScheduleInput = z.infer<typeof zScheduleInput>;
export const zPauseInput = z.object({ reason: z.string().trim().min(1).max(200) }).strict();
export const zUnpauseInput = z.object({ reason: z.string().trim().min(1).max(200).optional() }).strict();

/** Who answers on site: a member of the village committee (两委) or the civil-affairs assistant (民政协理员). */
export const ANSWERER_ROLES = ['committee_member', 'civil_affairs_assistant'] as const;
export type AnswererRole = (typeof ANSWERER_ROLES)[number];
export const ANSWERER_ROLE_NAMES: Record<AnswererRole, string> = { committee_member: '村(社区)两委成员', civil_affairs_assistant: '民政协理员' };

export const zAnswerInput = z
  .object({
    itemId: z.string().regex(/^Q\d{1,4}$/, 'expected an agenda item id such as Q1'),
    answer: z.string().trim().min(1).max(2000),
    answeredBy: z.object({ role: z.enum(ANSWERER_ROLES), name: zPersonName }).strict(),
  })
  .strict();
export type AnswerInput = z.infer<typeof zAnswerInput>;

export type ItemOrigin = 'common_issue' | 'report';
export type ItemKind = ItemOrigin | 'carried_over';
export type PartyDayStage = 'agenda_published' | 'held' | 'closed';

export interface PartyDayItem {
  itemId: string;
  kind: ItemKind;
  /** What the item is underneath: a carried-over item is still a common issue or a report. */
  origin: ItemOrigin;
  /** The common issue's or the report's id. */
  refId: string;
  category: string;
  /** Public: the issue's title, or for a report its category name and an anonymised label — never its text. */
  title: string;
  /** The Q&A (`<unitCode>:<YYYY-MM>`) the item was carried over from. */
  carriedFrom?: string;
  answer?: string;
  answeredBy?: { role: AnswererRole; name: string };
  answeredAt?: number;
  /** The staff member who recorded the answer (kept off the public record). */
  recordedBy?: Actor;
  /**
   * Set when the item ended without an answer on site because what it stands for was answered through its
   * own path (a report answered at `POST /v1/reports/{id}/answer`; every report behind a common issue).
   */
  ended?: { reason: ItemEndReason; at: number };
}

/**
 * Why an agenda item ended without an answer on site (ours): its report was answered through the report's
 * own endpoints, or every report behind its common issue was.
 */
export type ItemEndReason = 'report_answered' | 'reports_answered';

/** What the report side tells a Q&A: these items' reports are answered (`refs` as `<origin>:<refId>`). */
export interface AnsweredElsewhere {
  refs: { origin: ItemOrigin; refId: string }[];
}

/** What one month hands the next: an unanswered item with where it came from. */
export interface CarriedItem {
  itemId: string;
  origin: ItemOrigin;
  refId: string;
  category: string;
  title: string;
  carriedFrom: string;
}

/** What the agenda activity found in the read model (only fields fit for a public page). */
export interface AgendaSources {
  commonIssues: { id: string; category: string; title: string; reportIds: string[] }[];
  reports: { id: string; category: string; categoryName: string }[];
  carried: CarriedItem[];
}

export interface PartyDayState {
  partyDayId: string;
  caseId: string;
  unitCode: string;
  month: string;
  unit: UnitRef;
  /** The unit, then each ancestor up to the city. */
  ladder: UnitRef[];
  policy: PartyDayPolicy;
  /** When the schedule meant the Q&A to start. */
  scheduledAt: number;
  /** Local midnight after the party day. */
  dayEndsAt: number;
  status: 'open' | 'closed';
  stage: PartyDayStage;
  items: PartyDayItem[];
  publishedAt: number;
  closedAt?: number;
  /** The items left unanswered at the end of the day plus grace. */
  carriedOver: string[];
  /** The next month's Q&A that took the carried-over items. */
  handedOverTo?: string;
  deadlines: Deadline[];
  escalations: Escalation[];
  version: number;
}

export { RuleViolation, type Actor, type CaseEvent, type Outcome } from './case';

export const partyDayId = (unitCode: string, month: string): string => `${unitCode}:${month}`;
export const partyDayCaseId = (unitCode: string, month: string): string => `party-day-${unitCode}-${month}`;
export const zPartyDayId = z.string().regex(/^\d{6,12}:\d{4}-(0[1-9]|1[0-2])$/, 'expected a party-day id such as 371002001001:2026-11');

/** The instant of a month's party day at its local (China-time) start time. */
export function partyDayStartsAt(month: string, dayOfMonth: number, startsAt: string): number {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const [h, min] = startsAt.split(':').map(Number) as [number, number];
  return localInstant({ year: y, month: m, day: dayOfMonth }, h, min);
}

const DEADLINE_LABEL = '党员活动日集中答疑：议题当日答复';

/** Still to answer: neither answered on site nor ended by its report's own answer. */
const isOpenItem = (i: PartyDayItem) => i.answer === undefined && i.ended === undefined;
const unanswered = (s: PartyDayState) => s.items.filter(isOpenItem);

/**
 * The agenda, in order: what last month left open, this month's common issues, then open reports that
 * no issue on the agenda already covers. A carried-over item keeps its title; reports get a public title
 * (category and a numbered label) since their own text may name the reporter.
 */
export function buildAgenda(src: AgendaSources): PartyDayItem[] {
  const items: PartyDayItem[] = [];
  const next = () => `Q${items.length + 1}`;
  const onAgenda = new Set<string>();
  for (const c of src.carried) {
    items.push({ itemId: next(), kind: 'carried_over', origin: c.origin, refId: c.refId, category: c.category, title: c.title, carriedFrom: c.carriedFrom });
    onAgenda.add(`${c.origin}:${c.refId}`);
  }
  const coveredReports = new Set<string>();
  for (const issue of src.commonIssues) {
    for (const r of issue.reportIds) coveredReports.add(r);
    if (onAgenda.has(`common_issue:${issue.id}`)) continue;
    items.push({ itemId: next(), kind: 'common_issue', origin: 'common_issue', refId: issue.id, category: issue.category, title: issue.title });
    onAgenda.add(`common_issue:${issue.id}`);
  }
  let n = 0;
  for (const r of src.reports) {
    if (onAgenda.has(`report:${r.id}`) || coveredReports.has(r.id)) continue;
    n += 1;
    items.push({ itemId: next(), kind: 'report', origin: 'report', refId: r.id, category: r.category, title: `${r.categoryName}：群众反映问题（第${n}件）` });
    onAgenda.add(`report:${r.id}`);
  }
  return items;
}

export interface OpenArgs {
  unitCode: string;
  unit: UnitRef;
  ladder: UnitRef[];
  policy: PartyDayPolicy;
  scheduledAt: number;
  sources: AgendaSources;
}

/**
 * Publishes the month's agenda. The answers are due by the end of the party day plus the grace; the unit
 * is warned at midnight. A Q&A that starts after its due time (a late start, a backfill) is overdue at once.
 * An empty agenda closes at once: there is nothing to answer.
 */
export function openPartyDay(a: OpenArgs, now: number): { state: PartyDayState } & Outcome {
  const month = localMonth(a.scheduledAt);
  const dayEndsAt = nextLocalMidnight(a.scheduledAt);
  const items = buildAgenda(a.sources);
  const state: PartyDayState = {
    partyDayId: partyDayId(a.unitCode, month),
    caseId: partyDayCaseId(a.unitCode, month),
    unitCode: a.unitCode,
    month,
    unit: a.unit,
    ladder: a.ladder,
    policy: a.policy,
    scheduledAt: a.scheduledAt,
    dayEndsAt,
    status: 'open',
    stage: 'agenda_published',
    items,
    publishedAt: now,
    carriedOver: [],
    deadlines: [],
    escalations: [],
    version: 0,
  };
  const events: CaseEvent[] = [
    { type: 'opened', at: now, data: { month, scheduledAt: a.scheduledAt, items: items.length, carriedIn: a.sources.carried.length, policyVersion: a.policy.version } },
  ];
  if (items.length === 0) {
    state.status = 'closed';
    state.stage = 'closed';
    state.closedAt = now;
    events.push({ type: 'closed', at: now, data: { reason: 'empty_agenda' } });
    return { state, events, notices: [] };
  }
  const dueAt = dayEndsAt + a.policy.grace;
  // At risk from midnight: the day is over and the grace is running.
  const spec = { prefix: 'party_day', name: 'answers', key: 'answers', label: DEADLINE_LABEL, opensAt: now, dueAt, warn: { at: Math.min(dayEndsAt, dueAt) }, escalateEveryMs: a.policy.grace };
  events.push(...openNext(state, spec, now).events);
  return {
    state,
    events,
    notices: [{ unit: a.unit, kind: 'opened', message: `${month}党员活动日集中答疑议程已发布：${items.length}项待答复` }],
  };
}

/** The answers deadline while it is open, or undefined. */
export function currentDeadline(s: PartyDayState): Deadline | undefined {
  return openDeadline(s);
}

const subject = (s: PartyDayState) => `${s.unit.name}${s.month}党员活动日`;
/** Only the unit and its town: unanswered questions are the town's to chase, they climb no further. */
const escalationPath = (s: PartyDayState) => ({ unit: s.unit, ladder: s.ladder.slice(0, 2), subject: subject(s) });

/**
 * Brings the Q&A up to `now`: the at-risk warning at midnight; at the end of the grace the unanswered
 * items are carried over to next month's agenda and the case escalates one rung, to the town. The case
 * stays open (on the town's overdue board) until the items are answered or next month takes them.
 */
export function advancePartyDay(s: PartyDayState, now: number): Outcome {
  if (s.status !== 'open') return { events: [], notices: [] };
  const out = advanceBook(s, escalationPath(s), now);
  // The grace ran out in this step (the book's `overdue`, once per deadline): carry the rest over.
  if (out.events.some((e) => e.type === 'overdue')) out.events.push(...carryOver(s, now));
  return out;
}

function carryOver(s: PartyDayState, now: number): CaseEvent[] {
  if (s.stage === 'closed') return [];
  s.carriedOver = unanswered(s).map((i) => i.itemId);
  s.stage = 'closed';
  s.closedAt = now;
  return [{ type: 'carried_over', at: now, data: { items: s.carriedOver, answered: s.items.length - s.carriedOver.length } }];
}

/** The next instant `advancePartyDay` has something to do (ms since the epoch), or undefined. */
export function partyDayWakeAt(s: PartyDayState): number | undefined {
  return s.status === 'open' ? bookWakeAt(s, escalationPath(s).ladder.length) : undefined;
}

function assertOpen(s: PartyDayState): void {
  if (s.handedOverTo) throw new RuleViolation('conflict', `party day ${s.partyDayId} handed its open items over to ${s.handedOverTo}`);
  if (s.status !== 'open') throw new RuleViolation('conflict', `party day ${s.partyDayId} is closed`);
}

export function checkAnswer(s: PartyDayState, input: AnswerInput): PartyDayItem {
  assertOpen(s);
  const item = s.items.find((i) => i.itemId === input.itemId);
  if (!item) throw new RuleViolation('unprocessable', `item ${input.itemId} is not on the agenda of ${s.partyDayId} (${s.items.map((i) => i.itemId).join(', ')})`);
  if (item.answer !== undefined) throw new RuleViolation('conflict', `item ${input.itemId} was already answered`);
  if (item.ended !== undefined) throw new RuleViolation('conflict', `item ${input.itemId} ended: its ${item.origin === 'report' ? 'report was' : 'reports were'} answered through their own path`);
  return item;
}

/**
 * Records one answer given on site. The first answer marks the Q&A held; the last one meets the deadline
 * (late if after the grace) and closes the case. Answers after the carry-over are still taken: the town
 * may settle an item before next month's agenda takes it.
 */
export function recordAnswer(s: PartyDayState, input: AnswerInput, actor: Actor, now: number): Outcome {
  const item = checkAnswer(s, input);
  item.answer = input.answer;
  item.answeredBy = { role: input.answeredBy.role, name: input.answeredBy.name };
  item.answeredAt = now;
  item.recordedBy = actor;
  if (s.stage === 'agenda_published') s.stage = 'held';
  const events: CaseEvent[] = [
    { type: 'answered', at: now, actor, data: { itemId: item.itemId, kind: item.kind, origin: item.origin, refId: item.refId, answeredBy: item.answeredBy.role } },
  ];
  if (unanswered(s).length === 0) events.push(...closeAnswered(s, now, actor));
  return { events, notices: [] };
}

/** Every item is answered (on site or through its report): the deadline is met (late after the grace) and the case closes. */
function closeAnswered(s: PartyDayState, now: number, actor?: Actor): CaseEvent[] {
  const events = meetOpen(s, now, actor);
  s.status = 'closed';
  s.stage = 'closed';
  s.closedAt ??= now;
  events.push({ type: 'closed', at: now, data: { reason: 'all_answered' } });
  return events;
}

/**
 * The reports behind some items were answered through their own path (the report workflow tells the Q&A
 * that holds them): each matching item still open ends (`item_ended`, reason `report_answered`, or
 * `reports_answered` for a common issue whose reports are all answered). When no item is left open the
 * deadline is met — late, resolving its escalation, if after the grace — and the case closes, leaving the
 * town's board. Idempotent: an item already answered or ended, or a closed case, changes nothing (ours).
 */
export function endAnsweredItems(s: PartyDayState, answered: AnsweredElsewhere, now: number): Outcome {
  if (s.status !== 'open') return { events: [], notices: [] };
  const refs = new Set(answered.refs.map((r) => `${r.origin}:${r.refId}`));
  const events: CaseEvent[] = [];
  for (const item of unanswered(s)) {
    if (!refs.has(`${item.origin}:${item.refId}`)) continue;
    const reason: ItemEndReason = item.origin === 'report' ? 'report_answered' : 'reports_answered';
    item.ended = { reason, at: now };
    events.push({ type: 'item_ended', at: now, data: { itemId: item.itemId, kind: item.kind, origin: item.origin, refId: item.refId, reason } });
  }
  if (events.length > 0 && unanswered(s).length === 0) events.push(...closeAnswered(s, now));
  return { events, notices: [] };
}

export function carriedItemsOf(s: PartyDayState): CarriedItem[] {
  return s.items
    .filter((i) => s.carriedOver.includes(i.itemId) && isOpenItem(i))
    .map((i) => ({ itemId: i.itemId, origin: i.origin, refId: i.refId, category: i.category, title: i.title, carriedFrom: s.partyDayId }));
}

export function checkHandOver(s: PartyDayState, to: string): void {
  const [unitCode, month] = to.split(':');
  if (unitCode !== s.unitCode || !month || month <= s.month) throw new RuleViolation('unprocessable', `${to} is not a later party day of ${s.unitCode} than ${s.partyDayId}`);
  if (s.handedOverTo && s.handedOverTo !== to) throw new RuleViolation('conflict', `party day ${s.partyDayId} already handed over to ${s.handedOverTo}`);
}

/**
 * Next month's Q&A takes what is still open: if the grace has not run out (the months overlap), what is
 * unanswered is carried over now. The deadline ends — counted late if it had passed — and the case closes;
 * the items live on in the next month's case.
 */
export function handOver(s: PartyDayState, to: string, now: number): { items: CarriedItem[] } & Outcome {
  checkHandOver(s, to);
  const events = carryOver(s, now);
  const items = carriedItemsOf(s);
  events.push(...endOpen(s, now, 'closed'));
  s.status = 'closed';
  s.handedOverTo = to;
  events.push({ type: 'handed_over', at: now, data: { to, items: items.map((i) => i.itemId) } });
  return { items, events, notices: [] };
}

const iso = isoTime;

/** The Q&A as staff and the read model see it (times as ISO strings). */
export function partyDayView(s: PartyDayState, now: number) {
  const last = s.deadlines.at(-1);
  return {
    caseId: s.caseId,
    kind: 'party_day' as const,
    partyDayId: s.partyDayId,
    householdId: null,
    status: s.status,
    level: null,
    stage: s.stage,
    month: s.month,
    unit: s.unit,
    orgPath: [...s.ladder].reverse().map((u) => u.code),
    scheduledAt: iso(s.scheduledAt)!,
    dayEndsAt: iso(s.dayEndsAt)!,
    answersDueAt: iso(last?.dueAt),
    publishedAt: iso(s.publishedAt)!,
    closedAt: iso(s.closedAt),
    items: s.items.map((i) => ({ ...i, answeredAt: iso(i.answeredAt), ...(i.ended ? { ended: { reason: i.ended.reason, at: iso(i.ended.at)! } } : {}) })),
    carriedOver: s.carriedOver,
    handedOverTo: s.handedOverTo ?? null,
    ...deadlineView(s.deadlines, s.escalations, now),
    policyVersion: s.policy.version,
    version: s.version,
  };
}
export type PartyDayView = ReturnType<typeof partyDayView>;

/**
 * The `party_days` record the unit's public page reads: agenda and minutes, nothing personal — no report
 * text, no reporter, no staff account; who answered is the office (两委/民政协理员) and the name they
 * answered under.
 */
export function partyDayRecord(s: PartyDayState) {
  return {
    _id: s.partyDayId,
    caseId: s.caseId,
    unitCode: s.unitCode,
    unitName: s.unit.name,
    month: s.month,
    status: s.stage,
    items: s.items.map((i) => ({
      itemId: i.itemId,
      kind: i.kind,
      origin: i.origin,
      refId: i.refId,
      category: i.category,
      title: i.title,
      ...(i.carriedFrom ? { carriedFrom: i.carriedFrom } : {}),
      ...(i.answer !== undefined ? { answer: i.answer, answeredBy: i.answeredBy!, answeredAt: i.answeredAt! } : {}),
      ...(i.ended !== undefined ? { ended: i.ended } : {}),
    })),
    scheduledAt: s.scheduledAt,
    publishedAt: s.publishedAt,
    ...(s.closedAt !== undefined ? { closedAt: s.closedAt } : {}),
    carriedOver: s.carriedOver,
    ...(s.handedOverTo ? { handedOverTo: s.handedOverTo } : {}),
    version: s.version,
  };
}
export type PartyDayRecord = ReturnType<typeof partyDayRecord>;
