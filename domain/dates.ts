/**
 * Dates and instants as the API and the workflows take them: one module for every date field.
 *
 * - `zDay`: a real calendar day 'YYYY-MM-DD' (no 2026-11-31, 2027-02-30, 2026-12-00, 9999-99-99); the day is
 *   a day in China time wherever a rule turns it into instants (domain/china-time.ts).
 * - `zInstant`: an ISO 8601 date-time with its offset (`2026-11-29T10:00:00+08:00` or `…Z`) whose date is a
 *   real calendar date, in the years jiuzhu can mean (`EARLIEST_YEAR`–`LATEST_YEAR`).
 * - bounds by meaning: `zDayWithinYears` (a day from today to n years on: a wish's neededBy),
 *   `checkWithin` (an instant against bounds the case sets: an investigation not in the future and not
 *   before the application), each refusing with the field named. A birth date is checked inside the ID
 *   number (domain/id-number.ts: 1900 to today, China time).
 *
 * Bounds relative to "now" take `Date.now()` when the schema parses: in a workflow that is the workflow's
 * clock (deterministic on replay). Pure: imported by workflows and the browser. Source: ours.
 */
import { z } from 'zod';
import { RuleViolation } from './case';
import { isValidDay, localDay, parseLocalDay } from './china-time';

/** The earliest year a date jiuzhu stores can fall in (a birth date; GB 11643's numbers start at 1900). */
export const EARLIEST_YEAR = 1900;
/** The latest year a date jiuzhu stores can fall in (ours: far beyond any deadline, fulfilment or re-review). */
export const LATEST_YEAR = 2100;
/** How far a time someone declares for what they did may lie ahead of the server's clock (clock skew), ms. */
export const CLOCK_SKEW_MS = 5 * 60_000;

const yearOf = (text: string) => Number(text.slice(0, 4));

/** The shape of a day in EARLIEST_YEAR–LATEST_YEAR, month 01–12, day 01–31: in the OpenAPI document, so that a client (or a fuzzer) knows it. */
const DAY_SHAPE = /^(19\d\d|20\d\d|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
/** The year of an instant or a month in EARLIEST_YEAR–LATEST_YEAR, as a pattern the OpenAPI document carries. */
const YEAR_SHAPE = /^(19\d\d|20\d\d|2100)-/;

/**
 * A field holding a real calendar date written 'YYYY-MM-DD' in EARLIEST_YEAR–LATEST_YEAR: the shape
 * (`invalid_format`), then the calendar (`invalid_date`: no 2026-11-31, 2027-02-30).
 */
export const zDay = z
  .string()
  .regex(DAY_SHAPE, { error: (issue) => `expected a date YYYY-MM-DD in ${EARLIEST_YEAR}–${LATEST_YEAR}, got "${String(issue.input)}"`, abort: true })
  .refine(isValidDay, { error: (issue) => `expected a date YYYY-MM-DD, got "${String(issue.input)}"`, params: { code: 'invalid_date' }, abort: true });

/**
 * A field holding an instant: ISO 8601 date-time with an offset, its date a real calendar date (zod's
 * `iso.datetime` checks days per month and leap years) in EARLIEST_YEAR–LATEST_YEAR (code `invalid_format`; both
 * shapes are patterns in the OpenAPI document).
 */
export const zInstant = z.iso
  .datetime({ offset: true, error: (issue) => `expected an ISO date-time with offset such as 2026-11-29T10:00:00+08:00, got "${String(issue.input)}"`, abort: true })
  .regex(YEAR_SHAPE, `expected a date-time in ${EARLIEST_YEAR}–${LATEST_YEAR}`);

/** A field holding a month 'YYYY-MM' (01–12) in EARLIEST_YEAR–LATEST_YEAR (code `invalid_format`). */
export const zMonth = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'expected a month YYYY-MM', abort: true })
  .regex(YEAR_SHAPE, `expected a month in ${EARLIEST_YEAR}–${LATEST_YEAR}`);

/** A day `years` whole years after `day` (02-29 + 1 year = 03-01 rolls back to 02-28). */
function plusYears(day: string, years: number): string {
  const shifted = `${String(yearOf(day) + years).padStart(4, '0')}${day.slice(4)}`;
  return parseLocalDay(shifted).ok ? shifted : `${shifted.slice(0, 8)}28`;
}

/**
 * A day from `pastDays` days before today (China time) to `years` years after it: a date something is
 * needed by or starts on. Code `date_out_of_range`.
 */
export const zDayWithinYears = (years: number, pastDays = 0) =>
  zDay.superRefine((day, ctx) => {
    const now = Date.now();
    const first = localDay(now - pastDays * 86_400_000);
    const last = plusYears(localDay(now), years);
    if (day < first || day > last) ctx.addIssue({ code: 'custom', message: `must be from ${first} to ${last} (China time)`, input: day, params: { code: 'date_out_of_range' } });
  });

/**
 * Checks an instant a step declares against the bounds its case sets (epoch ms, inclusive; either may be
 * left out). @throws RuleViolation('unprocessable', '<field>: …', 'date_out_of_range') naming the field (also as `body.<field>`, for the form) and
 * the bound, with `what` saying what the bound is ("the application was submitted").
 */
export function checkWithin(field: string, at: number, bounds: { notBefore?: { at: number; what: string }; notAfter?: { at: number; what: string } }): void {
  const iso = (ms: number) => new Date(ms).toISOString();
  if (bounds.notBefore && at < bounds.notBefore.at) throw new RuleViolation('unprocessable', `${field}: ${iso(at)} is before ${bounds.notBefore.what} (${iso(bounds.notBefore.at)})`, 'date_out_of_range', { path: `body.${field}`, code: 'date_out_of_range' });
  if (bounds.notAfter && at > bounds.notAfter.at) throw new RuleViolation('unprocessable', `${field}: ${iso(at)} is after ${bounds.notAfter.what} (${iso(bounds.notAfter.at)})`, 'date_out_of_range', { path: `body.${field}`, code: 'date_out_of_range' });
}
