import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDay, localMonth } from '../../domain/china-time';
import { COLLECTIONS } from '../../store/collections';
import { memberIdFor } from '../../store/party-members';
import { authz, createTestContext, createUsers, registerHousehold, UNITS, type TestContext } from '../helpers/context';
import { eventually } from '../helpers/wait';

/**
 * The points ledger equal to a hand count after a seeded month (issue 13, "tests that must exist"), end to
 * end on the dev server and FerretDB: members registered through the API; alert visits recorded by
 * members through the API (and one by staff, one by an unregistered login: no points); a wish fulfilled
 * and confirmed by a member helper; staff awards and a reversal; a service task's confirmed hours; pairing
 * contacts recorded on time by a paired member, and discoveries the town decided (one referred, one needing no
 * action) — each through the API and its workflow, the awards reaching the ledger through the projection. Then the ranking, the totals and the ledger are compared with a count written
 * by hand below, from the default policy's points (visit 2, contact 1, discovery 5, wish 10, Party day 2,
 * 亮 1 each, service hour 1).
 */

let ctx: TestContext;
const t: Record<string, string> = {};
const post = (url: string, token: string, payload: unknown) => ctx.app.inject({ method: 'POST', url, headers: authz(token), payload: payload as object });
const put = (url: string, token: string, payload: unknown) => ctx.app.inject({ method: 'PUT', url, headers: authz(token), payload: payload as object });
const get = (url: string, token: string) => ctx.app.inject({ method: 'GET', url, headers: authz(token) });

const BRANCH_1 = '海港社区第一党支部';
const BRANCH_2 = '海港社区第二党支部';
const MEMBERS = {
  a: { userId: 'pm.a', name: '王一', phone: '13900000001', role: 'member', branch: BRANCH_1, unitCode: UNITS.haigangGrid },
  b: { userId: 'pm.b', name: '李二', phone: '13900000002', role: 'committee', branch: BRANCH_1, unitCode: UNITS.haigang },
  c: { userId: 'pm.c', name: '赵三', phone: '13900000003', role: 'activist', branch: BRANCH_2, unitCode: UNITS.haigang },
  d: { userId: 'pm.d', name: '钱四', phone: '13900000004', role: 'member', branch: BRANCH_2, unitCode: UNITS.haigang, kind: 'in_service', agency: '威海市立医院', skills: ['医疗'] },
} as const;
const id = (k: keyof typeof MEMBERS) => memberIdFor(MEMBERS[k].userId);

beforeAll(async () => {
  ctx = await createTestContext('points_e2e');
  await ctx.startWorker();
  t.village = await ctx.token('village_staff', UNITS.haigang, { user: 'village.li' });
  t.town = await ctx.token('town_staff', UNITS.jingyuan, { user: 'town.zhao' });
  await createUsers(ctx, Object.values(MEMBERS).map((m) => ({ login: m.userId, role: 'party_member' as const, unitCode: m.unitCode, name: m.name })));
  for (const k of Object.keys(MEMBERS) as (keyof typeof MEMBERS)[]) {
    t[k] = await ctx.token('party_member', UNITS.haigang, { user: MEMBERS[k].userId });
    const res = await post('/v1/party-members', t.village, MEMBERS[k]);
    expect(res.statusCode, res.body).toBe(201);
  }
  t.stranger = await ctx.token('party_member', UNITS.haigang, { user: 'pm.unregistered' });
}, 60_000);
afterAll(async () => ctx?.close());

async function visitedAlert(seq: number, token: string, level: 'orange' | 'yellow' = 'orange') {
  const hh = await registerHousehold(ctx, t.village!, seq);
  const alert = await post('/v1/alerts', t.village!, { householdId: hh, level, reasons: ['独居老人'] });
  expect(alert.statusCode, alert.body).toBe(201);
  const caseId = alert.json().caseId as string;
  const visit = await post(`/v1/alerts/${caseId}/visits`, token, { visitors: ['王一'], visitedAt: new Date().toISOString(), outcome: 'stable', notes: '入户走访' });
  expect(visit.statusCode, visit.body).toBe(200);
  return caseId;
}

describe('the points ledger after a seeded month', () => {
  it('equals the hand count: totals, the ledger and the branch rankings', async () => {
    const today = localDay(Date.now());
    const month = localMonth(Date.now());
    const year = Number(month.slice(0, 4));

    // Alert visits that met the alert's deadline: A twice, B once (2 points each); staff's and an unregistered
    // login's earn nothing. B visits a yellow alert twice: the first meets this week's visit, the second meets
    // no deadline (the next week has not begun) and earns nothing — once per deadline, not per visit.
    const visitA1 = await visitedAlert(13_001, t.a!);
    await visitedAlert(13_002, t.b!);
    await visitedAlert(13_003, t.a!);
    await visitedAlert(13_004, t.village!);
    await visitedAlert(13_005, t.stranger!);
    const yellow = await visitedAlert(13_009, t.b!, 'yellow');
    const again = await post(`/v1/alerts/${yellow}/visits`, t.b!, { visitors: ['李二'], visitedAt: new Date().toISOString(), outcome: 'stable', notes: '再次走访' });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().visits).toHaveLength(2);

    // A wish fulfilled by B as their own helper and confirmed: 10 points (the policy's wish_fulfilled).
    const helper = await post('/v1/helpers', t.b!, { kind: 'party_member', name: '李二', unitCode: UNITS.haigang, contact: '13900000002' });
    expect(helper.statusCode, helper.body).toBe(201);
    const hh = await registerHousehold(ctx, t.village!, 13_006);
    const wish = await post('/v1/wishes', t.village!, { householdId: hh, title: '想要一台轮椅', description: '老人腿脚不便', category: 'material', postedBy: 'household' });
    expect(wish.statusCode, wish.body).toBe(201);
    const wishId = wish.json().caseId as string;
    expect((await post(`/v1/wishes/${wishId}/screening`, t.town!, { decision: 'approve', publicTitle: '独居老人需要一台轮椅' })).statusCode).toBe(200);
    expect((await post(`/v1/wishes/${wishId}/claim`, t.b!, { helperId: helper.json().id })).statusCode).toBe(200);
    expect((await post(`/v1/wishes/${wishId}/fulfilment`, t.b!, { text: '轮椅已送到' })).statusCode).toBe(200);
    expect((await post(`/v1/wishes/${wishId}/confirmation`, t.village!, { confirmedBy: 'household' })).statusCode).toBe(200);

    // Staff awards: Party day for A and B (2 each); 亮身份 and 亮行动 for C (1 each), then 亮行动 reversed.
    const award = (member: keyof typeof MEMBERS, rule: string, key: string) => post('/v1/points', t.village!, { memberId: id(member), rule, on: today, note: `${rule} ${member}`, key });
    for (const [m, rule, key] of [['a', 'party_day_attendance', 'pd-a'], ['b', 'party_day_attendance', 'pd-b'], ['c', 'show_identity', 'si-c'], ['c', 'show_action', 'sa-c']] as const) {
      const res = await award(m, rule, key);
      expect(res.statusCode, res.body).toBe(201);
    }
    const reversed = await post(`/v1/points/${encodeURIComponent(`award:${id('c')}:sa-c`)}/reversal`, t.village!, { reason: '重复登记' });
    expect(reversed.statusCode, reversed.body).toBe(201);
    expect(reversed.json()).toMatchObject({ points: -1, reverses: `award:${id('c')}:sa-c`, reason: '重复登记', month });

    // 双报到: D claims a task, records 3 hours, the community confirms: 3 points.
    const task = await post('/v1/service-tasks', t.village!, { title: '义诊', description: '为社区老人测血压', day: today, hoursExpected: 3, slots: 2, key: 'yizhen' });
    expect(task.statusCode, task.body).toBe(201);
    const taskId = task.json().id as string;
    expect((await post(`/v1/service-tasks/${taskId}/claims`, t.d!, { memberId: id('d') })).statusCode).toBe(201);
    expect((await put(`/v1/service-tasks/${taskId}/claims/${id('d')}/hours`, t.d!, { hours: 3, day: today })).statusCode).toBe(200);
    expect((await post(`/v1/service-tasks/${taskId}/claims/${id('d')}/confirmation`, t.village!, {})).statusCode).toBe(200);

    // Pairing (帮包): a 低保 household of the village is paired with C, who records a contact on time (1 point,
    // the contact_on_time claim the pairing's event carries) and another at once: an extra contact in the same
    // 30-day period (onTime null), which earns nothing.
    const paired = await registerHousehold(ctx, t.village!, 13_007, UNITS.haigang, ['minimum_subsistence']);
    const pairingId = `pairing-${paired}`;
    await eventually(async () => ((await get(`/v1/pairings/${pairingId}`, t.village!)).statusCode === 200 ? true : undefined), 'the pairing opened');
    const assigned = await post(`/v1/pairings/${pairingId}/assign`, t.village!, { memberId: id('c') });
    expect(assigned.statusCode, assigned.body).toBe(200);
    for (const [note, onTime] of [['电话问候', true], ['再次电话了解用药', null]] as const) {
      const contact = await post(`/v1/pairings/${pairingId}/contact`, t.c!, { channel: 'phone', day: today, note });
      expect(contact.statusCode, contact.body).toBe(200);
      expect(contact.json().lastContact).toMatchObject({ onTime });
    }
    // Active discovery (主动发现): A reports a household in difficulty; the town refers it (a confirmed
    // discovery, 5 points); a report the town finds needs no action earns nothing.
    const found = await registerHousehold(ctx, t.village!, 13_008);
    const discovered = async (key: string) => {
      const res = await post('/v1/discoveries', t.a!, { key, householdId: found, focusGroup: 'major_illness', situation: '户主突发重病住院', urgency: 'urgent' });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().caseId as string;
    };
    const confirmed = await post(`/v1/discoveries/${await discovered('d-1')}/decide`, t.town!, { outcome: 'referral', referredTo: '镇卫生院' });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    const noAction = await post(`/v1/discoveries/${await discovered('d-2')}/decide`, t.town!, { outcome: 'no_action', reason: '经核实已纳入低保' });
    expect(noAction.statusCode, noAction.body).toBe(200);

    // The hand count.
    const HAND = { a: 2 + 2 + 2 + 5, b: 2 + 2 + 10 + 2, c: 1 + 1 - 1 + 1, d: 3 };
    expect(HAND).toEqual({ a: 11, b: 16, c: 2, d: 3 });

    // The projection writes awards asynchronously to the API's answer (the worker's activity): wait for them.
    const ENTRIES = 4 + 1 + 4 + 1 + 1 + 1 + 1; // visits, wish, awards, reversal, service hours, contact, discovery
    const count = () => ctx.mongo.db.collection(COLLECTIONS.pointsLedger).countDocuments({ orgPath: UNITS.haigang, month });
    await eventually(async () => (await count()) >= ENTRIES || undefined, 'the ledger’s entries');
    expect(await count()).toBe(ENTRIES);
    for (const k of Object.keys(HAND) as (keyof typeof HAND)[]) {
      const ledger = await get(`/v1/party-members/${id(k)}/points?year=${year}`, t.village!);
      expect(ledger.statusCode, ledger.body).toBe(200);
      expect(ledger.json().total, `member ${k}`).toBe(HAND[k]);
    }
    const ledgerA = (await get(`/v1/party-members/${id('a')}/points`, t.a!)).json();
    expect(ledgerA.entries.map((e: { rule: string }) => e.rule).sort()).toEqual(['discovery_confirmed', 'party_day_attendance', 'visit', 'visit']);
    expect(ledgerA.entries.find((e: { source: { id: string } }) => e.source.id === visitA1)).toMatchObject({ rule: 'visit', points: 2, branch: BRANCH_1, villageCode: UNITS.haigang, recordedBy: 'system' });
    const ledgerC = (await get(`/v1/party-members/${id('c')}/points`, t.village!)).json();
    expect(ledgerC.entries.find((e: { id: string }) => e.id === `award:${id('c')}:sa-c`)).toMatchObject({ reversedBy: `award:${id('c')}:sa-c:reversal` });

    const expected = {
      branches: [
        { villageCode: UNITS.haigang, branch: BRANCH_1, members: [{ rank: 1, memberId: id('b'), name: '李二', points: 16 }, { rank: 2, memberId: id('a'), name: '王一', points: 11 }] },
        { villageCode: UNITS.haigang, branch: BRANCH_2, members: [{ rank: 1, memberId: id('d'), name: '钱四', points: 3 }, { rank: 2, memberId: id('c'), name: '赵三', points: 2 }] },
      ],
    };
    for (const q of [`month=${month}`, `year=${year}`]) {
      const ranking = await get(`/v1/points/rankings?org=${UNITS.haigang}&${q}`, t.village!);
      expect(ranking.statusCode, ranking.body).toBe(200);
      expect(ranking.json(), q).toMatchObject(expected);
    }
    // The town ranks its villages' members the same; a grid's ranking holds only the grid's member (A).
    expect((await get(`/v1/points/rankings?org=${UNITS.jingyuan}&month=${month}`, t.town!)).json()).toMatchObject(expected);
    const grid = await get(`/v1/points/rankings?month=${month}`, await ctx.token('grid_worker', UNITS.haigangGrid));
    expect(grid.json().branches).toEqual([{ villageCode: UNITS.haigang, branch: BRANCH_1, members: [expect.objectContaining({ rank: 1, memberId: id('a'), points: 11 })] }]);
    // Another month holds none of it.
    expect((await get(`/v1/points/rankings?org=${UNITS.haigang}&month=${year - 1}-01`, t.village!)).json().branches).toEqual([]);
  }, 120_000);

  it('awards are idempotent by key (same body 200, other body 409 key_reused); a counter-entry is once, never of a counter-entry', async () => {
    const today = localDay(Date.now());
    const body = { memberId: id('b'), rule: 'show_result', on: today, note: '获评优秀党员', key: 'sr-b' };
    const first = await post('/v1/points', t.village!, body);
    expect(first.statusCode, first.body).toBe(201);
    const again = await post('/v1/points', t.village!, body);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    const other = await post('/v1/points', t.village!, { ...body, note: '另一件事' });
    expect(other.statusCode).toBe(409);
    expect(other.json().error.details).toEqual([expect.objectContaining({ path: 'body.key', code: 'key_reused' })]);

    // Only recorded rules; not in the future; a member within reach.
    const system = await post('/v1/points', t.village!, { ...body, rule: 'visit', key: 'v-b' });
    expect(system.statusCode).toBe(400);
    expect(system.json().error.details[0].path).toBe('body.rule');
    const future = await post('/v1/points', t.village!, { ...body, on: localDay(Date.now() + 3 * 86_400_000), key: 'f-b' });
    expect(future.statusCode).toBe(400);
    expect(future.json().error.details[0].path).toBe('body.on');
    // Dated within the last year (an award of 1900 would never be in a ranking); a key cannot reach another entry's id.
    for (const on of ['1900-01-01', localDay(Date.now() - 400 * 86_400_000)]) {
      const old = await post('/v1/points', t.village!, { ...body, on, key: `old-${on}` });
      expect(old.statusCode, on).toBe(400);
      expect(old.json().error.details[0].path).toBe('body.on');
    }
    const colon = await post('/v1/points', t.village!, { ...body, key: 'sr-b:reversal' });
    expect(colon.statusCode).toBe(400);
    expect(colon.json().error.details[0].path).toBe('body.key');
    // Free text in the ledger is masked below town level (a note, a reason): the one privacy masking.
    const PHONE = '13812345678';
    const ID = '371002196001010011';
    const noted = await post('/v1/points', t.town!, { ...body, note: `联系 ${PHONE} 身份证 ${ID}`, key: 'noted-b' });
    expect(noted.statusCode, noted.body).toBe(201);
    expect(noted.json().note).toContain(PHONE);
    const reversedNoted = await post(`/v1/points/${encodeURIComponent(noted.json().id)}/reversal`, t.town!, { reason: `电话 ${PHONE} 有误` });
    expect(reversedNoted.statusCode).toBe(201);
    for (const token of [t.village!, t.b!]) {
      const ledger = await get(`/v1/party-members/${id('b')}/points`, token);
      expect(ledger.statusCode, ledger.body).toBe(200);
      expect(ledger.body).toContain('138****5678');
      expect(ledger.body).not.toContain(PHONE);
      expect(ledger.body).not.toContain(ID);
    }
    expect((await get(`/v1/party-members/${id('b')}/points`, t.town!)).body).toContain(ID);
    const outside = await post('/v1/points', await ctx.token('village_staff', '371002001002'), { ...body, key: 'o-b' });
    expect(outside.statusCode).toBe(403);
    expect((await post('/v1/points', t.b!, { ...body, key: 'self' })).statusCode).toBe(403);

    const entryId = first.json().id as string;
    expect((await post(`/v1/points/${encodeURIComponent(entryId)}/reversal`, t.village!, { reason: '登记错误' })).statusCode).toBe(201);
    const twice = await post(`/v1/points/${encodeURIComponent(entryId)}/reversal`, t.village!, { reason: '再次' });
    expect(twice.statusCode).toBe(409);
    const ofReversal = await post(`/v1/points/${encodeURIComponent(`${entryId}:reversal`)}/reversal`, t.village!, { reason: '撤销冲正' });
    expect(ofReversal.statusCode).toBe(422);
    expect((await post('/v1/points/no-such-entry/reversal', t.village!, { reason: 'x' })).statusCode).toBe(404);
    // Append-only: the entry is there as written, with its counter-entry beside it.
    const docs = await ctx.mongo.db.collection(COLLECTIONS.pointsLedger).find({ _id: { $in: [entryId, `${entryId}:reversal`] } as never }).toArray();
    expect(docs.map((d) => d.points).sort()).toEqual([-1, 1]);
    expect((await get('/v1/points/rankings?month=2026-13', t.village!)).statusCode).toBe(400);
    for (const q of ['month=0000-01', 'month=1999-12', 'year=1999']) expect((await get(`/v1/points/rankings?${q}`, t.village!)).statusCode, q).toBe(400);
    expect((await get('/v1/points/rankings?month=2026-01&year=2026', t.village!)).statusCode).toBe(400);
    const current = await get('/v1/points/rankings', t.village!);
    expect(current.json()).toMatchObject({ month: localMonth(Date.now()), year: null });
  });
});
