import { randomBytes } from 'node:crypto';
import type { Db, Filter } from 'mongodb';
import { MIN_AUDIT_RETENTION_DAYS } from '../domain/audit';
import { collections, type AuditDoc } from './collections';

/**
 * The audit record (docs/audit.md): append-only. This module inserts and queries; the only removal is the
 * retention purge, `expireAudit`, which refuses a retention shorter than the legal minimum. Nothing updates
 * a record. Source: 网络安全法 Art. 21(3) (留存相关的网络日志不少于六个月); PIPL Art. 51 (the record of
 * who handled personal data); ours for the fields.
 */


/** What a caller gives to `appendAudit`: the record without its id. */
export type AuditEntry = Omit<AuditDoc, '_id'>;

/** How many times an insert is tried before `appendAudit` gives up, and the pause before each retry (ms). */
const ATTEMPTS = 3;
const BACKOFF_MS = [50, 250];

/**
 * Appends one record, acknowledged by a majority with the journal (on MongoDB; FerretDB writes through to
 * PostgreSQL before it answers), trying ATTEMPTS times: the id is made once, so a retry after a lost
 * acknowledgement finds its own record and counts as written. Returns the id.
 * @throws the last error when every attempt failed (the caller decides what the request then answers).
 */
export async function appendAudit(db: Db, entry: AuditEntry): Promise<string> {
  const doc: AuditDoc = { _id: `${entry.at.toISOString()}~${randomBytes(6).toString('hex')}`, ...entry };
  const audit = collections(db).audit;
  let last: unknown;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, BACKOFF_MS[attempt - 1]));
    try {
      await audit.insertOne(doc, { writeConcern: { w: 'majority', journal: true } });
      return doc._id;
    } catch (err) {
      last = err;
      // A retry after an insert whose acknowledgement was lost: the record is there.
      if ((err as { code?: number }).code === 11000) return doc._id;
    }
  }
  throw last;
}

/** What `GET /v1/audit` filters by; every field optional, all given ones must match. */
export interface AuditQuery {
  user?: string;
  /** Records of users in this unit's subtree. */
  unit?: string;
  case?: string;
  household?: string;
  /** `at` ≥ from. */
  from?: Date;
  /** `at` < to. */
  to?: Date;
  action?: string;
  /** Limits the records to users inside this unit's subtree (the caller's jurisdiction); undefined: all. */
  within?: string;
}

/**
 * Up to `limit` records matching `q`, newest first, after the position `before` (an `_id`; newest first
 * means "older than it"). The caller reads one more than a page to know whether another follows.
 */
export function queryAudit(db: Db, q: AuditQuery, before: string | undefined, limit: number): Promise<AuditDoc[]> {
  const and: Filter<AuditDoc>[] = [];
  if (q.user !== undefined) and.push({ 'user.id': q.user });
  if (q.unit !== undefined) and.push({ 'user.unitPath': q.unit });
  if (q.within !== undefined) and.push({ 'user.unitPath': q.within });
  if (q.case !== undefined) and.push({ caseIds: q.case });
  if (q.household !== undefined) and.push({ householdIds: q.household });
  if (q.action !== undefined) and.push({ action: q.action });
  if (q.from !== undefined || q.to !== undefined) and.push({ at: { ...(q.from ? { $gte: q.from } : {}), ...(q.to ? { $lt: q.to } : {}) } });
  if (before !== undefined) and.push({ _id: { $lt: before } });
  return collections(db)
    .audit.find(and.length ? { $and: and } : {})
    .sort({ _id: -1 })
    .limit(limit)
    .toArray();
}

/** How many records each of these request ids has (a client may send its own x-request-id, so there may be several). */
export async function auditCountsByRequest(db: Db, requestIds: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const unique = [...new Set(requestIds)];
  for (let i = 0; i < unique.length; i += 500) {
    const docs = await collections(db)
      .audit.find({ requestId: { $in: unique.slice(i, i + 500) } }, { projection: { requestId: 1 } })
      .toArray();
    for (const d of docs) counts.set(d.requestId, (counts.get(d.requestId) ?? 0) + 1);
  }
  return counts;
}

/**
 * The retention purge: removes records older than `retentionDays` before `now`, the only removal there is
 * (FerretDB has no TTL index, so the API runs this once at start and daily; docs/audit.md). Returns how many
 * were removed. @throws when `retentionDays` is below MIN_AUDIT_RETENTION_DAYS: no caller can shorten the
 * legal minimum, whatever it was configured with.
 */
export async function expireAudit(db: Db, retentionDays: number, now: Date = new Date()): Promise<number> {
  if (!(retentionDays >= MIN_AUDIT_RETENTION_DAYS)) throw new Error(`audit retention of ${retentionDays} days is below the minimum of ${MIN_AUDIT_RETENTION_DAYS} (网络安全法 Art. 21(3))`);
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  const result = await collections(db).audit.deleteMany({ at: { $lt: cutoff } });
  return result.deletedCount;
}
