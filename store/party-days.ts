import type { Db } from 'mongodb';
import type { PartyDayRecord } from '../domain/party-day';
import { collections, type PartyDayDoc } from './collections';
import { claimFirst, isDuplicateKey } from './mongo';

/**
 * The monthly Party-day Q&A records. `party_days` holds one document per unit and month — agenda and
 * minutes, nothing personal — written only by the party-day workflow's activities and read by staff
 * routes and the unit's public page. `party_day_runs` holds which workflow run owns a unit's month.
 */

/** The stored form of a month's record (times as dates), owned by `workflowId`. */
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
    await collections(db).partyDays.replaceOne({ _id: doc._id, version: { $lt: doc.version } }, doc, { upsert: true });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
}

/** Claims a unit's month for a workflow run; answers with the run that holds it (the caller, or an earlier one). */
export async function claimPartyDayRun(db: Db, partyDayId: string, workflowId: string): Promise<{ workflowId: string }> {
  const holder = await claimFirst(collections(db).partyDayRuns, { _id: partyDayId, workflowId, claimedAt: new Date() });
  return { workflowId: holder.workflowId };
}

/** One month's record (`<unitCode>:<YYYY-MM>`), or null. */
export function getPartyDay(db: Db, id: string): Promise<PartyDayDoc | null> {
  return collections(db).partyDays.findOne({ _id: id });
}

/**
 * A unit's Q&As, newest month first; all of them without a limit. Read by `unitCode` equality, which
 * FerretDB answers from an index (store/indexes.ts); on MongoDB `{unitCode, month}` serves the sort too.
 */
export function partyDaysOf(db: Db, unitCode: string, limit?: number): Promise<PartyDayDoc[]> {
  const found = collections(db).partyDays.find({ unitCode }).sort({ month: -1 });
  return (limit === undefined ? found : found.limit(limit)).toArray();
}
