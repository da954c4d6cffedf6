import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLLECTIONS } from '../../store/collections';
import { authz, createTestContext, idNumber, registerHousehold, UNITS, type TestContext } from '../helpers/context';
import { eventually } from '../helpers/wait';

/**
 * Supervision orders (督办单), summons (约谈) and circulars (通报) end to end through the HTTP API, on the
 * dev server and the Mongo-compatible server, with a short policy: a reply may be due from 1 s on, a
 * missed one climbs a rung every 2 s (the time-skipping tests cover the real durations).
 */
const POLICY = { version: 'e2e-orders', orders: { warnAt: 0.5, escalateEvery: 'PT2S', minReplyWithin: 'PT1S', maxReplyWithin: 'P90D' } };

let ctx: TestContext;
const t: Record<string, string> = {};
beforeAll(async () => {
  ctx = await createTestContext('orders_e2e', { policy: POLICY });
  await ctx.startWorker();
  t.grid = await ctx.token('grid_worker', UNITS.haigang, { user: 'grid.chen' });
  t.village = await ctx.token('village_staff', UNITS.haigang, { user: 'village.li' });
  t.town = await ctx.token('town_staff', UNITS.jingyuan, { user: 'town.zhao' });
  t.otherTown = await ctx.token('town_staff', UNITS.huancuilou, { user: 'town.qian' });
  t.district = await ctx.token('district_staff', UNITS.huancui, { user: 'district.zhou' });
  t.otherDistrict = await ctx.token('district_staff', UNITS.wendeng, { user: 'district.wu' });
  t.monitor = await ctx.token('city_monitor', UNITS.city, { user: 'city.monitor' });
});
afterAll(async () => ctx?.close());

const post = (url: string, token: string, payload: unknown) => ctx.app.inject({ method: 'POST', url, headers: authz(token), payload: payload as object });
const get = (url: string, token: string) => ctx.app.inject({ method: 'GET', url, headers: authz(token) });
const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
let keys = 0;
const key = () => `k${Date.now().toString(36)}${(keys += 1)}`;

interface NoticeRow {
  _id: string;
  caseId: string;
  unitCode: string;
  kind: string;
  message: string;
}
const notices = (q: Partial<NoticeRow>) => ctx.mongo.db.collection<NoticeRow>(COLLECTIONS.notifications).find(q).toArray();

async function redAlert(seq: number): Promise<{ hh: string; alertId: string }> {
  const hh = await registerHousehold(ctx, t.village!, seq);
  const res = await post('/v1/alerts', t.village!, { householdId: hh, level: 'red', reasons: ['重病住院'] });
  expect(res.statusCode, res.body).toBe(201);
  return { hh, alertId: res.json().caseId as string };
}

describe('supervision orders', () => {
  it('issue on a case → reply by the village → accept by the district: shown on the case’s page and the unit’s lists; a second issue with the key is the same order', async () => {
    const { alertId } = await redAlert(1);
    const body = { key: key(), caseId: alertId, requirement: '请24小时内入户核实张1家情况并处置', replyBy: inHours(48) };
    const issued = await post('/v1/orders', t.district!, body);
    expect(issued.statusCode, issued.body).toBe(201);
    const order = issued.json();
    expect(order).toMatchObject({ kind: 'order', stage: 'issued', unit: { code: UNITS.haigang }, targetCaseId: alertId, issuer: { unit: { code: UNITS.huancui } }, due: { kind: 'order.reply' } });
    const again = await post('/v1/orders', t.district!, body);
    expect(again.statusCode).toBe(200);
    expect(again.json().caseId).toBe(order.caseId);
    // The same key with another body is not a retry: 409 naming the key, and the first order is unchanged.
    const reused = await post('/v1/orders', t.district!, { ...body, requirement: '另一项要求' });
    expect(reused.statusCode, reused.body).toBe(409);
    expect(reused.json().error.details).toEqual([expect.objectContaining({ path: 'body.key', code: 'key_reused' })]);
    expect(reused.json().error.message).toContain(body.key);
    expect((await post('/v1/orders', t.district!, { ...body, replyBy: inHours(72) })).statusCode).toBe(409);
    expect((await get(`/v1/orders/${order.caseId}`, t.district!)).json().requirement).toBe(body.requirement);
    expect(await notices({ caseId: order.caseId, kind: 'order_issued' })).toEqual([expect.objectContaining({ unitCode: UNITS.haigang })]);

    // The village sees it (its household's name in the requirement: its staff act on the household, privacy by need,
    // issue 14), on the alert's page and in its 待反馈 list.
    const seen = await get(`/v1/orders/${order.caseId}`, t.village!);
    expect(seen.statusCode).toBe(200);
    expect(seen.json().requirement).toBe(body.requirement);
    expect((await get(`/v1/orders/${order.caseId}`, t.town!)).json().requirement).toContain('张1');
    const onCase = await get(`/v1/cases/${alertId}/orders`, t.village!);
    expect(onCase.statusCode).toBe(200);
    expect(onCase.json().items.map((o: { caseId: string }) => o.caseId)).toEqual([order.caseId]);
    const toAnswer = (await get(`/v1/units/${UNITS.haigang}/orders?direction=received&status=open`, t.village!)).json();
    expect(toAnswer.items.map((o: { caseId: string }) => o.caseId)).toContain(order.caseId);
    const issuedList = (await get(`/v1/units/${UNITS.huancui}/orders?direction=issued`, t.district!)).json();
    expect(issuedList.items.map((o: { caseId: string }) => o.caseId)).toContain(order.caseId);

    // The district does not reply for the village, the village does not accept its own reply.
    expect((await post(`/v1/orders/${order.caseId}/accept`, t.district!, {})).statusCode).toBe(409);
    // Another unit deciding on the unreplied order is told it may not (403), not that the order is not replied yet.
    expect((await post(`/v1/orders/${order.caseId}/accept`, t.town!, {})).statusCode).toBe(403);
    expect((await post(`/v1/orders/${order.caseId}/reply`, t.grid!, { text: 'x' })).statusCode).toBe(403);
    const replied = await post(`/v1/orders/${order.caseId}/reply`, t.village!, { text: '已入户核实，已协助申请临时救助', evidence: '走访记录', attachments: ['att-0001'] });
    expect(replied.statusCode, replied.body).toBe(200);
    expect(replied.json()).toMatchObject({ stage: 'replied', due: null });
    const told = await eventually(async () => (await notices({ caseId: order.caseId, kind: 'order_replied' })).at(0), 'the order_replied notice');
    expect(told.unitCode).toBe(UNITS.huancui);
    expect((await post(`/v1/orders/${order.caseId}/accept`, t.village!, {})).statusCode).toBe(403);
    const accepted = await post(`/v1/orders/${order.caseId}/accept`, t.district!, { note: '同意办结' });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toMatchObject({ stage: 'accepted', status: 'closed' });
    expect((await post(`/v1/orders/${order.caseId}/reply`, t.village!, { text: '再次反馈' })).statusCode).toBe(409);
    const deadline = await ctx.mongo.db.collection(COLLECTIONS.deadlines).findOne({ caseId: order.caseId });
    expect(deadline).toMatchObject({ deadlineKind: 'order.reply', outcome: 'on_time', escalations: 0 });
    // The case's own timeline carries the order: its events, in time order with the case's, each naming the order.
    const timeline = (await get(`/v1/cases/${alertId}/escalations`, t.village!)).json().events as { type: string; caseId?: string; at: string }[];
    expect(timeline.filter((e) => e.caseId === order.caseId).map((e) => e.type)).toEqual(expect.arrayContaining(['issued', 'replied', 'reply_accepted']));
    expect(timeline.filter((e) => e.caseId === undefined).map((e) => e.type)).toContain('opened');
    const at = timeline.map((e) => Date.parse(e.at));
    expect(at).toEqual([...at].sort((a, b) => a - b));
  });

  it('a late reply escalates: the town above the village gets the escalation notice, and the reply counts late', async () => {
    const issued = await post('/v1/orders', t.district!, { key: key(), unitCode: UNITS.haigang, requirement: '请报送本月走访台账', replyBy: new Date(Date.now() + 3_000).toISOString() });
    expect(issued.statusCode, issued.body).toBe(201);
    const id = issued.json().caseId as string;
    const escalated = await eventually(async () => {
      const found = await notices({ caseId: id, kind: 'escalated' });
      return found.some((n) => n.unitCode === UNITS.jingyuan) && found;
    }, 'the escalation notice to the town');
    expect(escalated[0]!.message).toContain(id);
    // The issuer's list of overdue replies has it (the case document is written just after its notices).
    await eventually(async () => {
      const overdue = (await get(`/v1/units/${UNITS.huancui}/orders?direction=issued&overdue=true`, t.district!)).json();
      return overdue.items.some((o: { caseId: string }) => o.caseId === id);
    }, 'the order in the district’s overdue list');
    const replied = await post(`/v1/orders/${id}/reply`, t.village!, { text: '已报送' });
    expect(replied.statusCode, replied.body).toBe(200);
    await eventually(async () => (await ctx.mongo.db.collection(COLLECTIONS.deadlines).findOne({ caseId: id, outcome: 'late' })) ?? undefined, 'the reply deadline counted late');
  });

  it('jurisdiction: a district cannot order a unit outside its district, a village or town cannot issue, a reply deadline out of bounds is 422', async () => {
    const body = (extra: Record<string, unknown>) => ({ key: key(), requirement: '请核实', replyBy: inHours(24), ...extra });
    const outside = await post('/v1/orders', t.district!, body({ unitCode: UNITS.wendeng }));
    expect(outside.statusCode).toBe(403);
    expect((await post('/v1/orders', t.otherDistrict!, body({ unitCode: UNITS.haigang }))).statusCode).toBe(403);
    expect((await post('/v1/orders', t.village!, body({ unitCode: UNITS.haigang }))).statusCode).toBe(403);
    expect((await post('/v1/orders', t.town!, body({ unitCode: UNITS.haigang }))).statusCode).toBe(403);
    // A case outside the caller's reach is named like a missing one (422).
    const { alertId } = await redAlert(2);
    const otherCase = await post('/v1/orders', t.otherDistrict!, body({ caseId: alertId }));
    expect(otherCase.statusCode).toBe(422);
    expect(otherCase.json().error.details[0].path).toBe('body.caseId');
    const late = await post('/v1/orders', t.district!, body({ unitCode: UNITS.haigang, replyBy: inHours(24 * 365) }));
    expect(late.statusCode).toBe(422);
    expect(late.json().error.details[0]).toMatchObject({ path: 'body.replyBy', code: 'date_out_of_range' });
    const none = await post('/v1/orders', t.district!, { key: key(), requirement: '请核实', replyBy: inHours(24) });
    expect(none.statusCode).toBe(400);
    // The city monitor issues anywhere (its supervision), and is read-only on cases still.
    expect((await post('/v1/orders', t.monitor!, body({ unitCode: UNITS.wendeng }))).statusCode).toBe(201);
    expect((await post(`/v1/alerts/${alertId}/acknowledgements`, t.monitor!, {})).json().error.message).toMatch(/read-only/);
    // Nothing was written by the refused issues.
    expect(await ctx.mongo.db.collection(COLLECTIONS.cases).countDocuments({ kind: 'order', unitCode: UNITS.wendeng, 'view.issuerUnitCode': UNITS.huancui })).toBe(0);
  });
});

describe('summons and circulars', () => {
  it('a summons with a follow-up action opens its order to the unit, linked to the summons; only the city records one', async () => {
    const body = { key: key(), unitCodes: [UNITS.jingyuan], reason: '红色预警逾期未处置，约谈镇街负责人', actions: [{ unitCode: UNITS.jingyuan, requirement: '一周内完成全部逾期预警的处置并报送', replyBy: inHours(24 * 7) }] };
    expect((await post('/v1/summonses', t.district!, body)).statusCode).toBe(403);
    const toItself = await post('/v1/summonses', t.monitor!, { ...body, key: key(), unitCodes: [UNITS.city], actions: [{ ...body.actions[0]!, unitCode: UNITS.city }] });
    expect(toItself.statusCode).toBe(422);
    expect(toItself.json().error.details[0].path).toBe('body.unitCodes.0');
    // Nor without follow-up actions: the city does not summon itself.
    const bare = await post('/v1/summonses', t.monitor!, { ...body, key: key(), unitCodes: [UNITS.city], actions: [] });
    expect([bare.statusCode, bare.json().error.details[0].path]).toEqual([422, 'body.unitCodes.0']);
    const res = await post('/v1/summonses', t.monitor!, body);
    expect(res.statusCode, res.body).toBe(201);
    const record = res.json();
    expect(record).toMatchObject({ kind: 'summons', units: [{ code: UNITS.jingyuan }], figures: [expect.objectContaining({ unitCode: UNITS.jingyuan })] });
    const orderId = record.actions[0].orderId as string;
    const order = await get(`/v1/orders/${orderId}`, t.town!);
    expect(order.statusCode, order.body).toBe(200);
    expect(order.json()).toMatchObject({ stage: 'issued', unit: { code: UNITS.jingyuan }, origin: { kind: 'summons', id: record.id }, issuer: { unit: { code: UNITS.city } } });
    expect(await notices({ caseId: record.id, kind: 'summons' })).toEqual([expect.objectContaining({ unitCode: UNITS.jingyuan })]);
    // Audited like every write: the record and the order it opened are named.
    const audit = await ctx.mongo.db.collection(COLLECTIONS.audit).findOne({ requestId: String(res.headers['x-request-id']) });
    expect(audit).toMatchObject({ action: 'summons.record', user: { id: 'city.monitor' }, outcome: { status: 201 } });
    expect(audit!.caseIds).toEqual(expect.arrayContaining([record.id, orderId]));
    // Append-only, idempotent by key: the same request answers the record, nothing doubled.
    const again = await post('/v1/summonses', t.monitor!, body);
    expect(again.statusCode).toBe(200);
    // The key with another body is not a retry: 409 naming the key, the record unchanged.
    const reused = await post('/v1/summonses', t.monitor!, { ...body, reason: '另一事由' });
    expect([reused.statusCode, reused.json().error.details[0]]).toEqual([409, expect.objectContaining({ path: 'body.key', code: 'key_reused' })]);
    expect((await get(`/v1/summonses/${record.id}`, t.monitor!)).json().reason).toBe(body.reason);
    expect(await ctx.mongo.db.collection(COLLECTIONS.cases).countDocuments({ kind: 'order', 'view.origin.id': record.id })).toBe(1);
    // The town reads it; a sibling town does not.
    expect((await get(`/v1/summonses/${record.id}`, t.town!)).statusCode).toBe(200);
    expect((await get(`/v1/summonses/${record.id}`, t.otherTown!)).statusCode).toBe(403);
    expect((await get(`/v1/summonses?org=${UNITS.jingyuan}`, t.town!)).json().items.map((r: { id: string }) => r.id)).toContain(record.id);
  });

  it('a circular reaches each named unit’s inbox, and its print page renders in Chinese with the units, figures and cases, masked for the village', async () => {
    const { alertId } = await redAlert(3);
    const person = { name: '张3', idNumber: idNumber(3) };
    const body = { key: key(), unitCodes: [UNITS.haigang, UNITS.huancuilou], reason: `${person.name}（${person.idNumber}）家红色预警逾期未走访，予以通报`, linkedCaseIds: [alertId] };
    const res = await post('/v1/circulars', t.monitor!, body);
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id as string;
    const inbox = await notices({ caseId: id });
    expect(inbox.map((n) => [n.unitCode, n.kind]).sort()).toEqual([
      [UNITS.haigang, 'circular'],
      [UNITS.huancuilou, 'circular'],
    ]);

    const page = await get(`/v1/circulars/${id}/print`, t.village!);
    expect(page.statusCode, page.body).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    for (const text of ['通&#12288;报', '海港社区', UNITS.huancuilou, alertId, '按时办结', '@media print', id]) expect(page.body).toContain(text);
    expect(page.body).not.toContain(person.name);
    expect(page.body).not.toContain(person.idNumber);
    const forCity = await get(`/v1/circulars/${id}/print`, t.monitor!);
    expect(forCity.body).toContain(person.name);
    expect((await get(`/v1/circulars/${id}/print`, t.otherDistrict!)).statusCode).toBe(403);

    // A correction is a new record naming the old; the old is unchanged.
    const fix = await post('/v1/circulars', t.monitor!, { ...body, key: key(), reason: '更正：通报事由', corrects: id });
    expect(fix.statusCode).toBe(201);
    expect(fix.json().corrects).toBe(id);
    expect((await get(`/v1/circulars/${id}`, t.monitor!)).json().reason).toBe(body.reason);
  });
});
