import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { zOrgCode, type OrgUnit } from '../../domain/org';
import { REPORT_CATEGORY_NAMES, REPORT_STAGES, REPORT_STEPS, type ReportCategory, type ReportView } from '../../domain/report';
import { reportContactFor, seesPersonalData } from '../../domain/privacy';
import type { CommonIssueDoc } from '../../store/collections';
import { commonIssuesOfReport, contactOf, listCommonIssues, loadUnitProfile, saveUnitProfile, zUnitProfileInput } from '../../store/reports';
import { acknowledgeReportUpdate, answerReportUpdate, markCommonIssueUpdate } from '../../workflows/report/contract';
import { actorOf, principalOf } from '../auth';
import { notFound, zErrorBody } from '../errors';
import { guardedCase, guardedUnit } from '../guard';
import { markPersonalData } from '../audit';
import { presentView } from '../present';
import { stepRoutes } from '../steps';
import { publicRoutes } from './public';
import { zQuery } from '../query';
import { zMonth } from '../../domain/dates';
import { stageListRoute } from '../stage-list';

/**
 * Staff's side of public reports (群众反映): a report with its contact (masked below town level), the
 * steps 受理 / 答复 / 共性问题, the unit profile behind the public QR page, and the common issues.
 * Also registers the public routes (api/routes/public.ts), so the app registers reports once.
 */

const zReportId = z.string().regex(/^rp-[0-9a-f]{16}$/, 'expected a report id such as rp-0123456789abcdef');
const zReportView = z.looseObject({ caseId: z.string(), status: z.enum(['open', 'closed']), stage: z.enum(REPORT_STAGES), contact: z.string().nullable() });
const zCommonIssue = z.object({
  issueId: z.string(),
  unit: z.object({ code: z.string(), name: z.string() }),
  category: z.string(),
  categoryName: z.string(),
  month: z.string(),
  title: z.string(),
  reportIds: z.array(z.string()),
  status: z.enum(['proposed', 'confirmed', 'answered']),
  createdAt: z.string(),
  answeredAt: z.string().nullable(),
});

export const reportRoutes: FastifyPluginAsyncZod = async (app) => {
  const { orgs, mongo, temporal } = app.deps;
  const db = mongo.db;

  await app.register(publicRoutes);

  /**
   * The staff view: the workflow's as the caller may see it (api/present.ts: free text masked below town
   * level), plus the contact from the store, masked below town level; an unmasked contact is audited.
   */
  async function shown(request: FastifyRequest, view: ReportView) {
    const p = principalOf(request);
    const contact = await contactOf(db, view.caseId);
    // Privacy by need: the staff of the unit handling the report must answer its reporter (face to face too).
    const handles = p.role === 'village_staff' && p.unit.code === view.unit.code;
    if (contact !== null && (seesPersonalData(p.role) || handles)) markPersonalData(request, { caseId: view.caseId });
    return { ...(await presentView(request, view)), contact: reportContactFor(p.role, contact, handles) };
  }

  const unitBrief = async (code: string) => ({ code, name: (await orgs.get(code))?.name ?? code });
  const issueOut = async (d: CommonIssueDoc): Promise<z.infer<typeof zCommonIssue>> => ({
    issueId: d._id,
    unit: await unitBrief(d.unitCode),
    category: d.category,
    categoryName: REPORT_CATEGORY_NAMES[d.category as ReportCategory] ?? d.category,
    month: d.month,
    title: d.title,
    reportIds: d.reportIds,
    status: d.status,
    createdAt: d.createdAt.toISOString(),
    answeredAt: d.answeredAt ? d.answeredAt.toISOString() : null,
  });

  stageListRoute(app, {
    kind: 'report',
    path: '/v1/reports',
    tag: 'reports',
    summary: 'Public reports of a unit’s subtree at one stage (待受理, 待答复, 已答复): open ones soonest due first (overdue first), answered ones by id',
    stages: REPORT_STAGES,
    dueStages: ['received', 'acknowledged'],
    extra: {
      category: z.string(),
      text: z.string(),
      receivedAt: z.string(),
      answeredAt: z.string().nullable(),
      commonIssue: z.object({ issueId: z.string(), status: z.enum(['proposed', 'confirmed']) }).nullable(),
    },
    row: (v) => {
      const r = v as unknown as ReportView;
      return { category: r.category, text: r.text, receivedAt: r.receivedAt, answeredAt: r.answeredAt, commonIssue: r.commonIssue ? { issueId: r.commonIssue.issueId, status: r.commonIssue.status } : null };
    },
  });

  app.get(
    '/v1/reports/:id',
    {
      config: { guard: { on: 'report', action: 'read', target: 'case' } },
      schema: {
        tags: ['reports'],
        summary: 'A public report: text, stage, deadlines, escalations, the answer; the contact (masked below town level)',
        params: z.object({ id: zReportId }),
        response: { 200: zReportView.extend({ commonIssues: z.array(zCommonIssue) }), 400: zErrorBody, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => {
      const doc = guardedCase<ReportView>(request);
      const issues = await commonIssuesOfReport(db, doc._id);
      return { ...(await shown(request, doc.view)), commonIssues: await Promise.all(issues.map(issueOut)) };
    },
  );

  // One endpoint per staff step, from the table in domain/report.ts.
  stepRoutes(app, {
    kind: 'report',
    id: zReportId,
    view: zReportView,
    steps: REPORT_STEPS,
    // 受理 and marking carry optional fields only: an empty POST is fine.
    body: (step, name) => (name === 'answer' ? step.body : (step.body as z.ZodObject).default({})) as z.ZodType,
    take: async (request, name, doc) => {
      const p = principalOf(request);
      const handle = temporal.workflow.getHandle(doc.workflowId);
      const action = { caseId: doc._id, actor: actorOf(p) };
      const input = request.body as Record<string, unknown>;
      let view: ReportView;
      if (name === 'acknowledgement') view = await handle.executeUpdate(acknowledgeReportUpdate, { args: [{ ...action, ...(input as { note?: string }) }] });
      else if (name === 'answer') {
        const a = input as z.infer<typeof REPORT_STEPS.answer.body>;
        view = await handle.executeUpdate(answerReportUpdate, { args: [{ ...action, answer: a.answer, answeredBy: a.answeredBy, channel: 'staff' }] });
      } else view = await handle.executeUpdate(markCommonIssueUpdate, { args: [{ ...action, ...(input as { title?: string }) }] });
      return shown(request, view);
    },
  });

  const unitParams = z.object({ code: zOrgCode });
  const zProfile = zUnitProfileInput.extend({ unitCode: z.string(), updatedAt: z.string().nullable(), updatedBy: z.string().nullable() });

  /** The route's unit (loaded and checked by its guard); profiles belong to villages/communities, like QR codes: anything else is 404. */
  function villageOr404(request: FastifyRequest): OrgUnit {
    const unit = guardedUnit(request);
    if (unit.level !== 'village') throw notFound(`${unit.code} is not a village/community`);
    return unit;
  }

  app.get(
    '/v1/units/:code/profile',
    { config: { guard: { on: 'unit_profile', action: 'read', target: 'unit' } }, schema: { tags: ['reports'], summary: 'The profile behind a village’s public QR page', params: unitParams, response: { 200: zProfile, 403: zErrorBody, 404: zErrorBody } } },
    async (request) => {
      const unit = villageOr404(request);
      const doc = await loadUnitProfile(db, unit.code);
      return { unitCode: unit.code, policies: doc?.policies ?? '', contacts: doc?.contacts ?? [], updatedAt: doc?.updatedAt.toISOString() ?? null, updatedBy: doc?.updatedBy ?? null };
    },
  );

  app.put(
    '/v1/units/:code/profile',
    {
      config: { guard: { on: 'unit_profile', action: 'edit', target: 'unit' } },
      schema: {
        tags: ['reports'],
        summary: 'Replace the profile shown on a village’s public QR page: policy text and office contacts',
        params: unitParams,
        body: zUnitProfileInput,
        response: { 200: zProfile, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const unit = villageOr404(request);
      const doc = await saveUnitProfile(db, unit.code, request.body, p.userId);
      return { unitCode: unit.code, policies: doc.policies, contacts: doc.contacts, updatedAt: doc.updatedAt.toISOString(), updatedBy: doc.updatedBy };
    },
  );

  /** The villages/communities in a unit's subtree (the unit itself when it is one). */
  async function villagesUnder(unit: OrgUnit): Promise<string[]> {
    if (unit.level === 'village') return [unit.code];
    const out: string[] = [];
    for (const child of await orgs.childrenOf(unit.code)) out.push(...(await villagesUnder(child)));
    return out;
  }

  app.get(
    '/v1/units/:code/common-issues',
    {
      config: { guard: { on: 'report', action: 'read', target: 'unit' } },
      schema: {
        tags: ['reports'],
        summary: 'Common issues (共性问题) of the villages in a unit’s subtree, newest month first',
        params: unitParams,
        querystring: zQuery({
          status: z.enum(['proposed', 'confirmed', 'answered']).optional(),
          month: zMonth.optional(),
        }),
        response: { 200: z.object({ items: z.array(zCommonIssue) }), 400: zErrorBody, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => {
      const unit = guardedUnit(request);
      const docs = await listCommonIssues(db, { unitCodes: await villagesUnder(unit), ...request.query });
      return { items: await Promise.all(docs.map(issueOut)) };
    },
  );
};
