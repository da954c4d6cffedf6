import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, type WorkflowHandle } from '@temporalio/client';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { zAcknowledgeInput, zChangeLevelInput, zCloseInput, zReasons, zVisitInput } from '../../domain/alert';
import { zOrgCode } from '../../domain/org';
import { zAlertLevel } from '../../domain/policy';
import type { Role } from '../../domain/roles';
import { findCase } from '../../store/cases';
import { findHousehold } from '../../store/households';
import {
  acknowledgeUpdate,
  alertWorkflowId,
  changeLevelUpdate,
  closeUpdate,
  reassignUpdate,
  recordVisitUpdate,
  repolicyUpdate,
  reportUpdate,
  type AlertInput,
} from '../../workflows/alerts/contract';
import type { alertWorkflow } from '../../workflows/alerts/workflow';
import { actorOf, assertCanRead, assertCanWrite, principalOf, type Principal } from '../auth';
import { badRequest, conflict, forbidden, notFound, zErrorBody } from '../errors';

/** Who may act on alerts: everyone who works cases; city monitors only read. */
const ACTORS: readonly Role[] = ['grid_worker', 'village_staff', 'town_staff', 'town_supervisor', 'district_staff'];
/** Moving responsibility and changing policy are supervisory acts. */
const SUPERVISORS: readonly Role[] = ['town_staff', 'town_supervisor', 'district_staff'];

const zAlertId = z.string().regex(/^alert-hh-[0-9a-f]{12}-\d{8}T\d{9}$/, 'expected an alert id such as alert-hh-0123456789ab-20261129T033512345');
const zAlertView = z.looseObject({ caseId: z.string(), status: z.enum(['open', 'closed']), level: zAlertLevel });
const zActionResponses = { 200: zAlertView, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody, 409: zErrorBody, 422: zErrorBody };



export const alertRoutes: FastifyPluginAsyncZod = async (app) => {
  const { orgs, mongo, temporal, config } = app.deps;

  /** The open alert an action is for, after the caller's rights on it are checked. */
  async function openAlertFor(p: Principal, caseId: string, roles: readonly Role[] = ACTORS): Promise<WorkflowHandle<typeof alertWorkflow>> {
    const doc = await findCase(mongo.db, caseId, 'alert');
    if (!doc) throw notFound(`alert ${caseId} not found`);
    assertCanWrite(p, doc.orgPath, roles);
    if (doc.status === 'closed') throw conflict(`alert ${caseId} is closed`);
    return temporal.workflow.getHandle(doc.workflowId);
  }

  app.post(
    '/v1/alerts',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Raise a household alert (三色预警); an open alert of the household changes level instead',
        body: z.object({ householdId: z.string().min(1), level: zAlertLevel, reasons: zReasons.min(1, 'at least one reason') }).strict(),
        response: { 201: zAlertView, 200: zAlertView, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody, 409: zErrorBody },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const { householdId, level, reasons } = request.body;
      const household = await findHousehold(mongo.db, householdId);
      if (!household) throw notFound(`household ${householdId} not found`);
      assertCanWrite(p, household.orgPath, ACTORS);
      const ladder = await orgs.ladder(household.villageCode);
      const actor = actorOf(p);
      const requestId = randomUUID();
      const input: AlertInput = { householdId, level, reasons, unit: ladder[0]!, ladder, policy: config.policy.alerts, actor, openingRequestId: requestId };
      const result = await temporal.workflow.executeUpdateWithStart(reportUpdate, {
        args: [{ requestId, level, reasons, actor }],
        startWorkflowOperation: new WithStartWorkflowOperation<typeof alertWorkflow>('alertWorkflow', {
          workflowId: alertWorkflowId(householdId),
          taskQueue: config.temporal.taskQueue,
          args: [input],
          workflowIdConflictPolicy: 'USE_EXISTING',
        }),
      });
      return reply.code(result.created ? 201 : 200).send(result.alert);
    },
  );

  app.get(
    '/v1/alerts/:id',
    {
      schema: {
        tags: ['alerts'],
        summary: 'An alert: level, status, responsible unit, dueAt, overdue, visits, escalations',
        params: z.object({ id: zAlertId }),
        response: { 200: zAlertView, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => {
      const doc = await findCase(mongo.db, request.params.id, 'alert');
      if (!doc) throw notFound(`alert ${request.params.id} not found`);
      assertCanRead(principalOf(request), doc.orgPath);
      return doc.view as z.infer<typeof zAlertView>;
    },
  );

  const params = z.object({ id: zAlertId });

  app.post(
    '/v1/alerts/:id/acknowledgements',
    { schema: { tags: ['alerts'], summary: 'Acknowledge (受理) the alert', params, body: zAcknowledgeInput.default({}), response: zActionResponses } },
    async (request) => {
      const p = principalOf(request);
      const handle = await openAlertFor(p, request.params.id);
      return handle.executeUpdate(acknowledgeUpdate, { args: [{ caseId: request.params.id, actor: actorOf(p), ...request.body }] });
    },
  );

  app.post(
    '/v1/alerts/:id/visits',
    { schema: { tags: ['alerts'], summary: 'Record a visit (走访/探访)', params, body: zVisitInput, response: zActionResponses } },
    async (request) => {
      const p = principalOf(request);
      const handle = await openAlertFor(p, request.params.id);
      return handle.executeUpdate(recordVisitUpdate, { args: [{ caseId: request.params.id, actor: actorOf(p), visit: request.body }] });
    },
  );

  app.post(
    '/v1/alerts/:id/level',
    { schema: { tags: ['alerts'], summary: 'Change the alert level; the new level’s deadline runs from now', params, body: zChangeLevelInput, response: zActionResponses } },
    async (request) => {
      const p = principalOf(request);
      const handle = await openAlertFor(p, request.params.id);
      return handle.executeUpdate(changeLevelUpdate, { args: [{ caseId: request.params.id, actor: actorOf(p), ...request.body }] });
    },
  );

  app.post(
    '/v1/alerts/:id/reassignments',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Reassign the alert to another village/community inside the caller’s jurisdiction',
        params,
        body: z.object({ unitCode: zOrgCode, reason: z.string().trim().min(1).max(500) }).strict(),
        response: zActionResponses,
      },
    },
    async (request) => {
      const p = principalOf(request);
      const handle = await openAlertFor(p, request.params.id, SUPERVISORS);
      const unit = await orgs.get(request.body.unitCode);
      if (!unit) throw badRequest(`unitCode: org unit ${request.body.unitCode} does not exist`, [{ path: 'body.unitCode', message: 'unknown org unit' }]);
      if (unit.level !== 'village') throw badRequest('unitCode: an alert is the responsibility of a village/community', [{ path: 'body.unitCode', message: `is a ${unit.level}` }]);
      if (!unit.path.includes(p.unit.code)) throw forbidden(`${unit.name} is outside your jurisdiction`);
      const ladder = await orgs.ladder(unit.code);
      return handle.executeUpdate(reassignUpdate, { args: [{ caseId: request.params.id, actor: actorOf(p), unit: ladder[0]!, ladder, reason: request.body.reason }] });
    },
  );

  app.post(
    '/v1/alerts/:id/closure',
    { schema: { tags: ['alerts'], summary: 'Close the alert; every timer stops', params, body: zCloseInput, response: zActionResponses } },
    async (request) => {
      const p = principalOf(request);
      const handle = await openAlertFor(p, request.params.id);
      return handle.executeUpdate(closeUpdate, { args: [{ caseId: request.params.id, actor: actorOf(p), closure: request.body }] });
    },
  );

  app.post(
    '/v1/alerts/:id/policy',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Re-policy: apply the policy now in force to this running alert (audited; admin only)',
        params,
        response: zActionResponses,
      },
    },
    async (request) => {
      const p = principalOf(request);
      if (p.role !== 'admin') throw forbidden('only an admin may re-policy a running case');
      const handle = await openAlertFor(p, request.params.id, []);
      return handle.executeUpdate(repolicyUpdate, { args: [{ caseId: request.params.id, actor: actorOf(p), policy: config.policy.alerts }] });
    },
  );
};
