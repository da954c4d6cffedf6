import { describe, it, expect } from 'vitest';
import { computeCheckDigit, validateIdNumber, zIdNumber } from '../../domain/id-number.js';
import { summarise } from '../../domain/verification';

const TODAY = new Date(Date.UTC(2025, 5, 1)); // 2025-06-01

describe('computeCheckDigit', () => {
  it('matches the GB 11643-1999 reference example', () => {
    expect(computeCheckDigit('11010519491231002')).toBe('X');
  });

  it('computes digits for hand-checked numbers', () => {
    expect(computeCheckDigit('37100219900101123')).toBe('7');
    expect(computeCheckDigit('37100319850615002')).toBe('3');
    expect(computeCheckDigit('37108220000229001')).toBe('X');
    expect(computeCheckDigit('37100219900101124')).toBe('5');
  });

  it('rejects input that is not 17 digits', () => {
    expect(() => computeCheckDigit('1234')).toThrow();
    expect(() => computeCheckDigit('3710021990010112X')).toThrow();
  });
});

describe('validateIdNumber', () => {
  it('accepts valid numbers and derives birth date and sex', () => {
    expect(validateIdNumber('371002199001011237', TODAY)).toEqual({
      ok: true,
      value: '371002199001011237',
      birthDate: '1990-01-01',
      sex: 'male',
    });
    expect(validateIdNumber('371003198506150023', TODAY)).toEqual({
      ok: true,
      value: '371003198506150023',
      birthDate: '1985-06-15',
      sex: 'female',
    });
    expect(validateIdNumber('371002199001011245', TODAY)).toMatchObject({ ok: true, sex: 'female' });
  });

  it('accepts a number ending in X on a leap day', () => {
    expect(validateIdNumber('37108220000229001X', TODAY)).toEqual({
      ok: true,
      value: '37108220000229001X',
      birthDate: '2000-02-29',
      sex: 'male',
    });
    expect(validateIdNumber('11010519491231002X', TODAY)).toMatchObject({ ok: true, sex: 'female' });
  });

  it('normalises lowercase x and surrounding whitespace', () => {
    const r = validateIdNumber('  37108220000229001x ', TODAY);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toBe('37108220000229001X');
  });

  it('rejects wrong length', () => {
    for (const bad of ['', '37100219900101123', '3710021990010112377', '371002900101123']) {
      const r = validateIdNumber(bad, TODAY);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(/length/);
    }
    const r = validateIdNumber('37100219900101123', TODAY);
    if (!r.ok) expect(r.reason).toContain('got 17');
  });

  it('rejects letters in the body and X anywhere but the end', () => {
    for (const bad of ['3710021990O1011237', '37100219900101X237', 'A71002199001011237', '37100219900101123Y']) {
      const r = validateIdNumber(bad, TODAY);
      expect(r).toMatchObject({ ok: false });
      if (!r.ok) expect(r.reason).toMatch(/format/);
    }
  });

  it('rejects a bad check digit and names the expected one', () => {
    const r = validateIdNumber('371002199001011234', TODAY);
    expect(r).toEqual({ ok: false, reason: 'check digit mismatch: expected 7, got 4' });
    const rx = validateIdNumber('371082200002290010', TODAY);
    expect(rx.ok).toBe(false);
    if (!rx.ok) expect(rx.reason).toContain('expected X');
  });

  it('rejects an impossible date such as 1990-02-30', () => {
    const first17 = '37100219900230123';
    const r = validateIdNumber(first17 + computeCheckDigit(first17), TODAY);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/birth date 1990-02-30 is not a valid calendar date/);
  });

  it('rejects month 13, day 00 and Feb 29 in a non-leap year', () => {
    for (const date of ['19901301', '19900100', '19010229', '19000229']) {
      const first17 = `371002${date}123`;
      const r = validateIdNumber(first17 + computeCheckDigit(first17), TODAY);
      expect(r.ok, date).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(/birth date/);
    }
  });

  it('rejects a birth date in the future relative to today', () => {
    const first17 = '37100220250602123';
    const id = first17 + computeCheckDigit(first17);
    const r = validateIdNumber(id, TODAY);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/birth date 2025-06-02 is in the future/);
    // Born today is fine.
    const todayFirst17 = '37100220250601123';
    expect(validateIdNumber(todayFirst17 + computeCheckDigit(todayFirst17), TODAY).ok).toBe(true);
  });

  it('rejects a birth date before 1900', () => {
    const first17 = '37100218991231123';
    const r = validateIdNumber(first17 + computeCheckDigit(first17), TODAY);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/before 1900/);
  });

  it('checks the date before the check digit', () => {
    const r = validateIdNumber('371002199002301230', TODAY);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/birth date/);
  });
});

describe('zIdNumber', () => {
  it('parses to the trimmed uppercase value', () => {
    expect(zIdNumber.parse(' 37108220000229001x ')).toBe('37108220000229001X');
    expect(zIdNumber.parse('371002199001011237')).toBe('371002199001011237');
  });

  it('uses the validation reason as its error message', () => {
    const r = zIdNumber.safeParse('371002199001011234');
    expect(r.success).toBe(false);
    if (!r.success) {
      expect(r.error.issues).toHaveLength(1);
      expect(r.error.issues[0]!.message).toBe('check digit mismatch: expected 7, got 4');
    }
    const short = zIdNumber.safeParse('12345');
    expect(short.success).toBe(false);
    if (!short.success) expect(short.error.issues[0]!.message).toBe('length must be 18 characters, got 5');
  });

  it('rejects non-strings', () => {
    expect(zIdNumber.safeParse(37100219900101).success).toBe(false);
    expect(zIdNumber.safeParse(undefined).success).toBe(false);
  });
});

describe('today is a day in China time (issue 11 item 9)', () => {
  // Born 2026-11-30: valid from 00:00 Beijing time, which is 16:00 UTC on the 29th.
  const body = '37100220261130001';
  const born = body + computeCheckDigit(body);
  it('a number born today in Beijing is valid after Beijing midnight, while the UTC date is still the day before', () => {
    expect(validateIdNumber(born, new Date('2026-11-29T16:30:00Z'))).toMatchObject({ ok: true, birthDate: '2026-11-30' });
  });
  it('and still refused before Beijing midnight', () => {
    expect(validateIdNumber(born, new Date('2026-11-29T15:59:00Z'))).toMatchObject({ ok: false, reason: expect.stringMatching(/future.*2026-11-29, China time/) });
  });
});

describe('summarised amounts stay finite (issue 11 item 10)', () => {
  it('a non-finite amount from before the bounds is left out of the totals, which are summed in whole fen', () => {
    const summary = summarise([
      { department: 'hrss', status: 'answered', answeredAt: 0, records: [{ idNumber: '371002195001010017', kind: 'pension', description: '', monthlyIncome: 0.1 }, { idNumber: '371002195001010017', kind: 'pension', description: '', monthlyIncome: 0.2, assetValue: Number.POSITIVE_INFINITY }] },
      { department: 'banks', status: 'answered', answeredAt: 0, records: [{ idNumber: '371002195001010017', kind: 'deposit', description: '', assetValue: 1e308 }, { idNumber: '371002195001010017', kind: 'deposit', description: '', assetValue: 1e308 }] },
    ]);
    expect(summary.monthlyIncome).toBe(0.3);
    expect(Number.isFinite(summary.assetValue)).toBe(true);
    expect(JSON.parse(JSON.stringify(summary)).assetValue).not.toBeNull();
  });
});
