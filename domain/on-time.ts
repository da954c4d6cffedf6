import type { DeadlineRecord } from './projection';

/**
 * How one deadline counts in every on-time figure jiuzhu shows — the supervisor's stats, the public unit
 * page, a summons' snapshot, the yearly assessment — at an instant `now` (ms since the epoch):
 * - `on_time` / `late`: met before / after its due time;
 * - `overdue_open`: still open and past due (counted as due and late);
 * - `overdue_closed`: ended past its due time without ever being met — lowered, closed, raised or superseded
 *   while overdue (the record's outcome is `late` and it has no `metAt`, domain/deadlines.ts outcomeOf):
 *   counted as due and late, in the overdue figures with its days up to when it ended (`endedAt`), and shown as
 *   its own standing (逾期未办结束), never as "met late" — a red alert ignored for days and then lowered was
 *   never handled. Records written before `endedAt` was kept count 0 days (ours, fix of issue 12's review);
 * - `unhandled`: ended before it was due without its requirement met — an alert closed or lowered early
 *   ("closed without handling", issue 12): counted as due and not met, never as "not due", so a quiet
 *   defusing lowers the on-time rate instead of vanishing from it;
 * - `pending`: open and not yet due — not counted as due;
 * - `not_due`: superseded by the case's own next step before it was due — not counted.
 * Source: ours (issue 12 item 2 for `unhandled`).
 */
export type Standing = 'on_time' | 'late' | 'overdue_open' | 'overdue_closed' | 'unhandled' | 'pending' | 'not_due';

/** What one deadline counts as at `now` (ms). `dueAt`, `metAt` in ms since the epoch. Throws nothing. */
export function standingOf(d: { outcome: DeadlineRecord['outcome']; dueAt: number; metAt: number | null }, now: number): Standing {
  switch (d.outcome) {
    case 'late':
      return d.metAt === null ? 'overdue_closed' : 'late';
    case 'on_time':
    case 'unhandled':
    case 'not_due':
      return d.outcome;
    case 'pending':
      return d.dueAt <= now ? 'overdue_open' : 'pending';
  }
}

/** The on-time figures of a set of deadlines: `due` = onTime + late + unhandled (late includes the open ones past due and those ended past due). */
export interface OnTimeCounts {
  due: number;
  onTime: number;
  /** Not met by the due time: met late, open past due, or ended past due unmet. */
  late: number;
  /** Of `late`: still open past due. */
  overdueOpen: number;
  /** Of `late`: ended past due without being met (`overdue_closed`). */
  overdueClosed: number;
  unhandled: number;
}

export const emptyOnTime = (): OnTimeCounts => ({ due: 0, onTime: 0, late: 0, overdueOpen: 0, overdueClosed: 0, unhandled: 0 });

/** Adds one deadline's standing to `c` (see Standing); returns `c`. */
export function countStanding(c: OnTimeCounts, standing: Standing): OnTimeCounts {
  if (standing === 'pending' || standing === 'not_due') return c;
  c.due += 1;
  if (standing === 'on_time') c.onTime += 1;
  else if (standing === 'unhandled') c.unhandled += 1;
  else {
    c.late += 1;
    if (standing === 'overdue_open') c.overdueOpen += 1;
    if (standing === 'overdue_closed') c.overdueClosed += 1;
  }
  return c;
}

/** The share of due deadlines met on time, or null when none came due. */
export const onTimeRate = (c: Pick<OnTimeCounts, 'due' | 'onTime'>): number | null => (c.due ? c.onTime / c.due : null);

/**
 * How long a deadline has been or was overdue, in ms, at `now`: met late, metAt − dueAt; open past due,
 * now − dueAt; ended past due unmet, endedAt − dueAt (0 when the record predates `endedAt`); otherwise null.
 * The one rule of every "days overdue" figure (the assessment, its drill-down and exports). Ours.
 */
export function overdueByMs(d: { outcome: DeadlineRecord['outcome']; dueAt: number; metAt: number | null; endedAt?: number | null }, now: number): number | null {
  const s = standingOf(d, now);
  if (s === 'late') return d.metAt! - d.dueAt;
  if (s === 'overdue_open') return now - d.dueAt;
  if (s === 'overdue_closed') return d.endedAt === null || d.endedAt === undefined ? 0 : Math.max(0, d.endedAt - d.dueAt);
  return null;
}
