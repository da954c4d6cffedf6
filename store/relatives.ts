import type { Db } from 'mongodb';
import { collections, type RelativeDoc } from './collections';

/**
 * Close-relative declarations (近亲属备案): a staff member names the households of their close relatives
 * (and their own). Keyed by user and household, so "may this user act on this household?" is one _id read.
 */
const relatives = (db: Db) => collections(db).relatives;

/** A declaration's `_id`. */
export const relativeId = (userId: string, householdId: string) => `${userId}:${householdId}`;

/** Declares (or re-declares, replacing the relation) a household as the user's close relative's. */
export async function declareRelative(db: Db, userId: string, householdId: string, relation: RelativeDoc['relation']): Promise<RelativeDoc> {
  const doc: RelativeDoc = { _id: relativeId(userId, householdId), userId, householdId, relation, declaredAt: new Date() };
  await relatives(db).replaceOne({ _id: doc._id }, doc, { upsert: true });
  return doc;
}

/** Did the user declare a close relative in the household? */
export async function isRelative(db: Db, userId: string, householdId: string): Promise<boolean> {
  return (await relatives(db).findOne({ _id: relativeId(userId, householdId) }, { projection: { _id: 1 } })) !== null;
}

/** Everyone who declared a relative in the household: they may not handle its applications. */
export async function relativesOf(db: Db, householdId: string): Promise<string[]> {
  const docs = await relatives(db).find({ householdId }, { projection: { userId: 1 } }).toArray();
  return docs.map((d) => d.userId).sort();
}

/** A user's declarations, by household. */
export async function relativesDeclaredBy(db: Db, userId: string): Promise<RelativeDoc[]> {
  return relatives(db).find({ userId }).sort({ householdId: 1 }).toArray();
}
