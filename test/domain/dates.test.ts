import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkWithin, zDay, zDayWithinYears, zInstant, zMonth } from '../../domain/dates';
import { RuleViolation } from '../../domain/case';

// Issue 11 item 5: one date schema for the whole API.
const codeOf = (r: { success: boolean; error?: { issues: unknown[] } }) => (r.error?.issues[0] as { params?: { code?: string }; code: string } | undefined)?.params?.code ?? (r.error?.issues[0] as { code?: string } | undefined)?.code;

afterEach(() => vi.useRealTimers());

describe('zDay, zInstant, zMonth: real calendar dates only', () => {
  it('refuses days that do not exist (invalid_date) and other shapes or years (invalid_format), with one issue', () => {
    for (const bad of ['2026-11-31', '2027-02-30', '2027-02-29']) {
      const r = zDay.safeParse(bad);
      expect(r.success, bad).toBe(false);
      expect(codeOf(r), bad).toBe('invalid_date');
      expect(r.error?.issues, bad).toHaveLength(1);
    }
    for (const bad of ['9999-99-99', '2026-12-00', '2026-1-5', '', '2999-01-01', '1899-12-31', 'tomorrow']) {
      const r = zDay.safeParse(bad);
      expect(r.success, bad).toBe(false);
      expect(codeOf(r), bad).toBe('invalid_format');
      expect(r.error?.issues, bad).toHaveLength(1);
    }
    for (const good of ['2026-11-30', '2028-02-29', '2027-12-31']) expect(zDay.safeParse(good).success, good).toBe(true);
  });

  it('an instant has an offset, a real date and a year from 1900 to 2100', () => {
    for (const bad of ['2026-11-31T10:00:00+08:00', '2027-02-30T00:00:00Z', '2999-01-01T00:00:00+08:00', '1899-12-31T23:59:59Z', '0001-01-01T00:00:00Z', '2026-11-29T10:00:00', '2026-11-29']) expect(zInstant.safeParse(bad).success, bad).toBe(false);
    for (const good of ['2026-11-29T10:00:00+08:00', '2026-11-29T02:00:00.123Z', '1900-01-01T00:00:00Z']) expect(zInstant.safeParse(good).success, good).toBe(true);
    expect(codeOf(zInstant.safeParse('2999-01-01T00:00:00Z'))).toBe('invalid_format');
  });

  it('a month is 01–12 in 1900–2100', () => {
    for (const bad of ['2026-13', '2026-00', '9999-01', '2026-1']) expect(zMonth.safeParse(bad).success, bad).toBe(false);
    expect(zMonth.safeParse('2026-11').success).toBe(true);
  });
});

describe('bounds by meaning', () => {
  it('zDayWithinYears: from today (China time) to n years ahead', () => {
    vi.useFakeTimers({ now: Date.parse('2026-11-29T17:00:00Z') }); // 2026-11-30 01:00 in Beijing
    const within = zDayWithinYears(1);
    expect(within.safeParse('2026-11-30').success).toBe(true); // today in Beijing, still the 29th in UTC
    expect(within.safeParse('2027-11-30').success).toBe(true);
    for (const bad of ['2026-11-29', '2027-12-01', '2100-01-01', '1900-01-01']) {
      const r = within.safeParse(bad);
      expect(r.success, bad).toBe(false);
      expect(codeOf(r), bad).toBe('date_out_of_range');
    }
    expect(codeOf(within.safeParse('2026-11-31'))).toBe('invalid_date');
  });

  it('checkWithin refuses an instant outside the bounds, naming the field and date_out_of_range', () => {
    const bounds = { notBefore: { at: Date.parse('2026-11-01T00:00:00Z'), what: 'the application' }, notAfter: { at: Date.parse('2026-11-29T00:00:00Z'), what: 'now' } };
    expect(() => checkWithin('visitedAt', Date.parse('2026-11-15T00:00:00Z'), bounds)).not.toThrow();
    for (const at of ['1900-01-01T00:00:00Z', '2999-01-01T00:00:00Z']) {
      try {
        checkWithin('visitedAt', Date.parse(at), bounds);
        expect.unreachable(at);
      } catch (err) {
        expect(err).toBeInstanceOf(RuleViolation);
        expect((err as RuleViolation).message).toMatch(/^visitedAt: /);
        expect((err as RuleViolation).reason).toBe('date_out_of_range');
      }
    }
  });
});
