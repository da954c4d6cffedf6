import { z } from 'zod';
import { zPersonName } from './text';
import { CLOCK_SKEW_MS, zInstant } from './dates';
import { advanceBook, bookWakeAt, endOpen, meetOpen, moveOpen, openDeadline, openNext } from './deadline-book';
import { deadlineView, isoTime, type Deadline, type Escalation } from './deadlines';
import { zOrgCode, zOrgLevel, type UnitRef } from './org';
import { ALERT_LEVEL_NAMES, ALERT_LEVELS, zAlertLevel, type AlertLevel, type AlertPolicy } from './policy';
import { RuleViolation, zActor, type Actor, type CaseEvent, type Outcome } from './case';

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
}

export { RuleViolation, type Actor, type CaseEvent, type Notice, type Outcome } from './case';

const LABEL: Record<AlertLevel, string> = {
  red: '红色预警：受理并处置',
  orange: '橙色预警：走访慰问',
  yellow: '黄色预警：每周探访',
};

export function currentDeadline(s: AlertState): Deadline | undefined {
  return openDeadline(s);
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

/** Whether the open deadline's required action is complete: red needs 受理 and a visit, the others a visit. */
function requirementMet(s: AlertState, d: Deadline): boolean {
  const visited = s.visits.some((v) => v.recordedAt >= d.opensAt);
  if (d.kind === 'alert.red') return visited && s.acknowledgement !== undefined;
  return visited;
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

/** Meets the open deadline once its requirement is complete; a met yellow cycle opens the next. */
function settle(s: AlertState, now: number, actor: Actor | undefined): Outcome {
  const d = currentDeadline(s);
  if (!d || !requirementMet(s, d)) return { events: [], notices: [] };
  const events = meetOpen(s, now, actor);
  if (s.level === 'yellow') events.push(...nextYellowCycle(s, now, actor));
  return { events, notices: [] };
}

/** Brings the alert up to `now`: warnings and escalations whose time has come. */
export function advanceAlert(s: AlertState, now: number): Outcome {
  if (s.status !== 'open') return { events: [], notices: [] };
  return advanceBook(s, { unit: s.unit, ladder: s.ladder, subject: s.householdId }, now);
}

/** The next instant the alert's timers must fire, or undefined when nothing is pending. */
export function alertWakeAt(s: AlertState): number | undefined {
  return s.status === 'open' ? bookWakeAt(s, s.ladder.length) : undefined;
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
  return {
    events: [{ type: 'visit_recorded', at: now, actor, data: { visitors: v.visitors.length, outcome: v.outcome, visitedAt: Date.parse(v.visitedAt) } }, ...settled.events],
    notices: settled.notices,
  };
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
export function changeLevel(s: AlertState, level: AlertLevel, reason: string, actor: Actor, now: number): Outcome {
  checkChangeLevel(s, level);
  const from = s.level;
  const ended = endOpen(s, now, 'level_changed', actor);
  s.level = level;
  s.levelSetAt = now;
  s.levelHistory.push({ from, to: level, at: now, by: actor, reason });
  const opened = openLevelDeadline(s, level, now, now, actor);
  const raised = ALERT_LEVELS.indexOf(level) > ALERT_LEVELS.indexOf(from);
  // A visit recorded in the same instant as the change already satisfies the new deadline.
  const settled = settle(s, now, actor);
  return {
    events: [{ type: 'level_changed', at: now, actor, data: { from, to: level, reason } }, ...ended, ...opened, ...settled.events],
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

export function close(s: AlertState, c: CloseInput, actor: Actor, now: number): Outcome {
  checkClose(s);
  const ended = endOpen(s, now, 'closed', actor);
  s.status = 'closed';
  s.closure = { reason: c.reason, at: now, by: actor, ...(c.applicationId ? { applicationId: c.applicationId } : {}), ...(c.note ? { note: c.note } : {}) };
  return { events: [{ type: 'closed', at: now, actor, data: { reason: c.reason, ...(c.applicationId ? { applicationId: c.applicationId } : {}) } }, ...ended], notices: [] };
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
    policyVersion: s.policy.version,
    version: s.version,
  };
}
export type AlertView = ReturnType<typeof alertView>;

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
    apply: (s: AlertState, i: z.infer<typeof zChangeLevelInput>, a: Actor, n: number) => changeLevel(s, i.level, i.reason, a, n),
  },
  reassign: {
    schema: zReassignInput,
    check: (s: AlertState, i: z.infer<typeof zReassignInput>) => checkReassign(s, i.unit),
    apply: (s: AlertState, i: z.infer<typeof zReassignInput>, a: Actor, n: number) => reassign(s, i.unit, i.ladder, i.reason, a, n),
  },
  close: { schema: zCloseInput, check: (s: AlertState) => checkClose(s), apply: close },
  repolicy: {
    schema: zRepolicyInput,
    check: (s: AlertState, i: z.infer<typeof zRepolicyInput>) => checkRepolicy(s, i.policy as AlertPolicy),
    apply: (s: AlertState, i: z.infer<typeof zRepolicyInput>, a: Actor, n: number) => repolicy(s, i.policy as AlertPolicy, a, n),
  },
};
