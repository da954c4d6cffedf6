import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ORG_LEVEL_NAMES, zOrgCode, zOrgLevel } from '../../domain/org';
import { ROLE_NAMES, zRole } from '../../domain/roles';
import { actionsFor } from '../../domain/permissions';
import { principalOf } from '../auth';
import { zErrorBody } from '../errors';
import { guardedUnit } from '../guard';

const zUnitSummary = z.object({ code: z.string(), name: z.string(), level: zOrgLevel, levelName: z.string() });

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
          200: zUnitSummary.extend({ parent: z.string().nullable(), path: z.array(z.string()), children: z.array(zUnitSummary) }),
          403: zErrorBody,
          404: zErrorBody,
        },
      },
    },
    async (request) => {
      const unit = guardedUnit(request);
      const summary = (u: typeof unit) => ({ code: u.code, name: u.name, level: u.level, levelName: ORG_LEVEL_NAMES[u.level] });
      return { ...summary(unit), parent: unit.parent, path: unit.path, children: (await orgs.childrenOf(unit.code)).map(summary) };
    },
  );
};
