import Fastify from 'fastify';
import type { Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerGuard } from '../../api/guard';
import { actionsFor } from '../../domain/permissions';
import type { Role } from '../../domain/roles';
import { COLLECTIONS } from '../../store/collections';
import type { OrgDirectory } from '../../store/org-directory';
import { authz, createTestContext, UNITS, type TestContext } from '../helpers/context';

// The route guard (api/guard.ts) against the real API and read model. The cases are written into the read
// model as the projection writes them, without workflows: every refusal below happens before Temporal is
// asked; a request the guard lets through reaches Temporal, which has no such workflow ("… no longer
// running", answered as a 409 case_closed: a case the read model holds whose workflow has ended) — the
// mark that the guard passed it.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext('permissions');
  await ctx.mongo.db.collection(COLLECTIONS.cases).insertMany(KINDS.flatMap((k) => [caseDoc(k, k.open, 'open'), caseDoc(k, k.closed, 'closed')]) as never[]);
  // A Party day's answer also reads its month's record (for the workflow that owns the month).
  const partyDay = KINDS.find((k) => k.kind === 'party_day')!;
  await ctx.mongo.db
    .collection(COLLECTIONS.partyDays)
    .insertMany([partyDay.open, partyDay.closed].map((id) => ({ _id: id.param, caseId: id.caseId, unitCode: UNITS.haigang, workflowId: `wf-${id.caseId}` })) as never[]);
});
afterAll(async () => ctx?.close());

const HAIGANG_PATH = [UNITS.city, UNITS.huancui, UNITS.jingyuan, UNITS.haigang];
const PASSED_THE_GUARD = /is closed \(its workflow is no longer running\)$/;

interface Kind {
  kind: string;
  /** The route's id and the case's `_id` (they differ for a Party day). */
  open: { param: string; caseId: string };
  closed: { param: string; caseId: string };
  missing: string;
  read: string;
  /** A representative writing route (`:id` replaced) and a body it accepts. */
  step: string;
  body: unknown;
  allowed: [Role, string];
  wrongRole: [Role, string];
  view?: Record<string, unknown>;
}

const same = (id: string) => ({ param: id, caseId: id });
const KINDS: Kind[] = [
  {
    kind: 'alert',
    open: same('alert-hh-00000000a001-20260101T000000000'),
    closed: same('alert-hh-00000000a002-20260101T000000000'),
    missing: 'alert-hh-00000000a003-20260101T000000000',
    read: '/v1/alerts/:id',
    step: '/v1/alerts/:id/acknowledgements',
    body: {},
    allowed: ['village_staff', UNITS.haigang],
    wrongRole: ['party_member', UNITS.haigang],
    view: { level: 'red' },
  },
  {
    kind: 'application',
    open: same('application-hh-00000000b001-minimum_subsistence-20260101T000000000'),
    closed: same('application-hh-00000000b002-minimum_subsistence-20260101T000000000'),
    missing: 'application-hh-00000000b003-minimum_subsistence-20260101T000000000',
    read: '/v1/applications/:id',
    step: '/v1/applications/:id/acceptance',
    body: { decision: 'accept' },
    allowed: ['town_staff', UNITS.jingyuan],
    wrongRole: ['village_staff', UNITS.haigang],
    view: { stage: 'submitted' },
  },
  {
    kind: 'report',
    open: same('rp-00000000000c0001'),
    closed: same('rp-00000000000c0002'),
    missing: 'rp-00000000000c0003',
    read: '/v1/reports/:id',
    step: '/v1/reports/:id/acknowledgement',
    body: {},
    allowed: ['village_staff', UNITS.haigang],
    wrongRole: ['grid_worker', UNITS.haigang],
  },
  {
    kind: 'wish',
    open: same('wish-00000000d001'),
    closed: same('wish-00000000d002'),
    missing: 'wish-00000000d003',
    read: '/v1/wishes/:id',
    step: '/v1/wishes/:id/screening',
    body: { decision: 'reject', reason: '不符合' },
    allowed: ['town_supervisor', UNITS.jingyuan],
    wrongRole: ['village_staff', UNITS.haigang],
    view: { stage: 'screening', householdId: 'hh-00000000d000', title: '轮椅', description: '需要', fulfilment: null },
  },
  {
    kind: 'party_day',
    open: { param: `${UNITS.haigang}:2026-01`, caseId: `party-day-${UNITS.haigang}-2026-01` },
    closed: { param: `${UNITS.haigang}:2026-02`, caseId: `party-day-${UNITS.haigang}-2026-02` },
    missing: `${UNITS.haigang}:2026-03`,
    read: '/v1/cases/:id',
    step: '/v1/party-days/:id/answers',
    body: { itemId: 'Q1', answer: '已答复', answeredBy: { role: 'committee_member', name: '王书记' } },
    allowed: ['village_staff', UNITS.haigang],
    wrongRole: ['grid_worker', UNITS.haigangGrid],
  },
];

function caseDoc(k: Kind, id: { param: string; caseId: string }, status: 'open' | 'closed') {
  const extra = k.kind === 'party_day' ? { partyDayId: id.param, handedOverTo: status === 'closed' ? `${UNITS.haigang}:2026-03` : null } : {};
  return {
    _id: id.caseId,
    kind: k.kind,
    status,
    stage: null,
    householdId: null,
    unitCode: UNITS.haigang,
    orgPath: HAIGANG_PATH,
    workflowId: `wf-${id.caseId}`,
    firstRunId: 'run',
    version: 1,
    view: { caseId: id.caseId, kind: k.kind, status, stage: 'received', level: null, ...k.view, ...extra },
  };
}

const url = (path: string, id: string) => path.replace(':id', encodeURIComponent(id));
const as = (role: Role, org: string) => ctx.token(role, org);
const post = async (path: string, role: Role, org: string, body: unknown) => ctx.app.inject({ method: 'POST', url: path, headers: authz(await as(role, org)), payload: body as object });
const get = async (path: string, role: Role, org: string) => ctx.app.inject({ method: 'GET', url: path, headers: authz(await as(role, org)) });

describe.each(KINDS)('the guard on a $kind step', (k) => {
  const step = (id: string) => url(k.step, id);

  it('lets the allowed role through on an open case in its jurisdiction', async () => {
    const res = await post(step(k.open.param), ...k.allowed, k.body);
    expect(res.json().error).toMatchObject({ code: 'conflict', reason: 'case_closed', message: expect.stringMatching(PASSED_THE_GUARD) });
  });

  it('refuses a role the matrix does not allow, before the body is validated', async () => {
    const res = await post(step(k.open.param), ...k.wrongRole, k.body);
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/may not do this/) });
    expect((await post(step(k.open.param), ...k.wrongRole, { nonsense: true })).statusCode).toBe(403);
    expect((await post(step(k.open.param), ...k.allowed, { nonsense: true })).statusCode).toBe(400);
  });

  it('refuses a city monitor as read-only, and lets it read', async () => {
    const res = await post(step(k.open.param), 'city_monitor', UNITS.city, k.body);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toMatch(/read-only/);
    expect((await get(url(k.read, k.open.caseId), 'city_monitor', UNITS.city)).statusCode).toBe(200);
  });

  it('refuses the right role outside its jurisdiction, for writing and reading', async () => {
    const [role] = k.allowed;
    const sibling = role === 'town_staff' || role === 'town_supervisor' ? UNITS.huancuilou : '371002002001';
    const res = await post(step(k.open.param), role, sibling, k.body);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toMatch(/outside your jurisdiction/);
    expect((await get(url(k.read, k.open.caseId), role, sibling)).statusCode).toBe(403);
  });

  it('refuses a closed case with 409 and an unknown one with 404', async () => {
    const closed = await post(step(k.closed.param), ...k.allowed, k.body);
    expect(closed.statusCode).toBe(409);
    expect(closed.json().error.code).toBe('conflict');
    const missing = await post(step(k.missing), ...k.allowed, k.body);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.message).toMatch(/not found$/);
  });
});

describe('the guard on other routes', () => {
  it('a Party day handed over says where to answer', async () => {
    const pd = KINDS.find((k) => k.kind === 'party_day')!;
    const res = await post(url(pd.step, pd.closed.param), ...pd.allowed, pd.body);
    expect(res.json().error).toMatchObject({ code: 'conflict', details: { handedOverTo: `${UNITS.haigang}:2026-03` } });
  });

  it('any-kind case routes read by the case’s own kind', async () => {
    const alert = KINDS[0]!.open.caseId;
    expect((await get(`/v1/cases/${alert}/escalations`, 'village_staff', UNITS.haigang)).statusCode).toBe(200);
    expect((await get(`/v1/cases/${alert}/escalations`, 'village_staff', '371002002001')).statusCode).toBe(403);
    expect((await get('/v1/cases/nothing-here', 'village_staff', UNITS.haigang)).statusCode).toBe(404);
  });

  it('admin-only actions refuse everyone else', async () => {
    const res = await ctx.app.inject({ method: 'PUT', url: '/v1/catalogue', headers: authz(await as('district_staff', UNITS.huancui)), payload: {} });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toMatch(/allowed: admin$/);
  });

  it('city-wide resources need a city-level admin: an admin of a village or a district is refused, before the body is read', async () => {
    const catalogue = (await get('/v1/catalogue', 'village_staff', UNITS.haigang)).json();
    for (const org of [UNITS.haigang, UNITS.jingyuan, UNITS.huancui]) {
      for (const [url, body] of [
        ['/v1/catalogue', catalogue],
        ['/v1/calendar/2027', { holidays: [], workdays: [] }],
        ['/v1/catalogue', { nonsense: true }],
      ] as const) {
        const res = await ctx.app.inject({ method: 'PUT', url, headers: authz(await as('admin', org)), payload: body });
        expect(res.statusCode, `${url} by an admin of ${org}`).toBe(403);
        expect(res.json().error.message).toMatch(/city-wide/);
      }
    }
    const res = await ctx.app.inject({ method: 'PUT', url: '/v1/catalogue', headers: authz(await as('admin', UNITS.city)), payload: catalogue });
    expect(res.statusCode).toBe(200);
  });

  it('a unit route checks the unit named in the path', async () => {
    expect((await get(`/v1/units/${UNITS.haigang}/common-issues`, 'village_staff', UNITS.haigang)).statusCode).toBe(200);
    expect((await get(`/v1/units/${UNITS.jingyuan}/common-issues`, 'village_staff', UNITS.haigang)).statusCode).toBe(403);
    expect((await get('/v1/units/371099001/common-issues', 'village_staff', UNITS.haigang)).statusCode).toBe(404);
  });
});

describe('GET /v1/me', () => {
  it('lists what the caller may do, per case kind and resource, from the matrix', async () => {
    for (const [role, org] of [
      ['village_staff', UNITS.haigang],
      ['city_monitor', UNITS.city],
      ['admin', UNITS.city],
    ] as const) {
      const me = (await get('/v1/me', role, org)).json();
      expect(me.actions, role).toEqual(actionsFor(role));
    }
    const village = (await get('/v1/me', 'village_staff', UNITS.haigang)).json();
    expect(village.actions.alert).toContain('recordVisit');
    expect(village.actions.application).not.toContain('approval');
    const monitor = (await get('/v1/me', 'city_monitor', UNITS.city)).json();
    // Read-only on cases; its one writing power is supervision (orders, summons, circulars: seed 四(二)), besides its own password (issue 14).
    for (const [subject, actions] of Object.entries(monitor.actions as Record<string, string[]>)) {
      if (!['order', 'summons', 'circular', 'account'].includes(subject)) expect(actions, subject).toEqual(['read']);
    }
    expect(monitor.actions.order).toEqual(['read', 'issue', 'accept', 'sendBack']);
  });
});

describe('OpenAPI', () => {
  it('states each route’s allowed roles, from the matrix', async () => {
    const doc = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const approval = doc.paths['/v1/applications/{id}/approval'].post;
    expect(approval.summary).toMatch(/ · district_staff, admin$/);
    expect(approval.description).toContain('`application.approval`');
    expect(doc.paths['/v1/alerts/{id}/policy'].post.summary).toMatch(/ · admin$/);
    expect(doc.paths['/v1/cases'].get.summary).toMatch(/ · every role$/);
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, { summary?: string; security?: unknown[] }>>)) {
      for (const [method, op] of Object.entries(methods)) {
        if (op.security?.length === 0) continue; // public
        expect(op.summary, `${method} ${path}`).toMatch(/ · (every role|[a-z_, ]+)$/);
      }
    }
  });
});

describe('the guard itself', () => {
  const bare = () => {
    const app = Fastify();
    registerGuard(app, { db: {} as Db, orgs: {} as OrgDirectory });
    return app;
  };

  it('refuses to start with a signed-in route that has no guard', async () => {
    const app = bare();
    app.get('/open', { config: { public: true } }, async () => 'ok');
    app.get('/v1/forgotten', async () => 'ok');
    await expect(app.ready()).rejects.toThrow(/need config\.guard.*GET \/v1\/forgotten/);
  });

  it('refuses a guard naming an action the matrix does not have', async () => {
    const app = bare();
    expect(() => app.post('/v1/alerts/:id/dance', { config: { guard: { on: 'alert', action: 'dance' } as never } }, async () => 'ok')).toThrow(/no alert\.dance/);
    await app.close();
  });
});
