import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authz, createTestContext, registerHousehold, UNITS, type TestContext } from '../helpers/context';
import { eventually } from '../helpers/wait';

/**
 * Alerts end to end through the HTTP API, on the Temporal dev server and the Mongo-compatible server,
 * with a policy of second-long durations: red due in 3 s, then one rung every 2 s.
 */
const POLICY = {
  version: 'e2e-seconds',
  alerts: {
    warnAt: 0.5,
    red: { due: 'PT3S', escalateEvery: 'PT2S' },
    orange: { due: 'PT60S', escalateEvery: 'PT2S' },
    yellow: { every: 'PT8S', escalateEvery: 'PT2S' },
    approval: { due: 'PT30S', escalateEvery: 'PT2S' },
    revisit: { every: 'PT60S', escalateEvery: 'PT2S' },
    decision: { due: 'PT30S', escalateEvery: 'PT2S' },
  },
};

let ctx: TestContext;
let village: string;
let town: string;
let siblingTown: string;
let district: string;
let monitor: string;

beforeAll(async () => {
  ctx = await createTestContext('alerts_e2e', { policy: POLICY });
  await ctx.startWorker();
  village = await ctx.token('village_staff', UNITS.haigang);
  town = await ctx.token('town_supervisor', UNITS.jingyuan);
  siblingTown = await ctx.token('town_supervisor', UNITS.huancuilou);
  district = await ctx.token('district_staff', UNITS.huancui);
  monitor = await ctx.token('city_monitor', UNITS.city);
});
afterAll(async () => ctx?.close());

const post = (url: string, token: string, payload: unknown) => ctx.app.inject({ method: 'POST', url, headers: authz(token), payload: payload as object });
const get = (url: string, token: string) => ctx.app.inject({ method: 'GET', url, headers: authz(token) });
const board = async (token: string, org?: string) => (await get(`/v1/cases?overdue=true${org ? `&org=${org}` : ''}`, token)).json().items as Array<{ caseId: string; rung: number; escalatedTo: { code: string } | null; overdueByMs: number }>;
const visit = (outcome = 'stable') => ({ visitors: ['李网格'], visitedAt: new Date().toISOString(), outcome, notes: '入户核实' });

describe('a red alert through the API', () => {
  it('is created (201), escalates up the tree on the town’s board but not a sibling’s, and leaves the board after a visit', async () => {
    const hh = await registerHousehold(ctx, village, 1);
    const created = await post('/v1/alerts', village, { householdId: hh, level: 'red', reasons: ['重病住院'] });
    expect(created.statusCode).toBe(201);
    const alert = created.json();
    expect(alert).toMatchObject({ status: 'open', level: 'red', unit: { code: UNITS.haigang }, overdue: false, policyVersion: 'e2e-seconds' });
    const id = alert.caseId as string;

    // Due at 3 s: rung 1 to the town; 5 s: rung 2 to the district; 7 s: rung 3 to the city.
    const row = await eventually(async () => (await board(town)).find((r) => r.caseId === id && r.rung >= 2), 'rung 2 on the town board');
    expect(row.escalatedTo?.code).toBe(UNITS.huancui);
    expect(row.overdueByMs).toBeGreaterThan(0);
    expect((await board(siblingTown)).map((r) => r.caseId)).not.toContain(id);
    expect((await get(`/v1/cases?overdue=true&org=${UNITS.jingyuan}`, siblingTown)).statusCode).toBe(403);
    expect((await board(district)).map((r) => r.caseId)).toContain(id);

    // `temporal workflow list --query` finds the same overdue case through the search attributes.
    const query = `Overdue = true AND OrgUnits = "${UNITS.jingyuan}" AND CaseKind = "alert" AND TaskQueue = "${ctx.config.temporal.taskQueue}"`;
    const listed = await eventually(async () => {
      const ids: string[] = [];
      for await (const wf of ctx.temporal.workflow.list({ query })) ids.push(wf.workflowId);
      return ids.includes(`alert-${hh}`) && ids;
    }, 'the overdue alert in Temporal visibility');
    expect(listed).toContain(`alert-${hh}`);
    const sibling: string[] = [];
    for await (const wf of ctx.temporal.workflow.list({ query: `Overdue = true AND OrgUnits = "${UNITS.huancuilou}"` })) sibling.push(wf.workflowId);
    expect(sibling).not.toContain(`alert-${hh}`);
    // The household's village sees the board row with its name (privacy by need, issue 14), as the town does.
    const villageRow = (await board(village)).find((r) => r.caseId === id) as unknown as { household: { headName: string } };
    expect(villageRow.household.headName).toBe('张1');
    const townRow = (await board(town)).find((r) => r.caseId === id) as unknown as { household: { headName: string } };
    expect(townRow.household.headName).toBe('张1');

    const climbed = await eventually(async () => {
      const a = (await get(`/v1/alerts/${id}`, town)).json();
      return a.escalations.length === 3 && a;
    }, 'three rungs');
    expect(climbed.escalations.map((e: { rung: number; from: { code: string }; to: { code: string } }) => [e.rung, e.from.code, e.to.code])).toEqual([
      [1, UNITS.haigang, UNITS.jingyuan],
      [2, UNITS.jingyuan, UNITS.huancui],
      [3, UNITS.huancui, UNITS.city],
    ]);

    // 受理, a visit, then a disposition (issue 12): the red requirement is met (late), escalations resolved, off the board.
    expect((await post(`/v1/alerts/${id}/acknowledgements`, village, {})).statusCode).toBe(200);
    expect((await board(town)).map((r) => r.caseId)).toContain(id);
    const visited = await post(`/v1/alerts/${id}/visits`, village, visit('needs_assistance'));
    expect(visited.statusCode).toBe(200);
    expect(visited.json()).toMatchObject({ overdue: true, rung: 3 });
    // The visit found the household in need: a decision deadline runs beside the red one.
    expect(visited.json().deadlines.map((d: { kind: string; metAt: string | null }) => [d.kind, d.metAt])).toEqual([
      ['alert.red', null],
      ['alert.decision', null],
    ]);
    const badAmount = await post(`/v1/alerts/${id}/dispositions`, village, { kind: 'temporary_assistance', amount: 500.001 });
    expect(badAmount.statusCode).toBe(400);
    expect(JSON.stringify(badAmount.json())).toContain('amount');
    const disposed = await post(`/v1/alerts/${id}/dispositions`, village, { kind: 'temporary_assistance', amount: 500, note: '临时救助' });
    expect(disposed.statusCode).toBe(200);
    expect(disposed.json()).toMatchObject({ overdue: false, rung: 0, due: null });
    expect(disposed.json().dispositions).toEqual([expect.objectContaining({ kind: 'temporary_assistance', amount: 500 })]);
    expect(disposed.json().escalations.every((e: { resolvedAt: string | null; resolution: string }) => e.resolvedAt && e.resolution === 'met')).toBe(true);
    expect((await board(town)).map((r) => r.caseId)).not.toContain(id);

    // The city monitor reviews how it happened: escalations and the audit trail, in order.
    const history = (await get(`/v1/cases/${id}/escalations`, monitor)).json();
    expect(history.escalations).toHaveLength(3);
    const types = history.events.map((e: { type: string }) => e.type);
    expect(types.slice(0, 3)).toEqual(['opened', 'deadline_opened', 'at_risk']);
    expect(types.filter((t: string) => t === 'escalated')).toHaveLength(3);
    // The disposition meets the red deadline and the decision deadline the visit opened.
    expect(types.slice(-6)).toEqual(['acknowledged', 'visit_recorded', 'deadline_opened', 'disposed', 'deadline_met', 'deadline_met']);
    const notices = await ctx.mongo.db.collection('notifications').find({ caseId: id, kind: 'escalated' }).toArray();
    expect(notices.map((n) => n.unitCode).sort()).toEqual([UNITS.city, UNITS.huancui, UNITS.jingyuan].sort());
  });

  it('posting a level for a household with an open alert changes that alert (200), never starts a second', async () => {
    const hh = await registerHousehold(ctx, village, 2);
    const first = await post('/v1/alerts', village, { householdId: hh, level: 'yellow', reasons: ['收入下降'] });
    expect(first.statusCode).toBe(201);
    const again = await post('/v1/alerts', village, { householdId: hh, level: 'yellow', reasons: ['收入下降', '独居'] });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ caseId: first.json().caseId, level: 'yellow', reasons: ['收入下降', '独居'] });
    const raised = await post('/v1/alerts', village, { householdId: hh, level: 'orange', reasons: ['突发疾病'] });
    expect(raised.statusCode).toBe(200);
    expect(raised.json()).toMatchObject({ caseId: first.json().caseId, level: 'orange' });
    const dueMs = Date.parse(raised.json().dueAt) - Date.parse(raised.json().levelHistory.at(-1).at);
    expect(dueMs).toBe(60_000);
    const open = await ctx.mongo.db.collection('cases').countDocuments({ householdId: hh, status: 'open' });
    expect(open).toBe(1);
  });

  it('refuses bad input with the field, unknown ids with 404, actions on a closed alert with 409, rule breaks with 422', async () => {
    const hh = await registerHousehold(ctx, village, 3);
    const bad = await post('/v1/alerts', village, { householdId: hh, level: 'purple', reasons: [] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['body.level', 'body.reasons']));
    expect((await post('/v1/alerts', village, { householdId: 'hh-000000000000', level: 'red', reasons: ['x'] })).statusCode).toBe(404);
    expect((await get('/v1/alerts/alert-hh-000000000000-20260101T000000000', village)).statusCode).toBe(404);

    const id = (await post('/v1/alerts', village, { householdId: hh, level: 'orange', reasons: ['残疾'] })).json().caseId;
    const noVisitors = await post(`/v1/alerts/${id}/visits`, village, { ...visit(), visitors: [] });
    expect(noVisitors.statusCode).toBe(400);
    expect(noVisitors.json().error.details[0].path).toBe('body.visitors');
    // Each field issue and each refusal carries a machine code the web translates by (api/errors.ts).
    expect(noVisitors.json().error.details[0]).toMatchObject({ code: 'too_small', params: { origin: 'array', minimum: 1 } });
    const future = await post(`/v1/alerts/${id}/visits`, village, { ...visit(), visitedAt: new Date(Date.now() + 86_400_000).toISOString() });
    expect(future.statusCode).toBe(422);
    expect(future.json().error.message).toMatch(/future/);
    expect(future.json().error).toMatchObject({ code: 'unprocessable', reason: 'visit_in_future' });
    const sameLevel = await post(`/v1/alerts/${id}/level`, village, { level: 'orange', reason: '复核' });
    expect(sameLevel.statusCode).toBe(409);
    expect(sameLevel.json().error).toMatchObject({ code: 'conflict', reason: 'level_unchanged' });
    const noApp = await post(`/v1/alerts/${id}/closure`, village, { reason: 'converted_to_application' });
    expect(noApp.statusCode).toBe(400);
    expect(noApp.json().error.details[0].path).toBe('body.applicationId');
    expect(noApp.json().error.details[0].code).toBe('required');

    // The application named must exist, be this household's and within reach (issue 11, item 6).
    const unknownApp = await post(`/v1/alerts/${id}/closure`, village, { reason: 'converted_to_application', applicationId: 'application-001' });
    expect(unknownApp.statusCode).toBe(422);
    expect(unknownApp.json().error.details[0]).toMatchObject({ path: 'body.applicationId', code: 'unknown_reference' });
    const filed = await post('/v1/applications', village, { householdId: hh, category: 'minimum_subsistence', source: 'one_door', labourCapacity: 'labour_capacity' });
    expect(filed.statusCode).toBe(201);
    const applicationId = filed.json().caseId as string;
    const closed = await post(`/v1/alerts/${id}/closure`, village, { reason: 'converted_to_application', applicationId });
    expect(closed.statusCode).toBe(200);
    expect(closed.json()).toMatchObject({ status: 'closed', closure: { reason: 'converted_to_application', applicationId } });
    const after = await post(`/v1/alerts/${id}/visits`, village, visit());
    expect(after.statusCode).toBe(409);
    expect(after.json().error.code).toBe('conflict');
    expect(after.json().error.reason).toBe('case_closed');

    // The household's next alert is a new case; an action addressed to the closed one still gets 409.
    const next = await post('/v1/alerts', village, { householdId: hh, level: 'yellow', reasons: ['回访'] });
    expect(next.statusCode).toBe(201);
    expect(next.json().caseId).not.toBe(id);
  });

  it('lowering red to yellow starts weekly cycles from now; the missed red deadline stays counted as late', async () => {
    const hh = await registerHousehold(ctx, village, 4);
    const id = (await post('/v1/alerts', village, { householdId: hh, level: 'red', reasons: ['火灾'] })).json().caseId;
    await eventually(async () => (await board(town)).some((r) => r.caseId === id), 'overdue red');
    const lowered = await post(`/v1/alerts/${id}/level`, town, { level: 'yellow', reason: '已安置，转长期监测' });
    expect(lowered.statusCode).toBe(200);
    const a = lowered.json();
    expect(a).toMatchObject({ level: 'yellow', overdue: false, rung: 0 });
    expect(a.deadlines[0]).toMatchObject({ key: 'red#1', metAt: null, endedAt: expect.any(String) });
    expect(a.escalations.every((e: { resolution: string }) => e.resolution === 'level_changed')).toBe(true);
    expect((await board(town)).map((r) => r.caseId)).not.toContain(id);
    const red = await ctx.mongo.db.collection('deadlines').findOne({ _id: `${id}:red#1` as never });
    expect(red?.outcome).toBe('late');
  });

  it('reassigns within the jurisdiction only; supervisors only', async () => {
    const hh = await registerHousehold(ctx, village, 5);
    const id = (await post('/v1/alerts', village, { householdId: hh, level: 'yellow', reasons: ['独居老人'] })).json().caseId;
    expect((await post(`/v1/alerts/${id}/reassignments`, village, { unitCode: '371002001002', reason: '搬迁' })).statusCode).toBe(403);
    expect((await post(`/v1/alerts/${id}/reassignments`, town, { unitCode: '371002002001', reason: '搬迁' })).statusCode).toBe(403);
    const moved = await post(`/v1/alerts/${id}/reassignments`, town, { unitCode: '371002001002', reason: '户籍迁至相邻社区' });
    expect(moved.statusCode).toBe(200);
    expect(moved.json().unit.code).toBe('371002001002');
    expect(moved.json().reassignments).toHaveLength(1);
  });

  it('a city monitor reads every case but acts on none; a sibling town cannot see or act', async () => {
    const hh = await registerHousehold(ctx, village, 6);
    const id = (await post('/v1/alerts', village, { householdId: hh, level: 'orange', reasons: ['失业'] })).json().caseId;
    expect((await get(`/v1/alerts/${id}`, monitor)).statusCode).toBe(200);
    expect((await post(`/v1/alerts/${id}/acknowledgements`, monitor, {})).statusCode).toBe(403);
    expect((await get(`/v1/alerts/${id}`, siblingTown)).statusCode).toBe(403);
    expect((await post(`/v1/alerts/${id}/visits`, siblingTown, visit())).statusCode).toBe(403);
    expect((await post('/v1/alerts', siblingTown, { householdId: hh, level: 'red', reasons: ['x'] })).statusCode).toBe(403);
  });

  it('re-policy is an audited admin action', async () => {
    const hh = await registerHousehold(ctx, village, 7);
    const id = (await post('/v1/alerts', village, { householdId: hh, level: 'yellow', reasons: ['低收入'] })).json().caseId;
    expect((await post(`/v1/alerts/${id}/policy`, town, {})).statusCode).toBe(403);
    // Same version in force → nothing to change.
    const admin = await ctx.token('admin', UNITS.city);
    const same = await post(`/v1/alerts/${id}/policy`, admin, {});
    expect(same.statusCode).toBe(409);
  });

  it('on-time figures per child unit count met, late and escalations', async () => {
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 3600_000).toISOString();
    const res = await get(`/v1/stats/on-time?org=${UNITS.jingyuan}&from=${from}&to=${to}`, district);
    expect(res.statusCode).toBe(200);
    const haigang = res.json().units.find((u: { code: string }) => u.code === UNITS.haigang);
    // The red alert of the first test was met late with 3 escalations; the lowered one ended late.
    expect(haigang.late).toBeGreaterThanOrEqual(2);
    expect(haigang.escalations).toBeGreaterThanOrEqual(3);
    expect(res.json().total.due).toBe(res.json().total.onTime + res.json().total.late + res.json().total.unhandled);
    expect((await get(`/v1/stats/on-time?org=${UNITS.jingyuan}&from=${to}&to=${from}`, district)).statusCode).toBe(400);
  });

  it('a grid worker’s early lowering waits for the town’s approval: refused leaves the alert as it was; approved, the deadline counts as closed without handling', async () => {
    const grid = await ctx.token('grid_worker', UNITS.haigang);
    const townStaff = await ctx.token('town_staff', UNITS.jingyuan);
    const hh = await registerHousehold(ctx, village, 9);
    const id = (await post('/v1/alerts', grid, { householdId: hh, level: 'orange', reasons: ['失业'] })).json().caseId as string;

    // No quiet defusing: the grid worker may not lower nor close it before its visit; neither may town staff.
    const lowered = await post(`/v1/alerts/${id}/level`, grid, { level: 'yellow', reason: '情况好转' });
    expect(lowered.statusCode).toBe(403);
    expect(lowered.json().error.reason).toBe('approval_required');
    expect((await post(`/v1/alerts/${id}/closure`, grid, { reason: 'resolved' })).json().error.reason).toBe('approval_required');
    expect((await post(`/v1/alerts/${id}/level`, townStaff, { level: 'yellow', reason: '情况好转' })).statusCode).toBe(403);
    // Nor through a report at a lower level (the API's update-with-start lands on the open alert).
    expect((await post('/v1/alerts', grid, { householdId: hh, level: 'yellow', reasons: ['好转'] })).statusCode).toBe(403);
    // A closure's evidence: a death needs its date, not in the future.
    const undated = await post(`/v1/alerts/${id}/requests`, grid, { change: 'close', closure: { reason: 'deceased' }, reason: '户主去世' });
    expect(undated.statusCode).toBe(422);
    expect(undated.json().error.message).toMatch(/closure\.date/);
    const future = await post(`/v1/alerts/${id}/requests`, grid, { change: 'close', closure: { reason: 'deceased', date: '2100-01-01' }, reason: '户主去世' });
    expect(future.statusCode).toBe(422);

    // The request: recorded, the town told, the level unchanged, its deadline still running.
    const asked = await post(`/v1/alerts/${id}/requests`, grid, { change: 'lower', level: 'yellow', reason: '已就业，收入稳定' });
    expect(asked.statusCode).toBe(200);
    expect(asked.json()).toMatchObject({ level: 'orange', pendingRequest: { id: 'request#1', change: 'lower', level: 'yellow', from: 'orange' } });
    expect(asked.json().deadlines.map((d: { kind: string; metAt: string | null; endedAt: string | null }) => [d.kind, d.metAt, d.endedAt])).toEqual([
      ['alert.orange', null, null],
      ['alert.approval', null, null],
    ]);
    // The earliest open deadline is the view's due: the approval (30 s) before the orange visit (60 s).
    expect(asked.json().due).toMatchObject({ kind: 'alert.approval' });
    expect((await post(`/v1/alerts/${id}/requests`, grid, { change: 'lower', level: 'yellow', reason: '再次' })).json().error.reason).toBe('request_pending');
    const notice = await eventually(async () => ctx.mongo.db.collection('notifications').findOne({ caseId: id, kind: 'approval_requested' }), 'the town told');
    expect(notice).toMatchObject({ unitCode: UNITS.jingyuan });

    // The supervisor's queue (待审批); a village cannot decide, nor a sibling town see it.
    const queue = await eventually(async () => {
      const items = (await get(`/v1/alerts/approvals?org=${UNITS.jingyuan}`, town)).json().items as { caseId: string; request: { id: string } }[];
      return items.find((i) => i.caseId === id);
    }, 'the request in the town’s queue');
    expect(queue.request.id).toBe('request#1');
    expect((await get(`/v1/alerts/approvals?org=${UNITS.jingyuan}`, siblingTown)).statusCode).toBe(403);
    expect((await post(`/v1/alerts/${id}/requests/decision`, village, { request: 'request#1', decision: 'approve', reason: '同意' })).statusCode).toBe(403);

    // Refused: nothing changes but the record.
    const refused = await post(`/v1/alerts/${id}/requests/decision`, town, { request: 'request#1', decision: 'refuse', reason: '需先入户核实' });
    expect(refused.statusCode).toBe(200);
    expect(refused.json()).toMatchObject({ level: 'orange', pendingRequest: null, due: { kind: 'alert.orange' } });
    expect(refused.json().requests[0]).toMatchObject({ id: 'request#1', decision: { decision: 'refuse', reason: '需先入户核实' } });
    const told = await eventually(async () => ctx.mongo.db.collection('notifications').findOne({ caseId: id, kind: 'approval_decided' }), 'the requester told');
    // To the requester's unit (and, with the notice's userId, to them: stored once notify's inbox keeps it).
    expect(told).toMatchObject({ unitCode: UNITS.haigang });

    // Asked again and approved: the lowering applies; the orange deadline, ended before it was due, is unhandled.
    expect((await post(`/v1/alerts/${id}/requests`, grid, { change: 'lower', level: 'yellow', reason: '已就业，收入稳定' })).statusCode).toBe(200);
    const approved = await post(`/v1/alerts/${id}/requests/decision`, town, { request: 'request#2', decision: 'approve', reason: '核实无误' });
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ level: 'yellow', pendingRequest: null, due: { kind: 'alert.yellow' } });
    const types = (await get(`/v1/cases/${id}/escalations`, town)).json().events.map((e: { type: string }) => e.type);
    expect(types.filter((t: string) => t.startsWith('approval_'))).toEqual(['approval_requested', 'approval_decided', 'approval_requested', 'approval_decided']);
    // A party member records a visit (seed 三(二)); they may not lower or request.
    const party = await ctx.token('party_member', UNITS.haigang);
    expect((await post(`/v1/alerts/${id}/visits`, party, visit())).statusCode).toBe(200);
    expect((await post(`/v1/alerts/${id}/requests`, party, { change: 'close', closure: { reason: 'resolved' }, reason: 'x' })).statusCode).toBe(403);
    const orange = await eventually(async () => (await ctx.mongo.db.collection('deadlines').findOne({ _id: `${id}:orange#1` as never }))?.outcome === 'unhandled' || undefined, 'orange#1 unhandled');
    expect(orange).toBe(true);
    // The approval was the town's to give: filed under the town, not the village (the figures count it there).
    const approval = await ctx.mongo.db.collection('deadlines').findOne({ caseId: id, deadlineKind: 'alert.approval' });
    expect([approval?.unitCode, approval?.orgPath.at(-1)]).toEqual([UNITS.jingyuan, UNITS.jingyuan]);
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 3600_000).toISOString();
    const stats = (await get(`/v1/stats/on-time?org=${UNITS.haigang}&from=${from}&to=${to}`, town)).json();
    expect(stats.total.unhandled).toBeGreaterThanOrEqual(1);
    expect(stats.total.due).toBe(stats.total.onTime + stats.total.late + stats.total.unhandled);
  });

  it('a worker’s task list: open cases with a deadline, soonest first, cursor-paginated', async () => {
    const first = (await get(`/v1/cases?org=${UNITS.haigang}&sort=due&limit=2`, village)).json();
    expect(first.items).toHaveLength(2);
    const rest = (await get(`/v1/cases?org=${UNITS.haigang}&sort=due&limit=200&cursor=${first.nextCursor}`, village)).json();
    const due = [...first.items, ...rest.items].map((c: { dueAt: string }) => Date.parse(c.dueAt));
    expect(due.every((t) => Number.isFinite(t))).toBe(true);
    expect([...due].sort((a, b) => a - b)).toEqual(due);
  });

  it('monthly on-time figures per child unit, and a link from a case to its workflow in the Temporal UI', async () => {
    const res = (await get(`/v1/stats/on-time/monthly?org=${UNITS.huancui}&months=3`, monitor)).json();
    expect(res.months).toHaveLength(3);
    const jingyuan = res.units.find((u: { code: string }) => u.code === UNITS.jingyuan);
    const thisMonth = jingyuan.series.at(-1);
    expect(thisMonth.late).toBeGreaterThanOrEqual(2);
    expect(thisMonth.escalations).toBeGreaterThanOrEqual(3);
    expect(res.total.at(-1).due).toBe(thisMonth.due);
    const anyCase = (await get(`/v1/cases?org=${UNITS.haigang}&limit=1`, village)).json().items[0];
    const one = (await get(`/v1/cases/${anyCase.caseId}`, village)).json();
    expect(one.links.temporal).toBe(`${ctx.config.temporal.uiUrl}/namespaces/default/workflows/${encodeURIComponent(`alert-${anyCase.householdId}`)}`);
  });
});
