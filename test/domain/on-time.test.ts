import { describe, expect, it } from 'vitest';
import { countStanding, emptyOnTime, onTimeRate, standingOf } from '../../domain/on-time';

const NOW = Date.parse('2026-11-29T00:00:00Z');

describe('the one on-time rule (domain/on-time.ts)', () => {
  it('counts met, late, open past due and ended-early deadlines as due; open not yet due and superseded ones not', () => {
    const c = emptyOnTime();
    const rows = [
      { outcome: 'on_time', dueAt: NOW - 1 },
      { outcome: 'late', dueAt: NOW - 1 },
      { outcome: 'pending', dueAt: NOW - 1 },
      { outcome: 'pending', dueAt: NOW + 1 },
      { outcome: 'unhandled', dueAt: NOW + 5 },
      { outcome: 'not_due', dueAt: NOW - 1 },
    ] as const;
    for (const r of rows) countStanding(c, standingOf(r, NOW));
    expect(c).toEqual({ due: 4, onTime: 1, late: 2, overdueOpen: 1, unhandled: 1 });
    expect(onTimeRate(c)).toBe(0.25);
  });

  it('a deadline due exactly now and unmet is past due; no deadline due gives no rate', () => {
    expect(standingOf({ outcome: 'pending', dueAt: NOW }, NOW)).toBe('overdue_open');
    expect(onTimeRate(emptyOnTime())).toBeNull();
  });
});
