import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { loadCatalogue, saveCatalogue, zCatalogue } from '../../store/catalogue';
import { RELATIONS } from '../../store/collections';
import { declareRelative, relativesDeclaredBy } from '../../store/relatives';
import { principalOf } from '../auth';
import { zErrorBody } from '../errors';
import { guardedHousehold } from '../guard';

/** Reference data users maintain: the "9+N+1" catalogue and staff's close-relative declarations. */
export const referenceRoutes: FastifyPluginAsyncZod = async (app) => {
  const db = app.deps.mongo.db;

  app.get('/v1/catalogue', { config: { guard: { on: 'catalogue', action: 'read' } }, schema: { tags: ['reference'], summary: 'The "9+N+1" catalogue: recipient categories, assistance items, social forces', response: { 200: zCatalogue } } }, async () =>
    loadCatalogue(db),
  );

  app.put(
    '/v1/catalogue',
    { config: { guard: { on: 'catalogue', action: 'edit' } }, schema: { tags: ['reference'], summary: 'Replace the city-wide catalogue', body: zCatalogue, response: { 200: zCatalogue, 400: zErrorBody, 403: zErrorBody } } },
    async (request) => {
      const p = principalOf(request);
      await saveCatalogue(db, request.body, p.userId);
      return request.body;
    },
  );

  const zRelative = z.object({ householdId: z.string(), relation: z.enum(RELATIONS), declaredAt: z.string() });

  app.post(
    '/v1/me/relatives',
    {
      config: { guard: { on: 'relatives', action: 'declare', target: 'household' } },
      schema: {
        tags: ['reference'],
        summary: 'Declare a close relative’s household, or your own (近亲属备案), within your jurisdiction; it binds the declarer wherever the household later lives',
        body: z.object({ householdId: z.string().min(1), relation: z.enum(RELATIONS) }).strict(),
        response: { 201: zRelative, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const household = guardedHousehold(request);
      const doc = await declareRelative(db, p.userId, household._id, request.body.relation);
      return reply.code(201).send({ householdId: doc.householdId, relation: doc.relation, declaredAt: doc.declaredAt.toISOString() });
    },
  );

  app.get('/v1/me/relatives', { config: { guard: { on: 'relatives', action: 'read' } }, schema: { tags: ['reference'], summary: 'My close-relative declarations', response: { 200: z.array(zRelative) } } }, async (request) => {
    const docs = await relativesDeclaredBy(db, principalOf(request).userId);
    return docs.map((d) => ({ householdId: d.householdId, relation: d.relation, declaredAt: d.declaredAt.toISOString() }));
  });

};
