// Economic verification (家庭经济状况核对): what the departments are asked and what they answer.
// Pure and I/O-free so workflows can import it.
import { z } from 'zod';
import { zIdNumber } from './id-number';
import { DEPARTMENTS } from './departments';

export { DEPARTMENTS };

export type DepartmentCode = keyof typeof DEPARTMENTS;
export const DEPARTMENT_CODES = Object.keys(DEPARTMENTS) as DepartmentCode[];

export function isDepartmentCode(code: string): code is DepartmentCode {
  return Object.hasOwn(DEPARTMENTS, code);
}

/** What every department is asked: the household members of one application. */
export interface VerificationRequest {
  applicationId: string;
  members: { name: string; idNumber: string }[];
}

/** One fact a department holds about one member. Amounts are in yuan (元). */
export interface DepartmentRecord {
  idNumber: string;
  /** The department's own category, e.g. pension, inpatient_reimbursement, car, dwelling, deposit. */
  kind: string;
  /** Human-readable, as the department states it (e.g. 养老金, 住院报销, 小型轿车, 住宅, 活期存款). */
  description: string;
  monthlyIncome?: number;
  assetValue?: number;
}

/** A department's code (DEPARTMENTS), refusing any other text with the known codes listed. */
export const zDepartmentCode = z.enum(DEPARTMENT_CODES as [DepartmentCode, ...DepartmentCode[]]);

/**
 * The largest amounts one department record may state, yuan (元), whole fen: a monthly income of 10
 * million, an asset of 10 billion. Far above any household that applies for assistance, and low enough
 * that the sum of every record of an application (8 departments × 200 records) stays exact in fen
 * (below 2^53 fen). Source: ours.
 */
export const AMOUNT_LIMITS = { monthlyIncome: 10_000_000, assetValue: 10_000_000_000 } as const;

/** An amount in yuan: finite, ≥ 0, at most `max`, in whole fen (at most 2 decimals). Every amount field takes it. */
export const zYuan = (max: number) =>
  z
    .number()
    .nonnegative()
    .max(max)
    .refine((n) => Math.abs(Math.round(n * 100) - n * 100) < 1e-6, { message: 'at most 2 decimals (whole fen)', params: { code: 'invalid_amount' } });

/**
 * A record as a department extract must carry it (the file source validates JSON extracts with this, the
 * manual entry too): a valid resident ID number (GB 11643, check digit and birth date), amounts bounded
 * by AMOUNT_LIMITS.
 */
export const zDepartmentRecord = z.object({
  idNumber: zIdNumber,
  kind: z.string().trim().min(1).max(100),
  description: z.string().trim().max(500),
  monthlyIncome: zYuan(AMOUNT_LIMITS.monthlyIncome).optional(),
  assetValue: zYuan(AMOUNT_LIMITS.assetValue).optional(),
});

/** A department either answered (possibly with no records) or is recorded as missing, with why. */
export type DepartmentAnswer =
  | { department: string; status: 'answered'; records: DepartmentRecord[]; answeredAt: number }
  | { department: string; status: 'missing'; reason: string };

export interface VerificationSummary {
  /** Sum of the answered records' monthly income, yuan. */
  monthlyIncome: number;
  /** Sum of the answered records' asset values, yuan. */
  assetValue: number;
  /** Department codes that answered, in the order given. */
  answered: string[];
  /** Department codes recorded as missing, in the order given. */
  missing: string[];
}

/** An amount in whole fen (分); 0 for one that is not a non-negative number of fen below 2^53 (a record from before the bounds). */
function fen(n: number | undefined): number {
  const f = n === undefined ? 0 : Math.round(n * 100);
  return Number.isSafeInteger(f) && f >= 0 ? f : 0;
}

/**
 * Totals over the answers: income and assets of every answered record, and who answered or not. Sums in
 * whole fen, so that decimal yuan do not drift (0.1 + 0.2) and one absurd amount cannot turn a total into
 * Infinity (JSON null) for good: an amount beyond 2^53 fen is left out.
 */
export function summarise(answers: readonly DepartmentAnswer[]): VerificationSummary {
  let monthlyIncome = 0;
  let assetValue = 0;
  const answered: string[] = [];
  const missing: string[] = [];
  for (const a of answers) {
    if (a.status === 'missing') {
      missing.push(a.department);
      continue;
    }
    answered.push(a.department);
    for (const r of a.records) {
      monthlyIncome += fen(r.monthlyIncome);
      assetValue += fen(r.assetValue);
    }
  }
  return { monthlyIncome: monthlyIncome / 100, assetValue: assetValue / 100, answered, missing };
}
