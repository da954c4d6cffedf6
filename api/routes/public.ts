import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import QRCode from 'qrcode';
import { z } from 'zod';
import { ORG_LEVEL_NAMES, zOrgCode, type OrgUnit } from '../../domain/org';
import {
  ANSWERER_ROLE_NAMES,
  REPORT_CATEGORIES,
  REPORT_CATEGORY_NAMES,
  REPORT_STAGE_NAMES,
  REPORT_STAGES,
  zPublicReportInput,
  zReceipt,
  type AnswererRole,
  type ReportCategory,
  type ReportView,
} from '../../domain/report';
import { countStanding, emptyOnTime, onTimeRate, standingOf } from '../../domain/on-time';
import { publicMemberOf, publicTextFor } from '../../domain/privacy';
import { PARTY_MEMBER_ROLES, zPartyMemberRole } from '../../domain/party-member';
import { showcasesOf } from '../../domain/points';
import { localDay } from '../../domain/china-time';
import { consentingMembersOf } from '../../store/party-members';
import { entriesOfMembers } from '../../store/points';
import { loadCatalogue } from '../../store/catalogue';
import type { PartyDayDoc } from '../../store/collections';
import { deadlinesDueIn } from '../../store/deadlines';
import { partyDaysOf } from '../../store/party-days';
import { dropReceipt, loadUnitProfile, reportByReceipt, saveReceipt } from '../../store/reports';
import { REPORT_WORKFLOW_TYPE, reportOpenedUpdate, reportWorkflowId, type ReportStart } from '../../workflows/report/contract';
import { openCase } from '../steps';
import { notFound, zErrorBody } from '../errors';
import { clientKey, SharedAllowance, SlidingWindowLimiter, takeAll, tooManyRequests, windowGate } from '../rate-limit';
import { zQuery, zQueryInt } from '../query';

/**
 * What anyone may see and do without signing in, behind a village's social-assistance QR code
 * (社会救助二维码): the unit's public page, the QR code itself, sending a report, and following it by
 * its receipt. Every response here is JSON (or the QR image) and carries no personal data: response
 * schemas list each field, so nothing else can slip through.
 */

/**
 * What the QR code of a unit points at: the public phone page `/q/{code}` (api/routes/public-page.ts), which a
 * phone's camera opens as a page (issue 14: it encoded the JSON below, and a resident got raw JSON).
 */
export const publicUnitUrl = (baseUrl: string, code: string) => `${baseUrl}/q/${code}`;
/** The unit's public JSON, for integrations (the page reads it too). */
export const publicUnitApiUrl = (baseUrl: string, code: string) => `${baseUrl}/v1/public/units/${code}`;
/** Rendering options of the printed code (medium error correction survives a worn poster). */
export const QR_OPTIONS = { errorCorrectionLevel: 'M', margin: 4 } as const;

const MONTHS_OF_MINUTES = 12;

const zUnitBrief = z.object({ code: z.string(), name: z.string() });
const zPublicPage = z.object({
  /** 三亮 (亮身份、亮行动、亮成绩): the village's members who consented, with this year's actions and points (domain/privacy.ts publicMemberOf). */
  members: z.object({
    year: z.number(),
    members: z.array(
      z.object({
        name: z.string(),
        role: zPartyMemberRole,
        roleName: z.string(),
        branch: z.string(),
        actions: z.object({ visits: z.number(), contacts: z.number(), discoveries: z.number(), wishes: z.number(), serviceHours: z.number() }),
        points: z.number(),
      }),
    ),
  }),
  unit: z.object({ code: z.string(), name: z.string(), level: z.string(), levelName: z.string() }),
  path: z.array(zUnitBrief),
  policies: z.object({
    text: z.string(),
    /** The catalogue's recipient categories (分层分类救助对象). */
    categories: z.array(z.string()),
    /** What a report may be about. */
    reportCategories: z.array(z.object({ code: z.string(), name: z.string() })),
  }),
  contacts: z.array(z.object({ role: z.string(), name: z.string(), phone: z.string() })),
  onTime: z.object({ from: z.string(), to: z.string(), due: z.number(), onTime: z.number(), late: z.number(), unhandled: z.number(), onTimeRate: z.number().nullable() }),
  partyDays: z.array(
    z.object({
      month: z.string(),
      publishedAt: z.string().nullable(),
      items: z.array(
        z.object({
          category: z.string().nullable(),
          categoryName: z.string().nullable(),
          title: z.string(),
          answer: z.string().nullable(),
          answeredBy: z.object({ role: z.string(), roleName: z.string(), name: z.string() }).nullable(),
        }),
      ),
    }),
  ),
  links: z.object({ page: z.string(), qrSvg: z.string(), qrPng: z.string(), reports: z.string() }),
  updatedAt: z.string().nullable(),
});
const zCreated = z.object({ receipt: z.string(), reportId: z.string(), acknowledgeBy: z.string(), answerBy: z.string() });
const zReceiptView = z.object({
  receipt: z.string(),
  status: z.enum(REPORT_STAGES),
  statusName: z.string(),
  category: z.enum(REPORT_CATEGORIES),
  categoryName: z.string(),
  unit: zUnitBrief,
  receivedAt: z.string(),
  acknowledgeBy: z.string(),
  acknowledgedAt: z.string().nullable(),
  answerBy: z.string(),
  answer: z
    .object({
      text: z.string(),
      /** Who answered, by role only: no names on a page anyone holding the receipt can open. */
      answeredByRole: z.string(),
      answeredByRoleName: z.string(),
      channel: z.enum(['staff', 'party_day']),
      answeredAt: z.string(),
    })
    .nullable(),
});

/**
 * A Party day's minutes are shown once it has taken place: published, and closed, held, or past its
 * scheduled start. An agenda published ahead of the day is not yet minutes.
 */
function isPast(d: PartyDayDoc & { stage?: string }, now: number): boolean {
  if (toIso(d.publishedAt) === null) return false;
  if (d.status === 'closed' || d.stage === 'held' || d.stage === 'closed') return true;
  const scheduled = toIso(d.scheduledAt);
  return scheduled !== null && Date.parse(scheduled) <= now;
}

const toIso = (v: unknown): string | null => (v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : null);
const categoryName = (c: string | undefined) => (c === undefined ? null : (REPORT_CATEGORY_NAMES[c as ReportCategory] ?? c));
const answererRoleName = (r: string) => ANSWERER_ROLE_NAMES[r as AnswererRole] ?? r;

export const publicRoutes: FastifyPluginAsyncZod = async (app) => {
  const { orgs, mongo, temporal, config } = app.deps;
  const db = mongo.db;
  const policy = config.policy.reports;
  // Reports accepted per client, then the village's allowance shared fairly (api/rate-limit.ts; the per-client
  // request limit of every public route is counted before these, in registerPublicChannel).
  const { perClient: clientLimit, perUnit: unitLimit } = policy.rateLimit;
  const perClient = new SlidingWindowLimiter({ max: clientLimit.max, windowMs: clientLimit.window });
  const perUnit = new SharedAllowance({ max: unitLimit.max, windowMs: unitLimit.window, sharePerClient: unitLimit.sharePerClient, ...(unitLimit.ceiling ? { ceiling: unitLimit.ceiling } : {}) });
  // Room for a text of the policy's maximum length in UTF-8 (3 bytes a character) and the rest of the body.
  const bodyLimit = Math.max(8 * 1024, policy.maxTextLength * 3 + 2 * 1024);

  // Headers (nosniff, a CSP that runs nothing — the SVG runs no script even if opened directly), escaped
  // JSON and the per-client request limit: registerPublicChannel (api/public-channel.ts), for every public route.

  /** QR codes are per village/community: any other unit, like an unknown one, has no public page. */
  async function villageOr404(code: string, where: string): Promise<OrgUnit> {
    const unit = await orgs.get(code);
    if (!unit || unit.level !== 'village') throw notFound(`${where}: ${code} is not a village/community with a public page`);
    return unit;
  }

  const params = z.object({ code: zOrgCode });

  app.get(
    '/v1/public/units/:code',
    {
      config: { public: true },
      schema: {
        tags: ['public'],
        summary: 'The public page behind a village’s QR code: policies, contacts, on-time figures, Party-day answers (no login)',
        security: [],
        params,
        response: { 200: zPublicPage, 400: zErrorBody, 404: zErrorBody, 429: zErrorBody },
      },
    },
    async (request, reply) => {
      const unit = await villageOr404(request.params.code, 'code');
      const now = new Date();
      const from = new Date(now);
      from.setUTCFullYear(from.getUTCFullYear() - 1);
      const year = Number(localDay(now.getTime()).slice(0, 4));
      const [path, profile, catalogue, deadlines, partyDays, consenting] = await Promise.all([
        Promise.all(unit.path.map(async (code) => ({ code, name: (await orgs.get(code))?.name ?? code }))),
        loadUnitProfile(db, unit.code),
        loadCatalogue(db),
        deadlinesDueIn(db, unit.code, from, now, ['outcome', 'metAt', 'escalations']),
        partyDaysOf(db, unit.code),
        consentingMembersOf(db, unit.code),
      ]);
      // 三亮: only members who consented (domain/privacy.ts publicMemberOf), their actions and points this year.
      const shown = consenting.flatMap((m) => {
        const pub = publicMemberOf(m);
        return pub ? [{ id: m.id, ...pub }] : [];
      });
      const showcases = showcasesOf(await entriesOfMembers(db, shown.map((m) => m.id), year));

      // Counted as /v1/stats/on-time counts (domain/on-time.ts): past due and unmet is late; ended early
      // without handling is due and not met.
      const counts = emptyOnTime();
      for (const d of deadlines) countStanding(counts, standingOf({ outcome: d.outcome, dueAt: d.dueAt.getTime(), metAt: d.metAt?.getTime() ?? null }, now.getTime()));
      const { due, onTime, late, unhandled } = counts;

      const base = publicUnitApiUrl(config.publicBaseUrl, unit.code);
      void reply.header('cache-control', 'public, max-age=60');
      return {
        unit: { code: unit.code, name: unit.name, level: unit.level, levelName: ORG_LEVEL_NAMES[unit.level] },
        path,
        policies: {
          // Staff-written free text, published without login: screened like every other public text.
          text: publicTextFor(profile?.policies ?? ''),
          categories: catalogue.categories.map((c) => c.name),
          reportCategories: REPORT_CATEGORIES.map((code) => ({ code, name: REPORT_CATEGORY_NAMES[code] })),
        },
        contacts: (profile?.contacts ?? []).map((c) => ({ role: c.role, name: c.name, phone: c.phone })),
        onTime: { from: from.toISOString(), to: now.toISOString(), due, onTime, late, unhandled, onTimeRate: onTimeRate(counts) },
        // Only what the minutes are for: each question's category and title, the answer, who answered.
        partyDays: partyDays
          .filter((d) => isPast(d, now.getTime()))
          .sort((a, b) => String(b.month).localeCompare(String(a.month)))
          .slice(0, MONTHS_OF_MINUTES)
          .map((d) => ({
            month: String(d.month),
            publishedAt: toIso(d.publishedAt),
            items: (Array.isArray(d.items) ? d.items : []).map((i) => ({
              category: i.category ?? null,
              categoryName: categoryName(i.category),
              title: publicTextFor(String(i.title ?? '')),
              answer: typeof i.answer === 'string' ? publicTextFor(i.answer) : null,
              answeredBy: i.answeredBy?.role ? { role: i.answeredBy.role, roleName: answererRoleName(i.answeredBy.role), name: String(i.answeredBy.name ?? '') } : null,
            })),
          })),
        members: {
          year,
          members: shown.map(({ id, ...m }) => {
            const sc = showcases.get(id);
            return { ...m, roleName: PARTY_MEMBER_ROLES[m.role], actions: sc?.actions ?? { visits: 0, contacts: 0, discoveries: 0, wishes: 0, serviceHours: 0 }, points: sc?.points ?? 0 };
          }),
        },
        links: { page: publicUnitUrl(config.publicBaseUrl, unit.code), qrSvg: `${base}/qr.svg`, qrPng: `${base}/qr.png`, reports: `${config.publicBaseUrl}/v1/public/reports` },
        updatedAt: profile ? profile.updatedAt.toISOString() : null,
      };
    },
  );

  const QR_CACHE = 'public, max-age=86400';

  app.get(
    '/v1/public/units/:code/qr.svg',
    {
      config: { public: true },
      schema: {
        tags: ['public'],
        summary: 'The unit’s QR code as SVG, for printing (image/svg+xml)',
        security: [],
        params,
        response: { 200: { description: 'The QR code', content: { 'image/svg+xml': { schema: z.string() } } }, 400: zErrorBody, 404: zErrorBody, 429: zErrorBody },
      },
    },
    async (request, reply) => {
      const unit = await villageOr404(request.params.code, 'code');
      const svg = await QRCode.toString(publicUnitUrl(config.publicBaseUrl, unit.code), { ...QR_OPTIONS, type: 'svg' });
      // An image, not JSON: sent as is (its response schema only documents the content type).
      return reply.type('image/svg+xml; charset=utf-8').header('cache-control', QR_CACHE).send(svg as never);
    },
  );

  app.get(
    '/v1/public/units/:code/qr.png',
    {
      config: { public: true },
      schema: {
        tags: ['public'],
        summary: 'The unit’s QR code as PNG, for printing (image/png); width in pixels',
        security: [],
        params,
        querystring: zQuery({ width: zQueryInt(128, 2048).default(512) }),
        response: { 200: { description: 'The QR code', content: { 'image/png': { schema: z.string().meta({ format: 'binary' }) } } }, 400: zErrorBody, 404: zErrorBody, 429: zErrorBody },
      },
    },
    async (request, reply) => {
      const unit = await villageOr404(request.params.code, 'code');
      const png = await QRCode.toBuffer(publicUnitUrl(config.publicBaseUrl, unit.code), { ...QR_OPTIONS, type: 'png', width: request.query.width });
      return reply.type('image/png').header('cache-control', QR_CACHE).send(png as never);
    },
  );

  app.post(
    '/v1/public/reports',
    {
      config: { public: true },
      bodyLimit,
      schema: {
        tags: ['public'],
        summary: 'Report a problem or ask a question (群众反映), no login; keep the receipt to follow it',
        security: [],
        body: zPublicReportInput(policy.maxTextLength),
        response: { 201: zCreated, 400: zErrorBody, 404: zErrorBody, 413: zErrorBody, 429: zErrorBody },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const unit = await orgs.get(body.unitCode);
      if (!unit || unit.level !== 'village') {
        return reply.code(404).send({
          error: { code: 'not_found', message: `unitCode: ${body.unitCode} is not a village/community that takes reports`, details: [{ path: 'body.unitCode', message: 'no such village/community' }] },
        });
      }
      const client = clientKey(request.ip);
      const verdict = takeAll([windowGate('client_report_limit', perClient, client), perUnit.gate('unit_allowance', unit.code, client)]);
      if (!verdict.allowed) {
        const why = verdict.by === 'client_report_limit' ? 'too many reports from this address' : 'this village/community has received many reports within the window (an address that has reported here waits; new reporters are still taken below the ceiling)';
        return tooManyRequests(reply, verdict.retryAfterMs, verdict.by, why);
      }

      const ladder = await orgs.ladder(unit.code);
      const reportId = `rp-${randomBytes(8).toString('hex')}`;
      const receipt = await saveReceipt(db, { reportId, unitCode: unit.code, ...(body.contact ? { contact: body.contact } : {}) });
      const requestId = randomBytes(8).toString('hex');
      const start: ReportStart = {
        openingRequestId: requestId,
        receive: { reportId, category: body.category, text: body.text, unit: ladder[0]!, ladder, policy },
      };
      let view: ReportView;
      try {
        view = await openCase(temporal, { workflowType: REPORT_WORKFLOW_TYPE, workflowId: reportWorkflowId(reportId), taskQueue: config.temporal.taskQueue, start, update: reportOpenedUpdate, args: { requestId }, conflict: 'FAIL' });
      } catch (err) {
        await dropReceipt(db, receipt, reportId).catch(() => undefined);
        throw err;
      }
      return reply.code(201).header('cache-control', 'no-store').send({ receipt, reportId, acknowledgeBy: view.acknowledgeBy, answerBy: view.answerBy });
    },
  );

  app.get(
    '/v1/public/reports/:receipt',
    {
      config: { public: true },
      schema: {
        tags: ['public'],
        summary: 'Follow a report by its receipt: status, the answer and when (no login, no personal data)',
        security: [],
        params: z.object({ receipt: zReceipt }),
        response: { 200: zReceiptView, 400: zErrorBody, 404: zErrorBody, 429: zErrorBody },
      },
    },
    async (request, reply) => {
      const found = await reportByReceipt(db, request.params.receipt);
      if (!found) throw notFound('no report has this receipt');
      const v = found.report.view;
      void reply.header('cache-control', 'no-store');
      return {
        receipt: found.receipt,
        status: v.stage,
        statusName: REPORT_STAGE_NAMES[v.stage],
        category: v.category,
        categoryName: v.categoryName,
        unit: { code: v.unit.code, name: v.unit.name },
        receivedAt: v.receivedAt,
        acknowledgeBy: v.acknowledgeBy,
        acknowledgedAt: v.acknowledgedAt,
        answerBy: v.answerBy,
        answer: v.answer
          ? { text: publicTextFor(v.answer.text), answeredByRole: v.answer.answeredBy.role, answeredByRoleName: v.answer.answeredByRoleName, channel: v.answer.channel, answeredAt: v.answer.at }
          : null,
      };
    },
  );
};
