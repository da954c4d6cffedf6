import type { Db } from 'mongodb';
import type { OrgUnit } from '../domain/org';
import { collections } from './collections';
import { isDuplicateKey } from './mongo';

/**
 * Edits of the org tree by an admin (api/routes/org.ts, docs/admin.md): a new unit under an existing one, a
 * rename. Each marks the unit `editedAt`/`editedBy`, so the seed (store/seed.ts) never overwrites it; a
 * rename keeps the former name in `formerNames`. Codes never change: cases, households and tokens refer to
 * units by code. The caller refreshes its OrgDirectory afterwards; other API instances see the change within
 * their directory's `maxAgeMs`.
 */

/** Inserts a new unit (already checked: its parent exists and its code extends the parent's). Resolves 'exists' when the code is taken. */
export async function addOrgUnit(db: Db, unit: OrgUnit, by: string, at: Date = new Date()): Promise<'created' | 'exists'> {
  const { code, ...rest } = unit;
  try {
    await collections(db).orgUnits.insertOne({ _id: code, ...rest, editedAt: at, editedBy: by });
    return 'created';
  } catch (err) {
    if (isDuplicateKey(err)) return 'exists';
    throw err;
  }
}

/**
 * Renames a unit, keeping the former name. Resolves the former name, or null when the unit does not exist
 * or was renamed by someone else since `expectedName` was read (the caller reads again).
 */
export async function renameOrgUnit(db: Db, code: string, expectedName: string, name: string, by: string, at: Date = new Date()): Promise<string | null> {
  const res = await collections(db).orgUnits.updateOne(
    { _id: code, name: expectedName },
    { $set: { name, editedAt: at, editedBy: by }, $push: { formerNames: { name: expectedName, until: at, by } } },
  );
  return res.matchedCount === 1 ? expectedName : null;
}
