import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { CaseProjection } from '../../domain/projection';
import { COLLECTIONS } from '../../store/collections';
import { connectMongo } from '../../store/mongo';
import { piiKeyring } from '../../store/pii';
import { insecureDevPiiKeys } from '../../config';
import { projectCaseInto, readModelDocs } from '../../store/projection';

/**
 * A workflow task that runs again after its worker died projects the same version a second time with
 * other content (its own time). The read model must end with the attempt that completed — the last —
 * not keep the dead attempt's (found by `npm run chaos`, docs/chaos.md).
 */
const unit = { code: '371002001001', name: '海港社区' };
const orgPath = ['371000', '371002', '371002001', '371002001001'];

function projection(version: number, at: number, opts: { extraEvent?: boolean; metAt?: number | null; overdue?: boolean; fence?: string; caseId?: string; deadlines?: boolean } = {}): CaseProjection {
  const caseId = opts.caseId ?? 'report-chaos-1';
  const dueAt = Date.parse('2026-12-03T16:00:00Z');
  return {
    caseId,
    kind: 'report',
    workflowId: caseId,
    firstRunId: 'run-1',
    version,
    ...(opts.fence ? { fence: opts.fence } : {}),
    view: {
      caseId,
      kind: 'report',
      status: 'open',
      householdId: null,
      level: null,
      unit,
      orgPath,
      dueAt: new Date(dueAt).toISOString(),
      due: { key: 'answer#1' },
      overdue: opts.overdue ?? false,
      atRisk: false,
      rung: 0,
      escalatedTo: null,
      at,
    } as unknown as CaseProjection['view'],
    events: [
      { type: 'acknowledged', at, data: { note: `at ${at}` } },
      ...(opts.extraEvent ? [{ type: 'at_risk', at, data: {} }] : []),
    ],
    notices: opts.extraEvent ? [{ unit, kind: 'at_risk', message: `at ${at}` }] : [],
    deadlines: opts.deadlines === false ? [] : [{ key: 'acknowledgement#1', kind: 'report.acknowledge', label: '受理', dueAt, metAt: opts.metAt ?? at, outcome: 'on_time', escalations: 0 }],
    previous: version === 1 ? null : { overdue: false, householdId: null, task: null },
  } as CaseProjection;
}

describe('the projection of a version written twice', () => {
  let mongo: Awaited<ReturnType<typeof connectMongo>>;
  beforeAll(async () => {
    mongo = await connectMongo(inject('mongoUri'), `t_projection_${randomBytes(3).toString('hex')}`, piiKeyring(insecureDevPiiKeys()));
  });
  afterAll(async () => {
    await mongo.db.dropDatabase().catch(() => undefined);
    await mongo.client.close();
  });

  it('keeps the last attempt: its events, notices, deadline and case document, none of the dead attempt', async () => {
    const db = mongo.db;
    const first = Date.parse('2026-11-29T19:47:27.247Z');
    const second = Date.parse('2026-11-29T19:47:37.264Z');
    await projectCaseInto(db, projection(1, first - 5000));
    // The dead attempt: version 2 at 27.247 with an at-risk event and its notice.
    await projectCaseInto(db, projection(2, first, { extraEvent: true, overdue: true }));
    // The attempt that completed: version 2 at 37.264, no at-risk event.
    await projectCaseInto(db, projection(2, second));

    const events = await db.collection(COLLECTIONS.events).find({ caseId: 'report-chaos-1', version: 2 }).toArray();
    expect(events.map((e) => [e._id, e.type, (e.at as Date).toISOString()])).toEqual([['report-chaos-1:2:0', 'acknowledged', '2026-11-29T19:47:37.264Z']]);
    expect(await db.collection(COLLECTIONS.notifications).countDocuments({ caseId: 'report-chaos-1' })).toBe(0);
    const deadline = await db.collection(COLLECTIONS.deadlines).findOne({ _id: 'report-chaos-1:acknowledgement#1' as never });
    expect((deadline?.metAt as Date).toISOString()).toBe('2026-11-29T19:47:37.264Z');
    const doc = await db.collection(COLLECTIONS.cases).findOne({ _id: 'report-chaos-1' as never });
    expect(doc).toMatchObject({ version: 2, overdue: false, view: { at: second } });
    expect(await db.collection(COLLECTIONS.overdue).countDocuments({ _id: 'report-chaos-1' as never })).toBe(0);

    // A plain retry (same content) changes nothing; an older version changes nothing either.
    await projectCaseInto(db, projection(2, second));
    await projectCaseInto(db, projection(1, first - 5000));
    expect(await db.collection(COLLECTIONS.events).countDocuments({ caseId: 'report-chaos-1' })).toBe(2);
    expect((await db.collection(COLLECTIONS.cases).findOne({ _id: 'report-chaos-1' as never }))?.version).toBe(2);
    const again = await db.collection(COLLECTIONS.deadlines).findOne({ _id: 'report-chaos-1:acknowledgement#1' as never });
    expect((again?.metAt as Date).toISOString()).toBe('2026-11-29T19:47:37.264Z');
  });

  it('a newer task wins over a dead attempt that gave the same change a later version; an older task does not take the case back', async () => {
    const db = mongo.db;
    const caseId = 'report-chaos-2';
    const [dead, live, older] = ['000001795980000000:0000000020', '000001795980000000:0000000026', '000001795980000000:0000000010'];
    const t1 = Date.parse('2026-11-29T20:07:44.444Z');
    const t2 = Date.parse('2026-11-29T20:07:54.446Z');
    await projectCaseInto(db, projection(1, t1 - 9000, { caseId, fence: '000001795980000000:0000000005', deadlines: false }));
    // The dead attempt: version 2 an at-risk change, version 3 the deadline met at t1.
    await projectCaseInto(db, projection(2, t1, { caseId, fence: dead, extraEvent: true, deadlines: false }));
    await projectCaseInto(db, projection(3, t1, { caseId, fence: dead }));
    // The attempt that completes takes the update first: the deadline met at t2, in version 2.
    await projectCaseInto(db, projection(2, t2, { caseId, fence: live }));
    const deadline = await db.collection(COLLECTIONS.deadlines).findOne({ _id: `${caseId}:acknowledgement#1` as never });
    expect({ metAt: (deadline?.metAt as Date).toISOString(), version: deadline?.version }).toEqual({ metAt: '2026-11-29T20:07:54.446Z', version: 2 });
    expect((await db.collection(COLLECTIONS.events).find({ caseId }).toArray()).map((e) => e._id).sort()).toEqual([`${caseId}:1:0`, `${caseId}:2:0`]);
    expect(await db.collection(COLLECTIONS.notifications).countDocuments({ caseId })).toBe(0);
    expect(await db.collection(COLLECTIONS.cases).findOne({ _id: caseId as never })).toMatchObject({ version: 2, fence: live });
    // Its next change is version 3 again, written as usual.
    await projectCaseInto(db, projection(3, t2 + 1000, { caseId, fence: live, deadlines: false }));
    expect(await db.collection(COLLECTIONS.cases).findOne({ _id: caseId as never })).toMatchObject({ version: 3, view: { at: t2 + 1000 } });
    // A write that outlived an older task's attempt does not take the case document back.
    await projectCaseInto(db, projection(3, t1, { caseId, fence: older }));
    expect(await db.collection(COLLECTIONS.cases).findOne({ _id: caseId as never })).toMatchObject({ version: 3, view: { at: t2 + 1000 } });
  });

  it('a dead attempt that wrote its events and deadline but not the case document leaves nothing of its own', async () => {
    const db = mongo.db;
    const caseId = 'report-chaos-3';
    const t1 = Date.parse('2026-11-29T20:19:13.751Z');
    const t2 = Date.parse('2026-11-29T20:19:23.754Z');
    const fence = '000001795980000000:0000000005';
    await projectCaseInto(db, projection(1, t1 - 9000, { caseId, fence, deadlines: false }));
    // The dead attempt got as far as the events and the deadline (the worker died before the case document).
    const dead = readModelDocs(projection(2, t1, { caseId, fence: '000001795980000000:0000000011', extraEvent: true }), undefined);
    await db.collection(COLLECTIONS.events).insertMany(dead.events as never[]);
    await db.collection(COLLECTIONS.deadlines).insertMany(dead.deadlines as never[]);
    await projectCaseInto(db, projection(2, t2, { caseId, fence: '000001795980000000:0000000014' }));
    const events = await db.collection(COLLECTIONS.events).find({ caseId, version: 2 }).toArray();
    expect(events.map((e) => [e._id, (e.at as Date).toISOString()])).toEqual([[`${caseId}:2:0`, '2026-11-29T20:19:23.754Z']]);
    const deadline = await db.collection(COLLECTIONS.deadlines).findOne({ _id: `${caseId}:acknowledgement#1` as never });
    expect((deadline?.metAt as Date).toISOString()).toBe('2026-11-29T20:19:23.754Z');
  });
});

describe('where a deadline is filed', () => {
  it('under the case’s unit, or the unit `ownerRung` rungs above it (the alert’s approval: the town), never above the city', () => {
    const p = projection(3, Date.parse('2026-11-29T08:00:00Z'));
    const base = p.deadlines[0]!;
    p.deadlines = [base, { ...base, key: 'approval#1', kind: 'alert.approval', ownerRung: 1 }, { ...base, key: 'far#1', kind: 'x.far', ownerRung: 9 }];
    const filed = readModelDocs(p, undefined).deadlines.map((d) => [d.deadlineKind, d.unitCode, d.orgPath]);
    expect(filed).toEqual([
      ['report.acknowledge', '371002001001', orgPath],
      ['alert.approval', '371002001', ['371000', '371002', '371002001']],
      ['x.far', '371000', ['371000']],
    ]);
  });
});
