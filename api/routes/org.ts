import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { childCodeExample, childCodeProblem, childLevelOf, ORG_LEVEL_NAMES, zOrgCode, zOrgLevel, type OrgUnit } from '../../domain/org';
import { hasUnsafeCharacter, TRIMMED_SPACE_CLASS, UNSAFE_CHARACTER_CLASS, UNSAFE_CHARACTER_MESSAGE } from '../../domain/text';
import { addOrgUnit, renameOrgUnit } from '../../store/org-units';
import { ROLE_NAMES, zRole } from '../../domain/roles';
import { actionsFor } from '../../domain/permissions';
import { principalOf } from '../auth';
import { ApiError, conflict, notFound, zErrorBody } from '../errors';
import { zQuery } from '../query';
import { guardedUnit } from '../guard';

const zUnitSummary = z.object({ code: z.string(), name: z.string(), level: zOrgLevel, levelName: z.string() });
const zUnitView = zUnitSummary.extend({
  parent: z.string().nullable(),
  path: z.array(z.string()),
  /** The path's units with their names, root first (the unit itself last). */
  trail: z.array(z.object({ code: z.string(), name: z.string() })),
  children: z.array(zUnitSummary),
  /** The level a unit added below this one has, and a code it could have (its code extends this one's); null below a grid. */
  childLevel: zOrgLevel.nullable(),
  childCodeExample: z.string().nullable(),
});

/** The characters a unit's name may not hold: those no text may (domain/text.ts), and tab and line breaks (a name is one line). */
const NOT_IN_NAME_CLASS = `${UNSAFE_CHARACTER_CLASS}\\u0009\\u000A\\u000D`;

/**
 * A unit's name as an admin writes it: NFC, trimmed, 1–50 characters, one line, no control or bidi
 * character (code `invalid_character`); the OpenAPI states the rule as its pattern (not blank, none of
 * those characters). Ours.
 */
const zUnitName = z
  .string()
  .overwrite((s) => s.normalize('NFC').trim())
  .min(1)
  .max(50)
  .refine((s) => !hasUnsafeCharacter(s) && !/[\t\n\r]/.test(s), { message: `one line: ${UNSAFE_CHARACTER_MESSAGE}, no tab or line break`, params: { code: 'invalid_character' } })
  .meta({ pattern: `^[^${NOT_IN_NAME_CLASS}]*[^${TRIMMED_SPACE_CLASS}${NOT_IN_NAME_CLASS}][^${NOT_IN_NAME_CLASS}]*$` });

/** A 422 naming one field of the body: a well-formed value the tree's rules refuse. */
const unprocessable = (field: string, code: string, message: string) => new ApiError(422, 'unprocessable', `${field}: ${message}`, [{ path: `body.${field}`, code, message }]);

export const orgRoutes: FastifyPluginAsyncZod = async (app) => {
  const { orgs } = app.deps;

  app.get(
    '/v1/me',
    {
      config: { guard: { on: 'org', action: 'read' } },
      schema: {
        tags: ['identity'],
        summary: 'Who the caller is: user, role, unit and its path, and what they may do (per case kind or resource, the actions of domain/permissions.ts)',
        response: {
          200: z.object({
            userId: z.string(),
            name: z.string().optional(),
            role: zRole,
            roleName: z.string(),
            unit: zUnitSummary,
            path: z.array(z.object({ code: z.string(), name: z.string() })),
            /** Per case kind or resource, the actions the role may take (within the caller's jurisdiction). */
            actions: z.record(z.string(), z.array(z.string())),
          }),
          401: zErrorBody,
        },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const path = await Promise.all(p.unit.path.map(async (code) => ({ code, name: (await orgs.get(code))?.name ?? code })));
      return {
        userId: p.userId,
        ...(p.name ? { name: p.name } : {}),
        role: p.role,
        roleName: ROLE_NAMES[p.role],
        unit: { code: p.unit.code, name: p.unit.name, level: p.unit.level, levelName: ORG_LEVEL_NAMES[p.unit.level] },
        path,
        actions: actionsFor(p.role),
      };
    },
  );

  app.get(
    '/v1/org-units/:code',
    {
      config: { guard: { on: 'org', action: 'read', target: 'unit' } },
      schema: {
        tags: ['identity'],
        summary: 'An org unit with its children, within the caller’s reach',
        params: z.object({ code: zOrgCode }),
        response: {
          200: zUnitView,
          403: zErrorBody,
          404: zErrorBody,
        },
      },
    },
    async (request) => viewOf(guardedUnit(request)),
  );

  const summary = (u: OrgUnit) => ({ code: u.code, name: u.name, level: u.level, levelName: ORG_LEVEL_NAMES[u.level] });
  const trailOf = (path: readonly string[]) => Promise.all(path.map(async (code) => ({ code, name: (await orgs.get(code))?.name ?? code })));
  const viewOf = async (unit: OrgUnit) => ({
    ...summary(unit),
    parent: unit.parent,
    path: unit.path,
    trail: await trailOf(unit.path),
    children: (await orgs.childrenOf(unit.code)).map(summary),
    childLevel: childLevelOf(unit.level),
    childCodeExample: childCodeExample(unit),
  });

  app.get(
    '/v1/org-units',
    {
      config: { guard: { on: 'org', action: 'read', target: 'org' } },
      schema: {
        tags: ['identity'],
        summary: 'Search the org tree below `org` (default: the caller’s unit) by name (contains) or code (starts with); at most 50, in code order',
        querystring: zQuery({ q: z.string().trim().min(1).max(50), org: zOrgCode.optional() }),
        response: {
          200: z.object({ items: z.array(zUnitSummary.extend({ path: z.array(z.object({ code: z.string(), name: z.string() })) })) }),
          400: zErrorBody,
          403: zErrorBody,
          404: zErrorBody,
        },
      },
    },
    async (request) => {
      const root = guardedUnit(request);
      const found = await orgs.search(root.code, request.query.q, 50);
      const items = await Promise.all(
        found.map(async (u) => ({ ...summary(u), path: await trailOf(u.path) })),
      );
      return { items };
    },
  );

  app.post(
    '/v1/org-units/:code/children',
    {
      config: { guard: { on: 'org', action: 'edit', target: 'unit' } },
      schema: {
        tags: ['identity'],
        summary:
          'Add a unit below `:code` (a town, a village, a grid): its level is the next one down, its code extends the parent’s (docs/admin.md). Cases already open keep the ladder they were started with.',
        params: z.object({ code: zOrgCode }),
        body: z.strictObject({ code: zOrgCode, name: zUnitName }),
        response: { 201: zUnitView, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody, 409: zErrorBody, 422: zErrorBody },
      },
    },
    async (request, reply) => {
      const parent = guardedUnit(request);
      const { code, name } = request.body;
      const level = childLevelOf(parent.level);
      if (!level) throw unprocessable('code', 'no_children', `${parent.name} ${parent.code} is a grid: no unit lies below a grid`);
      const problem = childCodeProblem(parent, code);
      if (problem) throw unprocessable('code', 'code_not_under_parent', problem);
      const siblings = await orgs.childrenOf(parent.code);
      if (siblings.some((u) => u.name === name)) throw unprocessable('name', 'duplicate_name', `${parent.name} already has a unit named ${name}`);
      const unit: OrgUnit = { code, name, level, parent: parent.code, path: [...parent.path, code] };
      if ((await addOrgUnit(app.deps.mongo.db, unit, principalOf(request).userId)) === 'exists') {
        throw conflict(`org unit ${code} already exists`, [{ path: 'body.code', code: 'duplicate_code', message: `org unit ${code} already exists` }]);
      }
      await orgs.refresh();
      request.log.info({ unit: code, parent: parent.code }, 'org unit added');
      return reply.code(201).send(await viewOf(unit));
    },
  );

  app.patch(
    '/v1/org-units/:code',
    {
      config: { guard: { on: 'org', action: 'edit', target: 'unit' } },
      schema: {
        tags: ['identity'],
        summary: 'Rename a unit (its code stays). Cases already open keep the name they were started with in their unit and ladder (docs/admin.md).',
        params: z.object({ code: zOrgCode }),
        body: z.strictObject({ name: zUnitName }),
        response: { 200: zUnitView, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody, 409: zErrorBody, 422: zErrorBody },
      },
    },
    async (request) => {
      const unit = guardedUnit(request);
      const { name } = request.body;
      if (name !== unit.name && unit.parent !== null && (await orgs.childrenOf(unit.parent)).some((u) => u.name === name)) {
        throw unprocessable('name', 'duplicate_name', `another unit of the same parent is named ${name}`);
      }
      if (name !== unit.name) {
        const former = await renameOrgUnit(app.deps.mongo.db, unit.code, unit.name, name, principalOf(request).userId);
        await orgs.refresh();
        if (former === null) {
          if (!(await orgs.get(unit.code))) throw notFound(`org unit ${unit.code} not found`);
          throw conflict(`org unit ${unit.code} was renamed meanwhile; read it again`);
        }
        request.log.info({ unit: unit.code, from: former, to: name }, 'org unit renamed');
      }
      return viewOf({ ...unit, name });
    },
  );
};
