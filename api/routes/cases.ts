import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { linksOf } from '../../store/discoveries';
import { zOrgCode } from '../../domain/org';
import { zAlertLevel } from '../../domain/policy';
import { APPLICATION_STAGES } from '../../domain/application';
import { CASE_KINDS, type CaseKind } from '../../domain/projection';
import { boardRows, eventsOfCase, eventsOfCases, findCaseListDocs, listCases } from '../../store/cases';
import { ordersOnCase } from '../../store/orders';
import { deadlineKindsFor, inJurisdiction } from '../../domain/permissions';
import { principalOf } from '../auth';
import type { CaseListDoc } from '../../store/collections';
import { zErrorBody } from '../errors';
import { guardedCase, guardedUnit } from '../guard';
import { BY_DUE, BY_ID, keysetPage, pageQuery, zPage } from '../pagination';
import { caseRefOf, presentBrief, presentCase, presentEvents, primeBriefs } from '../present';
import { zQuery } from '../query';
import { withWorkingDaysLeft } from '../working-days';

/** A listed case with a due time: what a due-ordered list reads. */
type DueListDoc = CaseListDoc & { dueAt: Date };

const zUnitRef = z.object({ code: z.string(), name: z.string(), level: z.string() });
const zCaseRow = z.object({
  caseId: z.string(),
  kind: z.string(),
  status: z.enum(['open', 'closed']),
  level: z.string().nullable(),
  unit: zUnitRef,
  householdId: z.string().nullable(),
  household: z.object({ headName: z.string(), address: z.string(), phone: z.string().optional() }).nullable(),
  /** The deadline's kind (`alert.red`, `wish.claim`, …): what clients key their labels by; null for a row stored before kinds were. */
  dueKind: z.string().nullable(),
  dueLabel: z.string().nullable(),
  dueAt: z.string().nullable(),
  /** True when dueAt was counted on a provisional (estimated) holiday calendar year, e.g. 2027 before it is published: show it as an estimate. */
  dueProvisional: z.boolean(),
  overdue: z.boolean(),
  overdueByMs: z.number(),
  atRisk: z.boolean(),
  rung: z.number(),
  escalatedTo: zUnitRef.nullable(),
  /** Issue 14: an alert's assigned visitor (their login, role and unit), or null. */
  visitor: z.object({ userId: z.string(), role: z.string(), unitCode: z.string() }).nullable(),
  /** An application's stage (`town_review`, …) and category; null for kinds without them (issue 14: the applications list). */
  stage: z.string().nullable(),
  category: z.string().nullable(),
});

/** The row every list shows: one case, its deadline and how late, its rung; the household as the caller may see it. */
function toRow(request: FastifyRequest, d: CaseListDoc, now: number): z.infer<typeof zCaseRow> {
  const dueAt = d.dueAt ? d.dueAt.getTime() : null;
  const overdue = dueAt !== null && d.status === 'open' && now >= dueAt;
  return {
    caseId: d._id,
    kind: d.kind,
    status: d.status,
    level: d.level,
    unit: d.unit,
    householdId: d.householdId,
    household: presentBrief(request, { caseId: d._id, householdId: d.householdId }, d.household ?? null),
    dueKind: d.due?.kind ?? null,
    dueLabel: d.due?.label ?? null,
    dueAt: dueAt === null ? null : new Date(dueAt).toISOString(),
    dueProvisional: d.due?.provisional === true,
    overdue,
    overdueByMs: overdue ? now - dueAt! : 0,
    atRisk: d.atRisk,
    rung: d.rung,
    escalatedTo: d.escalatedTo,
    visitor: d.visitor ?? null,
    stage: d.stage ?? null,
    category: d.category ?? null,
  };
}

export const caseRoutes: FastifyPluginAsyncZod = async (app) => {
  const { mongo } = app.deps;

  /**
   * A page of small rows (the board's or the task list's) in due order, with the page's case documents:
   * the rows are read by unit and sorted, then only the page's cases are read, by `_id`.
   */
  const pageOfRows = (board: 'overdue' | 'due', request: FastifyRequest, q: { kind?: CaseKind; level?: string; limit: number; cursor?: string }, org: string, now: number, dueKinds?: readonly string[]) =>
    keysetPage(
      BY_DUE,
      q,
      (after, limit) => boardRows(mongo.db, board, { org, kind: q.kind, level: q.level, dueKinds, after, limit }),
      async (page) => {
        const shown = await findCaseListDocs(mongo.db, page.map((r) => r._id));
        await primeBriefs(request, [...shown.values()].map((d) => d.householdId));
        return page.flatMap((r) => {
          const d = shown.get(r._id);
          return d ? [toRow(request, d, now)] : [];
        });
      },
    );

  app.get(
    '/v1/cases',
    {
      config: { guard: { on: 'cases', action: 'read', target: 'org' } },
      schema: {
        tags: ['cases'],
        summary: 'Cases in a unit’s subtree. overdue=true: the supervisor’s board, most overdue first; sort=due&actionable=true: the caller’s task list, only cases whose open deadlines their role may work towards (the permission matrix)',
        querystring: zQuery({
          org: zOrgCode.optional(),
          overdue: z.enum(['true', 'false']).optional(),
          kind: z.enum(CASE_KINDS).optional(),
          level: zAlertLevel.optional(),
          status: z.enum(['open', 'closed']).default('open'),
          /** One household's cases (its page in the workspace). */
          household: z.string().regex(/^hh-[0-9a-f]{12}$/, 'expected a household id such as hh-0123456789ab').optional(),
          /** An application's stage. */
          stage: z.enum(APPLICATION_STAGES).optional(),
          /** due: cases with a pending deadline, soonest first — a worker's task list. */
          sort: z.enum(['id', 'due']).default('id'),
          /** With sort=due: only cases whose open deadlines the caller may work towards (the permission matrix, domain/permissions.ts deadlineKindsFor) — the task list 我的任务. */
          actionable: z.enum(['true', 'false']).optional(),
          ...pageQuery(),
        }).superRefine((q, ctx) => {
          // Filters that contradict each other answer 400 rather than a list of what was not asked for.
          if (q.overdue === 'true' && q.status === 'closed') ctx.addIssue({ code: 'custom', path: ['overdue'], message: 'a closed case is never overdue: overdue=true lists open cases only', params: { code: 'contradictory_filters' } });
          if (q.sort === 'due' && q.status === 'closed') ctx.addIssue({ code: 'custom', path: ['sort'], message: 'a closed case has no pending deadline to sort by', params: { code: 'contradictory_filters' } });
          if (q.overdue === 'true' && (q.household !== undefined || q.stage !== undefined)) ctx.addIssue({ code: 'custom', path: [q.household !== undefined ? 'household' : 'stage'], message: 'the board (overdue=true) is not narrowed by household or stage: use sort=due, which lists overdue cases first', params: { code: 'contradictory_filters' } });
          if (q.stage !== undefined && q.kind !== 'application') ctx.addIssue({ code: 'custom', path: ['stage'], message: 'only applications have a stage: add kind=application', params: { code: 'contradictory_filters' } });
          if (q.level !== undefined && q.kind !== undefined && q.kind !== 'alert') ctx.addIssue({ code: 'custom', path: ['level'], message: `only alerts have a level, not ${q.kind}`, params: { code: 'contradictory_filters' } });
          if (q.actionable === 'true' && (q.sort !== 'due' || q.status !== 'open' || q.overdue !== undefined || q.household !== undefined || q.stage !== undefined)) ctx.addIssue({ code: 'custom', path: ['actionable'], message: 'actionable=true narrows the task list: sort=due of open cases, not narrowed by overdue, household or stage', params: { code: 'contradictory_filters' } });
        }),
        response: { 200: zPage(zCaseRow), 400: zErrorBody, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => {
      const q = request.query;
      const unit = guardedUnit(request);
      const now = Date.now();

      // The board: the small `overdue` collection, one row per case overdue right now.
      if (q.overdue === 'true') return pageOfRows('overdue', request, q, unit.code, now);
      // A worker's task list: the small `due` collection, one row per open case with a pending deadline.
      if (q.sort === 'due' && q.status === 'open' && q.overdue === undefined && q.household === undefined && q.stage === undefined) {
        const mine = q.actionable === 'true' ? deadlineKindsFor(principalOf(request).role) : null;
        return pageOfRows('due', request, q, unit.code, now, mine ?? undefined);
      }

      const scope = { org: unit.code, status: q.status, kind: q.kind, level: q.level, notOverdue: q.overdue === 'false', householdId: q.household, stage: q.stage };
      // One batch of relation facts per page (privacy by need), then the rows.
      const show = async (docs: readonly CaseListDoc[]) => {
        await primeBriefs(request, docs.map((d) => d.householdId));
        return docs.map((d) => toRow(request, d, now));
      };
      // Due order reads only cases with a due time (the store's filter), so every row has one.
      if (q.sort === 'due') return keysetPage(BY_DUE, q, (after, limit) => listCases(mongo.db, { ...scope, order: 'due', after, limit }) as Promise<DueListDoc[]>, (page) => show(page));
      return keysetPage(BY_ID, q, (after, limit) => listCases(mongo.db, { ...scope, order: 'id', after, limit }), (page) => show(page));
    },
  );

  app.get(
    '/v1/cases/:id',
    {
      config: { guard: { on: 'cases', action: 'read', target: 'case' } },
      schema: {
        tags: ['cases'],
        summary: 'Any case, as its workflow last projected it',
        params: z.object({ id: z.string().min(1).max(200) }),
        response: { 200: z.looseObject({ caseId: z.string(), kind: z.string() }), 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => {
      const doc = guardedCase(request);
      const { uiUrl, namespace } = app.deps.config.temporal;
      const temporal = doc.workflowId ? `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(doc.workflowId)}` : null;
      // `links.cases`: the cases it is linked with, both ways (a discovery and the alert or application it led to; store/discoveries.ts).
      const view = await withWorkingDaysLeft(mongo.db, doc.kind, await presentCase(request, caseRefOf(doc), doc.view ?? {}));
      return { ...view, caseId: doc._id, kind: doc.kind, links: { temporal, cases: await linksOf(mongo.db, doc._id) } };
    },
  );

  app.get(
    '/v1/cases/:id/escalations',
    {
      config: { guard: { on: 'cases', action: 'read', target: 'case' } },
      schema: {
        tags: ['cases'],
        summary: 'The escalation history of a case, with its audit trail: what a city monitor reviews; the events of the supervision orders (督办单) on it that the caller may read come in order with its own, each naming its order (`caseId`)',
        params: z.object({ id: z.string().min(1).max(200) }),
        response: {
          200: z.object({
            caseId: z.string(),
            kind: z.string(),
            workflowId: z.string(),
            escalations: z.array(z.unknown()),
            events: z.array(z.object({ version: z.number(), type: z.string(), at: z.string(), actor: z.unknown(), data: z.unknown(), caseId: z.string().optional() })),
          }),
          403: zErrorBody,
          404: zErrorBody,
        },
      },
    },
    async (request) => {
      const doc = guardedCase(request);
      const ref = caseRefOf(doc);
      const own = await presentEvents(request, ref, await eventsOfCase(mongo.db, doc._id));
      // The case's timeline shows its supervision orders too (issue 12 item 4): those the caller may read (an
      // order to the town above is not in a village's reach), their events named by order.
      const p = principalOf(request);
      const orders = doc.kind === 'order' ? [] : (await ordersOnCase(mongo.db, doc, 50)).filter((o) => inJurisdiction(p.role, p.unit.code, o.orgPath, 'read'));
      const ofOrders = await presentEvents(request, ref, await eventsOfCases(mongo.db, orders.map((o) => o._id)));
      const { escalations } = await presentCase(request, ref, { escalations: (doc.view?.escalations as unknown[]) ?? [] });
      const row = (e: (typeof own)[number], order?: string) => ({ version: e.version, type: e.type, at: e.at.toISOString(), actor: e.actor, data: e.data, ...(order ? { caseId: order } : {}) });
      // Merged by time; the case's own events keep their (version) order, an order's event goes after those at or before it.
      const events: ReturnType<typeof row>[] = [];
      let j = 0;
      for (const e of own) {
        while (j < ofOrders.length && ofOrders[j]!.at < e.at) events.push(row(ofOrders[j]!, ofOrders[j++]!.caseId));
        events.push(row(e));
      }
      for (; j < ofOrders.length; j++) events.push(row(ofOrders[j]!, ofOrders[j]!.caseId));
      return { caseId: doc._id, kind: doc.kind, workflowId: doc.workflowId ?? '', escalations, events };
    },
  );
};
