import { describe, expect, it } from 'vitest';
import {
  addCalendarDays,
  addWorkingDays,
  coversYear,
  isWorkingDay,
  provisionalYears,
  uncoveredYears,
  workingDaysBetween,
  workingDaysLeft,
  zHolidayCalendarFile,
  zHolidayYear,
  type HolidayCalendar,
} from '../../domain/calendar';
import { localDay } from '../../domain/china-time';
import { deadlineView, type Deadline } from '../../domain/deadlines';
import shipped from '../../scripts/seed/holidays-cn-mainland.json' with { type: 'json' };

const cal: HolidayCalendar = zHolidayCalendarFile.parse(shipped);
/** An instant written in Beijing time. */
const bj = (local: string) => Date.parse(`${local}+08:00`);
/** The deadline instant for "end of <day>", i.e. 00:00 Beijing time of the next day. */
const endOf = (day: string) => bj(`${day}T00:00:00`) + 86_400_000;

describe('isWorkingDay on the 2026 calendar', () => {
  it('a listed holiday is off even on a weekday; a make-up Saturday/Sunday is a working day', () => {
    expect(isWorkingDay('2026-10-01', cal)).toBe(false); // Thursday, 国庆
    expect(isWorkingDay('2026-02-16', cal)).toBe(false); // Monday, 除夕
    expect(isWorkingDay('2026-10-10', cal)).toBe(true); // Saturday, 调休上班
    expect(isWorkingDay('2026-09-20', cal)).toBe(true); // Sunday, 调休上班
    expect(isWorkingDay('2026-01-04', cal)).toBe(true); // Sunday, 调休上班
  });

  it('a plain weekend is off, a plain weekday is on', () => {
    expect(isWorkingDay('2026-10-17', cal)).toBe(false); // Saturday
    expect(isWorkingDay('2026-10-18', cal)).toBe(false); // Sunday
    expect(isWorkingDay('2026-10-19', cal)).toBe(true); // Monday
  });

  it('refuses a malformed day', () => {
    expect(() => isWorkingDay('2026-02-30', cal)).toThrow(/2026-02-30/);
  });
});

describe('addWorkingDays: "within n working days", ending at the end of the n-th working day', () => {
  it('across National Day 2026: skips Oct 1–7, counts the make-up Saturday Oct 10', () => {
    // Mon 28 Sep: Sep 29, 30 (2) · Oct 1–7 off · Oct 8, 9, 10(Sat 调休) (5) · Oct 12–16 (10) · Oct 19–23 (15).
    const accepted = bj('2026-09-28T10:00:00');
    expect(addWorkingDays(accepted, 15, cal)).toBe(endOf('2026-10-23'));
    expect(new Date(addWorkingDays(accepted, 15, cal)).toISOString()).toBe('2026-10-23T16:00:00.000Z');
  });

  it('across Mid-Autumn and National Day 2026: counts both make-up days (Sun Sep 20, Sat Oct 10)', () => {
    // Fri 18 Sep: Sep 20(Sun 调休) … 24 (5) · 25–27 中秋 · 28–30 (8) · Oct 8, 9, 10 (11) · Oct 12–15 (15).
    expect(addWorkingDays(bj('2026-09-18T16:00:00'), 15, cal)).toBe(endOf('2026-10-15'));
  });

  it('across the 2026 Spring Festival: skips Feb 15–23, counts Sat Feb 14 and Sat Feb 28', () => {
    // Thu 12 Feb: Feb 13, 14(Sat 调休) (2) · Feb 15–23 off · Feb 24–27 (6) · Feb 28(Sat 调休) (7) · Mar 2, 3, 4 (10).
    expect(addWorkingDays(bj('2026-02-12T09:00:00'), 10, cal)).toBe(endOf('2026-03-04'));
  });

  it('a make-up Saturday is the next working day; a plain weekend is skipped', () => {
    expect(addWorkingDays(bj('2026-10-09T11:00:00'), 1, cal)).toBe(endOf('2026-10-10')); // Fri → Sat 调休
    expect(addWorkingDays(bj('2026-03-06T11:00:00'), 1, cal)).toBe(endOf('2026-03-09')); // Fri → Mon
  });

  it('counts from the day after the Beijing day: 23:30 Beijing time is still that day, 00:30 is the next', () => {
    const lateMonday = bj('2026-03-02T23:30:00'); // 15:30Z Monday
    expect(addWorkingDays(lateMonday, 1, cal)).toBe(endOf('2026-03-03'));
    expect(new Date(addWorkingDays(lateMonday, 1, cal)).toISOString()).toBe('2026-03-03T16:00:00.000Z');
    const earlyTuesday = bj('2026-03-03T00:30:00'); // 16:30Z Monday in UTC, Tuesday in Beijing
    expect(addWorkingDays(earlyTuesday, 1, cal)).toBe(endOf('2026-03-04'));
    // The acceptance day never counts, even at 00:00:00.
    expect(addWorkingDays(bj('2026-03-02T00:00:00'), 1, cal)).toBe(endOf('2026-03-03'));
  });

  it('into 2027 (provisional): New Year’s Day break skipped', () => {
    // Mon 28 Dec 2026: Dec 29, 30, 31 (3) · Jan 1–3 off · Jan 4, 5 (5).
    expect(addWorkingDays(bj('2026-12-28T09:00:00'), 5, cal)).toBe(endOf('2027-01-05'));
  });

  it('refuses a count that is not an integer ≥ 1', () => {
    expect(() => addWorkingDays(bj('2026-03-02T09:00:00'), 0, cal)).toThrow(RangeError);
    expect(() => addWorkingDays(bj('2026-03-02T09:00:00'), 1.5, cal)).toThrow(RangeError);
  });
});

describe('workingDaysBetween', () => {
  it('counts working days after from’s day up to and including to’s day', () => {
    const accepted = bj('2026-09-28T10:00:00');
    expect(workingDaysBetween(accepted, bj('2026-10-23T08:00:00'), cal)).toBe(15);
    expect(workingDaysBetween(accepted, bj('2026-10-07T20:00:00'), cal)).toBe(2); // only Sep 29, 30
    expect(workingDaysBetween(accepted, bj('2026-10-10T20:00:00'), cal)).toBe(5);
  });

  it('is 0 on the same day or earlier', () => {
    const t = bj('2026-03-02T09:00:00');
    expect(workingDaysBetween(t, bj('2026-03-02T23:59:59'), cal)).toBe(0);
    expect(workingDaysBetween(t, bj('2026-02-27T12:00:00'), cal)).toBe(0);
  });

  it('agrees with addWorkingDays: the last instant before the deadline is n working days on', () => {
    for (const start of ['2026-02-10T09:00:00', '2026-04-30T18:00:00', '2026-09-18T16:00:00', '2026-12-30T23:30:00']) {
      for (const n of [1, 10, 15, 20]) {
        const due = addWorkingDays(bj(start), n, cal);
        expect(workingDaysBetween(bj(start), due - 1, cal)).toBe(n);
        expect(isWorkingDay(localDay(due - 1), cal)).toBe(true);
      }
    }
  });
});

describe('addCalendarDays', () => {
  it('ends at the end of the n-th calendar day after from’s Beijing day (公示7天)', () => {
    expect(addCalendarDays(bj('2026-09-28T10:00:00'), 7)).toBe(endOf('2026-10-05'));
    expect(addCalendarDays(bj('2026-09-28T23:30:00'), 7)).toBe(endOf('2026-10-05'));
    expect(() => addCalendarDays(0, 0)).toThrow(RangeError);
  });
});

describe('a year absent from the calendar', () => {
  it('falls back to Monday–Friday, and callers can tell', () => {
    expect(coversYear(cal, 2026)).toBe(true);
    expect(coversYear(cal, '2027')).toBe(true);
    expect(coversYear(cal, 2031)).toBe(false);
    expect(isWorkingDay('2031-10-01', cal)).toBe(true); // a Wednesday; no 国庆 without the year's entry
    expect(isWorkingDay('2031-10-04', cal)).toBe(false); // a Saturday
    // Tue 30 Sep 2031: Oct 1, 2, 3 (3) · Oct 6, 7 (5).
    const from = bj('2031-09-30T09:00:00');
    const due = addWorkingDays(from, 5, cal);
    expect(due).toBe(endOf('2031-10-07'));
    expect(uncoveredYears(cal, from, due - 1)).toEqual(['2031']);
    expect(uncoveredYears(cal, bj('2026-12-28T09:00:00'), bj('2027-01-05T09:00:00'))).toEqual([]);
  });
});

describe('the shipped calendar (scripts/seed/holidays-cn-mainland.json)', () => {
  it('validates year by year with zHolidayYear; 2026 is published, 2027 provisional', () => {
    expect(Object.keys(shipped.years)).toEqual(['2026', '2027']);
    for (const [year, entry] of Object.entries(shipped.years)) {
      const checked = zHolidayYear(year).safeParse(entry);
      expect(checked.success, `${year}: ${checked.error?.issues.map((i) => i.message).join('; ')}`).toBe(true);
      expect(entry.source).toEqual(expect.any(String));
    }
    expect(cal.years['2026']!.provisional).toBe(false);
    expect(cal.years['2027']!.provisional).toBe(true);
    expect(cal.region).toBe('CN-mainland');
  });

  it('2026 has the published breaks: 元旦 3, 春节 9, 清明 3, 劳动节 5, 端午 3, 中秋 3, 国庆 7 days; six 调休 days', () => {
    expect(cal.years['2026']!.holidays).toHaveLength(33);
    expect(cal.years['2026']!.workdays).toEqual(['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']);
  });
});

describe('dates counted on a provisional year (2027 as shipped) are estimates', () => {
  it('provisionalYears names the provisional years a span of local days touches', () => {
    expect(provisionalYears(cal, bj('2026-12-01T09:00:00'), bj('2026-12-31T23:59:59'))).toEqual([]);
    // The last day of 2026 in Beijing ends at 16:00Z: an instant after it is 2027 locally.
    expect(provisionalYears(cal, bj('2026-12-20T09:00:00'), bj('2027-01-05T00:00:00'))).toEqual(['2027']);
    expect(provisionalYears(cal, bj('2027-03-01T09:00:00'), bj('2028-01-05T00:00:00'))).toEqual(['2027']);
    expect(provisionalYears(cal, bj('2028-01-01T09:00:00'), bj('2028-02-01T00:00:00'))).toEqual([]);
  });

  it('deadlineView marks the deadlines its kind says were counted on one, and only those', () => {
    const from = bj('2026-12-25T10:00:00');
    const mk = (key: string, dueAt: number): Deadline => ({ key, kind: 'application.acceptance', label: '受理', opensAt: from, dueAt, warnAt: from, escalateEveryMs: 86_400_000 });
    const done = { ...mk('a#1', addWorkingDays(from, 2, cal)), metAt: from + 1000 };
    const open = mk('a#2', addWorkingDays(from, 10, cal));
    const counted = (d: Deadline) => provisionalYears(cal, d.opensAt, d.dueAt - 1).length > 0;
    const view = deadlineView([done, open], [], from, counted);
    expect(view.due).toMatchObject({ key: 'a#2', provisional: true });
    expect(view.deadlines.map((d) => [d.key, 'provisional' in d])).toEqual([
      ['a#1', false],
      ['a#2', true],
    ]);
    // A kind that does not count on the calendar (alerts, reports) passes nothing: no marker at all.
    expect(deadlineView([done, open], [], from).due).not.toHaveProperty('provisional');
  });
});

describe('zHolidayYear refuses, naming the date', () => {
  const issues = (year: number, entry: unknown) => {
    const r = zHolidayYear(year).safeParse(entry);
    return r.success ? [] : r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  };

  it('a malformed date', () => {
    expect(issues(2026, { holidays: ['2026-02-30'], workdays: [] })).toEqual([{ path: 'holidays.0', message: expect.stringContaining('2026-02-30') }]);
    expect(issues(2026, { holidays: ['2026-1-5'], workdays: [] })[0]?.message).toContain('2026-1-5');
  });

  it('a date outside the year', () => {
    expect(issues(2026, { holidays: ['2026-10-01', '2027-01-01'], workdays: [] })).toEqual([
      { path: 'holidays.1', message: '2027-01-01 is not in 2026' },
    ]);
  });

  it('a date in both lists', () => {
    expect(issues(2026, { holidays: ['2026-10-10'], workdays: ['2026-10-10'] })).toEqual([
      { path: 'workdays.0', message: '2026-10-10 is both a holiday and a make-up workday' },
    ]);
  });

  it('a make-up workday that is not a Saturday or Sunday', () => {
    expect(issues(2026, { holidays: [], workdays: ['2026-10-09'] })).toEqual([
      { path: 'workdays.0', message: expect.stringMatching(/^2026-10-09 is a Friday; .*Saturday or Sunday/) },
    ]);
  });

  it('a holiday listed twice', () => {
    expect(issues(2026, { holidays: ['2026-10-01', '2026-10-02', '2026-10-01'], workdays: [] })).toEqual([
      { path: 'holidays.2', message: '2026-10-01 is listed twice as a holiday' },
    ]);
  });

  it('an unknown field', () => {
    expect(issues(2026, { holidays: [], workdays: [], workday: ['2026-10-10'] })).toHaveLength(1);
  });
});

describe('workingDaysLeft (the workspace’s "还剩 n 个工作日")', () => {
  it('counts the working days after today up to the deadline’s last day, as the rule does (1 on the last day); 0 once passed', () => {
    // Accepted Monday 2026-09-28 10:00: 15 working days end with 2026-10-23 (National Day skipped).
    const accepted = bj('2026-09-28T10:00:00');
    const due = addWorkingDays(accepted, 15, cal);
    expect(due).toBe(endOf('2026-10-23'));
    expect(workingDaysLeft(accepted, due, cal)).toBe(15); // "15个工作日内" says 15 on the day it starts (it said 16: fresh-eyes on issue 14)
    expect(workingDaysLeft(accepted, addWorkingDays(accepted, 3, cal), cal)).toBe(3); // "3个工作日内": 3, not 4
    expect(workingDaysLeft(bj('2026-10-03T10:00:00'), due, cal)).toBe(13); // a holiday, not counted: Oct 8, 9, 10 (make-up Saturday), 12–16, 19–23
    expect(workingDaysLeft(bj('2026-10-23T23:59:00'), due, cal)).toBe(1); // the last day itself
    expect(workingDaysLeft(due, due, cal)).toBe(0);
    expect(workingDaysLeft(due + 86_400_000, due, cal)).toBe(0);
  });

  it('agrees with workingDaysBetween on a day off', () => {
    const holiday = bj('2026-10-03T10:00:00');
    const due = endOf('2026-10-23');
    expect(isWorkingDay('2026-10-03', cal)).toBe(false);
    expect(workingDaysLeft(holiday, due, cal)).toBe(workingDaysBetween(holiday, due - 1, cal));
  });
});
