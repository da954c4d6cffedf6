import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authz, createTestContext, idNumber, UNITS, type TestContext } from '../helpers/context';
import { idNumberKey, piiOf } from '../../store/pii';

// Issue 11 items 4, 5, 9 and 10 through the API: what bad input gets back (400 naming the field), and that
// nothing of it is stored.
let ctx: TestContext;
let staff: string;
beforeAll(async () => {
  ctx = await createTestContext('input');
  staff = await ctx.token('town_staff', UNITS.jingyuan);
});
afterAll(async () => ctx?.close());

const households = () => ctx.mongo.db.collection('households');
/** The stored household's filter by its head's ID number: stored sealed, found by its blind index (store/pii.ts). */
const byHead = (n: number) => ({ headIdKey: idNumberKey(piiOf(ctx.mongo.db), idNumber(n)) });
const household = (seq: number, over: Record<string, unknown> = {}) => ({
  headName: `张${seq}`,
  headIdNumber: idNumber(seq),
  address: `海港路${seq}号`,
  phone: '13800000000',
  unitCode: UNITS.haigang,
  ...over,
});
const post = (url: string, payload: unknown, token = staff) => ctx.app.inject({ method: 'POST', url, headers: authz(token), payload: payload as Record<string, unknown> });

describe('item 4: text that should never be stored', () => {
  it('a body that is not valid UTF-8 answers 400 invalid_encoding, nothing stored (was: stored with U+FFFD)', async () => {
    const json = Buffer.from(JSON.stringify(household(4001, { headName: 'NAME' })));
    // An encoded lone surrogate (ED A0 80), a truncated sequence (E5 BC) and a Latin-1 byte (E9).
    for (const bad of [Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xe5, 0xbc]), Buffer.from([0xe9])]) {
      const i = json.indexOf('NAME');
      const payload = Buffer.concat([json.subarray(0, i), Buffer.from('张'), bad, json.subarray(i + 4)]);
      const res = await ctx.app.inject({ method: 'POST', url: '/v1/households', headers: { ...authz(staff), 'content-type': 'application/json' }, payload });
      expect(res.statusCode, bad.toString('hex')).toBe(400);
      expect(res.json().error.details).toEqual([expect.objectContaining({ path: 'body', code: 'invalid_encoding' })]);
    }
    expect(await households().countDocuments(byHead(4001))).toBe(0);
  });

  it('bidi overrides and C1 controls anywhere in a body, zero-width characters in a name: 400 invalid_character naming the field', async () => {
    for (const [field, value] of [
      ['headName', '张\u200b三'],
      ['headName', '\u202e三张'],
      ['address', '海港路\u202e1号'],
      ['address', '海港路\u00851号'],
    ] as const) {
      const res = await post('/v1/households', household(4002, { [field]: value }));
      expect(res.statusCode, JSON.stringify(value)).toBe(400);
      expect(res.json().error.details).toEqual([expect.objectContaining({ path: `body.${field}`, code: 'invalid_character' })]);
    }
    const member = await post('/v1/households', household(4002, { members: [{ name: '李\u2060四', idNumber: idNumber(4003), relation: '配偶' }] }));
    expect(member.statusCode).toBe(400);
    expect(member.json().error.details).toEqual([expect.objectContaining({ path: 'body.members.0.name', code: 'invalid_character' })]);
    expect(await households().countDocuments(byHead(4002))).toBe(0);
  });

  it('a control character in the query string is refused the same way', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/v1/households?org=3710%00', headers: authz(staff) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([expect.objectContaining({ path: 'querystring.org', code: 'invalid_character' })]);
  });

  it('a minority name typed with a look-alike separator is stored with U+00B7, in NFC', async () => {
    const typed = ['买买提•艾力', '古丽・努尔', '阿依．沙拉'];
    const res = await post('/v1/households', household(4004, { headName: typed[0], address: 'Cafe\u0301 路1号', members: [{ name: typed[1], idNumber: idNumber(4005), relation: '配偶' }, { name: typed[2], idNumber: idNumber(4006), relation: '子女' }] }));
    expect(res.statusCode, res.body).toBe(201);
    const doc = await households().findOne(byHead(4004));
    expect(doc?.headName).toBe('买买提·艾力');
    expect(doc?.members.map((m: { name: string }) => m.name)).toEqual(['古丽·努尔', '阿依·沙拉']);
    expect(doc?.address).toBe('Caf\u00e9 路1号');
  });
});

describe('item 5: dates that do not exist or cannot be', () => {
  it('a wish needed by a day that does not exist, or years away, is 400 naming neededBy', async () => {
    const village = await ctx.token('village_staff', UNITS.haigang);
    const created = await post('/v1/households', household(5001), village);
    expect(created.statusCode, created.body).toBe(201);
    const householdId = created.json().id as string;
    for (const [neededBy, code] of [
      ['2026-11-31', 'invalid_date'],
      ['2027-02-30', 'invalid_date'],
      ['9999-99-99', 'invalid_format'],
      ['2026-12-00', 'invalid_format'],
      ['2999-01-01', 'invalid_format'],
      ['2100-01-01', 'date_out_of_range'],
      ['1900-01-01', 'date_out_of_range'],
    ] as const) {
      const res = await post('/v1/wishes', { householdId, title: '一台轮椅', description: '老人腿脚不便', category: 'material', neededBy, postedBy: 'staff' }, village);
      expect(res.statusCode, neededBy).toBe(400);
      expect(res.json().error.details, neededBy).toEqual([expect.objectContaining({ path: 'body.neededBy', code })]);
    }
  });

  it('stats periods take only real instants: 2026-11-31 and the year 2999 are 400', async () => {
    for (const from of ['2026-11-31T00:00:00+08:00', '2999-01-01T00:00:00+08:00', '0001-01-01T00:00:00Z']) {
      const res = await ctx.app.inject({ method: 'GET', url: `/v1/stats/on-time?from=${encodeURIComponent(from)}&to=2026-12-01T00:00:00%2B08:00`, headers: authz(staff) });
      expect(res.statusCode, from).toBe(400);
      expect(res.json().error.details[0].path).toBe('querystring.from');
    }
  });
});

describe('item 10: numbers and query strings', () => {
  it('hexadecimal, binary and exponent forms are not integers, in a query or a path', async () => {
    for (const limit of ['0x10', '0b1', '1e1', '+5', '5.0', '', ' 5']) {
      const res = await ctx.app.inject({ method: 'GET', url: `/v1/households?limit=${encodeURIComponent(limit)}`, headers: authz(staff) });
      expect(res.statusCode, JSON.stringify(limit)).toBe(400);
      expect(res.json().error.details[0].path).toBe('querystring.limit');
    }
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/households?limit=5', headers: authz(staff) })).statusCode).toBe(200);
    const admin = await ctx.token('admin', UNITS.city);
    for (const year of ['0x7EA', '2.026e3']) {
      const res = await ctx.app.inject({ method: 'GET', url: `/v1/calendar/${year}/working-days?from=${year}-01-05&days=3`, headers: authz(admin) });
      expect(res.statusCode, year).toBe(400);
    }
  });

  it('an unknown query key is 400 naming it, not dropped (a misspelt filter returned everything)', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: `/v1/cases?stauts=closed`, headers: authz(staff) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([expect.objectContaining({ code: 'unrecognized_keys', params: { keys: ['stauts'] } })]);
    expect(res.json().error.message).toMatch(/stauts/);
  });

  it('contradictory filters are 400 contradictory_filters', async () => {
    for (const [query, path] of [
      ['overdue=true&status=closed', 'querystring.overdue'],
      ['sort=due&status=closed', 'querystring.sort'],
      ['kind=wish&level=red', 'querystring.level'],
    ] as const) {
      const res = await ctx.app.inject({ method: 'GET', url: `/v1/cases?${query}`, headers: authz(staff) });
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.details, query).toEqual([expect.objectContaining({ path, code: 'contradictory_filters' })]);
    }
  });

  it('a cursor the API returned reads the next page; a malformed or tampered one is 400 invalid_cursor', async () => {
    const village = await ctx.token('village_staff', UNITS.haigang);
    for (const seq of [10_001, 10_002, 10_003]) expect((await post('/v1/households', household(seq), village)).statusCode).toBe(201);
    const first = (await ctx.app.inject({ method: 'GET', url: `/v1/households?org=${UNITS.haigang}&limit=1`, headers: authz(staff) })).json();
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await ctx.app.inject({ method: 'GET', url: `/v1/households?org=${UNITS.haigang}&limit=1&cursor=${first.nextCursor}`, headers: authz(staff) });
    expect(second.statusCode).toBe(200);
    expect(second.json().items[0].id).not.toBe(first.items[0].id);

    const [payload, mac] = (first.nextCursor as string).split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ id: '' })).toString('base64url');
    for (const cursor of ['x', payload, `${forged}.${mac}`, `${payload}.${'A'.repeat(22)}`, Buffer.from(JSON.stringify({ id: first.items[0].id })).toString('base64url'), `${first.nextCursor}.x`]) {
      const res = await ctx.app.inject({ method: 'GET', url: `/v1/households?org=${UNITS.haigang}&limit=1&cursor=${encodeURIComponent(cursor)}`, headers: authz(staff) });
      expect(res.statusCode, cursor).toBe(400);
      expect(res.json().error.details, cursor).toEqual([expect.objectContaining({ path: 'querystring.cursor', code: 'invalid_cursor' })]);
    }
  });
});

describe('item 9: people and ID numbers', () => {
  it('one resident ID number is in one household, as head or as member: 409 naming the field, nothing written', async () => {
    const village = await ctx.token('village_staff', UNITS.haigang);
    const first = await post('/v1/households', household(9001, { members: [{ name: '李四', idNumber: idNumber(9002), relation: '配偶' }] }), village);
    expect(first.statusCode, first.body).toBe(201);
    const firstId = first.json().id as string;

    // The first household's member as another household's member, then as its head.
    const asMember = await post('/v1/households', household(9003, { members: [{ name: '王五', idNumber: idNumber(9004), relation: '子女' }, { name: '李四', idNumber: idNumber(9002), relation: '配偶' }] }), village);
    expect(asMember.statusCode).toBe(409);
    expect(asMember.json().error.details).toEqual([{ path: 'body.members.1.idNumber', code: 'already_registered', message: expect.any(String), params: { householdId: firstId } }]);
    expect(asMember.json().error.message).toMatch(/members\.1\.idNumber/);
    const asHead = await post('/v1/households', household(9002, { headName: '李四' }), village);
    expect(asHead.statusCode).toBe(409);
    expect(asHead.json().error.details).toEqual([{ path: 'body.headIdNumber', code: 'already_registered', message: expect.any(String), params: { householdId: firstId } }]);
    // The first household's head as a member elsewhere.
    const headAsMember = await post('/v1/households', household(9005, { members: [{ name: '张9001', idNumber: idNumber(9001), relation: '父亲' }] }), village);
    expect(headAsMember.statusCode).toBe(409);

    // Nothing of the refused households stays: their other numbers are free.
    for (const n of [9003, 9002, 9005]) expect(await households().countDocuments(byHead(n))).toBe(0);
    const again = await post('/v1/households', household(9003, { members: [{ name: '王五', idNumber: idNumber(9004), relation: '子女' }] }), village);
    expect(again.statusCode, again.body).toBe(201);
  });

  it('a 409 names the household holding the number only to those who may read it', async () => {
    const village = await ctx.token('village_staff', UNITS.haigang);
    const held = await post('/v1/households', household(9201), village);
    expect(held.statusCode, held.body).toBe(201);
    // Staff of a village in another town: refused, and told nothing of where the number is held.
    const elsewhere = await ctx.token('village_staff', '371002002001');
    const res = await post('/v1/households', household(9202, { unitCode: '371002002001', members: [{ name: '周七', idNumber: idNumber(9201), relation: '父亲' }] }), elsewhere);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.details).toEqual([{ path: 'body.members.0.idNumber', code: 'already_registered', message: expect.any(String) }]);
    expect(res.body).not.toContain(held.json().id);
  });

  it('the same ID number written with a lower-case x is the same number', async () => {
    const village = await ctx.token('village_staff', UNITS.haigang);
    // Find a sequence whose check character is X.
    let seq = 9100;
    while (!idNumber(seq).endsWith('X')) seq += 1;
    expect((await post('/v1/households', household(seq), village)).statusCode).toBe(201);
    const lower = await post('/v1/households', household(seq + 1000, { members: [{ name: '赵六', idNumber: idNumber(seq).toLowerCase(), relation: '兄弟' }] }), village);
    expect(lower.statusCode).toBe(409);
  });
});
