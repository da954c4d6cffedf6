import type { Db } from 'mongodb';
import { collections, type HouseholdDoc, type StoredHouseholdDoc } from './collections';
import { isDuplicateKey, pageById } from './mongo';
import { idNumberKey, PII_FIELDS, piiOf, type PiiKeyring } from './pii';

/**
 * The household register (户籍登记): one document per household, its head's ID number unique
 * (store/indexes.ts). Read by the routes that act on a household and by the activities that need its
 * members (economic verification) or its name and address (the projection).
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

/** One household, or null. */
export async function findHousehold(db: Db, id: string): Promise<HouseholdDoc | null> {
  const stored = await collections(db).households.findOne({ _id: id });
  return stored && openHousehold(piiOf(db), stored);
}

/** The id of the household one of whose members (head included) has this ID number, or null. */
export async function householdWithIdNumber(db: Db, idNumber: string): Promise<string | null> {
  const found = await collections(db).households.findOne({ idKeys: idNumberKey(piiOf(db), idNumber) }, { projection: { _id: 1 } });
  return found?._id ?? null;
}

/**
 * Registers a household; `{ conflict }` with the id of the household already registered under the same
 * head's ID number (undefined if it vanished meanwhile).
 */
export async function registerHousehold(db: Db, doc: HouseholdDoc): Promise<{ created: HouseholdDoc } | { conflict: string | undefined }> {
  const households = collections(db).households;
  const stored = sealHousehold(piiOf(db), doc);
  try {
    await households.insertOne(stored);
    return { created: doc };
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const existing = await households.findOne({ headIdKey: stored.headIdKey }, { projection: { _id: 1 } });
    return { conflict: existing?._id };
  }
}

/** Households registered in a unit's subtree, by id after `after` (cursor-paginated by the caller). */
export async function householdsIn(db: Db, orgCode: string, after: string | undefined, limit: number): Promise<HouseholdDoc[]> {
  const keyring = piiOf(db);
  return (await pageById(collections(db).households, { orgPath: orgCode }, after, limit)).map((d) => openHousehold(keyring, d));
}
