import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { localDay } from '../../domain/china-time';
import { isWithin, zOrgCode } from '../../domain/org';
import { helperContactFor, knownPersonalDataOf, PERSONAL_DATA_NAMES, personalDataIn, seesPersonalData } from '../../domain/privacy';
import {
  HELPER_KIND_NAMES,
  HELPER_KINDS,
  WISH_CATEGORIES,
  WISH_CATEGORY_NAMES,
  WISH_STAGE_NAMES,
  WISH_STAGES,
  WISH_STEPS,
  zHelperId,
  zPostWishInput,
  type HelperKind,
  type WishStage,
  type WishView,
} from '../../domain/wish';
import type { CaseDoc, HelperDoc } from '../../store/collections';
import { findHousehold } from '../../store/households';
import { findHelper, helperIdFor, helperRef, helpersIn, openWishesIn, pointsOf, registerHelper } from '../../store/wishes';
import { WISH_WORKFLOW_TYPE, wishOpenedUpdate, wishStepUpdates, wishWorkflowId, type WishStart } from '../../workflows/wish/contract';
import { actorOf, principalOf, type Principal } from '../auth';
import { ApiError, badRequest, conflict, forbidden, notFound, zErrorBody } from '../errors';
import { guardedCase, guardedHousehold, guardedUnit, reach } from '../guard';
import { markPersonalData } from '../audit';
import { presentView } from '../present';
import { openCase, stepRoutes } from '../steps';
import { BY_ID, keysetPage, pageQuery, zPage } from '../pagination';
import { zQuery } from '../query';
import { stageListRoute } from '../stage-list';

/** Stages the public list shows: screened and approved, not yet closed. */
const PUBLIC_STAGES: readonly WishStage[] = ['open', 'claimed', 'fulfilled'];

const zWishId = z.string().regex(/^wish-[0-9a-f]{12}$/, 'expected a wish id such as wish-0123456789ab');
const zWishView = z.looseObject({ caseId: z.string(), status: z.enum(['open', 'closed']), stage: z.enum(WISH_STAGES) });
const zUnitRef = z.object({ code: z.string(), name: z.string(), level: z.string() });
const zHelper = z.object({
  id: z.string(),
  kind: z.enum(HELPER_KINDS),
  kindName: z.string(),
  name: z.string(),
  unitCode: z.string(),
  orgPath: z.array(z.string()),
  contact: z.string(),
  userId: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
});
const zPublicWish = z.object({
  id: z.string(),
  title: z.string(),
  category: z.enum(WISH_CATEGORIES),
  categoryName: z.string(),
  unitName: z.string(),
  postedOn: z.string(),
  status: z.enum(WISH_STAGES),
  statusName: z.string(),
});

/** A helper as the caller may see them: the contact masked below town level, and an unmasked one audited. */
const showHelper = (request: FastifyRequest, h: HelperDoc) => {
  const p = principalOf(request);
  if (seesPersonalData(p.role)) markPersonalData(request);
  return helperOut(p, h);
};
const helperOut = (p: Principal, h: HelperDoc) => ({
  id: h._id,
  kind: h.kind,
  kindName: HELPER_KIND_NAMES[h.kind],
  name: h.name,
  unitCode: h.unitCode,
  orgPath: h.orgPath,
  contact: helperContactFor(p.role, h.contact),
  userId: h.userId,
  createdAt: h.createdAt.toISOString(),
  createdBy: h.createdBy,
});

export const wishRoutes: FastifyPluginAsyncZod = async (app) => {
  const { orgs, mongo, temporal, config } = app.deps;
  const db = mongo.db;

  app.post(
    '/v1/wishes',
    {
      config: { guard: { on: 'wish', action: 'post', target: 'household' } },
      schema: {
        tags: ['wishes'],
        summary: 'Post a wish (许愿) for a household, by the household (recorded by staff) or by staff on its behalf',
        body: zPostWishInput,
        response: { 201: zWishView, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const body = request.body;
      const household = guardedHousehold(request);
      const ladder = await orgs.ladder(household.villageCode);
      const workflowId = wishWorkflowId(randomBytes(6).toString('hex'));
      const requestId = randomUUID();
      const start: WishStart = {
        openingRequestId: requestId,
        post: {
          householdId: body.householdId,
          title: body.title,
          description: body.description,
          category: body.category,
          ...(body.neededBy ? { neededBy: body.neededBy } : {}),
          postedBy: body.postedBy,
          unit: ladder[0]!,
          ladder,
          orgPath: household.orgPath,
          policy: config.policy.wishes,
          actor: actorOf(p),
        },
      };
      const view = await openCase(temporal, { workflowType: WISH_WORKFLOW_TYPE, workflowId, taskQueue: config.temporal.taskQueue, start, update: wishOpenedUpdate, args: { requestId }, conflict: 'FAIL' });
      return reply.code(201).send(await presentView(request, view));
    },
  );

  stageListRoute(app, {
    kind: 'wish',
    path: '/v1/wishes',
    tag: 'wishes',
    summary: 'Wishes of a unit’s subtree at one stage (待审核, 待认领, 已认领, 已实现): soonest due first (overdue first) while a deadline runs, else by id',
    stages: WISH_STAGES,
    // A fulfilled wish waits for the household's confirmation (a timer, not a deadline); a closed one has none.
    dueStages: ['screening', 'open', 'claimed'],
    extra: {
      category: z.enum(WISH_CATEGORIES),
      title: z.string(),
      publicTitle: z.string().nullable(),
      householdId: z.string(),
      postedAt: z.string(),
      neededBy: z.string().nullable(),
      helperName: z.string().nullable(),
      outcome: z.string().nullable(),
    },
    row: (v) => {
      const w = v as unknown as WishView;
      return { category: w.category, title: w.title, publicTitle: w.publicTitle, householdId: w.householdId, postedAt: w.postedAt, neededBy: w.neededBy, helperName: w.claim?.helper.name ?? null, outcome: w.outcome };
    },
  });

  app.get(
    '/v1/wishes/:id',
    {
      config: { guard: { on: 'wish', action: 'read', target: 'case' } },
      schema: {
        tags: ['wishes'],
        summary: 'A wish: stage, claims, fulfilment, confirmation, every deadline and escalation',
        params: z.object({ id: zWishId }),
        response: { 200: zWishView, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => presentView(request, guardedCase<WishView>(request).view),
  );

  // One endpoint per step, all from the one table in domain/wish.ts.
  stepRoutes(app, {
    kind: 'wish',
    id: zWishId,
    view: zWishView,
    steps: WISH_STEPS,
    take: async (request, name, kase) => {
      const p = principalOf(request);
      const doc = kase as CaseDoc<WishView>;
      const body = request.body as Record<string, unknown>;
      let helper: ReturnType<typeof helperRef> | undefined;
      if (name === 'screening' && body.decision === 'approve') {
        // The register's personal data stays out of the workflow: the title is checked against it here.
        const title = (body.publicTitle as string | undefined) ?? doc.view.title;
        const household = await findHousehold(db, doc.householdId!);
        const found = personalDataIn(title, household ? knownPersonalDataOf(household) : undefined);
        if (found.length > 0) {
          throw new ApiError(422, 'unprocessable', `publicTitle: the public title contains personal data (${found.map((k) => PERSONAL_DATA_NAMES[k]).join('、')}); give a publicTitle without it`, [
            // One path either way (the posted title stands in when publicTitle is absent), so the form shows it beside the field.
            { path: 'body.publicTitle', code: 'personal_data', message: body.publicTitle === undefined ? 'the posted title, used when publicTitle is absent, contains personal data' : 'contains personal data' },
          ]);
        }
      }
      if (name === 'claim') {
        const found = await findHelper(db, body.helperId as string);
        if (!found) throw badRequest(`helperId: no registered helper ${String(body.helperId)}`, [{ path: 'body.helperId', message: 'unknown helper; register it with POST /v1/helpers' }]);
        if (p.role === 'party_member' && found.userId !== p.userId) throw forbidden('a party member claims only as their own registered helper');
        // A helper serves the subtree of the unit it is registered in (a city-wide organisation anywhere, a
        // village's volunteers their village): a reference outside it is refused like any other (ours).
        if (!isWithin(doc.orgPath, found.unitCode)) {
          throw new ApiError(422, 'unprocessable', `helperId: helper ${found._id} is registered in ${found.unitCode}, which this wish (${doc.unitCode}) is outside of`, [
            { path: 'body.helperId', code: 'unknown_reference', message: 'the helper does not serve this wish’s unit' },
          ]);
        }
        helper = helperRef(found);
      }
      const handle = temporal.workflow.getHandle(doc.workflowId);
      const view = await handle.executeUpdate(wishStepUpdates[name], { args: [{ caseId: doc._id, actor: actorOf(p), input: body, ...(helper ? { helper } : {}) }] });
      return presentView(request, view as WishView);
    },
  });

  app.get(
    '/v1/public/wishes',
    {
      config: { public: true },
      schema: {
        tags: ['wishes', 'public'],
        summary: 'The public wishing tree of a village or town: screened wishes not yet closed, without personal data (no login)',
        security: [],
        querystring: zQuery({
          unit: zOrgCode,
          ...pageQuery(100),
        }),
        response: { 200: zPage(zPublicWish), 400: zErrorBody, 404: zErrorBody, 429: zErrorBody },
      },
    },
    async (request) => {
      const q = request.query;
      const unit = await orgs.get(q.unit);
      if (!unit) throw notFound(`org unit ${q.unit} not found`);
      if (unit.level !== 'village' && unit.level !== 'town') {
        throw badRequest(`unit: the public list is by village/community or town/street, not ${unit.level}`, [{ path: 'querystring.unit', message: `is a ${unit.level}` }]);
      }
      // Field by field from the screened view: never the posted title, the description, the household.
      return keysetPage(
        BY_ID,
        q,
        (after, limit) => openWishesIn(db, q.unit, PUBLIC_STAGES, after, limit),
        (page) =>
          page
            .filter((d) => d.view.publicTitle)
            .map((d) => ({
              id: d._id,
              title: d.view.publicTitle!,
              category: d.view.category,
              categoryName: WISH_CATEGORY_NAMES[d.view.category],
              unitName: d.view.unit.name,
              postedOn: localDay(Date.parse(d.view.postedAt)),
              status: d.view.stage,
              statusName: WISH_STAGE_NAMES[d.view.stage],
            })),
      );
    },
  );

  app.post(
    '/v1/helpers',
    {
      config: { guard: { on: 'helpers', action: 'register', target: 'handler' } },
      schema: {
        tags: ['wishes'],
        summary: 'Register a helper (志愿者、社工、社会组织、党员) who may claim wishes; party members may register themselves',
        body: z
          .object({
            kind: z.enum(HELPER_KINDS),
            name: z.string().max(100).trim().min(1),
            unitCode: zOrgCode,
            contact: z.string().max(100).trim().min(1),
            /** Staff may link a party member's login so that they claim as this helper themselves. */
            userId: z.string().max(100).trim().min(1).optional(),
          })
          .strict()
          .refine((b) => b.userId === undefined || b.kind === 'party_member', { path: ['userId'], message: 'only a party member helper is linked to a login' }),
        response: { 201: zHelper, 400: zErrorBody, 403: zErrorBody, 409: zErrorBody },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const body = request.body;
      const unit = await orgs.get(body.unitCode);
      if (!unit) throw badRequest(`unitCode: org unit ${body.unitCode} does not exist`, [{ path: 'body.unitCode', message: 'unknown org unit' }]);
      let userId: string | null = body.userId ?? null;
      if (p.role === 'party_member') {
        if (body.kind !== 'party_member') throw forbidden('a party member registers only themselves, as kind party_member');
        if (userId !== null && userId !== p.userId) throw forbidden('a party member registers only themselves');
        userId = p.userId;
      }
      reach(request, unit.path);
      const doc: HelperDoc = {
        _id: helperIdFor(userId),
        kind: body.kind as HelperKind,
        name: body.name,
        unitCode: unit.code,
        orgPath: unit.path,
        contact: body.contact,
        userId,
        createdAt: new Date(),
        createdBy: p.userId,
      };
      const result = await registerHelper(db, doc);
      if ('conflict' in result) throw conflict(`user ${userId} is already registered as a helper`, { helperId: result.conflict });
      return reply.code(201).send(showHelper(request, result.created));
    },
  );

  app.get(
    '/v1/helpers',
    {
      config: { guard: { on: 'helpers', action: 'read', target: 'org' } },
      schema: {
        tags: ['wishes'],
        summary: 'Helpers registered in a unit’s subtree; contact masked below town level',
        querystring: zQuery({
          org: zOrgCode.optional(),
          ...pageQuery(),
        }),
        response: { 200: zPage(zHelper), 400: zErrorBody, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => {
      const org = guardedUnit(request).code;
      return keysetPage(BY_ID, request.query, (after, limit) => helpersIn(db, org, after, limit), (page) => page.map((h) => showHelper(request, h)));
    },
  );

  app.get(
    '/v1/helpers/:id',
    {
      config: { guard: { on: 'helpers', action: 'read' } },
      schema: {
        tags: ['wishes'],
        summary: 'A helper, the wishes they fulfilled and their points',
        params: z.object({ id: zHelperId }),
        response: {
          200: zHelper.extend({
            points: z.number(),
            fulfilments: z.array(
              z.object({ wishId: z.string(), publicTitle: z.string(), category: z.string(), unit: zUnitRef, points: z.number(), fulfilledAt: z.string(), confirmedAt: z.string(), confirmedBy: z.enum(['household', 'staff']) }),
            ),
          }),
          403: zErrorBody,
          404: zErrorBody,
        },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const helper = await findHelper(db, request.params.id);
      if (!helper) throw notFound(`helper ${request.params.id} not found`);
      // A party member may always read their own record.
      if (!(p.role === 'party_member' && helper.userId === p.userId)) reach(request, helper.orgPath);
      const { entries, total } = await pointsOf(db, helper._id);
      return {
        ...showHelper(request, helper),
        points: total,
        fulfilments: entries.map((e) => ({
          wishId: e.wishId,
          publicTitle: e.publicTitle,
          category: e.category,
          unit: e.unit,
          points: e.points,
          fulfilledAt: e.fulfilledAt.toISOString(),
          confirmedAt: e.confirmedAt.toISOString(),
          confirmedBy: e.confirmedBy,
        })),
      };
    },
  );
};
