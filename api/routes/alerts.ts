import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ALERT_STEPS, isVisitorCandidate, visitorRefusal, VISITOR_ROLES, zAcknowledgeInput, zChangeLevelInput, zCloseInput, zReasons, zVisitInput, type AlertView, type AssignVisitorInput, type DecideInput, type DisposeInput, type RequestInput } from '../../domain/alert';
import { zOrgCode } from '../../domain/org';
import { zAlertLevel } from '../../domain/policy';
import type { ActionOf } from '../../domain/permissions';
import {
  ALERT_WORKFLOW_TYPE,
  acknowledgeUpdate,
  alertWorkflowId,
  assignVisitorUpdate,
  changeLevelUpdate,
  closeUpdate,
  decideRequestUpdate,
  disposeUpdate,
  reassignUpdate,
  requestChangeUpdate,
  recordVisitUpdate,
  repolicyUpdate,
  reportUpdate,
  type AlertStart,
} from '../../workflows/alert/contract';
import { openCase, stepRoutes, updateIdOf } from '../steps';
import { pendingApprovals } from '../../store/cases';
import { presentBrief, presentView, primeBriefs, primeRelations } from '../present';
import { alertsAssignedTo } from '../../store/relations';
import type { alertWorkflow } from '../../workflows/alert/workflow';
import { actorOf, principalOf } from '../auth';
import { badRequest, unprocessableField, zErrorBody } from '../errors';
import { activeUsersWithin, findUser } from '../../store/users';
import { guardedCase, guardedHousehold, guardedUnit, reach, readable, referencedCase } from '../guard';
import { zOrgCode as zOrg } from '../../domain/org';
import { zQuery } from '../query';

type VisitorRole = AssignVisitorInput['role'];

const zAlertId = z.string().regex(/^alert-hh-[0-9a-f]{12}-\d{8}T\d{9}$/, 'expected an alert id such as alert-hh-0123456789ab-20261129T033512345');
const zAlertView = z.looseObject({ caseId: z.string(), status: z.enum(['open', 'closed']), level: zAlertLevel });
const zActionResponses = { 200: zAlertView, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody, 409: zErrorBody, 422: zErrorBody };

export const alertRoutes: FastifyPluginAsyncZod = async (app) => {
  const { orgs, mongo, temporal, config } = app.deps;

  /** The workflow of the alert the route's guard loaded and checked (open, in reach, the role allowed). */
  const workflowOf = (request: FastifyRequest) => temporal.workflow.getHandle<typeof alertWorkflow>(guardedCase(request).workflowId);

  app.post(
    '/v1/alerts',
    {
      // The start lands on the household's open alert when there is one: the guard checks that alert's current unit too.
      config: { guard: { on: 'alert', action: 'start', target: 'household', opensAtVillage: true, landsOn: 'alert' } },
      schema: {
        tags: ['alerts'],
        summary: 'Raise a household alert (三色预警); an open alert of the household changes level instead (the open alert must then lie in the caller’s jurisdiction)',
        body: z.object({ householdId: z.string().min(1), level: zAlertLevel, reasons: zReasons.min(1, 'at least one reason') }).strict(),
        response: { 201: zAlertView, 200: zAlertView, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody, 409: zErrorBody },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const { householdId, level, reasons } = request.body;
      const household = guardedHousehold(request);
      const ladder = await orgs.ladder(household.villageCode);
      const actor = actorOf(p);
      const requestId = randomUUID();
      const start: AlertStart = { householdId, level, reasons, unit: ladder[0]!, ladder, policy: config.policy.alerts, actor, openingRequestId: requestId };
      const result = await openCase(temporal, {
        workflowType: ALERT_WORKFLOW_TYPE,
        workflowId: alertWorkflowId(householdId),
        taskQueue: config.temporal.taskQueue,
        start,
        update: reportUpdate,
        args: { requestId, level, reasons, actor },
        conflict: 'USE_EXISTING',
        closedReason: 'case_closed',
        updateId: updateIdOf(request, 'report'),
      });
      return reply.code(result.created ? 201 : 200).send(await presentView(request, readable(request, result.alert)));
    },
  );

  app.get(
    '/v1/alerts/:id',
    {
      config: { guard: { on: 'alert', action: 'read', target: 'case' } },
      schema: {
        tags: ['alerts'],
        summary: 'An alert: level, status, responsible unit, dueAt, overdue, visits, escalations',
        params: z.object({ id: zAlertId }),
        response: { 200: zAlertView, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => presentView(request, guardedCase(request).view) as Promise<z.infer<typeof zAlertView>>,
  );

  const params = z.object({ id: zAlertId });
  /** A step on an open alert, by the matrix's `alert.<action>`. */
  const guard = (action: ActionOf<'alert'>) => ({ on: 'alert', action, target: 'case' }) as const;

  app.post(
    '/v1/alerts/:id/acknowledgements',
    { config: { guard: guard('acknowledge') }, schema: { tags: ['alerts'], summary: 'Acknowledge (受理) the alert', params, body: zAcknowledgeInput.default({}), response: zActionResponses } },
    async (request) => {
      const p = principalOf(request);
      const handle = workflowOf(request);
      return presentView(request, await handle.executeUpdate(acknowledgeUpdate, { updateId: updateIdOf(request, 'acknowledge'), args: [{ caseId: request.params.id, actor: actorOf(p), ...request.body }] }));
    },
  );

  app.post(
    '/v1/alerts/:id/visits',
    { config: { guard: guard('recordVisit') }, schema: { tags: ['alerts'], summary: 'Record a visit (走访/探访)', params, body: zVisitInput, response: zActionResponses } },
    async (request) => {
      const p = principalOf(request);
      const handle = workflowOf(request);
      return presentView(request, await handle.executeUpdate(recordVisitUpdate, { updateId: updateIdOf(request, 'recordVisit'), args: [{ caseId: request.params.id, actor: actorOf(p), visit: request.body }] }));
    },
  );

  /**
   * Issue 14: assign the visitor (指派走访人) — by login: an existing, active staff user who is a grid worker,
   * party member or village staff of the alert's village or a grid in it (domain/alert.ts visitorRefusal; 422
   * naming the field otherwise). Role and unit come from the user record; `role` and `unitCode`, when given,
   * must match it. The unit's path and name come from the org tree (the workflow's validator checks the path
   * again, 422 `visitor_outside_village`). The visitor then sees the household's name, address and phone,
   * finds the alert under GET /v1/alerts/assigned, is told in their inbox and records its visit.
   */
  app.post(
    '/v1/alerts/:id/visitor',
    {
      config: { guard: guard('assignVisitor') },
      schema: {
        tags: ['alerts'],
        summary: ALERT_STEPS.assignVisitor.summary,
        description: 'The login must be an active user of the alert’s village or a grid in it with a visitor role (GET /v1/alerts/{id}/visitor-candidates lists them); `role` and `unitCode` are optional and, when given, must be the user’s.',
        params,
        body: z.object({ userId: z.string().trim().min(1).max(200), role: z.enum(VISITOR_ROLES).optional(), unitCode: zOrgCode.optional(), note: z.string().max(500).optional() }).strict(),
        response: zActionResponses,
      },
    },
    async (request) => {
      const p = principalOf(request);
      const { userId, role, unitCode, note } = request.body;
      const kase = guardedCase(request);
      const user = await findUser(mongo.db, userId);
      const refused = visitorRefusal(userId, user, kase.unit, { role, unitCode });
      if (refused) throw unprocessableField(refused.path, refused.reason, refused.message);
      const named = user!; // visitorRefusal passes only an existing user
      const unit = await orgs.get(named.unitCode);
      if (!unit) throw unprocessableField('body.userId', 'visitor_outside_village', `the user ${userId} belongs to ${named.unitCode}, which the org tree does not hold`);
      const handle = workflowOf(request);
      const visitor = { userId: named._id, role: named.role as VisitorRole, unitPath: unit.path, unitName: unit.name, ...(note !== undefined ? { note } : {}) };
      return presentView(request, await handle.executeUpdate(assignVisitorUpdate, { updateId: updateIdOf(request, 'assignVisitor'), args: [{ caseId: request.params.id, actor: actorOf(p), visitor }] }));
    },
  );

  app.get(
    '/v1/alerts/:id/visitor-candidates',
    {
      // Who may be named is offered to those who may name: the matrix's alert.assignVisitor on the case.
      config: { guard: guard('assignVisitor') },
      schema: {
        tags: ['alerts'],
        summary: '可指派的走访人：the active users who may be named the alert’s visitor — grid workers, party members and village staff of its village or a grid in it — by login (at most 500)',
        params,
        response: {
          200: z.object({ items: z.array(z.object({ login: z.string(), name: z.string(), role: z.enum(VISITOR_ROLES), unitCode: z.string(), unitName: z.string() })) }),
          403: zErrorBody,
          404: zErrorBody,
          409: zErrorBody,
        },
      },
    },
    async (request) => {
      const kase = guardedCase(request);
      // An alert is assigned only while its responsible unit is a village (domain/alert.ts checkAssignVisitor).
      const users = kase.unit.level === 'village' ? await activeUsersWithin(mongo.db, kase.unit.code, VISITOR_ROLES, 500) : [];
      const candidates = users.filter((u) => isVisitorCandidate(u, kase.unit));
      const names = new Map<string, string>();
      for (const code of new Set(candidates.map((u) => u.unitCode))) names.set(code, (await orgs.get(code))?.name ?? code);
      return { items: candidates.map((u) => ({ login: u._id, name: u.name, role: u.role as VisitorRole, unitCode: u.unitCode, unitName: names.get(u.unitCode)! })) };
    },
  );

  app.get(
    '/v1/alerts/assigned',
    {
      // Reads only what names the caller as its visitor: in reach by need (domain/permissions.ts reachesAlertByNeed).
      config: { guard: { on: 'alert', action: 'read' } },
      schema: {
        tags: ['alerts'],
        summary: '我的走访：open alerts whose assigned visitor is the caller, newest first (at most 200), each with its household as the caller may see it',
        response: {
          200: z.object({
            items: z.array(
              z.object({
                caseId: z.string(),
                householdId: z.string(),
                household: z.object({ headName: z.string(), address: z.string(), phone: z.string().optional() }).nullable(),
                level: zAlertLevel,
                unit: z.looseObject({ code: z.string(), name: z.string() }),
                dueAt: z.string().nullable(),
                dueLabel: z.string().nullable(),
                overdue: z.boolean(),
              }),
            ),
          }),
          403: zErrorBody,
        },
      },
    },
    async (request) => {
      const docs = await alertsAssignedTo(mongo.db, principalOf(request).userId, 200);
      await primeBriefs(request, docs.map((d) => d.householdId));
      return {
        items: docs.map((d) => ({
          caseId: d._id,
          householdId: d.householdId ?? '',
          household: presentBrief(request, { caseId: d._id, householdId: d.householdId }, d.household ?? null),
          level: d.level as z.infer<typeof zAlertLevel>,
          unit: { ...d.unit },
          dueAt: d.dueAt ? d.dueAt.toISOString() : null,
          dueLabel: d.due?.label ?? null,
          overdue: d.overdue,
        })),
      };
    },
  );

  app.post(
    '/v1/alerts/:id/level',
    { config: { guard: guard('changeLevel') }, schema: { tags: ['alerts'], summary: 'Change the alert level; the new level’s deadline runs from now', params, body: zChangeLevelInput, response: zActionResponses } },
    async (request) => {
      const p = principalOf(request);
      const handle = workflowOf(request);
      return presentView(request, await handle.executeUpdate(changeLevelUpdate, { updateId: updateIdOf(request, 'changeLevel'), args: [{ caseId: request.params.id, actor: actorOf(p), ...request.body }] }));
    },
  );

  app.post(
    '/v1/alerts/:id/reassignments',
    {
      config: { guard: guard('reassign') },
      schema: {
        tags: ['alerts'],
        summary: 'Reassign the alert to another village/community inside the caller’s jurisdiction',
        params,
        body: z.object({ unitCode: zOrgCode, reason: z.string().max(500).trim().min(1) }).strict(),
        response: zActionResponses,
      },
    },
    async (request) => {
      const p = principalOf(request);
      const handle = workflowOf(request);
      const unit = await orgs.get(request.body.unitCode);
      if (!unit) throw badRequest(`unitCode: org unit ${request.body.unitCode} does not exist`, [{ path: 'body.unitCode', message: 'unknown org unit' }]);
      if (unit.level !== 'village') throw badRequest('unitCode: an alert is the responsibility of a village/community', [{ path: 'body.unitCode', message: `is a ${unit.level}` }]);
      reach(request, unit.path);
      const ladder = await orgs.ladder(unit.code);
      return presentView(request, await handle.executeUpdate(reassignUpdate, { updateId: updateIdOf(request, 'reassign'), args: [{ caseId: request.params.id, actor: actorOf(p), unit: ladder[0]!, ladder, reason: request.body.reason }] }));
    },
  );

  app.post(
    '/v1/alerts/:id/closure',
    { config: { guard: guard('close') }, schema: { tags: ['alerts'], summary: 'Close the alert; every timer stops', params, body: zCloseInput, response: zActionResponses } },
    async (request) => {
      const p = principalOf(request);
      const alert = guardedCase(request);
      if (request.body.applicationId !== undefined) {
        await referencedCase(request, mongo.db, { field: 'body.applicationId', id: request.body.applicationId, kind: 'application', householdId: alert.householdId! });
      }
      const handle = workflowOf(request);
      return presentView(request, await handle.executeUpdate(closeUpdate, { updateId: updateIdOf(request, 'close'), args: [{ caseId: request.params.id, actor: actorOf(p), closure: request.body }] }));
    },
  );

  app.post(
    '/v1/alerts/:id/policy',
    {
      config: { guard: guard('repolicy') },
      schema: {
        tags: ['alerts'],
        summary: 'Re-policy: apply the policy now in force to this running alert (audited)',
        params,
        response: zActionResponses,
      },
    },
    async (request) => {
      const p = principalOf(request);
      const handle = workflowOf(request);
      return presentView(request, await handle.executeUpdate(repolicyUpdate, { updateId: updateIdOf(request, 'repolicy'), args: [{ caseId: request.params.id, actor: actorOf(p), policy: config.policy.alerts }] }));
    },
  );

  /**
   * Issue 12's steps, from the step table (domain/alert.ts ALERT_STEPS): a request to lower or close early,
   * the town's decision, a disposition. An application a closure or a disposition names is checked like the
   * closure's (api/guard.ts referencedCase: 422 naming the field).
   */
  const { request: requestStep, decide, dispose } = ALERT_STEPS;
  stepRoutes(app, {
    kind: 'alert',
    id: zAlertId,
    view: zAlertView,
    steps: { request: requestStep, decide, dispose },
    take: async (request, name, doc) => {
      const actor = actorOf(principalOf(request));
      const caseId = doc._id;
      const handle = workflowOf(request);
      const updateId = updateIdOf(request, name);
      const ids = updateId ? { updateId } : {};
      let view: AlertView;
      if (name === 'request') {
        const body = request.body as RequestInput;
        if (body.change === 'close' && body.closure.applicationId !== undefined) await referencedCase(request, mongo.db, { field: 'body.closure.applicationId', id: body.closure.applicationId, kind: 'application', householdId: doc.householdId! });
        view = await handle.executeUpdate(requestChangeUpdate, { ...ids, args: [{ caseId, actor, request: body }] });
      } else if (name === 'decide') {
        view = await handle.executeUpdate(decideRequestUpdate, { ...ids, args: [{ caseId, actor, decision: request.body as DecideInput }] });
      } else {
        const body = request.body as DisposeInput;
        if (body.kind === 'application') await referencedCase(request, mongo.db, { field: 'body.applicationId', id: body.applicationId, kind: 'application', householdId: doc.householdId! });
        view = await handle.executeUpdate(disposeUpdate, { ...ids, args: [{ caseId, actor, disposition: body }] });
      }
      return presentView(request, view) as Promise<z.infer<typeof zAlertView>>;
    },
  });

  app.get(
    '/v1/alerts/approvals',
    {
      config: { guard: { on: 'alert', action: 'read', target: 'org' } },
      schema: {
        tags: ['alerts'],
        summary: '待审批：open alerts in a unit’s subtree with a lowering or early closure awaiting the town’s decision, oldest request first (at most 200)',
        querystring: zQuery({ org: zOrg.optional() }),
        response: {
          200: z.object({
            items: z.array(
              z.looseObject({
                caseId: z.string(),
                householdId: z.string(),
                level: zAlertLevel,
                unit: z.looseObject({ code: z.string(), name: z.string() }),
                dueAt: z.string().nullable(),
                request: z.looseObject({ id: z.string(), change: z.enum(['lower', 'close']), reason: z.string(), at: z.string() }),
                approvalDueAt: z.string().nullable(),
              }),
            ),
          }),
          400: zErrorBody,
          403: zErrorBody,
          404: zErrorBody,
        },
      },
    },
    async (request) => {
      const unit = guardedUnit(request);
      const docs = await pendingApprovals(mongo.db, unit.code, 200);
      await primeRelations(request, docs.map((d) => d.householdId));
      const items = await Promise.all(
        docs.map(async (doc) => {
          const view = (await presentView(request, doc.view)) as unknown as AlertView;
          const approval = view.deadlines.filter((d) => d.kind === 'alert.approval').at(-1);
          return { caseId: doc._id, householdId: view.householdId, level: view.level, unit: { ...view.unit }, dueAt: view.dueAt, request: { ...view.pendingRequest! }, approvalDueAt: approval?.dueAt ?? null };
        }),
      );
      return { items };
    },
  );
};
