import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { zOrgCode } from '../../domain/org';
import { COLLECTIONS } from '../../store/mongo';
import { assertCanRead, principalOf } from '../auth';
import { badRequest, notFound, zErrorBody } from '../errors';

interface DeadlineDoc {
  orgPath: string[];
  dueAt: Date;
  outcome: 'pending' | 'on_time' | 'late' | 'not_due';
  escalations: number;
}

const zCounts = z.object({ due: z.number(), onTime: z.number(), late: z.number(), open: z.number(), escalations: z.number(), onTimeRate: z.number().nullable() });

export const statsRoutes: FastifyPluginAsyncZod = async (app) => {
  const { orgs, mongo } = app.deps;

  app.get(
    '/v1/stats/on-time',
    {
      schema: {
        tags: ['stats'],
        summary: 'Per child unit: deadlines due in [from, to), met on time, late, escalations (考核)',
        querystring: z.object({ org: zOrgCode.optional(), from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) }),
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
      const p = principalOf(request);
      const org = request.query.org ?? p.unit.code;
      const unit = await orgs.get(org);
      if (!unit) throw notFound(`org unit ${org} not found`);
      assertCanRead(p, unit.path);
      const from = new Date(request.query.from);
      const to = new Date(request.query.to);
      if (from >= to) throw badRequest('from must be before to', [{ path: 'querystring.to', message: 'must be after from' }]);
      const now = Date.now();
      const docs = await mongo.db
        .collection<DeadlineDoc>(COLLECTIONS.deadlines)
        .find({ orgPath: org, dueAt: { $gte: from, $lt: to } }, { projection: { orgPath: 1, dueAt: 1, outcome: 1, escalations: 1 } })
        .toArray();

      const empty = () => ({ due: 0, onTime: 0, late: 0, open: 0, escalations: 0, onTimeRate: null as number | null });
      const children = await orgs.childrenOf(org);
      const perChild = new Map(children.map((c) => [c.code, empty()]));
      const total = empty();
      const depth = unit.path.length;
      for (const d of docs) {
        // A deadline not yet due and still open is not counted; one past due and unmet counts as late.
        const late = d.outcome === 'late' || (d.outcome === 'pending' && d.dueAt.getTime() <= now);
        const counted = d.outcome === 'on_time' || late;
        const buckets = [total, perChild.get(d.orgPath[depth] ?? '')].filter((b) => b !== undefined);
        for (const b of buckets) {
          b.escalations += d.escalations;
          if (d.outcome === 'pending') b.open += 1;
          if (!counted) continue;
          b.due += 1;
          if (late) b.late += 1;
          else b.onTime += 1;
        }
      }
      for (const b of [total, ...perChild.values()]) b.onTimeRate = b.due ? b.onTime / b.due : null;
      return {
        org: { code: unit.code, name: unit.name },
        from: from.toISOString(),
        to: to.toISOString(),
        total,
        units: children.map((c) => ({ code: c.code, name: c.name, ...perChild.get(c.code)! })),
      };
    },
  );
};
