import type { Db, Filter } from 'mongodb';
import { collections, type ChannelKind, type DeliveryStatus, type NoticeDeliveryDoc, type NoticeDoc, type UnitChannelsDoc } from './collections';
import { insertIgnoringDuplicates, isDuplicateKey } from './mongo';

/**
 * The inboxes, the read state and the delivery status of notices, and each unit's channels
 * (`unit_channels`). An inbox is the notices of one unit that name no user, and the notices addressed to one
 * user **in that unit** (docs/notifications.md): two disjoint reads on one index, merged newest first.
 *
 * A notice document is written once and never updated: its delivery per channel is a document of its own
 * (`notice_deliveries`, `<noticeId>:<channel>`, written only by that delivery), and read state is per user
 * — one document per notice read (`notice_reads`, inserted only) and one "all read up to" mark per user and
 * unit (`notice_read_marks`, written only by that user). FerretDB v1 applies an update as read-modify-write,
 * so two concurrent updates of one document can lose one another: with one writer per document, none can.
 * Source: ours (issue 12, item 1; the fix after a notice with a webhook and SMS stayed "pending").
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

/** What one user has read of one unit's inbox: everything up to `upTo`, and the notices after it in `ids`. */
export interface ReadState {
  upTo: Date | null;
  ids: Set<string>;
}

const markIdOf = (who: InboxOwner) => `${who.unitCode}|${who.userId}`;
const readIdOf = (who: InboxOwner, noticeId: string) => `${noticeId}|${who.unitCode}|${who.userId}`;

/** The user's read state in the unit's inbox: two small reads (the mark by id; the reads after it). */
export async function readStateOf(db: Db, who: InboxOwner): Promise<ReadState> {
  const c = collections(db);
  const mark = await c.noticeReadMarks.findOne({ _id: markIdOf(who) });
  const upTo = mark?.upTo ?? null;
  const reads = await c.noticeReads.find({ userId: who.userId, unitCode: who.unitCode, ...(upTo ? { noticeAt: { $gt: upTo } } : {}) }, { projection: { noticeId: 1 } }).toArray();
  return { upTo, ids: new Set(reads.map((r) => r.noticeId)) };
}

/** Whether the user has read a notice, by their read state. */
export const isRead = (state: ReadState, n: Pick<NoticeDoc, '_id' | 'at'>): boolean => (state.upTo !== null && n.at.getTime() <= state.upTo.getTime()) || state.ids.has(n._id);

/**
 * The two disjoint parts of an inbox: the unit's notices for everyone, and those for this user **addressed
 * to this unit** (a token with the same `sub` in another unit sees none of them).
 */
function inboxParts(who: InboxOwner, f: InboxFilter, read?: ReadState): Filter<NoticeDoc>[] {
  const unread: Filter<NoticeDoc> =
    f.unread && read ? { ...(read.upTo ? { at: { $gt: read.upTo } } : {}), ...(read.ids.size > 0 ? { _id: { $nin: [...read.ids] } } : {}) } : {};
  const extra: Filter<NoticeDoc> = { ...unread, ...(f.kind ? { kind: f.kind } : {}) };
  return [
    // null matches a missing userId and one stored as null (a writer that passed `userId: undefined`).
    { unitCode: who.unitCode, userId: null as unknown as undefined, ...extra },
    { unitCode: who.unitCode, userId: who.userId, ...extra },
  ];
}

/**
 * One page of an inbox, newest first (`at` then `_id`, both descending), after `after` (exclusive), at most
 * `limit` notices. `read`: the user's read state (read once by the caller; required for `unread`).
 */
export async function inboxPage(db: Db, who: InboxOwner, f: InboxFilter, after: InboxPosition | undefined, limit: number, read?: ReadState): Promise<NoticeDoc[]> {
  const c = collections(db).notifications;
  const state = f.unread ? (read ?? (await readStateOf(db, who))) : read;
  const before: Filter<NoticeDoc> = after ? { $or: [{ at: { $lt: after.at } }, { at: after.at, _id: { $lt: after.id } }] } : {};
  const parts = await Promise.all(inboxParts(who, f, state).map((q) => c.find({ ...q, ...before }).sort({ at: -1, _id: -1 }).limit(limit).toArray()));
  return parts
    .flat()
    .sort((a, b) => b.at.getTime() - a.at.getTime() || (a._id < b._id ? 1 : a._id > b._id ? -1 : 0))
    .slice(0, limit);
}

/** How many notices of the inbox the user has not read. */
export async function unreadCount(db: Db, who: InboxOwner): Promise<number> {
  const c = collections(db).notifications;
  const read = await readStateOf(db, who);
  const counts = await Promise.all(inboxParts(who, { unread: true }, read).map((q) => c.countDocuments(q)));
  return counts.reduce((a, b) => a + b, 0);
}

/**
 * Marks one notice of the user's inbox read for that user: inserts its read document (a second mark inserts
 * nothing). @returns false when the inbox has no such notice.
 */
export async function markNoticeRead(db: Db, who: InboxOwner, id: string): Promise<boolean> {
  const c = collections(db);
  for (const q of inboxParts(who, {})) {
    const n = await c.notifications.findOne({ _id: id, ...q }, { projection: { _id: 1, at: 1 } });
    if (!n) continue;
    await insertIgnoringDuplicates(c.noticeReads, [{ _id: readIdOf(who, id), noticeId: id, userId: who.userId, unitCode: who.unitCode, noticeAt: n.at, at: new Date() }]);
    return true;
  }
  return false;
}

/**
 * Marks every notice of the user's inbox read for that user: its mark moves up to the newest notice's time
 * (never down). @returns how many were unread.
 */
export async function markInboxRead(db: Db, who: InboxOwner): Promise<number> {
  const unread = await unreadCount(db, who);
  if (unread === 0) return 0;
  const [newest] = await inboxPage(db, who, {}, undefined, 1);
  if (!newest) return 0;
  const marks = collections(db).noticeReadMarks;
  const _id = markIdOf(who);
  try {
    await marks.updateOne({ _id }, { $max: { upTo: newest.at } }, { upsert: true });
  } catch (err) {
    // The same user's other tab inserted it first (FerretDB does not retry the upsert itself).
    if (!isDuplicateKey(err)) throw err;
    await marks.updateOne({ _id }, { $max: { upTo: newest.at } });
  }
  return unread;
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

/** A unit's notices since a time (their id, kind and time): what the delivery sweep looks at. */
export function noticesOfUnitSince(db: Db, unitCode: string, since: Date): Promise<Pick<NoticeDoc, '_id' | 'unitCode' | 'kind' | 'at'>[]> {
  return collections(db).notifications.find({ unitCode, at: { $gte: since } }, { projection: { _id: 1, unitCode: 1, kind: 1, at: 1 } }).toArray();
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

/** A delivery's document id: `<noticeId>:<channel>`. */
export const deliveryDocIdOf = (noticeId: string, channel: ChannelKind): string => `${noticeId}:${channel}`;

/**
 * Marks a notice's delivery through a channel as pending: inserts its document unless it exists (a dispatch
 * repeated after a crash leaves a delivered or failed status as it is).
 */
export async function markDeliveryPending(db: Db, notice: { id: string; unitCode: string }, channel: ChannelKind): Promise<void> {
  const doc: NoticeDeliveryDoc = { _id: deliveryDocIdOf(notice.id, channel), noticeId: notice.id, channel, unitCode: notice.unitCode, status: 'pending', attempts: 0, lastError: null, at: new Date() };
  await insertIgnoringDuplicates(collections(db).noticeDeliveries, [doc]);
}

/**
 * Records one attempt's result on the delivery's own document. A delivered status is final: a late failed
 * attempt (a retry racing a success) never overwrites it.
 */
export async function recordDelivery(db: Db, notice: { id: string; unitCode: string }, channel: ChannelKind, status: DeliveryStatus): Promise<void> {
  const c = collections(db).noticeDeliveries;
  const _id = deliveryDocIdOf(notice.id, channel);
  const fields = { status: status.status, attempts: status.attempts, lastError: status.lastError, at: status.at };
  const r = await c.updateOne({ _id, status: { $ne: 'delivered' } }, { $set: fields });
  // No document yet (a delivery started by hand, or before the fix): insert it; a delivered one stays.
  if (r.matchedCount === 0) await insertIgnoringDuplicates(c, [{ _id, noticeId: notice.id, channel, unitCode: notice.unitCode, ...fields }]);
}

/** One delivery's status, or null. */
export function deliveryOf(db: Db, noticeId: string, channel: ChannelKind): Promise<NoticeDeliveryDoc | null> {
  return collections(db).noticeDeliveries.findOne({ _id: deliveryDocIdOf(noticeId, channel) });
}

/** The deliveries of several notices (an inbox page) in one `$in` query, by notice id. */
export async function deliveriesOf(db: Db, noticeIds: string[]): Promise<Map<string, NoticeDeliveryDoc[]>> {
  const out = new Map<string, NoticeDeliveryDoc[]>();
  if (noticeIds.length === 0) return out;
  for (const d of await collections(db).noticeDeliveries.find({ noticeId: { $in: noticeIds } }).toArray()) {
    const list = out.get(d.noticeId) ?? [];
    list.push(d);
    out.set(d.noticeId, list);
  }
  return out;
}

/** When a notice's delivery first succeeded (the earliest delivered channel), or null. */
export function deliveredAtOf(deliveries: readonly NoticeDeliveryDoc[]): Date | null {
  const times = deliveries.filter((d) => d.status === 'delivered').map((d) => d.at.getTime());
  return times.length > 0 ? new Date(Math.min(...times)) : null;
}

/** Inserts notices (deterministic ids: a repeated insert adds nothing). */
export async function insertNotices(db: Db, docs: NoticeDoc[]): Promise<void> {
  if (docs.length > 0) await insertIgnoringDuplicates(collections(db).notifications, docs);
}
