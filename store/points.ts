import type { Db } from 'mongodb';
import type { LedgerEntry } from '../domain/points';
import { collections } from './collections';
import { insertIgnoringDuplicates, isDuplicateKey } from './mongo';

/**
 * The points ledger (党员积分, domain/points.ts): append-only. This module only inserts entries and reads
 * them — there is no update or delete of `points_ledger` anywhere (a correction is a counter-entry).
 */

/** Inserts entries whose keys are not stored yet; those already stored (a re-projection) are left as they are. */
export async function appendEntries(db: Db, entries: LedgerEntry[]): Promise<void> {
  if (entries.length > 0) await insertIgnoringDuplicates(collections(db).pointsLedger, entries);
}

/** Inserts one entry: `{ created }`, or `{ existing }` (the entry stored under its key) when the key is taken. */
export async function appendEntry(db: Db, entry: LedgerEntry): Promise<{ created: LedgerEntry } | { existing: LedgerEntry }> {
  const c = collections(db).pointsLedger;
  try {
    await c.insertOne(entry);
    return { created: entry };
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const existing = await c.findOne({ _id: entry._id });
    if (!existing) throw err;
    return { existing };
  }
}

/** One entry by id, or null. */
export const findEntry = (db: Db, id: string): Promise<LedgerEntry | null> => collections(db).pointsLedger.findOne({ _id: id });

/** A member's entries, newest first; of one year (China time) when given. Served by the index on memberId, year. */
export function entriesOfMember(db: Db, memberId: string, year?: number): Promise<LedgerEntry[]> {
  return collections(db).pointsLedger.find(year === undefined ? { memberId } : { memberId, year }).sort({ at: -1, _id: -1 }).toArray();
}

/**
 * The entries of a unit's subtree in one month (`YYYY-MM`) or year: equality on `orgPath` and `month` (or
 * `year`), both indexed (store/indexes.ts), so a village's month reads that village's month only.
 */
export function entriesIn(db: Db, orgCode: string, period: { month: string } | { year: number }): Promise<LedgerEntry[]> {
  return collections(db).pointsLedger.find({ orgPath: orgCode, ...period }).toArray();
}

/** The entries of some members in one year (the 三亮 display): by memberId and year. */
export function entriesOfMembers(db: Db, memberIds: string[], year: number): Promise<LedgerEntry[]> {
  if (memberIds.length === 0) return Promise.resolve([]);
  return collections(db).pointsLedger.find({ memberId: { $in: memberIds }, year }).toArray();
}
