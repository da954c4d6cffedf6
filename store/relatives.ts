import type { Db } from 'mongodb';

/**
 * Close-relative declarations (近亲属备案): a staff member names the households of their close relatives
 * (and their own). Keyed by user and household, so "may this user act on this household?" is one _id read.
 */
export const RELATIVES_COLLECTION = 'relatives';
export const RELATIONS = ['self', 'spouse', 'parent', 'child', 'sibling', 'grandparent', 'grandchild', 'in_law', 'other'] as const;

export interface RelativeDoc {
  _id: string;
  userId: string;
  householdId: string;
  relation: (typeof RELATIONS)[number];
  declaredAt: Date;
}

export const relativeId = (userId: string, householdId: string) => `${userId}:${householdId}`;

export async function declareRelative(db: Db, userId: string, householdId: string, relation: RelativeDoc['relation']): Promise<RelativeDoc> {
  const doc: RelativeDoc = { _id: relativeId(userId, householdId), userId, householdId, relation, declaredAt: new Date() };
  await db.collection<RelativeDoc>(RELATIVES_COLLECTION).replaceOne({ _id: doc._id }, doc, { upsert: true });
  return doc;
}

export async function isRelative(db: Db, userId: string, householdId: string): Promise<boolean> {
  return (await db.collection<RelativeDoc>(RELATIVES_COLLECTION).findOne({ _id: relativeId(userId, householdId) }, { projection: { _id: 1 } })) !== null;
}

/** Everyone who declared a relative in the household: they may not handle its applications. */
export async function relativesOf(db: Db, householdId: string): Promise<string[]> {
  const docs = await db.collection<RelativeDoc>(RELATIVES_COLLECTION).find({ householdId }, { projection: { userId: 1 } }).toArray();
  return docs.map((d) => d.userId).sort();
}

export async function relativesDeclaredBy(db: Db, userId: string): Promise<RelativeDoc[]> {
  return db.collection<RelativeDoc>(RELATIVES_COLLECTION).find({ userId }).sort({ householdId: 1 }).toArray();
}
