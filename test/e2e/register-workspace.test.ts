import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authz, createTestContext, idNumber, registerHousehold, UNITS, type TestContext } from '../helpers/context';

/**
 * The reads behind the workspace's register and application screens (issue 14 item 3), through the HTTP API
 * on the real stack: the register searched by name, ID number and category (each refused with a 400 naming
 * the parameter when malformed; never reaching outside the caller's jurisdiction), a household's cases and
 * the applications at a stage (GET /v1/cases?household=&stage=), the categories a household can be in, and
 * each application step's rules as the policy sets them (GET /v1/applications/rules), with the working days
 * left before an application's deadline.
 */

// A city that asks for 3 investigators: the rules read back must say 3, not the default 2.
const POLICY = { version: 'ws-register-3', applications: { minInvestigators: 3 } };

let ctx: TestContext;
const tokens: Record<string, string> = {};
beforeAll(async () => {
  ctx = await createTestContext('ws_register', { policy: POLICY });
  await ctx.startWorker();
  tokens.village = await ctx.token('village_staff', UNITS.haigang, { user: 'village.li' });
  tokens.sibling = await ctx.token('village_staff', '371002001002', { user: 'village.sun' });
  tokens.town = await ctx.token('town_staff', UNITS.jingyuan, { user: 'town.zhao' });
  tokens.otherTown = await ctx.token('town_staff', UNITS.huancuilou, { user: 'town.qian' });
  tokens.district = await ctx.token('district_staff', UNITS.huancui, { user: 'district.zhou' });
});
afterAll(async () => ctx?.close());

const get = (url: string, token: string) => ctx.app.inject({ method: 'GET', url, headers: authz(token) });
const ids = (res: { json(): { items: { id?: string; caseId?: string }[] } }) => res.json().items.map((x) => x.id ?? x.caseId);

async function register(seq: number, headName: string, categories: string[], unitCode: string = UNITS.haigang, token = tokens.village!) {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/v1/households',
    headers: authz(token),
    payload: { headName, headIdNumber: idNumber(seq), address: `威海市环翠区海港路${seq}号`, phone: '13800000000', unitCode, categories, members: [{ name: `${headName}妻`, idNumber: idNumber(seq + 500), relation: '配偶' }] },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

describe('GET /v1/households: the register searched', () => {
  it('by the head’s name or surname, by any member’s full ID number, by category; all within the caller’s jurisdiction', async () => {
    const wang = await register(11, '王建国', ['low_income_marginal']);
    const wang2 = await register(12, '王秀英', ['expenditure_hardship']);
    const li = await register(13, '李明', ['low_income_marginal']);
    const elsewhere = await register(14, '王在邻村', ['low_income_marginal'], '371002001002', tokens.sibling!);

    expect(ids(await get('/v1/households?name=王', tokens.village!)).sort()).toEqual([wang, wang2].sort());
    expect(ids(await get(`/v1/households?name=${encodeURIComponent('王建国')}`, tokens.village!))).toEqual([wang]);
    // The town reaches both villages; the sibling village's household is not the village's.
    expect(ids(await get(`/v1/households?name=${encodeURIComponent('王')}`, tokens.town!)).sort()).toEqual([wang, wang2, elsewhere].sort());
    expect(ids(await get(`/v1/households?category=low_income_marginal`, tokens.village!)).sort()).toEqual([wang, li].sort());
    expect(ids(await get(`/v1/households?category=low_income_marginal&name=${encodeURIComponent('李')}`, tokens.village!))).toEqual([li]);
    // A member's number finds the household (blind index); a number in another village is not found from here.
    expect(ids(await get(`/v1/households?idNumber=${idNumber(512)}`, tokens.village!))).toEqual([wang2]);
    expect(ids(await get(`/v1/households?idNumber=${idNumber(14)}`, tokens.village!))).toEqual([]);
    expect(ids(await get(`/v1/households?idNumber=${idNumber(14)}`, tokens.sibling!))).toEqual([elsewhere]);
    // A name with regular-expression characters is matched as written.
    expect(ids(await get(`/v1/households?name=${encodeURIComponent('王.*')}`, tokens.village!))).toEqual([]);
    // Another town's staff cannot search this village.
    expect((await get(`/v1/households?org=${UNITS.haigang}&name=${encodeURIComponent('王')}`, tokens.otherTown!)).statusCode).toBe(403);
  });

  it('refuses a malformed search with 400 naming the parameter', async () => {
    for (const [query, path] of [
      ['idNumber=3710021234', 'querystring.idNumber'],
      ['category=lottery_win', 'querystring.category'],
      [`name=${encodeURIComponent('\u0000王')}`, 'querystring.name'],
    ] as const) {
      const res = await get(`/v1/households?${query}`, tokens.village!);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
  });

  it('GET /v1/households/categories: the categories a household can be in, named as the catalogue names them', async () => {
    const res = await get('/v1/households/categories', tokens.village!);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toContainEqual({ code: 'minimum_subsistence', name: '最低生活保障对象' });
    expect(res.json()).toContainEqual({ code: 'other', name: '其他' });
  });
});

describe('GET /v1/cases?household=&stage=: a household’s cases, the applications at a stage', () => {
  it('lists one household’s applications with their stage; narrows applications by stage; refuses contradictory filters', async () => {
    const hh = await registerHousehold(ctx, tokens.village!, 21);
    const other = await registerHousehold(ctx, tokens.village!, 22);
    const filed = await ctx.app.inject({ method: 'POST', url: '/v1/applications', headers: authz(tokens.village!), payload: { householdId: hh, category: 'minimum_subsistence', source: 'on_behalf', labourCapacity: 'no_labour_capacity' } });
    expect(filed.statusCode, filed.body).toBe(201);
    const id = filed.json().caseId as string;
    await ctx.app.inject({ method: 'POST', url: '/v1/applications', headers: authz(tokens.village!), payload: { householdId: other, category: 'minimum_subsistence', source: 'on_behalf', labourCapacity: 'no_labour_capacity' } });

    const mine = await get(`/v1/cases?household=${hh}`, tokens.village!);
    expect(mine.statusCode).toBe(200);
    expect(ids(mine)).toEqual([id]);
    expect(mine.json().items[0]).toMatchObject({ kind: 'application', stage: 'submitted', category: 'minimum_subsistence' });

    const submitted = ids(await get('/v1/cases?kind=application&stage=submitted&sort=due', tokens.town!));
    expect(submitted).toContain(id);
    expect(ids(await get('/v1/cases?kind=application&stage=town_review', tokens.town!))).not.toContain(id);
    // Outside the jurisdiction: the other town cannot read the village's list.
    expect((await get(`/v1/cases?org=${UNITS.haigang}&household=${hh}`, tokens.otherTown!)).statusCode).toBe(403);

    for (const [query, path] of [
      ['stage=submitted', 'querystring.stage'],
      ['kind=alert&stage=submitted', 'querystring.stage'],
      ['kind=application&stage=approved', 'querystring.stage'],
      ['household=hh-1', 'querystring.household'],
      [`overdue=true&household=${hh}`, 'querystring.household'],
    ] as const) {
      const res = await get(`/v1/cases?${query}`, tokens.town!);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.details.map((d: { path: string }) => d.path)).toContain(path);
    }

    // The application as its page reads it: the working days left before the acceptance deadline (policy: 3).
    const app = (await get(`/v1/applications/${id}`, tokens.town!)).json();
    expect(app.due.key).toBe('acceptance#1');
    expect(app.dueWorkingDaysLeft).toBeGreaterThanOrEqual(3);
    expect(app.dueWorkingDaysLeft).toBeLessThanOrEqual(4);
  });
});

describe('GET /v1/applications/rules', () => {
  it('states each step’s rules as this city’s policy sets them, with their sources, stages and roles', async () => {
    const res = await get('/v1/applications/rules', tokens.village!);
    expect(res.statusCode).toBe(200);
    const body = res.json() as { policyVersion: string; steps: { step: string; path: string; stages: string[]; roles: string[]; rules: { text: string; source: string }[] }[] };
    expect(body.policyVersion).toBe('ws-register-3');
    const step = (name: string) => body.steps.find((s) => s.step === name)!;
    expect(body.steps.map((s) => s.step).sort()).toEqual(['acceptance', 'approval', 'deliberation', 'extension', 'investigation', 'objection', 'reReview', 'review', 'supplements', 'verificationResult', 'withdrawal'].sort());
    expect(step('investigation').rules[0]).toEqual({ text: '入户调查不少于3人', source: expect.stringContaining('民发〔2021〕57号') });
    expect(step('investigation')).toMatchObject({ path: 'investigation', stages: ['investigation'], roles: ['village_staff', 'town_staff', 'town_supervisor'] });
    expect(step('deliberation').rules.map((r) => r.text).join()).toContain('2/3');
    expect(step('acceptance').rules[0]!.text).toContain('3个工作日');
    expect(step('approval').roles).toEqual(['district_staff']);
    expect(step('objection').rules[0]!.text).toBe('公示期7天');
    for (const s of body.steps) for (const r of s.rules) expect(r.source.length, `${s.step}: ${r.text}`).toBeGreaterThan(0);
  });
});
