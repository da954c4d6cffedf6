import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authz, createTestContext, registerHousehold, UNITS, type TestContext } from '../helpers/context';

/**
 * A client that lost an answer sends the request again with the same `Idempotency-Key` (api/steps.ts
 * `updateIdOf`): it gets the first outcome back, and the case changes once (docs/chaos.md).
 */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext('idempotency');
  await ctx.startWorker();
});
afterAll(async () => ctx?.close());

describe('Idempotency-Key', () => {
  it('a repeated alert opening and visit with the same key change the alert once', async () => {
    const village = await ctx.token('village_staff', UNITS.haigang);
    const hh = await registerHousehold(ctx, village, 71);
    const post = (url: string, payload: object, key?: string) =>
      ctx.app.inject({ method: 'POST', url, headers: { ...authz(village), ...(key ? { 'idempotency-key': key } : {}) }, payload });

    const opened = await post('/v1/alerts', { householdId: hh, level: 'red', reasons: ['重病'] }, `${hh}.open`);
    expect(opened.statusCode).toBe(201);
    const again = await post('/v1/alerts', { householdId: hh, level: 'red', reasons: ['重病'] }, `${hh}.open`);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(opened.json());
    const id = opened.json().caseId as string;

    const visit = { visitors: ['village.li'], visitedAt: new Date().toISOString(), outcome: 'stable' };
    const first = await post(`/v1/alerts/${id}/visits`, visit, `${hh}.visit.1`);
    const second = await post(`/v1/alerts/${id}/visits`, visit, `${hh}.visit.1`);
    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    expect(second.json().visits).toHaveLength(1);
    expect(second.json().version).toBe(first.json().version);
    // Without a key (or with another) a repeat is a new visit.
    const third = await post(`/v1/alerts/${id}/visits`, visit, `${hh}.visit.2`);
    expect(third.json().visits).toHaveLength(2);

    // The key is the caller's own and names this body: another user's request with the same key, or the same key
    // with another body, runs as itself and never receives the first request's answer.
    const town = await ctx.token('town_staff', UNITS.jingyuan);
    const theirs = await ctx.app.inject({ method: 'POST', url: `/v1/alerts/${id}/visits`, headers: { ...authz(town), 'idempotency-key': `${hh}.visit.1` }, payload: { ...visit, visitors: ['town.wang'], outcome: 'needs_assistance' } });
    expect(theirs.statusCode).toBe(200);
    expect(theirs.json().visits).toHaveLength(3);
    const otherBody = await post(`/v1/alerts/${id}/visits`, { ...visit, notes: '再次走访' }, `${hh}.visit.1`);
    expect(otherBody.json().visits).toHaveLength(4);

    const events = await ctx.mongo.db.collection('events').find({ caseId: id }).toArray();
    expect(events.filter((e) => e.type === 'visit_recorded')).toHaveLength(4);
    expect(events.filter((e) => e.type === 'reported' || e.type === 'opened')).toHaveLength(1);
  });

  it('refuses a malformed key with 400 naming the header', async () => {
    const village = await ctx.token('village_staff', UNITS.haigang);
    const hh = await registerHousehold(ctx, village, 72);
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/alerts', headers: { ...authz(village), 'idempotency-key': 'short' }, payload: { householdId: hh, level: 'red', reasons: ['重病'] } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toBe('headers.idempotency-key');
  });
});
