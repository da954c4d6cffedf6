import { deadlineOutcome, type Actor, type CaseEvent, type Outcome } from './case';
import { advanceDeadline, createDeadline, endDeadline, meetDeadline, nextWakeAt, openDeadlineOf, type Deadline, type EndReason, type Escalation } from './deadlines';
import type { UnitRef } from './org';

/**
 * The deadline book: how every case kind keeps its deadlines, on top of the engine in deadlines.ts. A case
 * has at most one open deadline at a time — the one it is working towards. Opening the next one ends the
 * one still open (recorded as `superseded`, never silently left open to be counted late for ever); meeting
 * and ending act on the open one. Each operation returns the standard audit events, the same for every
 * kind: `deadline_opened`, `deadline_met`, `deadline_ended`, and — from `advanceBook` — `at_risk`,
 * `overdue` and `escalated` with their notices. Source: ours (the seed's 24 h / 72 h / weekly rules are
 * the alert kind's terms, in domain/policy.ts).
 */
export interface DeadlineBook {
  /** Every deadline so far, oldest first; only the last can be open. */
  deadlines: Deadline[];
  escalations: Escalation[];
}

/** Where a case's deadlines escalate: its responsible unit, then each ancestor (ladder[0] is the unit). */
export interface EscalationPath {
  unit: UnitRef;
  /** The rungs: the responsible unit first, then each unit an overdue deadline climbs to. */
  ladder: readonly UnitRef[];
  /** The case in the users' words, for notices: 心愿 wish-…, 申请 application-…, the household id. */
  subject: string;
}

/** A deadline to open, declared by the kind: its kind id is `<case kind>.<name>` (e.g. `wish.claim`). */
export interface DeadlineSpec {
  /** The case kind's prefix and the deadline's name: `alert` + `red` → kind `alert.red`, key `red#<n>`. */
  prefix: string;
  name: string;
  /** What is due, in the users' words. */
  label: string;
  /** ms since the epoch. Actions recorded before it do not count towards the deadline. */
  opensAt: number;
  /** ms since the epoch. */
  dueAt: number;
  /**
   * When the at-risk warning is due: a fraction of the span from opensAt to dueAt (0.75), or an instant
   * (`{ at }`, ms since the epoch).
   */
  warn: number | { at: number };
  /** ms between one escalation rung and the next. */
  escalateEveryMs: number;
  /** A fixed key instead of `<name>#<n>` (Party day's single `answers` deadline). */
  key?: string;
}

const withActor = (actor: Actor | undefined) => (actor ? { actor } : {});

/** The deadline the case is working towards, or undefined. */
export function openDeadline(book: DeadlineBook): Deadline | undefined {
  return openDeadlineOf(book.deadlines);
}

/**
 * Opens a deadline. A deadline still open is ended first as `superseded` (a deadline already passed stays
 * counted late). Returns `deadline_ended` (when one was superseded) and `deadline_opened`.
 * Throws nothing; the caller's validator has checked the times (dueAt ≥ opensAt).
 */
export function openNext(book: DeadlineBook, spec: DeadlineSpec, now: number, actor?: Actor): { deadline: Deadline; events: CaseEvent[] } {
  const events = endOpen(book, now, 'superseded', actor);
  const kind = `${spec.prefix}.${spec.name}`;
  const seq = book.deadlines.filter((d) => d.kind === kind).length + 1;
  const deadline = createDeadline({ key: spec.key ?? `${spec.name}#${seq}`, kind, label: spec.label, opensAt: spec.opensAt, dueAt: spec.dueAt, warnAt: 0, escalateEveryMs: spec.escalateEveryMs });
  deadline.warnAt = warnAtOf(spec.warn, spec.opensAt, spec.dueAt);
  book.deadlines.push(deadline);
  events.push({ type: 'deadline_opened', at: now, ...withActor(actor), data: { deadline: deadline.key, kind, label: deadline.label, opensAt: deadline.opensAt, dueAt: deadline.dueAt } });
  return { deadline, events };
}

/** The at-risk instant (ms since the epoch) of a spec's `warn`: a fraction of the span from opensAt to dueAt, or an instant. */
function warnAtOf(warn: DeadlineSpec['warn'], opensAt: number, dueAt: number): number {
  return typeof warn === 'number' ? opensAt + Math.round((dueAt - opensAt) * warn) : warn.at;
}

/**
 * Moves the open deadline's due time (an extension granted, a new policy), keeping when it opened: the
 * at-risk instant is recomputed from `warn` (as in DeadlineSpec), and with `rewarn` a warning already given
 * is given again at the new instant. Returns the moved deadline, or undefined when none is open. Returns no
 * event: the step that moves it records why. Throws nothing; the caller has checked the deadline has not
 * passed (dueAt ≥ opensAt).
 */
export function moveOpen(book: DeadlineBook, move: { dueAt: number; warn: DeadlineSpec['warn']; escalateEveryMs?: number; rewarn?: boolean }): Deadline | undefined {
  const d = openDeadline(book);
  if (!d) return undefined;
  d.dueAt = move.dueAt;
  d.warnAt = warnAtOf(move.warn, d.opensAt, move.dueAt);
  if (move.escalateEveryMs !== undefined) d.escalateEveryMs = move.escalateEveryMs;
  if (move.rewarn) delete d.warnedAt;
  return d;
}

/** The open deadline's action happened: met (late when after dueAt), its escalations resolved. `deadline_met`, or nothing when none is open. */
export function meetOpen(book: DeadlineBook, now: number, actor?: Actor): CaseEvent[] {
  const d = openDeadline(book);
  if (!d) return [];
  const resolved = meetDeadline(d, book.escalations, now);
  return [{ type: 'deadline_met', at: now, ...withActor(actor), data: { deadline: d.key, dueAt: d.dueAt, lateByMs: Math.max(0, now - d.dueAt), resolvedEscalations: resolved.length } }];
}

/** The open deadline no longer applies; one already passed still counts late. `deadline_ended`, or nothing when none is open. */
export function endOpen(book: DeadlineBook, now: number, reason: EndReason, actor?: Actor): CaseEvent[] {
  const d = openDeadline(book);
  if (!d) return [];
  const resolved = endDeadline(d, book.escalations, now, reason);
  return [{ type: 'deadline_ended', at: now, ...withActor(actor), data: { deadline: d.key, dueAt: d.dueAt, reason, late: now >= d.dueAt, resolvedEscalations: resolved.length } }];
}

/** Brings the open deadline up to `now` along `path`: the at-risk warning, the overdue mark, each escalation rung. */
export function advanceBook(book: DeadlineBook, path: EscalationPath, now: number): Outcome {
  const d = openDeadline(book);
  if (!d) return { events: [], notices: [] };
  return deadlineOutcome(advanceDeadline(d, book.escalations, path.ladder, now), path.unit, path.subject);
}

/** The next instant `advanceBook` has something to do (ms since the epoch), or undefined. */
export function bookWakeAt(book: DeadlineBook, ladderLength: number): number | undefined {
  const d = openDeadline(book);
  return d ? nextWakeAt(d, book.escalations, ladderLength) : undefined;
}

/** The earliest of several wake points (undefined ones ignored): a kind's own timers beside its deadlines. */
export function earliest(...points: (number | undefined)[]): number | undefined {
  const defined = points.filter((p): p is number => p !== undefined);
  return defined.length ? Math.min(...defined) : undefined;
}

/** Appends `from` to `into`: a step's outcome built from several parts. */
export function mergeOutcome(into: Outcome, from: Outcome): Outcome {
  into.events.push(...from.events);
  into.notices.push(...from.notices);
  return into;
}
