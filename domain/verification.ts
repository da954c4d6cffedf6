// Economic verification (家庭经济状况核对): what the departments are asked and what they answer.
// Pure and I/O-free so workflows can import it.
import { z } from 'zod';

/** The departments an application's economic verification fans out to, code → name. */
export const DEPARTMENTS = {
  civil_affairs: '民政',
  hrss: '人社',
  medical_insurance: '医保',
  housing_fund: '住房公积金',
  /** Vehicle registrations, held by the traffic police (公安交管). */
  vehicles: '车辆',
  real_estate: '不动产登记',
  market_regulation: '市场监管',
  banks: '银行',
} as const;
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

const zAmount = z.number().nonnegative();

/** A record as a department extract must carry it (the file source validates JSON extracts with this). */
export const zDepartmentRecord = z.object({
  idNumber: z.string().trim().toUpperCase().min(1),
  kind: z.string().trim().min(1),
  description: z.string().trim(),
  monthlyIncome: zAmount.optional(),
  assetValue: zAmount.optional(),
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

/** Rounds to the fen (分) so that sums of decimal yuan do not drift (0.1 + 0.2). */
function yuan(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Totals over the answers: income and assets of every answered record, and who answered or not. */
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
      monthlyIncome = yuan(monthlyIncome + (r.monthlyIncome ?? 0));
      assetValue = yuan(assetValue + (r.assetValue ?? 0));
    }
  }
  return { monthlyIncome, assetValue, answered, missing };
}
