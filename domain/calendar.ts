import { z } from 'zod';
import { zDay } from './dates';
import { dayNumberOf, dayOfNumber, isValidDay, localDay, localDayNumber, startOfDayNumber, weekdayOfNumber } from './china-time';

/**
 * Working days (工作日) on the mainland-China holiday calendar, for the statutory deadlines of assistance
 * applications (town review within 15 working days, district approval within 10, …).
 *
 * Pure and deterministic: it runs inside the Temporal workflow sandbox, so no I/O and no Node built-ins.
 * Instants are UTC epoch milliseconds; a calendar day is the China-time day (domain/china-time.ts),
 * written 'YYYY-MM-DD'.
 *
 * A day is a working day when:
 *   1. it is listed as a holiday (法定节假日 and the days swapped around it) → not a working day;
 *   2. it is listed as a make-up workday (调休上班, a Saturday or Sunday) → a working day;
 *   3. otherwise → a working day exactly when it is Monday to Friday.
 * A year absent from the calendar therefore falls back to plain Monday–Friday: deadlines still come
 * out, just without that year's holidays. Callers should warn when that happens (`coversYear`,
 * `uncoveredYears`), and the arrangement for a new year (published each November by the State Council)
 * should be entered before it starts.
 */
export interface HolidayYear {
  /** Days off that would otherwise be working days (and, as published, the weekend days inside the break). */
  holidays: string[];
  /** Make-up working days (调休上班): Saturdays or Sundays worked. */
  workdays: string[];
  /** True while the year is an estimate rather than the published arrangement. */
  provisional?: boolean;
  /** Where the dates come from, e.g. the State Council notice. */
  source?: string;
}

export interface HolidayCalendar {
  /** e.g. 'CN-mainland'. */
  region: string;
  /** Keyed by year, '2026'. */
  years: Record<string, HolidayYear>;
}

const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

/** 0 = Sunday … 6 = Saturday, for a 'YYYY-MM-DD'. @throws RangeError naming a day that is not a real date. */
export function weekdayOf(day: string): number {
  return weekdayOfNumber(dayNumberOf(day));
}

/** True when the calendar holds an entry for `year`; when false, that year counts as plain Mon–Fri. */
export function coversYear(cal: HolidayCalendar, year: number | string): boolean {
  return Object.hasOwn(cal.years, String(year));
}

/** Years of the local days from `fromMs` to `toMs` (inclusive) the calendar has no entry for, ascending. */
export function uncoveredYears(cal: HolidayCalendar, fromMs: number, toMs: number): string[] {
  const first = Number(localDay(Math.min(fromMs, toMs)).slice(0, 4));
  const last = Number(localDay(Math.max(fromMs, toMs)).slice(0, 4));
  const missing: string[] = [];
  for (let y = first; y <= last; y++) if (!coversYear(cal, y)) missing.push(String(y));
  return missing;
}

/**
 * Years of the local days from `fromMs` to `toMs` (inclusive) whose calendar entry is provisional (an
 * estimate, e.g. 2027 before the State Council publishes it), ascending. A date counted in working days
 * across such a year is an estimate too, and is shown as one (`provisional: true`; issue 11, ours).
 */
export function provisionalYears(cal: HolidayCalendar, fromMs: number, toMs: number): string[] {
  const first = Number(localDay(Math.min(fromMs, toMs)).slice(0, 4));
  const last = Number(localDay(Math.max(fromMs, toMs)).slice(0, 4));
  const found: string[] = [];
  for (let y = first; y <= last; y++) if (cal.years[String(y)]?.provisional === true) found.push(String(y));
  return found;
}

function isWorkingDayNumber(dayNumber: number, cal: HolidayCalendar): boolean {
  const day = dayOfNumber(dayNumber);
  const entry = cal.years[day.slice(0, 4)];
  if (entry) {
    if (entry.holidays.includes(day)) return false;
    if (entry.workdays.includes(day)) return true;
  }
  const weekday = weekdayOfNumber(dayNumber);
  return weekday >= 1 && weekday <= 5;
}

/**
 * Whether a local day ('YYYY-MM-DD') is a working day: a listed holiday is not, a listed make-up workday
 * is, any other day is when it falls Monday to Friday (also for years absent from the calendar).
 */
export function isWorkingDay(day: string, cal: HolidayCalendar): boolean {
  return isWorkingDayNumber(dayNumberOf(day), cal);
}

function requireCount(n: number, what: string, min: number): void {
  if (!Number.isSafeInteger(n) || n < min) throw new RangeError(`${what} must be an integer ≥ ${min}, got ${n}`);
}

/**
 * The deadline "within n working days" of `fromMs` (e.g. 自受理之日起15个工作日内): counting starts the day
 * after fromMs's local day (the day of acceptance itself never counts, whatever the hour), and the
 * deadline is the END of the n-th working day, i.e. the next local midnight (00:00 UTC+8 of the
 * following day) as epoch ms. An action is on time when it happens strictly before the returned instant.
 */
export function addWorkingDays(fromMs: number, n: number, cal: HolidayCalendar): number {
  requireCount(n, 'working days', 1);
  let day = localDayNumber(fromMs);
  for (let counted = 0; counted < n; ) {
    day += 1;
    if (isWorkingDayNumber(day, cal)) counted += 1;
  }
  return startOfDayNumber(day + 1);
}

/**
 * Working days strictly after fromMs's local day up to and including toMs's local day; 0 when toMs's
 * day is not after fromMs's day. `workingDaysBetween(t, addWorkingDays(t, n) - 1) === n`.
 */
export function workingDaysBetween(fromMs: number, toMs: number, cal: HolidayCalendar): number {
  const from = localDayNumber(fromMs);
  const to = localDayNumber(toMs);
  let count = 0;
  for (let day = from + 1; day <= to; day++) if (isWorkingDayNumber(day, cal)) count += 1;
  return count;
}

/**
 * The working days left before a deadline at `dueAtMs` (an end of day, as addWorkingDays returns), counted at
 * `nowMs` as the rule counts them — the working days after today up to the deadline's last day, so that on
 * the day a "3个工作日内" period starts it says 3 (fresh-eyes on issue 14: counting today too said 4) — and 1
 * on the deadline's last day itself; 0 once the deadline has passed. What the workspace shows beside a step
 * ("还剩 n 个工作日"). Source: ours (the counting of addWorkingDays).
 */
export function workingDaysLeft(nowMs: number, dueAtMs: number, cal: HolidayCalendar): number {
  if (nowMs >= dueAtMs) return 0;
  return Math.max(1, workingDaysBetween(nowMs, dueAtMs - 1, cal));
}

/**
 * The end of the n-th calendar day after fromMs's local day (公示不少于7天): the same convention as
 * addWorkingDays, counting every day. n ≥ 1 integer.
 */
export function addCalendarDays(fromMs: number, n: number): number {
  requireCount(n, 'calendar days', 1);
  return startOfDayNumber(localDayNumber(fromMs) + n + 1);
}


/** One year's entry as written (the shape only; `zHolidayYear(year)` adds the checks that need the year). */
export const zHolidayEntry = z.strictObject({
  holidays: z.array(zDay),
  workdays: z.array(zDay),
  provisional: z.boolean().optional(),
  source: z.string().max(500).optional(),
});

/**
 * One year's entry, checked against its year: refuses malformed dates, dates outside `year`, a date
 * listed twice in a list, a date that is both a holiday and a make-up workday, and a make-up workday
 * that is not a Saturday or Sunday. Each message names the offending date; each issue's path points
 * at it (`workdays.0`) and its code names the rule (`not_in_year`, `duplicate_day`, `holiday_and_workday`,
 * `workday_not_weekend`: the API's field-issue codes, which the workspace words in Chinese).
 */
export function zHolidayYear(year: number | string) {
  const y = String(year);
  return zHolidayEntry.superRefine((entry, ctx) => {
    if (!/^\d{4}$/.test(y)) {
      ctx.addIssue({ code: 'custom', path: [], message: `expected a four-digit year, got "${y}"` });
      return;
    }
    const holidays = new Set<string>();
    entry.holidays.forEach((day, i) => {
      if (!isValidDay(day)) return;
      if (!day.startsWith(`${y}-`)) ctx.addIssue({ code: 'custom', path: ['holidays', i], message: `${day} is not in ${y}`, params: { code: 'not_in_year' } });
      if (holidays.has(day)) ctx.addIssue({ code: 'custom', path: ['holidays', i], message: `${day} is listed twice as a holiday`, params: { code: 'duplicate_day' } });
      holidays.add(day);
    });
    const workdays = new Set<string>();
    entry.workdays.forEach((day, i) => {
      if (!isValidDay(day)) return;
      if (!day.startsWith(`${y}-`)) ctx.addIssue({ code: 'custom', path: ['workdays', i], message: `${day} is not in ${y}`, params: { code: 'not_in_year' } });
      if (workdays.has(day)) ctx.addIssue({ code: 'custom', path: ['workdays', i], message: `${day} is listed twice as a make-up workday`, params: { code: 'duplicate_day' } });
      workdays.add(day);
      if (holidays.has(day)) ctx.addIssue({ code: 'custom', path: ['workdays', i], message: `${day} is both a holiday and a make-up workday`, params: { code: 'holiday_and_workday' } });
      const weekday = weekdayOf(day);
      if (weekday !== 0 && weekday !== 6) {
        ctx.addIssue({
          code: 'custom',
          path: ['workdays', i],
          message: `${day} is a ${WEEKDAY_NAMES[weekday]}; a make-up workday (调休上班) must be a Saturday or Sunday`,
          params: { code: 'workday_not_weekend' },
        });
      }
    });
  });
}

/** A calendar file as shipped in scripts/seed: `{ region, note?, years: { "2026": {...} } }`. */
export const zHolidayCalendarFile = z
  .object({
    region: z.string().min(1),
    note: z.string().optional(),
    years: z.record(z.string().regex(/^\d{4}$/, 'expected a four-digit year'), zHolidayEntry),
  })
  .superRefine((file, ctx) => {
    for (const [year, entry] of Object.entries(file.years)) {
      const checked = zHolidayYear(year).safeParse(entry);
      if (!checked.success) for (const issue of checked.error.issues) ctx.addIssue({ code: 'custom', path: ['years', year, ...issue.path], message: issue.message });
    }
  });
