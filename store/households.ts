import type { Db, Filter } from 'mongodb';
import { collections, type HouseholdDoc, type StoredHouseholdDoc } from './collections';
import { isDuplicateKey, pageById } from './mongo';
import { idNumberKey, PII_FIELDS, piiOf, type PiiKeyring } from './pii';

/**
 * The household register (户籍登记): one document per household. A resident ID number — a head's or a
 * member's — is in one household at most: each is claimed in `id_number_claims`, whose `_id` is the
 * number's blind index (`idNumberKey`, store/pii.ts), before the household is written (a unique index over
 * the members' array would be multikey, which FerretDB v1 does not enforce; the claims work on any
 * server). The head's blind index is also unique on the households (store/indexes.ts). Read by the routes
 * that act on a household and by the activities that need its members (economic verification) or its name
 * and address (the projection).
 *
 * At rest, every ID number and the phone are encrypted (store/pii.ts, AES-256-GCM with a key id); the
 * head's ID number is unique and every member's is found through their blind indexes (`headIdKey`,
 * `idKeys`). Callers see only plain documents (HouseholdDoc): sealing and opening happen here.
 */

/** A household as stored: ID numbers and phone sealed, with the blind indexes of its ID numbers. */
export function sealHousehold(keyring: PiiKeyring, doc: HouseholdDoc): StoredHouseholdDoc {
  const seal = (v: string, aad: string) => keyring.seal(v, aad);
  return {
    ...doc,
    headIdNumber: seal(doc.headIdNumber, PII_FIELDS.idNumber),
    members: doc.members.map((m) => ({ ...m, idNumber: seal(m.idNumber, PII_FIELDS.idNumber) })),
    phone: seal(doc.phone, PII_FIELDS.phone),
    headIdKey: idNumberKey(keyring, doc.headIdNumber),
    idKeys: [doc.headIdNumber, ...doc.members.map((m) => m.idNumber)].map((id) => idNumberKey(keyring, id)),
  };
}

/** The plain household of a stored one (a value written before encryption is returned as it is). @throws PiiError for a key not configured or a value altered. */
export function openHousehold(keyring: PiiKeyring, stored: StoredHouseholdDoc): HouseholdDoc {
  const { headIdKey: _k, idKeys: _ks, ...doc } = stored;
  return {
    ...doc,
    headIdNumber: keyring.open(doc.headIdNumber, PII_FIELDS.idNumber),
    members: doc.members.map((m) => ({ ...m, idNumber: keyring.open(m.idNumber, PII_FIELDS.idNumber) })),
    phone: keyring.open(doc.phone, PII_FIELDS.phone),
  };
}

/** A claim older than this whose household does not exist was left by a crash between the two writes, ms. */
const ORPHAN_AFTER_MS = 60_000;

/** One household, or null. */
export async function findHousehold(db: Db, id: string): Promise<HouseholdDoc | null> {
  const stored = await collections(db).households.findOne({ _id: id });
  return stored && openHousehold(piiOf(db), stored);
}

/** These households (opened), by id, in one query: a list's rows (api/present.ts primeCases). Missing households are absent. */
export async function findHouseholds(db: Db, ids: readonly string[]): Promise<Map<string, HouseholdDoc>> {
  if (ids.length === 0) return new Map();
  const keyring = piiOf(db);
  const found = await collections(db).households.find({ _id: { $in: [...ids] } }).toArray();
  return new Map(found.map((d) => [d._id, openHousehold(keyring, d)]));
}

/** The phones of these households (opened), by id, in one query: the task list's and the case rows' phone (issue 14 fresh-eyes). Missing households are absent. */
export async function householdPhones(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const keyring = piiOf(db);
  const found = await collections(db).households.find({ _id: { $in: [...ids] } }, { projection: { phone: 1 } }).toArray();
  return new Map(found.map((d) => [d._id, keyring.open(d.phone, PII_FIELDS.phone)]));
}

/** The id of the household one of whose members (head included) has this ID number, or null. */
export async function householdWithIdNumber(db: Db, idNumber: string): Promise<string | null> {
  const found = await collections(db).households.findOne({ idKeys: idNumberKey(piiOf(db), idNumber) }, { projection: { _id: 1 } });
  return found?._id ?? null;
}

/**
 * The household whose head has this ID number, or null: one lookup of the head's blind index (unique,
 * store/indexes.ts). Used by the public wish form (issue 14), which matches a household by its head and phone.
 */
export async function householdByHead(db: Db, headIdNumber: string): Promise<HouseholdDoc | null> {
  const stored = await collections(db).households.findOne({ headIdKey: idNumberKey(piiOf(db), headIdNumber) });
  return stored && openHousehold(piiOf(db), stored);
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
  const keyring = piiOf(db);
  const stored = sealHousehold(keyring, doc);
  const claimed: string[] = [];
  const withdraw = () => (claimed.length ? idNumberClaims.deleteMany({ _id: { $in: claimed }, householdId: doc._id }) : Promise.resolve());
  try {
    for (const idNumber of idNumbersOf(doc)) {
      const key = idNumberKey(keyring, idNumber);
      const taken = await claim(db, key, doc._id);
      if (taken !== undefined) {
        await withdraw();
        return { conflict: taken, idNumber };
      }
      claimed.push(key);
    }
    await households.insertOne(stored);
    return { created: doc };
  } catch (err) {
    await withdraw();
    if (!isDuplicateKey(err)) throw err;
    const existing = await households.findOne({ headIdKey: stored.headIdKey }, { projection: { _id: 1 } });
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
  const keyring = piiOf(db);
  let written = 0;
  for await (const stored of households.find({}).sort({ _id: 1 })) {
    for (const idNumber of idNumbersOf(openHousehold(keyring, stored))) {
      try {
        await idNumberClaims.insertOne({ _id: idNumberKey(keyring, idNumber), householdId: stored._id, at: new Date() });
        written += 1;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    }
  }
  return written;
}

/** What the register can be searched by (GET /v1/households): all given must hold. */
export interface HouseholdSearch {
  /** The head's name, or its beginning (a surname): matched from the first character, as written. */
  name?: string;
  /** A full resident ID number of the head or any member, found through its blind index (the number is sealed at rest, so no partial match). */
  idNumber?: string;
  /** A recipient category the household is in. */
  category?: string;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Households registered in a unit's subtree, by id after `after` (cursor-paginated by the caller), narrowed
 * by `search`. Served by the `orgPath` index (a village's register is small), and by `idKeys` for an ID
 * number (store/indexes.ts).
 */
export async function householdsIn(db: Db, orgCode: string, after: string | undefined, limit: number, search: HouseholdSearch = {}): Promise<HouseholdDoc[]> {
  const keyring = piiOf(db);
  const filter: Filter<StoredHouseholdDoc> = { orgPath: orgCode };
  if (search.name) filter.headName = { $regex: `^${escapeRegex(search.name)}` };
  if (search.idNumber) filter.idKeys = idNumberKey(keyring, search.idNumber);
  if (search.category) filter.categories = search.category as HouseholdDoc['categories'][number];
  return (await pageById(collections(db).households, filter, after, limit)).map((d) => openHousehold(keyring, d));
}

/**
 * Corrects a household's address, phone or members (PATCH /v1/households/{id}). A member's ID number new to
 * the household is claimed first (as at registration); on a conflict nothing is written and `{ conflict }`
 * names the household holding it (undefined if it vanished) and `idNumber` the number; the claims of numbers
 * no longer in the household are withdrawn after the write. Returns `{ updated }`, or null when there is no
 * such household. @throws what the database throws, after withdrawing the new claims. Source: ours (issue 14).
 */
export async function updateHousehold(
  db: Db,
  id: string,
  patch: Partial<Pick<HouseholdDoc, 'address' | 'phone' | 'members'>>,
): Promise<{ updated: HouseholdDoc } | { conflict: string | undefined; idNumber: string } | null> {
  const { households, idNumberClaims } = collections(db);
  const keyring = piiOf(db);
  const before = await findHousehold(db, id);
  if (!before) return null;
  const after: HouseholdDoc = { ...before, ...patch };
  const had = new Set(idNumbersOf(before).map((n) => idNumberKey(keyring, n)));
  const has = new Set(idNumbersOf(after).map((n) => idNumberKey(keyring, n)));
  const claimed: string[] = [];
  const withdraw = () => (claimed.length ? idNumberClaims.deleteMany({ _id: { $in: claimed }, householdId: id }) : Promise.resolve());
  try {
    for (const idNumber of idNumbersOf(after)) {
      const key = idNumberKey(keyring, idNumber);
      if (had.has(key)) continue;
      const taken = await claim(db, key, id);
      if (taken !== undefined) {
        await withdraw();
        return { conflict: taken, idNumber };
      }
      claimed.push(key);
    }
    // Only the corrected fields (sealed) and the blind indexes are set: a categories change meanwhile stands.
    const sealed = sealHousehold(keyring, after);
    await households.updateOne({ _id: id }, { $set: { address: sealed.address, phone: sealed.phone, members: sealed.members, idKeys: sealed.idKeys } });
  } catch (err) {
    await withdraw();
    throw err;
  }
  const gone = [...had].filter((k) => !has.has(k));
  if (gone.length) await idNumberClaims.deleteMany({ _id: { $in: gone }, householdId: id });
  return { updated: after };
}

/**
 * Sets a household's recipient categories (救助对象类别; the sealed fields are untouched). Returns the
 * household as it was before, or null when there is none. Source: ours (issue 13: a household that newly
 * qualifies for pairing, or stops qualifying).
 */
export async function setHouseholdCategories(db: Db, id: string, categories: HouseholdDoc['categories']): Promise<HouseholdDoc | null> {
  const before = await collections(db).households.findOneAndUpdate({ _id: id }, { $set: { categories } }, { returnDocument: 'before' });
  return before && openHousehold(piiOf(db), before);
}
