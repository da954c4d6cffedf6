import { describe, expect, it } from 'vitest';
import {
  CHINA_TIME_ZONE,
  CHINA_UTC_OFFSET_MS,
  dayNumberOf,
  dayOfNumber,
  endOfLocalDay,
  isValidDay,
  localDate,
  localDay,
  localDayNumber,
  localInstant,
  localMonth,
  nextLocalMidnight,
  parseLocalDay,
  parseLocalMonth,
  shiftMonth,
  startOfDayNumber,
  startOfLocalDay,
  startOfLocalMonth,
  weekdayOfNumber,
} from '../../domain/china-time';

const H = 3_600_000;
const D = 24 * H;
/** An instant written in Beijing time. */
const bj = (local: string) => Date.parse(`${local}+08:00`);

describe('localDay', () => {
  it('is the Beijing (UTC+8) day, not the UTC day', () => {
    expect(localDay(Date.parse('2026-03-02T15:59:59.999Z'))).toBe('2026-03-02');
    expect(localDay(Date.parse('2026-03-02T16:00:00Z'))).toBe('2026-03-03');
    expect(localDay(bj('2026-12-31T23:59:59'))).toBe('2026-12-31');
    expect(localDay(bj('2027-01-01T00:00:00'))).toBe('2027-01-01');
  });

  it('turns at 16:00Z, the local midnight, on every day of the year', () => {
    for (let t = Date.parse('2026-01-01T16:00:00Z'); t < Date.parse('2027-01-01T16:00:00Z'); t += D) {
      expect(localDay(t - 1)).not.toBe(localDay(t));
      expect(localDay(t)).toBe(new Date(t + D / 2).toISOString().slice(0, 10));
    }
  });

  it('refuses a non-finite instant with a clear error', () => {
    expect(() => localDay(Number.NaN)).toThrow(new RangeError('expected an epoch-ms instant, got NaN'));
    expect(() => localMonth(Number.POSITIVE_INFINITY)).toThrow(/expected an epoch-ms instant/);
    expect(() => localDate(Number.NaN)).toThrow(/expected an epoch-ms instant/);
  });
});

describe('localMonth and localDate', () => {
  it('take the month and date in local time at a month end', () => {
    // 2026-10-31 16:30 UTC is already 1 November in Weihai.
    expect(localMonth(Date.UTC(2026, 9, 31, 16, 30))).toBe('2026-11');
    expect(localMonth(Date.UTC(2026, 9, 31, 15, 59))).toBe('2026-10');
    expect(localMonth(Date.parse('2026-12-31T16:00:00Z'))).toBe('2027-01');
    expect(localMonth(Date.parse('2026-12-31T15:59:59.999Z'))).toBe('2026-12');
    expect(localDate(Date.parse('2028-02-28T16:00:00Z'))).toEqual({ year: 2028, month: 2, day: 29 });
    expect(localDate(Date.parse('2026-02-28T16:00:00Z'))).toEqual({ year: 2026, month: 3, day: 1 });
  });
});

describe('the instants a local day spans', () => {
  const NOV15 = Date.UTC(2026, 10, 15, 1, 0);
  const NOV15_END = Date.UTC(2026, 10, 15, 16, 0);

  it('starts at 16:00Z the day before and ends at 16:00Z the same UTC day', () => {
    expect(startOfLocalDay('2026-11-15')).toBe(Date.parse('2026-11-14T16:00:00Z'));
    expect(endOfLocalDay('2026-11-15')).toBe(NOV15_END);
    expect(endOfLocalDay('2026-12-31')).toBe(startOfLocalDay('2027-01-01'));
    expect(endOfLocalDay('2028-02-28')).toBe(startOfLocalDay('2028-02-29'));
  });

  it('ends the day containing an instant at the next local midnight', () => {
    expect(nextLocalMidnight(NOV15)).toBe(NOV15_END);
    expect(nextLocalMidnight(Date.UTC(2026, 10, 15, 15, 59))).toBe(NOV15_END);
    expect(nextLocalMidnight(NOV15_END)).toBe(NOV15_END + D);
    expect(nextLocalMidnight(NOV15_END - 1)).toBe(NOV15_END);
  });

  it('places a local date and clock time', () => {
    expect(localInstant({ year: 2026, month: 11, day: 15 }, 9, 0)).toBe(NOV15);
    expect(localInstant({ year: 2026, month: 12, day: 1 }, 7, 30)).toBe(Date.UTC(2026, 10, 30, 23, 30));
    expect(localInstant({ year: 2027, month: 1, day: 1 })).toBe(bj('2027-01-01T00:00:00'));
  });

  it('counts day numbers in local time', () => {
    const n = localDayNumber(bj('2026-11-15T00:00:00'));
    expect(localDayNumber(bj('2026-11-15T23:59:59.999'))).toBe(n);
    expect(startOfDayNumber(n)).toBe(startOfLocalDay('2026-11-15'));
    expect(dayOfNumber(n)).toBe('2026-11-15');
    expect(dayNumberOf('2026-11-15')).toBe(n);
    expect(() => dayNumberOf('2026-11-31')).toThrow(new RangeError('expected a date YYYY-MM-DD, got "2026-11-31"'));
    expect(weekdayOfNumber(n)).toBe(0); // a Sunday
    expect(weekdayOfNumber(0)).toBe(4); // 1970-01-01, a Thursday
    expect(weekdayOfNumber(-1)).toBe(3);
    expect(() => dayOfNumber(Number.NaN)).toThrow(/expected a whole day number/);
  });
});

describe('reading days and months', () => {
  it('parses a real date, with the instants it spans', () => {
    expect(parseLocalDay('2026-11-15')).toEqual({
      ok: true,
      value: { day: '2026-11-15', dayNumber: localDayNumber(bj('2026-11-15T12:00:00')), start: startOfLocalDay('2026-11-15'), end: endOfLocalDay('2026-11-15') },
    });
    expect(isValidDay('2028-02-29')).toBe(true);
  });

  it('returns a clear error for an impossible date instead of an invalid instant (the wish claim of issue 10)', () => {
    for (const bad of ['2026-12-00', '2026-02-30', '2026-13-01', '2027-02-29', '2026-1-5', '20261115', '', 'tomorrow']) {
      expect(parseLocalDay(bad)).toEqual({ ok: false, error: `expected a date YYYY-MM-DD, got "${bad}"` });
      expect(isValidDay(bad)).toBe(false);
    }
    // The throwing forms say what came; none reaches Date#toISOString with an invalid Date.
    expect(() => startOfLocalDay('2026-12-00')).toThrow(new RangeError('expected a date YYYY-MM-DD, got "2026-12-00"'));
    expect(() => endOfLocalDay('2026-02-30')).toThrow(new RangeError('expected a date YYYY-MM-DD, got "2026-02-30"'));
  });

  it('parses months and moves across year ends', () => {
    expect(parseLocalMonth('2026-11')).toEqual({ ok: true, value: { year: 2026, month: 11 } });
    expect(parseLocalMonth('2026-00')).toEqual({ ok: false, error: 'expected a month YYYY-MM, got "2026-00"' });
    expect(parseLocalMonth('2026-11-01').ok).toBe(false);
    expect(shiftMonth('2026-01', -1)).toBe('2025-12');
    expect(shiftMonth('2026-11', -1)).toBe('2026-10');
    expect(shiftMonth('2026-12', 1)).toBe('2027-01');
    expect(shiftMonth('2026-03', -14)).toBe('2025-01');
    expect(shiftMonth('2026-03', 0)).toBe('2026-03');
    expect(startOfLocalMonth('2026-01')).toBe(Date.parse('2025-12-31T16:00:00Z'));
    expect(startOfLocalMonth('2026-03')).toBe(endOfLocalDay('2026-02-28'));
    expect(() => shiftMonth('2026-13', 1)).toThrow(new RangeError('expected a month YYYY-MM, got "2026-13"'));
    expect(() => startOfLocalMonth('November')).toThrow(/expected a month YYYY-MM/);
  });
});

describe('the zone', () => {
  it('is Asia/Shanghai at a fixed UTC+8: Intl agrees on a summer and a winter day', () => {
    expect(CHINA_UTC_OFFSET_MS).toBe(8 * H);
    const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: CHINA_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });
    for (const t of [Date.parse('2026-07-01T16:00:00Z'), Date.parse('2026-01-15T15:59:59Z'), Date.parse('1995-06-30T16:00:00Z')]) {
      expect(localDay(t)).toBe(fmt.format(t));
    }
  });
});

describe('localDateTime', () => {
  it('shows an instant in China time to the minute, across the UTC day boundary', async () => {
    const { localDateTime } = await import('../../domain/china-time');
    expect(localDateTime(Date.parse('2026-11-30T00:21:39Z'))).toBe('2026-11-30 08:21');
    expect(localDateTime(Date.parse('2026-12-31T16:00:00Z'))).toBe('2027-01-01 00:00');
  });
});
