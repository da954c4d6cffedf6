import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLLECTIONS } from '../../store/collections';
import { seedOrgUnits } from '../../store/seed';
import { authz, createTestContext, UNITS, type TestContext } from '../helpers/context';

/**
 * The org tree's admin routes (docs/admin.md): search, add a unit below one, rename one. On FerretDB with the
 * seeded Weihai tree: each rule of a new unit's code and name answers 422 naming the field, a taken code 409,
 * a caller without `org.edit` or outside the subtree 403; an added or renamed unit is what the tree shows at
 * once, its audit record is stored, and a re-seed leaves it as the admin made it.
 */

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext('org_units');
});
afterAll(async () => ctx?.close());

const call = async (method: 'GET' | 'POST' | 'PATCH', url: string, token: string, payload?: unknown) =>
  ctx.app.inject({ method, url, headers: authz(token), ...(payload !== undefined ? { payload: payload as object } : {}) });

describe('GET /v1/org-units (search)', () => {
  it('finds units of the caller’s subtree by name or code prefix, with their path’s names; none outside it', async () => {
    const town = await ctx.token('town_staff', UNITS.jingyuan);
    const byName = await call('GET', `/v1/org-units?q=${encodeURIComponent('海港')}`, town);
    expect(byName.statusCode).toBe(200);
    expect(byName.json().items.map((u: { code: string }) => u.code)).toEqual([UNITS.haigang, UNITS.haigangGrid, '371002001001-G02']);
    expect(byName.json().items[0].path.map((p: { name: string }) => p.name)).toEqual(['威海市', '环翠区', '鲸园街道', '海港社区居委会']);
    // 古寨社区 lies in another town: the town's search does not find it, the city's does.
    expect((await call('GET', `/v1/org-units?q=${encodeURIComponent('古寨')}`, town)).json().items).toEqual([]);
    const city = await ctx.token('admin', UNITS.city);
    expect((await call('GET', `/v1/org-units?q=371002002001`, city)).json().items).toMatchObject([{ code: '371002002001', name: '古寨社区居委会', level: 'village' }]);
    expect((await call('GET', `/v1/org-units?q=${encodeURIComponent('x')}&org=${UNITS.huancuilou}`, town)).statusCode).toBe(403);
    const empty = await call('GET', '/v1/org-units?q=', town);
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.details[0].path).toBe('querystring.q');
  });
});

describe('POST /v1/org-units/:code/children', () => {
  it('an admin adds a grid to a village: the tree shows it at once, audited, and a re-seed keeps it', async () => {
    const admin = await ctx.token('admin', UNITS.city, { user: 'admin.li' });
    const res = await call('POST', `/v1/org-units/${UNITS.haigang}/children`, admin, { code: `${UNITS.haigang}-G03`, name: ' 海港社区第三网格 ' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ code: `${UNITS.haigang}-G03`, name: '海港社区第三网格', level: 'grid', parent: UNITS.haigang, path: [UNITS.city, UNITS.huancui, UNITS.jingyuan, UNITS.haigang, `${UNITS.haigang}-G03`], children: [] });
    const village = await call('GET', `/v1/org-units/${UNITS.haigang}`, await ctx.token('village_staff', UNITS.haigang));
    expect(village.json().children.map((c: { code: string }) => c.code)).toContain(`${UNITS.haigang}-G03`);
    // What a unit added below would be, as the form's hint says it.
    expect(village.json()).toMatchObject({ childLevel: 'grid', childCodeExample: `${UNITS.haigang}-G01`, trail: [{ name: '威海市' }, { name: '环翠区' }, { name: '鲸园街道' }, { name: '海港社区居委会' }] });
    expect(res.json()).toMatchObject({ childLevel: null, childCodeExample: null });
    // A grid worker of the new grid is known at once.
    expect((await call('GET', '/v1/me', await ctx.token('grid_worker', `${UNITS.haigang}-G03`))).json().unit).toMatchObject({ name: '海港社区第三网格', level: 'grid' });
    const audit = await ctx.mongo.db.collection(COLLECTIONS.audit).findOne({ route: 'POST /v1/org-units/:code/children', 'user.id': 'admin.li' });
    expect(audit).toMatchObject({ action: 'org.edit', outcome: { status: 201 } });
    await seedOrgUnits(ctx.mongo.db);
    expect(await ctx.mongo.db.collection(COLLECTIONS.orgUnits).findOne({ _id: `${UNITS.haigang}-G03` as never })).toMatchObject({ name: '海港社区第三网格', editedBy: 'admin.li' });
  });

  it('refuses a code that does not extend the parent’s, a unit below a grid, a sibling’s name (422 naming the field) and a taken code (409)', async () => {
    const admin = await ctx.token('admin', UNITS.city);
    const wrong = await call('POST', `/v1/org-units/${UNITS.jingyuan}/children`, admin, { code: '371002002009', name: '新社区' });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().error.details).toMatchObject([{ path: 'body.code', code: 'code_not_under_parent' }]);
    const tooDeep = await call('POST', `/v1/org-units/${UNITS.jingyuan}/children`, admin, { code: '371002001001-G09', name: '新网格' });
    expect(tooDeep.json().error.details).toMatchObject([{ path: 'body.code', code: 'code_not_under_parent' }]);
    const belowGrid = await call('POST', `/v1/org-units/${UNITS.haigangGrid}/children`, admin, { code: `${UNITS.haigangGrid}-G01`, name: '子网格' });
    expect(belowGrid.statusCode).toBe(400); // not even an org code
    const belowGrid2 = await call('POST', `/v1/org-units/${UNITS.haigangGrid}/children`, admin, { code: '371002001009', name: '子网格' });
    expect(belowGrid2.statusCode).toBe(422);
    expect(belowGrid2.json().error.details).toMatchObject([{ path: 'body.code', code: 'no_children' }]);
    const sameName = await call('POST', `/v1/org-units/${UNITS.jingyuan}/children`, admin, { code: '371002001009', name: '北山社区居委会' });
    expect(sameName.statusCode).toBe(422);
    expect(sameName.json().error.details).toMatchObject([{ path: 'body.name', code: 'duplicate_name' }]);
    const taken = await call('POST', `/v1/org-units/${UNITS.jingyuan}/children`, admin, { code: '371002001002', name: '另一个社区' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.details).toMatchObject([{ path: 'body.code', code: 'duplicate_code' }]);
    const control = await call('POST', `/v1/org-units/${UNITS.jingyuan}/children`, admin, { code: '371002001009', name: '新\n社区' });
    expect(control.statusCode).toBe(400);
    expect(control.json().error.details).toMatchObject([{ path: 'body.name', code: 'invalid_character' }]);
    // Nothing half-written.
    expect(await ctx.mongo.db.collection(COLLECTIONS.orgUnits).countDocuments({ _id: { $in: ['371002002009', '371002001009'] } as never })).toBe(0);
  });

  it('403 for a role without org.edit and for an admin outside the subtree; a district admin adds a village to its own town', async () => {
    const body = { code: '371002001010', name: '新建社区居委会' };
    expect((await call('POST', `/v1/org-units/${UNITS.jingyuan}/children`, await ctx.token('town_supervisor', UNITS.jingyuan), body)).statusCode).toBe(403);
    expect((await call('POST', `/v1/org-units/${UNITS.jingyuan}/children`, await ctx.token('admin', UNITS.wendeng), body)).statusCode).toBe(403);
    const ok = await call('POST', `/v1/org-units/${UNITS.jingyuan}/children`, await ctx.token('admin', UNITS.huancui), body);
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ level: 'village', parent: UNITS.jingyuan });
  });
});

describe('the OpenAPI', () => {
  it('states a unit name’s rule as its pattern: not blank, one line, no control character', async () => {
    const spec = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const name = spec.paths['/v1/org-units/{code}/children'].post.requestBody.content['application/json'].schema.properties.name;
    const pattern = new RegExp(name.pattern as string, 'u');
    expect(pattern.test('海港社区第三网格')).toBe(true);
    for (const bad of ['海港\n社区', '海港\t社区', '   ', '海港\u202E社区']) expect(pattern.test(bad), JSON.stringify(bad)).toBe(false);
    expect(spec.paths['/v1/org-units/{code}'].patch.requestBody.content['application/json'].schema.properties.name.pattern).toBe(name.pattern);
  });
});

describe('PATCH /v1/org-units/:code', () => {
  it('renames a unit (the code stays), keeps the former name, survives a re-seed; refuses a sibling’s name', async () => {
    const admin = await ctx.token('admin', UNITS.city, { user: 'admin.wang' });
    const res = await call('PATCH', '/v1/org-units/371002001003', admin, { name: '北山社区' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ code: '371002001003', name: '北山社区', level: 'village' });
    expect((await call('GET', `/v1/org-units/${UNITS.jingyuan}`, admin)).json().children).toContainEqual({ code: '371002001003', name: '北山社区', level: 'village', levelName: '村(社区)' });
    await seedOrgUnits(ctx.mongo.db);
    const stored = await ctx.mongo.db.collection(COLLECTIONS.orgUnits).findOne({ _id: '371002001003' as never });
    expect(stored).toMatchObject({ name: '北山社区', editedBy: 'admin.wang', formerNames: [{ name: '北山社区居委会', by: 'admin.wang' }] });
    const clash = await call('PATCH', '/v1/org-units/371002001003', admin, { name: '戚谷疃社区居委会' });
    expect(clash.statusCode).toBe(422);
    expect(clash.json().error.details).toMatchObject([{ path: 'body.name', code: 'duplicate_name' }]);
    expect((await call('PATCH', '/v1/org-units/371002001003', admin, { name: '' })).statusCode).toBe(400);
    expect((await call('PATCH', '/v1/org-units/371002001003', await ctx.token('village_staff', '371002001003'), { name: '改名' })).statusCode).toBe(403);
  });
});
