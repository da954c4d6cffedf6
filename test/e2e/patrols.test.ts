import { ScheduleNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDay } from '../../domain/china-time';
import { COLLECTIONS } from '../../store/collections';
import { memberIdFor, registerMember } from '../../store/party-members';
import { patrolPlanScheduleId } from '../../workflows/patrol/contract';
import { authz, createTestContext, registerHousehold, UNITS, type TestContext } from '../helpers/context';
import { eventually } from '../helpers/time-skipping';

/**
 * Patrols end to end on the real Temporal dev server (which runs schedules; the time-skipping server does not):
 * a village's plan as its Schedule firing at a test cadence of 2 s (the test policy lowers `minEvery` to 1 s;
 * production's minimum stays P1D), pausing it, recording a patrol through the API, and who may.
 */

/** The test policy: a plan may fire every second or more (the default policy's minimum is P1D). */
const POLICY = { patrol: { minEvery: 'PT1S' } };
/** A village no other file plans for: schedules are namespace-wide on the shared dev server, deleted in afterAll. */
const VILLAGE = '371002001003';
const OTHER_VILLAGE = '371002001002';
const PLAN = `/v1/villages/${VILLAGE}/patrol-plan`;

let ctx: TestContext;
let staff: string;
let otherStaff: string;
let town: string;
let siblingTown: string;
let grid: string;
let member: string;
const MEMBER_LOGIN = `zhao.member@${VILLAGE}`;

beforeAll(async () => {
  ctx = await createTestContext('patrols_e2e', { policy: POLICY });
  await ctx.startWorker();
  staff = await ctx.token('village_staff', VILLAGE);
  otherStaff = await ctx.token('village_staff', OTHER_VILLAGE);
  town = await ctx.token('town_staff', UNITS.jingyuan);
  siblingTown = await ctx.token('town_supervisor', UNITS.huancuilou);
  grid = await ctx.token('grid_worker', VILLAGE);
  member = await ctx.token('party_member', VILLAGE, { user: MEMBER_LOGIN });
  const at = new Date().toISOString();
  await registerMember(ctx.mongo.db, {
    id: memberIdFor(MEMBER_LOGIN),
    userId: MEMBER_LOGIN,
    name: '赵党员',
    phone: '13900000001',
    role: 'member',
    kind: 'resident',
    branch: '第一党支部',
    unitCode: VILLAGE,
    skills: [],
    publicConsent: false,
    villageCode: VILLAGE,
    gridCode: null,
    orgPath: ['371000', '371002', UNITS.jingyuan, VILLAGE],
    status: 'active',
    createdAt: at,
    createdBy: 'test',
  } as never);
});

afterAll(async () => {
  if (!ctx) return;
  await ctx.temporal.schedule
    .getHandle(patrolPlanScheduleId(VILLAGE))
    .delete()
    .catch((err: unknown) => {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    });
  for await (const wf of ctx.temporal.workflow.list({ query: `TaskQueue = "${ctx.config.temporal.taskQueue}" AND ExecutionStatus = "Running"` })) {
    await ctx.temporal.workflow.getHandle(wf.workflowId, wf.runId).terminate('test over').catch(() => undefined);
  }
  await ctx.close();
});

const send = (method: 'POST' | 'PUT' | 'GET' | 'DELETE', url: string, token: string, payload?: unknown) =>
  ctx.app.inject({ method, url, headers: authz(token), ...(payload === undefined ? {} : { payload: payload as object }) });
const patrols = () => ctx.mongo.db.collection<{ _id: string; status: string; workflowId: string }>(COLLECTIONS.cases).find({ kind: 'patrol', unitCode: VILLAGE }).toArray();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let firedIds: string[] = [];

describe('a village’s patrol plan as its Temporal Schedule', () => {
  it('fires over two cycles: two patrol cases with distinct ids in the read model; pausing stops further fires', async () => {
    const created = await send('PUT', PLAN, staff, { every: 'PT2S', focusGroups: ['major_illness', 'severe_disability'], note: '每两秒（测试）' });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ scheduleId: `patrol-plan-${VILLAGE}`, villageCode: VILLAGE, every: 'PT2S', everyMs: 2000, focusGroups: ['major_illness', 'severe_disability'], paused: false, note: '每两秒（测试）' });
    // The plan's change is audited like any write: who, which cell, the outcome.
    const audited = await ctx.mongo.db.collection(COLLECTIONS.audit).findOne({ requestId: created.headers['x-request-id'] });
    expect(audited).toMatchObject({ route: 'PUT /v1/villages/:code/patrol-plan', action: 'patrol.plan', user: { id: `village_staff@${VILLAGE}`, role: 'village_staff' }, outcome: { status: 201 } });

    const two = await eventually(async () => {
      const rows = await patrols();
      expect(rows.length).toBeGreaterThanOrEqual(2);
      return rows;
    }, 20_000);
    const ids = two.map((r) => r._id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of two) expect(r._id).toMatch(new RegExp(`^patrol-${VILLAGE}-\\d{8}T\\d{6}Z$`));
    expect(new Set(two.map((r) => r.workflowId)).size).toBe(two.length);
    // Each case is the cycle the schedule fired it for: its id carries the scheduled time Temporal appended to the workflow id.
    for (const r of two) {
      const scheduled = r.workflowId.slice(`patrol-${VILLAGE}-`.length);
      expect(r.workflowId).toMatch(new RegExp(`^patrol-${VILLAGE}-\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$`));
      expect(r._id).toBe(`patrol-${VILLAGE}-${scheduled.replace(/[-:]/g, '')}`);
    }
    const view = (await send('GET', `/v1/patrols/${ids[0]}`, staff)).json();
    expect(view).toMatchObject({ kind: 'patrol', focusGroups: ['major_illness', 'severe_disability'], due: { kind: 'patrol.record' } });
    expect(Date.parse(view.cycleEnd) - Date.parse(view.cycleStart)).toBe(2000);

    const paused = await send('PUT', PLAN, staff, { every: 'PT2S', focusGroups: ['major_illness', 'severe_disability'], paused: true });
    expect(paused.statusCode, paused.body).toBe(200);
    expect(paused.json()).toMatchObject({ paused: true, note: '每两秒（测试）' });
    // A fire taken just before the pause may still be projecting: count after it settles, then wait three cycles.
    await sleep(1500);
    const described = await ctx.temporal.schedule.getHandle(patrolPlanScheduleId(VILLAGE)).describe();
    const actions = described.info.numActionsTaken;
    const settled = await eventually(async () => {
      const rows = await patrols();
      expect(rows.length).toBe(actions);
      return rows.length;
    });
    await sleep(6000);
    expect((await ctx.temporal.schedule.getHandle(patrolPlanScheduleId(VILLAGE)).describe()).info.numActionsTaken).toBe(actions);
    expect((await patrols()).length).toBe(settled);
    // A change that does not say `paused` keeps the plan paused.
    const changed = await send('PUT', PLAN, staff, { every: 'PT2S', focusGroups: ['major_illness', 'severe_disability'], note: '暂停中（测试）' });
    expect(changed.json()).toMatchObject({ paused: true, note: '暂停中（测试）' });
    const read = (await send('GET', PLAN, grid)).json();
    expect(read).toMatchObject({ paused: true, every: 'PT2S', focusGroups: ['major_illness', 'severe_disability'] });
    expect(read.recentActions.length).toBeGreaterThanOrEqual(2);
    firedIds = (await patrols()).map((r) => r._id);
  });

  it('refuses a cadence outside the policy’s bounds, no focus group, a town, and staff outside the village', async () => {
    const tooLong = await send('PUT', PLAN, staff, { every: 'P100D' });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().error.details[0].path).toBe('body.every');
    expect((await send('PUT', PLAN, staff, { every: 'PT0.5S' })).statusCode).toBe(400);
    const none = await send('PUT', PLAN, staff, { every: 'PT2S', focusGroups: [] });
    expect(none.statusCode).toBe(400);
    expect(none.json().error.details[0].path).toBe('body.focusGroups');
    expect((await send('PUT', PLAN, staff, { focusGroups: ['hunger'] })).statusCode).toBe(400);
    expect((await send('PUT', `/v1/villages/${UNITS.jingyuan}/patrol-plan`, town, { every: 'P7D' })).statusCode).toBe(422);
    expect((await send('PUT', PLAN, otherStaff, { every: 'P7D' })).statusCode).toBe(403);
    expect((await send('PUT', PLAN, siblingTown, { every: 'P7D' })).statusCode).toBe(403);
    expect((await send('PUT', PLAN, grid, { every: 'P7D' })).statusCode).toBe(403);
    // A village with no plan reads 404. (Not OTHER_VILLAGE: schedule ids are per village in the Temporal
    // namespace, which the suite's files share, and test/web/patrols.test.ts plans for that one.)
    const unplanned = '371002003003';
    expect((await send('GET', `/v1/villages/${unplanned}/patrol-plan`, await ctx.token('village_staff', unplanned))).statusCode).toBe(404);
    // The plan is unchanged by the refusals.
    expect((await send('GET', PLAN, town)).json()).toMatchObject({ every: 'PT2S', paused: true });
  });
});

describe('recording a patrol through the API', () => {
  it('records who patrolled and whom it visited; another village’s staff may not; bad references are 422 naming the field', async () => {
    expect(firedIds.length).toBeGreaterThanOrEqual(2);
    const [first, second] = firedIds as [string, string];
    const household = await registerHousehold(ctx, staff, 7301, VILLAGE);
    const elsewhere = await registerHousehold(ctx, otherStaff, 7302, OTHER_VILLAGE);
    const body = {
      day: localDay(Date.now()),
      members: [memberIdFor(MEMBER_LOGIN), `wang.grid@${VILLAGE}`],
      visited: [
        { householdId: household, focusGroup: 'major_illness', finding: 'concern', note: '张7301刚出院，需定期探望' },
        { description: '新搬来的独居老人一户', focusGroup: 'severe_disability', finding: 'ok' },
      ],
      note: '本轮巡查，张7301家需关注',
    };
    const url = `/v1/patrols/${first}/record`;

    // Jurisdiction: another village's staff, a sibling town.
    expect((await send('POST', url, otherStaff, body)).statusCode).toBe(403);
    expect((await send('POST', url, siblingTown, body)).statusCode).toBe(403);
    // References: a household of another village, personal data in a description, an unknown member id, a discovery that is no case.
    const foreign = await send('POST', url, member, { ...body, visited: [{ householdId: elsewhere, focusGroup: 'accident', finding: 'ok' }] });
    expect(foreign.statusCode, foreign.body).toBe(422);
    expect(foreign.json().error.details[0].path).toBe('body.visited.0.householdId');
    const phone = await send('POST', url, member, { ...body, visited: [{ description: '独居老人，电话13812345678', focusGroup: 'accident', finding: 'ok' }] });
    expect(phone.statusCode).toBe(422);
    expect(phone.json().error.details[0]).toMatchObject({ path: 'body.visited.0.description', code: 'personal_data' });
    const unknown = await send('POST', url, member, { ...body, members: ['pm-000000000000'] });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().error.details[0].path).toBe('body.members.0');
    const discovery = await send('POST', url, member, { ...body, visited: [{ householdId: household, focusGroup: 'accident', finding: 'discovery', discoveryId: 'discovery-0000000000000000' }] });
    expect(discovery.statusCode).toBe(422);
    expect(discovery.json().error.details[0].path).toBe('body.visited.0.discoveryId');
    // Shape: neither a household nor a description, no visit, no member.
    expect((await send('POST', url, member, { ...body, visited: [{ focusGroup: 'accident', finding: 'ok' }] })).statusCode).toBe(400);
    expect((await send('POST', url, member, { ...body, visited: [] })).statusCode).toBe(400);
    expect((await send('POST', url, member, { ...body, members: [] })).statusCode).toBe(400);
    // A party member records only a patrol they took part in (the workflow's rule).
    expect((await send('POST', url, member, { ...body, members: [`wang.grid@${VILLAGE}`] })).statusCode).toBe(422);

    const recorded = await send('POST', url, member, body);
    expect(recorded.statusCode, recorded.body).toBe(200);
    expect(recorded.json()).toMatchObject({
      caseId: first,
      status: 'closed',
      stage: 'recorded',
      record: { members: [MEMBER_LOGIN, `wang.grid@${VILLAGE}`], by: { userId: MEMBER_LOGIN, role: 'party_member' } },
      visited: [
        { householdId: household, focusGroup: 'major_illness', finding: 'concern' },
        { householdId: null, description: '新搬来的独居老人一户', finding: 'ok' },
      ],
    });
    // The notes name a visited household: masked for the member (not paired with it) on every read path; whole for
    // the village's staff and grid worker, who act on it (privacy by need, issue 14; it has no grid), and for the town.
    for (const [who, token, shown] of [['member', member, false], ['village', staff, true], ['grid', grid, true]] as const) {
      for (const path of [`/v1/patrols/${first}`, `/v1/cases/${first}`]) {
        const read = await send('GET', path, token);
        expect(read.statusCode, `${who} ${path}`).toBe(200);
        if (shown) expect(read.body, `${who} ${path}`).toContain('张7301刚出院');
        else expect(read.body, `${who} ${path}`).not.toContain('张7301');
        expect(read.body, `${who} ${path}`).toContain('刚出院');
      }
    }
    expect(recorded.body).not.toContain('张7301');
    expect((await send('GET', `/v1/patrols/${first}`, town)).json()).toMatchObject({ record: { note: '本轮巡查，张7301家需关注' }, visited: [{ note: '张7301刚出院，需定期探望' }, {}] });
    // Recorded after its 2-second cycle: late.
    await eventually(async () => expect(await ctx.mongo.db.collection(COLLECTIONS.deadlines).findOne({ caseId: first })).toMatchObject({ deadlineKind: 'patrol.record', outcome: 'late' }));
    expect((await send('POST', url, member, body)).statusCode).toBe(409);
    // A finding links to the discovery it was reported as — only one about the row's household (422 otherwise) —
    // and the link reads both ways: the patrol lists the discovery, the discovery the patrol.
    const discover = async (householdId: string) => {
      const res = await send('POST', '/v1/discoveries', member, { key: `patrol-e2e-${householdId}-${Date.now()}`, householdId, focusGroup: 'major_illness', situation: '出院后无人照料', urgency: 'normal' });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().caseId as string;
    };
    const discoveryId = await discover(household);
    const aboutOther = await discover(await registerHousehold(ctx, staff, 7303, VILLAGE));
    const finding = { householdId: household, focusGroup: 'major_illness', finding: 'discovery', discoveryId };
    const mislinked = await send('POST', `/v1/patrols/${second}/record`, town, { ...body, members: [`wang.grid@${VILLAGE}`], visited: [{ ...finding, discoveryId: aboutOther }] });
    expect(mislinked.statusCode, mislinked.body).toBe(422);
    expect(mislinked.json().error.details[0]).toMatchObject({ path: 'body.visited.0.discoveryId' });
    const described = await send('POST', `/v1/patrols/${second}/record`, town, { ...body, members: [`wang.grid@${VILLAGE}`], visited: [{ description: '独居老人一户', focusGroup: 'major_illness', finding: 'discovery', discoveryId }] });
    expect(described.statusCode, described.body).toBe(422);
    // Village staff and town staff record too (no member rule for them).
    const byTown = await send('POST', `/v1/patrols/${second}/record`, town, { ...body, members: [`wang.grid@${VILLAGE}`], visited: [finding] });
    expect(byTown.statusCode, byTown.body).toBe(200);
    await eventually(async () => {
      expect((await send('GET', `/v1/cases/${second}`, staff)).json().links.cases).toEqual([expect.objectContaining({ caseId: discoveryId, kind: 'discovery', direction: 'to' })]);
      expect((await send('GET', `/v1/cases/${discoveryId}`, staff)).json().links.cases).toEqual([expect.objectContaining({ caseId: second, kind: 'patrol', direction: 'from' })]);
    });
    expect((await send('GET', `/v1/discoveries/${discoveryId}`, member)).json().links).toEqual([expect.objectContaining({ caseId: second, kind: 'patrol' })]);
  });

  it('deleting the plan stops its schedule; reading it then is 404', async () => {
    const deleted = await send('DELETE', PLAN, staff);
    expect(deleted.statusCode, deleted.body).toBe(200);
    expect(deleted.json()).toEqual({ scheduleId: `patrol-plan-${VILLAGE}`, deleted: true });
    expect((await send('GET', PLAN, staff)).statusCode).toBe(404);
    expect((await send('DELETE', PLAN, staff)).statusCode).toBe(404);
  });
});
