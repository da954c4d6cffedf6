import type { Db, Filter } from 'mongodb';
import { collections, type ChannelKind, type DeliveryStatus, type NoticeDoc, type UnitChannelsDoc } from './collections';
import { insertIgnoringDuplicates, isDuplicateKey } from './mongo';

/**
 * The inboxes and the delivery status of notices (`notifications`), and each unit's channels
 * (`unit_channels`). An inbox is the notices of one unit that name no user, and the notices that name
 * one user (docs/notifications.md): two disjoint reads, each served by its own index, merged newest first.
 * Read state is per user (`readBy`). Source: ours (issue 12, item 1).
 */

/** Whose inbox: the caller's unit and the caller. */
export interface InboxOwner {
  unitCode: string;
  userId: string;
}
/** A position in an inbox (newest first): a notice's time and id. */
export interface InboxPosition {
  at: Date;
  id: string;
}
export interface InboxFilter {
  unread?: boolean;
  kind?: NoticeDoc['kind'];
}

/** The two disjoint parts of an inbox: the unit's notices for everyone, and those for this user. */
function inboxParts(who: InboxOwner, f: InboxFilter): Filter<NoticeDoc>[] {
  const extra: Filter<NoticeDoc> = { ...(f.unread ? { readBy: { $ne: who.userId } } : {}), ...(f.kind ? { kind: f.kind } : {}) };
  return [
    // null matches a missing userId and one stored as null (a writer that passed `userId: undefined`).
    { unitCode: who.unitCode, userId: null as unknown as undefined, ...extra },
    { userId: who.userId, ...extra },
  ];
}

/**
 * One page of an inbox, newest first (`at` then `_id`, both descending), after `after` (exclusive), at most
 * `limit` notices.
 */
export async function inboxPage(db: Db, who: InboxOwner, f: InboxFilter, after: InboxPosition | undefined, limit: number): Promise<NoticeDoc[]> {
  const c = collections(db).notifications;
  const before: Filter<NoticeDoc> = after ? { $or: [{ at: { $lt: after.at } }, { at: after.at, _id: { $lt: after.id } }] } : {};
  const parts = await Promise.all(inboxParts(who, f).map((q) => c.find({ ...q, ...before }).sort({ at: -1, _id: -1 }).limit(limit).toArray()));
  return parts
    .flat()
    .sort((a, b) => b.at.getTime() - a.at.getTime() || (a._id < b._id ? 1 : a._id > b._id ? -1 : 0))
    .slice(0, limit);
}

/** How many notices of the inbox the user has not read. */
export async function unreadCount(db: Db, who: InboxOwner): Promise<number> {
  const c = collections(db).notifications;
  const counts = await Promise.all(inboxParts(who, { unread: true }).map((q) => c.countDocuments(q)));
  return counts.reduce((a, b) => a + b, 0);
}

/** Marks one notice of the user's inbox read for that user. @returns false when the inbox has no such notice. */
export async function markNoticeRead(db: Db, who: InboxOwner, id: string): Promise<boolean> {
  const c = collections(db).notifications;
  for (const q of inboxParts(who, {})) {
    const r = await c.updateOne({ _id: id, ...q }, { $addToSet: { readBy: who.userId } });
    if (r.matchedCount > 0) return true;
  }
  return false;
}

/** Marks every notice of the user's inbox read for that user. @returns how many were unread. */
export async function markInboxRead(db: Db, who: InboxOwner): Promise<number> {
  const c = collections(db).notifications;
  let changed = 0;
  for (const q of inboxParts(who, { unread: true })) changed += (await c.updateMany(q, { $addToSet: { readBy: who.userId } })).modifiedCount;
  return changed;
}

/** One notice by id, or null. */
export function findNotice(db: Db, id: string): Promise<NoticeDoc | null> {
  return collections(db).notifications.findOne({ _id: id });
}

// ── Channels ──

/** A unit's channels, or null when it has none. */
export function unitChannels(db: Db, unitCode: string): Promise<UnitChannelsDoc | null> {
  return collections(db).unitChannels.findOne({ _id: unitCode });
}

/** The channels of several units at once (the units a projection's notices reach), by unit code. */
export async function channelsOfUnits(db: Db, codes: string[]): Promise<Map<string, UnitChannelsDoc>> {
  if (codes.length === 0) return new Map();
  const docs = await collections(db).unitChannels.find(codes.length === 1 ? { _id: codes[0]! } : { _id: { $in: codes } }).toArray();
  return new Map(docs.map((d) => [d._id, d]));
}

/** Every unit's channels (a small collection: the units that have any). */
export function allUnitChannels(db: Db): Promise<UnitChannelsDoc[]> {
  return collections(db).unitChannels.find({}).toArray();
}

/** A unit's notices (for the whole unit) since a time: what the delivery sweep looks at. */
export function noticesOfUnitSince(db: Db, unitCode: string, since: Date): Promise<NoticeDoc[]> {
  return collections(db).notifications.find({ unitCode, at: { $gte: since } }).toArray();
}

/** Replaces a unit's channels (an empty set removes them). */
export async function setUnitChannels(db: Db, unitCode: string, channels: Pick<UnitChannelsDoc, 'webhook' | 'sms'>, by: string): Promise<UnitChannelsDoc> {
  const doc: UnitChannelsDoc = { _id: unitCode, ...(channels.webhook ? { webhook: channels.webhook } : {}), ...(channels.sms ? { sms: channels.sms } : {}), updatedAt: new Date(), updatedBy: by };
  const c = collections(db).unitChannels;
  try {
    await c.replaceOne({ _id: unitCode }, doc, { upsert: true });
  } catch (err) {
    // Two admins at once: the other's upsert inserted it first (FerretDB does not retry the upsert itself).
    if (!isDuplicateKey(err)) throw err;
    await c.replaceOne({ _id: unitCode }, doc);
  }
  return doc;
}

// ── Delivery status ──

/**
 * Marks a notice's delivery through a channel as pending, unless it already has a status (a dispatch
 * repeated after a crash leaves a delivered or failed status as it is).
 */
export async function markDeliveryPending(db: Db, noticeId: string, channel: ChannelKind): Promise<void> {
  const status: DeliveryStatus = { status: 'pending', attempts: 0, lastError: null, at: new Date() };
  await collections(db).notifications.updateOne({ _id: noticeId, [`deliveries.${channel}`]: { $exists: false } }, { $set: { [`deliveries.${channel}`]: status } });
}

/**
 * Records one attempt's result. A delivered status is final: a late failed attempt (a retry racing a
 * success) never overwrites it. `delivered` also sets the notice's `deliveredAt` the first time.
 */
export async function recordDelivery(db: Db, noticeId: string, channel: ChannelKind, status: DeliveryStatus): Promise<void> {
  const c = collections(db).notifications;
  const key = `deliveries.${channel}`;
  await c.updateOne({ _id: noticeId, [`${key}.status`]: { $ne: 'delivered' } }, { $set: { [key]: status } });
  if (status.status === 'delivered') await c.updateOne({ _id: noticeId, deliveredAt: null }, { $set: { deliveredAt: status.at } });
}

/** Inserts notices (deterministic ids: a repeated insert adds nothing). */
export async function insertNotices(db: Db, docs: NoticeDoc[]): Promise<void> {
  if (docs.length > 0) await insertIgnoringDuplicates(collections(db).notifications, docs);
}
