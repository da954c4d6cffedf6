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
import { knownOnReceipt, mergeKnownPersonalData, publicMemberOf, publicTextFor } from '../../domain/privacy';
import { unitKnownPersonalData } from '../../store/relations';
import { PARTY_MEMBER_ROLES, zPartyMemberRole } from '../../domain/party-member';
import { showcasesOf } from '../../domain/points';
import { localDay } from '../../domain/china-time';
import { consentingMembersOf } from '../../store/party-members';
import { entriesOfMembers } from '../../store/points';
import { loadCatalogue } from '../../store/catalogue';
import type { PartyDayDoc } from '../../store/collections';
import { deadlinesDueIn } from '../../store/deadlines';
import { partyDaysOf } from '../../store/party-days';
import { contactOf, dropReceipt, loadUnitProfile, receiptOf, reportByReceipt, saveReceipt } from '../../store/reports';
import { findCase } from '../../store/cases';
import { loadHolidayCalendar } from '../../store/calendar';
import { findHousehold, householdByHead } from '../../store/households';
import { applicationsInNotice } from '../../store/public-notices';
import { applicantOf, dropApplicant, newIntakeId, saveApplicant } from '../../store/intakes';
import { maskName } from '../../domain/privacy';
import { intakeReceipt, zPublicApplicationInput, type IntakeView } from '../../domain/intake';
import type { ApplicationView } from '../../domain/application';
import { PUBLIC_TITLE_MAX, WISH_CATEGORIES, WISH_STAGE_NAMES, type WishView } from '../../domain/wish';
import { zIdNumber } from '../../domain/id-number';
import { zFreeText } from '../../domain/text';
import { INTAKE_WORKFLOW_TYPE, intakeOpenedUpdate, intakeWorkflowId, type IntakeStart } from '../../workflows/intake/contract';
import { WISH_WORKFLOW_TYPE, wishOpenedUpdate, wishWorkflowId, type WishStart } from '../../workflows/wish/contract';
import { ApiError } from '../errors';
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

/** A value as a list of none or one (for mergeKnownPersonalData's parts). */
const present = <T>(x: T | null | undefined): T[] => (x ? [x] : []);

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
    /** The catalogue's recipient categories with their codes: what `POST /v1/public/applications` takes as `category` (issue 14). */
    applicationCategories: z.array(z.object({ code: z.string(), name: z.string() })),
  }),
  /** 公示: the village's applications whose public notice period runs now (issue 14); names masked as for the public. */
  notices: z.array(z.object({ caseId: z.string(), title: z.string(), from: z.string(), until: z.string() })),
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
const zCreated = z.object({ receipt: z.string(), reportId: z.string(), acknowledgeBy: z.string(), answerBy: z.string(), handledBy: zUnitBrief });
const zIntakeCreated = z.object({ receipt: z.string(), intakeId: z.string(), acceptBy: z.string(), handledBy: zUnitBrief });
const zWishCreated = z.object({ receipt: z.string(), wishId: z.string(), handledBy: zUnitBrief });
const RECEIPT_KINDS = ['report', 'application', 'wish'] as const;
const RECEIPT_KIND_NAMES: Record<(typeof RECEIPT_KINDS)[number], string> = { report: '举报反映', application: '救助申请', wish: '微心愿' };
/**
 * The unit that screens a village's wish: its town (PERMISSIONS.wish.screening; seed 三(三)二 镇(街道)…全程监督), the
 * first town up the village's ladder; the village itself in a tree without one. Ours (fresh-eyes on issue 14: the
 * receipt named the village, which cannot screen).
 */
function wishScreener<U extends { code: string; name: string; level: string }>(ladder: readonly U[]): U {
  return ladder.find((u) => u.level === 'town') ?? ladder[0]!;
}
/** A missed promise on a receipt: `overdue` once `dueBy` has passed; `escalatedTo` the level it climbed to (区市/市), never a person. */
const zLateness = z.object({ overdue: z.boolean(), escalatedTo: z.object({ level: z.string(), levelName: z.string() }).nullable() });
/**
 * Whether the receipt's promised date (`dueBy`, ISO) has passed at `now` (ms), and the level the missed deadline
 * climbed to (the case view's `escalatedTo`, domain/deadlines.ts deadlineView) — by level only: no names of units'
 * people. Source: ours (issue 14: a missed date must not stay on the phone as a promise).
 */
function lateness(dueBy: string | null, escalatedTo: { level: OrgUnit['level'] } | null | undefined, now: number): z.infer<typeof zLateness> {
  const overdue = dueBy !== null && Date.parse(dueBy) < now;
  return { overdue, escalatedTo: overdue && escalatedTo ? { level: escalatedTo.level, levelName: ORG_LEVEL_NAMES[escalatedTo.level] } : null };
}
/** One receipt view for every kind the public channel takes (issue 14): no personal data at all. */
const zAnyReceiptView = z.object({
  receipt: z.string(),
  kind: z.enum(RECEIPT_KINDS),
  kindName: z.string(),
  status: z.string(),
  statusName: z.string(),
  unit: zUnitBrief,
  handledBy: zUnitBrief,
  receivedAt: z.string(),
  dueBy: z.string().nullable(),
  steps: z.array(z.object({ name: z.string(), at: z.string() })),
  result: z.object({ text: z.string(), at: z.string() }).nullable(),
  ...zLateness.shape,
});

/** What a household sends to post its own wish (许愿, issue 14): matched by its head's ID number and its registered phone. */
const zPublicWishInput = z
  .object({
    unitCode: zOrgCode,
    headIdNumber: zIdNumber,
    phone: z.string().trim().regex(/^(1\d{10}|0\d{2,3}-?\d{7,8})$/, 'expected the phone registered for the household'),
    title: zFreeText(PUBLIC_TITLE_MAX),
    description: zFreeText(2000).optional(),
    category: z.enum(WISH_CATEGORIES),
  })
  .strict();
/** The actor the public channel posts a wish as: no login; `postedBy: 'household'` says who. The lowest role, so it can do nothing else. Ours. */
const PUBLIC_ACTOR_ID = 'public-qr';
const digits = (p: string) => p.replace(/\D/g, '');
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
  // Failed household matches of a wish (the enumeration risk), per client, apart from valid submissions.
  const mismatches = new SlidingWindowLimiter({ max: policy.rateLimit.perClientMismatch.max, windowMs: policy.rateLimit.perClientMismatch.window });
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

  /**
   * 公示 (issue 14): the village's applications in their public notice period now, each titled with the
   * household head's name masked as the JSON API masks it for the public (domain/privacy.ts maskName) and the
   * category's name: "张** 申请最低生活保障". Nothing else of the household.
   */
  async function publicNotices(villageCode: string, categories: { code: string; name: string }[], now: number) {
    const running = await applicationsInNotice(db, villageCode, now);
    return Promise.all(
      running.map(async (a) => {
        const head = a.householdId ? (await findHousehold(db, a.householdId))?.headName : undefined;
        // The assistance applied for: the category's name without its trailing 对象 (最低生活保障对象 → 最低生活保障). Ours.
        const category = (categories.find((c) => c.code === a.category)?.name ?? a.category).replace(/对象$/, '');
        return { caseId: a.caseId, title: `${head ? maskName(head) : '**'} 申请${category}`, from: a.from, until: a.until };
      }),
    );
  }

  /** The public channel's submission limits (per client, then the village's fair share), for reports, applications and wishes alike. 429 when refused, else null. */
  function submissionRefused(reply: Parameters<typeof tooManyRequests>[0], ip: string, unitCode: string, what: string) {
    const client = clientKey(ip);
    const verdict = takeAll([windowGate('client_report_limit', perClient, client), perUnit.gate('unit_allowance', unitCode, client)]);
    if (verdict.allowed) return null;
    const byClient = verdict.by === 'client_report_limit';
    const why = byClient ? `too many ${what} from this address` : `this village/community has received many submissions within the window (an address that has sent one here waits; new senders are still taken below the ceiling)`;
    return tooManyRequests(reply, verdict.retryAfterMs, byClient ? 'client_report_limit' : 'unit_allowance', why);
  }

  /** 404 naming body.unitCode unless it is a village/community. */
  async function villageOfBody(code: string, what: string): Promise<OrgUnit> {
    const unit = await orgs.get(code);
    if (!unit || unit.level !== 'village') throw new ApiError(404, 'not_found', `unitCode: ${code} is not a village/community that takes ${what}`, [{ path: 'body.unitCode', message: 'no such village/community' }]);
    return unit;
  }

  /** The village's ladder from its town up (the town handles what the village must not: conduct complaints, intakes). */
  async function fromTown(villageCode: string) {
    const ladder = await orgs.ladder(villageCode);
    const townAt = ladder.findIndex((u) => u.level === 'town');
    return { ladder, fromTown: townAt >= 0 ? ladder.slice(townAt) : ladder };
  }

  const params = z.object({ code: zOrgCode });

  // A trailing slash (/v1/public/units/{code}/): the canonical address (308), not a 404 echoing the path.
  app.get(
    '/v1/public/units/:code/',
    { config: { public: true }, schema: { hide: true, params: z.object({ code: z.string().max(64) }) } },
    async (request, reply) => {
      const code = request.params.code;
      if (!zOrgCode.safeParse(code).success) throw notFound('no such village/community');
      return reply.code(308).header('location', `/v1/public/units/${code}`).send();
    },
  );

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
      const notices = await publicNotices(unit.code, catalogue.categories, now.getTime());
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

      // The unit's registered households, whose names, phones and addresses public text never shows (fresh-eyes pass, issue 14).
      const unitKnown = await unitKnownPersonalData(db, unit.code);
      const base = publicUnitApiUrl(config.publicBaseUrl, unit.code);
      void reply.header('cache-control', 'public, max-age=60');
      return {
        unit: { code: unit.code, name: unit.name, level: unit.level, levelName: ORG_LEVEL_NAMES[unit.level] },
        path,
        policies: {
          // Staff-written free text, published without login: screened like every other public text.
          text: publicTextFor(profile?.policies ?? '', unitKnown),
          categories: catalogue.categories.map((c) => c.name),
          reportCategories: REPORT_CATEGORIES.map((code) => ({ code, name: REPORT_CATEGORY_NAMES[code] })),
          applicationCategories: catalogue.categories.map((c) => ({ code: c.code, name: c.name })),
        },
        notices,
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
              title: publicTextFor(String(i.title ?? ''), unitKnown),
              answer: typeof i.answer === 'string' ? publicTextFor(i.answer, unitKnown) : null,
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
      const refused = submissionRefused(reply, request.ip, unit.code, 'reports');
      if (refused) return refused;

      // 工作作风 is handled by the unit above, never by the unit complained about (DOMAIN.md §5): the town, its
      // ladder from the town up, so the village neither reads nor answers it (issue 14). Every other report: the village.
      const routes = await fromTown(unit.code);
      const ladder = body.category === 'staff_conduct' ? routes.fromTown : routes.ladder;
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
      return reply.code(201).header('cache-control', 'no-store').send({ receipt, reportId, acknowledgeBy: view.acknowledgeBy, answerBy: view.answerBy, handledBy: { code: ladder[0]!.code, name: ladder[0]!.name } });
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
          ? { text: publicTextFor(v.answer.text, await unitKnownPersonalData(db, v.unit.code)), answeredByRole: v.answer.answeredBy.role, answeredByRoleName: v.answer.answeredByRoleName, channel: v.answer.channel, answeredAt: v.answer.at }
          : null,
      };
    },
  );

  app.post(
    '/v1/public/applications',
    {
      config: { public: true },
      bodyLimit,
      schema: {
        tags: ['public'],
        summary: 'Apply for assistance (救助申请受理), no login: the town accepts (an application opens) or returns it with a reason by `acceptBy`; keep the receipt to follow it',
        security: [],
        body: zPublicApplicationInput(config.policy.intake.maxSituation),
        response: { 201: zIntakeCreated, 400: zErrorBody, 404: zErrorBody, 413: zErrorBody, 422: zErrorBody, 429: zErrorBody },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const unit = await villageOfBody(body.unitCode, 'applications');
      const catalogue = await loadCatalogue(db);
      const category = catalogue.categories.find((c) => c.code === body.category);
      if (!category) {
        throw new ApiError(422, 'unprocessable', `category: ${body.category} is not a recipient category of the catalogue`, [{ path: 'body.category', code: 'unknown_reference', message: `expected one of ${catalogue.categories.map((c) => c.code).join(', ')}` }]);
      }
      const refused = submissionRefused(reply, request.ip, unit.code, 'applications');
      if (refused) return refused;
      const { ladder, fromTown: townLadder } = await fromTown(unit.code);
      const town = townLadder[0]!;
      if (town.level !== 'town') throw new ApiError(422, 'unprocessable', `unitCode: ${unit.code} lies under no town`, [{ path: 'body.unitCode', code: 'invalid', message: 'lies under no town' }]);
      const intakeId = newIntakeId();
      await saveApplicant(db, intakeId, { applicantName: body.applicantName, idNumber: body.idNumber, phone: body.phone, address: body.address });
      const receipt = await saveReceipt(db, { reportId: intakeId, unitCode: unit.code, kind: 'application' });
      const requestId = randomBytes(8).toString('hex');
      const start: IntakeStart = {
        openingRequestId: requestId,
        file: {
          intakeId,
          category: category.code,
          categoryName: category.name,
          householdSize: body.householdSize,
          situation: body.situation,
          urgent: body.urgent === true,
          village: ladder[0]!,
          town,
          ladder: townLadder,
          policy: config.policy.intake,
          calendar: await loadHolidayCalendar(db),
        },
      };
      let view: IntakeView;
      try {
        view = await openCase(temporal, { workflowType: INTAKE_WORKFLOW_TYPE, workflowId: intakeWorkflowId(intakeId), taskQueue: config.temporal.taskQueue, start, update: intakeOpenedUpdate, args: { requestId }, conflict: 'FAIL' });
      } catch (err) {
        await dropReceipt(db, receipt, intakeId).catch(() => undefined);
        await dropApplicant(db, intakeId).catch(() => undefined);
        throw err;
      }
      return reply.code(201).header('cache-control', 'no-store').send({ receipt, intakeId, acceptBy: view.acceptBy, handledBy: { code: town.code, name: town.name } });
    },
  );

  app.post(
    '/v1/public/wishes',
    {
      config: { public: true },
      bodyLimit,
      schema: {
        tags: ['public'],
        summary: 'A household posts its own wish (许愿), no login: matched by its head’s ID number and registered phone; it enters screening; keep the receipt to follow it',
        security: [],
        body: zPublicWishInput,
        response: { 201: zWishCreated, 400: zErrorBody, 404: zErrorBody, 413: zErrorBody, 422: zErrorBody, 429: zErrorBody },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const unit = await villageOfBody(body.unitCode, 'wishes');
      // Past its failed matches an address looks nothing up (policy reports.rateLimit.perClientMismatch).
      const client = clientKey(request.ip);
      const matchVerdict = mismatches.check(client);
      if (!matchVerdict.allowed) return tooManyRequests(reply, matchVerdict.retryAfterMs, 'client_match_limit', 'too many wishes from this address matched no household');
      // One answer whichever is wrong (ID number, phone, village): the form tells nobody which households exist.
      const household = await householdByHead(db, body.headIdNumber);
      if (!household || household.villageCode !== unit.code || digits(household.phone) !== digits(body.phone)) {
        mismatches.record(client);
        throw new ApiError(422, 'unprocessable', 'headIdNumber: no household of this village/community has this head’s ID number with this phone', [
          { path: 'body.headIdNumber', code: 'household_not_matched', message: 'no registered household here matches this ID number and phone' },
        ]);
      }
      // A matched household's wish counts as a valid submission (per client, the village's fair share).
      const refused = submissionRefused(reply, request.ip, unit.code, 'wishes');
      if (refused) return refused;
      const ladder = await orgs.ladder(household.villageCode);
      const workflowId = wishWorkflowId(randomBytes(6).toString('hex'));
      const receipt = await saveReceipt(db, { reportId: workflowId, unitCode: unit.code, kind: 'wish' });
      const requestId = randomBytes(8).toString('hex');
      const start: WishStart = {
        openingRequestId: requestId,
        post: {
          householdId: household._id,
          title: body.title,
          description: body.description ?? body.title,
          category: body.category,
          postedBy: 'household',
          unit: ladder[0]!,
          ladder,
          orgPath: household.orgPath,
          policy: config.policy.wishes,
          actor: { userId: PUBLIC_ACTOR_ID, role: 'grid_worker', unitCode: unit.code },
        },
      };
      let view: WishView;
      try {
        view = await openCase(temporal, { workflowType: WISH_WORKFLOW_TYPE, workflowId, taskQueue: config.temporal.taskQueue, start, update: wishOpenedUpdate, args: { requestId }, conflict: 'FAIL' });
      } catch (err) {
        await dropReceipt(db, receipt, workflowId).catch(() => undefined);
        throw err;
      }
      // Who screens it (PERMISSIONS.wish.screening: the town), not the village where it was posted.
      const screener = wishScreener(ladder);
      return reply.code(201).header('cache-control', 'no-store').send({ receipt, wishId: view.caseId, handledBy: { code: screener.code, name: screener.name } });
    },
  );

  app.get(
    '/v1/public/receipts/:receipt',
    {
      config: { public: true },
      schema: {
        tags: ['public'],
        summary: 'Follow a report, an application or a wish by its receipt: status, steps, the next promised date, the answer (no login, no personal data)',
        security: [],
        params: z.object({ receipt: zReceipt }),
        response: { 200: zAnyReceiptView, 400: zErrorBody, 404: zErrorBody, 429: zErrorBody },
      },
    },
    async (request, reply) => {
      const found = await receiptOf(db, request.params.receipt);
      const doc = found && (await findCase(db, found.caseId, found.kind === 'application' ? 'intake' : found.kind));
      if (!found || !doc) throw notFound('nothing has this receipt');
      const filed = await orgs.get(found.unitCode);
      const unitBrief = { code: found.unitCode, name: filed?.name ?? found.unitCode };
      const brief = (u: { code: string; name: string }) => ({ code: u.code, name: u.name });
      const step = (name: string, at: string | null | undefined) => (at ? [{ name, at }] : []);
      void reply.header('cache-control', 'no-store');
      const base = { receipt: found.receipt, kind: found.kind, kindName: RECEIPT_KIND_NAMES[found.kind], unit: unitBrief };
      if (found.kind === 'report') {
        const v = doc.view as unknown as ReportView;
        const dueBy = v.stage === 'received' ? v.acknowledgeBy : v.stage === 'acknowledged' ? v.answerBy : null;
        return {
          ...base,
          status: v.stage,
          statusName: REPORT_STAGE_NAMES[v.stage],
          handledBy: brief(v.unit),
          receivedAt: v.receivedAt,
          dueBy,
          ...lateness(dueBy, v.escalatedTo, Date.now()),
          steps: [...step('已收到', v.receivedAt), ...step('已受理', v.acknowledgedAt), ...step('已答复', v.answeredAt)],
          result: v.answer ? { text: publicTextFor(v.answer.text, mergeKnownPersonalData([knownOnReceipt({ contact: await contactOf(db, found.caseId) }), ...present(await unitKnownPersonalData(db, v.unit.code))])), at: v.answer.at } : null,
        };
      }
      if (found.kind === 'application') {
        const v = doc.view as unknown as IntakeView;
        // Once accepted the receipt follows the application the acceptance opened (its steps and due date) —
        // only one this intake opened: joined to one already open, it shows its own steps and nothing of that case.
        const app = v.applicationId && !v.decision?.joined ? ((await findCase(db, v.applicationId, 'application'))?.view as unknown as ApplicationView | undefined) : undefined;
        // Free text is redacted with the applicant's own data and the household's (a return reason naming them shows 王*).
        const household = app ? await findHousehold(db, app.householdId) : null;
        const known = mergeKnownPersonalData([knownOnReceipt({ applicant: await applicantOf(db, v.caseId), household }), ...present(await unitKnownPersonalData(db, v.town.code))]);
        const r = intakeReceipt(v, app ?? null, (text) => publicTextFor(text, known));
        return { ...base, handledBy: brief(v.town), receivedAt: v.filedAt, ...r, ...lateness(r.dueBy, app ? app.escalatedTo : v.escalatedTo, Date.now()) };
      }
      const v = doc.view as unknown as WishView;
      // Until it is screened the town handles it (it screens: PERMISSIONS.wish.screening); approved, the village's helpers claim it.
      const handledBy = v.screening?.decision === 'approve' ? v.unit : wishScreener(await orgs.ladder(v.unit.code));
      const known = mergeKnownPersonalData([knownOnReceipt({ household: await findHousehold(db, v.householdId) }), ...present(await unitKnownPersonalData(db, v.unit.code))]);
      const outcomeText = v.outcome === 'rejected' ? `${v.outcomeName}${v.screening?.reason ? `：${publicTextFor(String(v.screening.reason), known)}` : ''}` : v.outcomeName;
      return {
        ...base,
        status: v.stage,
        statusName: WISH_STAGE_NAMES[v.stage],
        handledBy: brief(handledBy),
        receivedAt: v.postedAt,
        dueBy: v.status === 'open' ? (v.dueAt ?? null) : null,
        ...lateness(v.status === 'open' ? (v.dueAt ?? null) : null, v.escalatedTo, Date.now()),
        steps: [
          ...step('已提交', v.postedAt),
          ...step(v.screening?.decision === 'reject' ? '未通过审核' : '已审核', v.screening?.at),
          ...step('已认领', v.claim?.claimedAt),
          ...step('已实现', v.fulfilment?.at),
          ...step('已确认', v.confirmation?.at),
        ],
        result: v.outcome && outcomeText ? { text: outcomeText, at: v.confirmation?.at ?? v.withdrawal?.at ?? v.screening?.at ?? v.postedAt } : null,
      };
    },
  );
};
