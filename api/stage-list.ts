import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { zOrgCode } from '../domain/org';
import type { CaseKind } from '../domain/projection';
import { casesAtStage, type DuePosition } from '../store/cases';
import type { CaseDoc } from '../store/collections';
import { zErrorBody } from './errors';
import { guardedUnit, type Guard } from './guard';
import { BY_DUE, BY_ID, keysetPage, pageQuery, zPage } from './pagination';
import { caseRefOf, presentCase, primeCases } from './present';
import { zQuery } from './query';

type App = Parameters<FastifyPluginAsyncZod>[0];

const zUnitRef = z.object({ code: z.string(), name: z.string(), level: z.string() });

/** What every row of a stage list carries, whatever the kind: the case, its stage, its deadline and how late. */
export const zStageRowBase = z.object({
  caseId: z.string(),
  status: z.enum(['open', 'closed']),
  stage: z.string(),
  unit: zUnitRef,
  /** The deadline's kind (`wish.claim`, `report.answer`, …), which clients key their labels by. */
  dueKind: z.string().nullable(),
  dueAt: z.string().nullable(),
  overdue: z.boolean(),
  rung: z.number(),
});
export type StageRowBase = z.infer<typeof zStageRowBase>;

/**
 * `GET <path>?org=&stage=`: one kind's cases in a unit's subtree (the caller's own unit when `org` is absent)
 * at one stage, for the workspace's lists (微心愿, 群众反映; issue 14 item 3). A stage in `dueStages` — one
 * whose cases always have a deadline running — is listed soonest due first, so the overdue ones lead; any
 * other stage by id. Each row is the view as the caller may see it (api/present.ts: free text masked as
 * domain/privacy.ts says, unmasked reads audited), cut to what `row` picks. Guarded by the kind's `read`
 * cell on the unit (`target: 'org'`: jurisdiction, 403 outside the caller's subtree, 404 for an unknown
 * unit); `stage` outside the kind's stages is a 400 naming `querystring.stage`. Source: ours.
 */
export function stageListRoute<K extends CaseKind, Extra extends z.ZodRawShape>(
  app: App,
  o: {
    kind: K;
    path: string;
    tag: string;
    summary: string;
    stages: readonly [string, ...string[]];
    dueStages: readonly string[];
    /** The kind's own fields of a row. */
    extra: Extra;
    /** The kind's fields from the view as presented to the caller. */
    row: (view: Record<string, unknown>) => z.infer<z.ZodObject<Extra>>;
  },
): void {
  const zRow = zStageRowBase.extend(o.extra);
  app.get(
    o.path,
    {
      config: { guard: { on: o.kind, action: 'read', target: 'org' } as Guard },
      schema: {
        tags: [o.tag],
        summary: o.summary,
        querystring: zQuery({ org: zOrgCode.optional(), stage: z.enum(o.stages), ...pageQuery(100) }),
        response: { 200: zPage(zRow), 400: zErrorBody, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request: FastifyRequest) => {
      const q = request.query as { stage: string; limit: number; cursor?: string };
      const org = guardedUnit(request).code;
      const db = app.deps.mongo.db;
      const now = Date.now();
      const show = async (docs: readonly CaseDoc[]) => {
        await primeCases(request, docs.map(caseRefOf));
        return Promise.all(
          docs.map(async (d) => {
            const view = await presentCase(request, caseRefOf(d), d.view);
            const dueAt = d.dueAt ? d.dueAt.getTime() : null;
            return {
              caseId: d._id,
              status: d.status,
              stage: d.stage ?? q.stage,
              unit: d.unit,
              dueKind: d.due?.kind ?? null,
              dueAt: dueAt === null ? null : new Date(dueAt).toISOString(),
              overdue: dueAt !== null && d.status === 'open' && now >= dueAt,
              rung: d.rung,
              ...o.row(view),
            };
          }),
        );
      };
      const scope = { org, kind: o.kind, stage: q.stage };
      if (o.dueStages.includes(q.stage)) {
        type Due = CaseDoc & { dueAt: Date };
        return keysetPage<{ _id: string; dueAt: Date }, DuePosition, Due, Awaited<ReturnType<typeof show>>[number]>(BY_DUE, q, (after, limit) => casesAtStage(db, { ...scope, order: 'due', after, limit }) as Promise<Due[]>, show);
      }
      return keysetPage<{ _id: string }, string, CaseDoc, Awaited<ReturnType<typeof show>>[number]>(BY_ID, q, (after, limit) => casesAtStage(db, { ...scope, order: 'id', after, limit }), show);
    },
  );
}
