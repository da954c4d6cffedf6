import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { assessmentOf, weightsOf, factsBehind, FIGURES, lateByMs, monthPeriod, standingOf, yearPeriod, type AssessmentReport, type Period } from '../../domain/assessment';
import { DAY_MS } from '../../domain/china-time';
import { EARLIEST_YEAR, LATEST_YEAR, zMonth } from '../../domain/dates';
import { zOrgCode, type OrgUnit } from '../../domain/org';
import { assessmentFacts } from '../../store/assessments';
import { badRequest, zErrorBody } from '../errors';
import { guardedUnit } from '../guard';
import { decodeCursor, encodeCursor, pageQuery, zPage, BY_DUE } from '../pagination';
import { zQuery, zQueryInt } from '../query';
import { assessmentPdf } from '../exports/assessment-pdf';
import { assessmentXlsx, XLSX_TYPE } from '../exports/assessment-xlsx';

/**
 * The yearly assessment (考核, `GET /v1/assessments/{year}`) and the monthly progress report (定期调度,
 * `GET /v1/progress/{month}`) of the units below `org`, as JSON, XLSX or PDF (`format`, or the `Accept`
 * header), and the drill-down to the deadlines and cases behind every number (`…/cases?unit=&figure=`).
 * Guarded by `assessment.read` on `org` (domain/permissions.ts). Figures: domain/assessment.ts; the rules
 * and weights: docs/assessment.md.
 */

const zCounts = z.object({ due: z.number(), onTime: z.number(), late: z.number(), overdueOpen: z.number(), overdueClosed: z.number().describe('ended past due without being met (逾期未办结束): lowered, closed or superseded while overdue'), unhandled: z.number(), pending: z.number(), onTimeRate: z.number().nullable() });
const zFigures = z.object({
  deadlines: zCounts,
  byKind: z.record(z.string(), zCounts),
  overdue: z.object({ count: z.number(), days: z.number(), maxDays: z.number() }),
  escalations: z.object({ total: z.number(), deadlines: z.number(), byRung: z.array(z.number()) }),
  orders: z.object({ count: z.number(), replies: zCounts }),
  unhandled: z.number(),
  reports: zCounts,
  wishes: z.object({ fulfilled: z.number(), fulfilledOnTime: z.number() }),
  discoveries: zCounts.describe('discovery reports assessed by the town (discovery.assess)'),
  pairing: z.object({ assignments: zCounts.describe('households paired within the deadline (pairing.assign)'), contacts: zCounts.describe('paired members’ contacts (pairing.contact)') }),
  patrols: zCounts.describe('each cycle’s patrol recorded (patrol.record)'),
  score: z.number().nullable(),
});
const zUnitName = z.object({ code: z.string(), name: z.string() });
const zReport = z.object({
  org: zUnitName,
  period: z.object({ kind: z.enum(['year', 'month']), label: z.string(), from: z.string(), to: z.string() }),
  generatedAt: z.string(),
  total: zFigures,
  units: z.array(zUnitName.extend({ figures: zFigures })),
  kindLabels: z.record(z.string(), z.string()),
  /** The weights the scores were computed with (the policy's, POLICY_FILE `assessment.weights`). */
  weights: z.array(z.object({ id: z.string(), name: z.string(), weight: z.number(), rule: z.string() })),
});

const FORMATS = ['json', 'xlsx', 'pdf'] as const;
type Format = (typeof FORMATS)[number];
const zFormat = z.enum(FORMATS).optional().describe('json (default), xlsx or pdf; without it, the Accept header chooses');
const binary = z.string().meta({ format: 'binary' });
const reportResponse = {
  200: {
    description: 'The report: JSON, or an XLSX workbook (汇总, 明细, 说明), or a printable PDF with its charts',
    content: { 'application/json': { schema: zReport }, [XLSX_TYPE]: { schema: binary }, 'application/pdf': { schema: binary } },
  },
  400: zErrorBody,
  403: zErrorBody,
  404: zErrorBody,
};

const zItem = z.object({
  deadlineId: z.string(),
  caseId: z.string(),
  caseKind: z.string(),
  deadlineKind: z.string(),
  label: z.string().nullable(),
  unit: zUnitName,
  dueAt: z.string(),
  metAt: z.string().nullable(),
  endedAt: z.string().nullable().describe('when it ended unmet (lowered, closed, superseded), or null'),
  outcome: z.string(),
  standing: z.string(),
  lateByDays: z.number().nullable(),
  escalations: z.number(),
});

const MEDIA_TYPES: Record<string, Format> = { 'application/json': 'json', [XLSX_TYPE]: 'xlsx', 'application/pdf': 'pdf' };

/**
 * The format asked for: `format`, else the first of JSON, XLSX or PDF the Accept header lists (in its
 * order; quality values are not weighed), else JSON.
 */
function formatOf(request: FastifyRequest, format: Format | undefined): Format {
  if (format) return format;
  for (const part of (request.headers.accept ?? '').split(',')) {
    const type = part.split(';')[0]!.trim().toLowerCase();
    if (Object.hasOwn(MEDIA_TYPES, type)) return MEDIA_TYPES[type]!;
  }
  return 'json';
}

export const assessmentRoutes: FastifyPluginAsyncZod = async (app) => {
  const { orgs, mongo, config } = app.deps;
  // The score's weights are policy (POLICY_FILE `assessment.weights`; docs/assessment.md).
  const weights = weightsOf(config.policy.assessment);

  async function report(request: FastifyRequest, period: Period): Promise<AssessmentReport> {
    const unit = guardedUnit(request);
    const children = await orgs.childrenOf(unit.code);
    const facts = await assessmentFacts(mongo.db, unit.code, period.from, period.to);
    return assessmentOf({ org: unit, depth: unit.path.length, children, period, facts, now: Date.now(), weights });
  }

  async function send(request: FastifyRequest, reply: FastifyReply, r: AssessmentReport, format: Format | undefined) {
    const f = formatOf(request, format);
    const file = `${r.period.kind === 'year' ? 'assessment' : 'progress'}-${r.org.code}-${r.period.label}`;
    if (f === 'xlsx') return reply.type(XLSX_TYPE).header('content-disposition', `attachment; filename="${file}.xlsx"`).send((await assessmentXlsx(r)) as never);
    if (f === 'pdf') return reply.type('application/pdf').header('content-disposition', `attachment; filename="${file}.pdf"`).send((await assessmentPdf(r)) as never);
    return { ...r, period: { ...r.period, from: new Date(r.period.from).toISOString(), to: new Date(r.period.to).toISOString() } };
  }

  const guard = { on: 'assessment', action: 'read', target: 'org' } as const;
  const zYear = z.object({ year: zQueryInt(EARLIEST_YEAR, LATEST_YEAR).describe('the year (China time)') });
  const zMonthParams = z.object({ month: zMonth.describe('the month YYYY-MM (China time)') });

  app.get(
    '/v1/assessments/:year',
    {
      config: { guard },
      schema: {
        tags: ['assessment'],
        summary: 'The yearly assessment (考核) of each unit below org: figures and score; JSON, XLSX or PDF',
        params: zYear,
        querystring: zQuery({ org: zOrgCode.optional(), format: zFormat }),
        response: reportResponse,
      },
    },
    async (request, reply) => send(request, reply, await report(request, yearPeriod(request.params.year)), request.query.format),
  );

  app.get(
    '/v1/progress/:month',
    {
      config: { guard },
      schema: {
        tags: ['assessment'],
        summary: 'The monthly progress report (定期调度) of each unit below org (a district’s towns, the city’s districts); JSON, XLSX or PDF',
        params: zMonthParams,
        querystring: zQuery({ org: zOrgCode.optional(), format: zFormat }),
        response: reportResponse,
      },
    },
    async (request, reply) => send(request, reply, await report(request, monthPeriod(request.params.month)), request.query.format),
  );

  const drillQuery = zQuery({
    org: zOrgCode.optional(),
    unit: zOrgCode.optional().describe('the unit whose number this is: org itself (default) or a unit below it'),
    figure: z.enum(FIGURES),
    kind: z.string().regex(/^[a-z_]{1,40}\.[a-z_]{1,40}$/, 'expected a deadline kind such as alert.red').optional().describe('narrows to one deadline kind (the 明细 row)'),
    ...pageQuery(),
  });

  /** The deadlines behind one number, a page at a time, in due order. */
  async function drill(request: FastifyRequest, period: Period, q: z.infer<typeof drillQuery>) {
    const org = guardedUnit(request);
    let unit: OrgUnit = org;
    if (q.unit !== undefined && q.unit !== org.code) {
      const found = await orgs.get(q.unit);
      if (!found || !found.path.includes(org.code)) throw badRequest(`unit: ${q.unit} is not a unit below ${org.code}`, [{ path: 'querystring.unit', message: `not a unit below org ${org.code}` }]);
      unit = found;
    }
    const now = Date.now();
    const facts = factsBehind(q.figure, await assessmentFacts(mongo.db, unit.code, period.from, period.to), now, q.kind);
    const after = decodeCursor(BY_DUE, q.cursor);
    const start = after === undefined ? 0 : facts.findIndex((d) => d.dueAt > after.dueAt.getTime() || (d.dueAt === after.dueAt.getTime() && d.id > after.id));
    const page = start < 0 ? [] : facts.slice(start, start + q.limit);
    const more = start >= 0 && start + q.limit < facts.length;
    const names = new Map<string, string>();
    const nameOf = async (code: string) => {
      if (!names.has(code)) names.set(code, (await orgs.get(code))?.name ?? code);
      return names.get(code)!;
    };
    const items = [];
    for (const d of page) {
      const code = d.orgPath[d.orgPath.length - 1] ?? unit.code;
      const late = lateByMs(d, now);
      items.push({
        deadlineId: d.id,
        caseId: d.caseId,
        caseKind: d.caseKind,
        deadlineKind: d.deadlineKind,
        label: d.label ?? null,
        unit: { code, name: await nameOf(code) },
        dueAt: new Date(d.dueAt).toISOString(),
        metAt: d.metAt === null ? null : new Date(d.metAt).toISOString(),
        endedAt: d.endedAt === null ? null : new Date(d.endedAt).toISOString(),
        outcome: d.outcome,
        standing: standingOf(d, now),
        lateByDays: late === null ? null : Math.round((late / DAY_MS) * 10) / 10,
        escalations: d.escalations,
      });
    }
    const last = page[page.length - 1];
    return { total: facts.length, items, nextCursor: more && last ? encodeCursor(BY_DUE.cursorOf({ _id: last.id, dueAt: new Date(last.dueAt) })) : null };
  }

  const drillResponse = { 200: zPage(zItem).extend({ total: z.number() }), 400: zErrorBody, 403: zErrorBody, 404: zErrorBody };

  app.get(
    '/v1/assessments/:year/cases',
    {
      config: { guard },
      schema: {
        tags: ['assessment'],
        summary: 'The deadlines (and their cases) behind one number of the yearly assessment: unit, figure, optional deadline kind; paged',
        params: zYear,
        querystring: drillQuery,
        response: drillResponse,
      },
    },
    async (request) => drill(request, yearPeriod(request.params.year), request.query),
  );

  app.get(
    '/v1/progress/:month/cases',
    {
      config: { guard },
      schema: {
        tags: ['assessment'],
        summary: 'The deadlines (and their cases) behind one number of the monthly progress report; paged',
        params: zMonthParams,
        querystring: drillQuery,
        response: drillResponse,
      },
    },
    async (request) => drill(request, monthPeriod(request.params.month), request.query),
  );
};
