import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTable, type Guard } from '../../api/guard';
import { can, gridWorkerReachesVillageHousehold, inJurisdiction, permissionOf, type Subject } from '../../domain/permissions';
import { ROLES, type Role } from '../../domain/roles';
import { COLLECTIONS } from '../../store/collections';
import { memberIdFor, registerMember } from '../../store/party-members';
import { appendEntry } from '../../store/points';
import { postTask, taskIdFor } from '../../store/service-tasks';
import { insertUser } from '../../store/users';
import { authz, createTestContext, idNumber, registerHousehold, UNITS, type TestContext } from '../helpers/context';

/**
 * The jurisdiction matrix, generated (issue 11): every role × every relation of the caller's unit to the
 * target (own unit, a grid below it, a sibling village, the town, the district, the city, another town,
 * another district) × every route the running API has (read from its route table, api/guard.ts
 * `routeTable`). Each request is either allowed or 403, as the permission matrix says (domain/permissions.ts:
 * `can` for the role, `inJurisdiction` for every target the route reaches, a city-wide cell's scope);
 * routes without a guard must be in the list of deliberately public ones below.
 *
 * On the real stack (Temporal dev server + worker + FerretDB). The targets: one household of 海港社区 whose
 * open alert the district has reassigned to another town (so a start on the household lands on a case
 * elsewhere — issue 11's side door), and one case of each kind in 海港社区 written into the read model as
 * the projection writes it (no workflow: a request the guard lets through ends at Temporal, "no longer
 * running", and changes nothing). Writing routes get an empty body — the guard checks the target before the
 * input is validated, so an allowed caller gets 400 — except where the check is the handler's own (a unit
 * or a household in the body), which get a valid body.
 */

const TARGET = UNITS.haigang;
const TARGET_PATH = [UNITS.city, UNITS.huancui, UNITS.jingyuan, UNITS.haigang];
/** 古寨社区 of 环翠楼街道: where the district moved the household's alert. */
const ELSEWHERE = '371002002001';
const ELSEWHERE_PATH = [UNITS.city, UNITS.huancui, UNITS.huancuilou, ELSEWHERE];

/** The caller's unit, by its relation to the target village. */
const RELATIONS: Record<string, string> = {
  own: TARGET,
  childGrid: UNITS.haigangGrid,
  siblingVillage: '371002001002',
  parentTown: UNITS.jingyuan,
  district: UNITS.huancui,
  city: UNITS.city,
  otherTown: UNITS.huancuilou,
  otherDistrict: UNITS.wendeng,
};

/** Routes open without a token, on purpose: health, docs, the web app, the public QR channel. */
const DELIBERATELY_PUBLIC = [
  'GET /health',
  'GET /ready',
  'GET /openapi.json',
  'GET /docs',
  'GET /docs/',
  'GET /docs/*',
  'GET /docs/json',
  'GET /docs/yaml',
  'GET /docs/static/*',
  'GET /docs/static/index.html',
  'GET /docs/static/swagger-initializer.js',
  'GET /v1/dev/tokens',
  // The codec server's CORS preflight for the Temporal UI: answered without a token, grants only the UI's origin (api/routes/codec.ts).
  'OPTIONS /codec/decode',
  'OPTIONS /codec/encode',
  'GET /app',
  'GET /app/',
  'GET /app/*',
  'GET /',
  'GET /v1/public/units/:code',
  'GET /v1/public/units/:code/qr.svg',
  'GET /v1/public/units/:code/qr.png',
  'POST /v1/public/reports',
  'GET /v1/public/reports/:receipt',
  'GET /v1/public/wishes',
  // Issue 14: an application intake, a household's own wish, one receipt lookup for all three kinds.
  'POST /v1/public/applications',
  'POST /v1/public/wishes',
  'GET /v1/public/receipts/:receipt',
  // Issue 14: the public phone page the QR code opens (api/routes/public-page.ts; the HTML carries no data).
  'GET /q/:code',
  'GET /q',
  'GET /q/',
  // The fresh-eyes fixes: a village's page with a trailing slash redirects to it; anything else under /q/ is the
  // Chinese not-found page; the unit's JSON with a trailing slash redirects to its canonical address.
  'GET /q/*',
  'GET /v1/public/units/:code/',
  // Staff sign-in (issue 14 item 2): what the sign-in screen offers, the sign-in itself, refresh and sign-out by cookie, OIDC when configured.
  'GET /v1/auth/options',
  'POST /v1/auth/sign-in',
  'POST /v1/auth/refresh',
  'POST /v1/auth/sign-out',
  'GET /v1/auth/oidc/start',
  'GET /v1/auth/oidc/callback',
];

/** A route once per method other than HEAD (a GET's HEAD twin shares its options). */
const routesOf = () =>
  routeTable(ctx.app).flatMap((r) =>
    [r.method]
      .flat()
      .map(String)
      .filter((m) => m !== 'HEAD')
      .map((method) => ({ ...r, method }) as RouteOptions),
  );
/** Starts that run real workflows: probed one at a time. */
const SERIAL = ['POST /v1/alerts', 'POST /v1/applications', 'POST /v1/wishes', 'POST /v1/orders', 'POST /v1/discoveries'];

const FAKE = {
  alert: 'alert-hh-00000000f001-20260101T000000000',
  application: 'application-hh-00000000f002-minimum_subsistence-20260101T000000000',
  report: 'rp-00000000000f0003',
  wish: 'wish-00000000f004',
  party_day: { param: `${TARGET}:2026-01`, caseId: `party-day-${TARGET}-2026-01` },
  helper: 'helper-00000000f005',
  order: 'order-371002-371002001001-f006',
  summons: 'summons-371000-f007',
  circular: 'circular-371000-f008',
  patrol: `patrol-${TARGET}-20260101T000000Z`,
  pairing: 'pairing-hh-00000000f009',
  discovery: 'discovery-00000000000f0009',
  intake: 'intake-00000000000f000a',
  /** Issue 13: a party member of 海港社区 (the login of the matrix's own-unit party member), a points entry, a service task. */
  member: memberIdFor(`party_member.${TARGET}`),
  entry: 'award:matrix-entry',
  task: taskIdFor(TARGET, 'matrix'),
  /** Issue 14: a staff user of 海港社区. */
  user: 'matrix.village',
};

let ctx: TestContext;
let household: string;
let seq = 9_000;
const tokens = new Map<string, string>();

beforeAll(async () => {
  ctx = await createTestContext('jurisdiction_matrix');
  await ctx.startWorker();
  const village = await ctx.token('village_staff', TARGET);
  household = await registerHousehold(ctx, village, seq++);
  const alert = await ctx.app.inject({ method: 'POST', url: '/v1/alerts', headers: authz(village), payload: { householdId: household, level: 'yellow', reasons: ['独居老人'] } });
  expect(alert.statusCode).toBe(201);
  const moved = await ctx.app.inject({
    method: 'POST',
    url: `/v1/alerts/${alert.json().caseId}/reassignments`,
    headers: authz(await ctx.token('district_staff', UNITS.huancui)),
    payload: { unitCode: ELSEWHERE, reason: '户籍迁至环翠楼街道' },
  });
  expect(moved.statusCode).toBe(200);

  // The fakes copy the real alert's projected document (every field a list shows), moved to 海港社区.
  const real = (await ctx.mongo.db.collection(COLLECTIONS.cases).findOne({ householdId: household, kind: 'alert' })) as unknown as Record<string, unknown> & { view: Record<string, unknown> };
  expect(real.orgPath, 'the household’s alert, moved to another town').toEqual(ELSEWHERE_PATH);
  const VIEWS: Record<string, Record<string, unknown>> = {
    alert: { level: 'yellow' },
    application: { stage: 'submitted' },
    report: { stage: 'received' },
    wish: { stage: 'screening', householdId: 'hh-00000000f000', title: '轮椅', description: '需要', fulfilment: null },
    party_day: { stage: 'open', partyDayId: FAKE.party_day.param, handedOverTo: null, month: '2026-01', items: [] },
    order: { stage: 'issued', targetCaseId: null, issuerUnitCode: UNITS.huancui, requirement: '请核实', replies: [] },
    patrol: { stage: 'due', villageCode: TARGET, focusGroups: ['accident'], visited: [] },
    pairing: { stage: 'unpaired', stageName: '待结对', householdId: 'hh-00000000f000', member: null, categories: ['minimum_subsistence'], categoryNames: ['低保'], contacts: [], lastContact: null, nextContactDue: null },
    discovery: {
      stage: 'reported',
      urgency: 'normal',
      urgent: false,
      focusGroup: 'other',
      situation: '生活困难',
      newHousehold: false,
      reportedAt: '2026-01-01T00:00:00.000Z',
      village: { code: TARGET, name: '海港社区居委会', level: 'village' },
      town: { code: UNITS.jingyuan, name: '鲸园街道', level: 'town' },
      decision: null,
      outcomeCaseId: null,
      reporterUserId: 'member.matrix',
    },
    intake: {
      stage: 'filed',
      stageName: '已提交，待镇(街道)受理',
      category: 'minimum_subsistence',
      categoryName: '最低生活保障对象',
      householdSize: 2,
      situation: '生活困难',
      urgent: false,
      filedAt: '2026-01-01T00:00:00.000Z',
      acceptBy: '2026-01-06T00:00:00.000Z',
      village: { code: TARGET, name: '海港社区居委会', level: 'village' },
      town: { code: UNITS.jingyuan, name: '鲸园街道', level: 'town' },
      decision: null,
      applicationId: null,
    },
  };
  const fake = (kind: string, id: string) => ({
    ...real,
    _id: id,
    kind,
    householdId: null,
    level: kind === 'alert' ? 'yellow' : null,
    stage: (VIEWS[kind]!.stage as string | undefined) ?? null,
    unit: { code: TARGET, name: '海港社区居委会', level: 'village' },
    unitCode: TARGET,
    orgPath: TARGET_PATH,
    workflowId: `wf-${id}`,
    view: { ...real.view, caseId: id, kind, householdId: null, unit: { code: TARGET, name: '海港社区居委会', level: 'village' }, orgPath: TARGET_PATH, ...VIEWS[kind] },
  });
  await ctx.mongo.db
    .collection(COLLECTIONS.cases)
    .insertMany([fake('alert', FAKE.alert), fake('application', FAKE.application), fake('report', FAKE.report), fake('wish', FAKE.wish), fake('party_day', FAKE.party_day.caseId), fake('order', FAKE.order), fake('patrol', FAKE.patrol), fake('pairing', FAKE.pairing), fake('discovery', FAKE.discovery), fake('intake', FAKE.intake)] as never[]);
  // Summons and circulars naming 海港社区 (store/supervision.ts).
  const record = (kind: 'summons' | 'circular', id: string) => ({
    _id: id,
    kind,
    units: [{ code: TARGET, name: '海港社区居委会', level: 'village', path: TARGET_PATH }],
    orgPaths: TARGET_PATH,
    reason: '矩阵测试',
    linkedCaseIds: [],
    linkedOrderIds: [],
    figures: [],
    actions: [],
    corrects: null,
    createdAt: new Date(),
    createdBy: { userId: 'city.monitor', role: 'city_monitor', unitCode: UNITS.city },
  });
  await ctx.mongo.db.collection(COLLECTIONS.supervisionRecords).insertMany([record('summons', FAKE.summons), record('circular', FAKE.circular)] as never[]);
  await ctx.mongo.db
    .collection(COLLECTIONS.partyDays)
    .insertOne({ _id: FAKE.party_day.param, caseId: FAKE.party_day.caseId, unitCode: TARGET, month: '2026-01', status: 'open', items: [], carriedOver: [], workflowId: `wf-${FAKE.party_day.caseId}` } as never);
  await ctx.mongo.db
    .collection(COLLECTIONS.helpers)
    .insertOne({ _id: FAKE.helper, kind: 'volunteer', name: '海港志愿者', unitCode: TARGET, orgPath: TARGET_PATH, contact: '13800000000', userId: null, createdAt: new Date(), createdBy: 'test' } as never);
  const memberDoc = { id: FAKE.member, userId: `party_member.${TARGET}`, name: '王矩阵', phone: '13800000000', role: 'member' as const, kind: 'in_service' as const, branch: '海港社区党支部', unitCode: TARGET, agency: '矩阵单位', skills: [], publicConsent: false, villageCode: TARGET, gridCode: null, orgPath: TARGET_PATH, status: 'active' as const, createdAt: new Date().toISOString(), createdBy: 'test' };
  expect('created' in (await registerMember(ctx.mongo.db, memberDoc))).toBe(true);
  await appendEntry(ctx.mongo.db, { _id: FAKE.entry, memberId: FAKE.member, userId: memberDoc.userId, branch: memberDoc.branch, villageCode: TARGET, orgPath: TARGET_PATH, rule: 'show_identity', points: 1, quantity: 1, at: Date.now(), month: '2026-01', year: 2026, source: { kind: 'award', id: 'matrix' }, recordedBy: 'test' });
  await postTask(ctx.mongo.db, { id: FAKE.task, key: 'matrix', unitCode: TARGET, orgPath: TARGET_PATH, title: '矩阵任务', description: '矩阵测试', day: '2026-01-01', hoursExpected: 1, slots: 100, skills: [], postedBy: 'test', postedAt: new Date().toISOString() });
  const at = new Date();
  await insertUser(ctx.mongo.db, { _id: FAKE.user, name: '王矩阵', role: 'village_staff', unitCode: TARGET, orgPath: TARGET_PATH, phone: null, status: 'active', source: 'local', passwordHash: null, mustChangePassword: false, passwordChangedAt: null, failures: [], lockedUntil: null, createdAt: at, createdBy: 'test', updatedAt: at, updatedBy: 'test' });
  for (const role of ROLES) for (const unit of Object.values(RELATIONS)) tokens.set(`${role}@${unit}`, await ctx.token(role, unit, { user: `${role}.${unit}` }));
}, 120_000);
afterAll(async () => ctx?.close());

interface Probe {
  method: string;
  url: string;
  body?: Record<string, unknown>;
  /** The org paths the action reaches, each checked with inJurisdiction. */
  targets: string[][];
}

/**
 * A concrete request for a route and the targets it reaches. The targets come from the request and the
 * data — the case, unit or household it names, and for a start on a household the household's open cases
 * of that kind (a start may land on one) — never from the route's own declaration, so a route that forgets
 * a target is caught.
 */
async function probeOf(route: RouteOptions, guard: Guard): Promise<Probe> {
  const method = String(route.method);
  const pattern = route.url;
  const key = `${method} ${pattern}`;
  const targets: string[][] = [];
  const caseParam = (): string => {
    if (pattern.startsWith('/v1/alerts/') || pattern.startsWith('/v1/cases/')) return FAKE.alert;
    if (pattern.startsWith('/v1/applications/')) return FAKE.application;
    if (pattern.startsWith('/v1/reports/')) return FAKE.report;
    if (pattern.startsWith('/v1/wishes/')) return FAKE.wish;
    if (pattern.startsWith('/v1/party-days/')) return FAKE.party_day.param;
    if (pattern.startsWith('/v1/orders/')) return FAKE.order;
    if (pattern.startsWith('/v1/summonses/')) return FAKE.summons;
    if (pattern.startsWith('/v1/circulars/')) return FAKE.circular;
    if (pattern.startsWith('/v1/patrols/')) return FAKE.patrol;
    if (pattern.startsWith('/v1/pairings/')) return FAKE.pairing;
    if (pattern.startsWith('/v1/discoveries/')) return FAKE.discovery;
    if (pattern.startsWith('/v1/intakes/')) return FAKE.intake;
    if (pattern.startsWith('/v1/party-members/')) return FAKE.member;
    if (pattern.startsWith('/v1/points/')) return FAKE.entry;
    if (pattern.startsWith('/v1/service-tasks/')) return FAKE.task;
    throw new Error(`no target for ${key}`);
  };
  // A notice is in the caller's own inbox or not found (404): it has no target in the tree.
  const ownInbox = pattern.startsWith('/v1/notifications/');
  if ((pattern.includes(':id') && !ownInbox) || pattern.includes(':code') || pattern.includes(':login')) targets.push(TARGET_PATH);
  let url = pattern
    .replace(':code', TARGET)
    .replace(':login', FAKE.user)
    .replace(':year', method === 'PUT' ? '2031' : '2026')
    .replace(':id', () => (ownInbox ? 'no-such-notice' : pattern.startsWith('/v1/households/') ? household : pattern.startsWith('/v1/helpers/') ? FAKE.helper : encodeURIComponent(caseParam())));
  if (guard.target === 'org') {
    url += `?org=${TARGET}`;
    targets.push(TARGET_PATH);
  }
  let body: Record<string, unknown> | undefined = method === 'GET' ? undefined : {};
  // Where the handler has the target in the body: a valid body, so that whatever checks it answers.
  if (key === 'POST /v1/alerts') body = { householdId: household, level: 'yellow', reasons: ['矩阵测试'] };
  else if (key === 'POST /v1/applications') body = { householdId: household, category: 'minimum_subsistence', source: 'one_door', labourCapacity: 'labour_capacity' };
  else if (key === 'POST /v1/wishes') body = { householdId: household, title: '想要一台轮椅', description: '出门需要', category: 'material', postedBy: 'household' };
  else if (key === 'POST /v1/me/relatives') body = { householdId: household, relation: 'sibling' };
  else if (key === 'POST /v1/households') body = { headName: '张矩阵', headIdNumber: idNumber(seq++), address: '威海市环翠区海港路1号', phone: '13800000000', unitCode: TARGET, categories: ['minimum_subsistence'] };
  else if (key === 'POST /v1/helpers') body = { kind: 'party_member', name: '王党员', unitCode: TARGET, contact: '13800000000' };
  else if (key === 'POST /v1/discoveries') body = { key: 'matrix', householdId: household, focusGroup: 'other', situation: '矩阵测试', urgency: 'normal' };
  else if (key === 'POST /v1/orders') body = { key: 'matrix', unitCode: TARGET, requirement: '矩阵测试', replyBy: new Date(Date.now() + 86_400_000).toISOString() };
  // A plan's cadence that does not parse: allowed callers get 400, and no schedule is made on the shared dev server.
  else if (key === 'PUT /v1/villages/:code/patrol-plan') body = { every: 'not-a-duration' };
  else if (key === 'POST /v1/party-members') body = { userId: 'matrix.member', name: '王党员', phone: '13800000000', role: 'member', branch: '海港社区党支部', unitCode: TARGET };
  else if (key === 'POST /v1/service-tasks') body = { unitCode: TARGET, title: '矩阵任务', description: '矩阵测试', day: '2026-01-01', hoursExpected: 1, slots: 100, key: 'matrix' };
  else if (key === 'POST /v1/users') body = { login: 'matrix.new', name: '王矩阵', role: 'village_staff', unitCode: TARGET };
  if (typeof body?.unitCode === 'string') targets.push(TARGET_PATH);
  if (typeof body?.householdId === 'string') {
    targets.push(TARGET_PATH);
    // A start on the household acts on its open case of the kind, if any (the alert: moved elsewhere).
    const open = await ctx.mongo.db.collection(COLLECTIONS.cases).find({ householdId: body.householdId, kind: guard.on, status: 'open' }).toArray();
    for (const doc of open) targets.push(doc.orgPath as string[]);
  }
  return { method, url, ...(body ? { body } : {}), targets };
}

/** The household's cases and their versions, as the read model has them (what a start may change). */
async function stateOfHousehold(): Promise<string> {
  const docs = await ctx.mongo.db.collection(COLLECTIONS.cases).find({ householdId: household }, { projection: { _id: 1, version: 1 } }).sort({ _id: 1 }).toArray();
  return JSON.stringify(docs);
}

/** What the matrix says: the role may take the action, and every target (and a city-wide scope) is in reach. */
function expected(role: Role, unit: string, guard: Guard, probe: Probe): 'allowed' | 403 {
  const subject = guard.on === 'cases' ? 'alert' : guard.on; // the any-kind routes read the fake alert
  if (!can(role, subject, guard.action)) return 403;
  if (permissionOf(guard.on as Subject, guard.action)?.scope === 'city' && !inJurisdiction(role, unit, [UNITS.city], guard.action)) return 403;
  // Issue 14 (fresh-eyes pass): a grid worker of the village reads a household registered at the village itself.
  const unitPath = unit === UNITS.haigangGrid ? [...TARGET_PATH, unit] : [unit];
  const byNeed = (path: string[]) => guard.target === 'household' && guard.action === 'read' && gridWorkerReachesVillageHousehold({ role, unitPath }, path);
  return probe.targets.every((path) => inJurisdiction(role, unit, path, guard.action) || byNeed(path)) ? 'allowed' : 403;
}

describe('the jurisdiction matrix (every role × unit relation × route)', () => {
  it('lists every route without a guard as deliberately public', () => {
    const routes = routesOf();
    const open = routes.filter((r) => !(r.config as { guard?: Guard } | undefined)?.guard).map((r) => `${String(r.method)} ${r.url}`);
    expect(open.filter((r) => !DELIBERATELY_PUBLIC.includes(r)), 'routes without a guard that are not listed as public').toEqual([]);
    for (const r of routes.filter((x) => !(x.config as { guard?: Guard } | undefined)?.guard)) expect((r.config as { public?: boolean }).public, `${String(r.method)} ${r.url}`).toBe(true);
  });

  it('answers each guarded route as the matrix says: allowed, or 403', async () => {
    const routes = routesOf().filter((r) => (r.config as { guard?: Guard } | undefined)?.guard);
    expect(routes.length).toBeGreaterThan(50);
    const mismatches: string[] = [];
    const seen = { allowed: 0, refused: 0 };
    for (const route of routes) {
      const guard = (route.config as { guard: Guard }).guard;
      const cases: Array<Promise<void>> = [];
      for (const role of ROLES) {
        for (const [relation, unit] of Object.entries(RELATIONS)) {
          const serial = SERIAL.includes(`${String(route.method)} ${route.url}`);
          const run = async () => {
              const probe = await probeOf(route, guard);
              const want = expected(role, unit, guard, probe);
              // A refused start must also have changed nothing (a 403 after the write is no refusal).
              const before = serial ? await stateOfHousehold() : undefined;
              const res = await ctx.app.inject({ method: probe.method as 'GET', url: probe.url, headers: authz(tokens.get(`${role}@${unit}`)!), ...(probe.body ? { payload: probe.body } : {}) });
              if (before !== undefined && res.statusCode === 403 && (await stateOfHousehold()) !== before) mismatches.push(`${probe.method} ${route.url} as ${role} of ${relation} (${unit}): 403 after changing the household's cases`);
              const got = res.statusCode === 403 ? 403 : res.statusCode >= 500 || res.statusCode === 401 ? res.statusCode : 'allowed';
              if (got === 'allowed') seen.allowed++;
              else if (got === 403) seen.refused++;
              if (got !== want) mismatches.push(`${probe.method} ${route.url} as ${role} of ${relation} (${unit}): expected ${want}, got ${res.statusCode} ${res.body.slice(0, 160)}`);
          };
          if (serial) await run();
          else cases.push(run());
        }
      }
      await Promise.all(cases);
    }
    expect(mismatches).toEqual([]);
    // Both answers occur: the test can tell them apart.
    expect(seen.allowed).toBeGreaterThan(500);
    expect(seen.refused).toBeGreaterThan(500);
  }, 600_000);
});
