import { z } from 'zod';
import { RuleViolation, type Actor, type CaseEvent, type Outcome } from './case';
import { advanceBook, bookWakeAt, endAllOpen, meetOpen, openDeadline as openOf, openNext } from './deadline-book';
import { deadlineView, isoTime, type Deadline, type Escalation } from './deadlines';
import { localDay, startOfLocalDay } from './china-time';
import { zDay } from './dates';
import { RECIPIENT_CATEGORIES, type zRecipientCategory } from './household';
import type { UnitRef } from './org';
import { zMemberId, type MemberRef } from './party-member';
import type { AwardClaim } from './point-rules';
import type { PairingPolicy } from './policy';
import { PERMISSIONS } from './permissions';
import type { Role } from './roles';
import { zFreeText } from './text';

/**
 * The rules of one pairing (党员帮包, 党员联四邻; seed 三(二)二: 以村(社区)网格为基础…点对点、面对面的救助帮扶联系),
 * as pure functions over its state. One case per qualifying household (a category the policy names: 低保, 特困,
 * 重度残疾 by default): opened unpaired with an assignment deadline (`assignWithin`, ours) → a member of the
 * household's grid is assigned (paired), which opens the contact cadence: one contact (visit, phone, help
 * given) per period of `contactEvery` (ours), the periods following each other as the yellow alert's weeks do. Each missed deadline climbs from the village every
 * `escalateEvery` (ours). Ended when the household moves away, dies, or no longer qualifies — its deadlines
 * ended, not counted as missed. docs/pairing.md.
 */

export type RecipientCategory = z.infer<typeof zRecipientCategory>;

export const PAIRING_STAGES = ['unpaired', 'paired', 'ended'] as const;
export type PairingStage = (typeof PAIRING_STAGES)[number];
export const PAIRING_STAGE_NAMES: Record<PairingStage, string> = { unpaired: '待结对', paired: '已结对', ended: '已结束' };

export const CONTACT_CHANNELS = ['visit', 'phone', 'help'] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];
export const CONTACT_CHANNEL_NAMES: Record<ContactChannel, string> = { visit: '入户走访', phone: '电话联系', help: '帮扶（给予帮助）' };

/** How a visit found the household: the alert's visit outcomes (domain/alert.ts), so a forwarded visit says the same. */
export const CONTACT_VISIT_OUTCOMES = ['stable', 'needs_assistance', 'referred'] as const;

export const END_REASONS = ['moved_away', 'deceased', 'no_longer_qualifies'] as const;
export type EndReason = (typeof END_REASONS)[number];
export const END_REASON_NAMES: Record<EndReason, string> = { moved_away: '迁出', deceased: '去世', no_longer_qualifies: '不再属于帮包对象' };

/**
 * Whether a household's pairing may be opened (again) given its last pairing: none recorded, or the last ended
 * because the household no longer qualified (it qualifies again). One ended because the household moved away
 * or died is not reopened by a category edit or the sweep: the register should be corrected instead (ours).
 * `last`: the last pairing's status and ended reason, or undefined when it has none.
 */
export const mayOpenPairing = (last: { status: 'open' | 'closed'; endedReason: string | null } | undefined): boolean =>
  last === undefined || (last.status === 'closed' && last.endedReason === ('no_longer_qualifies' satisfies EndReason));

/** The workflow id and case id of a household's pairing: one per household, from the business key (ours). */
export const pairingIdOf = (householdId: string): string => `pairing-${householdId}`;
export const zPairingId = z.string().regex(/^pairing-hh-[0-9a-f]{12}$/, 'expected a pairing id such as pairing-hh-0123456789ab');

/** Whether a household's categories make it a pairing household under the policy (seed 三(二)二; the list is policy). */
export const qualifies = (categories: readonly string[], policy: Pick<PairingPolicy, 'categories'>): boolean => categories.some((c) => (policy.categories as readonly string[]).includes(c));
/** The categories a household qualifies by. */
export const qualifyingCategories = (categories: readonly RecipientCategory[], policy: Pick<PairingPolicy, 'categories'>): RecipientCategory[] =>
  categories.filter((c) => (policy.categories as readonly string[]).includes(c));

/** Assign (or re-assign, with a reason) a registered member: resolved by the API from the register into `ctx.member`. */
export const zAssignInput = z.object({ memberId: zMemberId, reason: zFreeText(500).optional() }).strict();
export const zContactInput = z
  .object({
    channel: z.enum(CONTACT_CHANNELS),
    /** The local (China time) day of the contact: not in the future, not before the pairing. */
    day: zDay,
    note: zFreeText(2000),
    /** What was given (help): required for the channel `help`. */
    help: zFreeText(500).optional(),
    /** How a visit found the household (required for a visit: it may be forwarded to the household's open alert). */
    outcome: z.enum(CONTACT_VISIT_OUTCOMES).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.channel === 'help' && c.help === undefined) ctx.addIssue({ code: 'custom', path: ['help'], message: 'say what help was given' });
    if (c.channel === 'visit' && c.outcome === undefined) ctx.addIssue({ code: 'custom', path: ['outcome'], message: 'say how the visit found the household: stable, needs_assistance or referred' });
    if (c.channel !== 'visit' && c.outcome !== undefined) ctx.addIssue({ code: 'custom', path: ['outcome'], message: 'only a visit has an outcome' });
  });
export const zEndInput = z.object({ reason: z.enum(END_REASONS), note: zFreeText(1000).optional() }).strict();
export type AssignInput = z.infer<typeof zAssignInput>;
export type ContactInput = z.infer<typeof zContactInput>;
export type EndInput = z.infer<typeof zEndInput>;

/** A contact's visit forwarded to the household's open alert (activities/pairing.ts). */
export interface ForwardedVisit {
  alertId: string;
  status: 'recorded' | 'refused';
  /** recorded: the alert's level and stage after the visit; refused: the alert's reason. */
  level?: string | null;
  stage?: string | null;
  reason?: string;
  at: number;
}

export interface Contact {
  n: number;
  channel: ContactChannel;
  day: string;
  note: string;
  help?: string;
  outcome?: (typeof CONTACT_VISIT_OUTCOMES)[number];
  member: MemberRef;
  at: number;
  by: Actor;
  /** The contact deadline it met, and whether on time; null: an extra contact, made before the next period began (it meets no deadline). */
  deadline?: string;
  onTime: boolean | null;
  forwarded?: ForwardedVisit;
}

export interface PairingState {
  pairingId: string;
  householdId: string;
  status: 'open' | 'closed';
  stage: PairingStage;
  categories: RecipientCategory[];
  member?: MemberRef;
  assignments: { member: MemberRef; at: number; by: Actor; reason?: string }[];
  contacts: Contact[];
  /** The village: the first rung of every escalation. */
  unit: UnitRef;
  ladder: UnitRef[];
  /** The household's path, its grid included: a grid-scoped member reaches it. */
  orgPath: string[];
  openedAt: number;
  pairedAt?: number;
  ended?: { reason: EndReason; note?: string; at: number; by?: Actor };
  deadlines: Deadline[];
  escalations: Escalation[];
  policy: PairingPolicy;
  version: number;
}

export { RuleViolation, type Actor, type CaseEvent, type Outcome } from './case';

const LABELS = {
  assign: '党员帮包：结对（确定帮包党员）',
  contact: '党员帮包：按期联系帮包户',
} as const;

const subject = (s: PairingState) => `帮包 ${s.householdId}`;
/** Where the pairing's deadlines escalate: from its village up the ladder (the grid is no rung, as for every kind). */
const escalationPath = (s: PairingState) => ({ unit: s.unit, ladder: s.ladder, subject: subject(s) });

function openDeadline(s: PairingState, name: keyof typeof LABELS, opensAt: number, dueAt: number, now: number, actor?: Actor): CaseEvent[] {
  return openNext(s, { prefix: 'pairing', name, label: LABELS[name], opensAt, dueAt, warn: s.policy.warnAt, escalateEveryMs: s.policy.escalateEvery }, now, actor).events;
}

/** The grid a household is in (the last code of its path when it names a grid), or null. */
export const gridOf = (orgPath: readonly string[]): string | null => {
  const last = orgPath.at(-1);
  return last !== undefined && /-G\d{2,3}$/.test(last) ? last : null;
};

export interface OpenArgs {
  householdId: string;
  categories: RecipientCategory[];
  unit: UnitRef;
  ladder: UnitRef[];
  orgPath: string[];
  policy: PairingPolicy;
  /** Who opened it: the staff member who registered or re-categorised the household, or the system's sweep. */
  actor?: Actor;
  /** Why: `registered`, `qualified` (categories changed), `sweep` (found without one). */
  trigger: 'registered' | 'qualified' | 'sweep';
}

/** Opens a pairing, unpaired, with its assignment deadline (`assignWithin`). @throws RuleViolation when the ladder does not start at the village. */
export function openPairing(a: OpenArgs, now: number): { state: PairingState } & Outcome {
  if (a.ladder[0]?.code !== a.unit.code) throw new RuleViolation('unprocessable', 'the ladder must start at the responsible unit');
  const state: PairingState = {
    pairingId: pairingIdOf(a.householdId),
    householdId: a.householdId,
    status: 'open',
    stage: 'unpaired',
    categories: a.categories,
    assignments: [],
    contacts: [],
    unit: a.unit,
    ladder: a.ladder,
    orgPath: a.orgPath,
    openedAt: now,
    deadlines: [],
    escalations: [],
    policy: a.policy,
    version: 0,
  };
  const opened = openDeadline(state, 'assign', now, now + a.policy.assignWithin, now, a.actor);
  return {
    state,
    events: [{ type: 'pairing_opened', at: now, ...(a.actor ? { actor: a.actor } : {}), data: { trigger: a.trigger, categories: a.categories, policyVersion: a.policy.version } }, ...opened],
    notices: [{ unit: a.unit, kind: 'opened', message: `新的帮包户待结对（${subject(state)}，${a.categories.map((c) => RECIPIENT_CATEGORIES[c]).join('、')}）：请确定帮包党员` }],
  };
}

function assertOpen(s: PairingState): void {
  if (s.status !== 'open') throw new RuleViolation('conflict', `pairing ${s.pairingId} has ended`, 'case_closed');
}

/**
 * The member must be of the household's grid, or — for a household registered at the village with no grid —
 * a member registered at its village itself, with no grid (ours: the seed pairs 以村(社区)网格为基础; without a
 * grid the village is the base, and a grid member's token would not reach a household outside the grid). Whether
 * the member is registered and active the API checks against the register before the update.
 */
export function checkAssign(s: PairingState, input: AssignInput, member: MemberRef | undefined): void {
  assertOpen(s);
  if (!member || member.memberId !== input.memberId) throw new RuleViolation('unprocessable', `body.memberId: no registered member ${input.memberId}`, undefined, { path: 'body.memberId', code: 'unknown_reference' });
  const grid = gridOf(s.orgPath);
  if (grid !== null && member.gridCode !== grid) throw new RuleViolation('unprocessable', `body.memberId: member ${member.memberId} is not of this household’s grid ${grid}`, undefined, { path: 'body.memberId', code: 'other_grid' });
  if (grid === null && (member.villageCode !== s.unit.code || member.gridCode !== null)) throw new RuleViolation('unprocessable', `body.memberId: a household with no grid is paired with a member registered at its village ${s.unit.code} (no grid), and ${member.memberId} is not one`, undefined, { path: 'body.memberId', code: 'other_grid' });
  if (s.member) {
    if (s.member.memberId === member.memberId) throw new RuleViolation('conflict', `member ${member.memberId} is already paired with this household`);
    if (input.reason === undefined) throw new RuleViolation('unprocessable', 'body.reason: re-assigning a paired household needs a reason', undefined, { path: 'body.reason', code: 'required' });
  }
}

/**
 * Assigns (结对) the member: on an unpaired case it meets the assignment deadline and opens the first contact
 * deadline, due `contactEvery` after now; on a paired case it re-assigns (the contact cadence goes on).
 */
export function assign(s: PairingState, input: AssignInput, actor: Actor, now: number, member: MemberRef): Outcome {
  checkAssign(s, input, member);
  const previous = s.member;
  s.member = member;
  s.assignments.push({ member, at: now, by: actor, ...(input.reason ? { reason: input.reason } : {}) });
  const events: CaseEvent[] = [{ type: previous ? 'member_reassigned' : 'member_assigned', at: now, actor, data: { memberId: member.memberId, ...(previous ? { previous: previous.memberId, reason: input.reason } : {}) } }];
  if (!previous) {
    events.push(...meetOpen(s, now, actor));
    s.stage = 'paired';
    s.pairedAt = now;
    events.push(...openDeadline(s, 'contact', now, now + s.policy.contactEvery, now, actor));
  }
  return { events, notices: [{ unit: s.unit, kind: 'stage', message: `${subject(s)}已${previous ? '改由' : '与'}党员${member.name}结对帮包` }] };
}

const DAY_FIELD = { path: 'body.day', code: 'date_out_of_range' };

/** The local day of `now` as a day number's text (China time). */
const today = (now: number) => localDay(now);

/**
 * A contact is recorded by the paired member themselves, or by staff for them (a party member only on their own
 * pairing); its day is not in the future and not before the pairing (China time days).
 */
export function checkContact(s: PairingState, input: ContactInput, actor: Actor, now: number): void {
  assertOpen(s);
  if (s.stage !== 'paired' || !s.member) throw new RuleViolation('conflict', `pairing ${s.pairingId} has no member yet: assign one first`);
  if (actor.role === ('party_member' satisfies Role) && actor.userId !== s.member.userId) throw new RuleViolation('forbidden', 'a party member records contacts only on their own pairings');
  if (input.day > today(now)) throw new RuleViolation('unprocessable', `body.day: ${input.day} is in the future`, 'date_out_of_range', DAY_FIELD);
  if (s.pairedAt !== undefined && input.day < today(s.pairedAt)) throw new RuleViolation('unprocessable', `body.day: ${input.day} is before the pairing (${today(s.pairedAt)})`, 'date_out_of_range', DAY_FIELD);
}

/**
 * Records a contact. The cadence is periods (ours; as the yellow alert's weekly cycle, domain/alert.ts): "a
 * contact every `contactEvery`" means one contact per period. A contact while a contact deadline is open (its
 * period has begun: `opensAt` ≤ now) meets it — on time when recorded by its due time — and the next period
 * opens at the met deadline's due time (or at the contact, when it was late), due `contactEvery` after it
 * opens. A contact while the next period has not begun yet is recorded as an extra contact: `onTime` null, no
 * deadline met, no award — so contacts in quick succession cannot inflate the on-time figures or the points.
 * A contact meeting its deadline on time carries the member's award claim (domain/point-rules.ts
 * `contact_on_time`, key `<caseId>:<deadline key>`: once per period).
 */
export function contact(s: PairingState, input: ContactInput, actor: Actor, now: number): Outcome {
  checkContact(s, input, actor, now);
  const member = s.member!;
  const open = openOf(s);
  const d = open !== undefined && open.opensAt <= now ? open : undefined;
  const onTime = d === undefined ? null : now <= d.dueAt;
  const n = s.contacts.length + 1;
  s.contacts.push({
    n,
    channel: input.channel,
    day: input.day,
    note: input.note,
    ...(input.help !== undefined ? { help: input.help } : {}),
    ...(input.outcome !== undefined ? { outcome: input.outcome } : {}),
    member,
    at: now,
    by: actor,
    ...(d ? { deadline: d.key } : {}),
    onTime,
  });
  const awards: AwardClaim[] = onTime === true && d ? [{ userId: member.userId, rule: 'contact_on_time', key: `${s.pairingId}:${d.key}` }] : [];
  const cadence: CaseEvent[] = [];
  if (d) {
    cadence.push(...meetOpen(s, now, actor));
    const opensAt = onTime ? d.dueAt : now;
    cadence.push(...openDeadline(s, 'contact', opensAt, opensAt + s.policy.contactEvery, now, actor));
  }
  return {
    events: [{ type: 'contact_recorded', at: now, actor, data: { n, channel: input.channel, day: input.day, memberId: member.memberId, onTime, ...(d ? {} : { extra: true }), ...(awards.length ? { awards } : {}) } }, ...cadence],
    notices: [],
  };
}

/** What the pairing records of a visit forwarded to the household's open alert (or refused by it). */
export function visitForwarded(s: PairingState, n: number, f: ForwardedVisit): Outcome {
  const c = s.contacts.find((x) => x.n === n);
  if (c) c.forwarded = f;
  return {
    events: [{ type: f.status === 'recorded' ? 'visit_forwarded' : 'visit_forward_refused', at: f.at, data: { n, alertId: f.alertId, ...(f.reason ? { reason: f.reason } : {}), ...(f.level ? { level: f.level } : {}), ...(f.stage ? { stage: f.stage } : {}) } }],
    notices: [],
  };
}

/** The instant the alert is told the visit happened: noon of its day, or now when that is later than now (China time). */
export const visitedAtOf = (day: string, now: number): number => Math.min(startOfLocalDay(day) + 12 * 3_600_000, now);

export function checkEnd(s: PairingState): void {
  assertOpen(s);
}

/** Ends the pairing: every open deadline ended (`closed`: not counted as missed), the case closed. */
export function end(s: PairingState, input: EndInput, actor: Actor | undefined, now: number): Outcome {
  checkEnd(s);
  const ended = endAllOpen(s, now, () => 'closed', actor);
  s.ended = { reason: input.reason, ...(input.note ? { note: input.note } : {}), at: now, ...(actor ? { by: actor } : {}) };
  s.stage = 'ended';
  s.status = 'closed';
  return {
    events: [{ type: 'ended', at: now, ...(actor ? { actor } : {}), data: { reason: input.reason } }, ...ended, { type: 'closed', at: now, ...(actor ? { actor } : {}), data: { reason: input.reason } }],
    notices: [{ unit: s.unit, kind: 'stage', message: `${subject(s)}已结束（${END_REASON_NAMES[input.reason]}）` }],
  };
}

/** Brings the pairing up to `now`: warnings and escalations whose time has come. */
export function advancePairing(s: PairingState, now: number): Outcome {
  if (s.status !== 'open') return { events: [], notices: [] };
  return advanceBook(s, escalationPath(s), now);
}

/** The next instant `advancePairing` has something to do (ms since the epoch), or undefined. */
export function pairingWakeAt(s: PairingState): number | undefined {
  return s.status === 'open' ? bookWakeAt(s, s.ladder.length) : undefined;
}

const iso = isoTime;

/** The pairing as staff, members and the read model see it. */
export function pairingView(s: PairingState, now: number) {
  const last = s.contacts.at(-1);
  const contactView = (c: Contact) => ({ ...c, at: iso(c.at)!, forwarded: c.forwarded ? { ...c.forwarded, at: iso(c.forwarded.at)! } : null });
  const next = s.stage === 'paired' ? openOf(s) : undefined;
  return {
    caseId: s.pairingId,
    kind: 'pairing' as const,
    householdId: s.householdId,
    status: s.status,
    stage: s.stage,
    stageName: PAIRING_STAGE_NAMES[s.stage],
    level: null,
    categories: s.categories,
    categoryNames: s.categories.map((c) => RECIPIENT_CATEGORIES[c]),
    member: s.member ?? null,
    assignments: s.assignments.map((a) => ({ ...a, at: iso(a.at)! })),
    contacts: s.contacts.map(contactView),
    lastContact: last ? contactView(last) : null,
    /** When the next contact is due (paired only), and when its period begins (a contact before then is an extra one). */
    nextContactDue: next ? iso(next.dueAt) : null,
    nextContactOpens: next ? iso(next.opensAt) : null,
    unit: s.unit,
    orgPath: s.orgPath,
    openedAt: iso(s.openedAt)!,
    pairedAt: iso(s.pairedAt),
    ended: s.ended ? { ...s.ended, reasonName: END_REASON_NAMES[s.ended.reason], at: iso(s.ended.at)! } : null,
    ...deadlineView(s.deadlines, s.escalations, now),
    policyVersion: s.policy.version,
    version: s.version,
  };
}
export type PairingView = ReturnType<typeof pairingView>;

/** The context a step gets beside its input: `assign`'s member, resolved by the API from the register. */
export interface PairingStepContext {
  member?: MemberRef;
}

/**
 * The steps of a pairing, one table for the workflow's update validators and the API's routes. A contact's
 * visit is forwarded to the household's open alert after it is committed (workflows/pairing/workflow.ts).
 */
export const PAIRING_STEPS = {
  assign: {
    path: 'assign',
    summary: '结对：确定帮包党员（本网格登记在册的在职党员；已结对的说明理由后改派）',
    roles: PERMISSIONS.pairing.assign.roles,
    schema: zAssignInput,
    check: (s: PairingState, i: AssignInput, _a: Actor, _n: number, ctx: PairingStepContext) => checkAssign(s, i, ctx.member),
    apply: (s: PairingState, i: AssignInput, a: Actor, n: number, ctx: PairingStepContext) => assign(s, i, a, n, ctx.member!),
  },
  contact: {
    path: 'contact',
    summary: '记录联系：入户走访、电话联系或帮扶（帮包党员本人，或工作人员代为记录）',
    roles: PERMISSIONS.pairing.contact.roles,
    schema: zContactInput,
    check: (s: PairingState, i: ContactInput, a: Actor, n: number) => checkContact(s, i, a, n),
    apply: contact,
  },
  end: {
    path: 'end',
    summary: '结束帮包：迁出、去世或不再属于帮包对象',
    roles: PERMISSIONS.pairing.end.roles,
    schema: zEndInput,
    check: (s: PairingState) => checkEnd(s),
    apply: (s: PairingState, i: EndInput, a: Actor, n: number) => end(s, i, a, n),
  },
} as const;
export type PairingStepName = keyof typeof PAIRING_STEPS;
