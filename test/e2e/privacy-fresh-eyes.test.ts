import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authz, createTestContext, idNumber, UNITS, type TestContext } from '../helpers/context';
import { eventually } from '../helpers/wait';

/**
 * The fresh-eyes pass on issue 14's privacy, end to end through the HTTP API on the dev server and the
 * Mongo-compatible server: a registered household's name never reaches a public page (a report's answer on
 * its receipt); the register's search by name or ID number is no oracle for a caller who sees the household
 * masked, and is audited with its query; a masked value is refused on registration as on correction.
 */
let ctx: TestContext;
const t: Record<string, string> = {};
const HEAD = '张卫东';
const PHONE = '13812345670';
const HEAD_ID = idNumber(14_501);
let householdId = '';
beforeAll(async () => {
  ctx = await createTestContext('privacy_fresh_eyes_e2e');
  await ctx.startWorker();
  t.village = await ctx.token('village_staff', UNITS.haigang, { user: 'village.li' });
  t.member = await ctx.token('party_member', UNITS.haigang, { user: 'member.wu' });
  t.town = await ctx.token('town_staff', UNITS.jingyuan, { user: 'town.zhao' });
  const res = await send('POST', '/v1/households', t.village, { headName: HEAD, headIdNumber: HEAD_ID, address: '威海市环翠区海港路77号', phone: PHONE, unitCode: UNITS.haigang, categories: [] });
  expect(res.statusCode, res.body).toBe(201);
  householdId = res.json().id;
});
afterAll(async () => ctx?.close());

const send = (method: 'GET' | 'POST' | 'PATCH', url: string, token: string, payload?: unknown) =>
  ctx.app.inject({ method, url, headers: authz(token), ...(payload !== undefined ? { payload: payload as object } : {}) });

describe('a registered household on a public page', () => {
  it('a village’s answer naming a registered head shows the name masked on the public receipt (and the phone)', async () => {
    const created = await ctx.app.inject({ method: 'POST', url: '/v1/public/reports', remoteAddress: '10.15.0.1', payload: { unitCode: UNITS.haigang, category: 'assistance_policy', text: '邻居家生活困难，能不能帮帮？' } });
    expect(created.statusCode, created.body).toBe(201);
    const { reportId, receipt } = created.json();
    const answered = await send('POST', `/v1/reports/${reportId}/answer`, t.village!, { answer: `请联系${HEAD}本人，电话${PHONE}`, answeredBy: { name: '孙丽', role: 'staff' } });
    expect(answered.statusCode, answered.body).toBe(200);
    const r = await eventually(async () => {
      const res = await ctx.app.inject({ method: 'GET', url: `/v1/public/receipts/${receipt}` });
      return res.json().result && res;
    }, 'the receipt to show the answer');
    expect(r.body).not.toContain(HEAD);
    expect(r.body).not.toContain(PHONE);
    expect(r.json().result.text).toContain('张**');
    const old = await ctx.app.inject({ method: 'GET', url: `/v1/public/reports/${receipt}` });
    expect(old.body).not.toContain(HEAD);
  });
});

describe('the register’s search is no oracle', () => {
  it('a party member who sees the household masked gets no match by name or ID number; the village (by need) does; each search audited with its query', async () => {
    for (const q of [`name=${encodeURIComponent('张卫')}`, `name=${encodeURIComponent(HEAD)}`, `idNumber=${HEAD_ID}`]) {
      const res = await send('GET', `/v1/households?org=${UNITS.haigang}&${q}`, t.member!);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().items.map((h: { id: string }) => h.id)).not.toContain(householdId);
    }
    const village = await send('GET', `/v1/households?org=${UNITS.haigang}&name=${encodeURIComponent('张卫')}`, t.village!);
    expect(village.json().items.map((h: { id: string }) => h.id)).toContain(householdId);
    const records = await ctx.mongo.db.collection('audit').find({ 'user.id': 'member.wu', route: 'GET /v1/households' }).toArray();
    expect(records.length).toBe(3);
    expect(records.map((r) => r.search?.name)).toContain('张卫');
    const byId = records.find((r) => r.search?.idNumberKey);
    expect(byId?.search.idNumberMasked).toMatch(/^\d{4}\*+\d{3}[\dX]$/);
    expect(JSON.stringify(records)).not.toContain(HEAD_ID);
    // The searches are readable through GET /v1/audit, not only stored.
    const monitor = await ctx.token('city_monitor', UNITS.city, { user: 'monitor.audit' });
    const read = await send('GET', `/v1/audit?user=member.wu&limit=200`, monitor);
    expect(read.statusCode, read.body).toBe(200);
    const searches = (read.json().items as Array<{ user: { id: string } | null; search?: { name?: string; idNumberMasked?: string } }>).filter((r) => r.user?.id === 'member.wu' && r.search);
    expect(searches.map((r) => r.search?.name)).toContain('张卫');
    expect(searches.find((r) => r.search?.idNumberMasked)?.search?.idNumberMasked).toMatch(/^\d{4}\*+\d{3}[\dX]$/);
    expect(read.body).not.toContain(HEAD_ID);
  });
});

describe('masked values are refused on registration as on correction', () => {
  it('POST with a masked name or address → 400 masked_value naming the field; a masked member ID number on PATCH → masked_value', async () => {
    const base = { headName: '王建国', headIdNumber: idNumber(14_502), address: '威海市环翠区海港路78号', phone: '13812345671', unitCode: UNITS.haigang, categories: [] };
    for (const [field, value] of [['headName', '王**'], ['address', '威海市环翠区****'], ['headIdNumber', '3710**********1234']] as const) {
      const res = await send('POST', '/v1/households', t.village!, { ...base, [field]: value });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.details).toContainEqual(expect.objectContaining({ path: `body.${field}`, code: 'masked_value' }));
    }
    const patch = await send('PATCH', `/v1/households/${householdId}`, t.village!, { members: [{ name: '张小东', idNumber: '3710**********1234', relation: '子' }] });
    expect(patch.statusCode, patch.body).toBe(400);
    expect(patch.json().error.details).toEqual([expect.objectContaining({ path: 'body.members.0.idNumber', code: 'masked_value' })]);
    expect(await ctx.mongo.db.collection('households').countDocuments({ headName: { $regex: '\\*' } })).toBe(0);
  });
});

describe('other households named in a case’s free text', () => {
  it('a masked reader sees every registered name of the village masked; a reader by need sees the case’s own household and the others masked', async () => {
    const other = await send('POST', '/v1/households', t.village!, { headName: '王建国', headIdNumber: idNumber(14_503), address: '威海市环翠区海港路79号', phone: '13812345672', unitCode: UNITS.haigang, categories: [] });
    expect(other.statusCode, other.body).toBe(201);
    // Registered after the village's known data was first read (the receipt above): seen at once, not after the cache's 15 s.
    const third = await send('POST', '/v1/households', t.village!, { headName: '李小红', headIdNumber: idNumber(14_504), address: '威海市环翠区海港路80号', phone: '13812345673', unitCode: UNITS.haigang, categories: [] });
    expect(third.statusCode, third.body).toBe(201);
    const wish = await send('POST', '/v1/wishes', t.village!, { householdId: other.json().id, title: '想要一台轮椅', description: `王建国说邻居${HEAD}也需要轮椅，李小红也是`, category: 'material', postedBy: 'household' });
    expect(wish.statusCode, wish.body).toBe(201);
    const id = wish.json().caseId as string;
    const read = (token: string) => eventually(async () => {
      const res = await send('GET', `/v1/wishes/${id}`, token);
      return res.statusCode === 200 && res;
    }, 'the wish');
    const member = await read(t.member!);
    expect(member.body).not.toContain(HEAD);
    expect(member.body).not.toContain('王建国');
    expect(member.json().description).toContain('张**');
    const village = await read(t.village!);
    expect(village.json().description).toBe('王建国说邻居张**也需要轮椅，李**也是');
    const timeline = await send('GET', `/v1/cases/${id}/escalations`, t.member!);
    expect(timeline.body).not.toContain(HEAD);
  });
});

describe('a public report’s contact, by need', () => {
  it('the village handling the report sees it in full, audited; a party member of the village sees it masked', async () => {
    const sent = await ctx.app.inject({ method: 'POST', url: '/v1/public/reports', remoteAddress: '10.15.0.2', payload: { unitCode: UNITS.haigang, category: 'assistance_policy', text: '希望当面答复', contact: '刘芳 13700000001' } });
    expect(sent.statusCode, sent.body).toBe(201);
    const { reportId } = sent.json();
    const village = await send('GET', `/v1/reports/${reportId}`, t.village!);
    expect(village.json().contact).toBe('刘芳 13700000001');
    const record = await eventually(async () => (await ctx.mongo.db.collection('audit').findOne({ requestId: String(village.headers['x-request-id']) })) ?? undefined, 'the audit record');
    expect(record).toMatchObject({ personalData: true, caseIds: [reportId] });
    const member = await send('GET', `/v1/reports/${reportId}`, t.member!);
    expect(member.statusCode, member.body).toBe(200);
    expect(member.json().contact).toBe('刘* 137****0001');
  });
});

describe('a household registered at the village itself (no grid)', () => {
  it('a grid worker of the village reads it by need (name and phone, ID masked), audited; a grid worker of another village does not', async () => {
    const grid = await ctx.token('grid_worker', UNITS.haigangGrid, { user: 'grid.sun' });
    const res = await send('GET', `/v1/households/${householdId}`, grid);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ headName: HEAD, phone: PHONE, headIdNumber: expect.stringMatching(/\*/) });
    const record = await eventually(async () => (await ctx.mongo.db.collection('audit').findOne({ requestId: String(res.headers['x-request-id']) })) ?? undefined, 'the audit record');
    expect(record?.disclosures).toEqual([{ householdId, fields: ['name', 'address', 'phone'], basis: 'grid_worker' }]);
    const elsewhere = await ctx.token('grid_worker', '371002002001', { user: 'grid.far' });
    expect((await send('GET', `/v1/households/${householdId}`, elsewhere)).statusCode).toBe(403);
  });
});
