import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { RECIPIENT_CATEGORIES, zHouseholdInput, zHouseholdPatch, zRecipientCategory, type Household } from '../../domain/household';
import { loadCatalogue } from '../../store/catalogue';
import { zOrgCode } from '../../domain/org';
import { zIdNumber } from '../../domain/id-number';
import { zPersonName } from '../../domain/text';
import type { HouseholdDoc } from '../../store/collections';
import { findHousehold, householdsIn, registerHousehold, setHouseholdCategories, updateHousehold } from '../../store/households';
import { ensurePairing } from '../../activities/pairing';
import { mayOpenPairing, pairingIdOf, qualifies } from '../../domain/pairing';
import { findCase } from '../../store/cases';
import { pairingStepUpdates } from '../../workflows/pairing/contract';
import { inJurisdiction } from '../../domain/permissions';
import { actorOf, principalOf } from '../auth';
import { badRequest, conflict, notFound, zErrorBody } from '../errors';
import { guardedHousehold, guardedUnit, reach } from '../guard';
import { BY_ID, keysetPage, pageQuery, zPage } from '../pagination';
import { householdsSeenByNeed, presentHousehold, primeRelations } from '../present';
import { markSearch } from '../audit';
import { forgetKnownPersonalData } from '../../store/relations';
import { maskIdNumber, seesPersonalData } from '../../domain/privacy';
import { idNumberKey, piiOf } from '../../store/pii';
import { zQuery } from '../query';

const zHousehold = z.object({
  id: z.string(),
  headName: z.string(),
  headIdNumber: z.string(),
  members: z.array(z.object({ name: z.string(), idNumber: z.string(), relation: z.string() })),
  address: z.string(),
  phone: z.string(),
  unitCode: z.string(),
  villageCode: z.string(),
  orgPath: z.array(z.string()),
  categories: z.array(zRecipientCategory),
  createdAt: z.string(),
  createdBy: z.string(),
});

/** Household ids are opaque (no ID number in URLs, workflow ids or logs). */
const newHouseholdId = () => `hh-${randomBytes(6).toString('hex')}`;

/** A register entry as the caller may see it (api/present.ts). */
const show = (request: FastifyRequest, { _id, ...rest }: HouseholdDoc): Promise<Household> => presentHousehold(request, { id: _id, ...rest });

/**
 * The 409 for an ID number another household holds, in the one error shape: `details[0]` names the field
 * (`body.headIdNumber`, `body.members.<i>.idNumber`) with code `already_registered`, so the form shows it beside
 * the field; `params.householdId` names the holder only to a caller who may read it (null otherwise).
 */
function idNumberTaken(path: string, householdId: string | null) {
  const message = `this ID number is already registered in a household${householdId ? '' : ' (outside your jurisdiction)'}`;
  return conflict(`${path}: ${message}`, [{ path, code: 'already_registered', message, ...(householdId ? { params: { householdId } } : {}) }]);
}

export const householdRoutes: FastifyPluginAsyncZod = async (app) => {
  const { orgs, mongo, temporal, config } = app.deps;
  const pairingDeps = { temporal, orgs, taskQueue: config.temporal.taskQueue, policy: config.policy.pairing };

  /**
   * A household in a category the pairing policy names gets its pairing (党员帮包, issue 13) at once. Opening
   * is idempotent; if it fails here (Temporal unreachable, a crash), the household stands and the worker's
   * sweep (activities/pairing.ts sweepPairings) opens it later, so the answer does not fail for it.
   */
  async function openPairingFor(request: FastifyRequest, doc: HouseholdDoc, trigger: 'registered' | 'qualified'): Promise<void> {
    try {
      await ensurePairing(pairingDeps, doc, trigger, actorOf(principalOf(request)));
    } catch (err) {
      request.log.warn({ householdId: doc._id, err }, 'pairing not opened: the worker’s sweep will open it');
    }
  }

  app.post(
    '/v1/households',
    {
      config: { guard: { on: 'households', action: 'register', target: 'handler' } },
      schema: {
        tags: ['households'],
        summary: 'Register a household (户籍登记): head, members, ID numbers, village/community',
        body: zHouseholdInput,
        response: { 201: zHousehold, 400: zErrorBody, 403: zErrorBody, 409: zErrorBody },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const input = request.body;
      const unit = await orgs.get(input.unitCode);
      if (!unit) throw badRequest(`unitCode: org unit ${input.unitCode} does not exist`, [{ path: 'body.unitCode', message: 'unknown org unit' }]);
      if (unit.level !== 'village' && unit.level !== 'grid') {
        throw badRequest('unitCode: a household belongs to a village/community or a grid', [{ path: 'body.unitCode', message: `is a ${unit.level}` }]);
      }
      reach(request, unit.path);
      const village = unit.level === 'grid' ? unit.parent! : unit.code;
      const doc: HouseholdDoc = {
        _id: newHouseholdId(),
        ...input,
        villageCode: village,
        orgPath: unit.path,
        createdAt: new Date().toISOString(),
        createdBy: p.userId,
      };
      const result = await registerHousehold(mongo.db, doc);
      forgetKnownPersonalData(mongo.db);
      if ('conflict' in result) {
        const field = result.idNumber === input.headIdNumber ? 'headIdNumber' : `members.${input.members.findIndex((m) => m.idNumber === result.idNumber)}.idNumber`;
        // The holder is named only to those who may read it: otherwise any staff member could learn, for any ID
        // number in the city, which household holds it (found by a fresh-eyes probe).
        const holder = result.conflict === undefined ? null : await findHousehold(mongo.db, result.conflict);
        const visible = holder !== null && inJurisdiction(p.role, p.unit.code, holder.orgPath, 'read');
        throw idNumberTaken(`body.${field}`, visible ? holder._id : null);
      }
      if (qualifies(doc.categories, config.policy.pairing)) await openPairingFor(request, doc, 'registered');
      return reply.code(201).send(await show(request, doc));
    },
  );

  app.put(
    '/v1/households/:id/categories',
    {
      config: { guard: { on: 'households', action: 'categories', target: 'household' } },
      schema: {
        tags: ['households'],
        summary: 'Set a household’s recipient categories (救助对象类别): one that newly qualifies gets its pairing (党员帮包); one that stops qualifying ends it',
        params: z.object({ id: z.string().regex(/^hh-[0-9a-f]{12}$/, 'expected a household id such as hh-0123456789ab') }),
        body: z.object({ categories: z.array(zRecipientCategory).max(10) }).strict(),
        response: { 200: zHousehold, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => {
      const household = guardedHousehold(request);
      const categories = [...new Set(request.body.categories)];
      await setHouseholdCategories(mongo.db, household._id, categories);
      const doc: HouseholdDoc = { ...household, categories };
      const policy = config.policy.pairing;
      const pairing = await findCase(mongo.db, pairingIdOf(household._id), 'pairing');
      if (qualifies(categories, policy)) {
        // A pairing ended because the household moved away or died stays ended (domain/pairing.ts mayOpenPairing);
        // an open one is left as it is (opening is idempotent).
        const endedReason = (pairing?.view as { ended?: { reason?: string } | null } | undefined)?.ended?.reason ?? null;
        if (pairing?.status === 'open' || mayOpenPairing(pairing ? { status: pairing.status, endedReason } : undefined)) await openPairingFor(request, doc, 'qualified');
      } else {
        // It stopped qualifying: its open pairing ends (not counted as missed). A failure here is logged; the
        // pairing's village ends it through POST /v1/pairings/{id}/end.
        if (pairing?.status === 'open') {
          try {
            await temporal.workflow
              .getHandle(pairing.workflowId)
              .executeUpdate(pairingStepUpdates.end, { args: [{ caseId: pairing._id, actor: actorOf(principalOf(request)), input: { reason: 'no_longer_qualifies' } }] });
          } catch (err) {
            request.log.warn({ householdId: household._id, err }, 'pairing not ended after the household stopped qualifying');
          }
        }
      }
      return show(request, doc);
    },
  );

  app.patch(
    '/v1/households/:id',
    {
      config: { guard: { on: 'households', action: 'edit', target: 'household' } },
      schema: {
        tags: ['households'],
        summary: 'Correct a household’s address, phone or members (the whole list as it is now); the head and the head’s ID number are not edited; a member’s ID number held by another household is 409',
        params: z.object({ id: z.string().regex(/^hh-[0-9a-f]{12}$/, 'expected a household id such as hh-0123456789ab') }),
        body: zHouseholdPatch,
        response: { 200: zHousehold, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody, 409: zErrorBody },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const household = guardedHousehold(request);
      const patch = request.body;
      if (patch.members) {
        const seen = new Set([household.headIdNumber]);
        patch.members.forEach((m, i) => {
          if (seen.has(m.idNumber)) throw badRequest(`members.${i}.idNumber: this ID number appears twice in the household`, [{ path: `body.members.${i}.idNumber`, message: 'ID number appears twice in the household' }]);
          seen.add(m.idNumber);
        });
      }
      const result = await updateHousehold(mongo.db, household._id, patch);
      forgetKnownPersonalData(mongo.db);
      if (result === null) throw notFound(`household ${household._id} does not exist`);
      if ('conflict' in result) {
        const i = patch.members?.findIndex((m) => m.idNumber === result.idNumber) ?? -1;
        // As at registration: the holder is named only to those who may read it.
        const holder = result.conflict === undefined ? null : await findHousehold(mongo.db, result.conflict);
        const visible = holder !== null && inJurisdiction(p.role, p.unit.code, holder.orgPath, 'read');
        throw idNumberTaken(`body.members.${i}.idNumber`, visible ? holder._id : null);
      }
      return show(request, result.updated);
    },
  );

  app.get(
    '/v1/household-categories',
    {
      config: { guard: { on: 'households', action: 'read' } },
      schema: {
        tags: ['households'],
        summary: 'The recipient categories (救助对象类别) a household can be registered in, named as the catalogue names them (else by their short name)',
        response: { 200: z.array(z.object({ code: zRecipientCategory, name: z.string() })) },
      },
    },
    async () => {
      const names = new Map((await loadCatalogue(mongo.db)).categories.map((c) => [c.code, c.name]));
      return zRecipientCategory.options.map((code) => ({ code, name: names.get(code) ?? RECIPIENT_CATEGORIES[code] }));
    },
  );

  app.get(
    '/v1/households/:id',
    {
      config: { guard: { on: 'households', action: 'read', target: 'household' } },
      schema: {
        tags: ['households'],
        summary: 'One household; personal fields masked below town level',
        params: z.object({ id: z.string().regex(/^hh-[0-9a-f]{12}$/, 'expected a household id such as hh-0123456789ab') }),
        response: { 200: zHousehold, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => show(request, guardedHousehold(request)),
  );

  app.get(
    '/v1/households',
    {
      config: { guard: { on: 'households', action: 'read', target: 'org' } },
      schema: {
        tags: ['households'],
        summary: 'Households in a unit’s subtree, cursor-paginated; narrowed by the head’s name (or its beginning), a full ID number of any member (no partial match: numbers are sealed at rest), a recipient category. Below town, a search by name or ID number matches only households the caller sees by need; every such search is audited with its query',
        querystring: zQuery({
          org: zOrgCode.optional(),
          name: zPersonName.optional(),
          idNumber: zIdNumber.optional(),
          category: zRecipientCategory.optional(),
          ...pageQuery(),
        }),
        response: { 200: zPage(zHousehold), 400: zErrorBody, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => {
      const org = guardedUnit(request).code;
      const { name, idNumber } = request.query;
      const byPerson = name !== undefined || idNumber !== undefined;
      // A search by a person is audited with its query (not its results).
      if (byPerson) markSearch(request, { ...(name !== undefined ? { name } : {}), ...(idNumber !== undefined ? { idNumberMasked: maskIdNumber(idNumber), idNumberKey: idNumberKey(piiOf(mongo.db), idNumber) } : {}) });
      const search = { name, idNumber, category: request.query.category };
      // Below town, a search by a person runs only over the households the caller sees by need: one they would
      // see masked never matches (else `?name=王建` → 王** but `?name=王建军` → [] recovers a name one character
      // at a time, and `?idNumber=` tells who holds a number). Ours (the fresh-eyes pass on issue 14).
      const screened = byPerson && !seesPersonalData(principalOf(request).role);
      const read = async (after: string | undefined, limit: number): Promise<HouseholdDoc[]> => {
        if (!screened) return householdsIn(mongo.db, org, after, limit, search);
        const out: HouseholdDoc[] = [];
        let cursor = after;
        for (;;) {
          const batch = await householdsIn(mongo.db, org, cursor, limit, search);
          const ids = batch.map((d) => d._id);
          const seen = new Set((await householdsSeenByNeed(request, ids)));
          out.push(...batch.filter((d) => seen.has(d._id)));
          if (out.length >= limit || batch.length < limit) return out.slice(0, limit);
          cursor = batch.at(-1)!._id;
        }
      };
      return keysetPage(
        BY_ID,
        request.query,
        read,
        // One batch of relation facts for the page (privacy by need), then each row.
        async (page) => {
          await primeRelations(request, page.map((d) => d._id));
          return Promise.all(page.map((d) => show(request, d)));
        },
      );
    },
  );
};
