import type { DeadlineRecord } from './projection';

/**
 * How one deadline counts in every on-time figure jiuzhu shows — the supervisor's stats, the public unit
 * page, a summons' snapshot, the yearly assessment — at an instant `now` (ms since the epoch):
 * - `on_time` / `late`: met before / after its due time;
 * - `overdue_open`: still open and past due (counted as due and late);
 * - `unhandled`: ended before it was due without its requirement met — an alert closed or lowered early
 *   ("closed without handling", issue 12): counted as due and not met, never as "not due", so a quiet
 *   defusing lowers the on-time rate instead of vanishing from it;
 * - `pending`: open and not yet due — not counted as due;
 * - `not_due`: superseded by the case's own next step before it was due — not counted.
 * Source: ours (issue 12 item 2 for `unhandled`).
 */
export type Standing = 'on_time' | 'late' | 'overdue_open' | 'unhandled' | 'pending' | 'not_due';

/** What one deadline counts as at `now` (ms). `dueAt` in ms since the epoch. Throws nothing. */
export function standingOf(d: { outcome: DeadlineRecord['outcome']; dueAt: number }, now: number): Standing {
  switch (d.outcome) {
    case 'on_time':
    case 'late':
    case 'unhandled':
    case 'not_due':
      return d.outcome;
    case 'pending':
      return d.dueAt <= now ? 'overdue_open' : 'pending';
  }
}

/** The on-time figures of a set of deadlines: `due` = onTime + late + unhandled (late includes the open ones past due). */
export interface OnTimeCounts {
  due: number;
  onTime: number;
  /** Met late, or open past due. */
  late: number;
  /** Of `late`: still open past due. */
  overdueOpen: number;
  unhandled: number;
}

export const emptyOnTime = (): OnTimeCounts => ({ due: 0, onTime: 0, late: 0, overdueOpen: 0, unhandled: 0 });

/** Adds one deadline's standing to `c` (see Standing); returns `c`. */
export function countStanding(c: OnTimeCounts, standing: Standing): OnTimeCounts {
  if (standing === 'pending' || standing === 'not_due') return c;
  c.due += 1;
  if (standing === 'on_time') c.onTime += 1;
  else if (standing === 'unhandled') c.unhandled += 1;
  else {
    c.late += 1;
    if (standing === 'overdue_open') c.overdueOpen += 1;
  }
  return c;
}

/** The share of due deadlines met on time, or null when none came due. */
export const onTimeRate = (c: Pick<OnTimeCounts, 'due' | 'onTime'>): number | null => (c.due ? c.onTime / c.due : null);
