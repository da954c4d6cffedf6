import type { Db } from 'mongodb';
import type { Notice } from '../domain/case';
import { collections, type NoticeDoc, type SupervisionRecordDoc, type UnitFigures } from './collections';
import { deadlinesDueIn } from './deadlines';
import { insertIgnoringDuplicates } from './mongo';
import { countStanding, emptyOnTime, standingOf } from '../domain/on-time';

/**
 * Summons (约谈) and circulars (通报) as append-only records (`supervision_records`), the notices they put
 * in the named units' inboxes (`notifications`), and the unit figures they record. Source: seed 四(二)
 * 约谈、通报; the shapes are ours (issue 12).
 */

/**
 * A unit's figures at `asOf` from the deadlines of its subtree due in [from, to), each counted by its
 * standing at `asOf` (domain/on-time.ts, as the assessment counts them): how many came due (met, late, open
 * past due, ended past due unmet, or ended early without handling — a quiet lowering counts even while its
 * due time is still ahead; open and not yet due, and superseded before due, do not), met on time, met late,
 * ended without handling, still open past their due time, ended past due unmet, and the escalations they
 * caused. A snapshot: the record keeps the numbers as they stood. Source: ours (the yearly assessment
 * computes the full set; this is the part a summons or circular quotes).
 */
export async function unitFigures(db: Db, unit: { code: string; name: string }, from: Date, to: Date, asOf: Date): Promise<UnitFigures> {
  const rows = to > from ? await deadlinesDueIn(db, unit.code, from, to, ['outcome', 'metAt', 'escalations', 'dueAt']) : [];
  // Counted by the one on-time rule (domain/on-time.ts): `not_due` never came due; `unhandled` did.
  const counts = emptyOnTime();
  let escalations = 0;
  for (const r of rows) {
    const standing = standingOf({ outcome: r.outcome, dueAt: r.dueAt.getTime(), metAt: r.metAt?.getTime() ?? null }, asOf.getTime());
    countStanding(counts, standing);
    if (standing !== 'not_due') escalations += r.escalations ?? 0;
  }
  return {
    unitCode: unit.code,
    unitName: unit.name,
    from: from.toISOString(),
    to: to.toISOString(),
    due: counts.due,
    onTime: counts.onTime,
    late: counts.late - counts.overdueOpen - counts.overdueClosed,
    unhandled: counts.unhandled,
    openOverdue: counts.overdueOpen,
    overdueClosed: counts.overdueClosed,
    escalations,
    asOf: asOf.toISOString(),
  };
}

/** One record by id, or null. */
export function findSupervisionRecord(db: Db, id: string): Promise<SupervisionRecordDoc | null> {
  return collections(db).supervisionRecords.findOne({ _id: id });
}

/**
 * Stores a record once: a second insert of the same id (a retried request with the same key) leaves the
 * first. Returns the stored record (the first one's when it already existed).
 */
export async function recordSupervision(db: Db, doc: SupervisionRecordDoc): Promise<SupervisionRecordDoc> {
  await insertIgnoringDuplicates(collections(db).supervisionRecords, [doc]);
  return (await findSupervisionRecord(db, doc._id))!;
}

/**
 * Records of a kind naming a unit in `org`'s subtree (or the unit itself), newest first by id within
 * the keyset (`after`: the last id shown); at most `limit`.
 */
export function supervisionRecordsIn(db: Db, q: { kind: SupervisionRecordDoc['kind']; org: string; after?: string; limit: number }): Promise<SupervisionRecordDoc[]> {
  return collections(db)
    .supervisionRecords.find({ kind: q.kind, orgPaths: q.org, ...(q.after ? { _id: { $gt: q.after } } : {}) })
    .sort({ _id: 1 })
    .limit(q.limit)
    .toArray();
}

/**
 * Puts a record's notices in the outbox (`notifications`), one per named unit, with ids
 * `<recordId>:0:n<i>` (the case id being the record's id, the case kind the record's — `summons` or
 * `circular` — so the inbox links the record): a retry inserts nothing twice.
 * @returns each notice's id and unit, for the caller to start their deliveries (activities/notify.ts dispatchNotices).
 */
export async function publishSupervisionNotices(db: Db, recordId: string, notices: Notice[], at: Date): Promise<{ id: string; unitCode: string }[]> {
  const docs = notices.map((n, i): NoticeDoc => ({ _id: `${recordId}:0:n${i}`, caseId: recordId, caseKind: n.kind, unitCode: n.unit.code, unitName: n.unit.name, kind: n.kind, message: n.message, at, deliveredAt: null }));
  if (docs.length > 0) await insertIgnoringDuplicates(collections(db).notifications, docs);
  return docs.map((d) => ({ id: d._id, unitCode: d.unitCode }));
}
