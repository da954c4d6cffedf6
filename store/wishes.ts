import { createHash, randomBytes } from 'node:crypto';
import type { Db } from 'mongodb';
import type { HelperRef, WishStage, WishView } from '../domain/wish';
import { collections, type CaseDoc, type HelperDoc, type HelperPointsDoc } from './collections';
import { isDuplicateKey, pageById } from './mongo';
import { PII_FIELDS, piiOf } from './pii';

/**
 * The wishing tree's own collections: the register of helpers (志愿者、社工、社会组织、党员) who may claim
 * wishes, and the helper-points ledger (one entry per fulfilled wish). Wishes themselves are cases in the
 * shared read model (`cases`, kind `wish`), written by the projection. A helper's contact (a phone) is
 * encrypted at rest (store/pii.ts): sealed here on the way in, opened on the way out.
 */

const openHelper = (db: Db, h: HelperDoc): HelperDoc => ({ ...h, contact: piiOf(db).open(h.contact, PII_FIELDS.contact) });

/**
 * A helper linked to a login gets an id derived from it, so a party member registers once (a second
 * registration collides on _id); others get a random id.
 */
export const helperIdFor = (userId: string | null): string =>
  `helper-${userId ? createHash('sha256').update(`helper:${userId}`).digest('hex').slice(0, 12) : randomBytes(6).toString('hex')}`;

/** The reference to a helper a claim carries into the wish's workflow. */
export const helperRef = (h: HelperDoc): HelperRef => ({ helperId: h._id, name: h.name, kind: h.kind, unitCode: h.unitCode, userId: h.userId });

/** Registers a helper; `{ conflict }` when one with the same id (the same login) exists. */
export async function registerHelper(db: Db, doc: HelperDoc): Promise<{ created: HelperDoc } | { conflict: string }> {
  try {
    await collections(db).helpers.insertOne({ ...doc, contact: piiOf(db).seal(doc.contact, PII_FIELDS.contact) });
    return { created: doc };
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return { conflict: doc._id };
  }
}

/** One registered helper, or null. */
export async function findHelper(db: Db, helperId: string): Promise<HelperDoc | null> {
  const found = await collections(db).helpers.findOne({ _id: helperId });
  return found && openHelper(db, found);
}

/** Helpers registered in a unit's subtree, by id (cursor-paginated by the caller). */
export async function helpersIn(db: Db, orgCode: string, after: string | undefined, limit: number): Promise<HelperDoc[]> {
  return (await pageById(collections(db).helpers, { orgPath: orgCode }, after, limit)).map((h) => openHelper(db, h));
}

/** Records a fulfilment's points, idempotent by wish id: `alreadyRecorded` when the entry was there. */
export async function recordPoints(db: Db, entry: HelperPointsDoc): Promise<{ points: number; alreadyRecorded: boolean }> {
  try {
    await collections(db).helperPoints.insertOne(entry);
    return { points: entry.points, alreadyRecorded: false };
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const existing = await collections(db).helperPoints.findOne({ _id: entry._id });
    return { points: existing?.points ?? entry.points, alreadyRecorded: true };
  }
}

/** A helper's fulfilments, newest first, and their points in total. */
export async function pointsOf(db: Db, helperId: string): Promise<{ entries: HelperPointsDoc[]; total: number }> {
  const entries = await collections(db).helperPoints.find({ helperId }).sort({ confirmedAt: -1 }).toArray();
  return { entries, total: entries.reduce((n, e) => n + e.points, 0) };
}

/**
 * The open wishes of a unit's subtree in the given stages (the public wishing tree), by id after `after`
 * (cursor-paginated by the caller).
 */
export async function openWishesIn(db: Db, orgCode: string, stages: readonly WishStage[], after: string | undefined, limit: number): Promise<CaseDoc<WishView>[]> {
  const docs = await pageById(collections(db).cases, { kind: 'wish', orgPath: orgCode, status: 'open', stage: { $in: [...stages] } }, after, limit);
  return docs as CaseDoc<WishView>[];
}

