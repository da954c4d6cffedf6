import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { Db } from 'mongodb';
import type { z } from 'zod';
import { zOrgCode, type OrgUnit } from '../domain/org';
import { can, gridWorkerReachesVillageHousehold, inJurisdiction, isReadOnly, reachesAlertByNeed, isWriting, permissionOf, rolesFor, scopedTargetOf, SUPERVISION_SUBJECTS, type ActionOf, type Subject } from '../domain/permissions';
import type { CaseKind } from '../domain/projection';
import { ROLES } from '../domain/roles';
import { findCase, openCaseOf } from '../store/cases';
import type { CaseDoc, HouseholdDoc } from '../store/collections';
import { findHousehold } from '../store/households';
import { householdPathOf, isAssignedVisitor } from '../store/relations';
import type { OrgDirectory } from '../store/org-directory';
import { principalOf, type Principal } from './auth';
import { ApiError, caseClosed, forbidden, notFound } from './errors';

/**
 * The route option every signed-in route carries: `config: { guard: { on, action, target? } }`, naming its
 * cell of the permission matrix (domain/permissions.ts). From it the guard
 * - refuses a role the matrix does not allow (403), before the body is validated: a caller who may not act
 *   learns nothing about the input rules;
 * - loads the target after validation and checks it lies in the caller's jurisdiction (403), handing it
 *   to the handler: `target: 'case'` — the case `params.id` of kind `on` (`on: 'cases'`: of any kind, the
 *   role then checked for the case's kind), 404 when missing, 409 when closed and the action writes;
 *   `'unit'` — the org unit `params.code`; `'org'` — the unit `query.org`, the caller's own when absent;
 * - states the allowed roles in the route's OpenAPI summary and description.
 * A route whose target the handler finds itself (a household named in the body) names it with `reach`.
 * The app refuses to start with a signed-in route that has no guard.
 */
export type Guard = { [S in Subject]: GuardOf<S> }[Subject];

interface GuardOf<S extends Subject> {
  on: S;
  action: ActionOf<S>;
  target?: (S extends CaseKind | 'cases' ? 'case' : never) | 'unit' | 'org' | 'household' | 'handler';
  /** The case id from the route's `:id` when they differ (a Party day's `<unit>:<month>`). */
  caseId?: (id: string) => string;
  /** The refusal for a closed case (default: 409 "<kind> <id> is closed"). */
  closed?: (doc: CaseDoc) => ApiError;
  /**
   * With `target: 'household'`: the kind of the household's open case that this start lands on when there
   * is one (an update-with-start with `USE_EXISTING`, api/steps.ts openCase): that case is checked too.
   */
  landsOn?: CaseKind;
  /**
   * With `target: 'household'`: the start opens its case at the household's village (its responsible unit),
   * so the caller must reach the village too — checked before anything starts. A token scoped to a grid
   * reaches the grid's households but not the village's cases: without this the start went through and the
   * answer was then refused (403 with the alert already open; found by the issue-12 fresh-eyes pass).
   */
  opensAtVillage?: true;
}

/** What the guard loaded for the handler. */
interface Guarded {
  case?: CaseDoc;
  unit?: OrgUnit;
  household?: HouseholdDoc;
  /** Set by `reach`: the handler checked a target of its own. */
  reached?: boolean;
  /** The guard's target is loaded and checked. */
  loaded?: boolean;
}

/** A household id's form (api/routes/households.ts). */
const HOUSEHOLD_ID = /^hh-[0-9a-f]{12}$/;

declare module 'fastify' {
  interface FastifyContextConfig {
    guard?: Guard;
  }
  interface FastifyRequest {
    guarded: Guarded | null;
  }
}

const CASE_LABELS: Record<CaseKind | 'cases', string> = { alert: 'alert', application: 'application', report: 'report', wish: 'wish', party_day: 'party day', order: 'order', pairing: 'pairing', discovery: 'discovery', patrol: 'patrol', intake: 'intake', cases: 'case' };

/** 403 unless the matrix lets the caller's role take the action. */
function refuseRole(p: Principal, subject: string, action: string): void {
  if (can(p.role, subject, action)) return;
  if (isWriting(action) && isReadOnly(p.role) && !SUPERVISION_SUBJECTS.includes(subject as Subject)) throw forbidden(`role ${p.role} is read-only`);
  throw forbidden(`role ${p.role} may not do this (${subject}.${action}); allowed: ${rolesFor(subject, action).join(', ')}`);
}

/** 403 unless the target's org path lies in the caller's jurisdiction for the action. */
function refuseOutside(p: Principal, targetPath: readonly string[], action: string): void {
  if (!inJurisdiction(p.role, p.unit.code, targetPath, action)) throw forbidden(`outside your jurisdiction (${p.unit.name} ${p.unit.code})`);
}

/**
 * Issue 14: whether the caller reaches an alert outside their subtree by need (domain/permissions.ts
 * `reachesAlertByNeed`): its assigned visitor, or a grid worker of the household's grid (reading). The
 * household's path is read only for a grid worker.
 */
async function reachesByNeed(p: Principal, doc: CaseDoc, action: string, db?: Db): Promise<boolean> {
  const visitor = (doc.view as { visitor?: { userId?: unknown } | null } | undefined)?.visitor?.userId;
  const actor = { userId: p.userId, role: p.role, unitCode: p.unit.code, unitPath: p.unit.path };
  const visitorUserId = typeof visitor === 'string' ? visitor : null;
  if (reachesAlertByNeed(actor, { visitorUserId, householdPath: null }, action)) return true;
  if (p.role !== 'grid_worker' || action !== 'read' || !doc.householdId || !db) return false;
  return reachesAlertByNeed(actor, { visitorUserId, householdPath: await householdPathOf(db, doc.householdId) }, action);
}

/** The route's guard; a programming error when the handler's route has none. */
function guardOf(request: FastifyRequest): Guard {
  const guard = request.routeOptions.config.guard;
  if (!guard) throw new Error(`route ${request.routeOptions.method} ${request.routeOptions.url} has no guard`);
  return guard;
}

/** The case the route's guard loaded and checked (`target: 'case'`). */
export function guardedCase<V = Record<string, unknown>>(request: FastifyRequest): CaseDoc<V> {
  const doc = request.guarded?.case;
  if (!doc) throw new Error(`route ${request.routeOptions.url} has no case guard`);
  return doc as CaseDoc<V>;
}

/** The org unit the route's guard loaded and checked (`target: 'unit'` or `'org'`). */
export function guardedUnit(request: FastifyRequest): OrgUnit {
  const unit = request.guarded?.unit;
  if (!unit) throw new Error(`route ${request.routeOptions.url} has no unit guard`);
  return unit;
}

/**
 * Checks a target the handler found itself (its org path, root first) against the caller's jurisdiction
 * for the route's action. @throws 403 outside it.
 */
export function reach(request: FastifyRequest, targetPath: readonly string[]): void {
  refuseOutside(principalOf(request), targetPath, guardOf(request).action);
  request.guarded = { ...request.guarded, reached: true };
}

/** The household the route's guard loaded and checked (`target: 'household'`). */
export function guardedHousehold(request: FastifyRequest): HouseholdDoc {
  const household = request.guarded?.household;
  if (!household) throw new Error(`route ${request.routeOptions.url} has no household guard`);
  return household;
}

/**
 * Checks a case an input refers to (an alert closed as converted into `applicationId`, an application
 * filed from `alertId`): it exists, is of `kind`, concerns `householdId` when given, and the caller may read
 * it (its current unit in their jurisdiction). One mechanism for every reference between cases; without
 * `kind`, a case of any kind (an order's target and linked cases).
 * @throws 422 naming `field` (e.g. `body.applicationId`) otherwise — the same answer whether the case is
 *   missing or out of reach, so a reference never tells what lies outside one's jurisdiction.
 * Source: ours (issue 11, item 6).
 */
export async function referencedCase(request: FastifyRequest, db: Db, ref: { field: string; id: string; kind?: CaseKind; householdId?: string }): Promise<CaseDoc> {
  const p = principalOf(request);
  const doc = await findCase(db, ref.id, ref.kind);
  const what = CASE_LABELS[ref.kind ?? 'cases'];
  const refuse = (message: string) => new ApiError(422, 'unprocessable', `${ref.field.replace(/^body\./, '')}: ${message}`, [{ path: ref.field, code: 'unknown_reference', message }]);
  if (!doc || !inJurisdiction(p.role, p.unit.code, doc.orgPath, 'read')) throw refuse(`no ${what} ${ref.id} within your jurisdiction`);
  if (ref.householdId !== undefined && doc.householdId !== ref.householdId) throw refuse(`${what} ${ref.id} concerns another household`);
  return doc;
}

/** 403 unless the caller may read a view a write answered with (its `orgPath` in their jurisdiction). */
export function readable<V extends { orgPath: readonly string[] }>(request: FastifyRequest, view: V): V {
  refuseOutside(principalOf(request), view.orgPath, 'read');
  return view;
}

/** The OpenAPI text of a guard: the roles allowed, the matrix cell and its source, what is checked. */
export function describeGuard(guard: Guard): { roles: string; description: string } {
  const allowed = rolesFor(guard.on, guard.action);
  const roles = allowed.length === ROLES.length ? 'every role' : allowed.join(', ');
  const cell = permissionOf(guard.on, guard.action)!;
  const where =
    guard.target === 'case'
      ? ' The case must lie in the caller’s jurisdiction (its unit in the subtree of the caller’s unit; a city monitor reads everywhere).'
      : guard.target === 'unit'
        ? ' The unit must lie in the caller’s jurisdiction (a city monitor reads everywhere).'
        : guard.target === 'org'
          ? ' `org` (default: the caller’s unit) must lie in the caller’s jurisdiction (a city monitor reads everywhere).'
          : '';
  const open = guard.target === 'case' && isWriting(guard.action) ? ' The case must be open (409 when closed).' : '';
  return { roles, description: `Roles: ${roles} — \`${guard.on}.${guard.action}\` in domain/permissions.ts (${cell.source}).${where}${open}` };
}

/** Every route registered on an app after `registerGuard`, as Fastify handed it over (`routeTable`). */
const ROUTE_TABLES = new WeakMap<FastifyInstance, readonly RouteOptions[]>();

/**
 * The routes of an app (method, url, config with its guard or `public`), as registered after
 * `registerGuard`: what the generated jurisdiction matrix test (test/api/jurisdiction-matrix.test.ts) walks.
 */
export function routeTable(app: FastifyInstance): readonly RouteOptions[] {
  return ROUTE_TABLES.get(app) ?? [];
}

const asArray = <T>(hooks: T | T[] | undefined): T[] => (hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks]);

/**
 * Installs the guard: every route registered after this call with `config.guard` gets its checks and its
 * OpenAPI text; at `ready`, a signed-in route without a guard is an error.
 */
export function registerGuard(app: FastifyInstance, deps: { db: Db; orgs: OrgDirectory }): void {
  app.decorateRequest('guarded', null);
  const routes: RouteOptions[] = [];
  ROUTE_TABLES.set(app, routes);

  app.addHook('onRoute', (route) => {
    routes.push(route);
    const guard = route.config?.guard;
    if (!guard) return;
    if (!permissionOf(guard.on, guard.action)) throw new Error(`${route.method} ${route.url}: the permission matrix has no ${guard.on}.${guard.action}`);
    const { roles, description } = describeGuard(guard);
    const schema = route.schema ?? {};
    route.schema = { ...schema, summary: schema.summary ? `${schema.summary} · ${roles}` : roles, description: schema.description ? `${schema.description}\n\n${description}` : description };

    const scoped = permissionOf(guard.on, guard.action)?.scope !== undefined;
    if (isWriting(guard.action) && !guard.target && !scoped) {
      throw new Error(`${route.method} ${route.url}: a writing route must name its target (config.guard.target, or 'handler' with reach()) or have a scoped matrix cell`);
    }
    const checkRole = async (request: FastifyRequest) => {
      const p = principalOf(request);
      refuseRole(p, guard.on, guard.action);
      const scope = scopedTargetOf(guard.on, guard.action, p.unit.path[0]!);
      if (scope && !inJurisdiction(p.role, p.unit.code, scope, guard.action)) throw forbidden(`${guard.on}.${guard.action} is city-wide: it needs a city-level ${p.role}, not one of ${p.unit.name} ${p.unit.code}`);
    };
    // The target is loaded and checked as early as its id can be read: before the input is validated when
    // the raw id is well-formed (a caller outside learns nothing about the input rules, as with the role),
    // else after validation (which answers 400 for a malformed id first).
    const paramsSchema = (route.schema as { params?: unknown } | undefined)?.params;
    const early = async (request: FastifyRequest) => {
      const id = rawTarget(request, guard, paramsSchema);
      if (id !== undefined) await load(request, guard, id);
    };
    const late = async (request: FastifyRequest) => {
      if (!request.guarded?.loaded) await load(request, guard, targetId(request, guard));
    };
    // New arrays: a GET's HEAD twin is cloned from the same options and gets its own hooks.
    const targeted = guard.target !== undefined && guard.target !== 'handler';
    route.preValidation = [checkRole, ...(targeted ? [early] : []), ...asArray(route.preValidation)];
    if (guard.target === 'handler') {
      route.preSerialization = [
        async (request: FastifyRequest, reply, payload) => {
          if (reply.statusCode < 300 && !request.guarded?.reached) throw new Error(`${route.method} ${route.url}: the handler answered without checking its target (reach)`);
          return payload;
        },
        ...asArray(route.preSerialization),
      ];
    } else if (targeted) route.preHandler = [late, ...asArray(route.preHandler)];
  });

  app.addHook('onReady', async () => {
    const bare = routes.filter((r) => !r.config?.public && !r.config?.guard).map((r) => `${String(r.method)} ${r.url}`);
    if (bare.length > 0) throw new Error(`signed-in routes need config.guard (api/guard.ts): ${[...new Set(bare)].join(', ')}`);
  });

  /** The id of the route's target from the validated request (the caller's own unit for an absent `org`). */
  function targetId(request: FastifyRequest, guard: Guard): string {
    if (guard.target === 'case') return (request.params as { id: string }).id;
    if (guard.target === 'household') return (request.body as { householdId?: string } | undefined)?.householdId ?? (request.params as { id: string }).id;
    if (guard.target === 'unit') return (request.params as { code: string }).code;
    return (request.query as { org?: string }).org ?? principalOf(request).unit.code;
  }

  /** The target's id from the raw request when it is well-formed, else undefined. */
  function rawTarget(request: FastifyRequest, guard: Guard, paramsSchema: unknown): string | undefined {
    const raw = (v: unknown) => (typeof v === 'string' ? v : undefined);
    if (guard.target === 'case') {
      const schema = paramsSchema as z.ZodType | undefined;
      return schema && typeof schema.safeParse === 'function' && schema.safeParse(request.params).success ? raw((request.params as { id?: unknown }).id) : undefined;
    }
    if (guard.target === 'household') {
      const body = request.body as { householdId?: unknown } | undefined;
      // In the body (a start naming its household), else the route's `:id` (a household's own sub-resource).
      const id = raw((typeof body === 'object' && body !== null ? body.householdId : undefined) ?? (request.params as { id?: unknown }).id);
      return id !== undefined && HOUSEHOLD_ID.test(id) ? id : undefined;
    }
    const code = guard.target === 'unit' ? raw((request.params as { code?: unknown }).code) : (request.query as { org?: unknown }).org === undefined ? principalOf(request).unit.code : raw((request.query as { org?: unknown }).org);
    return code !== undefined && zOrgCode.safeParse(code).success ? code : undefined;
  }

  async function load(request: FastifyRequest, guard: Guard, id: string): Promise<void> {
    const p = principalOf(request);
    if (guard.target === 'case') {
      const kind = guard.on === 'cases' ? undefined : (guard.on as CaseKind);
      const label = CASE_LABELS[guard.on as CaseKind | 'cases'];
      const doc = await findCase(deps.db, guard.caseId ? guard.caseId(id) : id, kind);
      if (!doc) throw notFound(`${label} ${id} not found`);
      if (!kind) refuseRole(p, doc.kind, guard.action);
      if (doc.kind !== 'alert' || inJurisdiction(p.role, p.unit.code, doc.orgPath, guard.action) || !(await reachesByNeed(p, doc, guard.action, deps.db))) refuseOutside(p, doc.orgPath, guard.action);
      if (isWriting(guard.action) && doc.status === 'closed') throw guard.closed ? guard.closed(doc) : caseClosed(`${label} ${id}`);
      request.guarded = { case: doc, loaded: true };
      return;
    }
    if (guard.target === 'household') {
      const household = await findHousehold(deps.db, id);
      if (!household) throw notFound(`household ${id} not found`);
      // Issue 14: an open alert's assigned visitor reads the household they visit, wherever their own unit is.
      // A grid worker of the village reads a household registered at the village itself (no grid): privacy by need shows it to them.
      const visits =
        guard.action === 'read' &&
        !inJurisdiction(p.role, p.unit.code, household.orgPath, 'read') &&
        (gridWorkerReachesVillageHousehold({ role: p.role, unitPath: p.unit.path }, household.orgPath) || (await isAssignedVisitor(deps.db, household._id, p.userId)));
      if (!visits) refuseOutside(p, household.orgPath, guard.action);
      if (guard.opensAtVillage) {
        const village = household.orgPath.indexOf(household.villageCode);
        refuseOutside(p, village >= 0 ? household.orgPath.slice(0, village + 1) : household.orgPath, guard.action);
      }
      // A start that lands on the household's open case (update-with-start) acts on that case: its current
      // unit must be in reach too (issue 11, item 1; the workflow's validator checks the same).
      if (guard.landsOn) {
        const open = await openCaseOf(deps.db, household._id, guard.landsOn);
        if (open) refuseOutside(p, open.orgPath, guard.action);
      }
      request.guarded = { household, loaded: true };
      return;
    }
    const unit = await deps.orgs.get(id);
    if (!unit) throw notFound(`org unit ${id} not found`);
    refuseOutside(p, unit.path, guard.action);
    request.guarded = { unit, loaded: true };
  }
}
