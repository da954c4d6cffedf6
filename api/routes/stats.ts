import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { localMonth, shiftMonth, startOfLocalMonth } from '../../domain/china-time';
import { zOrgCode, type OrgUnit } from '../../domain/org';
import type { DeadlineDoc } from '../../store/collections';
import { deadlinesDueIn } from '../../store/deadlines';
import { guardedUnit } from '../guard';
import { badRequest, zErrorBody } from '../errors';
import { zQuery, zQueryInt } from '../query';
import { zInstant } from '../../domain/dates';
import { countStanding, emptyOnTime, onTimeRate, standingOf } from '../../domain/on-time';

type Counted = Pick<DeadlineDoc, 'dueAt' | 'metAt' | 'outcome' | 'escalations'>;

/**
 * `unhandled`: deadlines ended before they were due without their requirement met — an alert closed or lowered
 * early ("closed without handling", issue 12): its own figure, and counted as due and not met (never "not due"),
 * so a quiet defusing lowers the on-time rate instead of vanishing from it. Ours.
 */
const zCounts = z.object({ due: z.number(), onTime: z.number(), late: z.number(), overdueOpen: z.number(), overdueClosed: z.number().describe('of late: ended past due without being met (lowered, closed or superseded while overdue)'), unhandled: z.number(), open: z.number(), escalations: z.number(), onTimeRate: z.number().nullable() });
type Counts = z.infer<typeof zCounts>;

const empty = (): Counts => ({ ...emptyOnTime(), open: 0, escalations: 0, onTimeRate: null });

/** Adds one deadline to a bucket, by the one on-time rule (domain/on-time.ts); `open`: not yet met nor ended, due or not. */
function count(b: Counts, d: Counted, now: number): void {
  b.escalations += d.escalations;
  if (d.outcome === 'pending') b.open += 1;
  countStanding(b, standingOf({ outcome: d.outcome, dueAt: d.dueAt.getTime(), metAt: d.metAt?.getTime() ?? null }, now));
}
const withRate = (b: Counts): Counts => ({ ...b, onTimeRate: onTimeRate(b) });

/** Midnight starting a local month. */
const monthStart = (month: string) => new Date(startOfLocalMonth(month));

export const statsRoutes: FastifyPluginAsyncZod = async (app) => {
  const { orgs, mongo } = app.deps;

  /** The unit the route's guard loaded and checked (`org`, the caller's own by default) and its children. */
  async function scope(request: FastifyRequest): Promise<{ unit: OrgUnit; children: OrgUnit[] }> {
    const unit = guardedUnit(request);
    return { unit, children: await orgs.childrenOf(unit.code) };
  }

  const deadlinesIn = (org: string, from: Date, to: Date) => deadlinesDueIn(mongo.db, org, from, to, ['orgPath', 'outcome', 'metAt', 'escalations']);

  app.get(
    '/v1/stats/on-time',
    {
      config: { guard: { on: 'stats', action: 'read', target: 'org' } },
      schema: {
        tags: ['stats'],
        summary: 'Per child unit: deadlines due in [from, to), met on time, late, closed without handling (unhandled), escalations (考核)',
        querystring: zQuery({ org: zOrgCode.optional(), from: zInstant, to: zInstant }),
        response: {
          200: z.object({
            org: z.object({ code: z.string(), name: z.string() }),
            from: z.string(),
            to: z.string(),
            total: zCounts,
            units: z.array(zCounts.extend({ code: z.string(), name: z.string() })),
          }),
          400: zErrorBody,
          403: zErrorBody,
          404: zErrorBody,
        },
      },
    },
    async (request) => {
      const { unit, children } = await scope(request);
      const from = new Date(request.query.from);
      const to = new Date(request.query.to);
      if (from >= to) throw badRequest('from must be before to', [{ path: 'querystring.to', message: 'must be after from' }]);
      const now = Date.now();
      const perChild = new Map(children.map((c) => [c.code, empty()]));
      const total = empty();
      const depth = unit.path.length;
      for (const d of await deadlinesIn(unit.code, from, to)) {
        count(total, d, now);
        const child = perChild.get(d.orgPath[depth] ?? '');
        if (child) count(child, d, now);
      }
      return {
        org: { code: unit.code, name: unit.name },
        from: from.toISOString(),
        to: to.toISOString(),
        total: withRate(total),
        units: children.map((c) => ({ code: c.code, name: c.name, ...withRate(perChild.get(c.code)!) })),
      };
    },
  );

  app.get(
    '/v1/stats/on-time/monthly',
    {
      config: { guard: { on: 'stats', action: 'read', target: 'org' } },
      schema: {
        tags: ['stats'],
        summary: 'On-time rate per child unit for each of the last N local months (the monitor’s chart)',
        querystring: zQuery({ org: zOrgCode.optional(), months: zQueryInt(1, 36).default(12) }),
        response: {
          200: z.object({
            org: z.object({ code: z.string(), name: z.string() }),
            months: z.array(z.string()),
            total: z.array(zCounts.extend({ month: z.string() })),
            units: z.array(z.object({ code: z.string(), name: z.string(), series: z.array(zCounts.extend({ month: z.string() })) })),
          }),
          403: zErrorBody,
          404: zErrorBody,
        },
      },
    },
    async (request) => {
      const { unit, children } = await scope(request);
      const now = Date.now();
      const last = localMonth(now);
      const months = Array.from({ length: request.query.months }, (_, i) => shiftMonth(last, i - request.query.months + 1));
      const index = new Map(months.map((m, i) => [m, i]));
      const total = months.map(() => empty());
      const perChild = new Map(children.map((c) => [c.code, months.map(() => empty())]));
      const depth = unit.path.length;
      for (const d of await deadlinesIn(unit.code, monthStart(months[0]!), monthStart(shiftMonth(last, 1)))) {
        const i = index.get(localMonth(d.dueAt.getTime()));
        if (i === undefined) continue;
        count(total[i]!, d, now);
        const child = perChild.get(d.orgPath[depth] ?? '');
        if (child) count(child[i]!, d, now);
      }
      const series = (buckets: Counts[]) => buckets.map((b, i) => ({ month: months[i]!, ...withRate(b) }));
      return {
        org: { code: unit.code, name: unit.name },
        months,
        total: series(total),
        units: children.map((c) => ({ code: c.code, name: c.name, series: series(perChild.get(c.code)!) })),
      };
    },
  );
};
