import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartyMember } from '../../domain/party-member';
import { memberIdFor, registerMember } from '../../store/party-members';
import { authz, createTestContext, createUsers, idNumber, UNITS, type TestContext } from '../helpers/context';
import { eventually } from '../helpers/wait';

/**
 * Issue 14 item 4, privacy by need, through the HTTP API on the real servers: those who must act on a
 * household — its village's staff, its grid worker, its paired party member, the assigned visitor of its open
 * alert — see its name, address and phone; nobody below town sees an ID number; everyone else below town
 * keeps the masks (a party member not paired with it, a below-town login elsewhere); each unmasked read
 * leaves an audit record naming the household, the fields and why.
 */

let ctx: TestContext;
const tokens: Record<string, string> = {};
const G01 = UNITS.haigangGrid;
const G02 = `${UNITS.haigang}-G02`;
const OTHER_VILLAGE = '371002001002';
/** 古寨社区 of 环翠楼街道: a village of another town. */
const FAR_VILLAGE = '371002002001';
const HEAD = '王秀英';
const HEAD_ID = idNumber(9501);
const ADDRESS = '威海市环翠区海港路66号2单元';
const PHONE = '13912345566';
const OTHER_HEAD = '赵德明';
const OTHER_ID = idNumber(9502);
let household: string;
let otherHousehold: string;
let alertId: string;

const send = (url: string, token: string, payload: unknown) => ctx.app.inject({ method: 'POST', url, headers: authz(token), payload: payload as object });
const get = (url: string, token: string) => ctx.app.inject({ method: 'GET', url, headers: authz(token) });
const auditOf = (res: { headers: Record<string, unknown> }) => ctx.mongo.db.collection('audit').find({ requestId: String(res.headers['x-request-id']) }).toArray();

const member = (userId: string, unitCode: string): PartyMember => ({
  id: memberIdFor(userId),
  userId,
  name: `党员${userId.slice(3)}`,
  phone: '13900000000',
  role: 'member',
  kind: 'resident',
  branch: '海港社区党支部',
  unitCode,
  skills: [],
  publicConsent: false,
  villageCode: UNITS.haigang,
  gridCode: unitCode,
  orgPath: ['371000', '371002', '371002001', UNITS.haigang, unitCode],
  status: 'active',
  createdAt: new Date().toISOString(),
  createdBy: 'test',
});

/** The body shows the household in full (name, address, phone) but never its ID number. */
function expectNeed(body: string, what: string): void {
  expect(body, what).toContain(HEAD);
  expect(body, what).not.toContain(HEAD_ID);
}
/** The body shows none of the household's personal fields. */
function expectMasked(body: string, what: string): void {
  for (const secret of [HEAD, HEAD_ID, ADDRESS, PHONE]) expect(body, `${what} shows ${secret}`).not.toContain(secret);
}

beforeAll(async () => {
  ctx = await createTestContext('privacy_need_e2e');
  await ctx.startWorker();
  for (const m of [member('pm.pair', G01), member('pm.other', G01)]) expect('created' in (await registerMember(ctx.mongo.db, m))).toBe(true);
  // The staff users a visitor may be chosen from, and those who may not (fresh-eyes on issue 14: any typed login was taken).
  await createUsers(ctx, [
    { login: 'grid.b', role: 'grid_worker', unitCode: G02, name: '网格员乙' },
    { login: 'pm.pair', role: 'party_member', unitCode: G01, name: '党员甲' },
    { login: 'village.qi', role: 'village_staff', unitCode: OTHER_VILLAGE },
    { login: 'town.zhao', role: 'town_staff', unitCode: UNITS.jingyuan },
    { login: 'grid.gone', role: 'grid_worker', unitCode: G01, status: 'disabled' },
    { login: 'far.grid', role: 'party_member', unitCode: FAR_VILLAGE },
  ]);
  tokens.village = await ctx.token('village_staff', UNITS.haigang, { user: 'village.li' });
  tokens.otherVillage = await ctx.token('village_staff', OTHER_VILLAGE, { user: 'village.qi' });
  // A below-town role whose reach holds both villages but who acts on neither: masked, by need not by rank or reach.
  tokens.villageRoleAtTown = await ctx.token('village_staff', UNITS.jingyuan, { user: 'village.at.town' });
  tokens.town = await ctx.token('town_staff', UNITS.jingyuan, { user: 'town.zhao' });
  tokens.gridA = await ctx.token('grid_worker', G01, { user: 'grid.a' });
  tokens.gridB = await ctx.token('grid_worker', G02, { user: 'grid.b' });
  tokens.paired = await ctx.token('party_member', G01, { user: 'pm.pair' });
  tokens.unpaired = await ctx.token('party_member', G01, { user: 'pm.other' });

  const registered = await send('/v1/households', tokens.village!, { headName: HEAD, headIdNumber: HEAD_ID, address: ADDRESS, phone: PHONE, unitCode: G01, categories: ['minimum_subsistence'] });
  expect(registered.statusCode, registered.body).toBe(201);
  household = registered.json().id;
  const other = await send('/v1/households', tokens.otherVillage!, { headName: OTHER_HEAD, headIdNumber: OTHER_ID, address: '威海市环翠区戚谷疃路9号', phone: '13912349999', unitCode: OTHER_VILLAGE, categories: [] });
  expect(other.statusCode, other.body).toBe(201);
  otherHousehold = other.json().id;

  // The household's pairing (opened for 低保), paired with pm.pair.
  const pairingId = `pairing-${household}`;
  await eventually(async () => ((await get(`/v1/pairings/${pairingId}`, tokens.village!)).json().stage === 'unpaired' ? true : undefined), 'the pairing opened');
  const assigned = await send(`/v1/pairings/${pairingId}/assign`, tokens.village!, { memberId: memberIdFor('pm.pair') });
  expect(assigned.statusCode, assigned.body).toBe(200);
  await eventually(async () => ((await get(`/v1/pairings/${pairingId}`, tokens.village!)).json().member?.userId === 'pm.pair' ? true : undefined), 'the pairing projected');

  const alert = await send('/v1/alerts', tokens.village!, { householdId: household, level: 'red', reasons: [`${HEAD}摔伤，身份证${HEAD_ID}`] });
  expect(alert.statusCode, alert.body).toBe(201);
  alertId = alert.json().caseId;
}, 120_000);
afterAll(async () => ctx?.close());

describe('village staff', () => {
  it('see their village’s household in full (name, address, phone), never its ID number; each read audited with the fields and why', async () => {
    const res = await get(`/v1/households/${household}`, tokens.village!);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ headName: HEAD, address: ADDRESS, phone: PHONE, headIdNumber: '3710**********' + HEAD_ID.slice(-4) });
    expect(await auditOf(res)).toMatchObject([
      { user: { id: 'village.li', role: 'village_staff' }, reason: 'personal_data_read', personalData: true, householdIds: [household], disclosures: [{ householdId: household, fields: ['name', 'address', 'phone'], basis: 'village_staff' }] },
    ]);
    // The case page and its timeline: the reason's name in full, the ID number typed into it masked.
    const page = await get(`/v1/cases/${alertId}`, tokens.village!);
    expect(page.json().reasons).toEqual([`${HEAD}摔伤，身份证3710**********${HEAD_ID.slice(-4)}`]);
    expect((await auditOf(page))[0]).toMatchObject({ disclosures: [{ householdId: household, basis: 'village_staff' }] });
    expectNeed((await get(`/v1/cases/${alertId}/escalations`, tokens.village!)).body, 'timeline');
  });

  it('the task list shows them the household’s name and address (in full), audited per household', async () => {
    const res = await eventually(async () => {
      const r = await get('/v1/cases?sort=due', tokens.village!);
      return (r.json().items as { caseId: string }[]).some((i) => i.caseId === alertId) ? r : undefined;
    }, 'the alert in the task list');
    const row = (res.json().items as { caseId: string; household: unknown }[]).find((i) => i.caseId === alertId)!;
    // The phone too (fresh-eyes on issue 14: staff call the household from the task list).
    expect(row.household).toEqual({ headName: HEAD, address: ADDRESS, phone: PHONE });
    expect((await auditOf(res))[0]!.disclosures).toEqual(expect.arrayContaining([{ householdId: household, fields: ['name', 'address', 'phone'], basis: 'village_staff' }]));
  });

  it('another village’s staff see their own household in full and do not reach this one; a village role at the town sees both masked', async () => {
    const own = await get(`/v1/households/${otherHousehold}`, tokens.otherVillage!);
    expect(own.json().headName).toBe(OTHER_HEAD);
    expect((await get(`/v1/households/${household}`, tokens.otherVillage!)).statusCode).toBe(403);
    const list = await get(`/v1/households?org=${UNITS.jingyuan}&limit=200`, tokens.villageRoleAtTown!);
    expect(list.statusCode).toBe(200);
    const rows = list.json().items as { id: string; headName: string; address: string; phone: string }[];
    expect(rows.find((r) => r.id === household)).toMatchObject({ headName: '王**', address: '威海市环翠区****', phone: '139****5566' });
    expect(rows.find((r) => r.id === otherHousehold)).toMatchObject({ headName: '赵**' });
    expectMasked(list.body, 'town-scoped village role');
    expect(list.body).not.toContain(OTHER_HEAD);
    // A masked read is not audited.
    expect(await auditOf(list)).toHaveLength(0);
  });
});

describe('the paired party member', () => {
  it('sees the paired household in full on 我的帮包, the pairing and the register; an unpaired member of the same grid sees it masked', async () => {
    const mine = await get('/v1/pairings/mine', tokens.paired!);
    expect(mine.statusCode).toBe(200);
    expect((mine.json().items as { householdId: string; household: unknown }[]).find((i) => i.householdId === household)!.household).toEqual({ headName: HEAD, address: ADDRESS });
    expect((await auditOf(mine))[0]!.disclosures).toEqual([{ householdId: household, fields: ['name', 'address'], basis: 'paired_member' }]);
    const entry = await get(`/v1/households/${household}`, tokens.paired!);
    expect(entry.json()).toMatchObject({ headName: HEAD, address: ADDRESS, phone: PHONE });
    expectNeed(entry.body, 'paired member register');
    expect((await auditOf(entry))[0]!.disclosures).toEqual([{ householdId: household, fields: ['name', 'address', 'phone'], basis: 'paired_member' }]);

    const unpaired = await get(`/v1/households/${household}`, tokens.unpaired!);
    expect(unpaired.statusCode).toBe(200);
    expect(unpaired.json()).toMatchObject({ headName: '王**', phone: '139****5566' });
    expectMasked(unpaired.body, 'unpaired member');
    expectMasked((await get(`/v1/cases/${alertId}`, tokens.unpaired!)).body, 'unpaired member alert');
    expect(await auditOf(unpaired)).toHaveLength(0);
  });
});

describe('the assigned visitor', () => {
  it('village staff assign a grid worker of the village; others are refused, naming the field', async () => {
    expect((await get(`/v1/alerts/${alertId}`, tokens.gridB!)).statusCode).toBe(403);
    const byGrid = await send(`/v1/alerts/${alertId}/visitor`, tokens.gridA!, { userId: 'grid.b', role: 'grid_worker', unitCode: G02 });
    expect(byGrid.statusCode).toBe(403);
    // The login must be a user: unknown, disabled, of another village, of a role that does not visit — each 422 naming the field, with its reason.
    const refused = async (payload: Record<string, unknown>, path: string, reason: string) => {
      const res = await send(`/v1/alerts/${alertId}/visitor`, tokens.village!, payload);
      expect(res.statusCode, `${JSON.stringify(payload)}: ${res.body}`).toBe(422);
      expect(res.json().error).toMatchObject({ code: 'unprocessable', reason, details: [{ path, code: reason }] });
    };
    await refused({ userId: 'nobody.here', role: 'party_member', unitCode: G01 }, 'body.userId', 'user_unknown');
    await refused({ userId: 'grid.gone' }, 'body.userId', 'user_disabled');
    await refused({ userId: 'town.zhao' }, 'body.userId', 'visitor_role_invalid');
    await refused({ userId: 'village.qi', role: 'village_staff', unitCode: OTHER_VILLAGE }, 'body.userId', 'visitor_outside_village');
    // A user of the village typed with another role or unit than their record's.
    await refused({ userId: 'grid.b', role: 'party_member' }, 'body.role', 'visitor_role_mismatch');
    await refused({ userId: 'grid.b', role: 'grid_worker', unitCode: G01 }, 'body.unitCode', 'visitor_unit_mismatch');
    await refused({ userId: 'grid.b', role: 'grid_worker', unitCode: '371002001009' }, 'body.unitCode', 'visitor_unit_mismatch');
    const badRole = await send(`/v1/alerts/${alertId}/visitor`, tokens.village!, { userId: 'grid.b', role: 'town_staff', unitCode: G02 });
    expect(badRole.statusCode).toBe(400);
    expect(badRole.json().error.details[0].path).toBe('body.role');
    // None of the refusals named a visitor.
    expect((await get(`/v1/alerts/${alertId}`, tokens.village!)).json().visitor).toBeNull();

    const ok = await send(`/v1/alerts/${alertId}/visitor`, tokens.village!, { userId: 'grid.b', role: 'grid_worker', unitCode: G02 });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().visitor).toMatchObject({ userId: 'grid.b', role: 'grid_worker', unitCode: G02 });
  });

  it('a party member of another town, typed with a grid of this village, is refused and reads nothing (fresh-eyes on issue 14)', async () => {
    const far = await ctx.token('party_member', FAR_VILLAGE, { user: 'far.grid' });
    const res = await send(`/v1/alerts/${alertId}/visitor`, tokens.village!, { userId: 'far.grid', role: 'party_member', unitCode: G01 });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().error).toMatchObject({ reason: 'visitor_outside_village', details: [{ path: 'body.userId', code: 'visitor_outside_village' }] });
    expect((await get(`/v1/alerts/${alertId}`, tokens.village!)).json().visitor).toMatchObject({ userId: 'grid.b' });
    const assigned = await get('/v1/alerts/assigned', far);
    expect(assigned.statusCode).toBe(200);
    expect(assigned.json().items).toEqual([]);
    for (const url of [`/v1/households/${household}`, `/v1/alerts/${alertId}`, `/v1/cases/${alertId}`]) {
      const read = await get(url, far);
      expect(read.statusCode, url).toBe(403);
      expectMasked(read.body, url);
    }
    const tasks = await get('/v1/cases?sort=due', far);
    expect((tasks.json().items as { caseId: string }[]).map((i) => i.caseId)).not.toContain(alertId);
    expectMasked(tasks.body, 'far.grid’s task list');
    const visit = await send(`/v1/alerts/${alertId}/visits`, far, { visitors: ['远方党员'], visitedAt: new Date().toISOString(), outcome: 'stable' });
    expect(visit.statusCode).toBe(403);
  });

  it('offers those who may assign the village’s active visitors to pick from, and no one else; a grid worker may not list them', async () => {
    const res = await get(`/v1/alerts/${alertId}/visitor-candidates`, tokens.village!);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().items).toEqual([
      { login: 'grid.b', name: '网格员乙', role: 'grid_worker', unitCode: G02, unitName: expect.any(String) },
      { login: 'pm.pair', name: '党员甲', role: 'party_member', unitCode: G01, unitName: expect.any(String) },
    ]);
    expect(res.json().items[0].unitName).not.toBe(G02);
    expect((await get(`/v1/alerts/${alertId}/visitor-candidates`, tokens.town!)).json().items).toHaveLength(2);
    expect((await get(`/v1/alerts/${alertId}/visitor-candidates`, tokens.gridA!)).statusCode).toBe(403);
    expect((await get(`/v1/alerts/${alertId}/visitor-candidates`, tokens.otherVillage!)).statusCode).toBe(403);
  });

  it('the assigned grid worker is told in their inbox; the other grid worker of that grid is not', async () => {
    const inboxOf = async (token: string) => {
      const res = await get('/v1/notifications?limit=100', token);
      expect(res.statusCode, res.body).toBe(200);
      return (res.json().items as { caseId: string; kind: string; message: string }[]).filter((n) => n.caseId === alertId && n.kind === 'visit_assigned');
    };
    const told = await eventually(async () => (await inboxOf(tokens.gridB!))[0], 'the visitor told of the assignment');
    expect(told.message).toContain(household);
    expect(told.message).not.toContain(HEAD);
    const colleague = await ctx.token('grid_worker', G02, { user: 'grid.c' });
    expect(await inboxOf(colleague)).toEqual([]);
  });

  it('the assigned grid worker (of another grid) finds the alert in 我的走访, reads it and its household in full but the ID number, and records the visit; each read audited', async () => {
    const assigned = await eventually(async () => {
      const r = await get('/v1/alerts/assigned', tokens.gridB!);
      return (r.json().items as { caseId: string }[]).some((i) => i.caseId === alertId) ? r : undefined;
    }, 'the alert in 我的走访');
    expect((assigned.json().items as { caseId: string; household: unknown }[]).find((i) => i.caseId === alertId)!.household).toEqual({ headName: HEAD, address: ADDRESS, phone: PHONE });
    expect((await auditOf(assigned))[0]!.disclosures).toEqual([{ householdId: household, fields: ['name', 'address', 'phone'], basis: 'assigned_visitor' }]);

    const alert = await get(`/v1/alerts/${alertId}`, tokens.gridB!);
    expect(alert.statusCode, alert.body).toBe(200);
    expectNeed(alert.body, 'assigned visitor alert');
    const entry = await get(`/v1/households/${household}`, tokens.gridB!);
    expect(entry.statusCode, entry.body).toBe(200);
    expect(entry.json()).toMatchObject({ headName: HEAD, address: ADDRESS, phone: PHONE });
    expectNeed(entry.body, 'assigned visitor register');
    expect((await auditOf(entry))[0]!.disclosures).toEqual([{ householdId: household, fields: ['name', 'address', 'phone'], basis: 'assigned_visitor' }]);

    const visit = await send(`/v1/alerts/${alertId}/visits`, tokens.gridB!, { visitors: ['网格员乙'], visitedAt: new Date().toISOString(), outcome: 'stable', notes: `${HEAD}情况稳定` });
    expect(visit.statusCode, visit.body).toBe(200);
    expect(visit.json().visits.at(-1)).toMatchObject({ notes: `${HEAD}情况稳定`, by: { userId: 'grid.b' } });
    // The visitor acts only as a visitor: closing is still out of their reach.
    expect((await send(`/v1/alerts/${alertId}/closure`, tokens.gridB!, { reason: 'resolved' })).statusCode).toBe(403);
  });

  it('the household’s own grid worker reads the alert (their grid’s household) without an assignment; another grid’s worker, unassigned, does not', async () => {
    const res = await get(`/v1/cases/${alertId}`, tokens.gridA!);
    expect(res.statusCode, res.body).toBe(200);
    expectNeed(res.body, 'grid worker alert');
    expect((await auditOf(res))[0]!.disclosures).toEqual([{ householdId: household, fields: ['name', 'address', 'phone'], basis: 'grid_worker' }]);
    const stranger = await ctx.token('grid_worker', G02, { user: 'grid.c' });
    expect((await get(`/v1/cases/${alertId}`, stranger)).statusCode).toBe(403);
    expect((await get(`/v1/households/${household}`, stranger)).statusCode).toBe(403);
  });

  it('the case row names the visitor; town staff see everything, as before', async () => {
    const res = await eventually(async () => {
      const r = await get(`/v1/cases?org=${UNITS.haigang}&kind=alert`, tokens.town!);
      const row = (r.json().items as { caseId: string; visitor: unknown }[]).find((i) => i.caseId === alertId);
      return row?.visitor ? row : undefined;
    }, 'the visitor on the case row');
    expect(res.visitor).toEqual({ userId: 'grid.b', role: 'grid_worker', unitCode: G02 });
    const page = await get(`/v1/cases/${alertId}`, tokens.town!);
    expect(page.body).toContain(HEAD_ID);
  });
});
