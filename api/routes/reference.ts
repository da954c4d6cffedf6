import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { categoriesInUse, loadCatalogue, saveCatalogue, zCatalogue } from '../../store/catalogue';
import { RELATIONS } from '../../store/collections';
import { declareRelative, relativesDeclaredBy } from '../../store/relatives';
import { principalOf } from '../auth';
import { conflict, zErrorBody } from '../errors';
import { guardedHousehold } from '../guard';

/** Reference data users maintain: the "9+N+1" catalogue and staff's close-relative declarations. */
export const referenceRoutes: FastifyPluginAsyncZod = async (app) => {
  const db = app.deps.mongo.db;

  app.get('/v1/catalogue', { config: { guard: { on: 'catalogue', action: 'read' } }, schema: { tags: ['reference'], summary: 'The "9+N+1" catalogue: recipient categories, assistance items, social forces', response: { 200: zCatalogue } } }, async () =>
    loadCatalogue(db),
  );

  app.put(
    '/v1/catalogue',
    { config: { guard: { on: 'catalogue', action: 'edit' } }, schema: { tags: ['reference'], summary: 'Replace the city-wide catalogue; 409 when it drops a recipient category a household or an open case uses', body: zCatalogue, response: { 200: zCatalogue, 400: zErrorBody, 403: zErrorBody, 409: zErrorBody } } },
    async (request) => {
      const p = principalOf(request);
      // The removed category is not in the body: the details point at body.categories and name its code.
      // A category in use stays (fresh-eyes on issue 14: dropping 低保 made every new application fail).
      const before = await loadCatalogue(db);
      const kept = new Set(request.body.categories.map((e) => e.code));
      const dropped = before.categories.filter((e) => !kept.has(e.code));
      const inUse = new Set(await categoriesInUse(db, dropped.map((e) => e.code)));
      const refused = dropped.filter((e) => inUse.has(e.code));
      if (refused.length > 0) {
        throw conflict(
          `body.categories: ${refused.map((e) => `${e.code} (${e.name})`).join(', ')} is in use by households or open cases and cannot be removed`,
          refused.map((e) => ({ path: 'body.categories', code: 'category_in_use', message: `${e.code} (${e.name}) is in use by households or open cases`, params: { code: e.code, name: e.name } })),
        );
      }
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
