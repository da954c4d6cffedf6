import type { Db } from 'mongodb';
import { localMonth } from '../domain/china-time';
import { openDeadlineKinds } from '../domain/projection';
import { collections, type ChannelKind, type DeliveryStatus } from './collections';
import { claimRegisteredIdNumbers } from './households';
import { insertIgnoringDuplicates, isDuplicateKey, upsertIfNewer } from './mongo';
import { rekeyReadModel } from './rekey';

/**
 * One-time changes to data already in the read model, each run once per database and recorded in
 * `migrations` by id. Run by the worker at start-up (the worker is the read model's writer); each is
 * idempotent, so a crash half-way is finished by the next start.
 */
interface Migration {
  id: string;
  /** What it changes and why, for whoever reads `migrations`. */
  description: string;
  run(db: Db): Promise<number>;
}

export const MIGRATIONS: Migration[] = [
  {
    id: '2026-11-deadlines-due-month',
    description: 'deadlines.dueMonth (Asia/Shanghai month of dueAt): the stats read a period month by month through {orgPath, dueMonth}',
    async run(db) {
      const deadlines = collections(db).deadlines;
      let changed = 0;
      for await (const d of deadlines.find({ dueMonth: { $exists: false } }, { projection: { dueAt: 1 } })) {
        await deadlines.updateOne({ _id: d._id }, { $set: { dueMonth: localMonth(d.dueAt.getTime()) } });
        changed += 1;
      }
      return changed;
    },
  },
  {
    id: '2026-11-task-rows',
    description: 'due: one small row per open case with a pending deadline, which the task lists read instead of every case',
    async run(db) {
      const { cases, due } = collections(db);
      let changed = 0;
      for await (const c of cases.find({ status: 'open' }, { projection: { kind: 1, level: 1, orgPath: 1, dueAt: 1, version: 1 } })) {
        if (!c.dueAt) continue;
        // Only where the projection has not written a newer row meanwhile.
        if (await upsertIfNewer(due, c._id, { kind: c.kind, level: c.level, orgPath: c.orgPath, dueAt: c.dueAt, version: c.version })) changed += 1;
      }
      return changed;
    },
  },
  {
    id: '2026-11-task-rows-due-kinds',
    description: 'due.dueKinds: the kinds of each open case’s open deadlines, by which a task list shows only what the caller may work towards (domain/permissions.ts DEADLINE_ACTIONS)',
    async run(db) {
      const { cases, due } = collections(db);
      let changed = 0;
      for await (const row of due.find({ dueKinds: { $exists: false } }, { projection: { _id: 1, version: 1 } })) {
        const c = await cases.findOne({ _id: row._id }, { projection: { 'view.due': 1, 'view.deadlines': 1 } });
        if (!c?.view) continue;
        // Only where the projection has not rewritten the row meanwhile (it writes dueKinds itself).
        const done = await due.updateOne({ _id: row._id, version: row.version, dueKinds: { $exists: false } }, { $set: { dueKinds: openDeadlineKinds(c.view as Parameters<typeof openDeadlineKinds>[0]) } });
        changed += done.modifiedCount;
      }
      return changed;
    },
  },
  {
    id: '2026-11-pii-at-rest',
    description:
      'ID numbers and phones encrypted at rest (households, report contacts, helper contacts, applications’ department records) with their blind indexes; the unique index moves from headIdNumber to headIdKey',
    async run(db) {
      const counts = await rekeyReadModel(db);
      // The old unique index on the (now encrypted, randomised) head's ID number enforces nothing any more.
      await collections(db).households.dropIndex('headIdNumber_1').catch(() => undefined);
      return counts.households + counts.contacts + counts.helpers + counts.cases;
    },
  },
  {
    id: '2026-11-id-number-claims',
    description: 'id_number_claims: every ID number of every household, head or member, claimed once, so that one person is in one household',
    run: claimRegisteredIdNumbers,
  },
  {
    id: '2026-11-notice-state',
    description:
      'notices’ delivery status and read state move to documents of their own (notice_deliveries, notice_reads): FerretDB v1 updates are read-modify-write, so two writers of one notice could lose one another',
    async run(db) {
      const c = collections(db);
      let changed = 0;
      for await (const n of c.notifications.find({ $or: [{ deliveries: { $exists: true } }, { readBy: { $exists: true } }] })) {
        for (const [channel, d] of Object.entries(n.deliveries ?? {}) as [ChannelKind, DeliveryStatus][]) {
          await insertIgnoringDuplicates(c.noticeDeliveries, [{ _id: `${n._id}:${channel}`, noticeId: n._id, channel, unitCode: n.unitCode, status: d.status, attempts: d.attempts, lastError: d.lastError, at: d.at }]);
        }
        const reads = (n.readBy ?? []).map((userId) => ({ _id: `${n._id}|${n.unitCode}|${userId}`, noticeId: n._id, userId, unitCode: n.unitCode, noticeAt: n.at, at: new Date() }));
        if (reads.length > 0) await insertIgnoringDuplicates(c.noticeReads, reads);
        await c.notifications.updateOne({ _id: n._id }, { $unset: { deliveries: '', readBy: '' } });
        changed += 1;
      }
      return changed;
    },
  },
];

/**
 * Runs every migration not yet recorded in this database, in order.
 * @returns the ids run now and the documents each changed.
 */
export async function migrateReadModel(db: Db): Promise<{ id: string; changed: number }[]> {
  const done = collections(db).migrations;
  const ran: { id: string; changed: number }[] = [];
  for (const m of MIGRATIONS) {
    if (await done.findOne({ _id: m.id }, { projection: { _id: 1 } })) continue;
    const changed = await m.run(db);
    try {
      await done.insertOne({ _id: m.id, description: m.description, changed, at: new Date() });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err; // another worker finished it too
    }
    ran.push({ id: m.id, changed });
  }
  return ran;
}
