import { z } from 'zod';
import { zPersonName } from './text';
import { checkWithin, CLOCK_SKEW_MS, zDay, zInstant } from './dates';
import { advanceBook, bookWakeAt, endAllOpen, endOpen, meetOpen, moveOpen, openDeadline, openDeadlines, openNext, type EscalationPath } from './deadline-book';
import { deadlineView, isoTime, type Deadline, type Escalation } from './deadlines';
import { zOrgCode, zOrgLevel, type UnitRef } from './org';
import { ALERT_LEVEL_NAMES, ALERT_LEVELS, resolvePolicy, zAlertLevel, type AlertFollowUpPolicy, type AlertLevel, type AlertPolicy } from './policy';
import { can } from './permissions';
import { zYuan } from './verification';
import { RuleViolation, zActor, type Actor, type CaseEvent, type Notice, type Outcome } from './case';
import type { RefusalReason } from './rejections';
import type { Role } from './roles';

/**
 * The rules of one household alert (三色预警), as pure functions over its state. The workflow
 * (workflows/alert) holds the state, calls these with workflow time and projects what they return.
 */

export const VISIT_OUTCOMES = ['stable', 'needs_assistance', 'referred'] as const;
export const CLOSE_REASONS = ['resolved', 'not_eligible', 'moved_away', 'deceased', 'converted_to_application'] as const;

export const zReasons = z.array(z.string().trim().min(1).max(200)).max(20);
/** A report on the household as the workflow's `report` update carries it (the API's update-with-start). */
export const zReportArgs = z.looseObject({ requestId: z.string().min(1).max(200), level: zAlertLevel, reasons: zReasons, actor: zActor });

export const zVisitInput = z
  .object({
    visitors: z.array(zPersonName).min(1, 'at least one visitor').max(20),
    visitedAt: zInstant,
    outcome: z.enum(VISIT_OUTCOMES),
    notes: z.string().max(2000).default(''),
  })
  .strict();
export type VisitInput = z.infer<typeof zVisitInput>;

export const zAcknowledgeInput = z.object({ note: z.string().max(1000).optional() }).strict();
export const zChangeLevelInput = z.object({ level: zAlertLevel, reason: z.string().trim().min(1).max(500) }).strict();
export const zCloseInput = z
  .object({
    reason: z.enum(CLOSE_REASONS),
    applicationId: z.string().trim().min(1).max(100).optional(),
    /**
     * The evidence of a `deceased` or `moved_away` closure: the day of death or of the move (China time).
     * Required for those reasons by the step's gate (closeEvidence), so histories recorded before it replay.
     */
    date: zDay.optional(),
    note: z.string().max(2000).optional(),
  })
  .strict()
  .refine((v) => v.reason !== 'converted_to_application' || v.applicationId, {
    path: ['applicationId'],
    message: 'required when reason is converted_to_application',
    params: { code: 'required' },
  });
export type CloseInput = z.infer<typeof zCloseInput>;

/** A unit as the API resolved it (kept as given: loose objects keep any field the API adds). */
const zUnitRef = z.looseObject({ code: zOrgCode, name: z.string().min(1), level: zOrgLevel });
/** Reassignment, as the API sends it: the new unit and its ladder to the city, which must start at it. */
export const zReassignInput = z
  .object({ unit: zUnitRef, ladder: z.array(zUnitRef).min(1).max(10), reason: z.string().trim().min(1).max(500) })
  .refine((v) => v.ladder[0]?.code === v.unit.code, { path: ['ladder'], message: 'the ladder must start at the new unit' });
const zLevelPolicy = z.looseObject({ dueMs: z.number().int().positive(), escalateEveryMs: z.number().int().positive(), warnAt: z.number().min(0).max(1) });
/** A resolved alert policy (durations in ms), as the API sends it for re-policy. */
export const zRepolicyInput = z.object({
  policy: z.looseObject({ version: z.string().min(1).max(64), levels: z.looseObject({ yellow: zLevelPolicy, orange: zLevelPolicy, red: zLevelPolicy }) }),
});

export interface Visit {
  visitors: string[];
  visitedAt: number;
  recordedAt: number;
  outcome: (typeof VISIT_OUTCOMES)[number];
  notes: string;
  by: Actor;
}

/**
 * A disposition (处置) after a visit: what was done for the household. Seed 三(三)一 (红色预警24小时受理处置);
 * the four kinds are issue 12's. `temporary_assistance`'s amount is in yuan, whole fen (临时救助).
 */
export const DISPOSITION_KINDS = ['application', 'referral', 'temporary_assistance', 'no_further_action'] as const;
const zNote = z.string().max(2000).optional();
export const zDisposeInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('application'), applicationId: z.string().trim().min(1).max(100), note: zNote }).strict(),
  z.object({ kind: z.literal('referral'), to: z.string().trim().min(1).max(200), note: zNote }).strict(),
  z.object({ kind: z.literal('temporary_assistance'), amount: zYuan(1_000_000).positive('an amount of assistance is more than 0 yuan'), note: zNote }).strict(),
  z.object({ kind: z.literal('no_further_action'), reason: z.string().trim().min(1).max(500), note: zNote }).strict(),
]);
export type DisposeInput = z.infer<typeof zDisposeInput>;
export type Disposition = DisposeInput & { recordedAt: number; by: Actor };

/**
 * A request to lower a red or orange alert, or to close an alert before its requirement is met (issue 12, no
 * quiet defusing): the town approves or refuses it. `reason`: why, in the requester's words.
 */
export const zRequestInput = z.discriminatedUnion('change', [
  z.object({ change: z.literal('lower'), level: zAlertLevel, reason: z.string().trim().min(1).max(500) }).strict(),
  z.object({ change: z.literal('close'), closure: zCloseInput, reason: z.string().trim().min(1).max(500) }).strict(),
]);
export type RequestInput = z.infer<typeof zRequestInput>;
/** The town's decision on the pending request it names (`request`, e.g. `request#1`). */
export const zDecideInput = z
  .object({ request: z.string().regex(/^request#\d{1,6}$/, 'expected a request id such as request#1'), decision: z.enum(['approve', 'refuse']), reason: z.string().trim().min(1).max(500) })
  .strict();
export type DecideInput = z.infer<typeof zDecideInput>;

/** A request and, once made, its decision. */
export interface ChangeRequest {
  id: string;
  change: 'lower' | 'close';
  /** The level when requested (a decision on a request the alert has moved away from is refused). */
  from: AlertLevel;
  level?: AlertLevel;
  closure?: CloseInput;
  reason: string;
  at: number;
  by: Actor;
  decision?: { decision: 'approve' | 'refuse'; reason: string; at: number; by: Actor };
}

export interface AlertState {
  alertId: string;
  householdId: string;
  status: 'open' | 'closed';
  level: AlertLevel;
  reasons: string[];
  levelSetAt: number;
  unit: UnitRef;
  /** The responsible unit, then each ancestor up to the city: the escalation rungs. */
  ladder: UnitRef[];
  openedAt: number;
  acknowledgement?: { at: number; by: Actor; note?: string };
  visits: Visit[];
  levelHistory: { from: AlertLevel | null; to: AlertLevel; at: number; by: Actor; reason: string }[];
  reassignments: { from: UnitRef; to: UnitRef; at: number; by: Actor; reason: string }[];
  deadlines: Deadline[];
  escalations: Escalation[];
  closure?: { reason: CloseInput['reason']; applicationId?: string; note?: string; at: number; by: Actor };
  policy: AlertPolicy;
  policyHistory: { from: string; to: string; at: number; by: Actor }[];
  /** Bumped on every change; the read model keeps the highest it has seen. */
  version: number;
  /**
   * Issue 12's follow-up rules apply (set at opening, behind the workflow's `patched('alert-follow-up')`; carried
   * over continue-as-new): red needs a disposition too, orange is revisited, `needs_assistance` opens a decision.
   * Absent for alerts opened before: their recorded histories replay under the rules they ran with.
   */
  followUp?: boolean;
  /** Dispositions (处置), oldest first; absent in states from before issue 12. */
  dispositions?: Disposition[];
  /** Change requests (lowering, early closure), oldest first; the pending one is the last without a decision. */
  requests?: ChangeRequest[];
  /** Issue 14: the assigned visitor (`assignVisitor`), the last assignment; absent until one is made. */
  visitor?: AssignedVisitor;
}

/** The roles an alert's visitor may have: those of the household's village who visit (issue 14; seed 三(二)). */
export const VISITOR_ROLES = ['grid_worker', 'party_member', 'village_staff'] as const;

/**
 * An alert's assigned visitor (issue 14): a login of the village who visits the household and, while the alert
 * is open, sees its name, address and phone (domain/privacy.ts disclosureFor), the alert in their task list, and
 * may record its visit. `unitPath`: the visitor's unit, root first (the API takes it from the org tree).
 */
export const zAssignVisitorInput = z
  .object({
    userId: z.string().trim().min(1).max(200),
    role: z.enum(VISITOR_ROLES),
    unitPath: z.array(zOrgCode).min(1).max(10),
    /** The visitor's unit's name, for the notice that tells them (absent in histories recorded before it: the code stands in). */
    unitName: z.string().trim().min(1).max(100).optional(),
    note: z.string().max(500).optional(),
  })
  .strict();
export type AssignVisitorInput = z.infer<typeof zAssignVisitorInput>;
export interface AssignedVisitor {
  userId: string;
  role: AssignVisitorInput['role'];
  unitCode: string;
  unitPath: string[];
  note?: string;
  at: number;
  by: Actor;
}

export { RuleViolation, type Actor, type CaseEvent, type Notice, type Outcome } from './case';

const LABEL: Record<AlertLevel, string> = {
  red: '红色预警：受理并处置',
  orange: '橙色预警：走访慰问',
  yellow: '黄色预警：每周探访',
};
const FOLLOW_UP_LABEL = { approval: '降级/销号审批', revisit: '橙色预警：重点关注定期回访', decision: '需救助：作出处置决定' } as const;

/** The side tracks of an alert's deadline book (domain/deadline-book.ts): the town's approval and the decision after `needs_assistance`. */
export const APPROVAL_TRACK = 'approval';
export const DECISION_TRACK = 'decision';

/** The follow-up policy in force: the alert's, or the defaults for a policy resolved before issue 12. */
const DEFAULT_FOLLOW_UP: AlertFollowUpPolicy = resolvePolicy(undefined, 'default').alerts.followUp!;
const followUpOf = (s: AlertState): AlertFollowUpPolicy => s.policy.followUp ?? DEFAULT_FOLLOW_UP;

/** The main track's open deadline: what the alert's level asks for. */
export function currentDeadline(s: AlertState): Deadline | undefined {
  return openDeadline(s);
}

/** The request awaiting the town's decision, or undefined. */
export function pendingRequest(s: AlertState): ChangeRequest | undefined {
  const last = s.requests?.at(-1);
  return last && !last.decision ? last : undefined;
}

/**
 * Whether the actor may lower or close early without a request: a role that decides requests (the matrix's
 * `alert.decide`: the town supervisor and above). Its own act is its own approval, recorded as such. Ours.
 */
export const decidesRequests = (actor: Actor): boolean => can(actor.role, 'alert', 'decide');

/** Whether `level` is lower than the alert's: every lowering of a red or orange alert needs the town's approval. */
export const isLowering = (s: AlertState, level: AlertLevel): boolean => ALERT_LEVELS.indexOf(level) < ALERT_LEVELS.indexOf(s.level);

/**
 * Whether closing now needs the town's approval: a deadline has begun (opened by now) and is unmet — the red's
 * 受理/visit/disposition, orange's visit or revisit, this week's yellow visit, a pending decision. A closure
 * converting the alert into an application never does: the household's case goes on as the application, with
 * its own deadlines (ours). A yellow cycle that has not begun (this week's visit done) does not count.
 */
export function closeNeedsApproval(s: AlertState, reason: CloseInput['reason'], now: number): boolean {
  if (reason === 'converted_to_application') return false;
  return openDeadlines(s).some((d) => d.track !== APPROVAL_TRACK && d.opensAt <= now);
}

/** Where a deadline escalates: the approval from the town up (the town decides), every other from the village up. */
function pathOf(s: AlertState): (d: Deadline) => EscalationPath {
  return (d) => (d.track === APPROVAL_TRACK && s.ladder.length > 1 ? { unit: s.ladder[1]!, ladder: s.ladder.slice(1), subject: s.householdId } : { unit: s.unit, ladder: s.ladder, subject: s.householdId });
}

/** Opens the deadline a level asks for, from `opensAt` (for yellow, the week-long cycle starting then); the book's events. */
function openLevelDeadline(s: AlertState, level: AlertLevel, opensAt: number, now: number, actor?: Actor): CaseEvent[] {
  const p = s.policy.levels[level];
  return openNext(s, { prefix: 'alert', name: level, label: LABEL[level], opensAt, dueAt: opensAt + p.dueMs, warn: p.warnAt, escalateEveryMs: p.escalateEveryMs }, now, actor).events;
}

export interface OpenArgs {
  alertId: string;
  householdId: string;
  level: AlertLevel;
  reasons: string[];
  unit: UnitRef;
  ladder: UnitRef[];
  policy: AlertPolicy;
  actor: Actor;
}

export function openAlert(a: OpenArgs, now: number): { state: AlertState } & Outcome {
  const state: AlertState = {
    alertId: a.alertId,
    householdId: a.householdId,
    status: 'open',
    level: a.level,
    reasons: [...a.reasons],
    levelSetAt: now,
    unit: a.unit,
    ladder: a.ladder,
    openedAt: now,
    visits: [],
    levelHistory: [{ from: null, to: a.level, at: now, by: a.actor, reason: a.reasons.join('；') || '预警' }],
    reassignments: [],
    deadlines: [],
    escalations: [],
    policy: a.policy,
    policyHistory: [],
    version: 0,
  };
  const opened = openLevelDeadline(state, a.level, now, now, a.actor);
  return {
    state,
    events: [{ type: 'opened', at: now, actor: a.actor, data: { level: a.level, reasons: a.reasons, policyVersion: a.policy.version } }, ...opened],
    notices: [{ unit: a.unit, kind: 'opened', message: `新的${ALERT_LEVEL_NAMES[a.level]}预警（${a.householdId}）：${LABEL[a.level]}` }],
  };
}

function assertOpen(s: AlertState): void {
  if (s.status !== 'open') throw new RuleViolation('conflict', `alert ${s.alertId} is closed`, 'case_closed');
}

/**
 * Whether a deadline's required action is complete: red needs 受理 and a visit — and, under issue 12's rules,
 * a disposition (seed 三(三)一: 24小时受理处置) —; a decision a disposition; a revisit a visit after it opened;
 * the others a visit. An approval is met by the town's decision, never here.
 */
function requirementMet(s: AlertState, d: Deadline): boolean {
  const visited = s.visits.some((v) => v.recordedAt >= d.opensAt);
  const disposed = (s.dispositions ?? []).some((x) => x.recordedAt >= d.opensAt);
  if (d.kind === 'alert.red') return visited && s.acknowledgement !== undefined && (!s.followUp || disposed);
  if (d.kind === 'alert.decision') return disposed;
  if (d.kind === 'alert.approval') return false;
  // A revisit opens in the instant the visit before it met the last deadline: that visit does not count again.
  if (d.kind === 'alert.revisit') return s.visits.some((v) => v.recordedAt > d.opensAt);
  return visited;
}

/** Opens the next revisit of an orange alert under key attention (重点关注), one cycle from `now`. */
function openRevisit(s: AlertState, now: number, actor: Actor | undefined): CaseEvent[] {
  const p = followUpOf(s).revisit;
  return openNext(s, { prefix: 'alert', name: 'revisit', label: FOLLOW_UP_LABEL.revisit, opensAt: now, dueAt: now + p.dueMs, warn: p.warnAt, escalateEveryMs: p.escalateEveryMs }, now, actor).events;
}

/**
 * After a yellow cycle is met, the next one starts at the next cycle boundary: a visit counts for the
 * cycle it falls in, so a late visit also covers the cycle it was made in.
 */
function nextYellowCycle(s: AlertState, now: number, actor: Actor | undefined): CaseEvent[] {
  const every = s.policy.levels.yellow.dueMs;
  const index = Math.floor((now - s.levelSetAt) / every) + 1;
  return openLevelDeadline(s, 'yellow', s.levelSetAt + index * every, now, actor);
}

/**
 * Meets the open deadlines whose requirement is complete: the main track's (a met yellow cycle opens the
 * next; under issue 12's rules a met orange visit or revisit opens the next revisit) and the decision's.
 */
function settle(s: AlertState, now: number, actor: Actor | undefined): Outcome {
  const events: CaseEvent[] = [];
  const d = currentDeadline(s);
  if (d && requirementMet(s, d)) {
    events.push(...meetOpen(s, now, actor));
    if (s.level === 'yellow') events.push(...nextYellowCycle(s, now, actor));
    else if (s.followUp && s.level === 'orange') events.push(...openRevisit(s, now, actor));
  }
  const decision = s.followUp ? openDeadline(s, DECISION_TRACK) : undefined;
  if (decision && requirementMet(s, decision)) events.push(...meetOpen(s, now, actor, DECISION_TRACK));
  return { events, notices: [] };
}

/** Brings the alert up to `now`: warnings and escalations of every open deadline whose time has come. */
export function advanceAlert(s: AlertState, now: number): Outcome {
  if (s.status !== 'open') return { events: [], notices: [] };
  return advanceBook(s, pathOf(s), now);
}

/** The next instant the alert's timers must fire, or undefined when nothing is pending. */
export function alertWakeAt(s: AlertState): number | undefined {
  const path = pathOf(s);
  return s.status === 'open' ? bookWakeAt(s, (d) => path(d).ladder.length) : undefined;
}

export function checkAcknowledge(s: AlertState): void {
  assertOpen(s);
  if (s.acknowledgement) throw new RuleViolation('conflict', `alert ${s.alertId} was already acknowledged`, 'already_acknowledged');
}

export function acknowledge(s: AlertState, args: z.infer<typeof zAcknowledgeInput>, actor: Actor, now: number): Outcome {
  checkAcknowledge(s);
  s.acknowledgement = { at: now, by: actor, ...(args.note ? { note: args.note } : {}) };
  const settled = settle(s, now, actor);
  return { events: [{ type: 'acknowledged', at: now, actor }, ...settled.events], notices: settled.notices };
}


export function checkVisit(s: AlertState, v: VisitInput, now: number): void {
  assertOpen(s);
  const at = Date.parse(v.visitedAt);
  if (at > now + CLOCK_SKEW_MS) throw new RuleViolation('unprocessable', 'visitedAt is in the future', 'visit_in_future');
  if (at < s.openedAt - 86_400_000) throw new RuleViolation('unprocessable', 'visitedAt is before the alert was opened', 'visit_before_opening');
}

/**
 * A visit meets the open deadline at the moment it is recorded, not at the time it declares: a visit
 * entered late is late, whatever `visitedAt` says (the declared time is kept for the record).
 */
export function recordVisit(s: AlertState, v: VisitInput, actor: Actor, now: number): Outcome {
  checkVisit(s, v, now);
  s.visits.push({ visitors: v.visitors, visitedAt: Date.parse(v.visitedAt), recordedAt: now, outcome: v.outcome, notes: v.notes, by: actor });
  const settled = settle(s, now, actor);
  // Issue 12: a household found to need assistance is decided on (处置) within the decision deadline.
  const decision: CaseEvent[] = [];
  if (s.followUp && v.outcome === 'needs_assistance' && !openDeadline(s, DECISION_TRACK)) {
    const p = followUpOf(s).decision;
    decision.push(...openNext(s, { prefix: 'alert', name: 'decision', label: FOLLOW_UP_LABEL.decision, opensAt: now, dueAt: now + p.dueMs, warn: p.warnAt, escalateEveryMs: p.escalateEveryMs, track: DECISION_TRACK }, now, actor).events);
  }
  return {
    events: [{ type: 'visit_recorded', at: now, actor, data: { visitors: v.visitors.length, outcome: v.outcome, visitedAt: Date.parse(v.visitedAt) } }, ...settled.events, ...decision],
    notices: settled.notices,
  };
}

/**
 * An assignment's rule (issue 14, ours): the alert open; the visitor a grid worker, party member or village
 * staff (zAssignVisitorInput) whose unit lies within the alert's responsible village — `unitPath` runs through
 * the alert's path to its unit (a village's own unit, or a grid in it). 422 `visitor_outside_village` otherwise.
 * The API's guard checks the assigner (village staff and above, in reach: PERMISSIONS.alert.assignVisitor).
 */
export function checkAssignVisitor(s: AlertState, v: AssignVisitorInput): void {
  assertOpen(s);
  const village = [...s.ladder].reverse().map((u) => u.code);
  const within = village.every((code, i) => v.unitPath[i] === code) && v.unitPath.length <= village.length + 1;
  if (s.unit.level !== 'village' || !within) throw new RuleViolation('unprocessable', `visitor.unitPath: the visitor's unit must be the alert's village ${s.unit.code} or a grid in it`, 'visitor_outside_village', { path: 'body.unitCode', code: 'visitor_outside_village' });
}

/** A staff user as the visitor rule reads them (store/users.ts): login, role, unit, the unit's path root first, status. */
export interface VisitorUser {
  _id: string;
  role: Role;
  unitCode: string;
  orgPath: readonly string[];
  status: 'active' | 'disabled';
}

/** Whether a role is one an alert's visitor may have (VISITOR_ROLES). */
export const isVisitorRole = (role: string): role is AssignVisitorInput['role'] => (VISITOR_ROLES as readonly string[]).includes(role);

/**
 * Whether `user` may be named an alert's visitor: active, of a visitor role, and of the alert's responsible
 * unit — a village — or a grid in it (their path runs through the village). The candidates the workspace
 * offers (GET /v1/alerts/{id}/visitor-candidates) and the check of an assignment use this one rule.
 */
export const isVisitorCandidate = (user: VisitorUser, alertUnit: Pick<UnitRef, 'code' | 'level'>): boolean =>
  user.status === 'active' && isVisitorRole(user.role) && alertUnit.level === 'village' && user.orgPath.includes(alertUnit.code);

/** Why a login cannot be named an alert's visitor: the rule's reason, the field at fault, an English message. */
export interface VisitorRefusal {
  reason: RefusalReason;
  path: 'body.userId' | 'body.role' | 'body.unitCode';
  message: string;
}

/**
 * Checks a visitor named by login against the user record (fresh-eyes on issue 14: any typed login, role and
 * unit were accepted, and a login of another town then read the household by need). `user`: the record of
 * `login`, or null. In order: no such user or a disabled one (`user_unknown`, `user_disabled`), a role that
 * does not visit (`visitor_role_invalid`) — each naming `body.userId`; a unit outside the alert's village
 * (`visitor_outside_village`, `body.userId`: the user is at fault); then a role or unit the caller typed that
 * differs from the record (`visitor_role_mismatch` on `body.role`, `visitor_unit_mismatch` on `body.unitCode`).
 * Null when the user may be named: the assignment then takes role and unit from the record. Ours.
 */
export function visitorRefusal(login: string, user: VisitorUser | null, alertUnit: Pick<UnitRef, 'code' | 'level'>, typed: { role?: string; unitCode?: string }): VisitorRefusal | null {
  if (!user) return { reason: 'user_unknown', path: 'body.userId', message: `no staff user ${login}` };
  if (user.status !== 'active') return { reason: 'user_disabled', path: 'body.userId', message: `the user ${login} is disabled` };
  if (!isVisitorRole(user.role)) return { reason: 'visitor_role_invalid', path: 'body.userId', message: `the user ${login} is ${user.role}: a visitor is a grid worker, party member or village staff` };
  if (!isVisitorCandidate(user, alertUnit)) return { reason: 'visitor_outside_village', path: 'body.userId', message: `the user ${login} belongs to ${user.unitCode}: the visitor must be of the alert's village ${alertUnit.code} or a grid in it` };
  if (typed.role !== undefined && typed.role !== user.role) return { reason: 'visitor_role_mismatch', path: 'body.role', message: `the user ${login} is ${user.role}, not ${typed.role}` };
  if (typed.unitCode !== undefined && typed.unitCode !== user.unitCode) return { reason: 'visitor_unit_mismatch', path: 'body.unitCode', message: `the user ${login} belongs to ${user.unitCode}, not ${typed.unitCode}` };
  return null;
}

/**
 * Records the assigned visitor (replacing any earlier one): event `visitor_assigned` with the login, role and
 * unit, and a notice to that user at their unit (`visit_assigned`: the alert's level, its household by id — a
 * notice may travel by SMS, so no name and not the free-text note — and what the level asks for), so that the visitor learns of it without
 * polling 我的走访. Ours (issue 14).
 */
export function assignVisitor(s: AlertState, v: AssignVisitorInput, actor: Actor, now: number): Outcome {
  checkAssignVisitor(s, v);
  const unitCode = v.unitPath.at(-1)!;
  s.visitor = { userId: v.userId, role: v.role, unitCode, unitPath: [...v.unitPath], ...(v.note !== undefined ? { note: v.note } : {}), at: now, by: actor };
  const unit = { code: unitCode, name: v.unitName ?? unitCode, level: unitCode === s.unit.code ? s.unit.level : ('grid' as const) };
  const told: Notice = { unit, userId: v.userId, kind: 'visit_assigned', message: `请走访：${ALERT_LEVEL_NAMES[s.level]}预警（${s.householdId}），${LABEL[s.level]}` };
  return { events: [{ type: 'visitor_assigned', at: now, actor, data: { userId: v.userId, role: v.role, unitCode, ...(v.note !== undefined ? { note: v.note } : {}) } }], notices: [told] };
}

export function checkDispose(s: AlertState): void {
  assertOpen(s);
}

/**
 * The order of 受理处置 (ours; seed 三(三)一 "24小时受理处置", issue 12 item 3 受理 → visit → 处置): a disposition
 * is what was done once the alert was taken on and the household assessed, so it needs the alert acknowledged
 * (409 `not_acknowledged`) and a visit recorded (409 `not_visited`). Run by the gate only (validators), so
 * histories recorded before it — where a disposition came first — replay.
 *
 * And the rule for a `needs_assistance` visit after a disposition (ours, stated): it opens a decision deadline
 * all the same (recordVisit). A disposition answers the need found by the visits before it; a later visit
 * that finds the household in need again (the assistance fell short, its situation changed) is a new finding
 * to decide on within the decision deadline. Under this gate a disposition always follows a visit, so the
 * finding it answers is on record before it.
 * @throws RuleViolation('conflict', …, 'not_acknowledged' | 'not_visited').
 */
export function checkDisposeOrder(s: AlertState): void {
  if (s.acknowledgement === undefined) throw new RuleViolation('conflict', `alert ${s.alertId} is not acknowledged yet: 受理 (POST /v1/alerts/{id}/acknowledgements) before recording a disposition`, 'not_acknowledged');
  if (s.visits.length === 0) throw new RuleViolation('conflict', `alert ${s.alertId} has no visit yet: record the visit that assessed the household before its disposition`, 'not_visited');
}

/**
 * Records a disposition (处置): it meets the decision deadline a `needs_assistance` visit opened and, with 受理
 * and a visit, a red alert's deadline. Source: seed 三(三)一 (受理处置); the kinds, issue 12.
 */
export function dispose(s: AlertState, input: DisposeInput, actor: Actor, now: number): Outcome {
  checkDispose(s);
  (s.dispositions ??= []).push({ ...input, recordedAt: now, by: actor });
  const settled = settle(s, now, actor);
  // The event names the referral's target `referredTo` (free text, domain/privacy.ts), not `to` (a unit code elsewhere).
  const { note: _note, ...rest } = input;
  const data = rest.kind === 'referral' ? { kind: rest.kind, referredTo: rest.to } : rest;
  return { events: [{ type: 'disposed', at: now, actor, data }, ...settled.events], notices: settled.notices };
}

export function checkChangeLevel(s: AlertState, level: AlertLevel): void {
  assertOpen(s);
  if (s.level === level) throw new RuleViolation('conflict', `alert ${s.alertId} is already ${level}`, 'level_unchanged');
}

/**
 * A level change, raise or lowering, sets the new level's deadline from now. The deadline it replaces
 * ends: if it had already passed it stays counted as late and its escalations are marked resolved by
 * the level change; lowering never erases a breach from the record.
 */
export function changeLevel(s: AlertState, level: AlertLevel, reason: string, actor: Actor, now: number, approval?: { request?: string; selfApproved?: boolean }): Outcome {
  checkChangeLevel(s, level);
  const from = s.level;
  // A lowering before the deadline's requirement was met ends it unhandled (issue 12: never "not due").
  const open = currentDeadline(s);
  const ended = endOpen(s, now, isLowering(s, level) && open !== undefined && now < open.dueAt ? 'unhandled' : 'level_changed', actor);
  s.level = level;
  s.levelSetAt = now;
  s.levelHistory.push({ from, to: level, at: now, by: actor, reason });
  const opened = openLevelDeadline(s, level, now, now, actor);
  const raised = ALERT_LEVELS.indexOf(level) > ALERT_LEVELS.indexOf(from);
  // A visit recorded in the same instant as the change already satisfies the new deadline.
  const settled = settle(s, now, actor);
  return {
    events: [{ type: 'level_changed', at: now, actor, data: { from, to: level, reason, ...(approval ?? {}) } }, ...ended, ...opened, ...settled.events],
    notices: raised ? [{ unit: s.unit, kind: 'level_raised', message: `预警升级为${ALERT_LEVEL_NAMES[level]}（${s.householdId}）：${LABEL[level]}` }] : [],
  };
}

export function checkReassign(s: AlertState, to: UnitRef): void {
  assertOpen(s);
  if (s.unit.code === to.code) throw new RuleViolation('conflict', `alert ${s.alertId} is already with ${to.name}`);
}

/** Moves responsibility; the open deadline keeps its times and climbs the new unit's ladder from here. */
export function reassign(s: AlertState, to: UnitRef, ladder: UnitRef[], reason: string, actor: Actor, now: number): Outcome {
  checkReassign(s, to);
  const from = s.unit;
  s.reassignments.push({ from, to, at: now, by: actor, reason });
  s.unit = to;
  s.ladder = ladder;
  return { events: [{ type: 'reassigned', at: now, actor, data: { from: from.code, to: to.code, reason } }], notices: [] };
}

export function checkClose(s: AlertState): void {
  assertOpen(s);
}

/**
 * Closes the alert: every open deadline ends. One that has begun, is unmet and not yet due ends `unhandled`
 * (closed without handling, issue 12; one already due stays counted late) unless the alert became an application (its case goes on there: `closed`); a cycle not
 * yet begun ends `closed` (not due).
 */
export function close(s: AlertState, c: CloseInput, actor: Actor, now: number, approval?: { request?: string; selfApproved?: boolean }): Outcome {
  checkClose(s);
  const ended = endAllOpen(s, now, (d) => (c.reason !== 'converted_to_application' && d.opensAt <= now && now < d.dueAt && d.track !== APPROVAL_TRACK ? 'unhandled' : 'closed'), actor);
  s.status = 'closed';
  s.closure = { reason: c.reason, at: now, by: actor, ...(c.applicationId ? { applicationId: c.applicationId } : {}), ...(c.date ? { date: c.date } : {}), ...(c.note ? { note: c.note } : {}) };
  const data = { reason: c.reason, ...(c.applicationId ? { applicationId: c.applicationId } : {}), ...(c.date ? { date: c.date } : {}), ...(approval ?? {}) };
  return { events: [{ type: 'closed', at: now, actor, data }, ...ended], notices: [] };
}

/**
 * The evidence a closure reason carries (ours, issue 12): `deceased` and `moved_away` name the day of death or
 * of the move (China time), not after today and not more than a year before the alert opened (an older one is
 * the register's to correct, not an alert's closure); `converted_to_application` names the application (its
 * existence is the API's check, api/guard.ts referencedCase); no other reason carries a date. Run by the gate
 * only (validators), so histories recorded before it replay.
 * @throws RuleViolation('unprocessable', 'closure.date: …') naming the field.
 */
export function checkCloseEvidence(s: AlertState, c: CloseInput, now: number): void {
  const dated = c.reason === 'deceased' || c.reason === 'moved_away';
  if (dated && c.date === undefined) throw new RuleViolation('unprocessable', `closure.date: required when reason is ${c.reason} (the day of ${c.reason === 'deceased' ? 'death' : 'the move'})`);
  if (!dated && c.date !== undefined) throw new RuleViolation('unprocessable', `closure.date: only a deceased or moved_away closure carries a date`);
  if (c.date !== undefined) {
    const at = Date.parse(`${c.date}T00:00:00+08:00`);
    checkWithin('closure.date', at, { notBefore: { at: s.openedAt - 365 * 86_400_000 - 86_400_000, what: 'a year before the alert was opened' }, notAfter: { at: now + CLOCK_SKEW_MS, what: 'today' } });
  }
}

/**
 * The gate of a direct lowering or closure (ours, issue 12 "no quiet defusing"): with a request pending, it is
 * decided first (409 `request_pending`); a lowering, or a closure that needs approval, is for those who decide
 * requests (the town supervisor and above: their act is its own approval), others request it
 * (403 `approval_required`).
 */
export function checkDirect(s: AlertState, actor: Actor, change: { lower: AlertLevel } | { close: CloseInput }, now: number): void {
  const needs = 'lower' in change ? isLowering(s, change.lower) : closeNeedsApproval(s, change.close.reason, now);
  if (!needs) return;
  if (pendingRequest(s)) throw new RuleViolation('conflict', `alert ${s.alertId} has a request awaiting the town's decision (${pendingRequest(s)!.id}): decide it first`, 'request_pending');
  if (!decidesRequests(actor)) throw new RuleViolation('forbidden', `${'lower' in change ? 'lowering' : 'closing before its requirement is met'} needs the town's approval: send a request (POST /v1/alerts/{id}/requests)`, 'approval_required');
}

/** Whether a direct change is its decider's own approval (recorded on the change's event). */
const selfApproval = (s: AlertState, actor: Actor, needs: boolean) => (needs && decidesRequests(actor) ? { selfApproved: true } : undefined);

/** A direct lowering or raise (the `changeLevel` step): a lowering by a decider is recorded as self-approved. */
export function changeLevelDirect(s: AlertState, level: AlertLevel, reason: string, actor: Actor, now: number): Outcome {
  return changeLevel(s, level, reason, actor, now, selfApproval(s, actor, isLowering(s, level)));
}

/** A direct closure (the `close` step): one that needed approval, by a decider, is recorded as self-approved. */
export function closeDirect(s: AlertState, c: CloseInput, actor: Actor, now: number): Outcome {
  return close(s, c, actor, now, selfApproval(s, actor, closeNeedsApproval(s, c.reason, now)));
}

/** The unit to tell of a decision: the requester's own, found on the alert's ladder (the village by default). */
const unitOfActor = (s: AlertState, actor: Actor): UnitRef => s.ladder.find((u) => u.code === actor.unitCode) ?? s.unit;

export function checkRequest(s: AlertState, r: RequestInput, now: number): void {
  assertOpen(s);
  const pending = pendingRequest(s);
  if (pending) throw new RuleViolation('conflict', `alert ${s.alertId} already has a request awaiting the town's decision (${pending.id})`, 'request_pending');
  if (r.change === 'lower') {
    checkChangeLevel(s, r.level);
    if (!isLowering(s, r.level)) throw new RuleViolation('conflict', `${r.level} is not lower than ${s.level}: raise it directly`, 'approval_not_needed');
  } else if (!closeNeedsApproval(s, r.closure.reason, now)) {
    throw new RuleViolation('conflict', `alert ${s.alertId} may be closed directly: its requirement is met`, 'approval_not_needed');
  }
}

/**
 * A request to lower or close early (issue 12, no quiet defusing): recorded in the timeline, the town told
 * (`approval_requested`), and the approval deadline opened beside the level's (policy `alerts.approval`, ours),
 * escalating from the town up. The level's deadline keeps running meanwhile.
 */
export function requestChange(s: AlertState, r: RequestInput, actor: Actor, now: number): Outcome {
  checkRequest(s, r, now);
  const id = `request#${(s.requests?.length ?? 0) + 1}`;
  const request: ChangeRequest = { id, change: r.change, from: s.level, reason: r.reason, at: now, by: actor, ...(r.change === 'lower' ? { level: r.level } : { closure: r.closure }) };
  (s.requests ??= []).push(request);
  const p = followUpOf(s).approval;
  const opened = openNext(s, { prefix: 'alert', name: 'approval', label: FOLLOW_UP_LABEL.approval, opensAt: now, dueAt: now + p.dueMs, warn: p.warnAt, escalateEveryMs: p.escalateEveryMs, track: APPROVAL_TRACK, ...(s.ladder.length > 1 ? { ownerRung: 1 } : {}) }, now, actor).events;
  const town = s.ladder[1] ?? s.unit;
  const what = r.change === 'lower' ? `降为${ALERT_LEVEL_NAMES[r.level]}` : '销号';
  const data = { request: id, change: r.change, from: s.level, reason: r.reason, ...(r.change === 'lower' ? { level: r.level } : { closeReason: r.closure.reason }) };
  return {
    events: [{ type: 'approval_requested', at: now, actor, data }, ...opened],
    notices: [{ unit: town, kind: 'approval_requested', message: `${ALERT_LEVEL_NAMES[s.level]}预警（${s.householdId}）申请${what}，待审批（${id}）` }],
  };
}

export function checkDecide(s: AlertState, d: DecideInput, now: number): void {
  assertOpen(s);
  const pending = pendingRequest(s);
  if (!pending) throw new RuleViolation('conflict', `alert ${s.alertId} has no request awaiting a decision`, 'no_pending_request');
  if (pending.id !== d.request) throw new RuleViolation('conflict', `the request awaiting a decision is ${pending.id}, not ${d.request}`, 'request_stale');
  if (d.decision === 'approve') {
    if (pending.from !== s.level) throw new RuleViolation('conflict', `the alert was ${pending.from} when ${pending.id} was made and is ${s.level} now: refuse it and request again`, 'request_stale');
    if (pending.change === 'lower') checkChangeLevel(s, pending.level!);
    else if (!closeNeedsApproval(s, pending.closure!.reason, now)) return;
  }
}

/**
 * The town's decision on the pending request: the approval deadline is met, the decision and its reason are
 * in the timeline, the requester is told (`approval_decided`, to their unit and `userId`). Approved, the change
 * applies (a deadline it ends early counts as closed without handling); refused, nothing else changes.
 */
export function decideRequest(s: AlertState, d: DecideInput, actor: Actor, now: number): Outcome {
  checkDecide(s, d, now);
  const pending = pendingRequest(s)!;
  pending.decision = { decision: d.decision, reason: d.reason, at: now, by: actor };
  const met = meetOpen(s, now, actor, APPROVAL_TRACK);
  const word = d.decision === 'approve' ? '同意' : '不同意';
  const out: Outcome = {
    events: [{ type: 'approval_decided', at: now, actor, data: { request: pending.id, decision: d.decision, reason: d.reason } }, ...met],
    notices: [{ unit: unitOfActor(s, pending.by), userId: pending.by.userId, kind: 'approval_decided', message: `预警（${s.householdId}）${pending.change === 'lower' ? '降级' : '销号'}申请：${word}（${pending.id}）` }],
  };
  if (d.decision === 'approve') {
    const applied = pending.change === 'lower' ? changeLevel(s, pending.level!, pending.reason, actor, now, { request: pending.id }) : close(s, pending.closure!, actor, now, { request: pending.id });
    out.events.push(...applied.events);
    out.notices.push(...applied.notices);
  }
  return out;
}

/**
 * The audited re-policy action: the alert takes a new policy version. The open deadline is recomputed
 * from when it opened under the new durations (a tightened deadline may fall due at once).
 */
export function checkRepolicy(s: AlertState, policy: AlertPolicy): void {
  assertOpen(s);
  if (policy.version === s.policy.version) throw new RuleViolation('conflict', `alert ${s.alertId} already follows policy ${policy.version}`);
}

export function repolicy(s: AlertState, policy: AlertPolicy, actor: Actor, now: number): Outcome {
  checkRepolicy(s, policy);
  const from = s.policy.version;
  s.policy = policy;
  s.policyHistory.push({ from, to: policy.version, at: now, by: actor });
  const d = currentDeadline(s);
  if (d && d.breachedAt === undefined) {
    const p = policy.levels[s.level];
    moveOpen(s, { dueAt: d.opensAt + p.dueMs, warn: p.warnAt, escalateEveryMs: p.escalateEveryMs });
  } else if (d) {
    d.escalateEveryMs = policy.levels[s.level].escalateEveryMs;
  }
  return { events: [{ type: 'repolicied', at: now, actor, data: { from, to: policy.version } }], notices: [] };
}

/** Reasons from a repeated report are kept, without duplicates. */
export function addReasons(s: AlertState, reasons: string[]): void {
  for (const r of reasons) if (!s.reasons.includes(r)) s.reasons.push(r);
}

const iso = isoTime;

/** The alert as the API and the read model show it (times as ISO strings). */
export function alertView(s: AlertState, now: number) {
  return {
    caseId: s.alertId,
    kind: 'alert' as const,
    householdId: s.householdId,
    status: s.status,
    level: s.level,
    levelName: ALERT_LEVEL_NAMES[s.level],
    reasons: s.reasons,
    unit: s.unit,
    orgPath: [...s.ladder].reverse().map((u) => u.code),
    openedAt: iso(s.openedAt)!,
    acknowledgedAt: iso(s.acknowledgement?.at),
    ...deadlineView(s.deadlines, s.escalations, now),
    visits: s.visits.map((v) => ({ ...v, visitedAt: iso(v.visitedAt)!, recordedAt: iso(v.recordedAt)! })),
    levelHistory: s.levelHistory.map((h) => ({ ...h, at: iso(h.at)! })),
    reassignments: s.reassignments.map((r) => ({ ...r, at: iso(r.at)! })),
    closure: s.closure ? { ...s.closure, at: iso(s.closure.at)! } : null,
    dispositions: (s.dispositions ?? []).map((x) => ({ ...x, recordedAt: iso(x.recordedAt)! })),
    requests: (s.requests ?? []).map(requestView),
    /** The request awaiting the town's decision (the supervisor's approval queue reads it), or null. */
    pendingRequest: pendingRequest(s) ? requestView(pendingRequest(s)!) : null,
    followUp: s.followUp === true,
    /** Issue 14: the assigned visitor, or null. */
    visitor: s.visitor ? { userId: s.visitor.userId, role: s.visitor.role, unitCode: s.visitor.unitCode, note: s.visitor.note ?? null, at: iso(s.visitor.at)!, by: s.visitor.by } : null,
    policyVersion: s.policy.version,
    version: s.version,
  };
}
export type AlertView = ReturnType<typeof alertView>;

function requestView(r: ChangeRequest) {
  return { ...r, at: iso(r.at)!, decision: r.decision ? { ...r.decision, at: iso(r.decision.at)! } : null };
}

/**
 * Every staff action on an alert after it opened, in one table that drives the workflow's validated updates:
 * `schema` parses the input the update carries, `check` is what the validator runs, `apply` the change.
 * Who may take each action is the permission matrix's (domain/permissions.ts, `alert.<step>`), checked by
 * the API's route guard. Raising or lowering through a repeated report is the workflow's `report` update,
 * not a step.
 */
export const ALERT_STEPS = {
  acknowledge: { schema: zAcknowledgeInput, check: (s: AlertState) => checkAcknowledge(s), apply: (s: AlertState, i: z.infer<typeof zAcknowledgeInput>, a: Actor, n: number) => acknowledge(s, i, a, n) },
  recordVisit: { schema: zVisitInput, check: (s: AlertState, v: VisitInput, _a: Actor, n: number) => checkVisit(s, v, n), apply: recordVisit },
  changeLevel: {
    schema: zChangeLevelInput,
    check: (s: AlertState, i: z.infer<typeof zChangeLevelInput>) => checkChangeLevel(s, i.level),
    gate: (s: AlertState, i: z.infer<typeof zChangeLevelInput>, a: Actor, n: number) => checkDirect(s, a, { lower: i.level }, n),
    apply: (s: AlertState, i: z.infer<typeof zChangeLevelInput>, a: Actor, n: number) => changeLevelDirect(s, i.level, i.reason, a, n),
  },
  reassign: {
    schema: zReassignInput,
    check: (s: AlertState, i: z.infer<typeof zReassignInput>) => checkReassign(s, i.unit),
    apply: (s: AlertState, i: z.infer<typeof zReassignInput>, a: Actor, n: number) => reassign(s, i.unit, i.ladder, i.reason, a, n),
  },
  close: {
    schema: zCloseInput,
    check: (s: AlertState) => checkClose(s),
    gate: (s: AlertState, c: CloseInput, a: Actor, n: number) => {
      checkCloseEvidence(s, c, n);
      checkDirect(s, a, { close: c }, n);
    },
    apply: closeDirect,
  },
  /** Issue 12: a request to lower or close early, for the town to decide. */
  request: {
    path: 'requests',
    summary: '申请降级或销号：降低红/橙色预警，或在要求完成前销号，须经镇(街道)审批 (request a lowering or an early closure; the town approves)',
    schema: zRequestInput,
    check: (s: AlertState, r: RequestInput, _a: Actor, n: number) => checkRequest(s, r, n),
    gate: (s: AlertState, r: RequestInput, _a: Actor, n: number) => (r.change === 'close' ? checkCloseEvidence(s, r.closure, n) : undefined),
    apply: requestChange,
  },
  decide: {
    path: 'requests/decision',
    summary: '审批降级/销号申请 (approve or refuse the pending request; the town supervisor and above)',
    schema: zDecideInput,     check: (s: AlertState, d: DecideInput, _a: Actor, n: number) => checkDecide(s, d, n),
    apply: decideRequest,
  },
  dispose: {
    path: 'dispositions',
    summary: '记录处置：申请救助、转介、临时救助或无需进一步处置 (record a disposition)',
    schema: zDisposeInput,
    check: (s: AlertState) => checkDispose(s),
    gate: (s: AlertState) => checkDisposeOrder(s),
    apply: dispose,
  },
  /** Issue 14: name the visitor who visits the household (village staff and above assign). */
  assignVisitor: {
    path: 'visitor',
    summary: '指派走访人：本村的网格员、党员或村(社区)工作人员 (assign the visitor: a grid worker, party member or village staff of the alert’s village)',
    schema: zAssignVisitorInput,
    check: (s: AlertState, v: AssignVisitorInput) => checkAssignVisitor(s, v),
    apply: assignVisitor,
  },
  repolicy: {
    schema: zRepolicyInput,
    check: (s: AlertState, i: z.infer<typeof zRepolicyInput>) => checkRepolicy(s, i.policy as AlertPolicy),
    apply: (s: AlertState, i: z.infer<typeof zRepolicyInput>, a: Actor, n: number) => repolicy(s, i.policy as AlertPolicy, a, n),
  },
};
