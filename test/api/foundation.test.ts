import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { hasForbiddenCharacter } from '../../domain/text';
import { freePort } from '../../scripts/lib/proc';
import { startMongo } from '../../scripts/lib/stack';
import { connectMongo } from '../../store/mongo';
import { authz, createTestContext, idNumber, JWT_SECRET, registerHousehold, UNITS, type TestContext } from '../helpers/context';
import { insecureDevPiiKeys } from '../../config';
import { piiKeyring } from '../../store/pii';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext('foundation');
});
afterAll(async () => ctx?.close());

const get = (url: string, token?: string) => ctx.app.inject({ method: 'GET', url, headers: token ? authz(token) : {} });

describe('health and readiness', () => {
  it('/health answers while the process is alive, without a token', async () => {
    const res = await get('/health');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('/ready answers ready when Temporal and MongoDB both answer', async () => {
    const res = await get('/ready');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', checks: { temporal: { ok: true }, mongodb: { ok: true } } });
  });

  it('/ready answers 503 naming MongoDB once its server is stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jiuzhu-ready-'));
    const port = await freePort();
    const server = await startMongo({ port, dataDir: dir }, () => undefined);
    const mongo = await connectMongo(`mongodb://127.0.0.1:${port}/`, 'ready', piiKeyring(insecureDevPiiKeys()));
    const app = await buildApp({ config: ctx.config, mongo, temporal: ctx.temporal, logger: false });
    try {
      expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
      await server.stop();
      const res = await app.inject({ method: 'GET', url: '/ready' });
      expect(res.statusCode).toBe(503);
      const body = res.json();
      expect(body.status).toBe('not_ready');
      expect(body.checks.temporal.ok).toBe(true);
      expect(body.checks.mongodb.ok).toBe(false);
      expect(body.checks.mongodb.error).toMatch(/.+/);
    } finally {
      await app.close();
      await mongo.client.close(true);
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('request ids', () => {
  it('are the server’s own, whatever x-request-id the client sends (the audit record is keyed by them)', async () => {
    const first = await ctx.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'chosen-by-client' } });
    const second = await ctx.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'chosen-by-client' } });
    expect(first.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
  });
});

describe('paths that are not valid UTF-8', () => {
  it('are 400 invalid_encoding in the one error shape, not the framework’s own body', async () => {
    for (const url of ['/v1/cases/%FF', '/v1/public/reports/%C0%AF']) {
      const res = await ctx.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toEqual({ error: { code: 'invalid_encoding', message: expect.any(String) } });
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });
});

describe('authentication', () => {
  it('401 without a token, in the one error shape', async () => {
    const res = await get('/v1/me');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: 'unauthorized', reason: 'token_missing', message: expect.stringContaining('missing bearer token') } });
  });

  it('401 for an expired token', async () => {
    const expired = await ctx.token('town_staff', UNITS.jingyuan, { expiresIn: Math.floor(Date.now() / 1000) - 60 });
    const res = await get('/v1/me', expired);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toBe('token expired');
  });

  it('401 for a token signed with another secret', async () => {
    const forged = await new SignJWT({ role: 'admin', org: UNITS.city })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('mallory')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('not-the-secret-not-the-secret-0000'));
    const res = await get('/v1/me', forged);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toBe('token signature invalid');
  });

  it('401 for an unsigned ("alg: none") token and for a malformed header', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ sub: 'x', role: 'admin', org: UNITS.city, exp: Math.floor(Date.now() / 1000) + 3600 })).toString('base64url');
    expect((await get('/v1/me', `${header}.${payload}.`)).statusCode).toBe(401);
    const res = await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: 'Basic abc' } });
    expect(res.statusCode).toBe(401);
  });

  it('401 for a token whose unit does not exist or whose role is unknown', async () => {
    const ghost = await ctx.token('town_staff', '371099001');
    expect((await get('/v1/me', ghost)).statusCode).toBe(401);
    const badRole = await new SignJWT({ role: 'mayor', org: UNITS.city }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(JWT_SECRET));
    const res = await get('/v1/me', badRole);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toMatch(/role/);
  });

  it('/v1/me tells who the caller is, with the unit and its path', async () => {
    const t = await ctx.token('town_supervisor', UNITS.jingyuan, { user: 'li.wei' });
    const res = await get('/v1/me', t);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      userId: 'li.wei',
      role: 'town_supervisor',
      roleName: '镇(街道)督办负责人',
      unit: { code: UNITS.jingyuan, name: '鲸园街道', level: 'town' },
      path: [{ code: UNITS.city, name: '威海市' }, { code: UNITS.huancui, name: '环翠区' }, { code: UNITS.jingyuan, name: '鲸园街道' }],
    });
  });
});

describe('jurisdiction', () => {
  it('a unit with its children, within reach; 403 for a sibling town; 404 for an unknown code', async () => {
    const t = await ctx.token('town_supervisor', UNITS.jingyuan);
    const own = await get(`/v1/org-units/${UNITS.jingyuan}`, t);
    expect(own.statusCode).toBe(200);
    expect(own.json().children.map((c: { code: string }) => c.code)).toContain(UNITS.haigang);
    const sibling = await get(`/v1/org-units/${UNITS.huancuilou}`, t);
    expect(sibling.statusCode).toBe(403);
    expect(sibling.json().error.code).toBe('forbidden');
    expect((await get('/v1/org-units/371099001', t)).statusCode).toBe(404);
  });

  it('403 when acting outside the jurisdiction; the household is not written', async () => {
    const other = await ctx.token('town_staff', UNITS.huancuilou);
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/v1/households',
      headers: authz(other),
      payload: { headName: '王五', headIdNumber: idNumber(501), address: '海港路1号', phone: '13800000001', unitCode: UNITS.haigang },
    });
    expect(res.statusCode).toBe(403);
    expect(await ctx.mongo.db.collection('households').countDocuments({ headIdNumber: idNumber(501) })).toBe(0);
  });

  it('403 for a city monitor’s write, while the monitor reads everywhere', async () => {
    const monitor = await ctx.token('city_monitor', UNITS.city);
    const write = await ctx.app.inject({
      method: 'POST',
      url: '/v1/households',
      headers: authz(monitor),
      payload: { headName: '赵六', headIdNumber: idNumber(502), address: '海港路2号', phone: '13800000002', unitCode: UNITS.haigang },
    });
    expect(write.statusCode).toBe(403);
    expect(write.json().error.message).toMatch(/read-only/);
    expect((await get(`/v1/org-units/${UNITS.huancuilou}`, monitor)).statusCode).toBe(200);
  });
});

describe('households', () => {
  it('registers a household; personal fields are masked below town level (the ID number for everyone there; the rest but for those who act on it, issue 14)', async () => {
    const village = await ctx.token('village_staff', UNITS.haigang);
    const id = await registerHousehold(ctx, village, 601);
    const byNeed = (await get(`/v1/households/${id}`, village)).json();
    expect(byNeed.headIdNumber).toMatch(/^3710\*{10}\d{3}[\dX]$/);
    expect(byNeed.headName).toBe('张601');
    const masked = (await get(`/v1/households/${id}`, await ctx.token('party_member', UNITS.haigang))).json();
    expect(masked.headIdNumber).toMatch(/^3710\*{10}\d{3}[\dX]$/);
    expect(masked.headName).toBe('张***');
    const town = await ctx.token('town_staff', UNITS.jingyuan);
    const full = (await get(`/v1/households/${id}`, town)).json();
    expect(full.headIdNumber).toBe(idNumber(601));
    expect(full.headName).toBe('张601');
    expect(full.orgPath).toEqual([UNITS.city, UNITS.huancui, UNITS.jingyuan, UNITS.haigang]);
  });

  it('400 naming the field for a bad ID number check digit', async () => {
    const village = await ctx.token('village_staff', UNITS.haigang);
    const good = idNumber(602);
    const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/v1/households',
      headers: authz(village),
      payload: { headName: '钱七', headIdNumber: bad, address: '海港路3号', phone: '13800000003', unitCode: UNITS.haigang },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe('bad_request');
    expect(body.error.details).toEqual([{ path: 'body.headIdNumber', code: 'invalid_id_number', message: expect.stringMatching(/check digit/) }]);
  });

  it('409 for a second registration of the same head of household, pointing at the first', async () => {
    const village = await ctx.token('village_staff', UNITS.haigang);
    const id = await registerHousehold(ctx, village, 603);
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/v1/households',
      headers: authz(village),
      payload: { headName: '张603', headIdNumber: idNumber(603), address: '海港路', phone: '13800000000', unitCode: UNITS.haigang },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.details).toEqual([{ path: 'body.headIdNumber', code: 'already_registered', message: expect.any(String), params: { householdId: id } }]);
  });

  it('lists the households of a subtree, paginated', async () => {
    const village = await ctx.token('village_staff', UNITS.haigang);
    for (const seq of [611, 612, 613]) await registerHousehold(ctx, village, seq);
    const town = await ctx.token('town_staff', UNITS.jingyuan);
    const first = (await get(`/v1/households?org=${UNITS.haigang}&limit=2`, town)).json();
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const rest = (await get(`/v1/households?org=${UNITS.haigang}&limit=200&cursor=${first.nextCursor}`, town)).json();
    const ids = [...first.items, ...rest.items].map((h: { id: string }) => h.id);
    expect(new Set(ids).size).toBe(ids.length);
    const otherTown = await ctx.token('town_staff', UNITS.huancuilou);
    expect((await get(`/v1/households?org=${UNITS.haigang}`, otherTown)).statusCode).toBe(403);
  });
});

describe('API surface', () => {
  it('serves an OpenAPI 3 document generated from the zod schemas, and docs', async () => {
    const doc = (await get('/openapi.json')).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/me', '/v1/households', '/v1/alerts', '/v1/cases', '/v1/stats/on-time']));
    expect(doc.paths['/v1/households'].post.requestBody).toBeDefined();
    const docs = await get('/docs/');
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toMatch(/html/);
  });

  it('unknown routes and malformed JSON use the one error shape; every response carries a request id', async () => {
    const t = await ctx.token('town_staff', UNITS.jingyuan);
    const missing = await get('/v1/nothing-here', t);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
    const malformed = await ctx.app.inject({ method: 'POST', url: '/v1/households', headers: { ...authz(t), 'content-type': 'application/json' }, payload: '{"headName":' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('bad_request');
    expect(malformed.headers['x-request-id']).toEqual(expect.any(String));
  });
});

describe('text no store can hold (domain/text.ts) is refused on every route, before anything is written', () => {
  it('400 naming the field for a NUL in a household’s name, a public report’s text or contact, a lone surrogate; nothing written', async () => {
    const village = await ctx.token('village_staff', UNITS.haigang);
    const household = await ctx.app.inject({
      method: 'POST',
      url: '/v1/households',
      headers: authz(village),
      payload: { headName: '张\u0000五', headIdNumber: idNumber(641), address: '海港路3号', phone: '13800000003', unitCode: UNITS.haigang },
    });
    expect(household.statusCode).toBe(400);
    expect(household.json().error.details).toEqual([expect.objectContaining({ path: 'body.headName', code: 'invalid_character' })]);
    expect(await ctx.mongo.db.collection('households').countDocuments({ headIdNumber: idNumber(641) })).toBe(0);

    for (const [field, value] of [
      ['text', '问题\u0000有空字符'],
      ['contact', 'a\u0000b'],
      ['text', 'half \ud800 a character'],
      ['text', 'bell \u0007'],
    ] as const) {
      const payload = { unitCode: UNITS.haigang, category: 'other', text: '低保金未到账', [field]: value };
      const res = await ctx.app.inject({ method: 'POST', url: '/v1/public/reports', payload, remoteAddress: '198.51.100.7' });
      expect(res.statusCode, `${field}: ${JSON.stringify(value)}`).toBe(400);
      expect(res.json().error.details).toEqual([expect.objectContaining({ path: `body.${field}`, code: 'invalid_character' })]);
    }
    // Tabs and line breaks are text.
    expect(hasForbiddenCharacter('第一行\n第二行\t制表\r\n')).toBe(false);
  });
});
