import { ScheduleNotFoundError, type ScheduleDescription, type ScheduleHandle, type ScheduleOptionsStartWorkflowAction, type ScheduleSpec } from '@temporalio/client';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ActionOf } from '../../domain/permissions';
import { z } from 'zod';
import { zOrgCode, type OrgUnit } from '../../domain/org';
import { CHINA_TIME_ZONE } from '../../domain/china-time';
import { partyDayCaseId, zAnswerInput, zPartyDayId, zPauseInput, zScheduleInput, zUnpauseInput } from '../../domain/party-day';
import { getPartyDay, partyDaysOf } from '../../store/party-days';
import {
  answerUpdate,
  PARTY_DAY_CATCHUP_WINDOW,
  PARTY_DAY_WORKFLOW_TYPE,
  partyDayScheduleId,
  partyDayWorkflowId,
  type PartyDayStart,
} from '../../workflows/party-day/contract';
import type { partyDayWorkflow } from '../../workflows/party-day/workflow';
import { actorOf, principalOf } from '../auth';
import { ApiError, caseClosed, conflict, notFound, zErrorBody } from '../errors';
import { putSchedule } from '../schedules';
import { guardedCase, guardedUnit } from '../guard';
import { presentCase, presentView } from '../present';
import { zQuery, zQueryInt } from '../query';

const zScheduleView = z.object({
  scheduleId: z.string(),
  unitCode: z.string(),
  unitName: z.string(),
  dayOfMonth: z.number().nullable(),
  startsAt: z.string().nullable(),
  timezone: z.string(),
  paused: z.boolean(),
  note: z.string().nullable(),
  nextActionTimes: z.array(z.string()),
  recentActions: z.array(z.object({ scheduledAt: z.string(), takenAt: z.string(), workflowId: z.string() })),
  taskQueue: z.string().nullable(),
  policyVersion: z.string().nullable(),
});
type ScheduleView = z.infer<typeof zScheduleView>;
const zPartyDayView = z.looseObject({ caseId: z.string(), partyDayId: z.string(), status: z.enum(['open', 'closed']), stage: z.string(), month: z.string(), items: z.array(z.unknown()) });
const zRecord = z.looseObject({ _id: z.string(), unitCode: z.string(), month: z.string(), status: z.string(), items: z.array(z.unknown()), carriedOver: z.array(z.string()) });

const pad = (n: number | undefined) => (n === undefined ? '??' : String(n).padStart(2, '0'));

function scheduleView(unit: OrgUnit, d: ScheduleDescription): ScheduleView {
  const calendar = d.spec.calendars?.[0];
  const hour = calendar?.hour[0]?.start;
  const minute = calendar?.minute[0]?.start;
  // The action's argument as the PUT below writes it: the start's fields at the top level.
  const input = d.action.args?.[0] as PartyDayStart | undefined;
  return {
    scheduleId: d.scheduleId,
    unitCode: unit.code,
    unitName: unit.name,
    dayOfMonth: calendar?.dayOfMonth[0]?.start ?? null,
    startsAt: hour === undefined ? null : `${pad(hour)}:${pad(minute ?? 0)}`,
    timezone: d.spec.timezone ?? 'UTC',
    paused: d.state.paused,
    note: d.state.note ?? null,
    nextActionTimes: d.info.nextActionTimes.map((t) => t.toISOString()),
    recentActions: d.info.recentActions.map((a) => ({ scheduledAt: a.scheduledAt.toISOString(), takenAt: a.takenAt.toISOString(), workflowId: a.action.workflow.workflowId })),
    taskQueue: d.action.taskQueue ?? null,
    policyVersion: input?.policy?.version ?? null,
  };
}

/** Runs a schedule call; a unit without a schedule is a 404. */
async function onSchedule<T>(unit: OrgUnit, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw notFound(`${unit.name} (${unit.code}) has no party-day schedule; create it with PUT /v1/units/${unit.code}/party-day-schedule`);
    throw err;
  }
}

/**
 * The monthly Party-day Q&A (每月党员活动日集中答疑): each village/community's Temporal Schedule (create,
 * change, pause, resume, read), its Q&As and the answers recorded on site. See docs/party-day.md.
 */
export const partyDayRoutes: FastifyPluginAsyncZod = async (app) => {
  const { orgs, mongo, temporal, config } = app.deps;
  const db = mongo.db;

  /** The route's unit (loaded and checked by its guard), which must be a village/community: the only level that holds a party day. */
  function villageOf(request: FastifyRequest): OrgUnit {
    const unit = guardedUnit(request);
    if (unit.level !== 'village') {
      throw new ApiError(422, 'unprocessable', `${unit.name} is a ${unit.level}: party days are held by villages/communities (村/社区)`, [{ path: 'params.code', message: `is a ${unit.level}` }]);
    }
    return unit;
  }

  const scheduleParams = z.object({ code: zOrgCode });
  const onUnit = (action: ActionOf<'party_day'>) => ({ on: 'party_day', action, target: 'unit' }) as const;
  const scheduleResponses = { 200: zScheduleView, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody, 422: zErrorBody };

  app.put(
    '/v1/units/:code/party-day-schedule',
    {
      config: { guard: onUnit('schedule') },
      schema: {
        tags: ['party-day'],
        summary: 'Create or change the unit’s monthly party day (day 1–28, local start time, Asia/Shanghai); 201 when created',
        params: scheduleParams,
        body: zScheduleInput,
        response: { ...scheduleResponses, 201: zScheduleView },
      },
    },
    async (request, reply) => {
      const unit = villageOf(request);
      const { dayOfMonth, startsAt, note } = request.body;
      const [hour, minute] = startsAt.split(':').map(Number) as [number, number];
      const ladder = await orgs.ladder(unit.code);
      // The run gets the unit, its ladder and the policy as of now; every PUT refreshes them.
      const start: PartyDayStart = { unitCode: unit.code, unit: ladder[0]!, ladder, policy: { ...config.policy.partyDay, dayOfMonth, startsAt } };
      const spec: ScheduleSpec = {
        calendars: [{ dayOfMonth, hour, minute, comment: `${unit.name}每月党员活动日集中答疑` }],
        timezone: CHINA_TIME_ZONE,
      };
      const action: ScheduleOptionsStartWorkflowAction<typeof partyDayWorkflow> = {
        type: 'startWorkflow',
        workflowType: PARTY_DAY_WORKFLOW_TYPE,
        workflowId: partyDayWorkflowId(unit.code),
        taskQueue: config.temporal.taskQueue,
        // The schedule's action passes the start itself (the form schedules written before the case kit hold too).
        args: [start],
      };
      // A month's Q&A stays open (overdue, with the town) until next month's takes its items over, so
      // runs must be allowed to overlap; a missed fire time is caught up for a week.
      const policies = { overlap: 'ALLOW_ALL' as const, catchupWindow: PARTY_DAY_CATCHUP_WINDOW };
      const { handle, created } = await putSchedule(temporal, partyDayScheduleId(unit.code), {
        spec,
        action,
        policies,
        // A new schedule fires; a change keeps it paused or firing, and keeps its note unless it brings one.
        state: (previous) => {
          const kept = note ?? previous?.note;
          return { paused: previous?.paused ?? false, ...(kept ? { note: kept } : {}) };
        },
      });
      return reply.code(created ? 201 : 200).send(scheduleView(unit, await handle.describe()));
    },
  );

  app.get(
    '/v1/units/:code/party-day-schedule',
    {
      config: { guard: onUnit('read') },
      schema: {
        tags: ['party-day'],
        summary: 'The unit’s party-day schedule: day, start time, paused, the next times it will fire',
        params: scheduleParams,
        response: scheduleResponses,
      },
    },
    async (request) => {
      const unit = villageOf(request);
      return onSchedule(unit, async () => scheduleView(unit, await temporal.schedule.getHandle(partyDayScheduleId(unit.code)).describe()));
    },
  );

  /** Pause and resume: the schedule keeps its settings; a paused schedule starts no Q&A. */
  const toggle = (path: 'pause' | 'unpause', body: z.ZodType, summary: string, act: (h: ScheduleHandle, note: string) => Promise<void>) =>
    app.post(
      `/v1/units/:code/party-day-schedule/${path}`,
      { config: { guard: onUnit('schedule') }, schema: { tags: ['party-day'], summary, params: scheduleParams, body, response: scheduleResponses } },
      async (request) => {
        const p = principalOf(request);
        const unit = villageOf(request);
        const handle = temporal.schedule.getHandle(partyDayScheduleId(unit.code));
        const reason = (request.body as { reason?: string }).reason;
        return onSchedule(unit, async () => {
          await act(handle, reason ?? `${p.unit.name}恢复活动日`);
          return scheduleView(unit, await handle.describe());
        });
      },
    );
  toggle('pause', zPauseInput, 'Pause the unit’s party-day schedule, with the reason', (h, note) => h.pause(note));
  toggle('unpause', zUnpauseInput.default({}), 'Resume the unit’s party-day schedule', (h, note) => h.unpause(note));

  app.get(
    '/v1/units/:code/party-days',
    {
      config: { guard: onUnit('read') },
      schema: {
        tags: ['party-day'],
        summary: 'The unit’s party-day Q&As, newest month first: agenda, minutes, what was carried over',
        params: scheduleParams,
        querystring: zQuery({ limit: zQueryInt(1, 120).default(24) }),
        response: { 200: z.object({ items: z.array(zRecord) }), 403: zErrorBody, 404: zErrorBody, 422: zErrorBody },
      },
    },
    async (request) => {
      const unit = villageOf(request);
      const docs = await partyDaysOf(db, unit.code, request.query.limit);
      return { items: await Promise.all((docs as unknown as z.infer<typeof zRecord>[]).map((d) => presentCase(request, { caseId: d._id, householdId: null }, d))) };
    },
  );

  /** The month's record of the Party day the route's guard loaded (its case). */
  async function recordOf(request: FastifyRequest & { params: { id: string } }) {
    const doc = await getPartyDay(db, request.params.id);
    if (!doc) throw notFound(`party day ${request.params.id} not found`);
    return doc;
  }

  /** A Party day's case id from its `<unitCode>:<YYYY-MM>`. */
  const caseIdOf = (id: string) => {
    const [unitCode, month] = id.split(':') as [string, string];
    return partyDayCaseId(unitCode, month);
  };

  const idParams = z.object({ id: zPartyDayId });

  app.get(
    '/v1/party-days/:id',
    {
      config: { guard: { on: 'party_day', action: 'read', target: 'case', caseId: caseIdOf } },
      schema: {
        tags: ['party-day'],
        summary: 'One Q&A (id <unitCode>:<YYYY-MM>): agenda, answers and who recorded them, deadline, escalation',
        params: idParams,
        response: { 200: zPartyDayView, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => {
      const doc = await recordOf(request);
      return { ...(await presentView(request, guardedCase(request).view as z.infer<typeof zPartyDayView>)), workflowId: doc.workflowId };
    },
  );

  app.post(
    '/v1/party-days/:id/answers',
    {
      config: {
        guard: {
          on: 'party_day',
          action: 'answer',
          target: 'case',
          caseId: caseIdOf,
          closed: (kase) => {
            const handedOverTo = (kase.view as { handedOverTo?: string | null }).handedOverTo;
            const id = (kase.view as { partyDayId: string }).partyDayId;
            return handedOverTo ? conflict(`party day ${id} handed its open items over to ${handedOverTo}: answer them there`, { handedOverTo }) : caseClosed(`party day ${id}`);
          },
        },
      },
      schema: {
        tags: ['party-day'],
        summary: 'Record an answer given on site by a committee member (两委) or the civil-affairs assistant (民政协理员)',
        params: idParams,
        body: zAnswerInput,
        response: { 200: zPartyDayView, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody, 409: zErrorBody, 422: zErrorBody },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const doc = await recordOf(request);
      const handle = temporal.workflow.getHandle<typeof partyDayWorkflow>(doc.workflowId);
      const view = await handle.executeUpdate(answerUpdate, { args: [{ partyDayId: doc._id, actor: actorOf(p), ...request.body }] });
      return presentView(request, view as z.infer<typeof zPartyDayView>);
    },
  );
};
