import type { Db, Filter } from 'mongodb';
import type { CaseKind } from '../domain/projection';
import { collections, type BoardRow, type CaseDoc, type CaseListDoc, type EventDoc } from './collections';
import { pageById } from './mongo';
import { openView, piiOf } from './pii';

/**
 * Reading the case read model (`cases`, the small `overdue` and `due` rows, `events`), which only the
 * projection writes (store/projection.ts). Lists return up to `limit` documents in a stable order after a
 * keyset position; the caller asks for one more than a page to know whether another follows.
 */

/** A position in due order: the last row shown, by due time and then id. */
export interface DuePosition {
  dueAt: Date;
  id: string;
}

/** One case by id, with its view (typed by the caller's kind), or null; with `kind`, null for a case of another kind. */
export async function findCase<V = Record<string, unknown>>(db: Db, id: string, kind?: CaseKind): Promise<CaseDoc<V> | null> {
  const doc = await collections(db).cases.findOne({ _id: id, ...(kind ? { kind } : {}) });
  return doc && ({ ...doc, view: openView(piiOf(db), doc.kind, doc.view) } as CaseDoc<V>);
}

/** The case documents (without their views) of the given ids, by id: one index lookup each on every backend. */
export async function findCaseListDocs(db: Db, ids: string[]): Promise<Map<string, CaseListDoc>> {
  const docs = await Promise.all(ids.map((_id) => collections(db).cases.findOne({ _id }, { projection: { view: 0 } })));
  return new Map(docs.filter((d): d is CaseDoc => d !== null).map((d) => [d._id, d]));
}

/** The id of a household's open application in a category, or null. */
export async function openApplicationOf(db: Db, householdId: string, category: string): Promise<string | null> {
  const open = await collections(db).cases.findOne({ householdId, kind: 'application', status: 'open', category }, { projection: { _id: 1 } });
  return open?._id ?? null;
}

/** A household's open case of a kind (without its view), or null: e.g. the alert a new report on the household lands on. */
export async function openCaseOf(db: Db, householdId: string, kind: CaseKind): Promise<CaseListDoc | null> {
  return collections(db).cases.findOne({ householdId, kind, status: 'open' }, { projection: { view: 0 } });
}

/** The condition for what comes after a due-order position (due time, then id). */
function afterDue(after: DuePosition): [{ dueAt: { $gt: Date } }, { dueAt: Date; _id: { $gt: string } }] {
  return [{ dueAt: { $gt: after.dueAt } }, { dueAt: after.dueAt, _id: { $gt: after.id } }];
}

/**
 * Rows of the supervisors' board (`overdue`: cases overdue now) or of a task list (`due`: open cases with a
 * pending deadline) in a unit's subtree, soonest due first. Read by `orgPath` equality, which FerretDB
 * answers from an index (docs/read-model.md). `dueKinds`: only rows with an open deadline of one of these
 * kinds (a task list narrowed to what the caller may work towards; BoardRow.dueKinds).
 */
export async function boardRows(
  db: Db,
  board: 'overdue' | 'due',
  q: { org: string; kind?: CaseKind; level?: string; dueKinds?: readonly string[]; after?: DuePosition; limit: number },
): Promise<BoardRow[]> {
  const filter: Filter<BoardRow> = { orgPath: q.org, ...(q.kind ? { kind: q.kind } : {}), ...(q.level ? { level: q.level } : {}), ...(q.dueKinds ? { dueKinds: { $in: [...q.dueKinds] } } : {}) };
  if (q.after) filter.$or = afterDue(q.after);
  return collections(db)[board].find(filter).sort({ dueAt: 1, _id: 1 }).limit(q.limit).toArray();
}

/**
 * Cases (without their views) in a unit's subtree with a status, by id or — `order: 'due'` — those with a
 * due time, soonest first. `notOverdue` keeps only cases not overdue as last projected.
 */
export async function listCases(
  db: Db,
  q: { org: string; status: 'open' | 'closed'; kind?: CaseKind; level?: string; notOverdue?: boolean; householdId?: string; stage?: string; limit: number } & ({ order: 'id'; after?: string } | { order: 'due'; after?: DuePosition }),
): Promise<CaseListDoc[]> {
  const filter: Filter<CaseDoc> = { orgPath: q.org, status: q.status };
  if (q.kind) filter.kind = q.kind;
  if (q.level) filter.level = q.level;
  if (q.notOverdue) filter.overdue = false;
  if (q.householdId) filter.householdId = q.householdId;
  if (q.stage) filter.stage = q.stage;
  const cases = collections(db).cases;
  if (q.order === 'due') {
    filter.dueAt = { $ne: null };
    if (q.after) filter.$or = afterDue(q.after);
    return cases.find(filter, { projection: { view: 0 } }).sort({ dueAt: 1, _id: 1 }).limit(q.limit).toArray();
  }
  return pageById(cases, filter, q.after, q.limit, { projection: { view: 0 } });
}

/** A case's audit trail, in order (version, then position in the change). */
export async function eventsOfCase(db: Db, caseId: string): Promise<EventDoc[]> {
  return collections(db).events.find({ caseId }).sort({ version: 1, _id: 1 }).toArray();
}

/** The events of several cases (a case's supervision orders, for its timeline), oldest first. One query by `caseId` (indexed). */
export async function eventsOfCases(db: Db, caseIds: readonly string[]): Promise<EventDoc[]> {
  if (caseIds.length === 0) return [];
  return collections(db).events.find({ caseId: { $in: [...caseIds] } }).sort({ at: 1, _id: 1 }).toArray();
}

/**
 * The open alerts in a unit's subtree with a request awaiting the town's decision (issue 12: the supervisor's
 * approval queue), oldest request first, at most `limit`. Reads by `orgPath` and status (indexed), then the
 * view's pending request.
 */
export async function pendingApprovals(db: Db, org: string, limit: number): Promise<CaseDoc[]> {
  const docs = await collections(db)
    .cases.find({ orgPath: org, status: 'open', kind: 'alert', 'view.pendingRequest.id': { $exists: true } } as Filter<CaseDoc>)
    .limit(limit)
    .toArray();
  const opened = docs.map((doc) => ({ ...doc, view: openView(piiOf(db), doc.kind, doc.view) }) as CaseDoc);
  const at = (d: CaseDoc) => String((d.view as { pendingRequest?: { at?: string } }).pendingRequest?.at ?? '');
  return opened.sort((a, b) => at(a).localeCompare(at(b)) || a._id.localeCompare(b._id));
}

/**
 * A page of one kind's cases in a unit's subtree at one stage (`cases.stage`, as the projection stores the
 * view's stage), with their views: `order: 'due'` soonest due first — the overdue ones lead — reading only
 * cases with a due time; `order: 'id'` by id (a stage whose cases have no deadline, e.g. closed). Read by
 * `orgPath` equality (indexed on both backends; store/indexes.ts). Used by `GET /v1/wishes`, `GET /v1/reports`.
 */
export async function casesAtStage(
  db: Db,
  q: { org: string; kind: CaseKind; stage: string; limit: number } & ({ order: 'id'; after?: string } | { order: 'due'; after?: DuePosition }),
): Promise<CaseDoc[]> {
  const filter: Filter<CaseDoc> = { orgPath: q.org, kind: q.kind, stage: q.stage };
  const cases = collections(db).cases;
  let docs: CaseDoc[];
  if (q.order === 'due') {
    filter.dueAt = { $ne: null };
    if (q.after) filter.$or = afterDue(q.after);
    docs = await cases.find(filter).sort({ dueAt: 1, _id: 1 }).limit(q.limit).toArray();
  } else docs = await pageById(cases, filter, q.after, q.limit);
  return docs.map((doc) => ({ ...doc, view: openView(piiOf(db), doc.kind, doc.view) }) as CaseDoc);
}
