import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { CaseProjection } from '../../domain/projection';
import { COLLECTIONS } from '../../store/collections';
import { connectMongo } from '../../store/mongo';
import { projectCaseInto } from '../../store/projection';

/**
 * A workflow task that runs again after its worker died projects the same version a second time with
 * other content (its own time). The read model must end with the attempt that completed — the last —
 * not keep the dead attempt's (found by `npm run chaos`, docs/chaos.md).
 */
const unit = { code: '371002001001', name: '海港社区' };
const orgPath = ['371000', '371002', '371002001', '371002001001'];

function projection(version: number, at: number, opts: { extraEvent?: boolean; metAt?: number | null; overdue?: boolean } = {}): CaseProjection {
  const dueAt = Date.parse('2026-12-03T16:00:00Z');
  return {
    caseId: 'report-chaos-1',
    kind: 'report',
    workflowId: 'report-chaos-1',
    firstRunId: 'run-1',
    version,
    view: {
      caseId: 'report-chaos-1',
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
    deadlines: [{ key: 'acknowledgement#1', kind: 'report.acknowledge', label: '受理', dueAt, metAt: opts.metAt ?? at, outcome: 'on_time', escalations: 0 }],
    previous: version === 1 ? null : { overdue: false, householdId: null, task: null },
  } as CaseProjection;
}

describe('the projection of a version written twice', () => {
  let mongo: Awaited<ReturnType<typeof connectMongo>>;
  beforeAll(async () => {
    mongo = await connectMongo(inject('mongoUri'), `t_projection_${randomBytes(3).toString('hex')}`);
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
});
