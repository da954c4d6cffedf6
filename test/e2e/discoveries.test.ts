import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authz, createTestContext, registerHousehold, UNITS, type TestContext } from '../helpers/context';
import { eventually } from '../helpers/wait';

/**
 * Active discovery (主动发现, issue 13 item 5) end to end through the HTTP API on the dev server and the
 * Mongo-compatible server: a member reports → the town's inbox and queue have it → the town decides →
 * the alert or application exists, linked both ways, and the reporter sees the outcome. Jurisdiction and
 * idempotency. (The time-skipping tests cover the assessment deadline at its real durations.)
 */

let ctx: TestContext;
const t: Record<string, string> = {};
const OTHER_VILLAGE = '371002002001';
/** A village of the same town (the town reaches both). */
const SIBLING_VILLAGE = '371002001002';
beforeAll(async () => {
  ctx = await createTestContext('discoveries_e2e');
  await ctx.startWorker();
  t.member = await ctx.token('party_member', UNITS.haigang, { user: 'member.zhang' });
  t.gridMember = await ctx.token('party_member', UNITS.haigangGrid, { user: 'member.grid' });
  t.village = await ctx.token('village_staff', UNITS.haigang, { user: 'village.li' });
  t.town = await ctx.token('town_staff', UNITS.jingyuan, { user: 'town.zhao' });
  t.otherTown = await ctx.token('town_staff', UNITS.huancuilou, { user: 'town.qian' });
  t.otherVillage = await ctx.token('village_staff', OTHER_VILLAGE, { user: 'village.wang' });
});
afterAll(async () => ctx?.close());

const post = (url: string, token: string, payload: unknown) => ctx.app.inject({ method: 'POST', url, headers: authz(token), payload: payload as object });
const get = (url: string, token: string) => ctx.app.inject({ method: 'GET', url, headers: authz(token) });
let keys = 0;
const key = () => `d${Date.now().toString(36)}${(keys += 1)}`;

interface Notice {
  caseId: string;
  kind: string;
  message: string;
}
const inbox = async (token: string): Promise<Notice[]> => {
  const res = await get('/v1/notifications?limit=100', token);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items as Notice[];
};

async function report(token: string, body: Record<string, unknown>) {
  const res = await post('/v1/discoveries', token, { key: key(), focusGroup: 'major_illness', situation: '户主突发重病住院，家中无收入来源', urgency: 'urgent', ...body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { caseId: string; [k: string]: unknown };
}

describe('active discovery: report → the town → alert or application', () => {
  it('a member reports → the town’s inbox and queue have it → the town raises a red alert → linked both ways; the reporter’s notice and 我的上报 show it', async () => {
    const hh = await registerHousehold(ctx, t.village!, 101);
    const d = await report(t.member!, { householdId: hh });
    expect(d).toMatchObject({ kind: 'discovery', status: 'open', stage: 'reported', urgency: 'urgent', town: { code: UNITS.jingyuan }, village: { code: UNITS.haigang }, householdId: hh, outcomeCaseId: null });

    // The town hears of it at once (its inbox), and it heads the town's queue.
    const told = await eventually(async () => (await inbox(t.town!)).find((x) => x.caseId === d.caseId && x.kind === 'discovery_reported'), 'the town’s inbox has the discovery', 5_000);
    expect(told.message).toContain('紧急');
    const queue = await get(`/v1/discoveries?org=${UNITS.jingyuan}&status=open`, t.town!);
    expect(queue.statusCode, queue.body).toBe(200);
    expect(queue.json().items.map((r: { caseId: string }) => r.caseId)).toContain(d.caseId);

    const decided = await post(`/v1/discoveries/${d.caseId}/decide`, t.town!, { outcome: 'alert', level: 'red', note: '立即入户核实' });
    expect(decided.statusCode, decided.body).toBe(200);
    const view = decided.json();
    expect(view).toMatchObject({ status: 'closed', stage: 'decided', decision: { outcome: 'alert', level: 'red' } });
    const alertId = view.outcomeCaseId as string;
    expect(alertId).toMatch(/^alert-hh-/);
    expect(view.links).toEqual([expect.objectContaining({ caseId: alertId, kind: 'alert', direction: 'to' })]);

    // The alert exists, red, for the household, and shows it came from the discovery.
    const alert = await get(`/v1/alerts/${alertId}`, t.village!);
    expect(alert.statusCode, alert.body).toBe(200);
    expect(alert.json()).toMatchObject({ level: 'red', householdId: hh, status: 'open' });
    const alertCase = await get(`/v1/cases/${alertId}`, t.town!);
    expect(alertCase.json().links.cases).toEqual([expect.objectContaining({ caseId: d.caseId, kind: 'discovery', direction: 'from' })]);

    // The reporter is told, and 我的上报 shows the outcome.
    const outcome = await eventually(async () => (await inbox(t.member!)).find((x) => x.caseId === d.caseId && x.kind === 'decided'), 'the reporter’s inbox has the outcome', 5_000);
    expect(outcome.message).toContain('启动预警');
    expect((await inbox(t.member!)).filter((x) => x.caseId === d.caseId && x.kind === 'decided')).toHaveLength(1);
    const mine = await get('/v1/discoveries/mine', t.member!);
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json().items).toEqual([expect.objectContaining({ caseId: d.caseId, status: 'closed', decision: expect.objectContaining({ outcome: 'alert', caseId: alertId }) })]);
    // Another reporter's list does not have it.
    expect((await get('/v1/discoveries/mine', t.gridMember!)).json().items.map((r: { caseId: string }) => r.caseId)).not.toContain(d.caseId);

    // Decided, it is closed: a second decision is refused.
    expect((await post(`/v1/discoveries/${d.caseId}/decide`, t.town!, { outcome: 'no_action', reason: '重复' })).statusCode).toBe(409);
  });

  it('an urgent discovery decided as an application opens temporary assistance (临时遇困人员) by default, linked both ways', async () => {
    const hh = await registerHousehold(ctx, t.village!, 102);
    const d = await report(t.member!, { householdId: hh, focusGroup: 'accident' });
    const decided = await post(`/v1/discoveries/${d.caseId}/decide`, t.town!, { outcome: 'application', labourCapacity: 'illness_or_disability' });
    expect(decided.statusCode, decided.body).toBe(200);
    const view = decided.json();
    expect(view.decision).toMatchObject({ outcome: 'application', category: 'temporary_hardship' });
    const applicationId = view.outcomeCaseId as string;
    const application = await get(`/v1/applications/${applicationId}`, t.town!);
    expect(application.statusCode, application.body).toBe(200);
    expect(application.json()).toMatchObject({ householdId: hh, category: 'temporary_hardship', status: 'open' });
    expect((await get(`/v1/cases/${applicationId}`, t.town!)).json().links.cases).toEqual([expect.objectContaining({ caseId: d.caseId, direction: 'from' })]);
    expect((await get(`/v1/discoveries/${d.caseId}`, t.member!)).json()).toMatchObject({ outcomeCaseId: applicationId, decision: { outcomeName: '启动救助申请' } });
  });

  it('an alert on a household with an open alert raises it (linked); a lowering the alert refuses is not decided (409) and can be decided again', async () => {
    const hh = await registerHousehold(ctx, t.village!, 107);
    const opened = await post('/v1/alerts', t.village!, { householdId: hh, level: 'orange', reasons: ['独居老人'] });
    expect(opened.statusCode, opened.body).toBe(201);
    const alertId = opened.json().caseId as string;
    const d = await report(t.member!, { householdId: hh });
    // Yellow would lower the open orange alert: the town's staff need the supervisor's approval (issue 12), so the alert refuses.
    const lowered = await post(`/v1/discoveries/${d.caseId}/decide`, t.town!, { outcome: 'alert', level: 'yellow' });
    expect(lowered.statusCode, lowered.body).toBe(409);
    expect(lowered.json().error.reason).toBe('outcome_refused');
    const still = (await get(`/v1/discoveries/${d.caseId}`, t.town!)).json();
    expect(still).toMatchObject({ status: 'open', decision: null, openFailures: 1, lastOpenFailure: { outcome: 'alert', refused: true } });
    // Red raises the open alert: the same alert, now red, linked both ways.
    const raised = await post(`/v1/discoveries/${d.caseId}/decide`, t.town!, { outcome: 'alert', level: 'red' });
    expect(raised.statusCode, raised.body).toBe(200);
    expect(raised.json().outcomeCaseId).toBe(alertId);
    expect((await get(`/v1/alerts/${alertId}`, t.town!)).json()).toMatchObject({ level: 'red', status: 'open' });
    expect((await get(`/v1/cases/${alertId}`, t.town!)).json().links.cases).toEqual([expect.objectContaining({ caseId: d.caseId, direction: 'from' })]);
  });

  it('a new household: its details masked below the town; an alert needs it registered first (422), then opens', async () => {
    const d = await report(t.member!, { newHousehold: { name: '李四海', address: '威海市环翠区海港路88号', phone: '13912345678' }, villageCode: UNITS.haigang, urgency: 'normal', situation: '李四海突发重病，独居无人照料' });
    expect(d).toMatchObject({ newHousehold: true, householdId: null });
    expect(JSON.stringify(d)).not.toContain('13912345678');
    // The new household's name in the situation is masked below the town on every read path; the town reads it whole.
    expect(JSON.stringify(d)).not.toContain('李四海');
    for (const [who, token, path] of [
      ['member', t.member!, `/v1/discoveries/${d.caseId}`],
      ['member', t.member!, '/v1/discoveries/mine?limit=200'],
      ['member', t.member!, `/v1/cases/${d.caseId}`],
      ['village', t.village!, `/v1/discoveries/${d.caseId}`],
      ['village', t.village!, `/v1/discoveries?org=${UNITS.haigang}`],
      ['village', t.village!, `/v1/cases/${d.caseId}`],
    ] as const) {
      const read = await get(path, token);
      expect(read.statusCode, `${who} ${path}`).toBe(200);
      expect(read.body, `${who} ${path}`).toContain('突发重病，独居无人照料');
      expect(read.body, `${who} ${path}`).not.toContain('李四海');
    }
    expect((await get(`/v1/discoveries/${d.caseId}`, t.town!)).json().situation).toBe('李四海突发重病，独居无人照料');
    const town = (await get(`/v1/discoveries/${d.caseId}`, t.town!)).json();
    expect(town.newHouseholdDetails).toEqual({ name: '李四海', address: '威海市环翠区海港路88号', phone: '13912345678' });
    const village = (await get(`/v1/discoveries/${d.caseId}`, t.village!)).json();
    expect(village.newHouseholdDetails.name).not.toBe('李四海');
    expect(village.newHouseholdDetails.phone).not.toBe('13912345678');

    const unregistered = await post(`/v1/discoveries/${d.caseId}/decide`, t.town!, { outcome: 'alert', level: 'orange' });
    expect(unregistered.statusCode, unregistered.body).toBe(422);
    expect(unregistered.json().error.details).toEqual([expect.objectContaining({ path: 'body.householdId', code: 'unknown_reference' })]);
    // A normal discovery names the application's category.
    const noCategory = await post(`/v1/discoveries/${d.caseId}/decide`, t.town!, { outcome: 'application', labourCapacity: 'labour_capacity', householdId: 'hh-000000000000' });
    expect(noCategory.statusCode).toBe(422);
    const hh = await registerHousehold(ctx, t.village!, 103);
    const decided = await post(`/v1/discoveries/${d.caseId}/decide`, t.town!, { outcome: 'alert', level: 'orange', householdId: hh });
    expect(decided.statusCode, decided.body).toBe(200);
    expect(decided.json()).toMatchObject({ householdId: hh, decision: { outcome: 'alert', level: 'orange', householdId: hh } });
  });

  it('the decision opens a case only on the report’s household: another registered household (422), a new household’s report on a household of another village (422)', async () => {
    const hh = await registerHousehold(ctx, t.village!, 110);
    const another = await registerHousehold(ctx, t.village!, 111);
    const d = await report(t.member!, { householdId: hh });
    const wrong = await post(`/v1/discoveries/${d.caseId}/decide`, t.town!, { outcome: 'alert', level: 'red', householdId: another });
    expect(wrong.statusCode, wrong.body).toBe(422);
    expect(wrong.json().error.details).toEqual([expect.objectContaining({ path: 'body.householdId' })]);
    expect((await get(`/v1/cases/alert-${another}`, t.town!)).statusCode).not.toBe(200);
    expect((await get(`/v1/discoveries/${d.caseId}`, t.town!)).json()).toMatchObject({ status: 'open', outcomeCaseId: null });
    // Naming its own household is the same as naming none.
    expect((await post(`/v1/discoveries/${d.caseId}/decide`, t.town!, { outcome: 'alert', level: 'yellow', householdId: hh })).statusCode).toBe(200);

    const fresh = await report(t.member!, { newHousehold: { name: '周六安', address: '海港路9号' }, villageCode: UNITS.haigang, urgency: 'normal' });
    const qigu = await registerHousehold(ctx, await ctx.token('village_staff', SIBLING_VILLAGE, { user: 'village.qi' }), 112, SIBLING_VILLAGE);
    const elsewhere = await post(`/v1/discoveries/${fresh.caseId}/decide`, t.town!, { outcome: 'alert', level: 'red', householdId: qigu });
    expect(elsewhere.statusCode, elsewhere.body).toBe(422);
    expect(elsewhere.json().error.details).toEqual([expect.objectContaining({ path: 'body.householdId' })]);
    expect((await get(`/v1/discoveries/${fresh.caseId}`, t.town!)).json()).toMatchObject({ status: 'open' });
  });

  it('我的上报 is a keyset list: newest first, `limit` and the `cursor` it returned, to the last page; a forged cursor is 400', async () => {
    const reporter = await ctx.token('party_member', UNITS.haigang, { user: 'member.pages' });
    const hh = await registerHousehold(ctx, t.village!, 113);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await report(reporter, { householdId: hh, urgency: 'normal' })).caseId);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get(`/v1/discoveries/mine?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, reporter);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json() as { items: { caseId: string }[]; nextCursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((r) => r.caseId));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
    const forged = await get('/v1/discoveries/mine?cursor=eyJ4IjoxfQ.AAAAAAAAAAAAAAAAAAAAAA', reporter);
    expect(forged.statusCode).toBe(400);
    expect(forged.json().error.details[0]).toMatchObject({ path: 'querystring.cursor', code: 'invalid_cursor' });
  });

  it('the town’s queue: urgent first, then by due time; decided ones leave it', async () => {
    const hh = await registerHousehold(ctx, t.village!, 108);
    const normal = await report(t.member!, { householdId: hh, urgency: 'normal' });
    const urgent = await report(t.member!, { householdId: hh, urgency: 'urgent' });
    const ids = async () => ((await get(`/v1/discoveries?org=${UNITS.jingyuan}&status=open`, t.town!)).json().items as { caseId: string; urgency: string }[]).map((r) => r.caseId);
    const open = await ids();
    expect(open.indexOf(urgent.caseId)).toBeGreaterThanOrEqual(0);
    expect(open.indexOf(urgent.caseId)).toBeLessThan(open.indexOf(normal.caseId));
    const rows = (await get(`/v1/discoveries?org=${UNITS.jingyuan}&status=open`, t.town!)).json().items as { urgency: string }[];
    // Every urgent row before every normal one.
    const urgencies = rows.map((r) => r.urgency);
    expect(urgencies.lastIndexOf('urgent')).toBeLessThan(urgencies.indexOf('normal'));
    expect((await post(`/v1/discoveries/${normal.caseId}/decide`, t.town!, { outcome: 'referral', referredTo: '镇卫生院' })).statusCode).toBe(200);
    expect(await ids()).not.toContain(normal.caseId);
    const closed = (await get(`/v1/discoveries?org=${UNITS.jingyuan}&status=closed`, t.town!)).json().items as { caseId: string }[];
    expect(closed.map((r) => r.caseId)).toContain(normal.caseId);
  });

  it('a row names its household as the caller may see it: in full to the town, masked to a member with no need; a new household by its reported name, masked below town (fresh-eyes on issue 14: the queue showed hh-…)', async () => {
    const hh = await registerHousehold(ctx, t.village!, 114);
    const registered = await report(t.member!, { householdId: hh, urgency: 'normal' });
    const fresh = await report(t.member!, { newHousehold: { name: '郑小满', address: '威海市环翠区海港路114号' }, villageCode: UNITS.haigang, urgency: 'normal' });
    type Row = { caseId: string; household: { headName: string; address: string } | null };
    const read = await get(`/v1/discoveries?org=${UNITS.jingyuan}&status=open`, t.town!);
    const queue = read.json().items as Row[];
    expect(queue.find((r) => r.caseId === registered.caseId)!.household).toMatchObject({ headName: '张114', address: '威海市环翠区海港路114号' });
    expect(queue.find((r) => r.caseId === fresh.caseId)!.household).toMatchObject({ headName: '郑小满', address: '威海市环翠区海港路114号' });
    const mine = (await get('/v1/discoveries/mine?limit=200', t.member!)).json().items as Row[];
    expect(mine.find((r) => r.caseId === registered.caseId)!.household!.headName).toMatch(/^张\*+$/);
    expect(mine.find((r) => r.caseId === fresh.caseId)!.household!.headName).toMatch(/^郑\*+$/);
    // The town's read of the names is audited, with the cases and households it showed.
    const audit = await eventually(async () => (await ctx.mongo.db.collection('audit').find({ requestId: String(read.headers['x-request-id']) }).toArray())[0], 'the read is audited', 5_000);
    expect(audit).toMatchObject({ personalData: true, caseIds: expect.arrayContaining([registered.caseId, fresh.caseId]), householdIds: expect.arrayContaining([hh]) });
  });

  it('the task list (sort=due&actionable=true) lists for the village only what it may work towards: not the town’s assessment; the alert it led to, yes (fresh-eyes on issue 14)', async () => {
    const hh = await registerHousehold(ctx, t.village!, 116);
    const d = await report(t.member!, { householdId: hh, urgency: 'normal' });
    const ids = async (url: string, token: string) => {
      const res = await get(url, token);
      expect(res.statusCode, res.body).toBe(200);
      return (res.json().items as { caseId: string }[]).map((r) => r.caseId);
    };
    // Every case of the subtree with a pending deadline is still there without `actionable` (the monitor's drill-down).
    const tasks = (token: string) =>
      eventually(async () => ((await ids('/v1/cases?sort=due&limit=200', t.village!)).includes(d.caseId) ? ids('/v1/cases?sort=due&actionable=true&limit=200', token) : undefined), 'the discovery’s task row', 5_000);
    expect(await tasks(t.village!)).not.toContain(d.caseId);
    expect(await tasks(t.town!)).toContain(d.caseId);
    const decided = await post(`/v1/discoveries/${d.caseId}/decide`, t.town!, { outcome: 'alert', level: 'orange' });
    expect(decided.statusCode, decided.body).toBe(200);
    const alertId = decided.json().outcomeCaseId as string;
    expect(await eventually(async () => ((await ids('/v1/cases?sort=due&actionable=true&limit=200', t.village!)).includes(alertId) ? true : undefined), 'the alert in the village’s tasks', 5_000)).toBe(true);
    // Only the task list is narrowed: with another filter it is a contradiction, said as such.
    const mixed = await get(`/v1/cases?sort=due&actionable=true&household=${hh}`, t.village!);
    expect(mixed.statusCode).toBe(400);
    expect(mixed.json().error.details[0]).toMatchObject({ path: 'querystring.actionable', code: 'contradictory_filters' });
  });

  it('a new household reported at a grid may be registered in any grid of that village (or the village itself): the decision accepts it', async () => {
    const fresh = await report(t.gridMember!, { newHousehold: { name: '孙海燕', address: '威海市环翠区海港路115号' }, villageCode: UNITS.haigangGrid, urgency: 'normal' });
    // The village registers it at the village, not in the grid the member reported at.
    const hh = await registerHousehold(ctx, t.village!, 115, UNITS.haigang);
    const decided = await post(`/v1/discoveries/${fresh.caseId}/decide`, t.town!, { outcome: 'alert', level: 'orange', householdId: hh });
    expect(decided.statusCode, decided.body).toBe(200);
    expect(decided.json()).toMatchObject({ status: 'closed', outcomeCaseId: expect.stringMatching(new RegExp(`^alert-${hh}`)) });
  });

  it('the same key is the same report (200); with another body it is refused (409 key_reused)', async () => {
    const hh = await registerHousehold(ctx, t.village!, 104);
    const body = { key: key(), householdId: hh, focusGroup: 'sudden_event', situation: '房屋失火', urgency: 'urgent' };
    const first = await post('/v1/discoveries', t.member!, body);
    expect(first.statusCode, first.body).toBe(201);
    const again = await post('/v1/discoveries', t.member!, body);
    expect(again.statusCode).toBe(200);
    expect(again.json().caseId).toBe(first.json().caseId);
    const reused = await post('/v1/discoveries', t.member!, { ...body, situation: '另一件事' });
    expect(reused.statusCode, reused.body).toBe(409);
    expect(reused.json().error.details).toEqual([expect.objectContaining({ path: 'body.key', code: 'key_reused' })]);
    // Bad input names its field.
    const bad = await post('/v1/discoveries', t.member!, { ...body, key: key(), urgency: 'soon' });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().error.details)).toContain('urgency');
    // A new household's name with markup or the mask character (陈* would read as masked below the town).
    for (const name of ['陈*', '陈<b>']) {
      const named = await post('/v1/discoveries', t.member!, { key: key(), newHousehold: { name, address: '威海市环翠区海港路116号' }, villageCode: UNITS.haigang, focusGroup: 'other', situation: '生活困难', urgency: 'normal' });
      expect(named.statusCode, name).toBe(400);
      expect(named.json().error.details[0].path, name).toBe('body.newHousehold.name');
    }
  });

  it('jurisdiction: a member reports only within their reach; a town sees its villages’ discoveries, not another town’s; only the town decides', async () => {
    const other = await registerHousehold(ctx, t.otherVillage!, 105, OTHER_VILLAGE);
    const outside = await post('/v1/discoveries', t.member!, { key: key(), householdId: other, focusGroup: 'other', situation: '生活困难', urgency: 'normal' });
    expect(outside.statusCode, outside.body).toBe(403);
    const outsideNew = await post('/v1/discoveries', t.member!, { key: key(), newHousehold: { name: '王五', address: '某地' }, villageCode: OTHER_VILLAGE, focusGroup: 'other', situation: '生活困难', urgency: 'normal' });
    expect(outsideNew.statusCode).toBe(403);

    const hh = await registerHousehold(ctx, t.village!, 106);
    const d = await report(t.member!, { householdId: hh });
    expect((await get(`/v1/discoveries/${d.caseId}`, t.otherTown!)).statusCode).toBe(403);
    expect((await get(`/v1/discoveries?org=${UNITS.jingyuan}`, t.otherTown!)).statusCode).toBe(403);
    const theirs = await get('/v1/discoveries?status=open', t.otherTown!);
    expect(theirs.statusCode).toBe(200);
    expect(theirs.json().items.map((r: { caseId: string }) => r.caseId)).not.toContain(d.caseId);
    expect((await post(`/v1/discoveries/${d.caseId}/decide`, t.otherTown!, { outcome: 'no_action', reason: '无' })).statusCode).toBe(403);
    expect((await post(`/v1/discoveries/${d.caseId}/decide`, t.village!, { outcome: 'no_action', reason: '无' })).statusCode).toBe(403);
    expect((await post(`/v1/discoveries/${d.caseId}/decide`, t.member!, { outcome: 'no_action', reason: '无' })).statusCode).toBe(403);
    // The reporter reads their own discovery.
    expect((await get(`/v1/discoveries/${d.caseId}`, t.member!)).statusCode).toBe(200);
  });
});
