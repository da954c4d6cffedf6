import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDay } from '../../domain/china-time';
import { memberIdFor, registerMember } from '../../store/party-members';
import type { PartyMember } from '../../domain/party-member';
import { authz, createTestContext, idNumber, registerHousehold, UNITS, type TestContext } from '../helpers/context';
import { sweepPairings } from '../../activities/pairing';
import { registerHousehold as writeHousehold } from '../../store/households';
import { OrgDirectory } from '../../store/org-directory';

/**
 * Pairing (党员帮包) end to end through the HTTP API on the dev server and the Mongo-compatible server, at the
 * default policy (the time-skipping tests cover the durations): a household registered with 低保 gets its
 * pairing; one that newly qualifies gets one, and one that stops qualifying ends it; village staff assign a
 * member of the grid; the member records a visit that meets the household's open orange alert's visit
 * deadline; coverage equals a hand count; a grid's member sees only their grid, a town its villages.
 */

/** Retries `check` until it passes (expectations included), up to 20 s. */
async function eventually<T>(check: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

let ctx: TestContext;
const tokens: Record<string, string> = {};
const G01 = UNITS.haigangGrid;
const G02 = `${UNITS.haigang}-G02`;

const member = (userId: string, unitCode: string, status: PartyMember['status'] = 'active'): PartyMember => ({
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
  gridCode: unitCode.includes('-G') ? unitCode : null,
  orgPath: unitCode.includes('-G') ? ['371000', '371002', '371002001', UNITS.haigang, unitCode] : ['371000', '371002', '371002001', UNITS.haigang],
  status,
  createdAt: new Date().toISOString(),
  createdBy: 'test',
});

beforeAll(async () => {
  ctx = await createTestContext('pairing_e2e');
  await ctx.startWorker();
  // Members are registered through the store (the register's API is another engineer's; the store is the contract).
  for (const m of [member('pm.zhang', G01), member('pm.liu', G02), member('pm.gone', G01, 'inactive')]) expect('created' in (await registerMember(ctx.mongo.db, m))).toBe(true);
  tokens.village = await ctx.token('village_staff', UNITS.haigang, { user: 'village.li' });
  tokens.town = await ctx.token('town_staff', UNITS.jingyuan, { user: 'town.zhao' });
  tokens.otherTown = await ctx.token('town_staff', UNITS.huancuilou, { user: 'town.qian' });
  tokens.zhang = await ctx.token('party_member', G01, { user: 'pm.zhang' });
  tokens.liu = await ctx.token('party_member', G02, { user: 'pm.liu' });
});
afterAll(async () => ctx?.close());

const send = (method: 'POST' | 'PUT', url: string, token: string, payload: unknown) => ctx.app.inject({ method, url, headers: authz(token), payload: payload as object });
const get = (url: string, token: string) => ctx.app.inject({ method: 'GET', url, headers: authz(token) });
/** The pairing once the worker has opened and projected it (the register answers before). */
const pairingOf = (hh: string, stage = 'unpaired') =>
  eventually(async () => {
    const res = await get(`/v1/pairings/pairing-${hh}`, tokens.village!);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().stage).toBe(stage);
    return res.json();
  });

const households: Record<string, string> = {};

describe('opening', () => {
  it('a household registered with 低保 gets its pairing; one registered otherwise does not until it qualifies; one that stops qualifying ends it', async () => {
    households.a = await registerHousehold(ctx, tokens.village!, 9001, G01, ['minimum_subsistence']);
    const a = await pairingOf(households.a);
    expect(a).toMatchObject({ caseId: `pairing-${households.a}`, kind: 'pairing', householdId: households.a, stage: 'unpaired', member: null, categories: ['minimum_subsistence'], unit: { code: UNITS.haigang } });
    expect(a.orgPath.at(-1)).toBe(G01);
    expect(a.due).toMatchObject({ key: 'assign#1' });

    households.b = await registerHousehold(ctx, tokens.village!, 9002, G01);
    expect((await get(`/v1/pairings/pairing-${households.b}`, tokens.village!)).statusCode).toBe(404);
    const qualified = await send('PUT', `/v1/households/${households.b}/categories`, tokens.village!, { categories: ['extreme_poverty', 'low_income_marginal'] });
    expect(qualified.statusCode, qualified.body).toBe(200);
    expect(qualified.json().categories).toEqual(['extreme_poverty', 'low_income_marginal']);
    expect((await pairingOf(households.b)).categories).toEqual(['extreme_poverty']);
    // Setting the same again opens nothing new (idempotent): still the one pairing, unpaired.
    expect((await send('PUT', `/v1/households/${households.b}/categories`, tokens.village!, { categories: ['extreme_poverty'] })).statusCode).toBe(200);
    expect((await pairingOf(households.b)).version).toBeGreaterThanOrEqual(1);

    households.c = await registerHousehold(ctx, tokens.village!, 9003, G01, ['severe_disability']);
    await pairingOf(households.c);
    const stopped = await send('PUT', `/v1/households/${households.c}/categories`, tokens.village!, { categories: [] });
    expect(stopped.statusCode).toBe(200);
    const ended = await pairingOf(households.c!, 'ended');
    expect(ended).toMatchObject({ status: 'closed', ended: { reason: 'no_longer_qualifies' } });

    // A household in the other grid, unpaired: for coverage.
    households.d = await registerHousehold(ctx, tokens.village!, 9004, G02, ['minimum_subsistence']);
    await pairingOf(households.d);
  });

  it('the categories route is guarded and names a bad field', async () => {
    expect((await send('PUT', `/v1/households/${households.a}/categories`, tokens.zhang!, { categories: [] })).statusCode).toBe(403);
    expect((await send('PUT', `/v1/households/${households.a}/categories`, tokens.otherTown!, { categories: [] })).statusCode).toBe(403);
    const bad = await send('PUT', `/v1/households/${households.a}/categories`, tokens.village!, { categories: ['rich'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toMatch(/^body\.categories/);
  });
});

describe('the sweep', () => {
  it('opens the pairing of a qualifying household the register holds without one (a crash between the write and the start), once', async () => {
    // Written straight to the register: the API's start never ran.
    const id = 'hh-00000000e001';
    const written = await writeHousehold(ctx.mongo.db, {
      _id: id,
      headName: '王八一',
      headIdNumber: idNumber(9081),
      members: [],
      address: '威海市环翠区海港路81号',
      phone: '13800000000',
      unitCode: G01,
      villageCode: UNITS.haigang,
      orgPath: ['371000', '371002', '371002001', UNITS.haigang, G01],
      categories: ['severe_disability'],
      createdAt: new Date().toISOString(),
      createdBy: 'test',
    });
    expect('created' in written).toBe(true);
    expect((await get(`/v1/pairings/pairing-${id}`, tokens.village!)).statusCode).toBe(404);
    const deps = { db: ctx.mongo.db, temporal: ctx.temporal, orgs: new OrgDirectory(ctx.mongo.db), taskQueue: ctx.config.temporal.taskQueue, policy: ctx.config.policy.pairing };
    expect(await sweepPairings(deps, UNITS.haigang)).toBeGreaterThanOrEqual(1);
    const opened = await pairingOf(id);
    expect(opened).toMatchObject({ stage: 'unpaired', categories: ['severe_disability'] });
    // Again: the households with an open pairing are not touched (the same run, the same version).
    await sweepPairings(deps, UNITS.haigang);
    await new Promise((r) => setTimeout(r, 500));
    const again = (await get(`/v1/pairings/pairing-${id}`, tokens.village!)).json();
    expect(again.version).toBe(opened.version);
    expect(again.openedAt).toBe(opened.openedAt);
    // The household c stopped qualifying (its pairing ended): the sweep leaves it alone.
    expect((await get(`/v1/pairings/pairing-${households.c}`, tokens.village!)).json()).toMatchObject({ status: 'closed', stage: 'ended' });
    households.e = id;
  });
});

describe('assign and contact', () => {
  it('village staff assign an active member of the household’s grid; other grids, inactive members and members themselves are refused', async () => {
    const id = `pairing-${households.a}`;
    const assign = (token: string, memberId: string) => send('POST', `/v1/pairings/${id}/assign`, token, { memberId });
    expect((await assign(tokens.zhang!, memberIdFor('pm.zhang'))).statusCode).toBe(403);
    const inactive = await assign(tokens.village!, memberIdFor('pm.gone'));
    expect(inactive.statusCode).toBe(422);
    expect(inactive.json().error.details[0].path).toBe('body.memberId');
    const nobody = await assign(tokens.village!, memberIdFor('pm.nobody'));
    expect(nobody.statusCode).toBe(422);
    expect(nobody.json().error).toMatchObject({ message: expect.stringMatching(/^body\.memberId: /), details: [{ path: 'body.memberId', code: 'unknown_reference' }] });
    expect((await assign(tokens.village!, memberIdFor('pm.liu'))).statusCode).toBe(422);
    const ok = await assign(tokens.village!, memberIdFor('pm.zhang'));
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ stage: 'paired', member: { userId: 'pm.zhang', gridCode: G01 }, due: { key: 'contact#1' } });
  });

  it('the member records a visit that meets the household’s open orange alert’s visit deadline', async () => {
    const alert = await send('POST', '/v1/alerts', tokens.village!, { householdId: households.a, level: 'orange', reasons: ['独居老人'] });
    expect(alert.statusCode, alert.body).toBe(201);
    const alertId = alert.json().caseId as string;
    expect(alert.json().due).toMatchObject({ kind: 'alert.orange' });
    // The member's grid token does not reach the alert itself.
    expect((await get(`/v1/alerts/${alertId}`, tokens.zhang!)).statusCode).toBe(403);

    const id = `pairing-${households.a}`;
    const contact = await send('POST', `/v1/pairings/${id}/contact`, tokens.zhang!, { channel: 'visit', day: localDay(Date.now()), note: '入户走访，老人身体尚可', outcome: 'stable' });
    expect(contact.statusCode, contact.body).toBe(200);
    expect(contact.json().lastContact).toMatchObject({ n: 1, channel: 'visit', onTime: true });
    const forwarded = await eventually(async () => {
      const v = (await get(`/v1/pairings/${id}`, tokens.village!)).json();
      expect(v.lastContact.forwarded).toMatchObject({ alertId, status: 'recorded', level: 'orange' });
      return v;
    });
    expect(forwarded.due).toMatchObject({ key: 'contact#2' });
    const shown = await eventually(async () => {
      const a = (await get(`/v1/alerts/${alertId}`, tokens.village!)).json();
      expect(a.visits).toHaveLength(1);
      return a;
    });
    expect(shown.visits[0]).toMatchObject({ by: { userId: 'pm.zhang', role: 'party_member', onBehalfOf: { pairingId: id } } });
    // The orange visit deadline is met (on time: well within its 72 h), by the forwarded visit.
    const orange = shown.deadlines.find((d: { key: string }) => d.key === 'orange#1');
    expect(orange.metAt).not.toBeNull();
    expect(Date.parse(orange.metAt)).toBeLessThanOrEqual(Date.parse(orange.dueAt));

    // Another grid's member may not record on it; a bad day names the field.
    expect((await send('POST', `/v1/pairings/${id}/contact`, tokens.liu!, { channel: 'phone', day: localDay(Date.now()), note: '电话' })).statusCode).toBe(403);
    // Contacts cannot be farmed: a second contact in the same 30-day period is an extra one — no deadline met,
    // not on time, no award — and coverage still counts one deadline (below).
    for (const note of ['再次电话', '又一次电话']) {
      const extra = await send('POST', `/v1/pairings/${id}/contact`, tokens.zhang!, { channel: 'phone', day: localDay(Date.now()), note });
      expect(extra.statusCode, extra.body).toBe(200);
      expect(extra.json().lastContact).toMatchObject({ onTime: null });
      expect(extra.json().lastContact.deadline).toBeUndefined();
      expect(extra.json().deadlines.filter((d: { kind: string }) => d.kind === 'pairing.contact')).toHaveLength(2);
    }
    const future = await send('POST', `/v1/pairings/${id}/contact`, tokens.zhang!, { channel: 'phone', day: '2099-01-01', note: '电话' });
    expect(future.statusCode).toBe(422);
    expect(future.json().error).toMatchObject({ reason: 'date_out_of_range', details: [{ path: 'body.day', code: 'date_out_of_range' }] });
    const bad = await send('POST', `/v1/pairings/${id}/contact`, tokens.zhang!, { channel: 'visit', day: '2026-02-30', note: '走访', outcome: 'stable' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('body.day');
  });
});

describe('reading', () => {
  it('a member sees only their grid’s pairings and lists their own; a town reaches its villages’, another town none', async () => {
    const id = `pairing-${households.a}`;
    expect((await get(`/v1/pairings/${id}`, tokens.zhang!)).statusCode).toBe(200);
    expect((await get(`/v1/pairings/${id}`, tokens.liu!)).statusCode).toBe(403);
    expect((await get(`/v1/pairings/${id}`, tokens.town!)).statusCode).toBe(200);
    expect((await get(`/v1/pairings/${id}`, tokens.otherTown!)).statusCode).toBe(403);
    const mine = (await get('/v1/pairings/mine', tokens.zhang!)).json().items;
    expect(mine.map((p: { caseId: string }) => p.caseId)).toEqual([id]);
    expect(mine[0].nextContactDue).not.toBeNull();
    expect((await get('/v1/pairings/mine', tokens.liu!)).json().items).toEqual([]);
    const g02 = (await get(`/v1/pairings?org=${G02}`, tokens.liu!)).json().items;
    expect(g02.map((p: { householdId: string }) => p.householdId)).toEqual([households.d]);
    expect((await get(`/v1/pairings?org=${G01}`, tokens.liu!)).statusCode).toBe(403);
  });

  it('the unpaired list names households in full for their village’s staff, masked for a member not paired with them; coverage equals a hand count', async () => {
    const unpairedVillage = (await get(`/v1/pairings?org=${UNITS.haigang}&stage=unpaired`, tokens.village!)).json().items;
    expect(unpairedVillage.map((p: { householdId: string }) => p.householdId).sort()).toEqual([households.b, households.d, households.e].sort());
    const b = unpairedVillage.find((p: { householdId: string }) => p.householdId === households.b);
    // Privacy by need (issue 14): the household's village staff see it; a member of its grid paired with another household does not.
    expect(b.household.headName).toBe('张9002');
    const asMember = (await get(`/v1/pairings?org=${G01}&stage=unpaired`, tokens.zhang!)).json().items;
    expect(asMember.find((p: { householdId: string }) => p.householdId === households.b).household.headName).toBe('张****');
    const unpairedTown = (await get(`/v1/pairings?org=${UNITS.haigang}&stage=unpaired`, tokens.town!)).json().items;
    expect(unpairedTown.find((p: { householdId: string }) => p.householdId === households.b).household.headName).toBe('张9002');

    // By hand: G01 qualifies a (paired, its one contact met on time), b and e (unpaired) — c stopped qualifying;
    // G02 qualifies d (unpaired).
    const cov = (await get(`/v1/pairings/coverage?org=${UNITS.haigang}`, tokens.village!)).json();
    expect(cov.unit.code).toBe(UNITS.haigang);
    expect(cov.total).toEqual({ qualifying: 4, paired: 1, unpaired: 3, reassign: 0, contacts: { due: 1, onTime: 1, late: 0, rate: 1 } });
    const byUnit = Object.fromEntries(cov.children.filter((c: { direct?: boolean }) => !c.direct).map((c: { unit: { code: string } }) => [c.unit.code, c]));
    expect(byUnit[G01]).toMatchObject({ qualifying: 3, paired: 1, unpaired: 2, contacts: { due: 1, onTime: 1 } });
    expect(byUnit[G02]).toMatchObject({ qualifying: 1, paired: 0, unpaired: 1, contacts: { due: 0, onTime: 0, rate: null } });
    const town = (await get(`/v1/pairings/coverage?org=${UNITS.jingyuan}`, tokens.town!)).json();
    expect(town.children.find((c: { unit: { code: string } }) => c.unit.code === UNITS.haigang)).toMatchObject({ qualifying: 4, paired: 1, unpaired: 3 });
    expect((await get(`/v1/pairings/coverage?org=${UNITS.jingyuan}`, tokens.otherTown!)).statusCode).toBe(403);
  });
});

describe('fixes after the fresh-eyes pass', () => {
  type Row = { unit: { code: string }; direct?: boolean; qualifying: number; paired: number; unpaired: number; reassign: number; contacts: { due: number; onTime: number } };
  const sum = (rows: Row[], k: 'qualifying' | 'paired' | 'unpaired' | 'reassign') => rows.reduce((n, r) => n + r[k], 0);

  it('an in-service (双报到) member is refused as a pairing’s member (422 naming body.memberId) and is no candidate', async () => {
    const svc = { ...member('pm.svc', G01), kind: 'in_service' as const, agency: '威海市立医院' };
    expect('created' in (await registerMember(ctx.mongo.db, svc))).toBe(true);
    const id = `pairing-${households.b}`;
    const refused = await send('POST', `/v1/pairings/${id}/assign`, tokens.village!, { memberId: memberIdFor('pm.svc') });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.details).toEqual([expect.objectContaining({ path: 'body.memberId', code: 'in_service' })]);
    const candidates = (await get(`/v1/pairings/${id}/candidates`, tokens.village!)).json().items.map((c: { memberId: string }) => c.memberId);
    expect(candidates).toContain(memberIdFor('pm.zhang'));
    expect(candidates).not.toContain(memberIdFor('pm.svc'));
    expect(candidates).not.toContain(memberIdFor('pm.gone'));
  });

  it('the workflow’s refusals of an assignment name the field in the one error shape (details[].path = body.memberId)', async () => {
    const id = `pairing-${households.b}`;
    const other = await send('POST', `/v1/pairings/${id}/assign`, tokens.village!, { memberId: memberIdFor('pm.liu') });
    expect(other.statusCode).toBe(422);
    expect(other.json().error.message).toMatch(/^body\.memberId: /);
    expect(other.json().error.details).toEqual([expect.objectContaining({ path: 'body.memberId', code: 'other_grid' })]);
  });

  it('an inactive member records no contact (403 themselves, 422 staff for them); coverage and the reassign list show the pairing to re-assign', async () => {
    expect('created' in (await registerMember(ctx.mongo.db, member('pm.later', G01)))).toBe(true);
    const later = await ctx.token('party_member', G01, { user: 'pm.later' });
    const id = `pairing-${households.e}`;
    expect((await send('POST', `/v1/pairings/${id}/assign`, tokens.village!, { memberId: memberIdFor('pm.later') })).statusCode).toBe(200);
    await pairingOf(households.e!, 'paired');
    await ctx.mongo.db.collection('party_members').updateOne({ _id: memberIdFor('pm.later') } as never, { $set: { status: 'inactive' } });
    const self = await send('POST', `/v1/pairings/${id}/contact`, later, { channel: 'phone', day: localDay(Date.now()), note: '电话' });
    expect(self.statusCode).toBe(403);
    expect(self.json().error.reason).toBe('member_inactive');
    const staff = await send('POST', `/v1/pairings/${id}/contact`, tokens.village!, { channel: 'phone', day: localDay(Date.now()), note: '代记' });
    expect(staff.statusCode).toBe(422);
    expect(staff.json().error.reason).toBe('member_inactive');
    expect((await get(`/v1/pairings/${id}`, tokens.village!)).json().contacts).toEqual([]);
    const cov = (await get(`/v1/pairings/coverage?org=${UNITS.haigang}`, tokens.village!)).json();
    expect(cov.children.find((c: Row) => c.unit.code === G01 && !c.direct)).toMatchObject({ paired: 1, reassign: 1 });
    const list = (await get(`/v1/pairings?org=${UNITS.haigang}&reassign=true`, tokens.village!)).json().items;
    expect(list.map((p: { caseId: string }) => p.caseId)).toEqual([id]);
    // Re-assigning needs a reason, named as the field at fault; re-assigned to an active member, it counts as paired again.
    const noReason = await send('POST', `/v1/pairings/${id}/assign`, tokens.village!, { memberId: memberIdFor('pm.zhang') });
    expect(noReason.statusCode).toBe(422);
    expect(noReason.json().error.details).toEqual([expect.objectContaining({ path: 'body.reason', code: 'required' })]);
    expect((await send('POST', `/v1/pairings/${id}/assign`, tokens.village!, { memberId: memberIdFor('pm.zhang'), reason: '原帮包党员已停用' })).statusCode).toBe(200);
    await eventually(async () => {
      const again = (await get(`/v1/pairings/coverage?org=${UNITS.haigang}`, tokens.village!)).json();
      expect(again.total.reassign).toBe(0);
    });
  });

  it('coverage has a row for the village’s own households (村(社区)直属): the rows sum to the total', async () => {
    households.f = await registerHousehold(ctx, tokens.village!, 9006, UNITS.haigang, ['minimum_subsistence']);
    await pairingOf(households.f!);
    const cov = (await get(`/v1/pairings/coverage?org=${UNITS.haigang}`, tokens.village!)).json();
    const direct = cov.children.find((c: Row) => c.direct);
    expect(direct).toMatchObject({ unit: { code: UNITS.haigang }, qualifying: 1, paired: 0, unpaired: 1 });
    for (const k of ['qualifying', 'paired', 'unpaired', 'reassign'] as const) expect(sum(cov.children, k), k).toBe(cov.total[k]);
  });

  it('a category edit does not reopen a pairing ended because the household moved away (only no_longer_qualifies reopens)', async () => {
    const id = `pairing-${households.d}`;
    const ended = await send('POST', `/v1/pairings/${id}/end`, tokens.village!, { reason: 'moved_away' });
    expect(ended.statusCode, ended.body).toBe(200);
    // Its run has finished, so a start with USE_EXISTING would start a new one.
    await eventually(async () => expect((await ctx.temporal.workflow.getHandle(id).describe()).status.name).toBe('COMPLETED'));
    const closed = await pairingOf(households.d!, 'ended');
    expect((await send('PUT', `/v1/households/${households.d}/categories`, tokens.village!, { categories: ['minimum_subsistence', 'other'] })).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await get(`/v1/pairings/${id}`, tokens.village!)).json()).toMatchObject({ status: 'closed', ended: { reason: 'moved_away' }, openedAt: closed.openedAt });
    expect((await ctx.temporal.workflow.getHandle(id).describe()).status.name).toBe('COMPLETED');
    // The household c (ended: no_longer_qualifies) qualifying again is reopened.
    expect((await send('PUT', `/v1/households/${households.c}/categories`, tokens.village!, { categories: ['severe_disability'] })).statusCode).toBe(200);
    await pairingOf(households.c!, 'unpaired');
  });
});
