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

  it('GET /v1/household-categories: the categories a household can be in, named as the catalogue names them', async () => {
    const res = await get('/v1/household-categories', tokens.village!);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toContainEqual({ code: 'minimum_subsistence', name: '最低生活保障对象' });
    expect(res.json()).toContainEqual({ code: 'other', name: '其他' });
  });
});

describe('PATCH /v1/households/:id: corrections to address, phone and members', () => {
  const patch = (id: string, token: string, payload: unknown) => ctx.app.inject({ method: 'PATCH', url: `/v1/households/${id}`, headers: authz(token), payload: payload as object });

  it('corrects the address and the members; a removed member’s ID number is free again, a new one is claimed; audited', async () => {
    const hh = await register(31, '孙大勇', ['low_income_marginal']);
    const res = await patch(hh, tokens.village!, { address: '威海市环翠区海港路31号甲', members: [{ name: '孙小勇', idNumber: idNumber(532), relation: '子' }] });
    expect(res.statusCode, res.body).toBe(200);
    const town = (await get(`/v1/households/${hh}`, tokens.town!)).json();
    expect(town).toMatchObject({ headName: '孙大勇', headIdNumber: idNumber(31), address: '威海市环翠区海港路31号甲', members: [{ name: '孙小勇', idNumber: idNumber(532), relation: '子' }], categories: ['low_income_marginal'] });
    // The new member is found by the number; the removed one's number (531) registers elsewhere; 532 does not.
    expect(ids(await get(`/v1/households?idNumber=${idNumber(532)}`, tokens.village!))).toEqual([hh]);
    expect(ids(await get(`/v1/households?idNumber=${idNumber(531)}`, tokens.village!))).toEqual([]);
    await register(531, '周自立', []);
    const taken = await ctx.app.inject({
      method: 'POST',
      url: '/v1/households',
      headers: authz(tokens.village!),
      payload: { headName: '吴某', headIdNumber: idNumber(532), address: '海港路1号', phone: '13800000000', unitCode: UNITS.haigang },
    });
    expect(taken.statusCode).toBe(409);
    const audit = await ctx.mongo.db.collection('audit').findOne({ route: 'PATCH /v1/households/:id', householdIds: hh });
    expect(audit).toMatchObject({ action: 'households.edit', reason: 'mutation', outcome: { status: 200 } });
  });

  it('refuses with 400 naming the field, 409 for a number another household holds (nothing written), 403 outside the jurisdiction', async () => {
    const hh = await register(41, '郑一', []);
    const other = await register(42, '郑二', []);
    for (const [payload, path] of [
      [{}, 'body'],
      [{ phone: '12' }, 'body.phone'],
      [{ headName: '改名' }, 'body'],
      [{ members: [{ name: '甲', idNumber: idNumber(41), relation: '子' }] }, 'body.members.0.idNumber'],
      [{ members: [{ name: '甲', idNumber: '3710021', relation: '子' }] }, 'body.members.0.idNumber'],
      [{ address: '   ' }, 'body.address'],
      // A masked value sent back (the form shows what the role may see) never overwrites the real one.
      [{ address: '威海市环翠区****' }, 'body.address'],
      [{ members: [{ name: '郑**', idNumber: idNumber(541), relation: '子' }] }, 'body.members.0.name'],
    ] as const) {
      const res = await patch(hh, tokens.village!, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.details.map((d: { path: string }) => d.path), JSON.stringify(payload)).toContain(path);
    }
    const clash = await patch(hh, tokens.village!, { address: '新地址', members: [{ name: '乙', idNumber: idNumber(42), relation: '兄' }] });
    expect(clash.statusCode).toBe(409);
    expect(clash.json().error.message).toContain('body.members.0.idNumber');
    expect(clash.json().error.details).toEqual([expect.objectContaining({ path: 'body.members.0.idNumber', code: 'already_registered', params: { householdId: other } })]);
    expect((await get(`/v1/households/${hh}`, tokens.town!)).json()).toMatchObject({ address: '威海市环翠区海港路41号', members: [{ idNumber: idNumber(541) }] });
    expect((await patch(hh, tokens.otherTown!, { address: '别处' })).statusCode).toBe(403);
    expect((await patch(hh, tokens.sibling!, { address: '别处' })).statusCode).toBe(403);
    expect((await patch(hh, tokens.district!, { address: '别处' })).statusCode).toBe(403);
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
    expect(app.dueWorkingDaysLeft).toBe(3); // "3个工作日内" on the day it was filed: 3 (fresh-eyes on issue 14: it said 4)
    // The same on the generic read path (every read path of a case shows the same view).
    expect((await get(`/v1/cases/${id}`, tokens.town!)).json().dueWorkingDaysLeft).toBe(app.dueWorkingDaysLeft);
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
