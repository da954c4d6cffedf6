import type { Db } from 'mongodb';
import { collections, type HouseholdDoc } from './collections';
import { isDuplicateKey, pageById } from './mongo';

/**
 * The household register (户籍登记): one document per household. A resident ID number — a head's or a
 * member's — is in one household at most: each is claimed in `id_number_claims`, whose `_id` is the
 * number's key, before the household is written (a unique index over the members' array would be
 * multikey, which FerretDB v1 does not enforce; the claims work on any server). The head's number is also
 * unique on the households (store/indexes.ts). Read by the routes that act on a household and by the
 * activities that need its members (economic verification) or its name and address (the projection).
 */

/**
 * The key one resident ID number is unique by: the number, trimmed and upper-cased (its X). The one place
 * uniqueness is decided — encryption at rest swaps it for a keyed blind index. Source: ours.
 */
export function idNumberKey(idNumber: string): string {
  return idNumber.trim().toUpperCase();
}

/** A claim older than this whose household does not exist was left by a crash between the two writes, ms. */
const ORPHAN_AFTER_MS = 60_000;

/** One household, or null. */
export function findHousehold(db: Db, id: string): Promise<HouseholdDoc | null> {
  return collections(db).households.findOne({ _id: id });
}

/** The ID numbers of a household: its head's, then its members'. */
const idNumbersOf = (doc: Pick<HouseholdDoc, 'headIdNumber' | 'members'>) => [doc.headIdNumber, ...doc.members.map((m) => m.idNumber)];

/**
 * Registers a household: claims each of its ID numbers, then writes it. `{ conflict }` names the household
 * already holding one of them (undefined if it vanished meanwhile) and `idNumber` the number; nothing of
 * this household stays written then (its claims are withdrawn). A claim left by a crash between the two
 * writes (its household absent after ORPHAN_AFTER_MS) is taken over. @throws what the database throws,
 * after withdrawing the claims.
 */
export async function registerHousehold(db: Db, doc: HouseholdDoc): Promise<{ created: HouseholdDoc } | { conflict: string | undefined; idNumber: string }> {
  const { households, idNumberClaims } = collections(db);
  const claimed: string[] = [];
  const withdraw = () => (claimed.length ? idNumberClaims.deleteMany({ _id: { $in: claimed }, householdId: doc._id }) : Promise.resolve());
  try {
    for (const idNumber of idNumbersOf(doc)) {
      const key = idNumberKey(idNumber);
      const taken = await claim(db, key, doc._id);
      if (taken !== undefined) {
        await withdraw();
        return { conflict: taken, idNumber };
      }
      claimed.push(key);
    }
    await households.insertOne(doc);
    return { created: doc };
  } catch (err) {
    await withdraw();
    if (!isDuplicateKey(err)) throw err;
    const existing = await households.findOne({ headIdNumber: doc.headIdNumber }, { projection: { _id: 1 } });
    return { conflict: existing?._id, idNumber: doc.headIdNumber };
  }
}

/** Claims one key for a household: undefined when it is ours now, else the household holding it. */
async function claim(db: Db, key: string, householdId: string): Promise<string | undefined> {
  const { households, idNumberClaims } = collections(db);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await idNumberClaims.insertOne({ _id: key, householdId, at: new Date() });
      return undefined;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const holder = await idNumberClaims.findOne({ _id: key });
    if (!holder) continue; // withdrawn meanwhile: try again
    if (holder.householdId === householdId) return undefined;
    const orphan = holder.at.getTime() < Date.now() - ORPHAN_AFTER_MS && !(await households.findOne({ _id: holder.householdId }, { projection: { _id: 1 } }));
    if (!orphan) return holder.householdId;
    await idNumberClaims.deleteOne({ _id: key, householdId: holder.householdId });
  }
  return (await idNumberClaims.findOne({ _id: key }))?.householdId;
}

/**
 * Claims the ID numbers of every household registered before the claims existed (a migration): the first
 * household by id keeps a number two of them hold. @returns the claims written.
 */
export async function claimRegisteredIdNumbers(db: Db): Promise<number> {
  const { households, idNumberClaims } = collections(db);
  let written = 0;
  for await (const h of households.find({}, { projection: { headIdNumber: 1, members: 1 } }).sort({ _id: 1 })) {
    for (const idNumber of idNumbersOf(h)) {
      try {
        await idNumberClaims.insertOne({ _id: idNumberKey(idNumber), householdId: h._id, at: new Date() });
        written += 1;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    }
  }
  return written;
}

/** Households registered in a unit's subtree, by id after `after` (cursor-paginated by the caller). */
export function householdsIn(db: Db, orgCode: string, after: string | undefined, limit: number): Promise<HouseholdDoc[]> {
  return pageById(collections(db).households, { orgPath: orgCode }, after, limit);
}
