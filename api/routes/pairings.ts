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
import { contactDeadlinesIn, pairingCasesIn, pairingsIn, pairingsOfMember, qualifyingHouseholdsIn } from '../../store/pairings';
import { pairingStepUpdates } from '../../workflows/pairing/contract';
import { actorOf, principalOf } from '../auth';
import { ApiError, zErrorBody } from '../errors';
import { guardedCase, guardedUnit } from '../guard';
import { BY_ID, keysetPage, pageQuery, zPage } from '../pagination';
import { presentBrief, presentView } from '../present';
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
  lastContact: z.object({ n: z.number(), channel: z.string(), day: z.string(), onTime: z.boolean() }).nullable(),
  due: z.unknown(),
  overdue: z.boolean(),
  unit: z.object({ code: z.string(), name: z.string(), level: z.string() }),
  orgPath: z.array(z.string()),
});
const zCounts = z.object({
  qualifying: z.number().int(),
  paired: z.number().int(),
  unpaired: z.number().int(),
  contacts: z.object({ due: z.number().int(), onTime: z.number().int(), late: z.number().int(), rate: z.number().nullable() }),
});
const zCoverage = z.object({
  unit: z.object({ code: z.string(), name: z.string(), level: z.string() }),
  total: zCounts,
  children: z.array(zCounts.extend({ unit: z.object({ code: z.string(), name: z.string(), level: z.string() }) })),
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
      return { items: docs.filter((d) => inJurisdiction(p.role, p.unit.code, d.orgPath, 'read')).map((d) => row(request, d)) };
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
      const [households, pairings, contacts] = await Promise.all([qualifyingHouseholdsIn(db, unit.code, policy.categories), pairingsIn(db, unit.code), contactDeadlinesIn(db, unit.code)]);
      const children = await orgs.childrenOf(unit.code);
      const depth = unit.path.length;
      const childOf = (path: readonly string[]) => path[depth];
      type Bucket = { qualifying: number; paired: number; unpaired: number; onTime: OnTimeCounts };
      const blank = (): Bucket => ({ qualifying: 0, paired: 0, unpaired: 0, onTime: emptyOnTime() });
      const total = blank();
      const buckets = new Map(children.map((c) => [c.code, blank()]));
      const pairedIds = new Set(pairings.filter((x) => x.status === 'open' && x.stage === 'paired').map((x) => x._id));
      for (const h of households) {
        const paired = pairedIds.has(pairingIdOf(h._id));
        for (const b of [total, buckets.get(childOf(h.orgPath) ?? '')]) {
          if (!b) continue;
          b.qualifying += 1;
          if (paired) b.paired += 1;
          else b.unpaired += 1;
        }
      }
      const now = Date.now();
      for (const d of contacts) {
        const standing = standingOf({ outcome: d.outcome, dueAt: d.dueAt.getTime(), metAt: d.metAt ? d.metAt.getTime() : null }, now);
        total.onTime = countStanding(total.onTime, standing);
        const b = buckets.get(childOf(d.orgPath) ?? '');
        if (b) b.onTime = countStanding(b.onTime, standing);
      }
      const out = (b: Bucket) => ({ qualifying: b.qualifying, paired: b.paired, unpaired: b.unpaired, contacts: { due: b.onTime.due, onTime: b.onTime.onTime, late: b.onTime.late, rate: onTimeRate(b.onTime) } });
      const brief = (u: OrgUnit) => ({ code: u.code, name: u.name, level: u.level });
      return { unit: brief(unit), total: out(total), children: children.map((c) => ({ unit: brief(c), ...out(buckets.get(c.code)!) })) };
    },
  );

  app.get(
    '/v1/pairings',
    {
      config: { guard: { on: 'pairing', action: 'read', target: 'org' } },
      schema: {
        tags: ['pairings'],
        summary: 'The pairings of a unit’s subtree, by id; `stage=unpaired` lists the households still to pair (names masked below town level)',
        querystring: zQuery({ org: zOrgCode.optional(), stage: z.enum(PAIRING_STAGES).optional(), ...pageQuery() }),
        response: { 200: zPage(zPairingRow), 400: zErrorBody, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => {
      const org = guardedUnit(request).code;
      const q = request.query;
      return keysetPage(
        BY_ID,
        q,
        (after, limit) => pairingCasesIn(db, org, q.stage, after, limit),
        (page) => page.map((d) => row(request, d)),
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
        summary: 'Who may be assigned: the active registered members of the household’s grid (or, with no grid, those registered at its village itself), by name',
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
        for (const m of page) if (m.status === 'active' && (grid !== null || m.gridCode === null)) items.push({ memberId: m.id, name: m.name, role: m.role, gridCode: m.gridCode });
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
        if (!found) throw new ApiError(422, 'unprocessable', `memberId: no registered party member ${String(body.memberId)}`, [{ path: 'body.memberId', code: 'unknown_reference', message: 'unknown member; register them first' }]);
        if (found.status !== 'active') throw new ApiError(422, 'unprocessable', `memberId: member ${found.id} is inactive and takes no new pairing`, [{ path: 'body.memberId', code: 'inactive', message: 'the member is inactive' }]);
        member = memberRef(found);
      }
      const view = await temporal.workflow.getHandle(kase.workflowId).executeUpdate(pairingStepUpdates[name], { args: [{ caseId: kase._id, actor: actorOf(p), input: body, ...(member ? { member } : {}) }] });
      return presentView(request, view);
    },
  });
};
