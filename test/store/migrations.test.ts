import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { MIGRATIONS, migrateReadModel } from '../../store/migrations';
import { COLLECTIONS } from '../../store/collections';
import { connectMongo } from '../../store/mongo';
import { seedOrgUnits, weihaiOrgUnits } from '../../store/seed';
import { insecureDevPiiKeys } from '../../config';
import { piiKeyring } from '../../store/pii';

describe('read-model migrations', () => {
  let mongo: Awaited<ReturnType<typeof connectMongo>>;
  beforeAll(async () => {
    mongo = await connectMongo(inject('mongoUri'), `t_migrations_${randomBytes(3).toString('hex')}`, piiKeyring(insecureDevPiiKeys()));
  });
  afterAll(async () => {
    await mongo.db.dropDatabase().catch(() => undefined);
    await mongo.client.close();
  });

  it('gives deadlines written before dueMonth existed their Asia/Shanghai month, once', async () => {
    const deadlines = mongo.db.collection<{ _id: string; dueAt: Date; dueMonth?: string }>(COLLECTIONS.deadlines);
    await deadlines.insertMany([
      // 2026-11-30T16:30Z is already 1 December in Beijing.
      { _id: 'a:d0', dueAt: new Date('2026-11-30T16:30:00Z') },
      { _id: 'b:d0', dueAt: new Date('2026-11-30T15:30:00Z') },
      { _id: 'c:d0', dueAt: new Date('2026-05-01T00:00:00Z'), dueMonth: '2026-05' },
    ]);
    expect(await migrateReadModel(mongo.db)).toContainEqual({ id: '2026-11-deadlines-due-month', changed: 2 });
    const months = Object.fromEntries((await deadlines.find().toArray()).map((d) => [d._id, d.dueMonth]));
    expect(months).toEqual({ 'a:d0': '2026-12', 'b:d0': '2026-11', 'c:d0': '2026-05' });
    expect(await mongo.db.collection(COLLECTIONS.migrations).countDocuments()).toBe(MIGRATIONS.length);
    // Recorded: a second start runs nothing, even for a document that lacks the field.
    await deadlines.insertOne({ _id: 'd:d0', dueAt: new Date('2026-01-01T00:00:00Z') });
    expect(await migrateReadModel(mongo.db)).toEqual([]);
  });

  it('writes a task-list row for every open case with a pending deadline, keeping rows the projection wrote', async () => {
    const db = mongo.db;
    await db.collection(COLLECTIONS.migrations).deleteOne({ _id: '2026-11-task-rows' as never });
    const orgPath = ['371000', '371002', '371002001', '371002001001'];
    await db.collection(COLLECTIONS.cases).insertMany([
      { _id: 'open-due' as never, kind: 'alert', status: 'open', level: 'red', orgPath, dueAt: new Date('2026-12-01T00:00:00Z'), version: 3, view: {} },
      { _id: 'open-none' as never, kind: 'alert', status: 'open', level: 'red', orgPath, dueAt: null, version: 3, view: {} },
      { _id: 'closed' as never, kind: 'alert', status: 'closed', level: 'red', orgPath, dueAt: null, version: 5, view: {} },
      { _id: 'newer-row' as never, kind: 'wish', status: 'open', level: null, orgPath, dueAt: new Date('2026-12-02T00:00:00Z'), version: 2, view: {} },
    ]);
    await db.collection(COLLECTIONS.due).insertOne({ _id: 'newer-row' as never, kind: 'wish', level: null, orgPath, dueAt: new Date('2026-12-09T00:00:00Z'), version: 4 });
    expect(await migrateReadModel(db)).toEqual([{ id: '2026-11-task-rows', changed: 1 }]);
    const rows = Object.fromEntries((await db.collection(COLLECTIONS.due).find().toArray()).map((r) => [r._id, r]));
    expect(Object.keys(rows).sort()).toEqual(['newer-row', 'open-due']);
    expect(rows['open-due']).toMatchObject({ kind: 'alert', level: 'red', orgPath, dueAt: new Date('2026-12-01T00:00:00Z'), version: 3 });
    expect(rows['newer-row']).toMatchObject({ dueAt: new Date('2026-12-09T00:00:00Z'), version: 4 });
  });

  it('gives task-list rows the kinds of their case’s open deadlines (every track), keeping rows the projection wrote', async () => {
    const db = mongo.db;
    await db.collection(COLLECTIONS.migrations).deleteOne({ _id: '2026-11-task-rows-due-kinds' as never });
    const orgPath = ['371000', '371002', '371002001', '371002001001'];
    const dueAt = new Date('2026-12-03T00:00:00Z');
    const deadlines = [
      { kind: 'alert.orange', metAt: null, endedAt: null },
      { kind: 'alert.approval', metAt: null, endedAt: null },
      { kind: 'alert.red', metAt: '2026-11-01T00:00:00.000Z', endedAt: null },
    ];
    await db.collection(COLLECTIONS.cases).insertMany([
      { _id: 'kinds-old' as never, kind: 'alert', status: 'open', level: 'orange', orgPath, dueAt, version: 7, view: { due: { kind: 'alert.approval' }, deadlines } },
      { _id: 'kinds-new' as never, kind: 'wish', status: 'open', level: null, orgPath, dueAt, version: 2, view: { due: { kind: 'wish.screening' }, deadlines: [{ kind: 'wish.screening', metAt: null, endedAt: null }] } },
    ]);
    await db.collection(COLLECTIONS.due).insertMany([
      { _id: 'kinds-old' as never, kind: 'alert', level: 'orange', orgPath, dueAt, version: 7 },
      { _id: 'kinds-new' as never, kind: 'wish', level: null, orgPath, dueAt, dueKinds: ['wish.claim'], version: 3 },
    ]);
    // kinds-old, and the two rows the test above wrote without kinds (their cases' views have none: no kind).
    expect(await migrateReadModel(db)).toEqual([{ id: '2026-11-task-rows-due-kinds', changed: 3 }]);
    const kinds = Object.fromEntries((await db.collection(COLLECTIONS.due).find({ _id: { $in: ['kinds-old', 'kinds-new'] as never[] } }).toArray()).map((r) => [r._id, r.dueKinds]));
    expect(kinds).toEqual({ 'kinds-old': ['alert.approval', 'alert.orange'], 'kinds-new': ['wish.claim'] });
  });

  it('moves notices’ delivery status and read state to their own documents, keeping what a delivery wrote since', async () => {
    const db = mongo.db;
    await db.collection(COLLECTIONS.migrations).deleteOne({ _id: '2026-11-notice-state' as never });
    const at = new Date('2026-11-20T00:00:00Z');
    const base = { caseId: 'c1', unitCode: '371002001001', unitName: '海港社区', kind: 'opened', message: 'm', at, deliveredAt: at };
    await db.collection(COLLECTIONS.notifications).insertMany([
      { _id: 'c1:1:n0' as never, ...base, readBy: ['u1', 'u2'], deliveries: { webhook: { status: 'delivered', attempts: 1, lastError: null, at }, sms: { status: 'pending', attempts: 2, lastError: 'x', at } } },
      { _id: 'c1:1:n1' as never, ...base },
    ]);
    // A delivery that wrote its own document after the fix: kept.
    await db.collection(COLLECTIONS.noticeDeliveries).insertOne({ _id: 'c1:1:n0:sms' as never, noticeId: 'c1:1:n0', channel: 'sms', unitCode: base.unitCode, status: 'delivered', attempts: 3, lastError: null, at });
    expect(await migrateReadModel(db)).toEqual([{ id: '2026-11-notice-state', changed: 1 }]);
    const deliveries = Object.fromEntries((await db.collection(COLLECTIONS.noticeDeliveries).find().toArray()).map((d) => [d._id, [d.status, d.attempts]]));
    expect(deliveries).toEqual({ 'c1:1:n0:webhook': ['delivered', 1], 'c1:1:n0:sms': ['delivered', 3] });
    expect((await db.collection(COLLECTIONS.noticeReads).find().toArray()).map((r) => [r._id, r.userId, r.noticeAt]).sort()).toEqual([
      ['c1:1:n0|371002001001|u1', 'u1', at],
      ['c1:1:n0|371002001001|u2', 'u2', at],
    ]);
    const moved = await db.collection(COLLECTIONS.notifications).findOne({ _id: 'c1:1:n0' as never });
    expect(moved).not.toHaveProperty('readBy');
    expect(moved).not.toHaveProperty('deliveries');
  });
});

describe('seeding an org tree that is already there', () => {
  it('finishes: a second seed re-writes every unit without exhausting FerretDB’s connections', async () => {
    const mongo = await connectMongo(inject('mongoUri'), `t_reseed_${randomBytes(3).toString('hex')}`, piiKeyring(insecureDevPiiKeys()));
    try {
      // More units than FerretDB's default pool of 50 connections: each matched statement of one bulk
      // update command holds a connection until the command ends (store/mongo.ts).
      const units = weihaiOrgUnits();
      expect(units.length).toBeGreaterThan(50);
      await seedOrgUnits(mongo.db, units);
      const again = await Promise.race([seedOrgUnits(mongo.db, units), new Promise((r) => setTimeout(() => r('hung'), 20_000))]);
      expect(again).toBe(units.length);
      expect(await mongo.db.collection('org_units').countDocuments()).toBe(units.length);
    } finally {
      await mongo.db.dropDatabase().catch(() => undefined);
      await mongo.client.close();
    }
  }, 60_000);
});
