import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DISCOVERY_STAGES, DISCOVERY_STEPS, decisionCategory, decisionHousehold, zDiscoveryReportBody, type DecideBody, type DiscoveryReportBody, type DiscoveryState, type DiscoveryView, type NewHousehold, type Opening } from '../../domain/discovery';
import { FOCUS_GROUPS } from '../../domain/focus-groups';
import { RuleViolation } from '../../domain/case';
import { toRef, zOrgCode } from '../../domain/org';
import { newHouseholdFor, seesPersonalData } from '../../domain/privacy';
import { loadHolidayCalendar } from '../../store/calendar';
import { loadCatalogue } from '../../store/catalogue';
import { findCase } from '../../store/cases';
import { discoveriesOfReporter, discoveryIdFor, discoveryQueue, linksOf, newHouseholdOf, newHouseholdsOf, saveNewHousehold, type ReportedPosition } from '../../store/discoveries';
import type { CaseDoc } from '../../store/collections';
import { findHousehold } from '../../store/households';
import { relativesOf } from '../../store/relatives';
import type { AlertStart } from '../../workflows/alert/contract';
import { alertWorkflowId } from '../../workflows/alert/contract';
import { applicationWorkflowId, type ApplicationStart } from '../../workflows/application/contract';
import { DISCOVERY_WORKFLOW_TYPE, decideDiscoveryUpdate, discoveryOpenedUpdate, discoveryQuery, type DiscoveryStart } from '../../workflows/discovery/contract';
import { markPersonalData } from '../audit';
import { actorOf, principalOf } from '../auth';
import { ApiError, zErrorBody } from '../errors';
import { guardedCase, guardedUnit, reach, referencedCase } from '../guard';
import { presentBrief, presentView, primeBriefs } from '../present';
import { keysetPage, pageQuery, zPage, type KeysetOrder } from '../pagination';
import { zQuery, zQueryInt } from '../query';
import { openCase, stepRoutes } from '../steps';

/**
 * Active discovery (主动发现, issue 13 item 5; docs/discovery.md): a party member, grid worker or staff
 * member reports a household in difficulty (`POST /v1/discoveries`, idempotent by its key), the town
 * assesses it and decides (`POST /v1/discoveries/{id}/decide`: an alert, an application, a referral or no
 * action), the reporter follows their reports (`GET /v1/discoveries/mine`), the town works its queue
 * (`GET /v1/discoveries?org=&status=open`, urgent first, then by due time).
 */

const zDiscoveryId = z.string().regex(/^discovery-[0-9a-f]{16}$/, 'expected a discovery id such as discovery-0123456789abcdef');
const zUnitRef = z.object({ code: z.string(), name: z.string(), level: z.string() });
const zNewHouseholdShown = z.object({ name: z.string(), address: z.string(), phone: z.string().nullable() }).nullable();
const zLink = z.object({ caseId: z.string(), kind: z.string(), relation: z.string(), direction: z.enum(['to', 'from']), at: z.string() });
const zDiscoveryView = z.looseObject({
  caseId: z.string(),
  kind: z.literal('discovery'),
  status: z.enum(['open', 'closed']),
  stage: z.enum(DISCOVERY_STAGES),
  urgency: z.enum(['urgent', 'normal']),
  town: zUnitRef,
  village: zUnitRef,
  outcomeCaseId: z.string().nullable(),
  newHouseholdDetails: zNewHouseholdShown,
  links: z.array(zLink),
});
const zDiscoveryRow = z.object({
  caseId: z.string(),
  status: z.enum(['open', 'closed']),
  stage: z.string(),
  urgency: z.enum(['urgent', 'normal']),
  focusGroup: z.string(),
  focusGroupName: z.string(),
  village: zUnitRef,
  householdId: z.string().nullable(),
  newHousehold: z.boolean(),
  situation: z.string(),
  reportedAt: z.string(),
  dueAt: z.string().nullable(),
  overdue: z.boolean(),
  rung: z.number(),
  decision: z.looseObject({ outcome: z.string(), outcomeName: z.string(), caseId: z.string().nullable() }).nullable(),
  /**
   * The household as the caller may see it (api/present.ts: masked below town unless by need; audited when shown):
   * a registered one's head and address (and phone) from the register, a new one's as reported; null when unknown.
   */
  household: z.object({ headName: z.string(), address: z.string(), phone: z.string().optional() }).nullable(),
});

/** 我的上报's order, newest first: cursor `{ reportedAt, id }`. */
const BY_REPORTED: KeysetOrder<CaseDoc<DiscoveryView>, ReportedPosition> = {
  cursor: z.strictObject({ reportedAt: z.iso.datetime(), id: zDiscoveryId }).transform((c): ReportedPosition => ({ reportedAt: c.reportedAt, id: c.id })),
  cursorOf: (d) => ({ reportedAt: d.view.reportedAt, id: d._id }),
};

/** A 422 naming one field of the body, as a reference the caller cannot use. */
const unprocessable = (field: string, message: string, code = 'unknown_reference') => new ApiError(422, 'unprocessable', `${field}: ${message}`, [{ path: `body.${field}`, code, message }]);

/**
 * What of an existing discovery differs from a report sent again under the same key (field names; empty:
 * the same report). The key makes a retry idempotent, never a second, different report answered with the
 * first (as orders: api/routes/orders.ts). Ours.
 */
export function discoveryDifferences(view: DiscoveryView, body: DiscoveryReportBody, stored: NewHousehold | null): string[] {
  const out: string[] = [];
  if ((body.householdId ?? null) !== (view.newHousehold ? null : view.householdId)) out.push('householdId');
  if (body.newHousehold && (stored?.name !== body.newHousehold.name || stored.address !== body.newHousehold.address || (stored.phone ?? null) !== (body.newHousehold.phone ?? null))) out.push('newHousehold');
  if (body.villageCode !== undefined && body.villageCode !== view.village.code && !view.orgPath.includes(body.villageCode)) out.push('villageCode');
  if (body.focusGroup !== view.focusGroup) out.push('focusGroup');
  if (body.situation !== view.situation) out.push('situation');
  if (body.urgency !== view.urgency) out.push('urgency');
  if ((body.patrolId ?? null) !== view.patrolId) out.push('patrolId');
  return out;
}

export const discoveryRoutes: FastifyPluginAsyncZod = async (app) => {
  const { orgs, mongo, temporal, config } = app.deps;
  const db = mongo.db;

  /** The view as the caller may see it, with the new household's details (masked below town level) and the links. */
  async function shown(request: FastifyRequest, view: DiscoveryView) {
    const p = principalOf(request);
    const details = view.newHousehold ? await newHouseholdOf(db, view.caseId) : null;
    if (details && seesPersonalData(p.role)) markPersonalData(request, { caseId: view.caseId });
    // A household not yet in the register has no relation facts (issue 14, domain/privacy.ts disclosureFor): masked
    // below town until the town's decision registers it; its register entry is then shown by need.
    return { ...(await presentView(request, view)), newHouseholdDetails: newHouseholdFor(p.role, details), links: await linksOf(db, view.caseId) };
  }

  /** 409 naming the key when a discovery under it exists with another body. */
  async function sameReportOr409(view: DiscoveryView, body: DiscoveryReportBody): Promise<DiscoveryView> {
    const differs = discoveryDifferences(view, body, view.newHousehold ? await newHouseholdOf(db, view.caseId) : null);
    if (differs.length === 0) return view;
    throw new ApiError(409, 'conflict', `key ${body.key}: discovery ${view.caseId} was reported under this key with another ${differs.join(', ')}; a key is reused only to retry the same report — use a new key for a new one`, [
      { path: 'body.key', code: 'key_reused', message: `already used for discovery ${view.caseId} with another ${differs.join(', ')}` },
    ]);
  }

  app.post(
    '/v1/discoveries',
    {
      config: { guard: { on: 'discovery', action: 'report', target: 'handler' } },
      schema: {
        tags: ['discoveries'],
        summary: '主动发现上报: report a household in difficulty to the town (a registered household, or a new one with its village); idempotent by key',
        body: zDiscoveryReportBody,
        response: { 200: zDiscoveryView, 201: zDiscoveryView, 400: zErrorBody, 403: zErrorBody, 409: zErrorBody, 422: zErrorBody },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const body = request.body;
      // Where the household is: the register's place, or the village given for a new one; within the reporter's reach (403).
      let householdId: string | null = null;
      let place: string[];
      let villageCode: string;
      if (body.householdId !== undefined) {
        const household = await findHousehold(db, body.householdId);
        if (!household) throw unprocessable('householdId', `no household ${body.householdId} in the register`);
        householdId = household._id;
        place = household.orgPath;
        villageCode = household.villageCode;
      } else {
        const unit = await orgs.get(body.villageCode!);
        if (!unit || (unit.level !== 'village' && unit.level !== 'grid')) throw unprocessable('villageCode', `no village/community (or grid) ${body.villageCode}`);
        place = unit.path;
        villageCode = unit.level === 'grid' ? unit.parent! : unit.code;
      }
      reach(request, place);
      if (body.patrolId !== undefined) await referencedCase(request, db, { field: 'body.patrolId', id: body.patrolId, kind: 'patrol' });

      const discoveryId = discoveryIdFor(p.userId, body.key);
      const existing = await findCase<DiscoveryView>(db, discoveryId, 'discovery');
      if (existing) return reply.code(200).send(await shown(request, await sameReportOr409(existing.view, body)));

      const villageLadder = await orgs.ladder(villageCode);
      const townAt = villageLadder.findIndex((u) => u.level === 'town');
      if (townAt < 0) throw unprocessable(body.householdId ? 'householdId' : 'villageCode', `${villageCode} lies under no town`);
      if (body.newHousehold) await saveNewHousehold(db, discoveryId, body.newHousehold);
      const requestId = randomUUID();
      const start: DiscoveryStart = {
        openingRequestId: requestId,
        report: {
          discoveryId,
          reporter: actorOf(p),
          reporterUnit: toRef(p.unit),
          householdId,
          focusGroup: body.focusGroup,
          situation: body.situation,
          urgency: body.urgency,
          patrolId: body.patrolId ?? null,
          village: villageLadder[0]!,
          town: villageLadder[townAt]!,
          ladder: villageLadder.slice(townAt),
          orgPath: place,
          policy: config.policy.discovery,
        },
      };
      try {
        const view = await openCase(temporal, { workflowType: DISCOVERY_WORKFLOW_TYPE, workflowId: discoveryId, taskQueue: config.temporal.taskQueue, start, update: discoveryOpenedUpdate, args: { requestId }, conflict: 'FAIL' });
        return reply.code(201).send(await shown(request, view));
      } catch (err) {
        // Two requests with one key at once: the second finds the first's discovery.
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        const view = await temporal.workflow.getHandle(discoveryId).query(discoveryQuery);
        return reply.code(200).send(await shown(request, await sameReportOr409(view, body)));
      }
    },
  );

  const rowOf = (v: DiscoveryView, d: { dueAt: Date | null; overdue: boolean; rung: number }, household: z.infer<typeof zDiscoveryRow>['household']): z.infer<typeof zDiscoveryRow> => ({
    caseId: v.caseId,
    status: v.status,
    stage: v.stage,
    urgency: v.urgency,
    focusGroup: v.focusGroup,
    focusGroupName: FOCUS_GROUPS[v.focusGroup],
    village: v.village,
    householdId: v.householdId,
    newHousehold: v.newHousehold,
    situation: v.situation,
    reportedAt: v.reportedAt,
    dueAt: d.dueAt ? d.dueAt.toISOString() : null,
    overdue: d.overdue,
    rung: d.rung,
    decision: v.decision ? { outcome: v.decision.outcome, outcomeName: v.decision.outcomeName, caseId: v.decision.caseId, level: v.decision.level, category: v.decision.category, referredTo: v.decision.referredTo, reason: v.decision.reason, at: v.decision.at } : null,
    household,
  });

  /**
   * A page of discoveries as rows the caller may see: the view through presentView, the household through
   * presentBrief (its register entry, primed for the page in batched queries: primeBriefs) or, for a new
   * household, as reported (one query for the page; masked below town: newHouseholdFor; audited when shown in full).
   */
  async function rowsOf(request: FastifyRequest, docs: readonly CaseDoc<DiscoveryView>[]) {
    const role = principalOf(request).role;
    const [, fresh] = await Promise.all([primeBriefs(request, docs.map((d) => d.householdId)), newHouseholdsOf(db, docs.filter((d) => d.view.newHousehold).map((d) => d._id))]);
    if (fresh.size > 0 && seesPersonalData(role)) markPersonalData(request, ...[...fresh.keys()].map((caseId) => ({ caseId })));
    return Promise.all(
      docs.map(async (d) => {
        const reported = d.view.newHousehold ? newHouseholdFor(role, fresh.get(d._id) ?? null) : null;
        const household = d.view.newHousehold ? reported && { headName: reported.name, address: reported.address } : presentBrief(request, { caseId: d._id, householdId: d.householdId }, d.household ?? null);
        return rowOf(await presentView(request, d.view), d, household);
      }),
    );
  }

  app.get(
    '/v1/discoveries/mine',
    {
      config: { guard: { on: 'discovery', action: 'read' } },
      schema: {
        tags: ['discoveries'],
        summary: '我的上报: the caller’s discoveries with their outcome, newest first; a keyset list (`limit`, default 50, and `cursor` = the last page’s `nextCursor`)',
        querystring: zQuery(pageQuery()),
        response: { 200: zPage(zDiscoveryRow), 400: zErrorBody, 403: zErrorBody },
      },
    },
    async (request) => {
      const p = principalOf(request);
      return keysetPage(BY_REPORTED, request.query, (after, limit) => discoveriesOfReporter(db, p.userId, limit, after), (docs) => rowsOf(request, docs));
    },
  );

  app.get(
    '/v1/discoveries',
    {
      config: { guard: { on: 'discovery', action: 'read', target: 'org' } },
      schema: {
        tags: ['discoveries'],
        summary: '发现待研判: the discoveries of a unit’s subtree (the caller’s own unit when `org` is absent), urgent first, then by due time',
        querystring: zQuery({ org: zOrgCode.optional(), status: z.enum(['open', 'closed']).default('open'), limit: zQueryInt(1, 200).optional() }),
        response: { 200: z.object({ items: z.array(zDiscoveryRow) }), 400: zErrorBody, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => {
      const unit = guardedUnit(request);
      const docs = await discoveryQueue(db, { org: unit.code, status: request.query.status, limit: request.query.limit ?? 100 });
      return { items: await rowsOf(request, docs) };
    },
  );

  app.get(
    '/v1/discoveries/:id',
    {
      config: { guard: { on: 'discovery', action: 'read', target: 'case' } },
      schema: {
        tags: ['discoveries'],
        summary: 'A discovery: the report, its assessment deadline and escalations, the decision and the case it led to (links)',
        params: z.object({ id: zDiscoveryId }),
        response: { 200: zDiscoveryView, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => shown(request, guardedCase<DiscoveryView>(request).view),
  );

  /**
   * The opening of an alert or application the decision names, built as `POST /v1/alerts` and
   * `POST /v1/applications` build theirs (the household within the caller's reach; the category in the
   * catalogue), or undefined for a referral or no action. @throws 422 naming the field.
   */
  async function openingFor(request: FastifyRequest, view: DiscoveryView, body: DecideBody): Promise<Opening | undefined> {
    if (body.outcome !== 'alert' && body.outcome !== 'application') return undefined;
    const rules = (fn: () => string, field: string) => {
      try {
        return fn();
      } catch (err) {
        if (err instanceof RuleViolation) throw unprocessable(field, err.message.replace(/^[^:]*: /, ''), err.message.startsWith('householdId') ? 'unknown_reference' : 'invalid');
        throw err;
      }
    };
    const asState = { householdId: view.newHousehold ? null : view.householdId, urgency: view.urgency } as DiscoveryState;
    const householdId = rules(() => decisionHousehold(asState, body), 'householdId');
    const household = await findHousehold(db, householdId);
    const p = principalOf(request);
    if (!household) throw unprocessable('householdId', `no household ${householdId} in the register`);
    // The report's household and no other: a registered one's own; for a new one, a household now registered in the
    // village where it was reported — in any of its grids: a member reporting at a grid may not know the grid the
    // village registers the household in (the workflow's gate checks the same village: workflows/discovery).
    if (!view.newHousehold && householdId !== view.householdId) throw unprocessable('householdId', `discovery ${view.caseId} is about household ${view.householdId}; its decision opens that household's ${body.outcome}, not ${householdId}'s`, 'invalid');
    if (view.newHousehold && household.villageCode !== view.village.code) throw unprocessable('householdId', `household ${householdId} is not registered in ${view.village.name} (${view.village.code}), where discovery ${view.caseId} was reported`, 'invalid');
    reach(request, household.orgPath);
    const ladder = await orgs.ladder(household.villageCode);
    const actor = actorOf(p);
    if (body.outcome === 'alert') {
      const reasons = [`主动发现 ${view.caseId}：${FOCUS_GROUPS[view.focusGroup]}`];
      const start: Omit<AlertStart, 'openingRequestId'> = { householdId, level: body.level, reasons, unit: ladder[0]!, ladder, policy: config.policy.alerts, actor };
      return { workflowId: alertWorkflowId(householdId), start, args: { level: body.level, reasons, actor } };
    }
    const category = rules(() => decisionCategory(asState, body), 'category');
    const catalogue = await loadCatalogue(db);
    if (!catalogue.categories.some((c) => c.code === category)) throw unprocessable('category', `${category} is not in the catalogue: expected one of ${catalogue.categories.map((c) => c.code).join(', ')}`, 'invalid');
    const start: Omit<ApplicationStart, 'openingRequestId'> = {
      submit: {
        householdId,
        category,
        source: 'on_behalf',
        labourCapacity: body.labourCapacity,
        unit: ladder[0]!,
        ladder,
        conflictedUsers: await relativesOf(db, householdId),
        policy: config.policy.applications,
        calendar: await loadHolidayCalendar(db),
        actor,
      },
    };
    return { workflowId: applicationWorkflowId(householdId, category), start };
  }

  stepRoutes(app, {
    kind: 'discovery',
    id: zDiscoveryId,
    view: zDiscoveryView,
    steps: DISCOVERY_STEPS,
    take: async (request, _name, doc) => {
      const p = principalOf(request);
      const body = request.body as DecideBody;
      const opening = await openingFor(request, doc.view as unknown as DiscoveryView, body);
      const view = await temporal.workflow.getHandle(doc.workflowId).executeUpdate(decideDiscoveryUpdate, { args: [{ caseId: doc._id, actor: actorOf(p), input: { ...body, ...(opening ? { opening } : {}) } }] });
      if (view.status === 'open') {
        // The other case could not be opened: the decision was not made (recorded as outcome_open_failed).
        // Its own rules refused it: 409 with their message (deciding again as it is cannot help); else 503, try again.
        const failure = view.lastOpenFailure;
        if (failure?.refused) throw new ApiError(409, 'conflict', `the ${body.outcome} was refused, so nothing was decided: ${failure.message}`, undefined, 'outcome_refused');
        throw new ApiError(503, 'unavailable', `the ${body.outcome} could not be opened, so nothing was decided; try again (discovery ${view.caseId}, attempt ${view.openFailures})`, undefined, 'outcome_not_opened');
      }
      return shown(request, view);
    },
  });
};
