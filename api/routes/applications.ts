import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { APPLICATION_SOURCES, APPLICATION_STAGES, APPLICATION_STEPS, applicationStepRules, LABOUR_CAPACITY, type ApplicationStepName } from '../../domain/application';
import { ROLES } from '../../domain/roles';
import { loadHolidayCalendar } from '../../store/calendar';
import { loadCatalogue } from '../../store/catalogue';
import { openApplicationOf } from '../../store/cases';
import { isRelative, relativesOf } from '../../store/relatives';
import { APPLICATION_WORKFLOW_TYPE, applicationQuery, applicationStepUpdates, applicationWorkflowId, openedUpdate, type ApplicationStart } from '../../workflows/application/contract';
import { actorOf, principalOf } from '../auth';
import { badRequest, conflict, forbidden, zErrorBody } from '../errors';
import { guardedCase, guardedHousehold, referencedCase } from '../guard';
import { presentView } from '../present';
import { openCase, stepRoutes, updateIdOf } from '../steps';
import { withWorkingDaysLeft } from '../working-days';

/** Steps a declared close relative may not take (investigate, deliberate, review, approve, re-review, extend). */
const IMPARTIAL_STEPS: readonly ApplicationStepName[] = ['investigation', 'deliberation', 'review', 'approval', 'reReview', 'extension'];

const zApplicationId = z.string().regex(/^application-hh-[0-9a-f]{12}-[a-z][a-z0-9_]{1,39}-\d{8}T\d{9}$/, 'expected an application id such as application-hh-0123456789ab-minimum_subsistence-20261129T033512345');
const zApplicationView = z.looseObject({ caseId: z.string(), status: z.enum(['open', 'closed']), stage: z.enum(APPLICATION_STAGES) });

export const applicationRoutes: FastifyPluginAsyncZod = async (app) => {
  const { orgs, mongo, temporal, config } = app.deps;
  const db = mongo.db;

  app.post(
    '/v1/applications',
    {
      config: { guard: { on: 'application', action: 'start', target: 'household', opensAtVillage: true } },
      schema: {
        tags: ['applications'],
        summary: 'File an assistance application (救助申请); one open application per household and category',
        body: z
          .object({
            householdId: z.string().min(1),
            category: z.string().min(1),
            source: z.enum(APPLICATION_SOURCES),
            alertId: z.string().min(1).optional(),
            labourCapacity: z.enum(LABOUR_CAPACITY),
          })
          .strict()
          .refine((b) => b.source !== 'alert' || b.alertId, { path: ['alertId'], message: 'required when source is alert' }),
        response: { 201: zApplicationView, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody, 409: zErrorBody, 422: zErrorBody },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const body = request.body;
      const household = guardedHousehold(request);
      const catalogue = await loadCatalogue(db);
      if (!catalogue.categories.some((c) => c.code === body.category)) {
        throw badRequest(`category: ${body.category} is not in the catalogue`, [{ path: 'body.category', message: `expected one of ${catalogue.categories.map((c) => c.code).join(', ')}` }]);
      }
      if (body.alertId) await referencedCase(request, db, { field: 'body.alertId', id: body.alertId, kind: 'alert', householdId: body.householdId });
      const ladder = await orgs.ladder(household.villageCode);
      const requestId = randomUUID();
      const start: ApplicationStart = {
        openingRequestId: requestId,
        submit: {
          householdId: body.householdId,
          category: body.category,
          source: body.source,
          ...(body.alertId ? { alertId: body.alertId } : {}),
          labourCapacity: body.labourCapacity,
          unit: ladder[0]!,
          ladder,
          conflictedUsers: await relativesOf(db, body.householdId),
          policy: config.policy.applications,
          calendar: await loadHolidayCalendar(db),
          actor: actorOf(p),
        },
      };
      const workflowId = applicationWorkflowId(body.householdId, body.category);
      try {
        const view = await openCase(temporal, { workflowType: APPLICATION_WORKFLOW_TYPE, workflowId, taskQueue: config.temporal.taskQueue, start, update: openedUpdate, args: { requestId }, conflict: 'FAIL', query: applicationQuery });
        return reply.code(201).send(await presentView(request, view));
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        const open = await openApplicationOf(db, body.householdId, body.category);
        throw conflict(`household ${body.householdId} already has an open ${body.category} application`, { applicationId: open, workflowId });
      }
    },
  );

  app.get(
    '/v1/applications/rules',
    {
      config: { guard: { on: 'application', action: 'read' } },
      schema: {
        tags: ['applications'],
        summary: 'The rules each application step enforces, in words, with their sources, as the current policy sets them (the workspace’s step forms show them)',
        response: {
          200: z.object({
            policyVersion: z.string(),
            steps: z.array(
              z.object({
                step: z.enum(Object.keys(APPLICATION_STEPS) as [ApplicationStepName, ...ApplicationStepName[]]),
                path: z.string(),
                summary: z.string(),
                stages: z.array(z.enum(APPLICATION_STAGES)),
                roles: z.array(z.enum(ROLES)),
                rules: z.array(z.object({ text: z.string(), source: z.string() })),
              }),
            ),
          }),
        },
      },
    },
    async () => ({ policyVersion: config.policy.applications.version, steps: applicationStepRules(config.policy.applications).map((s) => ({ ...s, stages: [...s.stages], roles: [...s.roles] })) }),
  );

  app.get(
    '/v1/applications/:id',
    {
      config: { guard: { on: 'application', action: 'read', target: 'case' } },
      schema: {
        tags: ['applications'],
        summary: 'An application: stage, every deadline, the history of decisions and escalations; dueWorkingDaysLeft: working days left before the open deadline (today included if a working day; 0 once passed; null when none)',
        params: z.object({ id: zApplicationId }),
        response: { 200: zApplicationView, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => withWorkingDaysLeft(db, 'application', (await presentView(request, guardedCase(request).view)) as z.infer<typeof zApplicationView>),
  );

  // One endpoint per human step, all from the one table in domain/application.ts.
  stepRoutes(app, {
    kind: 'application',
    id: zApplicationId,
    view: zApplicationView,
    steps: APPLICATION_STEPS,
    take: async (request, name, doc) => {
      const p = principalOf(request);
      if (IMPARTIAL_STEPS.includes(name) && (await isRelative(db, p.userId, doc.householdId!))) {
        throw forbidden('you declared a close relative in this household: you may not take this step on its application');
      }
      const handle = temporal.workflow.getHandle(doc.workflowId);
      const view = await handle.executeUpdate(applicationStepUpdates[name], { updateId: updateIdOf(request, name), args: [{ caseId: doc._id, actor: actorOf(p), input: request.body }] });
      return presentView(request, view) as Promise<z.infer<typeof zApplicationView>>;
    },
  });
};
