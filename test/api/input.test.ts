import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authz, createTestContext, idNumber, UNITS, type TestContext } from '../helpers/context';

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
    expect(await households().countDocuments({ headIdNumber: idNumber(4001) })).toBe(0);
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
    expect(await households().countDocuments({ headIdNumber: idNumber(4002) })).toBe(0);
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
    const doc = await households().findOne({ headIdNumber: idNumber(4004) });
    expect(doc?.headName).toBe('买买提·艾力');
    expect(doc?.members.map((m: { name: string }) => m.name)).toEqual(['古丽·努尔', '阿依·沙拉']);
    expect(doc?.address).toBe('Caf\u00e9 路1号');
  });
});
