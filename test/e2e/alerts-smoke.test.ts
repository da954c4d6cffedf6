import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authz, createTestContext, registerHousehold, UNITS, type TestContext } from '../helpers/context';

describe('alert smoke', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext('smoke', { policy: { alerts: { red: { due: 'PT3S', escalateEvery: 'PT2S' } } } });
    await ctx.startWorker();
  });
  afterAll(async () => ctx?.close());

  it('creates, escalates, visits', async () => {
    const t = await ctx.token('village_staff', UNITS.haigang);
    const hh = await registerHousehold(ctx, t, 1);
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/alerts', headers: authz(t), payload: { householdId: hh, level: 'red', reasons: ['重病'] } });
    console.log(res.statusCode, res.body.slice(0, 500));
    expect(res.statusCode).toBe(201);
    await new Promise((r) => setTimeout(r, 6000));
    const sup = await ctx.token('town_supervisor', UNITS.jingyuan);
    const board = await ctx.app.inject({ method: 'GET', url: '/v1/cases?overdue=true', headers: authz(sup) });
    console.log(board.body);
    expect(board.json().items).toHaveLength(1);
  });
});
