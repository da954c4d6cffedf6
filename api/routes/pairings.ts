import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { countStanding, emptyOnTime, onTimeRate, standingOf, type OnTimeCounts } from '../../domain/on-time';
import { zOrgCode, type OrgUnit } from '../../domain/org';
import { gridOf, PAIRING_STAGES, PAIRING_STEPS, pairingIdOf, zPairingId, type PairingView } from '../../domain/pairing';
import { memberRef } from '../../domain/party-member';
import { inJurisdiction } from '../../domain/permissions';
import type { CaseDoc } from '../../store/collections';
import { findMember, memberOfUser, membersIn } from '../../store/party-members';
import { contactDeadlinesIn, inactiveMemberIdsIn, pairingCasesIn, pairingsIn, pairingsOfMember, qualifyingHouseholdsIn } from '../../store/pairings';
import { pairingStepUpdates } from '../../workflows/pairing/contract';
import { actorOf, principalOf } from '../auth';
import { ApiError, zErrorBody } from '../errors';
import { guardedCase, guardedUnit } from '../guard';
import { BY_ID, keysetPage, pageQuery, zPage } from '../pagination';
import { presentBrief, presentView, primeRelations } from '../present';
import { zQuery } from '../query';
import { stepRoutes } from '../steps';

/**
 * Pairings (党员帮包, domain/pairing.ts; docs/pairing.md): one case per qualifying household, opened by the
 * household routes (api/routes/households.ts) and the worker's sweep. Here: a pairing, its steps (assign,
 * contact, end), a unit's pairings (the unpaired listed with the household's name masked), the caller's own
 * ("我的帮包"), and coverage per child unit.
 */

const zPairingView = z.looseObject({ caseId: z.string(), status: z.enum(['open', 'closed']), stage: z.enum(PAIRING_STAGES) });
const zPairingRow = z.object({
  caseId: z.string(),
  householdId: z.string(),
  status: z.enum(['open', 'closed']),
  stage: z.enum(PAIRING_STAGES),
  stageName: z.string(),
  household: z.object({ headName: z.string(), address: z.string() }).nullable(),
  categories: z.array(z.string()),
  categoryNames: z.array(z.string()),
  member: z.object({ memberId: z.string(), userId: z.string(), name: z.string(), role: z.string(), gridCode: z.string().nullable(), villageCode: z.string() }).nullable(),
  nextContactDue: z.string().nullable(),
  lastContact: z.object({ n: z.number(), channel: z.string(), day: z.string(), onTime: z.boolean().nullable() }).nullable(),
  due: z.unknown(),
  overdue: z.boolean(),
  unit: z.object({ code: z.string(), name: z.string(), level: z.string() }),
  orgPath: z.array(z.string()),
});
const zCounts = z.object({
  qualifying: z.number().int(),
  paired: z.number().int(),
  unpaired: z.number().int(),
  /** Of the unpaired: households whose pairing's member is inactive (it needs re-assigning). */
  reassign: z.number().int(),
  contacts: z.object({ due: z.number().int(), onTime: z.number().int(), late: z.number().int(), rate: z.number().nullable() }),
});
const zCoverage = z.object({
  unit: z.object({ code: z.string(), name: z.string(), level: z.string() }),
  total: zCounts,
  /** One row per child unit, and — when the unit itself holds households (a village's with no grid: 村(社区)直属) — a row for them, `direct: true`: the rows sum to the total. */
  children: z.array(zCounts.extend({ unit: z.object({ code: z.string(), name: z.string(), level: z.string() }), direct: z.boolean().optional() })),
});

export const pairingRoutes: FastifyPluginAsyncZod = async (app) => {
  const { orgs, mongo, temporal } = app.deps;
  const db = mongo.db;

  /** A list row: the view's essentials and the household's name and address as the caller may see them. */
  const row = (request: FastifyRequest, d: CaseDoc) => {
    const v = d.view as unknown as PairingView;
    return {
      caseId: v.caseId,
      householdId: v.householdId,
      status: v.status,
      stage: v.stage,
      stageName: v.stageName,
      household: presentBrief(request, { caseId: v.caseId, householdId: v.householdId }, d.household ?? null),
      categories: v.categories,
      categoryNames: v.categoryNames,
      member: v.member,
      nextContactDue: v.nextContactDue,
      lastContact: v.lastContact ? { n: v.lastContact.n, channel: v.lastContact.channel, day: v.lastContact.day, onTime: v.lastContact.onTime } : null,
      due: v.due,
      overdue: d.overdue,
      unit: v.unit,
      orgPath: v.orgPath,
    };
  };

  app.get(
    '/v1/pairings/mine',
    {
      config: { guard: { on: 'pairing', action: 'read' } },
      schema: {
        tags: ['pairings'],
        summary: '我的帮包: the caller’s own pairings (as the paired member), open first, each with its next contact due',
        response: { 200: z.object({ items: z.array(zPairingRow) }), 403: zErrorBody },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const member = await memberOfUser(db, p.userId);
      if (!member) return { items: [] };
      const docs = await pairingsOfMember(db, member.villageCode, p.userId);
      const mine = docs.filter((d) => inJurisdiction(p.role, p.unit.code, d.orgPath, 'read'));
      await primeRelations(request, mine.map((d) => d.householdId));
      return { items: mine.map((d) => row(request, d)) };
    },
  );

  app.get(
    '/v1/pairings/coverage',
    {
      config: { guard: { on: 'pairing', action: 'read', target: 'org' } },
      schema: {
        tags: ['pairings'],
        summary: '帮包覆盖: per child unit (one level below `org`) and in total — qualifying households, paired, unpaired, contacts on time',
        querystring: zQuery({ org: zOrgCode.optional() }),
        response: { 200: zCoverage, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => {
      const unit = guardedUnit(request);
      const policy = app.deps.config.policy.pairing;
      // Three reads by `orgPath` equality (indexed), bucketed here by the child unit under `org`.
      const [households, pairings, contacts, inactive] = await Promise.all([qualifyingHouseholdsIn(db, unit.code, policy.categories), pairingsIn(db, unit.code), contactDeadlinesIn(db, unit.code), inactiveMemberIdsIn(db, unit.code)]);
      const children = await orgs.childrenOf(unit.code);
      const depth = unit.path.length;
      // A document whose path ends at the unit itself (a village's household with no grid) goes to the direct row.
      const DIRECT = '';
      const childOf = (path: readonly string[]) => path[depth] ?? DIRECT;
      type Bucket = { qualifying: number; paired: number; unpaired: number; reassign: number; onTime: OnTimeCounts };
      const blank = (): Bucket => ({ qualifying: 0, paired: 0, unpaired: 0, reassign: 0, onTime: emptyOnTime() });
      const total = blank();
      const buckets = new Map([...children.map((c) => [c.code, blank()] as const), [DIRECT, blank()]]);
      const inactiveIds = new Set(inactive);
      const open = pairings.filter((x) => x.status === 'open' && x.stage === 'paired');
      const pairedIds = new Set(open.map((x) => x._id));
      // Paired with a member since made inactive: counted unpaired, needing re-assignment.
      const reassignIds = new Set(open.filter((x) => x.memberId !== null && inactiveIds.has(x.memberId)).map((x) => x._id));
      for (const h of households) {
        const id = pairingIdOf(h._id);
        const reassign = reassignIds.has(id);
        const paired = pairedIds.has(id) && !reassign;
        for (const b of [total, buckets.get(childOf(h.orgPath))]) {
          if (!b) continue;
          b.qualifying += 1;
          if (paired) b.paired += 1;
          else b.unpaired += 1;
          if (reassign) b.reassign += 1;
        }
      }
      const now = Date.now();
      for (const d of contacts) {
        const standing = standingOf({ outcome: d.outcome, dueAt: d.dueAt.getTime(), metAt: d.metAt ? d.metAt.getTime() : null }, now);
        total.onTime = countStanding(total.onTime, standing);
        const b = buckets.get(childOf(d.orgPath));
        if (b) b.onTime = countStanding(b.onTime, standing);
      }
      const out = (b: Bucket) => ({ qualifying: b.qualifying, paired: b.paired, unpaired: b.unpaired, reassign: b.reassign, contacts: { due: b.onTime.due, onTime: b.onTime.onTime, late: b.onTime.late, rate: onTimeRate(b.onTime) } });
      const brief = (u: OrgUnit) => ({ code: u.code, name: u.name, level: u.level });
      const direct = buckets.get(DIRECT)!;
      // The unit's own row: always at a village (its households with no grid, 村(社区)直属), elsewhere when it holds any.
      const directRow = unit.level === 'village' || direct.qualifying > 0 || direct.onTime.due > 0 ? [{ unit: brief(unit), direct: true, ...out(direct) }] : [];
      return { unit: brief(unit), total: out(total), children: [...children.map((c) => ({ unit: brief(c), ...out(buckets.get(c.code)!) })), ...directRow] };
    },
  );

  app.get(
    '/v1/pairings',
    {
      config: { guard: { on: 'pairing', action: 'read', target: 'org' } },
      schema: {
        tags: ['pairings'],
        summary: 'The pairings of a unit’s subtree, by id; `stage=unpaired` lists the households still to pair (names masked below town level); `reassign=true` the open pairings whose member is inactive (to re-assign)',
        querystring: zQuery({ org: zOrgCode.optional(), stage: z.enum(PAIRING_STAGES).optional(), reassign: z.enum(['true']).optional(), ...pageQuery() }),
        response: { 200: zPage(zPairingRow), 400: zErrorBody, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => {
      const org = guardedUnit(request).code;
      const q = request.query;
      // `reassign=true`: the open pairings whose member has since been made inactive (they need re-assigning).
      const inactive = q.reassign === 'true' ? await inactiveMemberIdsIn(db, org) : undefined;
      return keysetPage(
        BY_ID,
        q,
        (after, limit) => pairingCasesIn(db, org, q.stage, after, limit, inactive),
        async (page) => {
          await primeRelations(request, page.map((d) => d.householdId));
          return page.map((d) => row(request, d));
        },
      );
    },
  );

  app.get(
    '/v1/pairings/:id',
    {
      config: { guard: { on: 'pairing', action: 'read', target: 'case' } },
      schema: {
        tags: ['pairings'],
        summary: 'A pairing: the household’s member, contacts (with visits forwarded to its alert), deadlines and escalations',
        params: z.object({ id: zPairingId }),
        response: { 200: zPairingView, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => presentView(request, guardedCase<PairingView>(request).view),
  );

  app.get(
    '/v1/pairings/:id/candidates',
    {
      config: { guard: { on: 'pairing', action: 'read', target: 'case' } },
      schema: {
        tags: ['pairings'],
        summary: 'Who may be assigned: the active registered resident members (not in-service 双报到 ones) of the household’s grid (or, with no grid, those registered at its village itself), by name',
        params: z.object({ id: zPairingId }),
        response: { 200: z.object({ items: z.array(z.object({ memberId: z.string(), name: z.string(), role: z.string(), gridCode: z.string().nullable() })) }), 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => {
      const v = guardedCase<PairingView>(request).view;
      const grid = gridOf(v.orgPath);
      const items: { memberId: string; name: string; role: string; gridCode: string | null }[] = [];
      // A grid's or a village's register is small (tens of members); read it whole, page by page.
      for (let after: string | undefined, page; (page = await membersIn(db, grid ?? v.unit.code, after, 200)).length > 0; after = page.at(-1)!.id) {
        for (const m of page) if (m.status === 'active' && m.kind !== 'in_service' && (grid !== null || m.gridCode === null)) items.push({ memberId: m.id, name: m.name, role: m.role, gridCode: m.gridCode });
        if (page.length < 200) break;
      }
      return { items };
    },
  );

  // One endpoint per step, all from the one table in domain/pairing.ts.
  stepRoutes(app, {
    kind: 'pairing',
    id: zPairingId,
    view: zPairingView,
    steps: PAIRING_STEPS,
    take: async (request, name, kase) => {
      const p = principalOf(request);
      const body = request.body as Record<string, unknown>;
      let member: ReturnType<typeof memberRef> | undefined;
      if (name === 'assign') {
        // The register is checked here (the workflow never reads the store): registered and active.
        const found = await findMember(db, body.memberId as string);
        if (!found) throw new ApiError(422, 'unprocessable', `body.memberId: no registered party member ${String(body.memberId)}`, [{ path: 'body.memberId', code: 'unknown_reference', message: 'unknown member; register them first' }]);
        if (found.status !== 'active') throw new ApiError(422, 'unprocessable', `body.memberId: member ${found.id} is inactive and takes no new pairing`, [{ path: 'body.memberId', code: 'inactive', message: 'the member is inactive' }]);
        // The seed pairs by the village's 两委、党员、入党积极分子、后备干部 (三(二)二); in-service members (双报到)
        // help through tasks and wishes (三(二)四), not as a household's pairing member.
        if (found.kind === 'in_service')
          throw new ApiError(422, 'unprocessable', `body.memberId: member ${found.id} is an in-service member (双报到), who helps through service tasks and wishes, not a pairing`, [{ path: 'body.memberId', code: 'in_service', message: 'an in-service member (双报到) is not paired with households' }]);
        member = memberRef(found);
      }
      if (name === 'contact') {
        // A member made inactive records no more contacts (nor earns points) on their pairings: the pairing needs
        // re-assigning (coverage counts it under `reassign`). The member themself: 403; staff recording for them: 422.
        const paired = (kase.view as unknown as PairingView).member;
        const current = paired ? await findMember(db, paired.memberId) : null;
        if (paired && current?.status !== 'active') {
          const message = `the paired member ${paired.memberId} is inactive: re-assign the pairing (POST /v1/pairings/${kase._id}/assign) before recording contacts`;
          if (p.role === 'party_member') throw new ApiError(403, 'forbidden', message, undefined, 'member_inactive');
          throw new ApiError(422, 'unprocessable', message, undefined, 'member_inactive');
        }
      }
      const view = await temporal.workflow.getHandle(kase.workflowId).executeUpdate(pairingStepUpdates[name], { args: [{ caseId: kase._id, actor: actorOf(p), input: body, ...(member ? { member } : {}) }] });
      return presentView(request, view);
    },
  });
};
