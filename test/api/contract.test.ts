import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DATE_PATTERNS, errorStatusesOf, FILLED_TEXT_PATTERN, numberBehindText, TEXT_PATTERN } from '../../api/contract';
import { hasUnsafeCharacter, PERSON_NAME_PATTERN, zPersonName } from '../../domain/text';
import { DEFAULT_CATALOGUE } from '../../store/catalogue';
import { authz, createTestContext, idNumber, UNITS, type TestContext } from '../helpers/context';

/**
 * The HTTP contract made once for every route (api/contract.ts) on the real app over the suite's servers:
 * what a stored document holds beyond its documented shape never reaches a response (the catalogue after a
 * PUT), an undeclared method on a known path is a 405 with `Allow`, and the OpenAPI declares every status
 * a route can answer and the text rule. The schema-driven probe over all of it is test/fuzz.
 */

let ctx: TestContext;
let admin: string;
let spec: { paths: Record<string, Record<string, { responses: Record<string, unknown>; parameters?: { name: string; in: string; schema: Record<string, unknown> }[]; requestBody?: { content: Record<string, { schema: Record<string, unknown> }> } }>> };

beforeAll(async () => {
  ctx = await createTestContext('contract');
  admin = await ctx.token('admin', UNITS.city);
  spec = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json();
});
afterAll(async () => ctx?.close());

describe('a stored document answers in its documented shape', () => {
  it('PUT /v1/catalogue refuses with 409 to drop a recipient category a household uses, naming the entry; an unused one may go (fresh-eyes on issue 14)', async () => {
    const village = await ctx.token('village_staff', UNITS.haigang);
    const hh = await ctx.app.inject({ method: 'POST', url: '/v1/households', headers: authz(village), payload: { headName: '钱边缘', headIdNumber: idNumber(8801), address: '威海市环翠区海港路88号', phone: '13800008801', unitCode: UNITS.haigang, categories: ['low_income_marginal'] } });
    expect(hh.statusCode, hh.body).toBe(201);
    const dropped = { ...DEFAULT_CATALOGUE, categories: DEFAULT_CATALOGUE.categories.filter((e) => e.code !== 'low_income_marginal') };
    const refused = await ctx.app.inject({ method: 'PUT', url: '/v1/catalogue', headers: authz(admin), payload: dropped });
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.json().error.details).toEqual([{ path: 'body.categories', code: 'category_in_use', message: expect.stringContaining('low_income_marginal'), params: { code: 'low_income_marginal', name: '低保边缘家庭' } }]);
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/catalogue', headers: authz(admin) })).json().categories.map((e: { code: string }) => e.code)).toContain('low_income_marginal');
    // A category nobody uses may be removed.
    const unused = { ...DEFAULT_CATALOGUE, categories: DEFAULT_CATALOGUE.categories.filter((e) => e.code !== 'disaster_victims') };
    expect((await ctx.app.inject({ method: 'PUT', url: '/v1/catalogue', headers: authz(admin), payload: unused })).statusCode).toBe(200);
    expect((await ctx.app.inject({ method: 'PUT', url: '/v1/catalogue', headers: authz(admin), payload: DEFAULT_CATALOGUE })).statusCode).toBe(200);
  });

  it('GET /v1/catalogue answers 200 with what PUT stored, without the bookkeeping fields (issue 11: it was a 500)', async () => {
    const edited = { ...DEFAULT_CATALOGUE, socialForces: [...DEFAULT_CATALOGUE.socialForces, { code: 'charity_fund', name: '慈善基金' }] };
    const put = await ctx.app.inject({ method: 'PUT', url: '/v1/catalogue', headers: authz(admin), payload: edited });
    expect(put.statusCode).toBe(200);
    for (const role of ['admin', 'town_supervisor', 'village_staff'] as const) {
      const token = role === 'admin' ? admin : await ctx.token(role, role === 'town_supervisor' ? UNITS.jingyuan : UNITS.haigang);
      const get = await ctx.app.inject({ method: 'GET', url: '/v1/catalogue', headers: authz(token) });
      expect(get.statusCode, get.body).toBe(200);
      expect(get.json()).toEqual(edited);
    }
  });
});

describe('an undeclared method on a known path', () => {
  it('answers 405 with Allow listing the path’s methods, in the one error shape, before auth and validation', async () => {
    const del = await ctx.app.inject({ method: 'DELETE', url: '/v1/catalogue' });
    expect(del.statusCode).toBe(405);
    expect(del.headers.allow).toBe('GET, HEAD, PUT');
    expect(del.json()).toEqual({ error: { code: 'method_not_allowed', message: expect.stringContaining('DELETE is not allowed on /v1/catalogue') } });

    // A parametric path, with a body full of control characters: still 405 (no route, nothing validated).
    const patch = await ctx.app.inject({ method: 'PATCH', url: '/v1/alerts/alert-x/visits?x=1', headers: authz(admin), payload: { notes: '\u0000' } });
    expect(patch.statusCode).toBe(405);
    expect(patch.headers.allow).toBe('POST');

    const put = await ctx.app.inject({ method: 'PUT', url: '/v1/households', headers: authz(admin), payload: {} });
    expect(put.statusCode).toBe(405);
    expect(put.headers.allow).toBe('GET, HEAD, POST');
  });

  it('leaves an unknown path a 404', async () => {
    const res = await ctx.app.inject({ method: 'DELETE', url: '/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.headers.allow).toBeUndefined();
  });
});

describe('the OpenAPI declares every status a route answers', () => {
  const statuses = (path: string, method: string) => Object.keys(spec.paths[path]?.[method]?.responses ?? {}).sort();

  it('from the route’s options: signed in, guarded, on a case, writing, with a body; 503 everywhere (closing, read model or audit unavailable)', () => {
    expect(errorStatusesOf({ method: 'GET', config: { public: true } })).toEqual([503]);
    // Every role reads the catalogue and there is no target: nothing to refuse, so no 403.
    expect(errorStatusesOf({ method: 'GET', config: { guard: { on: 'catalogue', action: 'read' } } })).toEqual([401, 503]);
    expect(errorStatusesOf({ method: 'PUT', config: { guard: { on: 'catalogue', action: 'edit' } } })).toEqual([400, 401, 403, 413, 415, 503]);
    expect(errorStatusesOf({ method: 'GET', schema: { params: {} }, config: { guard: { on: 'alert', action: 'read', target: 'case' } } })).toEqual([400, 401, 403, 404, 503]);
    expect(errorStatusesOf({ method: 'POST', config: { guard: { on: 'alert', action: 'recordVisit', target: 'case' } } })).toEqual([400, 401, 403, 404, 409, 413, 415, 503]);
  });

  it('in /openapi.json, with the shared error body; public routes without 401', () => {
    expect(statuses('/v1/catalogue', 'get')).toEqual(['200', '401', '503']);
    expect(statuses('/v1/catalogue', 'put')).toEqual(['200', '400', '401', '403', '409', '413', '415', '503']);
    expect(statuses('/v1/alerts/{id}/visits', 'post')).toEqual(['200', '400', '401', '403', '404', '409', '413', '415', '422', '503']);
    expect(statuses('/v1/me', 'get')).toEqual(['200', '401', '503']);
    expect(statuses('/health', 'get')).toEqual(['200', '503']);
    // Public routes are rate-limited (api/public-channel.ts).
    expect(statuses('/v1/public/units/{code}/qr.svg', 'get')).toEqual(['200', '400', '404', '429', '503']);
    const unauthorized = spec.paths['/v1/catalogue']!.get!.responses['401'] as { content: Record<string, { schema: { required: string[] } }> };
    expect(unauthorized.content['application/json']!.schema.required).toEqual(['error']);
  });

  it('states dates as real days in 1900–2100', () => {
    const day = new RegExp(DATE_PATTERNS.date, 'u');
    expect(['1900-01-01', '2000-02-29', '2024-02-29', '2100-12-31'].filter((d) => !day.test(d))).toEqual([]);
    expect(['1899-12-31', '1900-02-29', '2100-02-29', '2023-02-29', '2026-11-31', '2026-12-00', '9999-99-99', '0044-04-24'].filter((d) => day.test(d))).toEqual([]);
    const instant = new RegExp(DATE_PATTERNS.dateTime, 'u');
    expect(instant.test('2026-11-29T10:00:00+08:00') && instant.test('2026-11-29T02:00:00.5Z')).toBe(true);
    expect(instant.test('0020-02-29T00:00:00Z') || instant.test('2026-11-29T10:00:00')).toBe(false);
    const visit = spec.paths['/v1/alerts/{id}/visits']!.post!.requestBody!.content['application/json']!.schema as { properties: Record<string, { pattern?: string }> };
    // zInstant checks twice (the shape, then the years): one bounded pattern, not zod's `allOf` of two unbounded ones.
    expect(visit.properties.visitedAt).toEqual({ type: 'string', format: 'date-time', pattern: DATE_PATTERNS.dateTime });
  });

  it('states a query value parsed from text into a bounded number as that number', () => {
    const limit = z.string().regex(/^\d{1,10}$/).transform(Number).pipe(z.number().int().min(1).max(200)).default(50);
    expect(numberBehindText(limit as never)).toEqual({ type: 'integer', minimum: 1, maximum: 200 });
    expect(numberBehindText(z.string() as never)).toBeUndefined();
    expect(numberBehindText(z.string().transform((t) => t.trim()).pipe(z.string().min(1)) as never)).toBeUndefined();
  });

  it('states the text rule and the refined formats on request fields', () => {
    const visit = spec.paths['/v1/alerts/{id}/visits']!.post!.requestBody!.content['application/json']!.schema as { properties: Record<string, { pattern?: string; items?: { pattern?: string } }> };
    expect(visit.properties.notes!.pattern).toBe(TEXT_PATTERN);
    // A person's name states its own rule (domain/text.ts), which implies the text rule.
    expect(visit.properties.visitors!.items!.pattern).toBe(PERSON_NAME_PATTERN);
    const place = spec.paths['/v1/applications/{id}/deliberation']!.post!.requestBody!.content['application/json']!.schema as { oneOf: { properties: Record<string, { pattern?: string }> }[] };
    expect(place.oneOf[0]!.properties.place!.pattern).toBe(FILLED_TEXT_PATTERN);
    const household = spec.paths['/v1/households']!.post!.requestBody!.content['application/json']!.schema as { properties: Record<string, { format?: string }> };
    expect(household.properties.headIdNumber!.format).toBe('cn-resident-id');
    const cursor = spec.paths['/v1/cases']!.get!.parameters!.find((p) => p.name === 'cursor');
    expect(cursor?.schema.format).toBe('keyset-cursor');
    // The codec server's body is Temporal's protocol data, out of the text rule (api/text-input.ts protocolBody).
    const codec = JSON.stringify(spec.paths['/codec/decode']!.post!.requestBody!.content['application/json']!.schema);
    expect(codec).not.toContain(TEXT_PATTERN);
    expect(codec).not.toContain('propertyNames');
  });

  it('states a person’s name as the API takes it, in any regex engine (no \\s, whose set differs between engines)', () => {
    expect(PERSON_NAME_PATTERN).not.toMatch(/\\[sSdDwWbB]/);
    expect(FILLED_TEXT_PATTERN).not.toMatch(/\\[sSdDwWbB]/);
    const filled = new RegExp(FILLED_TEXT_PATTERN, 'u');
    // A required text is trimmed before its length is counted: white space alone is no text.
    expect([' \u3000\u00A0\uFEFF\t\n', '\u2028'].filter((t) => filled.test(t))).toEqual([]);
    expect(filled.test(' 有内容 ')).toBe(true);
    const pattern = new RegExp(PERSON_NAME_PATTERN, 'u');
    // What the API takes: no unsafe character anywhere (api/text-input.ts, before trimming), then zPersonName.
    const takes = (name: string) => !hasUnsafeCharacter(name) && zPersonName.safeParse(name).success;
    const names = ['张三', ' \t张三\u3000', '\u00A0张三\uFEFF', '张三\u2028', '张\t三', '买买提•艾力', '张·三', '\u000B张三', '张三\u000C', '\u0085张三', '张三\u001C', '·张三', '张三 ·', '张三\u00A0·', '张\u200B三', '', ' \t ', '\u202E张三'];
    expect(names.filter((name) => pattern.test(name) !== takes(name)).map((name) => JSON.stringify(name))).toEqual([]);
  });
});

describe('the codec server’s body is Temporal’s protocol data (api/text-input.ts protocolBody)', () => {
  it('takes metadata keys with control characters, which every other body refuses', async () => {
    const district = await ctx.token('district_staff', UNITS.huancui);
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    const payload = { metadata: { encoding: b64('json/plain'), 'x\u0001\u0085key': b64('v') }, data: b64('"hi"') };
    const encoded = await ctx.app.inject({ method: 'POST', url: '/codec/encode', headers: authz(district), payload: { payloads: [payload] } });
    expect(encoded.statusCode, encoded.body).toBe(200);
    const decoded = await ctx.app.inject({ method: 'POST', url: '/codec/decode', headers: authz(district), payload: encoded.json() });
    expect(decoded.json()).toEqual({ payloads: [payload] });
    // The same key in an ordinary body is refused, naming it.
    const put = await ctx.app.inject({ method: 'PUT', url: '/v1/catalogue', headers: authz(admin), payload: { 'x\u0001': 1 } });
    expect(put.statusCode).toBe(400);
    expect(put.json().error.details).toEqual([expect.objectContaining({ code: 'invalid_character' })]);
  });
});
