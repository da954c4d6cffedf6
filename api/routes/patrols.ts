import { ScheduleNotFoundError, type ScheduleDescription, type ScheduleOptionsStartWorkflowAction, type ScheduleSpec } from '@temporalio/client';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { formatDuration } from '../../domain/duration';
import { FOCUS_GROUPS } from '../../domain/focus-groups';
import { isWithin, zOrgCode, type OrgUnit } from '../../domain/org';
import { PATROL_STEPS, zPatrolId, zPatrolPlanInput, type PatrolRecordInput, type PatrolStart, type PatrolView } from '../../domain/patrol';
import { PERSONAL_DATA_NAMES, personalDataIn } from '../../domain/privacy';
import { findHousehold } from '../../store/households';
import { findMember } from '../../store/party-members';
import { PATROL_CATCHUP_WINDOW, PATROL_WORKFLOW_TYPE, patrolPlanScheduleId, patrolWorkflowId, recordPatrolUpdate } from '../../workflows/patrol/contract';
import type { patrolWorkflow } from '../../workflows/patrol/workflow';
import { actorOf, principalOf } from '../auth';
import { ApiError, notFound, zErrorBody, type FieldIssueInput } from '../errors';
import { putSchedule } from '../schedules';
import { guardedCase, guardedUnit, referencedCase } from '../guard';
import { presentView } from '../present';
import { stepRoutes } from '../steps';

/**
 * Patrols (巡查, seed 三(二)三; docs/patrols.md): a village's patrol plan as its Temporal Schedule (create or
 * change, read, pause, delete) and each cycle's patrol — read, and recorded with who patrolled and whom it
 * visited. The schedule is the truth of what fires: the plan is read back from it (describe).
 */

const zPlanView = z.object({
  scheduleId: z.string(),
  villageCode: z.string(),
  villageName: z.string(),
  /** The cadence as ISO-8601 and in ms. */
  every: z.string(),
  everyMs: z.number(),
  focusGroups: z.array(z.string()),
  focusGroupNames: z.array(z.string()),
  note: z.string().nullable(),
  paused: z.boolean(),
  nextActionTimes: z.array(z.string()),
  recentActions: z.array(z.object({ scheduledAt: z.string(), takenAt: z.string(), workflowId: z.string() })),
  policyVersion: z.string().nullable(),
});
type PlanView = z.infer<typeof zPlanView>;
const zPatrolView = z.looseObject({ caseId: z.string(), kind: z.literal('patrol'), status: z.enum(['open', 'closed']), stage: z.string(), visited: z.array(z.unknown()) });

/** The plan as its schedule holds it: the start the action passes each patrol (`{ start }`), its state, its times. */
function planView(unit: OrgUnit, d: ScheduleDescription): PlanView {
  const start = (d.action.args?.[0] as { start?: PatrolStart } | undefined)?.start;
  const everyMs = start?.everyMs ?? d.spec.intervals?.[0]?.every ?? 0;
  const focusGroups = start?.focusGroups ?? [];
  return {
    scheduleId: d.scheduleId,
    villageCode: unit.code,
    villageName: unit.name,
    every: formatDuration(Number(everyMs)),
    everyMs: Number(everyMs),
    focusGroups,
    focusGroupNames: focusGroups.map((g) => FOCUS_GROUPS[g]),
    note: d.state.note ?? null,
    paused: d.state.paused,
    nextActionTimes: d.info.nextActionTimes.map((t) => t.toISOString()),
    recentActions: d.info.recentActions.map((a) => ({ scheduledAt: a.scheduledAt.toISOString(), takenAt: a.takenAt.toISOString(), workflowId: a.action.workflow.workflowId })),
    policyVersion: start?.policy.version ?? null,
  };
}

export const patrolRoutes: FastifyPluginAsyncZod = async (app) => {
  const { orgs, mongo, temporal, config } = app.deps;
  const db = mongo.db;
  const policy = config.policy.patrol;

  /** The route's unit (loaded and checked by its guard): a village/community, the only level that patrols (seed 三(二)三). */
  function villageOf(request: FastifyRequest): OrgUnit {
    const unit = guardedUnit(request);
    if (unit.level !== 'village') {
      throw new ApiError(422, 'unprocessable', `${unit.name} is a ${unit.level}: patrol plans belong to villages/communities (村/社区)`, [{ path: 'params.code', message: `is a ${unit.level}` }]);
    }
    return unit;
  }

  /** Runs a schedule call; a village without a plan is a 404. */
  async function onPlan<T>(unit: OrgUnit, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) throw notFound(`${unit.name} (${unit.code}) has no patrol plan; create it with PUT /v1/villages/${unit.code}/patrol-plan`);
      throw err;
    }
  }

  const params = z.object({ code: zOrgCode });
  const planResponses = { 200: zPlanView, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody, 422: zErrorBody };
  const url = '/v1/villages/:code/patrol-plan';

  app.put(
    url,
    {
      config: { guard: { on: 'patrol', action: 'plan', target: 'unit' } },
      schema: {
        tags: ['patrols'],
        summary: `Create or change the village’s patrol plan (a Temporal Schedule): cadence (ISO-8601, ${formatDuration(policy.minEvery)}–${formatDuration(policy.maxEvery)}, default ${formatDuration(policy.every)}), focus groups, note, paused; 201 when created`,
        params,
        body: zPatrolPlanInput(policy),
        response: { ...planResponses, 201: zPlanView },
      },
    },
    async (request, reply) => {
      const unit = villageOf(request);
      const body = request.body;
      const ladder = await orgs.ladder(unit.code);
      // Each patrol gets the village, its ladder, the plan and the policy as of now; every PUT refreshes them.
      const start: PatrolStart = { villageCode: unit.code, unit: ladder[0]!, ladder, focusGroups: body.focusGroups, everyMs: body.every, policy };
      // Intervals count from the Unix epoch (UTC): a P7D plan fires each Thursday 08:00 China time, a P1D one daily at 08:00.
      const spec: ScheduleSpec = { intervals: [{ every: body.every }] };
      const action: ScheduleOptionsStartWorkflowAction<typeof patrolWorkflow> = {
        type: 'startWorkflow',
        workflowType: PATROL_WORKFLOW_TYPE,
        // Temporal appends the scheduled time: one workflow id per cycle, so a fire taken twice meets its own running patrol.
        workflowId: patrolWorkflowId(unit.code),
        taskQueue: config.temporal.taskQueue,
        args: [{ start }],
      };
      // A cycle's patrol stays open (overdue, escalating) until it is recorded, so the next cycle's must be
      // allowed to start beside it; a fire missed while Temporal was down is caught up within a day.
      const policies = { overlap: 'ALLOW_ALL' as const, catchupWindow: PATROL_CATCHUP_WINDOW };
      const { handle, created } = await putSchedule(temporal, patrolPlanScheduleId(unit.code), {
        spec,
        action,
        policies,
        // A change that does not say `paused` keeps the schedule as it was (paused or firing); a new plan fires.
        state: (previous) => {
          const note = body.note ?? previous?.note;
          return { paused: body.paused ?? previous?.paused ?? false, ...(note ? { note } : {}) };
        },
      });
      return reply.code(created ? 201 : 200).send(planView(unit, await handle.describe()));
    },
  );

  app.get(
    url,
    {
      config: { guard: { on: 'patrol', action: 'read', target: 'unit' } },
      schema: { tags: ['patrols'], summary: 'The village’s patrol plan, read from its schedule: cadence, focus groups, paused, the next fires and the recent ones', params, response: planResponses },
    },
    async (request) => {
      const unit = villageOf(request);
      return onPlan(unit, async () => planView(unit, await temporal.schedule.getHandle(patrolPlanScheduleId(unit.code)).describe()));
    },
  );

  app.delete(
    url,
    {
      config: { guard: { on: 'patrol', action: 'plan', target: 'unit' } },
      schema: {
        tags: ['patrols'],
        summary: 'Delete the village’s patrol plan: its schedule stops firing (patrols already opened stay until recorded)',
        params,
        response: { 200: z.object({ scheduleId: z.string(), deleted: z.literal(true) }), 403: zErrorBody, 404: zErrorBody, 422: zErrorBody },
      },
    },
    async (request) => {
      const unit = villageOf(request);
      const handle = temporal.schedule.getHandle(patrolPlanScheduleId(unit.code));
      await onPlan(unit, () => handle.delete());
      return { scheduleId: handle.scheduleId, deleted: true as const };
    },
  );

  app.get(
    '/v1/patrols/:id',
    {
      config: { guard: { on: 'patrol', action: 'read', target: 'case' } },
      schema: { tags: ['patrols'], summary: 'One cycle’s patrol: focus groups, the record deadline, who patrolled and whom it visited', params: z.object({ id: zPatrolId }), response: { 200: zPatrolView, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody } },
    },
    async (request) => presentView(request, guardedCase<PatrolView>(request).view),
  );

  /**
   * What the record names that only the API can check, before the workflow sees it (422 naming the field):
   * member ids registered (each becomes its login), households registered in the patrol's village, a
   * description of an unregistered household without personal data, a discovery case in the village about the
   * row's household (a registered household's discovery links only a visit to it; a new household's, any row).
   */
  async function checkedRecord(request: FastifyRequest, view: PatrolView, input: PatrolRecordInput): Promise<PatrolRecordInput> {
    const refuse = (issue: FieldIssueInput & { path: string }) => new ApiError(422, 'unprocessable', `${issue.path.replace(/^body\./, '')}: ${issue.message}`, [issue]);
    const members: string[] = [];
    for (const [i, m] of input.members.entries()) {
      if (!/^pm-[0-9a-f]{12}$/.test(m)) members.push(m);
      else {
        const member = await findMember(db, m);
        if (!member) throw refuse({ path: `body.members.${i}`, code: 'unknown_reference', message: `no registered party member ${m}` });
        members.push(member.userId);
      }
    }
    if (new Set(members).size !== members.length) throw refuse({ path: 'body.members', message: 'a member is named twice (by login and by id)' });
    for (const [i, v] of input.visited.entries()) {
      if (v.householdId !== undefined) {
        const household = await findHousehold(db, v.householdId);
        if (!household || !isWithin(household.orgPath, view.villageCode)) throw refuse({ path: `body.visited.${i}.householdId`, code: 'unknown_reference', message: `no registered household ${v.householdId} in ${view.unit.name}` });
      }
      if (v.description !== undefined) {
        const found = personalDataIn(v.description);
        if (found.length > 0) throw refuse({ path: `body.visited.${i}.description`, code: 'personal_data', message: `describe an unregistered household without personal data (found ${found.map((k) => PERSONAL_DATA_NAMES[k]).join('、')})` });
      }
      if (v.discoveryId !== undefined) {
        const field = `body.visited.${i}.discoveryId`;
        const found = await referencedCase(request, db, { field, id: v.discoveryId, kind: 'discovery' });
        if (!found.orgPath.includes(view.villageCode)) throw refuse({ path: field, code: 'unknown_reference', message: `discovery ${v.discoveryId} is not in ${view.unit.name}` });
        // The row's own household's discovery: one about a registered household links only a visit to that household.
        if (found.householdId !== null && found.householdId !== (v.householdId ?? null)) {
          throw refuse({ path: field, code: 'invalid', message: `discovery ${v.discoveryId} is about household ${found.householdId}, not ${v.householdId ?? 'the unregistered household this row describes'}` });
        }
      }
    }
    return { ...input, members };
  }

  stepRoutes(app, {
    kind: 'patrol',
    id: zPatrolId,
    view: zPatrolView,
    steps: PATROL_STEPS,
    take: async (request, _name, doc) => {
      const view = doc.view as unknown as PatrolView;
      const input = await checkedRecord(request, view, request.body as PatrolRecordInput);
      const handle = temporal.workflow.getHandle(doc.workflowId);
      const recorded = await handle.executeUpdate(recordPatrolUpdate, { args: [{ caseId: doc._id, actor: actorOf(principalOf(request)), input }] });
      return presentView(request, recorded);
    },
  });
};
