import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { insecureDevPiiKeys } from '../../config';
import { COLLECTIONS, type DeadlineDoc } from '../../store/collections';
import { connectMongo } from '../../store/mongo';
import { piiKeyring } from '../../store/pii';
import { publishSupervisionNotices, unitFigures } from '../../store/supervision';

/**
 * The figures a summons or circular records (store/supervision.ts unitFigures), against a hand count of
 * deadlines written as the projection writes them; and the notices a record publishes, once per record.
 */

const TOWN = { code: '371002001', name: '鲸园街道' };
const VILLAGE_PATH = ['371000', '371002', '371002001', '371002001001'];
const OTHER_TOWN_PATH = ['371000', '371002', '371002002', '371002002001'];
let mongo: Awaited<ReturnType<typeof connectMongo>>;

beforeAll(async () => {
  mongo = await connectMongo(inject('mongoUri'), `t_supervision_${randomBytes(3).toString('hex')}`, piiKeyring(insecureDevPiiKeys()));
});
afterAll(async () => {
  await mongo?.db.dropDatabase().catch(() => undefined);
  await mongo?.client.close();
});

let n = 0;
function deadline(dueAt: string, outcome: DeadlineDoc['outcome'], escalations = 0, orgPath = VILLAGE_PATH, endedAt?: string): DeadlineDoc {
  n += 1;
  const due = new Date(dueAt);
  return {
    _id: `case-${n}:d#1`,
    caseId: `case-${n}`,
    kind: 'alert',
    deadlineKind: 'alert.red',
    label: '红色预警',
    orgPath,
    unitCode: orgPath.at(-1)!,
    dueAt: due,
    dueMonth: new Date(due.getTime() + 8 * 3_600_000).toISOString().slice(0, 7),
    metAt: endedAt === undefined && (outcome === 'on_time' || outcome === 'late') ? due : null,
    endedAt: endedAt === undefined ? null : new Date(endedAt),
    outcome,
    escalations,
    version: 1,
  };
}

describe('unit figures for a summons or circular', () => {
  it('counts the subtree’s deadlines due in the period by their standing at the moment, with their escalations', async () => {
    await mongo.db.collection<DeadlineDoc>(COLLECTIONS.deadlines).insertMany([
      deadline('2026-10-05T02:00:00Z', 'on_time'),
      deadline('2026-10-20T02:00:00Z', 'late', 2),
      deadline('2026-11-02T02:00:00Z', 'unhandled'),
      deadline('2026-11-10T02:00:00Z', 'pending', 1), // open past its due time at the moment
      deadline('2026-11-12T02:00:00Z', 'not_due', 1), // superseded before it came due: not counted
      deadline('2026-11-25T02:00:00Z', 'pending'), // due after the moment: not counted
      deadline('2026-11-28T02:00:00Z', 'unhandled'), // lowered quietly before the moment, due after it: counted
      deadline('2026-11-03T02:00:00Z', 'late', 2, VILLAGE_PATH, '2026-11-06T02:00:00Z'), // ignored, then lowered: ended overdue
      deadline('2026-09-30T02:00:00Z', 'late', 3), // before the period
      deadline('2026-10-10T02:00:00Z', 'late', 1, OTHER_TOWN_PATH), // another town
    ]);
    const figures = await unitFigures(mongo.db, TOWN, new Date('2026-10-01T00:00:00+08:00'), new Date('2026-12-01T00:00:00+08:00'), new Date('2026-11-20T00:00:00Z'));
    expect(figures).toEqual({
      unitCode: TOWN.code,
      unitName: TOWN.name,
      from: '2026-09-30T16:00:00.000Z',
      to: '2026-11-30T16:00:00.000Z',
      due: 6,
      onTime: 1,
      late: 1,
      unhandled: 2,
      openOverdue: 1,
      overdueClosed: 1,
      escalations: 5,
      asOf: '2026-11-20T00:00:00.000Z',
    });
  });

  it('publishes one notice per named unit, once: a retry inserts nothing twice', async () => {
    const notices = [
      { unit: { code: '371002001001', name: '海港社区居委会', level: 'village' as const }, kind: 'circular' as const, message: '通报' },
      { unit: { code: '371002002', name: '环翠楼街道', level: 'town' as const }, kind: 'circular' as const, message: '通报' },
    ];
    const at = new Date('2026-11-20T00:00:00Z');
    await publishSupervisionNotices(mongo.db, 'circular-371000-k1', notices, at);
    await publishSupervisionNotices(mongo.db, 'circular-371000-k1', notices, at);
    const stored = await mongo.db.collection(COLLECTIONS.notifications).find({ caseId: 'circular-371000-k1' }).sort({ _id: 1 }).toArray();
    // caseKind: the record's kind, so the inbox links the record (and a circular's printable page).
    expect(stored.map((d) => [d._id, d.unitCode, d.kind, d.caseKind, d.deliveredAt])).toEqual([
      ['circular-371000-k1:0:n0', '371002001001', 'circular', 'circular', null],
      ['circular-371000-k1:0:n1', '371002002', 'circular', 'circular', null],
    ]);
  });
});
