/**
 * China time (北京时间): the one home of local days, months and clock times.
 *
 * Every local day or month a rule speaks of — a deadline "by the end of the day", working days, the monthly
 * statistics and common issues, the Party day at 09:00 — is a day in Asia/Shanghai, whatever the server's
 * or the browser's TZ. Asia/Shanghai is UTC+8 all year: China has kept no daylight saving since 1991, so
 * the offset is a constant and no time-zone database is needed.
 *
 * Pure, deterministic and without imports: it runs in the Temporal workflow sandbox and in the browser.
 * Instants are UTC epoch milliseconds; a day is written 'YYYY-MM-DD', a month 'YYYY-MM'.
 * Functions that read text either return a `Parsed` result or throw a RangeError that names the text;
 * none lets an invalid Date reach `toISOString`.
 * Source of the rule: ours (the city is Weihai; Beijing time is the national standard time).
 */

/** The IANA name of China time, for Intl and browsers. */
export const CHINA_TIME_ZONE = 'Asia/Shanghai';
/** China time's offset from UTC, ms: +8 hours, all year. */
export const CHINA_UTC_OFFSET_MS = 8 * 3_600_000;
/** One calendar day, ms (a local day is always 24 hours long: no DST). */
export const DAY_MS = 86_400_000;

/** A parse result: the value, or a message saying what was expected and what came. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** A local calendar date; `month` is 1–12. */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/** A local day as parsed: its text, its day number (days since 1970-01-01) and the instants it spans. */
export interface LocalDay {
  day: string;
  dayNumber: number;
  /** 00:00 China time, epoch ms. */
  start: number;
  /** 00:00 China time of the next day, epoch ms: the day's exclusive end. */
  end: number;
}

const DAY_FORMAT = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_FORMAT = /^(\d{4})-(\d{2})$/;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

// ——— Day numbers: days since 1970-01-01, the arithmetic every other function rests on ———

/** The local day number of an instant (days since 1970-01-01 in China time). */
export const localDayNumber = (ms: number): number => Math.floor((ms + CHINA_UTC_OFFSET_MS) / DAY_MS);

/** The instant local midnight (00:00 China time) begins the given day number, epoch ms. */
export const startOfDayNumber = (dayNumber: number): number => dayNumber * DAY_MS - CHINA_UTC_OFFSET_MS;

/** The 'YYYY-MM-DD' of a day number. @throws RangeError for a day number that is not a safe integer. */
export function dayOfNumber(dayNumber: number): string {
  if (!Number.isSafeInteger(dayNumber)) throw new RangeError(`expected a whole day number, got ${dayNumber}`);
  const d = new Date(dayNumber * DAY_MS);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** 0 = Sunday … 6 = Saturday, of a day number (1970-01-01 was a Thursday). */
export const weekdayOfNumber = (dayNumber: number): number => (((dayNumber + 4) % 7) + 7) % 7;

// ——— Reading text ———

/**
 * A day written 'YYYY-MM-DD', checked to be a real calendar date (no 2026-02-30, no 2026-12-00), with the
 * instants it spans in China time. Never throws.
 */
export function parseLocalDay(text: string): Parsed<LocalDay> {
  const bad = { ok: false as const, error: `expected a date YYYY-MM-DD, got "${text}"` };
  const m = DAY_FORMAT.exec(text);
  if (!m) return bad;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return bad;
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return bad;
  const dayNumber = ms / DAY_MS;
  return { ok: true, value: { day: text, dayNumber, start: startOfDayNumber(dayNumber), end: startOfDayNumber(dayNumber + 1) } };
}

/** True when `text` is a real calendar date written 'YYYY-MM-DD'. */
export const isValidDay = (text: string): boolean => parseLocalDay(text).ok;

/** A month written 'YYYY-MM' (month 01–12), as its year and month number. Never throws. */
export function parseLocalMonth(text: string): Parsed<{ year: number; month: number }> {
  const m = MONTH_FORMAT.exec(text);
  const month = m ? Number(m[2]) : 0;
  if (!m || month < 1 || month > 12) return { ok: false, error: `expected a month YYYY-MM, got "${text}"` };
  return { ok: true, value: { year: Number(m[1]), month } };
}

function must<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new RangeError(parsed.error);
  return parsed.value;
}

// ——— Instant → local ———

function requireInstant(ms: number): void {
  if (!Number.isFinite(ms)) throw new RangeError(`expected an epoch-ms instant, got ${ms}`);
}

/** The China-time calendar day of an instant, 'YYYY-MM-DD'. @throws RangeError for a non-finite instant. */
export function localDay(ms: number): string {
  requireInstant(ms);
  return dayOfNumber(localDayNumber(ms));
}

/** The China-time month of an instant, 'YYYY-MM'. @throws RangeError for a non-finite instant. */
export const localMonth = (ms: number): string => localDay(ms).slice(0, 7);

/** The China-time calendar date of an instant. @throws RangeError for a non-finite instant. */
export function localDate(ms: number): LocalDate {
  requireInstant(ms);
  const d = new Date(localDayNumber(ms) * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** The local midnight that ends the day containing `ms` (00:00 China time of the next day), epoch ms. */
export const nextLocalMidnight = (ms: number): number => startOfDayNumber(localDayNumber(ms) + 1);

// ——— Local → instant ———

/** The day number of a local day. @throws RangeError naming a day that is not a real date. */
export const dayNumberOf = (day: string): number => must(parseLocalDay(day)).dayNumber;

/** The instant a local day begins, 00:00 China time, epoch ms. @throws RangeError naming a day that is not a real date. */
export const startOfLocalDay = (day: string): number => must(parseLocalDay(day)).start;

/**
 * The instant a local day ends: 00:00 China time of the next day, epoch ms (exclusive: an act is within
 * the day when strictly before it). @throws RangeError naming a day that is not a real date.
 */
export const endOfLocalDay = (day: string): number => must(parseLocalDay(day)).end;

/**
 * The instant of a local date and clock time in China time, epoch ms. Out-of-range parts roll over as in
 * `Date.UTC` (day 0 is the last day of the previous month); the caller checks its inputs.
 */
export const localInstant = (date: LocalDate, hour = 0, minute = 0): number => Date.UTC(date.year, date.month - 1, date.day, hour, minute) - CHINA_UTC_OFFSET_MS;

/** The instant a local month begins (00:00 China time on its first day), epoch ms. @throws RangeError naming a malformed month. */
export function startOfLocalMonth(month: string): number {
  const { year, month: m } = must(parseLocalMonth(month));
  return localInstant({ year, month: m, day: 1 });
}

// ——— Months ———

/** The month `n` months after `month` (n may be negative): shiftMonth('2026-01', -1) = '2025-12'. @throws RangeError naming a malformed month. */
export function shiftMonth(month: string, n: number): string {
  const { year, month: m } = must(parseLocalMonth(month));
  const total = year * 12 + (m - 1) + n;
  return `${pad(Math.floor(total / 12), 4)}-${pad((total % 12) + 1)}`;
}

/**
 * An instant as people in China read it in a message: `2026-11-30 08:21`, China time (UTC+8, no DST), to the
 * minute. `ms`: ms since the epoch. Deterministic (no locale data), so workflow code may use it. Ours.
 */
export function localDateTime(ms: number): string {
  const t = new Date(ms + CHINA_UTC_OFFSET_MS).toISOString();
  return `${t.slice(0, 10)} ${t.slice(11, 16)}`;
}

