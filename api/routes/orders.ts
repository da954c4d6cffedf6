import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { RuleViolation, type Actor } from '../../domain/case';
import { zInstant } from '../../domain/dates';
import { checkReplyBy, ORDER_STAGES, ORDER_STEPS, orderWorkflowId, zOrderKey, zRequirement, type OrderOriginKind, type OrderView } from '../../domain/order';
import { isWithin, toRef, zOrgCode, type OrgUnit, type UnitRef } from '../../domain/org';
import { inJurisdiction } from '../../domain/permissions';
import type { CaseDoc } from '../../store/collections';
import { findCase } from '../../store/cases';
import { ordersOfUnit, ordersOnCase } from '../../store/orders';
import { ORDER_WORKFLOW_TYPE, orderOpenedUpdate, orderQuery, orderStepUpdates, type OrderStart } from '../../workflows/order/contract';
import { actorOf, principalOf } from '../auth';
import { ApiError, forbidden, zErrorBody } from '../errors';
import { guardedCase, guardedUnit, reach, referencedCase } from '../guard';
import { BY_ID, keysetPage, pageQuery, zPage } from '../pagination';
import { presentView, primeRelations } from '../present';
import { zQuery } from '../query';
import { openCase, stepRoutes } from '../steps';

/**
 * Supervision orders (督办单, issue 12 item 4): a district or city user issues one on a case or a unit
 * (`POST /v1/orders`, idempotent by its business key), the ordered unit replies, the issuer accepts or
 * returns the reply (`/v1/orders/{id}/reply|accept|return`, from the step table in domain/order.ts); the
 * orders of a unit (`GET /v1/units/{code}/orders`: to answer, or issued) and of a case
 * (`GET /v1/cases/{id}/orders`, the case page's 督办 section). Jurisdiction: the issuer's reach covers
 * the ordered unit (403 otherwise); the order then lies in the ordered unit's subtree, so its unit and every
 * unit above it up to the issuer read it.
 */

/** A case id as any kind spells it (alert-…, rp-…, wish-…, order-…, a Party day's `<unit>:<month>`). */
export const zCaseRefId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9:_-]{0,199}$/, 'expected a case id');
const zOrderId = z.string().regex(/^order-[A-Za-z0-9:_-]{1,400}$/, 'expected an order id such as order-371002-371002001-k1');
const zUnitRef = z.object({ code: z.string(), name: z.string(), level: z.string() });
const zOrderView = z.looseObject({ caseId: z.string(), kind: z.literal('order'), status: z.enum(['open', 'closed']), stage: z.enum(ORDER_STAGES), unit: zUnitRef, targetCaseId: z.string().nullable() });

const zIssueBody = z
  .object({
    /** The client's key: the same key, issuer unit and target is the same order (a retry answers 200 with it). */
    key: zOrderKey,
    /** The case the order is about (any kind); its current unit is ordered unless `unitCode` names one above it. */
    caseId: zCaseRefId.optional(),
    /** The unit ordered to act: with `caseId`, the case's unit or a unit above it; without, the order is on this unit. */
    unitCode: zOrgCode.optional(),
    requirement: zRequirement,
    /** The reply deadline, an instant within policy `orders.minReplyWithin`–`maxReplyWithin` from now. */
    replyBy: zInstant,
    linkedCaseIds: z.array(zCaseRefId).max(20).optional(),
  })
  .strict()
  .refine((b) => b.caseId !== undefined || b.unitCode !== undefined, { path: ['caseId'], message: 'name the case (caseId) or the unit (unitCode) the order is on' });
export type IssueBody = z.infer<typeof zIssueBody>;

/** A 422 naming one field of the body. */
const unprocessable = (field: string, message: string, code: string) => new ApiError(422, 'unprocessable', `${field}: ${message}`, [{ path: `body.${field}`, code, message }]);

/** What an order is issued with, once the API has resolved its target. */
export interface OrderToIssue {
  issuer: { unit: UnitRef; actor: Actor };
  unit: OrgUnit;
  target: { caseId: string | null; caseKind: CaseDoc['kind'] | null; householdId: string | null };
  key: string;
  requirement: string;
  replyBy: number;
  linkedCaseIds: string[];
  origin: { kind: OrderOriginKind; id: string } | null;
}

/**
 * What of an existing order differs from a request to issue it again under the same key — the ordered unit,
 * the requirement, the first reply deadline, the linked cases — as field names (empty: the same request).
 * The key makes a retry idempotent, never a second, different order answered with the first. Ours.
 */
export function orderDifferences(view: Pick<OrderView, 'unit' | 'requirement' | 'replyBy' | 'linkedCaseIds' | 'deadlines'>, o: Pick<OrderToIssue, 'unit' | 'requirement' | 'replyBy' | 'linkedCaseIds'>): string[] {
  // The reply deadline it was issued with: the first `order.reply` deadline (a return sets a later one).
  const firstReplyBy = view.deadlines.find((d) => d.kind === 'order.reply')?.dueAt ?? view.replyBy;
  const sorted = (ids: readonly string[]) => JSON.stringify([...new Set(ids)].sort());
  const out: string[] = [];
  if (view.unit.code !== o.unit.code) out.push('unitCode');
  if (view.requirement !== o.requirement) out.push('requirement');
  if (Date.parse(firstReplyBy) !== o.replyBy) out.push('replyBy');
  if (sorted(view.linkedCaseIds) !== sorted(o.linkedCaseIds)) out.push('linkedCaseIds');
  return out;
}

/** 409 naming the key when an order under it exists with another body. */
function sameRequestOr409(view: OrderView, o: OrderToIssue): OrderView {
  const differs = orderDifferences(view, o);
  if (differs.length === 0) return view;
  throw new ApiError(
    409,
    'conflict',
    `key ${o.key}: order ${view.caseId} was issued under this key with another ${differs.join(', ')}; a key is reused only to retry the same request — use a new key for a new order`,
    [{ path: 'body.key', code: 'key_reused', message: `already used for order ${view.caseId} with another ${differs.join(', ')}` }],
  );
}

/**
 * Starts an order's workflow (update-with-start, answered once it is in the read model), or finds the one
 * its business key names: `created` false when it existed (a retry of the same request). The same key with
 * another body (unit, requirement, reply deadline, linked cases) is a 409 naming the key.
 * The caller has checked jurisdiction, the reply deadline's bounds and the references.
 */
export async function issueOrderCase(app: { deps: FastifyRequest['server']['deps'] }, o: OrderToIssue): Promise<{ view: OrderView; created: boolean }> {
  const { temporal, orgs, config, mongo } = app.deps;
  const orderId = orderWorkflowId(o.issuer.unit.code, o.target.caseId ?? o.unit.code, o.key);
  const existing = await findCase<OrderView>(mongo.db, orderId, 'order');
  if (existing) return { view: sameRequestOr409(existing.view, o), created: false };
  const requestId = randomUUID();
  const start: OrderStart = {
    openingRequestId: requestId,
    issue: {
      orderId,
      issuer: o.issuer,
      unit: toRef(o.unit),
      ladder: await orgs.ladder(o.unit.code),
      orgPath: o.unit.path,
      target: { caseId: o.target.caseId, caseKind: o.target.caseKind },
      householdId: o.target.householdId,
      requirement: o.requirement,
      replyBy: o.replyBy,
      linkedCaseIds: o.linkedCaseIds,
      origin: o.origin,
      policy: config.policy.orders,
    },
  };
  try {
    const view = await openCase(temporal, { workflowType: ORDER_WORKFLOW_TYPE, workflowId: orderId, taskQueue: config.temporal.taskQueue, start, update: orderOpenedUpdate, args: { requestId }, conflict: 'FAIL' });
    return { view, created: true };
  } catch (err) {
    // Two requests with one key at once: the second finds the first's order.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return { view: sameRequestOr409(await temporal.workflow.getHandle(orderId).query(orderQuery), o), created: false };
  }
}

/**
 * The reply deadline's bounds at the API (the workflow checks a return's again against its own clock).
 * @throws 422 naming `field`, code `date_out_of_range`.
 */
export function checkReplyByAt(policy: Parameters<typeof checkReplyBy>[0], replyBy: string, field: string): number {
  const at = Date.parse(replyBy);
  try {
    checkReplyBy(policy, at, Date.now(), field);
  } catch (err) {
    if (err instanceof RuleViolation) throw new ApiError(422, 'unprocessable', err.message, [{ path: `body.${field}`, code: 'date_out_of_range', message: err.message.replace(/^[^:]*: /, '') }], err.reason);
    throw err;
  }
  return at;
}

/** Checks each linked case (any kind) exists within the caller's reach: 422 naming the entry otherwise. */
export async function linkedCases(request: FastifyRequest, ids: readonly string[] | undefined, field: string): Promise<string[]> {
  const out = [...new Set(ids ?? [])];
  for (const [i, id] of out.entries()) await referencedCase(request, request.server.deps.mongo.db, { field: `body.${field}.${i}`, id });
  return out;
}

export const orderRoutes: FastifyPluginAsyncZod = async (app) => {
  const { orgs, mongo, temporal, config } = app.deps;
  const db = mongo.db;

  app.post(
    '/v1/orders',
    {
      config: { guard: { on: 'order', action: 'issue', target: 'handler' } },
      schema: {
        tags: ['orders'],
        summary: 'Issue a supervision order (督办单) on a case or a unit: what is required and the reply deadline (idempotent by key)',
        body: zIssueBody,
        response: { 200: zOrderView, 201: zOrderView, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody, 409: zErrorBody, 422: zErrorBody },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const body = request.body;
      let target: OrderToIssue['target'] = { caseId: null, caseKind: null, householdId: null };
      let unitCode = body.unitCode;
      if (body.caseId !== undefined) {
        const kase = await referencedCase(request, db, { field: 'body.caseId', id: body.caseId });
        if (kase.kind === 'order') throw unprocessable('caseId', 'an order is not ordered on: name the case it is about', 'unknown_reference');
        target = { caseId: kase._id, caseKind: kase.kind, householdId: kase.householdId };
        unitCode ??= kase.unitCode;
        if (!kase.orgPath.includes(unitCode)) throw unprocessable('unitCode', `the case is with ${kase.unitCode}: order that unit or one above it`, 'unknown_reference');
      }
      const unit = await orgs.get(unitCode!);
      if (!unit) throw unprocessable('unitCode', `no org unit ${unitCode}`, 'unknown_reference');
      // The issuer's reach covers the ordered unit (403), which lies below the issuer (an order goes down).
      reach(request, unit.path);
      if (!below(unit, p.unit)) throw unprocessable('unitCode', 'an order goes to a unit below yours', 'unknown_reference');
      const replyBy = checkReplyByAt(config.policy.orders, body.replyBy, 'replyBy');
      const linked = await linkedCases(request, body.linkedCaseIds, 'linkedCaseIds');
      const { view, created } = await issueOrderCase(app, {
        issuer: { unit: toRef(p.unit), actor: actorOf(p) },
        unit,
        target,
        key: body.key,
        requirement: body.requirement,
        replyBy,
        linkedCaseIds: linked,
        origin: null,
      });
      return reply.code(created ? 201 : 200).send(await presentView(request, view));
    },
  );

  app.get(
    '/v1/orders/:id',
    {
      config: { guard: { on: 'order', action: 'read', target: 'case' } },
      schema: {
        tags: ['orders'],
        summary: 'A supervision order: requirement, replies and decisions, the reply deadline and its escalations',
        params: z.object({ id: zOrderId }),
        response: { 200: zOrderView, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => presentView(request, guardedCase<OrderView>(request).view),
  );

  stepRoutes(app, {
    kind: 'order',
    id: zOrderId,
    view: zOrderView,
    steps: ORDER_STEPS,
    body: (step, name) => (name === 'accept' ? (step.schema as z.ZodObject).default({}) : step.schema) as z.ZodType,
    take: async (request, name, doc) => {
      const p = principalOf(request);
      const view = await temporal.workflow.getHandle(doc.workflowId).executeUpdate(orderStepUpdates[name], { args: [{ caseId: doc._id, actor: actorOf(p), input: request.body }] });
      return presentView(request, view);
    },
  });

  const zOrderRow = z.object({
    caseId: z.string(),
    status: z.enum(['open', 'closed']),
    stage: z.string().nullable(),
    unit: zUnitRef,
    dueAt: z.string().nullable(),
    overdue: z.boolean(),
    rung: z.number(),
    escalatedTo: zUnitRef.nullable(),
  });
  const rowOf = (d: Omit<CaseDoc, 'view'>, now: number): z.infer<typeof zOrderRow> => ({
    caseId: d._id,
    status: d.status,
    stage: d.stage,
    unit: d.unit,
    dueAt: d.dueAt ? d.dueAt.toISOString() : null,
    overdue: d.status === 'open' && d.dueAt !== null && now >= d.dueAt.getTime(),
    rung: d.rung,
    escalatedTo: d.escalatedTo,
  });

  app.get(
    '/v1/units/:code/orders',
    {
      config: { guard: { on: 'order', action: 'read', target: 'unit' } },
      schema: {
        tags: ['orders'],
        summary: 'A unit’s supervision orders: those it must answer (received, 待反馈) or those it issued; `overdue=true` for late replies',
        params: z.object({ code: zOrgCode }),
        querystring: zQuery({
          direction: z.enum(['received', 'issued']).default('received'),
          status: z.enum(['open', 'closed']).optional(),
          overdue: z.enum(['true', 'false']).optional(),
          ...pageQuery(),
        }),
        response: { 200: zPage(zOrderRow), 400: zErrorBody, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => {
      const unit = guardedUnit(request);
      const q = request.query;
      const now = Date.now();
      return keysetPage(
        BY_ID,
        q,
        (after, limit) => ordersOfUnit(db, { unitCode: unit.code, direction: q.direction, ...(q.status ? { status: q.status } : {}), ...(q.overdue ? { overdue: q.overdue === 'true' } : {}), ...(after ? { after } : {}), limit }),
        (rows) => rows.map((d) => rowOf(d, now)),
      );
    },
  );

  app.get(
    '/v1/cases/:id/orders',
    {
      config: { guard: { on: 'cases', action: 'read', target: 'case' } },
      schema: {
        tags: ['orders'],
        summary: 'The supervision orders on a case (its page’s 督办 section): those the caller may read, first 200 by id',
        params: z.object({ id: zCaseRefId }),
        response: { 200: z.object({ items: z.array(zOrderView) }), 400: zErrorBody, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const kase = guardedCase(request);
      // An order to a unit above the case's (the town told to step in) is not in a village's reach.
      const docs = (await ordersOnCase(db, kase, 200)).filter((d) => inJurisdiction(p.role, p.unit.code, d.orgPath, 'read'));
      await primeRelations(request, docs.map((d) => d.householdId));
      return { items: await Promise.all(docs.map((d) => presentView(request, d.view as unknown as OrderView))) };
    },
  );
};

/** Whether a unit lies strictly below another (for callers that order many units). */
export const below = (unit: OrgUnit, issuer: OrgUnit): boolean => unit.code !== issuer.code && isWithin(unit.path, issuer.code);
/** 403 unless the caller reaches `unit` for `action` (a route that checks several targets itself). */
export function refuseUnitOutside(request: FastifyRequest, unit: OrgUnit, action: string): void {
  const p = principalOf(request);
  if (!inJurisdiction(p.role, p.unit.code, unit.path, action)) throw forbidden(`outside your jurisdiction (${p.unit.name} ${p.unit.code}): ${unit.name} ${unit.code}`);
}
