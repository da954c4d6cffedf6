import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDay } from '../../domain/china-time';
import { memberIdFor } from '../../store/party-members';
import { authz, createTestContext, createUsers, registerHousehold, UNITS, type TestContext } from '../helpers/context';
import { eventually } from '../helpers/wait';

/**
 * The party-member register, 双报到 service tasks and 三亮 on the public page (issue 13 items 1, 3, 4),
 * through the HTTP API on the dev server and FerretDB.
 */

let ctx: TestContext;
const t: Record<string, string> = {};
const req = (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, token: string, payload?: unknown) => ctx.app.inject({ method, url, headers: authz(token), ...(payload === undefined ? {} : { payload: payload as object }) });
const OTHER_VILLAGE = '371002001002';

const member = (userId: string, extra: Record<string, unknown> = {}) => ({ userId, name: '刘党员', phone: '13912345678', role: 'member', branch: '海港社区第一党支部', unitCode: UNITS.haigang, ...extra });

beforeAll(async () => {
  ctx = await createTestContext('party_members_e2e');
  await ctx.startWorker();
  t.village = await ctx.token('village_staff', UNITS.haigang, { user: 'village.li' });
  t.otherVillage = await ctx.token('village_staff', OTHER_VILLAGE, { user: 'village.other' });
  t.town = await ctx.token('town_staff', UNITS.jingyuan, { user: 'town.zhao' });
  t.grid = await ctx.token('grid_worker', UNITS.haigangGrid, { user: 'grid.chen' });
  // A member's login is a staff user's (fresh-eyes on issue 14): the members below, and those who may not be registered.
  await createUsers(ctx, [
    ...['pm.liu', 'pm.zhou', 'pm.s1', 'pm.s2', 'pm.s3', 'pm.s4', 'pm.s5'].map((login) => ({ login, role: 'party_member' as const, unitCode: UNITS.haigang })),
    { login: 'pm.gone', role: 'party_member', unitCode: UNITS.haigang, status: 'disabled' },
    { login: 'pm.sibling', role: 'party_member', unitCode: OTHER_VILLAGE },
    { login: 'pm.far', role: 'party_member', unitCode: '371002002001' },
  ]);
}, 60_000);
afterAll(async () => ctx?.close());

describe('the register', () => {
  it('registers at a village or grid within reach (201), once per login (409 naming body.userId), never at a town (400)', async () => {
    const created = await req('POST', '/v1/party-members', t.village!, member('pm.liu', { unitCode: UNITS.haigangGrid }));
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ id: memberIdFor('pm.liu'), villageCode: UNITS.haigang, gridCode: UNITS.haigangGrid, status: 'active', publicConsent: false, phone: '139****5678' });
    const twice = await req('POST', '/v1/party-members', t.village!, member('pm.liu'));
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.details[0].path).toBe('body.userId');
    const atTown = await req('POST', '/v1/party-members', t.town!, member('pm.town', { unitCode: UNITS.jingyuan }));
    expect(atTown.statusCode).toBe(400);
    expect(atTown.json().error.details[0].path).toBe('body.unitCode');
    expect((await req('POST', '/v1/party-members', t.otherVillage!, member('pm.out'))).statusCode).toBe(403);
    const noAgency = await req('POST', '/v1/party-members', t.village!, member('pm.x', { kind: 'in_service' }));
    expect(noAgency.statusCode).toBe(400);
    expect(noAgency.json().error.details[0].path).toBe('body.agency');
    expect((await req('POST', '/v1/party-members', t.village!, member('pm.zhou', { name: '周党员' }))).statusCode).toBe(201);
  });

  it('registers only the login of an active staff user within the caller’s jurisdiction (422 naming body.userId)', async () => {
    const refused = async (token: string, login: string, reason: string) => {
      const res = await req('POST', '/v1/party-members', token, member(login));
      expect(res.statusCode, `${login}: ${res.body}`).toBe(422);
      expect(res.json().error).toMatchObject({ code: 'unprocessable', reason, details: [{ path: 'body.userId', code: reason }] });
    };
    await refused(t.village!, 'ghost.user', 'user_unknown');
    await refused(t.village!, 'pm.gone', 'user_disabled');
    await refused(t.village!, 'pm.sibling', 'user_out_of_reach');
    await refused(t.village!, 'pm.far', 'user_out_of_reach');
    await refused(t.town!, 'pm.far', 'user_out_of_reach');
    for (const login of ['ghost.user', 'pm.gone', 'pm.sibling', 'pm.far']) expect((await req('GET', `/v1/party-members/${memberIdFor(login)}`, t.town!)).statusCode, login).toBe(404);
    // The user the village could not register is within the town's reach: the town registers them.
    const byTown = await req('POST', '/v1/party-members', t.town!, member('pm.sibling', { unitCode: OTHER_VILLAGE, branch: '海港社区第二党支部' }));
    expect(byTown.statusCode, byTown.body).toBe(201);
  });

  it('refuses personal data in a branch (400 naming body.branch, on register and edit) and a digit in a name (body.name)', async () => {
    for (const branch of ['支部 371002196001010011 13900000001', '第一支部13900000001', '支部１３９００００００01']) {
      const res = await req('POST', '/v1/party-members', t.village!, member('pm.branch', { branch }));
      expect(res.statusCode, branch).toBe(400);
      expect(res.json().error.details[0].path).toBe('body.branch');
    }
    for (const name of ['13900000001', '王1', '王１']) {
      const res = await req('POST', '/v1/party-members', t.village!, member('pm.name', { name }));
      expect(res.statusCode, name).toBe(400);
      expect(res.json().error.details[0].path).toBe('body.name');
    }
    const edit = await req('PATCH', `/v1/party-members/${memberIdFor('pm.liu')}`, t.village!, { branch: '支部 13900000001' });
    expect(edit.statusCode).toBe(400);
    expect(edit.json().error.details[0].path).toBe('body.branch');
  });

  it('lists by jurisdiction: a grid its grid’s members, a town its villages’; phones masked below town, the town’s reads audited', async () => {
    const gridList = await req('GET', '/v1/party-members', t.grid!);
    expect(gridList.statusCode, gridList.body).toBe(200);
    expect(gridList.json().items.map((m: { userId: string }) => m.userId)).toEqual(['pm.liu']);
    const villageList = (await req('GET', `/v1/party-members?org=${UNITS.haigang}`, t.village!)).json();
    expect(villageList.items.map((m: { userId: string }) => m.userId).sort()).toEqual(['pm.liu', 'pm.zhou']);
    expect(villageList.items.every((m: { phone: string }) => m.phone === '139****5678')).toBe(true);
    expect((await req('GET', `/v1/party-members?org=${OTHER_VILLAGE}`, t.village!)).statusCode).toBe(403);
    expect((await req('GET', `/v1/party-members/${memberIdFor('pm.zhou')}`, t.grid!)).statusCode).toBe(403);
    expect((await req('GET', `/v1/party-members/${memberIdFor('pm.zhou')}`, t.otherVillage!)).statusCode).toBe(403);
    expect((await req('GET', `/v1/party-members/${memberIdFor('nobody')}`, t.village!)).statusCode).toBe(404);

    const town = await req('GET', `/v1/party-members?org=${UNITS.jingyuan}&limit=1`, t.town!);
    expect(town.json().items).toHaveLength(1);
    expect(town.json().items[0].phone).toBe('13912345678');
    expect(town.json().nextCursor).not.toBeNull();
    const rest = await req('GET', `/v1/party-members?org=${UNITS.jingyuan}&limit=1&cursor=${town.json().nextCursor}`, t.town!);
    expect(rest.json().items).toHaveLength(1);
    const audit = await eventually(async () => (await ctx.mongo.db.collection('audit').find({ requestId: String(town.headers['x-request-id']) }).toArray())[0], 'the audit record');
    expect(audit).toMatchObject({ reason: 'personal_data_read', personalData: true, action: 'party_member.read' });
    expect((await req('GET', `/v1/party-members?org=${UNITS.haigang}&kind=in_service`, t.village!)).json().items).toEqual([]);
  });

  it('edits (never the login), sets consent (a member their own only), and answers /v1/me/party-member', async () => {
    const id = memberIdFor('pm.zhou');
    const edited = await req('PATCH', `/v1/party-members/${id}`, t.village!, { role: 'committee', unitCode: UNITS.haigangGrid });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json()).toMatchObject({ role: 'committee', gridCode: UNITS.haigangGrid, userId: 'pm.zhou' });
    expect((await req('PATCH', `/v1/party-members/${id}`, t.village!, { userId: 'pm.other' })).statusCode).toBe(400);
    expect((await req('PATCH', `/v1/party-members/${id}`, t.village!, {})).statusCode).toBe(400);
    const moveOut = await req('PATCH', `/v1/party-members/${id}`, t.village!, { unitCode: OTHER_VILLAGE });
    expect(moveOut.statusCode).toBe(403);

    const zhou = await ctx.token('party_member', UNITS.haigang, { user: 'pm.zhou' });
    const liu = await ctx.token('party_member', UNITS.haigang, { user: 'pm.liu' });
    expect((await req('PUT', `/v1/party-members/${id}/consent`, liu, { publicConsent: true })).statusCode).toBe(403);
    const own = await req('PUT', `/v1/party-members/${id}/consent`, zhou, { publicConsent: true });
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json().publicConsent).toBe(true);
    const me = await req('GET', '/v1/me/party-member', zhou);
    expect(me.json()).toMatchObject({ id, publicConsent: true, phone: '139****5678' });
    expect((await req('GET', '/v1/me/party-member', t.village!)).statusCode).toBe(404);
  });
});

describe('双报到: service tasks', () => {
  it('posts idempotently; only in-service members of the community claim; the last slot goes to one of many parallel claims', async () => {
    const inService = ['pm.s1', 'pm.s2', 'pm.s3', 'pm.s4', 'pm.s5'];
    for (const u of inService) expect((await req('POST', '/v1/party-members', t.village!, member(u, { kind: 'in_service', agency: '市供电公司', skills: ['电工'] }))).statusCode).toBe(201);
    const today = localDay(Date.now());
    const body = { title: '检修线路', description: '为独居老人检修家中线路', day: today, hoursExpected: 2, slots: 2, skills: ['电工'], key: 'wires-1' };
    const posted = await req('POST', '/v1/service-tasks', t.village!, body);
    expect(posted.statusCode, posted.body).toBe(201);
    const again = await req('POST', '/v1/service-tasks', t.village!, body);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(posted.json().id);
    const reused = await req('POST', '/v1/service-tasks', t.village!, { ...body, slots: 3 });
    expect(reused.statusCode).toBe(409);
    expect(reused.json().error.details[0]).toMatchObject({ path: 'body.key', code: 'key_reused' });
    expect((await req('POST', '/v1/service-tasks', t.town!, body)).json().error.details[0].path).toBe('body.unitCode');
    const taskId = posted.json().id as string;

    // A resident member is no 双报到 member.
    const resident = await ctx.token('party_member', UNITS.haigang, { user: 'pm.liu' });
    expect((await req('POST', `/v1/service-tasks/${taskId}/claims`, resident, { memberId: memberIdFor('pm.liu') })).statusCode).toBe(403);
    expect((await req('POST', `/v1/service-tasks/${taskId}/claims`, resident, { memberId: memberIdFor('pm.s1') })).statusCode).toBe(403);

    const tokens = await Promise.all(inService.map((u) => ctx.token('party_member', UNITS.haigang, { user: u })));
    expect((await req('POST', `/v1/service-tasks/${taskId}/claims`, tokens[0]!, { memberId: memberIdFor('pm.s1') })).statusCode).toBe(201);
    expect((await req('POST', `/v1/service-tasks/${taskId}/claims`, tokens[0]!, { memberId: memberIdFor('pm.s1') })).statusCode).toBe(409);
    // Four claims at once on the one slot left: exactly one wins.
    const parallel = await Promise.all(tokens.slice(1).map((tk, i) => req('POST', `/v1/service-tasks/${taskId}/claims`, tk, { memberId: memberIdFor(inService[i + 1]!) })));
    expect(parallel.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409]);
    const task = (await req('GET', `/v1/service-tasks/${taskId}`, t.village!)).json();
    expect(task.claimed).toBe(2);
    expect(task.claims.map((c: { slot: number }) => c.slot)).toEqual([1, 2]);

    // Hours: at most 24, not in the future, the member's own claim; confirmed once → service_hour points.
    const s1 = memberIdFor('pm.s1');
    const hoursUrl = `/v1/service-tasks/${taskId}/claims/${s1}/hours`;
    expect((await req('PUT', hoursUrl, tokens[0]!, { hours: 25, day: today })).json().error.details[0].path).toBe('body.hours');
    expect((await req('PUT', hoursUrl, tokens[0]!, { hours: 2, day: localDay(Date.now() + 2 * 86_400_000) })).json().error.details[0].path).toBe('body.day');
    const before = await req('PUT', hoursUrl, tokens[0]!, { hours: 2, day: '2020-01-01' });
    expect(before.statusCode).toBe(400);
    expect(before.json().error.details[0]).toMatchObject({ path: 'body.day', code: 'date_out_of_range' });
    expect((await req('PUT', hoursUrl, tokens[1]!, { hours: 2, day: today })).statusCode).toBe(403);
    expect((await req('POST', `/v1/service-tasks/${taskId}/claims/${s1}/confirmation`, t.village!, {})).statusCode).toBe(409);
    expect((await req('PUT', hoursUrl, tokens[0]!, { hours: 2.5, day: today })).statusCode).toBe(200);
    expect((await req('POST', `/v1/service-tasks/${taskId}/claims/${s1}/confirmation`, tokens[0]!, {})).statusCode).toBe(403);
    const confirmed = await req('POST', `/v1/service-tasks/${taskId}/claims/${s1}/confirmation`, t.village!, {});
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(confirmed.json().confirmed).toMatchObject({ by: 'village.li', entryId: `task:${taskId}:${s1}` });
    expect((await req('POST', `/v1/service-tasks/${taskId}/claims/${s1}/confirmation`, t.village!, {})).statusCode).toBe(200);
    expect((await req('PUT', hoursUrl, tokens[0]!, { hours: 3, day: today })).statusCode).toBe(409);
    // Free text of a task and of hours is masked below town level.
    const secret = await req('POST', '/v1/service-tasks', t.town!, { ...body, unitCode: UNITS.haigang, title: '陪护 13812345678', description: '身份证 371002196001010011 的老人', key: 'secret-1' });
    expect(secret.statusCode, secret.body).toBe(201);
    for (const token of [t.village!, tokens[1]!]) {
      const seen = await req('GET', `/v1/service-tasks/${secret.json().id}`, token);
      expect(seen.statusCode, seen.body).toBe(200);
      expect(seen.body).not.toContain('13812345678');
      expect(seen.body).not.toContain('371002196001010011');
      expect(seen.json().title).toBe('陪护 138****5678');
    }
    expect((await req('GET', `/v1/service-tasks/${secret.json().id}`, t.town!)).json().title).toBe('陪护 13812345678');
    const ledger = (await req('GET', `/v1/party-members/${s1}/points`, t.village!)).json();
    expect(ledger.entries).toEqual([expect.objectContaining({ id: `task:${taskId}:${s1}`, rule: 'service_hour', quantity: 2.5, points: 3 })]);
  });

  it('an in-service member claims a wish through the helper register (docs/wishes.md)', async () => {
    const s5 = await ctx.token('party_member', UNITS.haigang, { user: 'pm.s5' });
    const helper = await req('POST', '/v1/helpers', s5, { kind: 'party_member', name: '刘党员', unitCode: UNITS.haigang, contact: '13912345678' });
    expect(helper.statusCode, helper.body).toBe(201);
    const hh = await registerHousehold(ctx, t.village!, 14_001);
    const wish = await req('POST', '/v1/wishes', t.village!, { householdId: hh, title: '想修电灯', description: '家中电灯坏了', category: 'service', postedBy: 'household' });
    expect(wish.statusCode, wish.body).toBe(201);
    const wishId = wish.json().caseId as string;
    expect((await req('POST', `/v1/wishes/${wishId}/screening`, t.town!, { decision: 'approve', publicTitle: '老人家中电灯需维修' })).statusCode).toBe(200);
    const claimed = await req('POST', `/v1/wishes/${wishId}/claim`, s5, { helperId: helper.json().id });
    expect(claimed.statusCode, claimed.body).toBe(200);
    expect(claimed.json().claim.helper).toMatchObject({ kind: 'party_member', userId: 'pm.s5' });
  });
});

describe('三亮 on the unit’s public page', () => {
  it('shows consenting members with this year’s actions and points, nothing of others, no phone or login', async () => {
    const page = await ctx.app.inject({ method: 'GET', url: `/v1/public/units/${UNITS.haigang}` });
    expect(page.statusCode, page.body).toBe(200);
    const { members } = page.json();
    expect(members.year).toBe(Number(localDay(Date.now()).slice(0, 4)));
    // Only 周党员 consented (the previous describe); 刘党员 and the in-service members did not.
    expect(members.members).toEqual([{ name: '周党员', role: 'committee', roleName: '两委成员', branch: '海港社区第一党支部', actions: { visits: 0, contacts: 0, discoveries: 0, wishes: 0, serviceHours: 0 }, points: 0 }]);
    expect(page.body).not.toContain('13912345678');
    expect(page.body).not.toContain('pm.');
    expect(page.body).not.toContain('刘党员');

    // A staff award shows in 亮成绩; withdrawing consent hides the member.
    const award = await req('POST', '/v1/points', t.village!, { memberId: memberIdFor('pm.zhou'), rule: 'show_identity', on: localDay(Date.now()), note: '佩戴党员徽章', key: 'badge' });
    expect(award.statusCode).toBe(201);
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/public/units/${UNITS.haigang}` })).json().members.members[0].points).toBe(1);
    expect((await req('PUT', `/v1/party-members/${memberIdFor('pm.zhou')}/consent`, t.village!, { publicConsent: false })).statusCode).toBe(200);
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/public/units/${UNITS.haigang}` })).json().members.members).toEqual([]);
  });
});
