import type { Db } from 'mongodb';
import type { PartyDayRecord } from '../domain/party-day';
import { isDuplicateKey } from './mongo';

/**
 * The monthly Party-day Q&A records. `party_days` holds one document per unit and month — agenda and
 * minutes, nothing personal — written only by the party-day workflow's activities and read by staff
 * routes and the unit's public page. `party_day_runs` holds which workflow run owns a unit's month.
 */
export const PARTY_DAYS_COLLECTION = 'party_days';
export const PARTY_DAY_RUNS_COLLECTION = 'party_day_runs';

type Item = PartyDayRecord['items'][number];

/** The stored form: times as dates, plus the workflow that owns the month. */
export interface PartyDayDoc extends Omit<PartyDayRecord, 'items' | 'scheduledAt' | 'publishedAt' | 'closedAt'> {
  items: (Omit<Item, 'answeredAt'> & { answeredAt?: Date })[];
  scheduledAt: Date;
  publishedAt: Date;
  closedAt?: Date;
  workflowId: string;
  updatedAt: Date;
}

export function toPartyDayDoc(record: PartyDayRecord, workflowId: string): PartyDayDoc {
  const { scheduledAt, publishedAt, closedAt, items, ...rest } = record;
  return {
    ...rest,
    items: items.map(({ answeredAt, ...i }) => ({ ...i, ...(answeredAt !== undefined ? { answeredAt: new Date(answeredAt) } : {}) })),
    scheduledAt: new Date(scheduledAt),
    publishedAt: new Date(publishedAt),
    ...(closedAt !== undefined ? { closedAt: new Date(closedAt) } : {}),
    workflowId,
    updatedAt: new Date(),
  };
}

/** Writes a newer version of a month's record; an older or equal one (a retry, a late write) changes nothing. */
export async function savePartyDayDoc(db: Db, doc: PartyDayDoc): Promise<void> {
  try {
    await db.collection<PartyDayDoc>(PARTY_DAYS_COLLECTION).replaceOne({ _id: doc._id, version: { $lt: doc.version } }, doc, { upsert: true });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
}

/** Claims a unit's month for a workflow run; answers with the run that holds it (the caller, or an earlier one). */
export async function claimPartyDayRun(db: Db, partyDayId: string, workflowId: string): Promise<{ workflowId: string }> {
  const runs = db.collection<{ _id: string; workflowId: string; claimedAt: Date }>(PARTY_DAY_RUNS_COLLECTION);
  try {
    await runs.insertOne({ _id: partyDayId, workflowId, claimedAt: new Date() });
    return { workflowId };
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const holder = await runs.findOne({ _id: partyDayId });
    return { workflowId: holder?.workflowId ?? workflowId };
  }
}

export function getPartyDay(db: Db, id: string): Promise<PartyDayDoc | null> {
  return db.collection<PartyDayDoc>(PARTY_DAYS_COLLECTION).findOne({ _id: id });
}

/** A unit's Q&As, newest month first. Ids start with the unit code, so an _id range serves it. */
export function listPartyDays(db: Db, unitCode: string, limit: number): Promise<PartyDayDoc[]> {
  return db
    .collection<PartyDayDoc>(PARTY_DAYS_COLLECTION)
    .find({ _id: { $gt: `${unitCode}:`, $lt: `${unitCode};` } })
    .sort({ _id: -1 })
    .limit(limit)
    .toArray();
}
