import { createHash, randomBytes } from 'node:crypto';
import type { Db } from 'mongodb';
import type { HelperKind, HelperRef, WishCategory } from '../domain/wish';
import type { UnitRef } from '../domain/org';
import { isDuplicateKey } from './mongo';

/**
 * The wishing tree's own collections: the register of helpers (志愿者、社工、社会组织、党员) who may claim
 * wishes, and the helper-points ledger (one entry per fulfilled wish). Wishes themselves are cases in the
 * shared read model (`cases`, kind `wish`), written by the projection.
 */
export const WISH_COLLECTIONS = {
  helpers: 'helpers',
  helperPoints: 'helper_points',
} as const;

export interface HelperDoc {
  _id: string;
  kind: HelperKind;
  name: string;
  unitCode: string;
  /** Materialised path of the unit the helper is registered with: lists filter by subtree. */
  orgPath: string[];
  contact: string;
  /** The login of a party member who registered themselves (or whom staff linked): they claim as this helper. */
  userId: string | null;
  createdAt: Date;
  createdBy: string;
}

export interface HelperPointsDoc {
  /** The wish id: one entry per fulfilled wish, so recording twice changes nothing. */
  _id: string;
  helperId: string;
  helperName: string;
  helperKind: HelperKind;
  points: number;
  wishId: string;
  publicTitle: string;
  category: WishCategory;
  unit: UnitRef;
  orgPath: string[];
  fulfilledAt: Date;
  confirmedAt: Date;
  confirmedBy: 'household' | 'staff';
  recordedAt: Date;
}

/**
 * A helper linked to a login gets an id derived from it, so a party member registers once (a second
 * registration collides on _id); others get a random id.
 */
export const helperIdFor = (userId: string | null): string =>
  `helper-${userId ? createHash('sha256').update(`helper:${userId}`).digest('hex').slice(0, 12) : randomBytes(6).toString('hex')}`;

export const helperRef = (h: HelperDoc): HelperRef => ({ helperId: h._id, name: h.name, kind: h.kind, unitCode: h.unitCode, userId: h.userId });

/** Registers a helper; `{ conflict }` when one with the same id (the same login) exists. */
export async function registerHelper(db: Db, doc: HelperDoc): Promise<{ created: HelperDoc } | { conflict: string }> {
  try {
    await db.collection<HelperDoc>(WISH_COLLECTIONS.helpers).insertOne(doc);
    return { created: doc };
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return { conflict: doc._id };
  }
}

export function findHelper(db: Db, helperId: string): Promise<HelperDoc | null> {
  return db.collection<HelperDoc>(WISH_COLLECTIONS.helpers).findOne({ _id: helperId });
}

/** Helpers registered in a unit's subtree, by id (cursor-paginated by the caller). */
export function helpersIn(db: Db, orgCode: string, after: string | undefined, limit: number): Promise<HelperDoc[]> {
  return db
    .collection<HelperDoc>(WISH_COLLECTIONS.helpers)
    .find({ orgPath: orgCode, ...(after ? { _id: { $gt: after } } : {}) })
    .sort({ _id: 1 })
    .limit(limit)
    .toArray();
}

/** Records a fulfilment's points, idempotent by wish id: `alreadyRecorded` when the entry was there. */
export async function recordPoints(db: Db, entry: HelperPointsDoc): Promise<{ points: number; alreadyRecorded: boolean }> {
  try {
    await db.collection<HelperPointsDoc>(WISH_COLLECTIONS.helperPoints).insertOne(entry);
    return { points: entry.points, alreadyRecorded: false };
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const existing = await db.collection<HelperPointsDoc>(WISH_COLLECTIONS.helperPoints).findOne({ _id: entry._id });
    return { points: existing?.points ?? entry.points, alreadyRecorded: true };
  }
}

/** A helper's fulfilments, newest first, and their points in total. */
export async function pointsOf(db: Db, helperId: string): Promise<{ entries: HelperPointsDoc[]; total: number }> {
  const entries = await db.collection<HelperPointsDoc>(WISH_COLLECTIONS.helperPoints).find({ helperId }).sort({ confirmedAt: -1 }).toArray();
  return { entries, total: entries.reduce((n, e) => n + e.points, 0) };
}

