import type { Db } from 'mongodb';
import { localMonth, shiftMonth } from '../domain/china-time';
import { collections, type DeadlineDoc } from './collections';

/** Above this many months a period is read in one query (the monthly reads would be more round trips than rows saved). */
const MAX_MONTH_QUERIES = 36;

/** The local months that [from, to) touches, oldest first. */
export function monthsBetween(from: Date, to: Date): string[] {
  const months: string[] = [];
  if (to <= from) return months;
  const last = localMonth(to.getTime() - 1);
  for (let month = localMonth(from.getTime()); ; month = shiftMonth(month, 1)) {
    months.push(month);
    if (month >= last || months.length > MAX_MONTH_QUERIES) return months;
  }
}

/**
 * The deadlines of a unit's subtree due in [from, to) — what the on-time figures count (考核).
 * Reads month by month with `{orgPath, dueMonth}` equality, which both MongoDB and FerretDB on PostgreSQL
 * answer from an index (store/indexes.ts), so a period's cost follows the deadlines in it, not all the
 * deadlines ever recorded. Source: ours.
 */
export async function deadlinesDueIn<K extends keyof DeadlineDoc>(db: Db, org: string, from: Date, to: Date, fields: K[]): Promise<Pick<DeadlineDoc, K | 'dueAt'>[]> {
  const collection = collections(db).deadlines;
  const projection = Object.fromEntries([...fields, 'dueAt'].map((f) => [f, 1]));
  const range = { dueAt: { $gte: from, $lt: to } };
  const months = monthsBetween(from, to);
  if (months.length > MAX_MONTH_QUERIES) return collection.find({ orgPath: org, ...range }, { projection }).toArray();
  const parts = await Promise.all(months.map((dueMonth) => collection.find({ orgPath: org, dueMonth, ...range }, { projection }).toArray()));
  return parts.flat();
}
