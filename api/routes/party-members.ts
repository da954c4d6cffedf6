import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { localMonth, startOfLocalDay } from '../../domain/china-time';
import { zOrgCode, type OrgUnit } from '../../domain/org';
import { zMemberId, zMemberKind, zPartyMemberInput, zPartyMemberRole, type PartyMember } from '../../domain/party-member';
import { POINT_RULE_INFO, POINT_RULES, type PointRule } from '../../domain/point-rules';
import { counterEntryOf, entryOf, rankingsOf, reversalIdOf, totalOf, zAwardDay, zAwardKey, type LedgerEntry } from '../../domain/points';
import { caseDocumentFor, nameHasDigit, PERSONAL_DATA_NAMES, personalNumbersIn, partyMemberFor, seesPersonalData } from '../../domain/privacy';
import { zFreeText } from '../../domain/text';
import { findMember, listMembers, memberIdFor, memberOfDoc, memberOfUser, membersByIds, registerMember, updateMember } from '../../store/party-members';
import { appendEntry, entriesIn, entriesOfMember, findEntry } from '../../store/points';
import { markPersonalData } from '../audit';
import { principalOf } from '../auth';
import { ApiError, badRequest, conflict, forbidden, notFound, unprocessableField, zErrorBody } from '../errors';
import { findUser } from '../../store/users';
import { inJurisdiction } from '../../domain/permissions';
import { guardedUnit, reach } from '../guard';
import { BY_ID, keysetPage, pageQuery, zPage } from '../pagination';
import { zQuery, zQueryInt } from '../query';

/**
 * The party-member register (党员名册) and the points ledger (党员积分, issue 13 items 1 and 3):
 * register, list, edit and consent; a member's ledger, staff awards, counter-entries and rankings per
 * branch. Rules: docs/party-members.md.
 */

const zMember = z.object({
  id: z.string(),
  userId: z.string(),
  name: z.string(),
  phone: z.string(),
  role: zPartyMemberRole,
  kind: zMemberKind,
  branch: z.string(),
  unitCode: z.string(),
  villageCode: z.string(),
  gridCode: z.string().nullable(),
  orgPath: z.array(z.string()),
  agency: z.string().optional(),
  skills: z.array(z.string()),
  availability: z.string().optional(),
  publicConsent: z.boolean(),
  status: z.enum(['active', 'inactive']),
  createdAt: z.string(),
  createdBy: z.string(),
});

const zRule = z.enum(POINT_RULES);
const zEntry = z.object({
  id: z.string(),
  memberId: z.string(),
  userId: z.string(),
  branch: z.string(),
  villageCode: z.string(),
  rule: zRule,
  ruleName: z.string(),
  points: z.number(),
  quantity: z.number(),
  at: z.string(),
  month: z.string(),
  year: z.number(),
  source: z.object({ kind: z.string(), id: z.string() }),
  recordedBy: z.string(),
  note: z.string().optional(),
  reverses: z.string().optional(),
  reason: z.string().optional(),
  reversedBy: z.string().nullable().optional(),
});

const zParams = z.object({ id: zMemberId });

/** A 422 naming one field of the request. */
const unprocessable = (path: string, message: string, code: string) => new ApiError(422, 'unprocessable', `${path}: ${message}`, [{ path, code, message }]);

/** A member as the caller may see them (domain/privacy.ts partyMemberFor); audited when the phone is shown in full. */
export function presentMember(request: FastifyRequest, m: PartyMember): PartyMember {
  const role = principalOf(request).role;
  if (seesPersonalData(role)) markPersonalData(request);
  return partyMemberFor(role, m);
}

/** A ledger entry as the API shows it. */
export const showEntry = ({ _id, orgPath: _orgPath, ...e }: LedgerEntry, reversedBy?: string | null): z.infer<typeof zEntry> => ({
  ...e,
  id: _id,
  ruleName: POINT_RULE_INFO[e.rule].name,
  at: new Date(e.at).toISOString(),
  ...(reversedBy !== undefined ? { reversedBy } : {}),
});

/**
 * What `request`'s caller may see of a ledger entry, a service task or a claim: its free text (an award's
 * `note`, a reversal's `reason`, a task's `title`/`description`, hours' `note`: FREE_TEXT_KEYS) through the
 * one privacy masking (caseDocumentFor: redacted below town level, by pattern). Source: ours (README
 * "Personal fields … are masked for roles below town level").
 */
export const maskedFor = <T>(request: FastifyRequest, doc: T): T => caseDocumentFor(principalOf(request).role, doc, undefined);

/**
 * The unit a member belongs to: a village or a grid (400 naming `field` otherwise) within the caller's
 * reach (403). Returns the unit, its village and its grid.
 */
async function memberUnit(request: FastifyRequest, code: string, field: string): Promise<{ unit: OrgUnit; villageCode: string; gridCode: string | null }> {
  const unit = await request.server.deps.orgs.get(code);
  if (!unit) throw badRequest(`unitCode: org unit ${code} does not exist`, [{ path: field, message: 'unknown org unit' }]);
  if (unit.level !== 'village' && unit.level !== 'grid') throw badRequest('unitCode: a member belongs to a village/community or a grid', [{ path: field, message: `is a ${unit.level}` }]);
  reach(request, unit.path);
  return { unit, villageCode: unit.level === 'grid' ? unit.parent! : unit.code, gridCode: unit.level === 'grid' ? unit.code : null };
}

/**
 * The login a member is registered under: an existing, active staff user (store/users.ts) within the caller's
 * jurisdiction — else the member's pairings, tasks and points would belong to a login nobody signs in with, or
 * to one who cannot reach them (fresh-eyes on issue 14: `ghost.user` and a user of another town were accepted).
 * 422 naming `field`: `user_unknown`, `user_disabled`, `user_out_of_reach`. Ours (docs/party-members.md).
 */
async function memberUser(request: FastifyRequest, login: string, field: string): Promise<void> {
  const user = await findUser(request.server.deps.mongo.db, login);
  if (!user) throw unprocessableField(field, 'user_unknown', `no staff user ${login}: create the user first (docs/accounts.md)`);
  if (user.status !== 'active') throw unprocessableField(field, 'user_disabled', `the user ${login} is disabled`);
  const p = principalOf(request);
  if (!inJurisdiction(p.role, p.unit.code, user.orgPath, 'register')) throw unprocessableField(field, 'user_out_of_reach', `the user ${login} belongs to ${user.unitCode}, outside your jurisdiction (${p.unit.code})`);
}

declare module 'fastify' {
  interface FastifyRequest {
    member?: PartyMember;
    pointsEntry?: LedgerEntry;
  }
}

/**
 * Loads the member `params.id` and checks it is within the caller's reach for the route's action, as early
 * as the raw id is well-formed (preValidation, after the guard's role check): a caller outside learns nothing
 * about the input rules. 404 when there is none.
 */
async function loadMember(request: FastifyRequest): Promise<PartyMember> {
  if (request.member) return request.member;
  const id = (request.params as { id?: unknown }).id;
  const m = typeof id === 'string' && zMemberId.safeParse(id).success ? await findMember(request.server.deps.mongo.db, id) : null;
  if (!m) throw notFound(`no party member ${String(id)}`);
  reach(request, m.orgPath);
  request.member = m;
  return m;
}
/** Loads the ledger entry `params.id` and checks the caller's reach (before the body is validated); 404 when none. */
async function loadEntry(request: FastifyRequest): Promise<LedgerEntry> {
  if (request.pointsEntry) return request.pointsEntry;
  const id = (request.params as { id?: unknown }).id;
  const entry = typeof id === 'string' && id.length <= 300 ? await findEntry(request.server.deps.mongo.db, id) : null;
  if (!entry) throw notFound(`no points entry ${String(id)}`);
  reach(request, entry.orgPath);
  request.pointsEntry = entry;
  return entry;
}
const earlyMember = async (request: FastifyRequest) => {
  const id = (request.params as { id?: unknown }).id;
  if (typeof id === 'string' && zMemberId.safeParse(id).success) await loadMember(request);
};

export const partyMemberRoutes: FastifyPluginAsyncZod = async (app) => {
  const { mongo, config } = app.deps;
  const db = mongo.db;
  const policy = config.policy.points;

  /**
   * A branch's name (党支部) is a name: no ID number, phone or long number in it (privacy.ts
   * personalNumbersIn; code `personal_data`). A member's name is a person's name: no digit. Source: ours.
   */
  const branchIssue = (branch: string): string | null => {
    const found = personalNumbersIn(branch);
    return found.length === 0 ? null : `a branch's name holds no personal data (found: ${found.map((k) => PERSONAL_DATA_NAMES[k]).join('、')})`;
  };
  const zBranch = zFreeText(100).superRefine((b, ctx) => {
    const issue = branchIssue(b);
    if (issue) ctx.addIssue({ code: 'custom', message: issue, input: b, params: { code: 'personal_data' } });
  });
  const zRegister = zPartyMemberInput.superRefine((m, ctx) => {
    const issue = branchIssue(m.branch);
    if (issue) ctx.addIssue({ code: 'custom', path: ['branch'], message: issue, input: m.branch, params: { code: 'personal_data' } });
    if (nameHasDigit(m.name)) ctx.addIssue({ code: 'custom', path: ['name'], message: 'a person’s name holds no digit', input: m.name, params: { code: 'invalid_name' } });
  });

  app.post(
    '/v1/party-members',
    {
      config: { guard: { on: 'party_member', action: 'register', target: 'handler' } },
      schema: {
        tags: ['party members'],
        summary: 'Register a party member (党员名册; 双报到 for in-service members) at a village or grid',
        description: '`userId` must be the login of an existing, active staff user within the caller’s jurisdiction (422 naming body.userId otherwise: user_unknown, user_disabled, user_out_of_reach).',
        body: zRegister,
        response: { 201: zMember, 400: zErrorBody, 403: zErrorBody, 409: zErrorBody, 422: zErrorBody },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const input = request.body;
      const { unit, villageCode, gridCode } = await memberUnit(request, input.unitCode, 'body.unitCode');
      await memberUser(request, input.userId, 'body.userId');
      const member: PartyMember = { ...input, id: memberIdFor(input.userId), villageCode, gridCode, orgPath: unit.path, status: 'active', createdAt: new Date().toISOString(), createdBy: p.userId };
      const result = await registerMember(db, member);
      if ('conflict' in result) {
        throw new ApiError(409, 'conflict', `body.userId: the login ${input.userId} is registered already (one login, one member)`, [{ path: 'body.userId', code: 'already_registered', message: `registered as ${result.conflict}` }]);
      }
      return reply.code(201).send(presentMember(request, result.created));
    },
  );

  app.get(
    '/v1/party-members',
    {
      config: { guard: { on: 'party_member', action: 'read', target: 'org' } },
      schema: {
        tags: ['party members'],
        summary: 'Party members in a unit’s subtree (a grid’s, a village’s, a town’s), cursor-paginated; phones masked below town level',
        querystring: zQuery({ org: zOrgCode.optional(), kind: zMemberKind.optional(), status: z.enum(['active', 'inactive']).optional(), ...pageQuery() }),
        response: { 200: zPage(zMember), 400: zErrorBody, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => {
      const org = guardedUnit(request).code;
      const { kind, status } = request.query;
      return keysetPage(
        BY_ID,
        request.query,
        (after, limit) => listMembers(db, org, { ...(kind ? { kind } : {}), ...(status ? { status } : {}) }, after, limit),
        (rows) => rows.map((d) => presentMember(request, memberOfDoc(d))),
      );
    },
  );

  app.get(
    '/v1/me/party-member',
    {
      config: { guard: { on: 'party_member', action: 'read' } },
      schema: {
        tags: ['party members'],
        summary: 'The caller’s own register entry (404 when the login is no registered member)',
        response: { 200: zMember, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => {
      const m = await memberOfUser(db, principalOf(request).userId);
      if (!m) throw notFound('your login is not in the party-member register');
      return presentMember(request, m);
    },
  );

  app.get(
    '/v1/party-members/:id',
    {
      config: { guard: { on: 'party_member', action: 'read', target: 'handler' } },
      preValidation: earlyMember,
      schema: { tags: ['party members'], summary: 'One party member', params: zParams, response: { 200: zMember, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody } },
    },
    async (request) => presentMember(request, await loadMember(request)),
  );

  const zEdit = z
    .object({
      role: zPartyMemberRole.optional(),
      branch: zBranch.optional(),
      unitCode: zOrgCode.optional(),
      status: z.enum(['active', 'inactive']).optional(),
      agency: zFreeText(100).optional(),
      skills: z.array(zFreeText(30)).max(10).optional(),
      availability: zFreeText(100).optional(),
    })
    .strict()
    .refine((b) => Object.keys(b).length > 0, { message: 'name at least one field to change' });

  app.patch(
    '/v1/party-members/:id',
    {
      config: { guard: { on: 'party_member', action: 'edit', target: 'handler' } },
      preValidation: earlyMember,
      schema: {
        tags: ['party members'],
        summary: 'Correct a member’s role, branch, unit, status or 双报到 details (the login never changes); a change to what it is already is a 200 with the member unchanged',
        params: zParams,
        body: zEdit,
        response: { 200: zMember, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => {
      const m = await loadMember(request);
      const b = request.body;
      const fields: Partial<PartyMember> = { ...b };
      if (b.unitCode !== undefined && b.unitCode !== m.unitCode) {
        const { unit, villageCode, gridCode } = await memberUnit(request, b.unitCode, 'body.unitCode');
        Object.assign(fields, { orgPath: unit.path, villageCode, gridCode });
      }
      if (b.agency !== undefined && m.kind === 'resident') throw badRequest('agency: only an in-service member (双报到) has an agency', [{ path: 'body.agency', message: 'the member is resident' }]);
      const updated = await updateMember(db, m.id, fields);
      if (!updated) throw notFound(`no party member ${m.id}`);
      return presentMember(request, updated);
    },
  );

  app.put(
    '/v1/party-members/:id/consent',
    {
      config: { guard: { on: 'party_member', action: 'consent', target: 'handler' } },
      preValidation: earlyMember,
      schema: {
        tags: ['party members'],
        summary: 'Consent to be shown on the unit’s public page (三亮): the member for their own record, staff for any within reach',
        params: zParams,
        body: z.object({ publicConsent: z.boolean() }).strict(),
        response: { 200: zMember, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const m = await loadMember(request);
      if (p.role === 'party_member' && m.userId !== p.userId) throw forbidden('a party member sets the consent of their own record only');
      const updated = await updateMember(db, m.id, { publicConsent: request.body.publicConsent });
      if (!updated) throw notFound(`no party member ${m.id}`);
      return presentMember(request, updated);
    },
  );

  // ── The points ledger ──

  app.get(
    '/v1/party-members/:id/points',
    {
      config: { guard: { on: 'points', action: 'read', target: 'handler' } },
      preValidation: earlyMember,
      schema: {
        tags: ['points'],
        summary: 'A member’s points ledger, newest first, with the total (of one year when `year` is given); counter-entries included',
        params: zParams,
        querystring: zQuery({ year: zQueryInt(2000, 2100).optional() }),
        response: { 200: z.object({ memberId: z.string(), name: z.string(), branch: z.string(), year: z.number().nullable(), total: z.number(), entries: z.array(zEntry) }), 400: zErrorBody, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => {
      const m = await loadMember(request);
      const entries = await entriesOfMember(db, m.id, request.query.year);
      const reversed = new Map(entries.filter((e) => e.reverses).map((e) => [e.reverses!, e._id]));
      return { memberId: m.id, name: m.name, branch: m.branch, year: request.query.year ?? null, total: totalOf(entries), entries: entries.map((e) => maskedFor(request, showEntry(e, e.reverses ? undefined : (reversed.get(e._id) ?? null)))) };
    },
  );

  const RECORDED = POINT_RULES.filter((r) => POINT_RULE_INFO[r].earnedBy === 'recorded') as [PointRule, ...PointRule[]];
  app.post(
    '/v1/points',
    {
      config: { guard: { on: 'points', action: 'award', target: 'handler' } },
      schema: {
        tags: ['points'],
        summary: 'Record points a member earned off the system (Party-day attendance, 亮身份/亮行动/亮成绩); idempotent by `key` (per member)',
        body: z
          .object({
            memberId: zMemberId,
            rule: z.enum(RECORDED, { error: `expected a recorded rule: ${RECORDED.join(', ')}` }),
            on: zAwardDay,
            note: zFreeText(500),
            key: zAwardKey,
          })
          .strict(),
        response: { 200: zEntry, 201: zEntry, 400: zErrorBody, 403: zErrorBody, 409: zErrorBody },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const b = request.body;
      const m = await findMember(db, b.memberId);
      if (!m) throw badRequest(`memberId: no party member ${b.memberId}`, [{ path: 'body.memberId', message: 'unknown party member' }]);
      reach(request, m.orgPath);
      const entry = entryOf({ userId: m.userId, rule: b.rule, key: `award:${m.id}:${b.key}`, at: startOfLocalDay(b.on), source: { kind: 'award', id: b.key } }, m, policy, p.userId, b.note);
      const result = await appendEntry(db, entry);
      if ('created' in result) return reply.code(201).send(maskedFor(request, showEntry(result.created)));
      const e = result.existing;
      const differs = [...(e.rule !== entry.rule ? ['rule'] : []), ...(e.at !== entry.at ? ['on'] : []), ...(e.note !== entry.note ? ['note'] : [])];
      if (differs.length > 0) {
        throw new ApiError(409, 'conflict', `key ${b.key}: an award was recorded under this key with another ${differs.join(', ')}; a key is reused only to retry the same request`, [
          { path: 'body.key', code: 'key_reused', message: `already used for entry ${e._id} with another ${differs.join(', ')}` },
        ]);
      }
      return reply.code(200).send(maskedFor(request, showEntry(e)));
    },
  );

  app.post(
    '/v1/points/:id/reversal',
    {
      config: { guard: { on: 'points', action: 'reverse', target: 'handler' } },
      preValidation: async (request) => void (await loadEntry(request)),
      schema: {
        tags: ['points'],
        summary: 'Reverse an entry by a counter-entry with a reason (the ledger is append-only); once per entry, never of a counter-entry',
        params: z.object({ id: z.string().min(1).max(300) }),
        body: z.object({ reason: zFreeText(500) }).strict(),
        response: { 201: zEntry, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody, 409: zErrorBody, 422: zErrorBody },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const entry = await loadEntry(request);
      if (entry.reverses !== undefined) throw unprocessable('params.id', `${entry._id} is a counter-entry: it cannot itself be reversed`, 'counter_entry');
      const result = await appendEntry(db, counterEntryOf(entry, request.body.reason, p.userId, Date.now()));
      if ('existing' in result) throw conflict(`entry ${entry._id} is reversed already (by ${reversalIdOf(entry._id)})`, { reversalId: reversalIdOf(entry._id) });
      return reply.code(201).send(maskedFor(request, showEntry(result.created)));
    },
  );

  app.get(
    '/v1/points/rankings',
    {
      config: { guard: { on: 'points', action: 'read', target: 'org' } },
      schema: {
        tags: ['points'],
        summary: 'Rankings per branch of a unit’s subtree for a month (YYYY-MM; the current China-time month when neither is given) or a year: members by total, ties sharing a rank; counter-entries included',
        querystring: zQuery({ org: zOrgCode.optional(), month: z.string().regex(/^(20\d\d|2100)-(0[1-9]|1[0-2])$/, 'expected a month YYYY-MM from 2000-01 (as year: 2000–2100)').optional(), year: zQueryInt(2000, 2100).optional() }),
        response: {
          200: z.object({
            org: z.string(),
            month: z.string().nullable(),
            year: z.number().nullable(),
            branches: z.array(z.object({ villageCode: z.string(), branch: z.string(), members: z.array(z.object({ rank: z.number(), memberId: z.string(), name: z.string(), role: zPartyMemberRole.nullable(), points: z.number() })) })),
          }),
          400: zErrorBody,
          403: zErrorBody,
          404: zErrorBody,
        },
      },
    },
    async (request) => {
      const org = guardedUnit(request).code;
      const { year } = request.query;
      if (request.query.month !== undefined && year !== undefined) throw badRequest('month or year: give one, not both', [{ path: 'querystring.year', message: 'give either month=YYYY-MM or year=YYYY' }]);
      const month = year === undefined ? (request.query.month ?? localMonth(Date.now())) : undefined;
      const entries = await entriesIn(db, org, month !== undefined ? { month } : { year: year! });
      const branches = rankingsOf(entries);
      const members = await membersByIds(db, [...new Set(entries.map((e) => e.memberId))]);
      return {
        org,
        month: month ?? null,
        year: year ?? null,
        branches: branches.map((b) => ({ villageCode: b.villageCode, branch: b.branch, members: b.members.map((r) => ({ rank: r.rank, memberId: r.memberId, name: members.get(r.memberId)?.name ?? r.userId, role: members.get(r.memberId)?.role ?? null, points: r.points })) })),
      };
    },
  );
};
