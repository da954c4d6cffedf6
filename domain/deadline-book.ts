import { deadlineOutcome, type Actor, type CaseEvent, type Outcome } from './case';
import { advanceDeadline, createDeadline, endDeadline, meetDeadline, nextWakeAt, openDeadlineOf, openDeadlinesOf, type Deadline, type EndReason, type Escalation } from './deadlines';
import type { UnitRef } from './org';

/**
 * The deadline book: how every case kind keeps its deadlines, on top of the engine in deadlines.ts. A case
 * keeps its deadlines on **tracks**: the main track (the one every kind had before issue 12: what the case
 * is working towards) and, where a kind needs them, named side tracks (the alert's `approval` of a pending
 * request, its `decision` after a visit found the household needs assistance) that run beside it. Each track
 * has at most one open deadline at a time. Opening the next one on a track ends the one still open there
 * (recorded as `superseded`, never silently left open to be counted late for ever); meeting and ending act
 * on a track's open one (the main track unless a track is named). `advanceBook` and `bookWakeAt` cover every
 * open deadline of every track. Each operation returns the standard audit events, the same for every kind:
 * `deadline_opened`, `deadline_met`, `deadline_ended` (their `data.track` names a side track), and — from
 * `advanceBook` — `at_risk`, `overdue` and `escalated` with their notices. Source: ours (the seed's 24 h /
 * 72 h / weekly rules are the alert kind's terms, in domain/policy.ts).
 */
export interface DeadlineBook {
  /** Every deadline so far, oldest first; on each track only the last can be open. */
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
  /** The side track it runs on (`approval`); absent: the main track. */
  track?: string;
  /** Whose deadline it is, as a rung of the case's ladder (Deadline.ownerRung); absent: the case's unit. */
  ownerRung?: number;
}

const withActor = (actor: Actor | undefined) => (actor ? { actor } : {});

const withTrack = (track: string | undefined) => (track ? { track } : {});

/** The open deadline of a track (the main track when `track` is undefined), or undefined. */
export function openDeadline(book: DeadlineBook, track?: string): Deadline | undefined {
  return openDeadlineOf(book.deadlines, track);
}

/** Every open deadline, one per track at most, earliest due first. */
export function openDeadlines(book: DeadlineBook): Deadline[] {
  return openDeadlinesOf(book.deadlines);
}

/**
 * Opens a deadline on its track (`spec.track`, the main track by default). A deadline still open on that
 * track is ended first as `superseded` (a deadline already passed stays counted late); other tracks are
 * left alone. Returns `deadline_ended` (when one was superseded) and `deadline_opened`.
 * Throws nothing; the caller's validator has checked the times (dueAt ≥ opensAt).
 */
export function openNext(book: DeadlineBook, spec: DeadlineSpec, now: number, actor?: Actor): { deadline: Deadline; events: CaseEvent[] } {
  const events = endOpen(book, now, 'superseded', actor, spec.track);
  const kind = `${spec.prefix}.${spec.name}`;
  const seq = book.deadlines.filter((d) => d.kind === kind).length + 1;
  const deadline = createDeadline({ key: spec.key ?? `${spec.name}#${seq}`, kind, label: spec.label, opensAt: spec.opensAt, dueAt: spec.dueAt, warnAt: 0, escalateEveryMs: spec.escalateEveryMs });
  deadline.warnAt = warnAtOf(spec.warn, spec.opensAt, spec.dueAt);
  if (spec.track) deadline.track = spec.track;
  if (spec.ownerRung) deadline.ownerRung = spec.ownerRung;
  book.deadlines.push(deadline);
  events.push({ type: 'deadline_opened', at: now, ...withActor(actor), data: { deadline: deadline.key, kind, label: deadline.label, opensAt: deadline.opensAt, dueAt: deadline.dueAt, ...withTrack(spec.track) } });
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
export function moveOpen(book: DeadlineBook, move: { dueAt: number; warn: DeadlineSpec['warn']; escalateEveryMs?: number; rewarn?: boolean; track?: string }): Deadline | undefined {
  const d = openDeadline(book, move.track);
  if (!d) return undefined;
  d.dueAt = move.dueAt;
  d.warnAt = warnAtOf(move.warn, d.opensAt, move.dueAt);
  if (move.escalateEveryMs !== undefined) d.escalateEveryMs = move.escalateEveryMs;
  if (move.rewarn) delete d.warnedAt;
  return d;
}

/**
 * The open deadline's action happened (on `track`, the main track by default): met (late when after dueAt),
 * its escalations resolved. `deadline_met`, or nothing when none is open there.
 */
export function meetOpen(book: DeadlineBook, now: number, actor?: Actor, track?: string): CaseEvent[] {
  const d = openDeadline(book, track);
  if (!d) return [];
  const resolved = meetDeadline(d, book.escalations, now);
  return [{ type: 'deadline_met', at: now, ...withActor(actor), data: { deadline: d.key, dueAt: d.dueAt, lateByMs: Math.max(0, now - d.dueAt), resolvedEscalations: resolved.length, ...withTrack(track) } }];
}

/**
 * The open deadline (on `track`, the main track by default) no longer applies; one already passed still
 * counts late. `deadline_ended`, or nothing when none is open there.
 */
export function endOpen(book: DeadlineBook, now: number, reason: EndReason, actor?: Actor, track?: string): CaseEvent[] {
  const d = openDeadline(book, track);
  if (!d) return [];
  const resolved = endDeadline(d, book.escalations, now, reason);
  return [{ type: 'deadline_ended', at: now, ...withActor(actor), data: { deadline: d.key, dueAt: d.dueAt, reason, late: now >= d.dueAt, resolvedEscalations: resolved.length, ...withTrack(track) } }];
}

/** Ends every open deadline of every track (a case closing): `reasonOf` gives each its reason. The book's `deadline_ended` events, main track first. */
export function endAllOpen(book: DeadlineBook, now: number, reasonOf: (d: Deadline) => EndReason, actor?: Actor): CaseEvent[] {
  // Sorted as deadlines (Array.prototype.sort never hands an undefined element, the main track, to the comparator).
  const open = openDeadlines(book).sort((a, b) => Number(a.track !== undefined) - Number(b.track !== undefined));
  return open.flatMap((d) => endOpen(book, now, reasonOf(d), actor, d.track));
}

/**
 * Where a deadline escalates: one path for every track, or a function of the deadline (a side track may climb
 * another ladder: the alert's approval starts at the town).
 */
export type PathOf = EscalationPath | ((d: Deadline) => EscalationPath);
const pathFor = (path: PathOf, d: Deadline): EscalationPath => (typeof path === 'function' ? path(d) : path);

/**
 * Brings every open deadline up to `now` along its path: the at-risk warning, the overdue mark, each
 * escalation rung. Deadlines are advanced earliest due first; with one track this is the one open deadline.
 */
export function advanceBook(book: DeadlineBook, path: PathOf, now: number): Outcome {
  const out: Outcome = { events: [], notices: [] };
  for (const d of openDeadlines(book)) {
    const p = pathFor(path, d);
    mergeOutcome(out, deadlineOutcome(advanceDeadline(d, book.escalations, p.ladder, now), p.unit, p.subject));
  }
  return out;
}

/**
 * The next instant `advanceBook` has something to do for any open deadline (ms since the epoch), or undefined.
 * `ladderLength`: the number of rungs of the deadlines' ladder, or a function of the deadline (see PathOf).
 */
export function bookWakeAt(book: DeadlineBook, ladderLength: number | ((d: Deadline) => number)): number | undefined {
  return earliest(...openDeadlines(book).map((d) => nextWakeAt(d, book.escalations, typeof ladderLength === 'function' ? ladderLength(d) : ladderLength)));
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
