import { describe, expect, it } from 'vitest';
import { countStanding, emptyOnTime, onTimeRate, overdueByMs, standingOf } from '../../domain/on-time';

const NOW = Date.parse('2026-11-29T00:00:00Z');

describe('the one on-time rule (domain/on-time.ts)', () => {
  it('counts met, late, open past due and ended-early deadlines as due; open not yet due and superseded ones not', () => {
    const c = emptyOnTime();
    const rows = [
      { outcome: 'on_time', dueAt: NOW - 1, metAt: NOW - 2 },
      { outcome: 'late', dueAt: NOW - 1, metAt: NOW },
      { outcome: 'pending', dueAt: NOW - 1, metAt: null },
      { outcome: 'pending', dueAt: NOW + 1, metAt: null },
      { outcome: 'unhandled', dueAt: NOW + 5, metAt: null },
      { outcome: 'not_due', dueAt: NOW - 1, metAt: null },
    ] as const;
    for (const r of rows) countStanding(c, standingOf(r, NOW));
    expect(c).toEqual({ due: 4, onTime: 1, late: 2, overdueOpen: 1, overdueClosed: 0, unhandled: 1 });
    expect(onTimeRate(c)).toBe(0.25);
  });

  it('a deadline due exactly now and unmet is past due; no deadline due gives no rate', () => {
    expect(standingOf({ outcome: 'pending', dueAt: NOW, metAt: null }, NOW)).toBe('overdue_open');
    expect(onTimeRate(emptyOnTime())).toBeNull();
  });

  it('a deadline ended past due without being met (lowered, closed, superseded) is overdue_closed, with its days up to its end', () => {
    const DAY = 86_400_000;
    // A red alert ignored for three days, then lowered: outcomeOf gives `late` with no metAt.
    const ended = { outcome: 'late', dueAt: NOW - 5 * DAY, metAt: null, endedAt: NOW - 2 * DAY } as const;
    expect(standingOf(ended, NOW)).toBe('overdue_closed');
    expect(overdueByMs(ended, NOW)).toBe(3 * DAY);
    expect(overdueByMs({ ...ended, outcome: 'late', metAt: NOW - 4 * DAY }, NOW)).toBe(DAY);
    expect(overdueByMs({ ...ended, endedAt: undefined }, NOW)).toBe(0);
    expect(countStanding(emptyOnTime(), standingOf(ended, NOW))).toEqual({ due: 1, onTime: 0, late: 1, overdueOpen: 0, overdueClosed: 1, unhandled: 0 });
  });
});
