import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authz, createTestContext, idNumber, registerHousehold, UNITS, type TestContext } from '../helpers/context';
import { eventually } from '../helpers/wait';

/**
 * The public channel of issue 14 end to end through the HTTP API on the dev server and the Mongo-compatible
 * server (the contract: /work/prompts14/contract-public.md, docs/intake.md): a staff-conduct complaint goes to
 * the town, never the village; an application intake filed through the QR page is accepted by the town (the
 * household registered, its application opened, linked both ways) or returned with a reason, each followed by
 * its receipt; a household posts its own wish, matched by its head's ID number and phone; the village's
 * running 公示 on its page. (The intake's deadline at its real durations: test/workflows/intake.test.ts.)
 */
let ctx: TestContext;
const t: Record<string, string> = {};
const OTHER_VILLAGE = '371002002001';
beforeAll(async () => {
  ctx = await createTestContext('public_channel_e2e');
  await ctx.startWorker();
  t.village = await ctx.token('village_staff', UNITS.haigang, { user: 'village.li' });
  t.town = await ctx.token('town_staff', UNITS.jingyuan, { user: 'town.zhao' });
  t.otherTown = await ctx.token('town_staff', UNITS.huancuilou, { user: 'town.qian' });
  t.district = await ctx.token('district_staff', UNITS.huancui, { user: 'district.zhou' });
});
afterAll(async () => ctx?.close());

let nextIp = 1;
const freshIp = () => `10.14.${Math.floor(nextIp / 250)}.${(nextIp++ % 250) + 1}`;
const publicPost = (url: string, payload: unknown) => ctx.app.inject({ method: 'POST', url, payload: payload as object, remoteAddress: freshIp() });
const publicGet = (url: string) => ctx.app.inject({ method: 'GET', url });
const post = (url: string, token: string, payload: unknown) => ctx.app.inject({ method: 'POST', url, headers: authz(token), payload: payload as object });
const get = (url: string, token: string) => ctx.app.inject({ method: 'GET', url, headers: authz(token) });
const inbox = async (token: string): Promise<{ caseId: string; kind: string; message: string }[]> => {
  const res = await get('/v1/notifications?limit=100', token);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items;
};
/** No personal data in a public answer: none of these strings anywhere in its body. */
const expectNoneOf = (body: string, ...values: string[]) => {
  for (const v of values) expect(body).not.toContain(v);
};

const applicationBody = (seq: number, extra: Record<string, unknown> = {}) => ({
  unitCode: UNITS.haigang,
  category: 'minimum_subsistence',
  applicantName: '王秀英',
  idNumber: idNumber(seq),
  phone: '13912345678',
  address: `威海市环翠区海港路${seq}号`,
  householdSize: 3,
  situation: '丈夫去年病故，本人无固定收入，两个孩子上学',
  ...extra,
});

describe('a staff-conduct complaint (工作作风) goes to the town above the village', () => {
  it('lands in the town’s inbox and list, answered by the town; the village gets 404 on it and never sees it', async () => {
    const res = await publicPost('/v1/public/reports', { unitCode: UNITS.haigang, category: 'staff_conduct', text: '村里办低保时工作人员态度恶劣，推诿不办' });
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json();
    expect(created.handledBy).toEqual({ code: UNITS.jingyuan, name: expect.any(String) });
    const told = await eventually(async () => (await inbox(t.town!)).find((n) => n.caseId === `${created.reportId}` && n.kind === 'opened'), 'the town’s inbox has the complaint', 5_000);
    expect(told).toBeTruthy();
    const townView = await get(`/v1/reports/${created.reportId}`, t.town!);
    expect(townView.statusCode, townView.body).toBe(200);
    expect(townView.json()).toMatchObject({ unit: { code: UNITS.jingyuan }, category: 'staff_conduct' });

    // The village: not in its inbox, its reports list, its board; its case page and steps 404 (out of its subtree).
    expect((await inbox(t.village!)).some((n) => n.caseId === created.reportId)).toBe(false);
    for (const url of [`/v1/cases?org=${UNITS.haigang}`, `/v1/cases?org=${UNITS.haigang}&sort=due`, `/v1/cases?org=${UNITS.haigang}&overdue=true`]) {
      const list = await get(url, t.village!);
      expect(list.statusCode, list.body).toBe(200);
      expect(JSON.stringify(list.json())).not.toContain(created.reportId);
    }
    // The town's list has it.
    expect(JSON.stringify((await get(`/v1/cases?org=${UNITS.jingyuan}`, t.town!)).json())).toContain(created.reportId);
    for (const url of [`/v1/reports/${created.reportId}`, `/v1/cases/${created.reportId}`]) expect([403, 404]).toContain((await get(url, t.village!)).statusCode);
    expect([403, 404]).toContain((await post(`/v1/reports/${created.reportId}/acknowledgement`, t.village!, {})).statusCode);

    // The town answers; the receipt follows it, filed at the village, handled by the town.
    expect((await post(`/v1/reports/${created.reportId}/answer`, t.town!, { answer: '已核实并约谈相关工作人员，责令整改', answeredBy: { name: '赵镇', role: 'staff' } })).statusCode).toBe(200);
    const receipt = await eventually(async () => {
      const r = (await publicGet(`/v1/public/receipts/${created.receipt}`)).json();
      return r.status === 'answered' && r;
    }, 'the receipt to show the answer');
    expect(receipt).toMatchObject({ kind: 'report', kindName: '举报反映', unit: { code: UNITS.haigang }, handledBy: { code: UNITS.jingyuan }, result: { text: '已核实并约谈相关工作人员，责令整改' }, dueBy: null });
    expect(receipt.steps.map((s: { name: string }) => s.name)).toEqual(['已收到', '已受理', '已答复']);
  });

  it('any other category stays with the village', async () => {
    const res = await publicPost('/v1/public/reports', { unitCode: UNITS.haigang, category: 'assistance_policy', text: '临时救助怎么申请？' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().handledBy.code).toBe(UNITS.haigang);
    expect((await get(`/v1/reports/${res.json().reportId}`, t.village!)).statusCode).toBe(200);
  });
});

describe('an application intake (申请受理)', () => {
  it('filed → the town is told, its queue has it → the town accepts → the household is registered and its application opened, linked both ways → the receipt shows 已受理; the page shows the 公示 once the notice runs', async () => {
    const res = await publicPost('/v1/public/applications', applicationBody(9001, { urgent: true }));
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({ intakeId: expect.stringMatching(/^intake-[0-9a-f]{16}$/), handledBy: { code: UNITS.jingyuan } });
    expect(Date.parse(created.acceptBy)).toBeGreaterThan(Date.now());
    expectNoneOf(res.body, '王秀英', idNumber(9001), '13912345678');

    const told = await eventually(async () => (await inbox(t.town!)).find((n) => n.caseId === created.intakeId && n.kind === 'intake_filed'), 'the town’s inbox has the intake', 5_000);
    expect(told.message).toContain('紧急');
    expect((await inbox(t.village!)).some((n) => n.caseId === created.intakeId)).toBe(false);
    const queue = await get(`/v1/intakes?org=${UNITS.jingyuan}`, t.town!);
    expect(queue.statusCode, queue.body).toBe(200);
    expect(queue.json().items.map((i: { caseId: string }) => i.caseId)).toContain(created.intakeId);
    // The queue names the applicant (the town accepts them by name).
    expect(queue.json().items.find((i: { caseId: string }) => i.caseId === created.intakeId).applicantName).toBe('王秀英');
    // The village does not read it; another town neither.
    expect([403, 404]).toContain((await get(`/v1/intakes/${created.intakeId}`, t.village!)).statusCode);
    expect([403, 404]).toContain((await get(`/v1/intakes/${created.intakeId}`, t.otherTown!)).statusCode);
    expect([403, 404]).toContain((await post(`/v1/intakes/${created.intakeId}/accept`, t.otherTown!, { labourCapacity: 'no_labour_capacity' })).statusCode);
    expect((await post(`/v1/intakes/${created.intakeId}/accept`, t.village!, { labourCapacity: 'no_labour_capacity' })).statusCode).toBeGreaterThanOrEqual(403);

    // The town reads the applicant whole.
    const one = await get(`/v1/intakes/${created.intakeId}`, t.town!);
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json()).toMatchObject({ stage: 'filed', applicant: { applicantName: '王秀英', idNumber: idNumber(9001), phone: '13912345678' }, urgent: true });

    const before = (await publicGet(`/v1/public/receipts/${created.receipt}`)).json();
    expect(before).toMatchObject({ kind: 'application', kindName: '救助申请', status: 'filed', unit: { code: UNITS.haigang }, handledBy: { code: UNITS.jingyuan }, dueBy: created.acceptBy, result: null });

    const bad = await post(`/v1/intakes/${created.intakeId}/accept`, t.town!, { labourCapacity: 'lazy' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toContain('labourCapacity');

    const accepted = await post(`/v1/intakes/${created.intakeId}/accept`, t.town!, { labourCapacity: 'no_labour_capacity', note: '材料齐全' });
    expect(accepted.statusCode, accepted.body).toBe(200);
    const a = accepted.json();
    expect(a).toMatchObject({ status: 'closed', stage: 'accepted', applicationId: expect.stringMatching(/^application-/) });
    expect(a.links).toEqual([expect.objectContaining({ caseId: a.applicationId, kind: 'application', relation: 'outcome', direction: 'to' })]);
    // Accepting again: 409 (closed).
    expect((await post(`/v1/intakes/${created.intakeId}/accept`, t.town!, { labourCapacity: 'no_labour_capacity' })).statusCode).toBe(409);

    // The application: open, from the public channel, of the household registered in the village; linked back.
    const app = await get(`/v1/applications/${a.applicationId}`, t.town!);
    expect(app.statusCode, app.body).toBe(200);
    expect(app.json()).toMatchObject({ status: 'open', source: 'public_qr', category: 'minimum_subsistence', unit: { code: UNITS.haigang } });
    const household = await get(`/v1/households/${app.json().householdId}`, t.town!);
    expect(household.statusCode, household.body).toBe(200);
    expect(household.json()).toMatchObject({ headName: '王秀英', villageCode: UNITS.haigang, createdBy: 'town.zhao' });
    const back = await get(`/v1/cases/${a.applicationId}`, t.town!);
    expect(JSON.stringify(back.json())).toContain(created.intakeId);

    // The town's acceptance of the intake IS the application's 受理: it opened past acceptance, never accepted twice.
    const id = a.applicationId as string;
    expect(app.json()).toMatchObject({ acceptedAt: expect.any(String), due: { kind: 'application.town_review' } });
    expect(app.json().decisions.filter((x: { act: string }) => x.act === 'accepted')).toHaveLength(1);
    expect(app.json().deadlines.some((x: { kind: string; metAt: string | null }) => x.kind === 'application.acceptance' && x.metAt)).toBe(true);
    expect((await post(`/v1/applications/${id}/acceptance`, t.town!, { decision: 'accept' })).statusCode).toBe(409);

    const after = await eventually(async () => {
      const r = await publicGet(`/v1/public/receipts/${created.receipt}`);
      return r.json().status !== 'accepted' && r;
    }, 'the receipt to follow the application');
    // The receipt follows the application: its stage and its current due date (the town's review), not 已受理 alone.
    expect(after.json()).toMatchObject({ dueBy: app.json().dueAt, result: { text: expect.stringContaining('已受理') } });
    expect(after.json().steps.map((s: { name: string }) => s.name)).toEqual(['已提交', '已受理']);
    expectNoneOf(after.body, '王秀英', idNumber(9001), '13912345678', a.applicationId);

    // Staff record the investigation → the receipt shows it; drive the application to its 公示: the village's public page lists it, the name masked.
    await eventually(async () => (await get(`/v1/applications/${id}`, t.town!)).json().stage === 'investigation', 'verification to complete', 30_000);
    const now = () => new Date().toISOString();
    expect((await post(`/v1/applications/${id}/investigation`, t.village!, { investigators: ['village.li', 'village.wang'], visitedAt: now(), findings: '家中无劳动力' })).statusCode).toBe(200);
    const investigated = await eventually(async () => {
      const r = (await publicGet(`/v1/public/receipts/${created.receipt}`)).json();
      return r.steps.some((s: { name: string }) => s.name === '入户调查') && r;
    }, 'the receipt to show the investigation');
    expect(investigated).toMatchObject({ status: 'deliberation', statusName: '民主评议' });
    expect(investigated.steps.map((s: { name: string }) => s.name)).toEqual(['已提交', '已受理', '入户调查']);
    expect((await post(`/v1/applications/${id}/deliberation`, t.village!, { kind: 'schedule', scheduledAt: now(), place: '海港社区会议室' })).statusCode).toBe(200);
    expect((await post(`/v1/applications/${id}/deliberation`, t.village!, { kind: 'record', heldAt: now(), members: 9, attendees: 7, votesFor: 6, votesAgainst: 1 })).statusCode).toBe(200);
    const reviewed = await post(`/v1/applications/${id}/review`, t.town!, { opinion: 'approve', reason: '符合低保条件' });
    expect(reviewed.json().stage).toBe('notice');
    const noticed = await eventually(async () => {
      const r = (await publicGet(`/v1/public/receipts/${created.receipt}`)).json();
      return r.steps.some((s: { name: string }) => s.name === '公示') && r;
    }, 'the receipt to show the 公示');
    expect(noticed.steps.map((s: { name: string }) => s.name)).toEqual(['已提交', '已受理', '入户调查', '审核确认', '公示']);
    const page = await eventually(async () => {
      const p = (await publicGet(`/v1/public/units/${UNITS.haigang}`)).json();
      return p.notices?.some((n: { caseId: string }) => n.caseId === id) && p;
    }, 'the page to list the 公示');
    const notice = page.notices.find((n: { caseId: string }) => n.caseId === id);
    expect(notice.title).toBe('王** 申请最低生活保障');
    expect(Date.parse(notice.until) - Date.parse(notice.from)).toBe(7 * 86_400_000);
    expect(page.policies.applicationCategories).toContainEqual({ code: 'minimum_subsistence', name: expect.any(String) });
    expectNoneOf(JSON.stringify(page), '王秀英', idNumber(9001));
    // Another village's page does not list it.
    expect(JSON.stringify((await publicGet(`/v1/public/units/${OTHER_VILLAGE}`)).json().notices)).not.toContain(id);
  });

  it('a missed deadline: the receipt says 已超期 and the level it climbed to (区市), no names — the same for a report', async () => {
    // The read model as the workflow leaves it once the deadline passed and climbed (the climb itself: test/workflows/intake.test.ts).
    const district = { code: UNITS.huancui, name: '环翠区', level: 'district' };
    const past = new Date(Date.now() - 86_400_000).toISOString();
    const res = await publicPost('/v1/public/applications', applicationBody(9010));
    expect(res.statusCode, res.body).toBe(201);
    const { intakeId, receipt } = res.json();
    await eventually(async () => (await ctx.mongo.db.collection('cases').countDocuments({ _id: intakeId as never })) === 1, 'the intake in the read model');
    const fresh = (await publicGet(`/v1/public/receipts/${receipt}`)).json();
    expect(fresh).toMatchObject({ overdue: false, escalatedTo: null });
    await ctx.mongo.db.collection('cases').updateOne({ _id: intakeId as never }, { $set: { 'view.acceptBy': past, 'view.escalatedTo': district } });
    const late = await publicGet(`/v1/public/receipts/${receipt}`);
    expect(late.json()).toMatchObject({ status: 'filed', dueBy: past, overdue: true, escalatedTo: { level: 'district', levelName: '区市' } });
    // By level only: neither the unit's name nor its code, no person.
    expect(late.json().escalatedTo).toEqual({ level: 'district', levelName: '区市' });
    expectNoneOf(late.body, '环翠区');

    const report = await publicPost('/v1/public/reports', { unitCode: UNITS.haigang, category: 'assistance_policy', text: '临时救助怎么申请？' });
    expect(report.statusCode, report.body).toBe(201);
    const { reportId, receipt: reportReceipt } = report.json();
    await eventually(async () => (await ctx.mongo.db.collection('cases').countDocuments({ _id: reportId as never })) === 1, 'the report in the read model');
    await ctx.mongo.db.collection('cases').updateOne({ _id: reportId as never }, { $set: { 'view.acknowledgeBy': past, 'view.escalatedTo': { ...district, level: 'city', code: '371000', name: '威海市' } } });
    expect((await publicGet(`/v1/public/receipts/${reportReceipt}`)).json()).toMatchObject({ kind: 'report', dueBy: past, overdue: true, escalatedTo: { level: 'city', levelName: '市' } });
  });

  it('the town returns it with a reason → the receipt shows 已退回 and the reason; nothing opened', async () => {
    const res = await publicPost('/v1/public/applications', applicationBody(9002));
    expect(res.statusCode, res.body).toBe(201);
    const { intakeId, receipt } = res.json();
    expect((await post(`/v1/intakes/${intakeId}/return`, t.town!, {})).statusCode).toBe(400);
    const returned = await post(`/v1/intakes/${intakeId}/return`, t.town!, { reason: '王秀英您好，材料不齐：请补充户口簿和收入证明后再申请' });
    expect(returned.statusCode, returned.body).toBe(200);
    expect(returned.json()).toMatchObject({ status: 'closed', stage: 'returned', applicationId: null });
    const r = (await publicGet(`/v1/public/receipts/${receipt}`)).json();
    // The reason as the applicant reads it, their name redacted with what the intake knows (no pattern finds a name).
    expect(r).toMatchObject({ status: 'returned', statusName: '已退回', result: { text: expect.stringMatching(/^王\*+您好，材料不齐：请补充户口簿和收入证明后再申请$/) } });
    expect(r.steps.map((s: { name: string }) => s.name)).toEqual(['已提交', '已退回']);
    expect((await post(`/v1/intakes/${intakeId}/accept`, t.town!, { labourCapacity: 'no_labour_capacity' })).statusCode).toBe(409);
  });

  it('an applicant already registered in the village: the acceptance opens their household’s application (no second household); registered elsewhere: 422, nothing accepted', async () => {
    const hh = await registerHousehold(ctx, t.village!, 9003);
    const res = await publicPost('/v1/public/applications', applicationBody(9003, { category: 'temporary_hardship' }));
    const accepted = await post(`/v1/intakes/${res.json().intakeId}/accept`, t.town!, { labourCapacity: 'labour_capacity' });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect((await get(`/v1/applications/${accepted.json().applicationId}`, t.town!)).json().householdId).toBe(hh);

    await registerHousehold(ctx, await ctx.token('village_staff', OTHER_VILLAGE), 9004, OTHER_VILLAGE);
    const elsewhere = await publicPost('/v1/public/applications', applicationBody(9004));
    const refused = await post(`/v1/intakes/${elsewhere.json().intakeId}/accept`, t.town!, { labourCapacity: 'labour_capacity' });
    expect(refused.statusCode, refused.body).toBe(422);
    // No field of the accept body is at fault (the ID number is the intake's applicant's); another town's register is
    // named as such, never which village of it holds the number (fresh-eyes on issue 14).
    const error = refused.json().error;
    expect(error).toMatchObject({ reason: 'registered_elsewhere', message: expect.stringContaining('another town’s register') });
    expect(error.details).toBeUndefined();
    expect(error.message).not.toContain(OTHER_VILLAGE);
    expect(error.message).not.toContain(OTHER_VILLAGE.slice(0, 9));
    expect((await get(`/v1/intakes/${elsewhere.json().intakeId}`, t.town!)).json().status).toBe('open');

    // Another village of the same town: within the town's reach, so the village is named.
    const NEIGHBOUR = '371002001002';
    await registerHousehold(ctx, await ctx.token('village_staff', NEIGHBOUR), 9005, NEIGHBOUR);
    const nearby = await publicPost('/v1/public/applications', applicationBody(9005));
    const refusedNearby = await post(`/v1/intakes/${nearby.json().intakeId}/accept`, t.town!, { labourCapacity: 'labour_capacity' });
    expect(refusedNearby.statusCode, refusedNearby.body).toBe(422);
    expect(refusedNearby.json().error).toMatchObject({ reason: 'registered_elsewhere', message: expect.stringContaining(NEIGHBOUR) });
    expect(refusedNearby.json().error.details).toBeUndefined();
  });

  it('bad input: 4xx naming the field, nothing written', async () => {
    const cases: [Record<string, unknown>, number, string][] = [
      [{ idNumber: '371002195001010000' }, 400, 'body.idNumber'],
      [{ phone: '0631-5201234' }, 400, 'body.phone'],
      [{ householdSize: 0 }, 400, 'body.householdSize'],
      [{ householdSize: 21 }, 400, 'body.householdSize'],
      [{ category: 'no_such_category' }, 422, 'body.category'],
      [{ unitCode: UNITS.jingyuan }, 404, 'body.unitCode'],
      [{ situation: '' }, 400, 'body.situation'],
      // Markup in a person's name on a public form: refused, naming the field.
      [{ applicantName: '<img src=x onerror=alert(1)>钱七' }, 400, 'body.applicantName'],
      [{ applicantName: '钱七>' }, 400, 'body.applicantName'],
    ];
    const before = await ctx.mongo.db.collection('intake_applicants').countDocuments();
    for (const [change, status, path] of cases) {
      const res = await publicPost('/v1/public/applications', applicationBody(9010, change));
      expect(res.statusCode, `${JSON.stringify(change)}: ${res.body}`).toBe(status);
      expect(res.json().error.details[0].path).toBe(path);
    }
    expect(await ctx.mongo.db.collection('intake_applicants').countDocuments()).toBe(before);
  });
});

describe('a household posts its own wish (许愿)', () => {
  it('matched by its head’s ID number and phone → screening like a staff-posted wish; the receipt follows it; a mismatch is one 422 whichever is wrong', async () => {
    const hh = await registerHousehold(ctx, t.village!, 9020); // phone 13800000000
    const body = { unitCode: UNITS.haigang, headIdNumber: idNumber(9020), phone: '13800000000', title: '想要一台助听器', category: 'material' };
    const res = await publicPost('/v1/public/wishes', body);
    expect(res.statusCode, res.body).toBe(201);
    const { wishId, receipt, handledBy } = res.json();
    // The town screens it (PERMISSIONS.wish.screening), not the village it was posted in (fresh-eyes on issue 14).
    expect(handledBy.code).toBe(UNITS.jingyuan);
    const wish = await get(`/v1/wishes/${wishId}`, t.village!);
    expect(wish.json()).toMatchObject({ stage: 'screening', householdId: hh, postedBy: 'household', title: '想要一台助听器' });
    const r = (await publicGet(`/v1/public/receipts/${receipt}`)).json();
    expect(r).toMatchObject({ kind: 'wish', kindName: '微心愿', status: 'screening', unit: { code: UNITS.haigang }, handledBy: { code: UNITS.jingyuan }, dueBy: expect.any(String), result: null });
    expectNoneOf(JSON.stringify(r), idNumber(9020), '13800000000', hh);

    const wrong = [
      { ...body, phone: '13800000001' },
      { ...body, headIdNumber: idNumber(9021) },
      { ...body, unitCode: OTHER_VILLAGE },
    ];
    const answers = [];
    for (const b of wrong) {
      const w = await publicPost('/v1/public/wishes', b);
      expect(w.statusCode, w.body).toBe(422);
      answers.push(w.json().error);
    }
    expect(answers[0].details).toEqual([{ path: 'body.headIdNumber', code: 'household_not_matched', message: expect.any(String) }]);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });
});

describe('the public submission limits (default policy)', () => {
  it('one address behind carrier NAT: failed wish matches have their own tight limit (5 an hour, then 429 before any lookup) and never use the valid budget; valid submissions get 30 an hour', async () => {
    const nat = freshIp();
    const from = (url: string, payload: unknown) => ctx.app.inject({ method: 'POST', url, payload: payload as object, remoteAddress: nat });
    await registerHousehold(ctx, t.village!, 9030); // phone 13800000000
    const wrong = { unitCode: UNITS.haigang, headIdNumber: idNumber(9031), phone: '13800000000', title: '想要一台助听器', category: 'material' };
    for (let i = 0; i < 5; i++) expect((await from('/v1/public/wishes', wrong)).statusCode).toBe(422);
    const sixth = await from('/v1/public/wishes', wrong);
    expect(sixth.statusCode, sixth.body).toBe(429);
    expect(sixth.json().error.reason).toBe('client_match_limit');
    // Past the failed-match limit the address's wishes are refused before the lookup, even a matching one.
    expect((await from('/v1/public/wishes', { ...wrong, headIdNumber: idNumber(9030) })).json().error?.reason).toBe('client_match_limit');
    // Its residents still report and apply: more than the old 5 an hour, untouched by the failed matches.
    for (let i = 0; i < 6; i++) {
      const r = await from('/v1/public/reports', { unitCode: UNITS.haigang, category: 'assistance_policy', text: `临时救助怎么申请？第${i + 1}问` });
      expect(r.statusCode, r.body).toBe(201);
    }
  });
});

describe('receipts', () => {
  it('/v1/public/units/{code}/ (a trailing slash) goes to the canonical address; a bad code is a 404 that does not echo it', async () => {
    const slash = await publicGet(`/v1/public/units/${UNITS.haigang}/`);
    expect(slash.statusCode).toBe(308);
    expect(slash.headers.location).toBe(`/v1/public/units/${UNITS.haigang}`);
    const bad = await publicGet('/v1/public/units/<b>x</b>/');
    expect(bad.statusCode).toBe(404);
    expect(bad.body).not.toContain('<b>');
  });

  it('an unknown receipt is 404; a malformed one 400', async () => {
    expect((await publicGet('/v1/public/receipts/ABCDEFGHJKMN')).statusCode).toBe(404);
    expect((await publicGet('/v1/public/receipts/0')).statusCode).toBe(400);
  });
});
