import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLLECTIONS } from '../../store/collections';
import { authz, createTestContext, registerHousehold, UNITS, type TestContext } from '../helpers/context';

/**
 * The workspace's stage lists (issue 14 item 3; api/stage-list.ts): `GET /v1/wishes?stage=` and
 * `GET /v1/reports?stage=` on the real stack — the wishes posted through the API and screened by the town
 * move from one list to the next; open reports are listed overdue first; bad input is a 400 naming the field,
 * a unit outside the caller's subtree a 403.
 */

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext('stage_lists');
  await ctx.startWorker();
});
afterAll(async () => ctx?.close());

const get = async (url: string, token: string) => ctx.app.inject({ method: 'GET', url, headers: authz(token) });

describe('GET /v1/wishes?stage=', () => {
  it('lists a unit’s wishes at a stage, each moving on when the town screens it', async () => {
    const village = await ctx.token('village_staff', UNITS.haigang);
    const town = await ctx.token('town_staff', UNITS.jingyuan);
    const hh = await registerHousehold(ctx, village, 401);
    const post = (title: string) => ctx.app.inject({ method: 'POST', url: '/v1/wishes', headers: authz(village), payload: { householdId: hh, title, description: '行动不便', category: 'material', postedBy: 'household' } });
    const a = (await post('想要一台轮椅')).json().caseId as string;
    const b = (await post('想要一副拐杖')).json().caseId as string;

    const screening = await get(`/v1/wishes?org=${UNITS.jingyuan}&stage=screening`, town);
    expect(screening.statusCode).toBe(200);
    const rows = screening.json().items as Array<Record<string, unknown>>;
    expect(rows.map((r) => r.caseId).sort()).toEqual([a, b].sort());
    expect(rows.find((r) => r.caseId === a)).toMatchObject({ stage: 'screening', status: 'open', title: '想要一台轮椅', category: 'material', householdId: hh, dueKind: 'wish.screening', overdue: false, unit: { code: UNITS.haigang } });

    const screened = await ctx.app.inject({ method: 'POST', url: `/v1/wishes/${a}/screening`, headers: authz(town), payload: { decision: 'approve', publicTitle: '轮椅一台' } });
    expect(screened.statusCode).toBe(200);
    // The village's own list (no org: the caller's unit).
    const open = (await get('/v1/wishes?stage=open', village)).json().items as Array<Record<string, unknown>>;
    expect(open.map((r) => r.caseId)).toEqual([a]);
    expect(open[0]).toMatchObject({ publicTitle: '轮椅一台', dueKind: 'wish.claim' });
    expect(((await get('/v1/wishes?stage=screening', village)).json().items as Array<{ caseId: string }>).map((r) => r.caseId)).toEqual([b]);
    expect((await get('/v1/wishes?stage=fulfilled', village)).json()).toEqual({ items: [], nextCursor: null });
  });

  it('shows each row of a page as its caller may see it: the households’ names in the titles for the village’s staff, masked for a party member', async () => {
    const village = await ctx.token('village_staff', UNITS.haigang);
    const heads = [421, 422, 423];
    const ids = await Promise.all(heads.map((seq) => registerHousehold(ctx, village, seq)));
    for (const [i, hh] of ids.entries()) {
      const posted = await ctx.app.inject({ method: 'POST', url: '/v1/wishes', headers: authz(village), payload: { householdId: hh, title: `张${heads[i]}想要一台轮椅`, description: '行动不便', category: 'material', postedBy: 'household' } });
      expect(posted.statusCode).toBe(201);
    }
    type Row = { householdId: string; title: string };
    const rowsOf = async (token: string) => ((await get('/v1/wishes?stage=screening&limit=100', token)).json().items as Row[]).filter((r) => ids.includes(r.householdId));
    const staffRows = await rowsOf(village);
    expect(staffRows.map((r) => r.title).sort()).toEqual(heads.map((seq) => `张${seq}想要一台轮椅`));
    const memberRows = await rowsOf(await ctx.token('party_member', UNITS.haigang));
    expect(memberRows).toHaveLength(3);
    for (const [i, seq] of heads.entries()) {
      const row = memberRows.find((r) => r.householdId === ids[i])!;
      expect(row.title).not.toContain(`张${seq}`);
      expect(row.title).toMatch(/^张\*+想要一台轮椅$/);
    }
  });

  it('answers 400 naming the field for a stage it does not know or an unknown key, 403 outside the caller’s subtree', async () => {
    const village = await ctx.token('village_staff', UNITS.haigang);
    const bad = await get('/v1/wishes?stage=pending', village);
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().error.details)).toContain('querystring.stage');
    const missing = await get('/v1/wishes', village);
    expect(missing.statusCode).toBe(400);
    expect(JSON.stringify(missing.json().error.details)).toContain('querystring.stage');
    expect((await get('/v1/wishes?stage=open&level=red', village)).statusCode).toBe(400);
    const otherTown = await ctx.token('town_staff', UNITS.huancuilou);
    expect((await get(`/v1/wishes?org=${UNITS.haigang}&stage=open`, otherTown)).statusCode).toBe(403);
    expect((await get(`/v1/reports?org=${UNITS.jingyuan}&stage=received`, village)).statusCode).toBe(403);
    expect((await get('/v1/reports?org=999999999999&stage=received', await ctx.token('town_staff', UNITS.jingyuan))).statusCode).toBe(404);
  });
});

describe('GET /v1/reports?stage=', () => {
  it('lists open reports overdue first, then by due time; answered ones by id', async () => {
    const now = Date.now();
    const path = [UNITS.city, UNITS.huancui, UNITS.jingyuan, UNITS.haigang];
    const unit = { code: UNITS.haigang, name: '海港社区', level: 'village' };
    // Written into the read model as the projection writes it: the list reads nothing else.
    const doc = (id: string, stage: string, dueAt: number | null) => ({
      _id: id,
      kind: 'report',
      status: stage === 'answered' ? 'closed' : 'open',
      householdId: null,
      level: null,
      stage,
      category: 'benefit_problem',
      unit,
      unitCode: UNITS.haigang,
      orgPath: path,
      dueAt: dueAt === null ? null : new Date(dueAt),
      due: dueAt === null ? null : { key: 'acknowledge#1', kind: 'report.acknowledge', label: '群众反映：受理', dueAt: new Date(dueAt).toISOString() },
      overdue: dueAt !== null && dueAt < now,
      atRisk: false,
      rung: dueAt !== null && dueAt < now ? 1 : 0,
      escalatedTo: null,
      version: 1,
      updatedAt: new Date(),
      workflowId: `report-${id}`,
      firstRunId: 'r',
      view: { caseId: id, kind: 'report', householdId: null, stage, category: 'benefit_problem', text: `反映 ${id}`, receivedAt: new Date(now - 86_400_000).toISOString(), answeredAt: null, commonIssue: null },
    });
    await ctx.mongo.db.collection(COLLECTIONS.cases).insertMany([
      doc('rp-00000000000000a1', 'received', now + 3 * 86_400_000),
      doc('rp-00000000000000a2', 'received', now - 2 * 3_600_000),
      doc('rp-00000000000000a3', 'received', now + 86_400_000),
      doc('rp-00000000000000a4', 'received', now - 5 * 3_600_000),
      doc('rp-00000000000000a5', 'acknowledged', now + 86_400_000),
      doc('rp-00000000000000a6', 'answered', null),
    ] as never[]);
    const town = await ctx.token('town_staff', UNITS.jingyuan);
    const page1 = await get(`/v1/reports?org=${UNITS.jingyuan}&stage=received&limit=3`, town);
    expect(page1.statusCode).toBe(200);
    const p1 = page1.json() as { items: Array<{ caseId: string; overdue: boolean; text: string; rung: number }>; nextCursor: string | null };
    expect(p1.items.map((r) => [r.caseId, r.overdue])).toEqual([
      ['rp-00000000000000a4', true],
      ['rp-00000000000000a2', true],
      ['rp-00000000000000a3', false],
    ]);
    expect(p1.items[0]).toMatchObject({ text: '反映 rp-00000000000000a4', rung: 1, dueKind: 'report.acknowledge' });
    const p2 = (await get(`/v1/reports?org=${UNITS.jingyuan}&stage=received&limit=3&cursor=${encodeURIComponent(p1.nextCursor!)}`, town)).json() as { items: Array<{ caseId: string }>; nextCursor: string | null };
    expect(p2).toEqual({ items: [expect.objectContaining({ caseId: 'rp-00000000000000a1' })], nextCursor: null });
    expect(((await get('/v1/reports?stage=acknowledged', await ctx.token('village_staff', UNITS.haigang))).json().items as Array<{ caseId: string }>).map((r) => r.caseId)).toEqual(['rp-00000000000000a5']);
    expect(((await get(`/v1/reports?org=${UNITS.jingyuan}&stage=answered`, town)).json().items as Array<{ caseId: string; status: string }>).map((r) => [r.caseId, r.status])).toEqual([['rp-00000000000000a6', 'closed']]);
  });
});
