import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { INTAKE_STAGES, INTAKE_STEPS, type AcceptIntakeBody, type IntakeView, type ReturnIntakeInput } from '../../domain/intake';
import { zOrgCode } from '../../domain/org';
import { intakeApplicantFor, maskName, seesPersonalData } from '../../domain/privacy';
import { loadHolidayCalendar } from '../../store/calendar';
import type { CaseDoc, HouseholdDoc } from '../../store/collections';
import { openApplicationOf } from '../../store/cases';
import { linksOf } from '../../store/discoveries';
import { findHousehold, householdWithIdNumber, registerHousehold } from '../../store/households';
import { applicantOf, intakeQueue } from '../../store/intakes';
import { relativesOf } from '../../store/relatives';
import { applicationWorkflowId, type ApplicationStart } from '../../workflows/application/contract';
import { acceptIntakeUpdate, returnIntakeUpdate } from '../../workflows/intake/contract';
import { markPersonalData } from '../audit';
import { actorOf, principalOf } from '../auth';
import { ApiError, zErrorBody } from '../errors';
import { guardedCase, guardedUnit } from '../guard';
import { presentView } from '../present';
import { zQuery, zQueryInt } from '../query';
import { stepRoutes } from '../steps';
import { randomBytes } from 'node:crypto';

/**
 * Application intake (申请受理, issue 14; docs/intake.md): a resident applies through the village's QR page
 * (`POST /v1/public/applications`, api/routes/public.ts); the town works its queue (`GET /v1/intakes`, overdue
 * first, then by due time), reads one (`GET /v1/intakes/{id}`: the applicant's details, the links) and accepts
 * it (`POST /v1/intakes/{id}/accept`: the household registered in the village when it is not, then its
 * application opened, linked both ways) or returns it with a reason (`POST /v1/intakes/{id}/return`).
 */

const zIntakeId = z.string().regex(/^intake-[0-9a-f]{16}$/, 'expected an intake id such as intake-0123456789abcdef');
const zUnitRef = z.object({ code: z.string(), name: z.string(), level: z.string() });
const zApplicant = z.object({ applicantName: z.string(), idNumber: z.string(), phone: z.string(), address: z.string() }).nullable();
const zLink = z.object({ caseId: z.string(), kind: z.string(), relation: z.string(), direction: z.enum(['to', 'from']), at: z.string() });
const zIntakeView = z.looseObject({
  caseId: z.string(),
  kind: z.literal('intake'),
  status: z.enum(['open', 'closed']),
  stage: z.enum(INTAKE_STAGES),
  town: zUnitRef,
  village: zUnitRef,
  acceptBy: z.string(),
  applicationId: z.string().nullable(),
  applicant: zApplicant,
  links: z.array(zLink),
});
const zIntakeRow = z.object({
  caseId: z.string(),
  status: z.enum(['open', 'closed']),
  stage: z.enum(INTAKE_STAGES),
  stageName: z.string(),
  category: z.string(),
  categoryName: z.string(),
  householdSize: z.number(),
  urgent: z.boolean(),
  village: zUnitRef,
  situation: z.string(),
  /** The applicant's name as the caller may see it (the town and above: whole; intakeApplicantFor). */
  applicantName: z.string().nullable(),
  filedAt: z.string(),
  acceptBy: z.string(),
  dueAt: z.string().nullable(),
  overdue: z.boolean(),
  rung: z.number(),
  applicationId: z.string().nullable(),
  reason: z.string().nullable(),
});

/**
 * What the register already holds for the applicant's ID number (fresh-eyes on issue 14: an intake filed with
 * someone else's number was accepted silently into that household's open application): null when the number
 * is not registered; else whether the holder is in the intake's village, the name the register holds for the
 * number (as the caller may see it), whether the applicant's name is that name, whether the number is the
 * head's, and the household's open application of the intake's category, which an acceptance would join.
 * The household and its name are given only when it is in the intake's village (the town's own).
 */
const zRegisterMatch = z
  .object({
    inVillage: z.boolean(),
    householdId: z.string().nullable(),
    registeredName: z.string().nullable(),
    nameMatches: z.boolean(),
    asHead: z.boolean(),
    openApplicationId: z.string().nullable(),
    /** In the village: whether the applicant's phone / address are the household's registered ones (null elsewhere). */
    phoneMatches: z.boolean().nullable(),
    addressMatches: z.boolean().nullable(),
  })
  .nullable();

/** A 422 naming one field (and, for a rule of stored data, its reason code: the workspace words it). */
/** 422 `registered_elsewhere` with no field: the ID number at fault is the intake's applicant's (GET /v1/intakes/{id}), not in the body. */
const registeredElsewhereMessage = (message: string) => new ApiError(422, 'unprocessable', message, undefined, 'registered_elsewhere');
const unprocessable = (field: string, message: string, code = 'invalid') => new ApiError(422, 'unprocessable', `${field}: ${message}`, [{ path: `body.${field}`, code, message }]);
const newHouseholdId = () => `hh-${randomBytes(6).toString('hex')}`;

export const intakeRoutes: FastifyPluginAsyncZod = async (app) => {
  const { orgs, mongo, temporal, config } = app.deps;
  const db = mongo.db;

  /** The view as the caller may see it: the applicant's details (masked below town level; an unmasked read is audited) and the links. */
  async function shown(request: FastifyRequest, view: IntakeView) {
    const p = principalOf(request);
    const applicant = await applicantOf(db, view.caseId);
    if (applicant && seesPersonalData(p.role)) markPersonalData(request, { caseId: view.caseId });
    return { ...(await presentView(request, view)), applicant: intakeApplicantFor(p.role, applicant), links: await linksOf(db, view.caseId) };
  }

  const rowOf = (v: IntakeView, d: { dueAt: Date | null; overdue: boolean; rung: number }, applicantName: string | null): z.infer<typeof zIntakeRow> => ({
    caseId: v.caseId,
    status: v.status,
    stage: v.stage,
    stageName: v.stageName,
    category: v.category,
    categoryName: v.categoryName,
    householdSize: v.householdSize,
    urgent: v.urgent,
    village: v.village,
    situation: v.situation,
    applicantName,
    filedAt: v.filedAt,
    acceptBy: v.acceptBy,
    dueAt: d.dueAt ? d.dueAt.toISOString() : null,
    overdue: d.overdue,
    rung: d.rung,
    applicationId: v.applicationId,
    reason: v.decision?.reason ?? null,
  });

  app.get(
    '/v1/intakes',
    {
      config: { guard: { on: 'intake', action: 'read', target: 'org' } },
      schema: {
        tags: ['intakes'],
        summary: '申请受理: the intakes of a unit’s subtree (the caller’s own unit when `org` is absent), overdue first, then by due time',
        querystring: zQuery({ org: zOrgCode.optional(), status: z.enum(['open', 'closed']).default('open'), limit: zQueryInt(1, 200).optional() }),
        response: { 200: z.object({ items: z.array(zIntakeRow) }), 400: zErrorBody, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => {
      const unit = guardedUnit(request);
      const docs = await intakeQueue(db, { org: unit.code, status: request.query.status, limit: request.query.limit ?? 100 });
      const role = principalOf(request).role;
      const items = await Promise.all(
        docs.map(async (d) => {
          // The queue names the applicant (the town accepts them by name), as the caller may see it; a whole name is an audited read.
          const applicant = intakeApplicantFor(role, await applicantOf(db, d.view.caseId));
          if (applicant && seesPersonalData(role)) markPersonalData(request, { caseId: d.view.caseId });
          return rowOf(await presentView(request, d.view), d, applicant?.applicantName ?? null);
        }),
      );
      return { items };
    },
  );

  app.get(
    '/v1/intakes/:id',
    {
      config: { guard: { on: 'intake', action: 'read', target: 'case' } },
      schema: {
        tags: ['intakes'],
        summary: 'An intake: the applicant (masked by role), the category and situation, the deadline and its escalations, the decision and the application it opened (links)',
        params: z.object({ id: zIntakeId }),
        response: { 200: zIntakeView.extend({ register: zRegisterMatch }), 400: zErrorBody, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => {
      const view = guardedCase<IntakeView>(request).view;
      return { ...(await shown(request, view)), register: await registerMatchOf(request, view) };
    },
  );

  /** The register's answer for the applicant's ID number (zRegisterMatch); names masked below town level. */
  async function registerMatchOf(request: FastifyRequest, view: IntakeView): Promise<z.infer<typeof zRegisterMatch>> {
    const applicant = await applicantOf(db, view.caseId);
    if (!applicant) return null;
    const holderId = await householdWithIdNumber(db, applicant.idNumber);
    const holder = holderId ? await findHousehold(db, holderId) : null;
    if (!holder) return null;
    const key = (id: string) => id.toUpperCase();
    const asHead = key(holder.headIdNumber) === key(applicant.idNumber);
    const name = asHead ? holder.headName : (holder.members.find((m) => key(m.idNumber) === key(applicant.idNumber))?.name ?? '');
    const nameMatches = name.replace(/\s+/g, '') === applicant.applicantName.replace(/\s+/g, '');
    const inVillage = holder.villageCode === view.village.code;
    if (!inVillage) return { inVillage, householdId: null, registeredName: null, nameMatches, asHead, openApplicationId: null, phoneMatches: null, addressMatches: null };
    const full = seesPersonalData(principalOf(request).role);
    const same = (a: string | null | undefined, b: string | null | undefined) => (a ?? '').replace(/\s+/g, '') === (b ?? '').replace(/\s+/g, '');
    return {
      inVillage,
      householdId: holder._id,
      registeredName: full ? name : maskName(name),
      nameMatches,
      asHead,
      openApplicationId: await openApplicationOf(db, holder._id, view.category),
      phoneMatches: same(applicant.phone, holder.phone),
      addressMatches: same(applicant.address, holder.address),
    };
  }

  /**
   * The applicant's household in the intake's village: the registered one holding the applicant's ID number,
   * or a new one registered now (head = applicant, sealed as `POST /v1/households` registers). @throws 422 when
   * the ID number is registered in another village (the application belongs there) or the applicant is gone.
   */
  async function householdFor(request: FastifyRequest, view: IntakeView): Promise<HouseholdDoc> {
    const applicant = await applicantOf(db, view.caseId);
    if (!applicant) throw unprocessable('intake', `intake ${view.caseId} has no applicant on record`);
    const existing = await householdWithIdNumber(db, applicant.idNumber);
    if (existing) {
      const household = await findHousehold(db, existing);
      if (!household) throw new ApiError(503, 'unavailable', 'the register changed meanwhile: try again');
      if (household.villageCode !== view.village.code) throw await registeredElsewhere(request, household);
      return household;
    }
    const unit = await orgs.get(view.village.code);
    const doc: HouseholdDoc = {
      _id: newHouseholdId(),
      headName: applicant.applicantName,
      headIdNumber: applicant.idNumber,
      members: [],
      address: applicant.address,
      phone: applicant.phone,
      unitCode: view.village.code,
      categories: [],
      villageCode: view.village.code,
      orgPath: unit?.path ?? [...view.orgPath, view.village.code],
      createdAt: new Date().toISOString(),
      createdBy: principalOf(request).userId,
    };
    const result = await registerHousehold(db, doc);
    if ('created' in result) return result.created;
    // Registered meanwhile (a second acceptance racing this one): that household, when in the village.
    const holder = result.conflict ? await findHousehold(db, result.conflict) : null;
    if (holder && holder.villageCode === view.village.code) return holder;
    throw holder ? await registeredElsewhere(request, holder) : registeredElsewhereMessage('the applicant’s ID number is registered in another household elsewhere');
  }

  /**
   * 422 `registered_elsewhere`: the applicant's ID number is held by a household of another village. No field
   * is named (the ID number is the intake's applicant's, not in the accept body). Within the caller's
   * jurisdiction the village is named; outside it (another town's register) only that it is another town's:
   * the town learns nothing of where a person is registered outside its reach. Ours (fresh-eyes on issue 14).
   */
  async function registeredElsewhere(request: FastifyRequest, holder: HouseholdDoc): Promise<ApiError> {
    const p = principalOf(request);
    if (!holder.orgPath.includes(p.unit.code)) return registeredElsewhereMessage('the applicant’s ID number is registered in another town’s register: return the intake and tell the applicant to apply where their household is registered');
    const village = await orgs.get(holder.villageCode);
    return registeredElsewhereMessage(`the applicant’s ID number is registered in another village/community of your jurisdiction (${village?.name ?? holder.villageCode}, ${holder.villageCode}): return the intake and tell the applicant to apply there`);
  }

  stepRoutes(app, {
    kind: 'intake',
    id: zIntakeId,
    view: zIntakeView,
    steps: INTAKE_STEPS,
    take: async (request, name, kase) => {
      const p = principalOf(request);
      const doc = kase as CaseDoc<IntakeView>;
      const view = doc.view;
      if (name === 'return') {
        const result = await temporal.workflow.getHandle(doc.workflowId).executeUpdate(returnIntakeUpdate, { args: [{ caseId: doc._id, actor: actorOf(p), input: request.body as ReturnIntakeInput }] });
        return shown(request, result);
      }
      const body = request.body as AcceptIntakeBody;
      const household = await householdFor(request, view);
      const ladder = await orgs.ladder(household.villageCode);
      const start: Omit<ApplicationStart, 'openingRequestId'> = {
        submit: {
          householdId: household._id,
          category: view.category,
          source: 'public_qr',
          labourCapacity: body.labourCapacity,
          unit: ladder[0]!,
          ladder,
          conflictedUsers: await relativesOf(db, household._id),
          policy: config.policy.applications,
          calendar: await loadHolidayCalendar(db),
          actor: actorOf(p),
          // The town's acceptance of the intake is the application's 受理: it opens already accepted (domain/application.ts SubmitArgs).
          accepted: { intakeId: doc._id, ...(body.note ? { note: body.note } : {}) },
        },
      };
      const opening = { workflowId: applicationWorkflowId(household._id, view.category), start };
      const result = await temporal.workflow.getHandle(doc.workflowId).executeUpdate(acceptIntakeUpdate, { args: [{ caseId: doc._id, actor: actorOf(p), input: { ...body, householdId: household._id, opening } }] });
      if (result.status === 'open') {
        const failure = result.lastOpenFailure;
        if (failure?.refused) throw new ApiError(409, 'conflict', `the application was refused, so nothing was accepted: ${failure.message}`, undefined, 'outcome_refused');
        throw new ApiError(503, 'unavailable', `the application could not be opened, so nothing was accepted; try again (intake ${result.caseId}, attempt ${result.openFailures})`, undefined, 'outcome_not_opened');
      }
      return shown(request, result);
    },
  });
};
