import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { zHouseholdInput, zRecipientCategory, type Household } from '../../domain/household';
import { zOrgCode } from '../../domain/org';
import { householdFor } from '../../domain/privacy';
import type { HouseholdDoc } from '../../store/collections';
import { householdsIn, registerHousehold } from '../../store/households';
import { principalOf, type Principal } from '../auth';
import { badRequest, conflict, zErrorBody } from '../errors';
import { guardedHousehold, guardedUnit, reach } from '../guard';
import { BY_ID, keysetPage, pageQuery, zPage } from '../pagination';

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

const show = (p: Principal, { _id, ...rest }: HouseholdDoc): Household => {
  return householdFor(p.role, { id: _id, ...rest });
};

export const householdRoutes: FastifyPluginAsyncZod = async (app) => {
  const { orgs, mongo } = app.deps;

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
      if ('conflict' in result) throw conflict('a household with this head of household ID number is already registered', { householdId: result.conflict });
      return reply.code(201).send(show(p, doc));
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
    async (request) => show(principalOf(request), guardedHousehold(request)),
  );

  app.get(
    '/v1/households',
    {
      config: { guard: { on: 'households', action: 'read', target: 'org' } },
      schema: {
        tags: ['households'],
        summary: 'Households in a unit’s subtree, cursor-paginated',
        querystring: z.object({
          org: zOrgCode.optional(),
          ...pageQuery(),
        }),
        response: { 200: zPage(zHousehold), 400: zErrorBody, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const org = guardedUnit(request).code;
      return keysetPage(
        BY_ID,
        request.query,
        (after, limit) => householdsIn(mongo.db, org, after, limit),
        (page) => page.map((d) => show(p, d)),
      );
    },
  );
};
