import type { AnyBulkWriteOperation, Db } from 'mongodb';
import { openDeadlineKinds, taskKeyOf, type CaseProjection } from '../domain/projection';
import { localMonth } from '../domain/china-time';
import { collections, type BoardRow, type CaseDoc, type DeadlineDoc, type EventDoc, type HouseholdShown, type NoticeDoc } from './collections';
import { bulkWriteIgnoringDuplicates, insertIgnoringDuplicates, isDuplicateKey, upsertIfNewer } from './mongo';
import { piiOf, sealView } from './pii';

/** The id of a case's i-th notice of a version: `<caseId>:<version>:n<i>`. */
export const noticeIdOf = (caseId: string, version: number, i: number): string => `${caseId}:${version}:n${i}`;

/**
 * The documents one case change is stored as, by `_id` (pure; projectCaseInto writes them, the benchmarks
 * bulk-load them): its events, its notices (the outbox), the case document, its changed deadlines, and the
 * small row the board (while overdue) and the task list (while a deadline is pending) read.
 * `household`: undefined leaves the stored one as it is (the case document then has no `household`).
 */
/** An alert's assigned visitor as the case row carries it (issue 14), or nothing. */
function visitorOf(view: Record<string, unknown>): Pick<CaseDoc, 'visitor'> {
  const v = view.visitor as { userId?: unknown; role?: unknown; unitCode?: unknown } | null | undefined;
  return v && typeof v.userId === 'string' ? { visitor: { userId: v.userId, role: String(v.role), unitCode: String(v.unitCode) } } : {};
}

export function readModelDocs(p: CaseProjection, household: HouseholdShown | undefined) {
  const at = (t: number) => new Date(t);
  const base = `${p.caseId}:${p.version}`;
  const events = p.events.map((e, i): EventDoc => ({ _id: `${base}:${i}`, caseId: p.caseId, kind: p.kind, version: p.version, orgPath: p.view.orgPath, type: e.type, at: at(e.at), actor: e.actor ?? null, data: e.data ?? {} }));
  const notices = p.notices.map((n, i): NoticeDoc => ({
    _id: noticeIdOf(p.caseId, p.version, i),
    caseId: p.caseId,
    unitCode: n.unit.code,
    unitName: n.unit.name,
    kind: n.kind,
    message: n.message,
    at: at(p.events[0]?.at ?? Date.now()),
    deliveredAt: null,
    caseKind: p.kind,
    ...(n.userId !== undefined ? { userId: n.userId } : {}),
  }));
  const caseDoc: CaseDoc = {
    _id: p.caseId,
    kind: p.kind,
    status: p.view.status,
    householdId: p.view.householdId,
    ...(household !== undefined || p.view.householdId === null ? { household: household ?? null } : {}),
    level: p.view.level,
    stage: p.view.stage ?? null,
    category: (p.view.category as string | undefined) ?? null,
    unit: p.view.unit,
    unitCode: p.view.unit.code,
    orgPath: p.view.orgPath,
    dueAt: p.view.dueAt ? new Date(p.view.dueAt) : null,
    due: p.view.due,
    overdue: p.view.overdue,
    atRisk: p.view.atRisk,
    rung: p.view.rung,
    escalatedTo: p.view.escalatedTo,
    version: p.version,
    updatedAt: new Date(),
    workflowId: p.workflowId,
    firstRunId: p.firstRunId,
    ...(p.fence !== undefined ? { fence: p.fence } : {}),
    ...visitorOf(p.view),
    view: p.view,
  };
  const deadlines = p.deadlines.map((d): DeadlineDoc => ({
    _id: `${p.caseId}:${d.key}`,
    caseId: p.caseId,
    kind: p.kind,
    deadlineKind: d.kind,
    label: d.label,
    ...ownerOf(p.view, d.ownerRung),
    dueAt: at(d.dueAt),
    dueMonth: localMonth(d.dueAt),
    metAt: d.metAt === null ? null : at(d.metAt),
    endedAt: d.endedAt === null || d.endedAt === undefined ? null : at(d.endedAt),
    outcome: d.outcome,
    escalations: d.escalations,
    version: p.version,
  }));
  // The board's and the task list's small row (BoardRow): only what they filter and sort by; they show the case document.
  const row: BoardRow | null = p.view.dueAt ? { _id: p.caseId, kind: p.kind, level: p.view.level, orgPath: p.view.orgPath, dueAt: new Date(p.view.dueAt), dueKinds: openDeadlineKinds(p.view), version: p.version } : null;
  return { events, notices, caseDoc, deadlines, row, onBoard: p.view.overdue && row !== null, task: taskKeyOf(p.view) };
}

/**
 * Where a deadline is filed: under the unit whose deadline it is — the case's unit, or `ownerRung` rungs
 * above it (the alert's approval: the town), so the figures count it against the unit that had to act and
 * never against a village for its town's delay. A rung above the city stays at the city.
 */
function ownerOf(view: CaseProjection['view'], ownerRung: number | undefined): { orgPath: string[]; unitCode: string } {
  if (!ownerRung) return { orgPath: view.orgPath, unitCode: view.unit.code };
  const orgPath = view.orgPath.slice(0, Math.max(1, view.orgPath.length - ownerRung));
  return { orgPath, unitCode: orgPath.at(-1)! };
}

/**
 * Writes one case change into the read model. Idempotent and order-safe without transactions:
 * events and notices have deterministic ids (a retry inserts nothing twice); the case, its deadlines
 * and its board and task rows are written only if their stored version is older.
 * Events and outbox go first, so a case document at version n always has its events up to n; the case
 * goes before its rows, so a row never points at a case that is not there.
 * Lean: only the deadlines that changed, the board row only while overdue (and one delete when it stops
 * being), the task row only when its due time, level or unit changed, the household read only when the
 * case first shows it (see CaseProjection.previous). A visit costs three or four writes — its event, its
 * case document, the deadline it met, its task row if the next due time changed; a new case five.
 */
export async function projectCaseInto(db: Db, p: CaseProjection): Promise<void> {
  const c = collections(db);
  // The household's name and address ride on the case (the lists show them, masked): read from the
  // register only when the case first shows them — its first projection in this run, or a new household.
  const needsHousehold = p.view.householdId !== null && (p.previous === null || p.previous.householdId !== p.view.householdId);
  const found = needsHousehold ? await c.households.findOne({ _id: p.view.householdId! }, { projection: { headName: 1, address: 1 } }) : undefined;
  const household: HouseholdShown | undefined = found === undefined ? undefined : found && { headName: found.headName, address: found.address };
  const plain = readModelDocs(p, household);
  // Personal data in the view (an application's department records) is sealed at rest (store/pii.ts), on
  // every path that writes the case (the first write and `reproject`).
  const docs = { ...plain, caseDoc: { ...plain.caseDoc, view: sealView(piiOf(db), p.kind, plain.caseDoc.view) } };

  // Something of this version already stored — an event, a notice, a deadline at this version or later, the
  // case itself — means a retry, or a workflow task that ran again after its worker died: `reproject`.
  let seen = false;
  if (docs.events.length > 0) seen = (await insertIgnoringDuplicates(c.events, docs.events)) || seen;
  if (docs.notices.length > 0) seen = (await insertIgnoringDuplicates(c.notifications, docs.notices)) || seen;
  if (docs.deadlines.length > 0) {
    const ops: AnyBulkWriteOperation<DeadlineDoc>[] = docs.deadlines.map(({ _id, ...doc }) => ({
      updateOne: { filter: { _id, version: { $lt: p.version } }, update: { $set: doc }, upsert: true },
    }));
    seen = (await bulkWriteIgnoringDuplicates(c.deadlines, ops)) || seen;
  }
  const { _id: caseId, ...caseDoc } = docs.caseDoc;
  if (!(await upsertIfNewer(c.cases, caseId, caseDoc)) || seen) await reproject(db, p, docs);

  // The board's row exists exactly while the case is overdue. A case that was not overdue at the previous
  // projection of this run, or that is new (version 1: cases start at 0), has no row to delete.
  const nothingStored = p.version === 1;
  if (docs.onBoard) {
    const { _id, ...row } = docs.row!;
    await upsertIfNewer(c.overdue, _id, row);
  } else if (p.previous?.overdue !== false && !nothingStored) {
    await c.overdue.deleteOne({ _id: p.caseId, version: { $lt: p.version } });
  }

  // The task-list row exists exactly while the case is open with a pending deadline; rewritten only when
  // its due time, level, unit or open deadlines' kinds changed.
  if (docs.task !== null && docs.task !== p.previous?.task) {
    const { _id, ...row } = docs.row!;
    await upsertIfNewer(c.due, _id, row);
  } else if (docs.task === null && !nothingStored && (p.previous === null || p.previous.task !== null)) {
    await c.due.deleteOne({ _id: p.caseId, version: { $lt: p.version } });
  }
}

/**
 * The same version projected again, possibly with other content: the case document already holds this
 * version (or a later one), or some of its events, notices or deadlines were already stored (a dead attempt
 * that wrote them and died before the case document). Either a retry of this projection (the same content: rewriting it changes
 * nothing), or a workflow task that ran again after the worker running it died. The projection is a local
 * activity inside the workflow task: the dead attempt wrote its versions into the read model, its task
 * never completed, and the next attempt computes them again at its own time — another `at` on the events,
 * another `metAt` on a deadline, perhaps the changes in another order (an activation takes updates before
 * timers) and so under other versions. Only the attempt that completes is the workflow's.
 * `fence` (CaseProjection) orders tasks: when this projection's task is newer than the one that wrote the
 * stored case, what is stored at this version and above is the dead attempt's and is replaced — this
 * version's events and notices replaced, later versions' deleted (the new attempt writes them again), the
 * case, the deadlines sent and the rows overwritten, deadlines left at a later version brought back to this
 * one so the new attempt's later projections can write them. From the same task (a retry) this version is
 * rewritten where it is stored at this version or older; from an older task (a write that outlived its
 * attempt on a live worker) nothing more — its events and deadlines went first, by version, as before. Rare (a worker's death mid-task), so it costs what it costs. Found by `npm run chaos`
 * (docs/chaos.md). Source: ours.
 */
async function reproject(db: Db, p: CaseProjection, docs: ReturnType<typeof readModelDocs>): Promise<void> {
  const c = collections(db);
  const stored = await c.cases.findOne({ _id: p.caseId }, { projection: { version: 1, fence: 1 } });
  const known = p.fence !== undefined && stored?.fence !== undefined;
  if (known && p.fence! < stored!.fence!) return;
  const newerTask = known && p.fence! > stored!.fence!;
  const eventIds = docs.events.map((e) => e._id);
  if (docs.events.length > 0) {
    await c.events.bulkWrite(docs.events.map((e) => ({ replaceOne: { filter: { _id: e._id }, replacement: e, upsert: true } })), { ordered: false });
  }
  await c.events.deleteMany({ caseId: p.caseId, version: newerTask ? { $gte: p.version } : p.version, _id: { $nin: eventIds } });
  // Notices carry their version in their id only (<case>:<version>:n<i>); a delivered notice keeps deliveredAt.
  const noticeIds = new Set(docs.notices.map((n) => n._id));
  const versionOf = (id: string) => Number(/:(\d+):n\d+$/.exec(id)?.[1]);
  const stale = (await c.notifications.find({ caseId: p.caseId }, { projection: { _id: 1 } }).toArray())
    .map((n) => n._id)
    .filter((id) => !noticeIds.has(id) && (newerTask ? versionOf(id) >= p.version : versionOf(id) === p.version));
  if (stale.length > 0) await c.notifications.deleteMany({ _id: { $in: stale } });
  if (docs.notices.length > 0) {
    await c.notifications.bulkWrite(
      docs.notices.map(({ _id, deliveredAt, ...n }) => ({ updateOne: { filter: { _id }, update: { $set: n, $setOnInsert: { deliveredAt } }, upsert: true } })),
      { ordered: false },
    );
  }
  const atMost = newerTask ? {} : { version: { $lte: p.version } };
  if (newerTask) await c.deadlines.updateMany({ caseId: p.caseId, version: { $gt: p.version } }, { $set: { version: p.version } });
  if (docs.deadlines.length > 0) {
    await bulkWriteIgnoringDuplicates(
      c.deadlines,
      docs.deadlines.map(({ _id, ...doc }) => ({ updateOne: { filter: { _id, ...atMost }, update: { $set: doc }, upsert: true } })),
    );
  }
  const { _id: caseId, ...caseDoc } = docs.caseDoc;
  await c.cases.updateOne({ _id: caseId, ...atMost }, { $set: caseDoc });
  for (const [rows, keep] of [[c.overdue, docs.onBoard], [c.due, docs.task !== null]] as const) {
    if (keep) {
      const { _id, ...row } = docs.row!;
      try {
        await rows.updateOne({ _id, ...atMost }, { $set: row }, { upsert: true });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    } else await rows.deleteOne({ _id: p.caseId, ...atMost });
  }
}
