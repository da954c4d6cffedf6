import type { UnitRef } from './org';

/**
 * The deadline-and-escalation mechanism every case kind shares (alerts now, applications and reports
 * next). Pure and deterministic: workflows call it with workflow time; tests call it with any clock.
 * Functions mutate the records they are given and return what happened, so a workflow can project it.
 */
export interface Deadline {
  /** Unique within the case, e.g. `red#1`, `yellow#12`. */
  key: string;
  /** What kind of deadline, e.g. `alert.red`: stable, for filtering and stats. */
  kind: string;
  /** What is due, in the users' words: 红色预警：24小时内受理处置. */
  label: string;
  /** Actions recorded before this instant do not count towards it (a yellow cycle starts in the future). */
  opensAt: number;
  dueAt: number;
  warnAt: number;
  escalateEveryMs: number;
  /** When the warning phase was processed (a warning is sent only if that was before dueAt). */
  warnedAt?: number;
  /** When the workflow saw the deadline pass unmet. */
  breachedAt?: number;
  metAt?: number;
  /** Ended without being met: superseded by a level change or the next deadline, or the case closed. */
  endedAt?: number;
  endReason?: EndReason;
  /**
   * The book's track the deadline runs on (domain/deadline-book.ts): absent for the main track (the one every
   * kind had before issue 12), a name for a side track (the alert's `approval`, `decision`). Source: ours.
   */
  track?: string;
  /**
   * Whose deadline it is, as a rung of the case's ladder: absent or 0 the case's own unit, 1 the unit above
   * (the alert's approval is the town's to give). The read model files the deadline under that unit, so the
   * on-time figures and the assessment count it against the unit that had to act (store/projection.ts). Ours.
   */
  ownerRung?: number;
}

/**
 * Why a deadline ended unmet: the alert's level changed (raised), the case closed, the next deadline replaced
 * it, or `unhandled` — the case was closed or its alert lowered before the deadline's requirement was met
 * (issue 12, "no quiet defusing": counted as closed without handling, never as not due).
 */
export type EndReason = 'level_changed' | 'closed' | 'superseded' | 'unhandled';

export interface Escalation {
  /** 1 = the parent of the responsible unit, 2 = its parent, … */
  rung: number;
  from: UnitRef;
  to: UnitRef;
  at: number;
  deadlineKey: string;
  deadlineLabel: string;
  dueAt: number;
  lateByMs: number;
  resolvedAt?: number;
  resolution?: 'met' | EndReason;
}

export type DeadlineEvent =
  | { type: 'warned'; deadline: Deadline; at: number }
  | { type: 'breached'; deadline: Deadline; at: number }
  | { type: 'escalated'; escalation: Escalation };

export function createDeadline(args: {
  key: string;
  kind: string;
  label: string;
  opensAt: number;
  dueAt: number;
  warnAt: number;
  escalateEveryMs: number;
}): Deadline {
  const span = args.dueAt - args.opensAt;
  return { ...args, warnAt: args.opensAt + Math.round(span * args.warnAt) };
}

export const isOpen = (d: Deadline): boolean => d.metAt === undefined && d.endedAt === undefined;
export const isOverdue = (d: Deadline, now: number): boolean => isOpen(d) && now >= d.dueAt;
export const isAtRisk = (d: Deadline, now: number): boolean => isOpen(d) && now >= d.warnAt && now < d.dueAt;

/**
 * How a deadline counts in the on-time figures: met by its due time (on time) or after (late); ended unmet
 * after its due time (late too, with no metAt: the standing `overdue_closed`, 逾期未办结束, whose overdue days run
 * to its endedAt — domain/on-time.ts `standingOf` tells it from a late meeting); ended unmet before it, by the case's own course (not due) or by a closure or
 * lowering without its requirement met (`unhandled`, "closed without handling": issue 12, domain/projection.ts
 * DeadlineRecord); still open (pending).
 */
export function outcomeOf(d: Deadline): 'pending' | 'on_time' | 'late' | 'not_due' | 'unhandled' {
  if (d.metAt !== undefined) return d.metAt <= d.dueAt ? 'on_time' : 'late';
  if (d.endedAt !== undefined) return d.endedAt >= d.dueAt ? 'late' : d.endReason === 'unhandled' ? 'unhandled' : 'not_due';
  return 'pending';
}

const escalationsOf = (escalations: readonly Escalation[], d: Deadline) => escalations.filter((e) => e.deadlineKey === d.key);

/** When rung `r` (1-based) is due: the deadline itself, then one more `escalateEvery` per rung. */
const rungAt = (d: Deadline, rung: number) => d.dueAt + (rung - 1) * d.escalateEveryMs;

/**
 * Brings one deadline up to `now`: a warning once `warnAt` has passed, then one escalation per rung whose
 * time has come, each climbing one unit up `ladder` (ladder[0] is the responsible unit, the last the city).
 * Several rungs at once happen only when the worker was away; each is still recorded.
 */
export function advanceDeadline(d: Deadline, escalations: Escalation[], ladder: readonly UnitRef[], now: number): DeadlineEvent[] {
  if (!isOpen(d)) return [];
  const events: DeadlineEvent[] = [];
  if (d.warnedAt === undefined && now >= d.warnAt) {
    d.warnedAt = now;
    if (now < d.dueAt) events.push({ type: 'warned', deadline: d, at: now });
  }
  if (d.breachedAt === undefined && now >= d.dueAt) {
    d.breachedAt = now;
    events.push({ type: 'breached', deadline: d, at: now });
  }
  const top = ladder.length - 1;
  let rung = escalationsOf(escalations, d).reduce((max, e) => Math.max(max, e.rung), 0);
  while (rung < top && now >= rungAt(d, rung + 1)) {
    rung += 1;
    const escalation: Escalation = {
      rung,
      from: ladder[rung - 1]!,
      to: ladder[rung]!,
      at: now,
      deadlineKey: d.key,
      deadlineLabel: d.label,
      dueAt: d.dueAt,
      lateByMs: now - d.dueAt,
    };
    escalations.push(escalation);
    events.push({ type: 'escalated', escalation });
  }
  return events;
}

/** The next instant at which `advanceDeadline` has something to do, or undefined. */
export function nextWakeAt(d: Deadline, escalations: readonly Escalation[], ladderLength: number): number | undefined {
  if (!isOpen(d)) return undefined;
  const rung = escalationsOf(escalations, d).reduce((max, e) => Math.max(max, e.rung), 0);
  const candidates: number[] = [];
  if (d.warnedAt === undefined) candidates.push(d.warnAt);
  if (d.breachedAt === undefined) candidates.push(d.dueAt);
  if (rung < ladderLength - 1) candidates.push(rungAt(d, rung + 1));
  return candidates.length ? Math.min(...candidates) : undefined;
}

function resolve(d: Deadline, escalations: Escalation[], now: number, resolution: NonNullable<Escalation['resolution']>): Escalation[] {
  const resolved: Escalation[] = [];
  for (const e of escalationsOf(escalations, d)) {
    if (e.resolvedAt === undefined) {
      e.resolvedAt = now;
      e.resolution = resolution;
      resolved.push(e);
    }
  }
  return resolved;
}

/** The required action happened: the deadline is met (late if after dueAt) and its escalations resolved. */
export function meetDeadline(d: Deadline, escalations: Escalation[], now: number): Escalation[] {
  if (!isOpen(d)) return [];
  d.metAt = now;
  return resolve(d, escalations, now, 'met');
}

/** The deadline no longer applies; a deadline already passed still counts as late. */
export function endDeadline(d: Deadline, escalations: Escalation[], now: number, reason: EndReason): Escalation[] {
  if (!isOpen(d)) return [];
  d.endedAt = now;
  d.endReason = reason;
  return resolve(d, escalations, now, reason);
}

/** The highest rung reached and not yet resolved for this deadline (0 when none). */
export function currentRung(d: Deadline, escalations: readonly Escalation[]): number {
  return escalationsOf(escalations, d)
    .filter((e) => e.resolvedAt === undefined)
    .reduce((max, e) => Math.max(max, e.rung), 0);
}

/** An instant as the read model shows it: ISO-8601, or null. */
export const isoTime = (t: number | undefined): string | null => (t === undefined ? null : new Date(t).toISOString());

/**
 * The open deadline of one track of a case (domain/deadline-book.ts): the track's latest deadline, while still
 * open. `track` undefined is the main track (deadlines without a `track`), the only one before issue 12.
 */
export function openDeadlineOf(deadlines: readonly Deadline[], track?: string): Deadline | undefined {
  for (let i = deadlines.length - 1; i >= 0; i--) {
    const d = deadlines[i]!;
    if (d.track === track) return isOpen(d) ? d : undefined;
  }
  return undefined;
}

/**
 * Every open deadline of a case, one per track at most, earliest due first (ties: the order they opened).
 * A case with one track has at most one.
 */
export function openDeadlinesOf(deadlines: readonly Deadline[]): Deadline[] {
  const seen = new Set<string | undefined>();
  const open: Deadline[] = [];
  for (let i = deadlines.length - 1; i >= 0; i--) {
    const d = deadlines[i]!;
    if (seen.has(d.track)) continue;
    seen.add(d.track);
    if (isOpen(d)) open.push(d);
  }
  return open.reverse().sort((a, b) => a.dueAt - b.dueAt);
}

/**
 * The part of every case view that is about deadlines: what is due and when, whether it is overdue or at
 * risk, the rung reached and where, and every deadline and escalation so far. One shape for all kinds,
 * which is what the lists, the board and the workspace read. `provisional`, given by a kind that counts
 * on the holiday calendar, says which deadlines were counted across a provisional (estimated) year: those
 * carry `provisional: true` in `due` and `deadlines` (issue 11, ours).
 */
export function deadlineView(deadlines: readonly Deadline[], escalations: readonly Escalation[], now: number, provisional?: (d: Deadline) => boolean) {
  // The earliest open deadline of any track (a case with side tracks, issue 12, still shows one `due`).
  const d = openDeadlinesOf(deadlines)[0];
  const overdue = d ? isOverdue(d, now) : false;
  // Only a due time counted on a provisional calendar carries the marker (absent otherwise).
  const marker = (x: Deadline) => (provisional?.(x) ? { provisional: true as const } : {});
  return {
    due: d ? { key: d.key, kind: d.kind, label: d.label, dueAt: isoTime(d.dueAt)!, opensAt: isoTime(d.opensAt)!, ...marker(d) } : null,
    dueAt: isoTime(d?.dueAt),
    overdue,
    overdueByMs: d && overdue ? now - d.dueAt : 0,
    atRisk: d ? isAtRisk(d, now) : false,
    rung: d ? currentRung(d, escalations) : 0,
    escalatedTo: (d && escalations.filter((e) => e.deadlineKey === d.key && e.resolvedAt === undefined).at(-1)?.to) ?? null,
    deadlines: deadlines.map((x) => ({ key: x.key, kind: x.kind, label: x.label, opensAt: isoTime(x.opensAt)!, dueAt: isoTime(x.dueAt)!, metAt: isoTime(x.metAt), endedAt: isoTime(x.endedAt), ...(x.endReason ? { endReason: x.endReason } : {}), ...(x.track ? { track: x.track } : {}), ...marker(x) })),
    escalations: escalations.map((e) => ({ ...e, at: isoTime(e.at)!, dueAt: isoTime(e.dueAt)!, resolvedAt: isoTime(e.resolvedAt) })),
  };
}
