import type { Db } from 'mongodb';
import { collections, type HouseholdDoc } from './collections';
import { isDuplicateKey, pageById } from './mongo';

/**
 * The household register (户籍登记): one document per household, its head's ID number unique
 * (store/indexes.ts). Read by the routes that act on a household and by the activities that need its
 * members (economic verification) or its name and address (the projection).
 */

/** One household, or null. */
export function findHousehold(db: Db, id: string): Promise<HouseholdDoc | null> {
  return collections(db).households.findOne({ _id: id });
}

/**
 * Registers a household; `{ conflict }` with the id of the household already registered under the same
 * head's ID number (undefined if it vanished meanwhile).
 */
export async function registerHousehold(db: Db, doc: HouseholdDoc): Promise<{ created: HouseholdDoc } | { conflict: string | undefined }> {
  const households = collections(db).households;
  try {
    await households.insertOne(doc);
    return { created: doc };
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const existing = await households.findOne({ headIdNumber: doc.headIdNumber }, { projection: { _id: 1 } });
    return { conflict: existing?._id };
  }
}

/** Households registered in a unit's subtree, by id after `after` (cursor-paginated by the caller). */
export function householdsIn(db: Db, orgCode: string, after: string | undefined, limit: number): Promise<HouseholdDoc[]> {
  return pageById(collections(db).households, { orgPath: orgCode }, after, limit);
}
