import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../domain/roles';
import { seesPersonalData } from '../../domain/privacy';
import { appendAudit, expireAudit } from '../../store/audit';
import { authz, createTestContext, idNumber, SAMPLE_DEPARTMENT_DATA, UNITS, type TestContext } from '../helpers/context';
import { eventually } from '../helpers/wait';

/**
 * Issue 11 item 3 and the audit record, through the HTTP API on the real servers:
 * - every read path of a case — its kind's endpoint, /v1/cases/{id}, its events, the step answers, the
 *   lists — shows the same fields masked for each role: names typed into free text are the household's
 *   masked names below town level, in full above; no path returns a server file path;
 * - a read of unmasked personal data leaves an audit record, a masked read none; every mutating request
 *   leaves one (the context's close() checks each request of this file), with who, what, which case and
 *   household, and the outcome; GET /v1/audit answers admins and city monitors only.
 */

let ctx: TestContext;
const tokens: Partial<Record<Role, string>> = {};
/** Every role, each in a unit whose jurisdiction holds the household (village 371002001001). */
const VIEWERS: [Role, string][] = [
  ['grid_worker', UNITS.haigang],
  ['party_member', UNITS.haigang],
  ['village_staff', UNITS.haigang],
  ['town_staff', UNITS.jingyuan],
  ['town_supervisor', UNITS.jingyuan],
  ['district_staff', UNITS.huancui],
  ['city_monitor', UNITS.city],
  ['admin', UNITS.city],
];
/**
 * What each viewer sees of the household (issue 14, privacy by need): the village's staff and grid worker
 * (the household has no grid) see its name, address and phone — never ID numbers; the party member, not
 * paired with it, sees every personal field masked; town and above everything.
 */
const sightOf = (role: Role): 'full' | 'need' | 'masked' => (seesPersonalData(role) ? 'full' : role === 'party_member' ? 'masked' : 'need');
const HEAD = '张秀兰';
const MEMBER = '李明';
const HEAD_ID = idNumber(700);
const MEMBER_ID = idNumber(701);
/** What no masked viewer below town level may see on any path. */
const SECRETS = [HEAD, MEMBER, HEAD_ID, MEMBER_ID, '13912340000'];
/** What no viewer below town level sees, by need or not. */
const ID_NUMBERS = [HEAD_ID, MEMBER_ID];
/** The body holds what `role` must see and nothing it must not. */
function expectShown(role: Role, body: string, what: string): void {
  const sight = sightOf(role);
  if (sight !== 'masked') expect(body, `${role} ${what}`).toContain(HEAD);
  if (sight === 'need') for (const id of ID_NUMBERS) expect(body, `${role} ${what} shows ${id}`).not.toContain(id);
  if (sight === 'masked') for (const secret of SECRETS) expect(body, `${role} ${what} shows ${secret}`).not.toContain(secret);
}

let household: string;
let alertId: string;
let applicationId: string;
let wishId: string;
/** The answers of the steps taken, by the role that took them: a step's answer is a read path too. */
const stepAnswers: { role: Role; body: string }[] = [];

const post = (url: string, token: string, payload: unknown) => ctx.app.inject({ method: 'POST', url, headers: authz(token), payload: payload as object });
const get = (url: string, token: string) => ctx.app.inject({ method: 'GET', url, headers: authz(token) });
const auditOf = (requestId: string) => ctx.mongo.db.collection('audit').find({ requestId }).toArray();

beforeAll(async () => {
  // A red alert overdue within seconds, so that it shows on the supervisors' board (one more read path).
  ctx = await createTestContext('privacy_e2e', { policy: { version: 'privacy-e2e', alerts: { red: { due: 'PT2S', escalateEvery: 'PT1H' } } } });
  await ctx.startWorker();
  for (const [role, unit] of VIEWERS) tokens[role] = await ctx.token(role, unit, { user: `${role}.user` });
  const village = tokens.village_staff!;

  const registered = await post('/v1/households', village, {
    headName: HEAD,
    headIdNumber: HEAD_ID,
    members: [{ name: MEMBER, idNumber: MEMBER_ID, relation: '孙子' }],
    address: '威海市环翠区海港路88号3单元',
    phone: '13912340000',
    unitCode: UNITS.haigang,
    categories: ['minimum_subsistence'],
  });
  expect(registered.statusCode).toBe(201);
  household = registered.json().id;

  // Names typed into free text on every kind: an alert's reason and visit notes, an application's
  // acceptance note and findings, a wish's title and description.
  const alert = await post('/v1/alerts', village, { householdId: household, level: 'red', reasons: [`${HEAD}突发重病住院`] });
  expect(alert.statusCode).toBe(201);
  alertId = alert.json().caseId;
  const visit = await post(`/v1/alerts/${alertId}/visits`, village, { visitors: ['王网格'], visitedAt: new Date().toISOString(), outcome: 'needs_assistance', notes: `见到${MEMBER}，他说奶奶${HEAD}需要照顾` });
  expect(visit.statusCode).toBe(200);
  stepAnswers.push({ role: 'village_staff', body: visit.body });

  const filed = await post('/v1/applications', village, { householdId: household, category: 'minimum_subsistence', source: 'on_behalf', labourCapacity: 'no_labour_capacity' });
  expect(filed.statusCode).toBe(201);
  applicationId = filed.json().caseId;
  const accepted = await post(`/v1/applications/${applicationId}/acceptance`, tokens.town_staff!, { decision: 'accept', note: `${HEAD}材料齐全` });
  expect(accepted.statusCode).toBe(200);
  stepAnswers.push({ role: 'town_staff', body: accepted.body });
  await eventually(async () => (await get(`/v1/applications/${applicationId}`, tokens.town_staff!)).json().stage === 'investigation', 'verification to complete');
  const investigated = await post(`/v1/applications/${applicationId}/investigation`, village, {
    investigators: ['王调查', '赵调查'],
    visitedAt: new Date().toISOString(),
    findings: `${HEAD}独居，${MEMBER}在外打工，电话13912340000`,
  });
  expect(investigated.statusCode).toBe(200);
  stepAnswers.push({ role: 'village_staff', body: investigated.body });

  const wish = await post('/v1/wishes', village, { householdId: household, title: `${HEAD}想要一台轮椅`, description: `${MEMBER}不在家时没人推她出门`, category: 'material', postedBy: 'household' });
  expect(wish.statusCode).toBe(201);
  wishId = wish.json().caseId;
  stepAnswers.push({ role: 'village_staff', body: wish.body });
}, 120_000);
afterAll(async () => ctx?.close());

/** The read paths of one case: its kind's endpoint and the generic one (same view), and its timeline. */
const caseViewPaths = (kind: string, id: string) => [`/v1/${kind}/${id}`, `/v1/cases/${id}`];
/** A view without what only the generic endpoint adds (its Temporal link) or only a kind's endpoint. */
const comparable = (v: Record<string, unknown>) => {
  const { links: _links, ...rest } = v;
  return rest;
};

describe('masking is the same on every read path, for every role', () => {
  it('a case’s view: the kind’s endpoint and /v1/cases/{id} show the same, names in free text masked below town level', async () => {
    for (const [role] of VIEWERS) {
      for (const [kind, id] of [['alerts', alertId], ['applications', applicationId], ['wishes', wishId]] as const) {
        const [own, generic] = await Promise.all(caseViewPaths(kind, id).map((url) => get(url, tokens[role]!)));
        expect(own!.statusCode, `${role} ${kind}`).toBe(200);
        expect(generic!.statusCode, `${role} cases`).toBe(200);
        expect(comparable(generic!.json()), `${role}: /v1/${kind}/${id} and /v1/cases/${id} differ`).toEqual(comparable(own!.json()));
        expectShown(role, own!.body, kind);
      }
    }
    // The fields themselves, as a masked village role sees them on both paths (a party member not paired with the household).
    const alert = (await get(`/v1/cases/${alertId}`, tokens.party_member!)).json();
    expect(alert.reasons).toEqual(['张**突发重病住院']);
    expect(alert.visits[0].notes).toBe('见到李*，他说奶奶张**需要照顾');
    expect(alert.visits[0].visitors).toEqual(['王网格']);
    const wish = (await get(`/v1/cases/${wishId}`, tokens.party_member!)).json();
    expect(wish).toMatchObject({ title: '张**想要一台轮椅', description: '李*不在家时没人推她出门' });
    const application = (await get(`/v1/applications/${applicationId}`, tokens.party_member!)).json();
    expect(application.investigations[0].findings).toBe('张**独居，李*在外打工，电话139****0000');
    // The village's staff and grid worker see them by need (issue 14).
    expect((await get(`/v1/cases/${alertId}`, tokens.grid_worker!)).json().visits[0].notes).toBe(`见到${MEMBER}，他说奶奶${HEAD}需要照顾`);
    expect((await get(`/v1/applications/${applicationId}`, tokens.village_staff!)).json().investigations[0].findings).toBe(`${HEAD}独居，${MEMBER}在外打工，电话13912340000`);
    expect((await get(`/v1/applications/${applicationId}`, tokens.town_staff!)).json().investigations[0].findings).toBe(`${HEAD}独居，${MEMBER}在外打工，电话13912340000`);
  });

  it('a case’s timeline and escalation trail: event data masked the same way', async () => {
    for (const [role] of VIEWERS) {
      const res = await get(`/v1/cases/${alertId}/escalations`, tokens[role]!);
      expect(res.statusCode).toBe(200);
      const opened = res.json().events.find((e: { type: string }) => e.type === 'opened');
      expect(opened.data.reasons, role).toEqual(sightOf(role) !== 'masked' ? [`${HEAD}突发重病住院`] : ['张**突发重病住院']);
      expectShown(role, res.body, 'timeline');
    }
  });

  it('a step’s answer and a start’s answer are masked like a read', () => {
    for (const { role, body } of stepAnswers) {
      expectShown(role, body, 'step answer');
    }
  });

  it('lists, the task list and the register: the household’s name and address masked below town level but for its village’s staff and grid worker', async () => {
    for (const [role] of VIEWERS) {
      for (const url of [`/v1/cases?org=${UNITS.haigang}`, `/v1/cases?sort=due&org=${UNITS.haigang}`, `/v1/households?org=${UNITS.haigang}`, `/v1/households/${household}`]) {
        const res = await get(url, tokens[role]!);
        expect(res.statusCode, `${role} ${url}`).toBe(200);
        if (sightOf(role) === 'masked') expect(res.body, `${role} ${url}`).toContain('张**');
        expectShown(role, res.body, url);
      }
    }
  });

  it('full-width numbers, a name typed with a space inside and a short address are masked for masked village roles too (issue 11 item 3)', async () => {
    const village = tokens.village_staff!;
    const registered = await post('/v1/households', village, { headName: '李四', headIdNumber: idNumber(702), address: '海港路2号', phone: '13912342222', unitCode: UNITS.haigang, categories: ['minimum_subsistence'] });
    expect(registered.statusCode, registered.body).toBe(201);
    const other = registered.json().id as string;
    const alert = await post('/v1/alerts', village, { householdId: other, level: 'yellow', reasons: ['李 四摔伤，李　四的儿子不在家'] });
    expect(alert.statusCode, alert.body).toBe(201);
    const id = alert.json().caseId as string;
    const visit = await post(`/v1/alerts/${id}/visits`, village, { visitors: ['王网格'], visitedAt: new Date().toISOString(), outcome: 'needs_assistance', notes: '电话１３８００００００００２，住海港路２号' });
    expect(visit.statusCode, visit.body).toBe(200);
    const shown = (await get(`/v1/cases/${id}`, tokens.party_member!)).json();
    expect(shown.reasons).toEqual(['李*摔伤，李*的儿子不在家']);
    expect(shown.visits[0].notes).toBe('电话138*****0002，住海港路****');
    expect((await get(`/v1/cases/${id}`, tokens.town_staff!)).json().visits[0].notes).toBe('电话１３８００００００００２，住海港路２号');
    // The list row and the register show the short address with its house number masked, as free text does.
    const rows = await eventually(async () => {
      const res = await get(`/v1/cases?org=${UNITS.haigang}`, tokens.party_member!);
      const row = (res.json().items as Array<{ caseId: string; household?: { headName: string; address: string } | null }>).find((r) => r.caseId === id);
      return row?.household ? res : undefined;
    }, 'the alert in the list');
    expect(rows.body).not.toContain('海港路2号');
    expect((rows.json().items as Array<{ caseId: string; household: { address: string } }>).find((r) => r.caseId === id)!.household.address).toBe('海港路****');
    expect((await get(`/v1/households/${other}`, tokens.party_member!)).json().address).toBe('海港路****');
  });

  it('the supervisors’ board: the same masking as every list', async () => {
    await eventually(async () => (await get(`/v1/cases?overdue=true&org=${UNITS.haigang}`, tokens.town_staff!)).json().items.some((r: { caseId: string }) => r.caseId === alertId), 'the alert on the board');
    for (const [role] of VIEWERS) {
      const res = await get(`/v1/cases?overdue=true&org=${UNITS.haigang}`, tokens[role]!);
      const row = res.json().items.find((r: { caseId: string }) => r.caseId === alertId);
      // The phone as well (fresh-eyes on issue 14), masked as the name and address are.
      expect(row.household, role).toEqual(sightOf(role) !== 'masked' ? { headName: HEAD, address: '威海市环翠区海港路88号3单元', phone: '13912340000' } : { headName: '张**', address: '威海市环翠区****', phone: '139****0000' });
    }
  });

  it('a public report: its text and contact masked below town level, on its own endpoint and /v1/cases/{id}', async () => {
    const sent = await ctx.app.inject({ method: 'POST', url: '/v1/public/reports', payload: { unitCode: UNITS.haigang, category: 'missed_household', text: '邻居家老人没人管，电话13912345678', contact: '王芳 13800002222' } });
    expect(sent.statusCode).toBe(201);
    const { reportId } = sent.json();
    // The village handles the report and must answer its reporter: it sees the contact in full, audited (privacy by need).
    const villageRead = await get(`/v1/reports/${reportId}`, tokens.village_staff!);
    expect(villageRead.json()).toMatchObject({ text: '邻居家老人没人管，电话139****5678', contact: '王芳 13800002222' });
    expect(await auditOf(String(villageRead.headers['x-request-id']))).toMatchObject([{ action: 'report.read', caseIds: [reportId], personalData: true }]);
    const town = await get(`/v1/reports/${reportId}`, tokens.town_staff!);
    expect(town.json()).toMatchObject({ text: '邻居家老人没人管，电话13912345678', contact: '王芳 13800002222' });
    // The contact is personal data: the town's read is audited too.
    expect(await auditOf(String(town.headers['x-request-id']))).toMatchObject([{ action: 'report.read', caseIds: [reportId], personalData: true }]);
    expect((await get(`/v1/cases/${reportId}`, tokens.village_staff!)).json().text).toBe('邻居家老人没人管，电话139****5678');
  });

  it('an application’s verification answers name no server path, for any role', async () => {
    const folder = SAMPLE_DEPARTMENT_DATA.replace(/\/+$/, '');
    for (const [role] of VIEWERS) {
      for (const url of caseViewPaths('applications', applicationId)) {
        const res = await get(url, tokens[role]!);
        const answers = res.json().verification.answers as { status: string; reason?: string }[];
        // The sample extracts lack some departments: those answers are "missing", with a reason.
        expect(answers.some((a) => a.status === 'missing')).toBe(true);
        expect(res.body, `${role} ${url}`).not.toContain(folder);
        expect(res.body, `${role} ${url}`).not.toContain('/scripts/seed');
      }
    }
  });
});

describe('the audit record', () => {
  it('a read of unmasked personal data is audited (who, what, which household); a masked read is not', async () => {
    const unmasked = await get(`/v1/households/${household}`, tokens.town_staff!);
    expect(unmasked.statusCode).toBe(200);
    const [record, ...more] = await auditOf(String(unmasked.headers['x-request-id']));
    expect(more).toHaveLength(0);
    expect(record).toMatchObject({
      user: { id: 'town_staff.user', role: 'town_staff', unit: UNITS.jingyuan },
      method: 'GET',
      route: 'GET /v1/households/:id',
      action: 'households.read',
      reason: 'personal_data_read',
      personalData: true,
      householdIds: [household],
      outcome: { status: 200, code: null },
    });

    const caseRead = await get(`/v1/cases/${alertId}`, tokens.district_staff!);
    expect(await auditOf(String(caseRead.headers['x-request-id']))).toMatchObject([{ action: 'cases.read', caseIds: [alertId], householdIds: [household], personalData: true }]);

    for (const url of [`/v1/households/${household}`, `/v1/cases/${alertId}`, `/v1/alerts/${alertId}`, `/v1/cases?org=${UNITS.haigang}`]) {
      const masked = await get(url, tokens.party_member!);
      expect(masked.statusCode).toBe(200);
      expect(await auditOf(String(masked.headers['x-request-id'])), `masked read ${url}`).toHaveLength(0);
    }
    // A read that shows no personal data at all is not audited either, whoever reads it.
    const stats = await get(`/v1/stats/on-time?org=${UNITS.jingyuan}&from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z`, tokens.town_staff!);
    expect(await auditOf(String(stats.headers['x-request-id']))).toHaveLength(0);
  });

  it('a mutating request leaves one record with its case, household and outcome — refused ones too', async () => {
    const visit = await post(`/v1/alerts/${alertId}/visits`, tokens.village_staff!, { visitors: ['王网格'], visitedAt: new Date().toISOString(), outcome: 'stable', notes: '' });
    expect(visit.statusCode).toBe(200);
    expect(await auditOf(String(visit.headers['x-request-id']))).toMatchObject([
      { user: { id: 'village_staff.user', role: 'village_staff', unit: UNITS.haigang }, method: 'POST', route: 'POST /v1/alerts/:id/visits', action: 'alert.recordVisit', reason: 'mutation', personalData: true, caseIds: [alertId], householdIds: [household], outcome: { status: 200, code: null } },
    ]);
    // Its answer showed the household by need (issue 14): the record says which fields and why.
    expect((await auditOf(String(visit.headers['x-request-id'])))[0]!.disclosures).toEqual([{ householdId: household, fields: ['name', 'address', 'phone'], basis: 'village_staff' }]);
    const bad = await post(`/v1/alerts/${alertId}/visits`, tokens.village_staff!, { visitors: [], outcome: 'stable' });
    expect(bad.statusCode).toBe(400);
    // The guard loads and checks the case before the body is validated (api/guard.ts), so a refused body names it too.
    expect(await auditOf(String(bad.headers['x-request-id']))).toMatchObject([{ action: 'alert.recordVisit', caseIds: [alertId], outcome: { status: 400, code: 'bad_request' } }]);
    const refused = await post(`/v1/alerts/${alertId}/visits`, tokens.city_monitor!, { visitors: ['x'], visitedAt: new Date().toISOString(), outcome: 'stable' });
    expect(refused.statusCode).toBe(403);
    expect(await auditOf(String(refused.headers['x-request-id']))).toMatchObject([{ user: { role: 'city_monitor' }, outcome: { status: 403, code: 'forbidden' } }]);
    const anonymous = await ctx.app.inject({ method: 'POST', url: `/v1/alerts/${alertId}/visits`, payload: {} });
    expect(anonymous.statusCode).toBe(401);
    expect(await auditOf(String(anonymous.headers['x-request-id']))).toMatchObject([{ user: null, outcome: { status: 401, code: 'unauthorized' } }]);
  });

  it('GET /v1/audit: admins and city monitors only, filtered and paginated', async () => {
    for (const role of ['grid_worker', 'village_staff', 'town_staff', 'town_supervisor', 'district_staff'] as const) {
      expect((await get('/v1/audit', tokens[role]!)).statusCode, role).toBe(403);
    }
    // Its filters follow the API's one date rule and strict query strings.
    for (const q of ['from=9999-12-31T00:00:00Z', 'from=0001-01-01T00:00:00Z', 'to=2026-02-30T00:00:00Z', 'form=2026-01-01T00:00:00Z']) {
      expect((await get(`/v1/audit?${q}`, tokens.city_monitor!)).statusCode, q).toBe(400);
    }
    const byHousehold = await get(`/v1/audit?household=${household}&limit=200`, tokens.city_monitor!);
    expect(byHousehold.statusCode).toBe(200);
    // Reading the record is recorded too (it names staff and their addresses).
    expect(await auditOf(String(byHousehold.headers['x-request-id']))).toMatchObject([{ action: 'audit.read', reason: 'personal_data_read', user: { role: 'city_monitor' } }]);
    const items = byHousehold.json().items as { id: string; at: string; householdIds: string[]; action: string }[];
    expect(items.length).toBeGreaterThan(5);
    expect(items.every((r) => r.householdIds.includes(household))).toBe(true);
    expect(items.map((r) => r.at)).toEqual([...items.map((r) => r.at)].sort().reverse());
    expect(items.map((r) => r.action)).toEqual(expect.arrayContaining(['households.register', 'alert.start', 'alert.recordVisit', 'application.start', 'application.acceptance', 'application.investigation', 'wish.post']));

    const byCase = (await get(`/v1/audit?case=${applicationId}&action=application.investigation`, tokens.admin!)).json().items;
    expect(byCase).toMatchObject([{ action: 'application.investigation', user: { id: 'village_staff.user' }, caseIds: [applicationId] }]);

    // Pages: two records a page, no record twice, the same records as one long page.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = (await get(`/v1/audit?household=${household}&limit=2${cursor ? `&cursor=${cursor}` : ''}`, tokens.city_monitor!)).json();
      seen.push(...page.items.map((r) => r.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(items.map((r) => r.id));

    const future = (await get(`/v1/audit?user=town_staff.user&from=2099-01-01T00:00:00Z`, tokens.city_monitor!)).json();
    expect(future.items).toEqual([]);
    expect((await get('/v1/audit?from=2027-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', tokens.city_monitor!)).statusCode).toBe(400);
  });

  it('the retention purge removes records older than the retention and nothing younger', async () => {
    const day = 86_400_000;
    const now = new Date();
    const entry = (daysAgo: number, requestId: string) => ({
      at: new Date(now.getTime() - daysAgo * day),
      requestId,
      user: null,
      ip: '127.0.0.1',
      method: 'POST',
      route: 'POST /v1/alerts',
      action: 'alert.start',
      reason: 'mutation' as const,
      personalData: false,
      caseIds: [],
      householdIds: [],
      outcome: { status: 201, code: null },
    });
    await appendAudit(ctx.mongo.db, entry(185, 'purge-old'));
    await appendAudit(ctx.mongo.db, entry(183, 'purge-young'));
    expect(await expireAudit(ctx.mongo.db, 184, now)).toBe(1);
    expect(await auditOf('purge-old')).toHaveLength(0);
    expect(await auditOf('purge-young')).toHaveLength(1);
    await expect(expireAudit(ctx.mongo.db, 100, now)).rejects.toThrow(/minimum of 184/);
    expect(await auditOf('purge-young')).toHaveLength(1);
  });
});
