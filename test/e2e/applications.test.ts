import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authz, createTestContext, registerHousehold, UNITS, type TestContext } from '../helpers/context';
import { eventually } from '../helpers/wait';

/**
 * Applications end to end through the HTTP API on the dev server and the Mongo-compatible server. The
 * policy shortens what can be short (the notice runs 3 s, a department gets 5 s); working-day deadlines
 * keep their real lengths here and are exercised on the time-skipping server.
 */
const POLICY = { version: 'e2e-applications', applications: { notice: 'PT3S', departmentTimeout: 'PT5S' } };

let ctx: TestContext;
const tokens: Record<string, string> = {};
beforeAll(async () => {
  ctx = await createTestContext('applications_e2e', { policy: POLICY });
  await ctx.startWorker();
  tokens.village = await ctx.token('village_staff', UNITS.haigang, { user: 'village.li' });
  tokens.investigator = await ctx.token('village_staff', UNITS.haigang, { user: 'village.wang' });
  tokens.town = await ctx.token('town_staff', UNITS.jingyuan, { user: 'town.zhao' });
  tokens.townSupervisor = await ctx.token('town_supervisor', UNITS.jingyuan, { user: 'town.sun' });
  tokens.otherTown = await ctx.token('town_staff', UNITS.huancuilou, { user: 'town.qian' });
  tokens.district = await ctx.token('district_staff', UNITS.huancui, { user: 'district.zhou' });
  tokens.otherDistrict = await ctx.token('district_staff', UNITS.wendeng, { user: 'district.wu' });
  tokens.monitor = await ctx.token('city_monitor', UNITS.city);
});
afterAll(async () => ctx?.close());

const post = (url: string, token: string, payload: unknown) => ctx.app.inject({ method: 'POST', url, headers: authz(token), payload: payload as object });
const get = (url: string, token: string) => ctx.app.inject({ method: 'GET', url, headers: authz(token) });
const now = () => new Date().toISOString();

async function file(seq: number, category = 'minimum_subsistence') {
  const hh = await registerHousehold(ctx, tokens.village!, seq);
  const res = await post('/v1/applications', tokens.village!, { householdId: hh, category, source: 'on_behalf', labourCapacity: 'no_labour_capacity' });
  expect(res.statusCode).toBe(201);
  return { hh, id: res.json().caseId as string };
}

async function toInvestigation(id: string) {
  expect((await post(`/v1/applications/${id}/acceptance`, tokens.town!, { decision: 'accept' })).statusCode).toBe(200);
  return eventually(async () => {
    const a = (await get(`/v1/applications/${id}`, tokens.town!)).json();
    return a.stage === 'investigation' && a;
  }, 'verification to complete');
}

describe('an application through the API', () => {
  it('goes from filing to approval: verification fan-out, investigation, deliberation, review, notice, approval', async () => {
    const { id } = await file(1);
    const filed = (await get(`/v1/applications/${id}`, tokens.village!)).json();
    expect(filed).toMatchObject({ stage: 'submitted', status: 'open', flagged: false, due: { key: 'acceptance#1' } });

    const investigating = await toInvestigation(id);
    // Five sample extracts answer; civil affairs, housing fund and market regulation have no feed here.
    expect(investigating.verification.summary.answered.sort()).toEqual(['banks', 'hrss', 'medical_insurance', 'real_estate', 'vehicles']);
    expect(investigating.verification.summary.missing.sort()).toEqual(['civil_affairs', 'housing_fund', 'market_regulation']);
    expect(investigating.due.key).toBe('town_review#1');

    // Below town level the departments' ID numbers are masked, in the application and the generic case view.
    for (const url of [`/v1/applications/${id}`, `/v1/cases/${id}`]) {
      const villageView = (await get(url, tokens.village!)).json();
      const ids = villageView.verification.answers.flatMap((a: { records?: { idNumber: string }[] }) => (a.records ?? []).map((r) => r.idNumber));
      expect(ids.length).toBeGreaterThan(0);
      for (const idn of ids) expect(idn).toMatch(/^\d{4}\*{10}[\dX]{4}$/);
    }
    expect(investigating.verification.answers.find((a: { department: string }) => a.department === 'hrss').records[0].idNumber).toMatch(/^\d{17}[\dX]$/);

    const manual = await post(`/v1/applications/${id}/verification-results`, tokens.town!, { department: 'civil_affairs', records: [] });
    expect(manual.statusCode).toBe(200);
    expect(manual.json().verification.summary.missing).not.toContain('civil_affairs');

    const oneInvestigator = await post(`/v1/applications/${id}/investigation`, tokens.village!, { investigators: ['village.li'], visitedAt: now(), findings: '家中无劳动力' });
    expect(oneInvestigator.statusCode).toBe(422);
    expect(oneInvestigator.json().error.message).toMatch(/at least 2/);
    const investigated = await post(`/v1/applications/${id}/investigation`, tokens.village!, { investigators: ['village.li', 'village.wang'], visitedAt: now(), findings: '家中无劳动力，住房简陋' });
    expect(investigated.statusCode).toBe(200);
    expect(investigated.json().stage).toBe('deliberation');

    expect((await post(`/v1/applications/${id}/deliberation`, tokens.village!, { kind: 'schedule', scheduledAt: now(), place: '海港社区会议室' })).statusCode).toBe(200);
    const deliberated = await post(`/v1/applications/${id}/deliberation`, tokens.village!, { kind: 'record', heldAt: now(), members: 9, attendees: 7, votesFor: 6, votesAgainst: 1 });
    expect(deliberated.json()).toMatchObject({ stage: 'town_review', meetings: [{ quorate: true, approved: true, place: '海港社区会议室' }] });

    const reviewed = await post(`/v1/applications/${id}/review`, tokens.town!, { opinion: 'approve', reason: '符合低保条件' });
    expect(reviewed.json().stage).toBe('notice');
    const approvalStage = await eventually(async () => {
      const a = (await get(`/v1/applications/${id}`, tokens.district!)).json();
      return a.stage === 'district_approval' && a;
    }, 'the notice to end');
    expect(approvalStage.due.key).toBe('district_approval#1');

    expect((await post(`/v1/applications/${id}/approval`, tokens.town!, { decision: 'approve', category: 'minimum_subsistence', monthlyAmount: 890, startDate: '2026-12-01', reason: '经审批' })).statusCode).toBe(403);
    const approved = await post(`/v1/applications/${id}/approval`, tokens.district!, { decision: 'approve', category: 'minimum_subsistence', monthlyAmount: 890, startDate: '2026-12-01', reason: '经审批确认' });
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ stage: 'in_benefit', outcome: 'approved', benefit: { monthlyAmount: 890, startDate: '2026-12-01', nextReReviewAt: '2027-11-30T16:00:00.000Z' } });
    expect(approved.json().decisions.map((d: { act: string }) => d.act)).toEqual(['accepted', 'town_opinion', 'approved']);
    const notice = await ctx.mongo.db.collection('notifications').findOne({ caseId: id, kind: 'decided' });
    expect(notice?.unitCode).toBe(UNITS.haigang);
  }, 60_000);

  it('refuses a second open application of the same household and category with 409 pointing at the first', async () => {
    const { hh, id } = await file(2);
    const again = await post('/v1/applications', tokens.town!, { householdId: hh, category: 'minimum_subsistence', source: 'one_door', labourCapacity: 'labour_capacity' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.details.applicationId).toBe(id);
    const other = await post('/v1/applications', tokens.town!, { householdId: hh, category: 'temporary_hardship', source: 'one_door', labourCapacity: 'labour_capacity' });
    expect(other.statusCode).toBe(201);
    const unknown = await post('/v1/applications', tokens.town!, { householdId: hh, category: 'lottery_win', source: 'one_door', labourCapacity: 'labour_capacity' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.details[0].path).toBe('body.category');
  });

  it('returns for missing materials listed at once, then accepts the supplements', async () => {
    const { id } = await file(3);
    const returned = await post(`/v1/applications/${id}/acceptance`, tokens.town!, { decision: 'return', missing: ['户口簿复印件', '收入证明'] });
    expect(returned.json()).toMatchObject({ stage: 'returned', due: { key: 'supplements#1' } });
    const partial = await post(`/v1/applications/${id}/supplements`, tokens.village!, { supplied: ['户口簿复印件'] });
    expect(partial.statusCode).toBe(422);
    expect(partial.json().error.message).toContain('收入证明');
    const supplied = await post(`/v1/applications/${id}/supplements`, tokens.village!, { supplied: ['户口簿复印件', '收入证明'] });
    expect(supplied.json()).toMatchObject({ stage: 'submitted', due: { key: 'acceptance#2' } });
  });

  it('a staff member who declared a close relative in the household may not investigate or approve it; the application is flagged', async () => {
    const hh = await registerHousehold(ctx, tokens.village!, 4);
    expect((await post('/v1/me/relatives', tokens.investigator!, { householdId: hh, relation: 'sibling' })).statusCode).toBe(201);
    const declared = (await get('/v1/me/relatives', tokens.investigator!)).json();
    expect(declared).toEqual([expect.objectContaining({ householdId: hh, relation: 'sibling' })]);
    const res = await post('/v1/applications', tokens.village!, { householdId: hh, category: 'minimum_subsistence', source: 'on_behalf', labourCapacity: 'illness_or_disability' });
    expect(res.json().flagged).toBe(true);
    const id = res.json().caseId;
    await toInvestigation(id);
    const byRelative = await post(`/v1/applications/${id}/investigation`, tokens.investigator!, { investigators: ['village.li', 'village.zhang'], visitedAt: now(), findings: 'x' });
    expect(byRelative.statusCode).toBe(403);
    const naming = await post(`/v1/applications/${id}/investigation`, tokens.village!, { investigators: ['village.li', 'village.wang'], visitedAt: now(), findings: 'x' });
    expect(naming.statusCode).toBe(403);
    expect(naming.json().error.message).toMatch(/village\.wang/);
  });

  it('checks jurisdiction and roles for each step', async () => {
    const { id } = await file(5);
    expect((await get(`/v1/applications/${id}`, tokens.otherTown!)).statusCode).toBe(403);
    expect((await post(`/v1/applications/${id}/acceptance`, tokens.otherTown!, { decision: 'accept' })).statusCode).toBe(403);
    expect((await post(`/v1/applications/${id}/acceptance`, tokens.village!, { decision: 'accept' })).statusCode).toBe(403);
    expect((await post(`/v1/applications/${id}/acceptance`, tokens.monitor!, { decision: 'accept' })).statusCode).toBe(403);
    expect((await get(`/v1/applications/${id}`, tokens.monitor!)).statusCode).toBe(200);
    await toInvestigation(id);
    expect((await post(`/v1/applications/${id}/extensions`, tokens.town!, { stage: 'town_review', workingDays: 10, reason: '材料复杂' })).statusCode).toBe(403);
    const extended = await post(`/v1/applications/${id}/extensions`, tokens.townSupervisor!, { stage: 'town_review', workingDays: 10, reason: '需补充核查' });
    expect(extended.statusCode).toBe(200);
    expect(Date.parse(extended.json().due.dueAt)).toBeGreaterThan(Date.parse((await get(`/v1/applications/${id}`, tokens.town!)).json().deadlines[1].opensAt));
    const twice = await post(`/v1/applications/${id}/extensions`, tokens.townSupervisor!, { stage: 'town_review', workingDays: 5, reason: '再次' });
    expect(twice.statusCode).toBe(409);
    expect((await post(`/v1/applications/${id}/approval`, tokens.otherDistrict!, { decision: 'reject', reason: 'x', noticeText: 'x', appealInformed: true })).statusCode).toBe(403);
    const withdrawn = await post(`/v1/applications/${id}/withdrawal`, tokens.village!, { reason: '申请人主动撤回' });
    expect(withdrawn.json()).toMatchObject({ status: 'closed', outcome: 'withdrawn' });
    expect((await post(`/v1/applications/${id}/withdrawal`, tokens.village!, { reason: '再撤' })).statusCode).toBe(409);
  });

  it('an objection during the notice sends the case back to verification with a 20-working-day decision deadline', async () => {
    const { id } = await file(6);
    await toInvestigation(id);
    await post(`/v1/applications/${id}/investigation`, tokens.village!, { investigators: ['village.li', 'village.wang'], visitedAt: now(), findings: '核实' });
    await post(`/v1/applications/${id}/deliberation`, tokens.village!, { kind: 'record', heldAt: now(), members: 9, attendees: 6, votesFor: 6, votesAgainst: 0 });
    await post(`/v1/applications/${id}/review`, tokens.town!, { opinion: 'approve', reason: '符合条件' });
    const objected = await post(`/v1/applications/${id}/objections`, tokens.village!, { text: '该户有经营性收入', from: '匿名' });
    expect(objected.statusCode).toBe(200);
    expect(objected.json()).toMatchObject({ stage: 'verification', due: { key: 'objection#1' } });
    const back = await eventually(async () => {
      const a = (await get(`/v1/applications/${id}`, tokens.town!)).json();
      return a.stage === 'town_review' && a;
    }, 're-verification');
    expect(back.verification.rounds).toBe(2);
    expect(back.due.key).toBe('objection#1');
    expect((await post(`/v1/applications/${id}/objections`, tokens.village!, { text: '再次' })).statusCode).toBe(409);
  });

  it('an application filed from an alert closes that alert as converted_to_application', async () => {
    const hh = await registerHousehold(ctx, tokens.village!, 7);
    const alert = await post('/v1/alerts', tokens.village!, { householdId: hh, level: 'orange', reasons: ['重病致贫'] });
    expect(alert.statusCode).toBe(201);
    const alertId = alert.json().caseId;
    const filed = await post('/v1/applications', tokens.village!, { householdId: hh, category: 'minimum_subsistence', source: 'alert', alertId, labourCapacity: 'illness_or_disability' });
    expect(filed.statusCode).toBe(201);
    const applicationId = filed.json().caseId;
    const closedAlert = await eventually(async () => {
      const a = (await get(`/v1/alerts/${alertId}`, tokens.village!)).json();
      return a.status === 'closed' && a;
    }, 'the alert to close');
    expect(closedAlert.closure).toMatchObject({ reason: 'converted_to_application', applicationId });
    const app = await eventually(async () => {
      const a = (await get(`/v1/applications/${applicationId}`, tokens.village!)).json();
      return a.alertConversion === 'closed' && a;
    }, 'the conversion to be recorded');
    expect(app.alertId).toBe(alertId);
    const noAlert = await post('/v1/applications', tokens.village!, { householdId: hh, category: 'temporary_hardship', source: 'alert', labourCapacity: 'labour_capacity' });
    expect(noAlert.statusCode).toBe(400);
    expect(noAlert.json().error.details[0].path).toBe('body.alertId');
  });

  it('lists applications on the case lists and in the on-time figures', async () => {
    const list = (await get(`/v1/cases?kind=application&org=${UNITS.jingyuan}&limit=200`, tokens.townSupervisor!)).json();
    expect(list.items.length).toBeGreaterThanOrEqual(4);
    expect(list.items.every((c: { kind: string }) => c.kind === 'application')).toBe(true);
    const from = new Date(Date.now() - 86_400_000).toISOString();
    const to = new Date(Date.now() + 60 * 86_400_000).toISOString();
    const stats = (await get(`/v1/stats/on-time?org=${UNITS.jingyuan}&from=${from}&to=${to}`, tokens.district!)).json();
    expect(stats.total.onTime).toBeGreaterThanOrEqual(3);
  });
});
