// Resident identity number (居民身份证号码) validation per GB 11643-1999.
// Pure and I/O-free so it can run inside the Temporal workflow sandbox.
import { z } from 'zod';
import { localDay } from './china-time';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';

export type IdNumberResult =
  | { ok: true; value: string; birthDate: string; sex: 'male' | 'female' }
  | { ok: false; reason: string };

/** ISO 7064 MOD 11-2 check character for the first 17 digits. */
export function computeCheckDigit(first17: string): string {
  if (!/^\d{17}$/.test(first17)) {
    throw new Error('computeCheckDigit expects exactly 17 digits');
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

/**
 * Checks a resident ID number: 18 characters, a real birth date from 1900 to today, the check digit.
 * `today` is compared by its calendar day in China time (Asia/Shanghai): a person born on a Beijing day
 * has a valid number from 00:00 Beijing time, 8 hours before the UTC day begins (issue 11 item 9: the UTC
 * day refused such a number until 08:00). Inside a workflow `new Date()` is the workflow's clock.
 */
export function validateIdNumber(raw: string, today: Date = new Date()): IdNumberResult {
  const value = raw.trim().toUpperCase();
  // Count code points so a stray emoji is reported as one character.
  const length = Array.from(value).length;
  if (length !== 18) {
    return { ok: false, reason: `length must be 18 characters, got ${length}` };
  }
  if (!/^\d{17}[\dX]$/.test(value)) {
    return { ok: false, reason: 'format invalid: first 17 characters must be digits, the last a digit or X' };
  }

  const year = Number(value.slice(6, 10));
  const month = Number(value.slice(10, 12));
  const day = Number(value.slice(12, 14));
  const birthDate = `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`;
  // Round-trip through Date.UTC to reject dates like 1990-02-30.
  const ms = Date.UTC(year, month - 1, day);
  const parsed = new Date(ms);
  if (
    month < 1 ||
    month > 12 ||
    parsed.getUTCFullYear() !== year ||
    parsed.getUTCMonth() !== month - 1 ||
    parsed.getUTCDate() !== day
  ) {
    return { ok: false, reason: `birth date ${birthDate} is not a valid calendar date` };
  }
  if (year < 1900) {
    return { ok: false, reason: `birth date ${birthDate} is before 1900` };
  }
  const todayInChina = localDay(today.getTime());
  if (birthDate > todayInChina) {
    return { ok: false, reason: `birth date ${birthDate} is in the future (today is ${todayInChina}, China time)` };
  }

  const expected = computeCheckDigit(value.slice(0, 17));
  if (value[17] !== expected) {
    return { ok: false, reason: `check digit mismatch: expected ${expected}, got ${value[17]}` };
  }

  // 17th digit is the sequence code: odd for male, even for female.
  const sex = Number(value[16]) % 2 === 1 ? 'male' : 'female';
  return { ok: true, value, birthDate, sex };
}

/**
 * Zod schema: trims and upper-cases (overwrites, so it stays a plain string
 * schema for JSON Schema generation), then validates.
 */
export const zIdNumber = z
  .string()
  .trim()
  .toUpperCase()
  .superRefine((value, ctx) => {
    const result = validateIdNumber(value);
    if (!result.ok) ctx.addIssue({ code: 'custom', message: result.reason, input: value, params: { code: 'invalid_id_number' } });
  });
