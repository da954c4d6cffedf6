import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { insecureDevPiiKeys } from '../../config';
import type { ServiceTask } from '../../domain/service-task';
import { collections } from '../../store/collections';
import { connectMongo } from '../../store/mongo';
import { piiKeyring } from '../../store/pii';
import { claimSlot, claimsOf, postTask } from '../../store/service-tasks';

/**
 * 双报到 claims under concurrency on the real read model (FerretDB v1: no transactions). Before the fix a
 * double-tapped claim could lose: the losing request deleted the claim document the winner had inserted
 * (before the winner wrote its slot), leaving the slot locked by nothing — `claimed: 0` and `task_full` for
 * everyone else — or both requests answered 201 with the same slot.
 */

const VILLAGE = '371002001001';
let mongo: Awaited<ReturnType<typeof connectMongo>>;

beforeAll(async () => {
  mongo = await connectMongo(inject('mongoUri'), `t_tasks_${randomBytes(3).toString('hex')}`, piiKeyring(insecureDevPiiKeys()));
});
afterAll(async () => {
  await mongo?.db.dropDatabase().catch(() => undefined);
  await mongo?.client.close();
});

const task = (id: string, slots: number): ServiceTask => ({ id, key: id, unitCode: VILLAGE, orgPath: ['37', VILLAGE], title: '清扫', description: '楼道清扫', day: '2026-11-29', hoursExpected: 2, slots, skills: [], postedBy: 'village.li', postedAt: new Date().toISOString() });
const claimBy = (t: ServiceTask, memberId: string) => claimSlot(mongo.db, t, { taskId: t.id, memberId, userId: `u.${memberId}`, name: '党员', orgPath: t.orgPath, claimedAt: new Date().toISOString() });
const outcome = (r: Awaited<ReturnType<typeof claimBy>>) => ('claimed' in r ? 'claimed' : r.refused);

describe('claimSlot', () => {
  it('a member tapping claim six times at once on a one-slot task: one claim kept, the rest already_claimed; the slot then refuses others (30 tasks)', async () => {
    for (let i = 0; i < 30; i++) {
      const t = task(`task-a${String(i).padStart(11, '0')}`, 1);
      await postTask(mongo.db, t);
      const results = (await Promise.all(Array.from({ length: 6 }, () => claimBy(t, 'pm-000000000001')))).map(outcome);
      expect(results.filter((r) => r === 'claimed'), `task ${i}: ${results.join(',')}`).toHaveLength(1);
      expect(results.filter((r) => r !== 'claimed').every((r) => r === 'already_claimed'), `task ${i}: ${results.join(',')}`).toBe(true);
      const claims = await claimsOf(mongo.db, t.id);
      expect(claims.map((c) => [c.memberId, c.slot])).toEqual([['pm-000000000001', 1]]);
      expect(outcome(await claimBy(t, 'pm-000000000002'))).toBe('full');
      expect(outcome(await claimBy(t, 'pm-000000000001'))).toBe('already_claimed');
    }
  });

  it('eight members double-tapping at once on a three-slot task: three claims on slots 1–3, one per member, every slot document named by its claim (20 tasks)', async () => {
    for (let i = 0; i < 20; i++) {
      const t = task(`task-b${String(i).padStart(11, '0')}`, 3);
      await postTask(mongo.db, t);
      const members = Array.from({ length: 8 }, (_, m) => `pm-${String(m).padStart(12, '0')}`);
      const results = await Promise.all(members.flatMap((m) => [claimBy(t, m), claimBy(t, m), claimBy(t, m)].map(async (p) => ({ m, r: outcome(await p) }))));
      const winners = results.filter((x) => x.r === 'claimed').map((x) => x.m);
      expect(winners, `task ${i}`).toHaveLength(3);
      expect(new Set(winners).size).toBe(3);
      const claims = await claimsOf(mongo.db, t.id);
      expect(claims.map((c) => c.slot)).toEqual([1, 2, 3]);
      expect(claims.map((c) => c.memberId).sort()).toEqual([...winners].sort());
      const slots = await collections(mongo.db).serviceSlots.find({ taskId: t.id }).sort({ _id: 1 }).toArray();
      expect(slots.map((s) => [s._id, s.memberId])).toEqual(claims.map((c) => [`${t.id}#${c.slot}`, c.memberId]));
      // A member without a claim was told `full` (by the one request of theirs that went for a slot).
      for (const m of members.filter((x) => !winners.includes(x))) expect(results.filter((x) => x.m === m).map((x) => x.r)).toContain('full');
    }
  });

  it('a claim left slotless by a crashed request (its slot taken) is taken over, slot and all, by a retry once stale — never while fresh', async () => {
    const t = task('task-c00000000000', 1);
    await postTask(mongo.db, t);
    const memberId = 'pm-000000000009';
    const claimId = `${t.id}:${memberId}`;
    const at = new Date().toISOString();
    await collections(mongo.db).serviceClaims.insertOne({ _id: claimId, taskId: t.id, memberId, userId: 'u.x', name: '党员', orgPath: t.orgPath, claimedAt: at, slot: null, hours: null, confirmed: null, attempt: 'crashed', attemptAt: at });
    await collections(mongo.db).serviceSlots.insertOne({ _id: `${t.id}#1`, taskId: t.id, memberId, claimId, attempt: 'crashed', at });
    expect(outcome(await claimBy(t, memberId))).toBe('already_claimed');
    expect(outcome(await claimBy(t, 'pm-000000000008'))).toBe('full');
    const old = new Date(Date.now() - 120_000).toISOString();
    await collections(mongo.db).serviceClaims.updateOne({ _id: claimId }, { $set: { attemptAt: old } });
    const retried = await Promise.all([claimBy(t, memberId), claimBy(t, memberId), claimBy(t, memberId)]);
    expect(retried.map(outcome).sort()).toEqual(['already_claimed', 'already_claimed', 'claimed']);
    expect((await claimsOf(mongo.db, t.id)).map((c) => [c.memberId, c.slot])).toEqual([[memberId, 1]]);
    expect(await collections(mongo.db).serviceSlots.countDocuments({ taskId: t.id })).toBe(1);
  });
});
