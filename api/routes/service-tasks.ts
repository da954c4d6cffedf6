import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { localDay, startOfLocalDay } from '../../domain/china-time';
import { zMemberId } from '../../domain/party-member';
import { entryOf } from '../../domain/points';
import { taskDifferences, zServiceHoursInput, zServiceTaskInput, type ServiceClaim, type ServiceTask } from '../../domain/service-task';
import { zOrgCode } from '../../domain/org';
import { findMember, memberOfUser } from '../../store/party-members';
import { maskedFor } from './party-members';
import { appendEntry } from '../../store/points';
import { claimIdFor, claimSlot, claimsOf, confirmHours, findClaim, findTask, postTask, recordHours, taskIdFor, taskOfDoc, tasksIn } from '../../store/service-tasks';
import { principalOf } from '../auth';
import { ApiError, badRequest, conflict, forbidden, notFound, zErrorBody } from '../errors';
import { guardedUnit, reach } from '../guard';
import { BY_ID, keysetPage, pageQuery, zPage } from '../pagination';
import { zQuery } from '../query';

/**
 * Community service tasks for in-service members (双报到, issue 13 item 4; domain/service-task.ts): a
 * community posts, in-service members registered with it claim (slots respected under concurrency:
 * store/service-tasks.ts), hours are recorded and confirmed by the community, and a `service_hour` ledger
 * entry follows (key `task:<taskId>:<memberId>`, quantity = hours).
 */

const zTaskId = z.string().regex(/^task-[0-9a-f]{12}$/, 'expected a service task id such as task-0123456789ab');
const zClaim = z.object({
  id: z.string(),
  taskId: z.string(),
  memberId: z.string(),
  name: z.string(),
  slot: z.number().nullable(),
  claimedAt: z.string(),
  hours: z.object({ hours: z.number(), day: z.string(), note: z.string().optional(), by: z.string(), at: z.string() }).nullable(),
  confirmed: z.object({ by: z.string(), at: z.string(), entryId: z.string() }).nullable(),
});
const zTask = z.object({
  id: z.string(),
  key: z.string(),
  unitCode: z.string(),
  orgPath: z.array(z.string()),
  title: z.string(),
  description: z.string(),
  day: z.string(),
  hoursExpected: z.number(),
  slots: z.number(),
  skills: z.array(z.string()),
  postedBy: z.string(),
  postedAt: z.string(),
  claimed: z.number(),
  claims: z.array(zClaim).optional(),
});

const showClaim = ({ userId: _u, orgPath: _o, ...c }: ServiceClaim): z.infer<typeof zClaim> => c;

declare module 'fastify' {
  interface FastifyRequest {
    serviceTask?: ServiceTask;
  }
}

/** Loads the task `params.id` and checks the caller's reach for the route's action (404 when none). */
async function loadTask(request: FastifyRequest): Promise<ServiceTask> {
  if (request.serviceTask) return request.serviceTask;
  const id = (request.params as { id?: unknown }).id;
  const t = typeof id === 'string' && zTaskId.safeParse(id).success ? await findTask(request.server.deps.mongo.db, id) : null;
  if (!t) throw notFound(`no service task ${String(id)}`);
  reach(request, t.orgPath);
  request.serviceTask = t;
  return t;
}
const earlyTask = async (request: FastifyRequest) => {
  const id = (request.params as { id?: unknown }).id;
  if (typeof id === 'string' && zTaskId.safeParse(id).success) await loadTask(request);
};

export const serviceTaskRoutes: FastifyPluginAsyncZod = async (app) => {
  const { mongo, orgs, config } = app.deps;
  const db = mongo.db;

  /** A task with its claims as the caller may see it (free text masked below town level: maskedFor). */
  const withClaims = async (request: FastifyRequest, t: ServiceTask) => {
    const claims = await claimsOf(db, t.id);
    return maskedFor(request, { ...t, claimed: claims.length, claims: claims.map(showClaim) });
  };

  app.post(
    '/v1/service-tasks',
    {
      config: { guard: { on: 'service_task', action: 'post', target: 'handler' } },
      schema: {
        tags: ['service tasks'],
        summary: 'Post a community service task for in-service members (双报到); idempotent by `key` within the community',
        body: zServiceTaskInput,
        response: { 200: zTask, 201: zTask, 400: zErrorBody, 403: zErrorBody, 409: zErrorBody },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const b = request.body;
      const code = b.unitCode ?? p.unit.code;
      const unit = await orgs.get(code);
      if (!unit) throw badRequest(`unitCode: org unit ${code} does not exist`, [{ path: 'body.unitCode', message: 'unknown org unit' }]);
      if (unit.level !== 'village') throw badRequest('unitCode: a service task is posted by a village/community', [{ path: 'body.unitCode', message: `is a ${unit.level}${b.unitCode === undefined ? ' (your unit): name the community' : ''}` }]);
      reach(request, unit.path);
      const task: ServiceTask = {
        id: taskIdFor(unit.code, b.key),
        key: b.key,
        unitCode: unit.code,
        orgPath: unit.path,
        title: b.title,
        description: b.description,
        day: b.day,
        hoursExpected: b.hoursExpected,
        slots: b.slots,
        skills: b.skills,
        postedBy: p.userId,
        postedAt: new Date().toISOString(),
      };
      const result = await postTask(db, task);
      if ('created' in result) return reply.code(201).send(await withClaims(request, result.created));
      const differs = taskDifferences(result.existing, b);
      if (differs.length > 0) {
        throw new ApiError(409, 'conflict', `key ${b.key}: task ${result.existing.id} was posted under this key with another ${differs.join(', ')}; a key is reused only to retry the same request`, [
          { path: 'body.key', code: 'key_reused', message: `already used for task ${result.existing.id} with another ${differs.join(', ')}` },
        ]);
      }
      return reply.code(200).send(await withClaims(request, result.existing));
    },
  );

  app.get(
    '/v1/service-tasks',
    {
      config: { guard: { on: 'service_task', action: 'read', target: 'org' } },
      schema: {
        tags: ['service tasks'],
        summary: 'Service tasks of a unit’s subtree, with their claims, cursor-paginated',
        querystring: zQuery({ org: zOrgCode.optional(), ...pageQuery(100) }),
        response: { 200: zPage(zTask), 400: zErrorBody, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => {
      const org = guardedUnit(request).code;
      return keysetPage(BY_ID, request.query, (after, limit) => tasksIn(db, org, after, limit), (rows) => Promise.all(rows.map((d) => withClaims(request, taskOfDoc(d)))));
    },
  );

  app.get(
    '/v1/service-tasks/:id',
    {
      config: { guard: { on: 'service_task', action: 'read', target: 'handler' } },
      preValidation: earlyTask,
      schema: { tags: ['service tasks'], summary: 'One service task with its claims', params: z.object({ id: zTaskId }), response: { 200: zTask, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody } },
    },
    async (request) => withClaims(request, await loadTask(request)),
  );

  app.post(
    '/v1/service-tasks/:id/claims',
    {
      config: { guard: { on: 'service_task', action: 'claim', target: 'handler' } },
      preValidation: earlyTask,
      schema: {
        tags: ['service tasks'],
        summary: 'Claim a slot of a task for oneself (`memberId`: the caller’s own member id): an active in-service member registered with the task’s community, once; 409 when full or claimed already',
        params: z.object({ id: zTaskId }),
        body: z.object({ memberId: zMemberId }).strict(),
        response: { 201: zClaim, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody, 409: zErrorBody },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const task = await loadTask(request);
      const m = await memberOfUser(db, p.userId);
      if (!m || m.id !== request.body.memberId) throw forbidden('a party member claims for themselves only (memberId: your own member id, GET /v1/me/party-member)');
      if (m.kind !== 'in_service' || m.status !== 'active') throw forbidden('only an active in-service party member (双报到) claims a service task');
      if (m.villageCode !== task.unitCode) throw forbidden(`you are registered with ${m.villageCode}, not with the task’s community ${task.unitCode}`);
      const result = await claimSlot(db, task, { taskId: task.id, memberId: m.id, userId: m.userId, name: m.name, orgPath: task.orgPath, claimedAt: new Date().toISOString() });
      if ('refused' in result) {
        throw new ApiError(409, 'conflict', result.refused === 'full' ? `task ${task.id}: every slot is taken` : `task ${task.id}: you have claimed it already`, undefined, result.refused === 'full' ? 'task_full' : 'already_claimed');
      }
      return reply.code(201).send(maskedFor(request, showClaim(result.claimed)));
    },
  );

  const zClaimParams = z.object({ id: zTaskId, memberId: zMemberId });

  /** The claim of `params.memberId` on the loaded task (404 when none holds a slot). */
  const loadClaim = async (request: FastifyRequest): Promise<{ task: ServiceTask; claim: ServiceClaim }> => {
    const task = await loadTask(request);
    const { memberId } = request.params as { memberId: string };
    const claim = await findClaim(db, claimIdFor(task.id, memberId));
    if (!claim || claim.slot === null) throw notFound(`member ${memberId} has not claimed task ${task.id}`);
    return { task, claim };
  };

  app.put(
    '/v1/service-tasks/:id/claims/:memberId/hours',
    {
      config: { guard: { on: 'service_task', action: 'hours', target: 'handler' } },
      preValidation: earlyTask,
      schema: {
        tags: ['service tasks'],
        summary: 'Record the hours served on a claim (at most 24 for the day, a day from the task’s day to today): the member for their own claim, or staff; until confirmed',
        params: zClaimParams,
        body: zServiceHoursInput,
        response: { 200: zClaim, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody, 409: zErrorBody },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const { task, claim } = await loadClaim(request);
      if (p.role === 'party_member' && claim.userId !== p.userId) throw forbidden('a party member records hours of their own claim only');
      const b = request.body;
      if (b.day > localDay(Date.now())) throw badRequest('day: the day is in the future', [{ path: 'body.day', code: 'in_future', message: `${b.day} is after today (China time)` }]);
      if (b.day < task.day) throw badRequest('day: before the task’s day', [{ path: 'body.day', code: 'date_out_of_range', message: `${b.day} is before the task’s day ${task.day}` }]);
      const updated = await recordHours(db, claim.id, { hours: b.hours, day: b.day, ...(b.note !== undefined ? { note: b.note } : {}), by: p.userId, at: new Date().toISOString() });
      if (!updated) throw conflict(`claim ${claim.id}: its hours are confirmed already`);
      return maskedFor(request, showClaim(updated));
    },
  );

  app.post(
    '/v1/service-tasks/:id/claims/:memberId/confirmation',
    {
      config: { guard: { on: 'service_task', action: 'confirm', target: 'handler' } },
      preValidation: earlyTask,
      schema: {
        tags: ['service tasks'],
        summary: 'The community confirms a claim’s hours: the member earns `service_hour` points × hours (once)',
        params: zClaimParams,
        body: z.object({}).strict().optional(),
        response: { 200: zClaim, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody, 409: zErrorBody },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const { task, claim } = await loadClaim(request);
      if (claim.confirmed) return maskedFor(request, showClaim(claim));
      if (!claim.hours) throw conflict(`claim ${claim.id}: no hours recorded yet`);
      const member = await findMember(db, claim.memberId);
      if (!member) throw notFound(`no party member ${claim.memberId}`);
      // The ledger entry first (idempotent by its key), then the mark: a retry after a failure between the two completes both.
      const key = `task:${task.id}:${member.id}`;
      const entry = entryOf({ userId: member.userId, rule: 'service_hour', key, quantity: claim.hours.hours, at: startOfLocalDay(claim.hours.day), source: { kind: 'service_task', id: task.id } }, member, config.policy.points, p.userId, task.title);
      await appendEntry(db, entry);
      const confirmed = await confirmHours(db, claim.id, { by: p.userId, at: new Date().toISOString(), entryId: key });
      return maskedFor(request, showClaim(confirmed ?? (await findClaim(db, claim.id))!));
    },
  );
};
