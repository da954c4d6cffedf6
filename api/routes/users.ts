import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { zLogin, zStaffName, zUserId, PASSWORD_MAX } from '../../domain/account';
import { zPhone } from '../../domain/household';
import { zOrgCode } from '../../domain/org';
import { misplacedRole, ROLE_UNIT_LEVELS, zRole, type Role } from '../../domain/roles';
import { revokeUserSessions } from '../../store/sessions';
import { clearSignInAttempts, findUser, insertUser, listUsers, updateUser, type User } from '../../store/users';
import { hashPassword, temporaryPassword, userView } from '../accounts';
import { principalOf } from '../auth';
import { ApiError, badRequest, conflict, forbidden, notFound, zErrorBody } from '../errors';
import { guardedUnit, reach } from '../guard';
import { BY_ID, keysetPage, pageQuery, zPage } from '../pagination';
import { zQuery } from '../query';
import { passwordRefusal, zUserView } from './auth';

/**
 * The admin's users (用户管理; issue 14 item 2, docs/accounts.md): create, list, read, edit, reset the
 * password. An admin manages the users of their own unit's subtree (the matrix cell `user`, the guard's
 * reach). Disabling a user, changing their role or unit, and a reset revoke their sessions.
 */

const zParams = z.object({ login: zUserId });

declare module 'fastify' {
  interface FastifyRequest {
    account?: User;
  }
}

export const userRoutes: FastifyPluginAsyncZod = async (app) => {
  const { mongo, orgs } = app.deps;
  const db = mongo.db;

  /** The user `params.login` within the caller's reach (403 outside, 404 when none), loaded as early as the login is well-formed. */
  async function loadUser(request: FastifyRequest): Promise<User> {
    if (request.account) return request.account;
    const login = (request.params as { login?: unknown }).login;
    const u = typeof login === 'string' && zUserId.safeParse(login).success ? await findUser(db, login) : null;
    if (!u) throw notFound(`no user ${String(login)}`);
    reach(request, u.orgPath);
    request.account = u;
    return u;
  }
  const early = async (request: FastifyRequest) => {
    const login = (request.params as { login?: unknown }).login;
    if (typeof login === 'string' && zUserId.safeParse(login).success) await loadUser(request);
  };
  /** The unit a user is placed at: it exists (400 naming the field) and lies in the caller's reach (403). */
  async function unitFor(request: FastifyRequest, code: string, field: string) {
    const unit = await orgs.get(code);
    if (!unit) throw badRequest(`unitCode: org unit ${code} does not exist`, [{ path: field, code: 'unknown_unit', message: 'unknown org unit' }]);
    reach(request, unit.path);
    return unit;
  }
  /**
   * A role whose reach is wider than its unit's subtree — the city monitor reads the whole city — is given only by
   * an admin at the city: an admin of a town may not mint a reader of every town. Ours (no escalation beyond
   * one's own reach). @throws 403.
   */
  const refuseWiderRole = (request: FastifyRequest, role: string | undefined) => {
    if (role === 'city_monitor' && principalOf(request).unit.path.length > 1) throw forbidden('role city_monitor reads the whole city: only an admin at the city gives it');
  };
  /**
   * A role held at a unit of a level it may not hold (ROLE_UNIT_LEVELS: a town's staff at a village, a village's
   * staff at a grid, the city monitor at a town) is refused. @throws 422 naming body.role and body.unitCode, each
   * issue with `params: { role, levels, level }` (the levels the role is held at, the unit's) for clients to word. Ours.
   */
  const refuseMisplacedRole = (role: Role, unit: { code: string; level: string }) => {
    const message = misplacedRole(role, unit);
    if (message === null) return;
    const params = { role, levels: ROLE_UNIT_LEVELS[role], level: unit.level };
    throw new ApiError(422, 'unprocessable', message, ['body.role', 'body.unitCode'].map((path) => ({ path, code: 'role_unit_mismatch', message, params })), 'role_unit_mismatch');
  };
  const show = async (request: FastifyRequest, u: User) => userView(request, principalOf(request).role, u, (await orgs.get(u.unitCode))?.name);

  app.post(
    '/v1/users',
    {
      config: { guard: { on: 'user', action: 'create', target: 'handler' } },
      schema: {
        tags: ['users'],
        summary: 'Create a user (unit, role, name, phone); a temporary password the user must change at first sign-in is answered unless one is given',
        body: z
          .object({ login: zLogin, name: zStaffName, role: zRole, unitCode: zOrgCode, phone: zPhone.nullable().optional(), password: z.string().min(1).max(PASSWORD_MAX * 4).optional() })
          .strict(),
        response: { 201: z.object({ user: zUserView, temporaryPassword: z.string().optional() }), 400: zErrorBody, 403: zErrorBody, 409: zErrorBody, 422: zErrorBody },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const input = request.body;
      const unit = await unitFor(request, input.unitCode, 'body.unitCode');
      refuseWiderRole(request, input.role);
      refuseMisplacedRole(input.role, unit);
      if (input.password !== undefined) {
        const refusal = passwordRefusal('body.password', input.password, input.login);
        if (refusal) throw refusal;
      }
      const temporary = input.password === undefined ? temporaryPassword() : undefined;
      const at = new Date();
      const user: User = {
        _id: input.login,
        name: input.name,
        role: input.role,
        unitCode: unit.code,
        orgPath: unit.path,
        phone: input.phone ?? null,
        status: 'active',
        source: 'local',
        passwordHash: await hashPassword(input.password ?? temporary!),
        mustChangePassword: true,
        passwordChangedAt: null,
        failures: [],
        lockedUntil: null,
        createdAt: at,
        createdBy: p.userId,
        updatedAt: at,
        updatedBy: p.userId,
      };
      if (!(await insertUser(db, user))) throw conflict(`login: ${input.login} exists already`, [{ path: 'body.login', code: 'already_exists', message: 'this login exists already' }]);
      return reply.code(201).send({ user: await show(request, user), ...(temporary ? { temporaryPassword: temporary } : {}) });
    },
  );

  app.get(
    '/v1/users',
    {
      config: { guard: { on: 'user', action: 'read', target: 'org' } },
      schema: {
        tags: ['users'],
        summary: 'Users of a unit’s subtree (default: the caller’s), optionally of one role, by login; cursor-paginated',
        querystring: zQuery({ org: zOrgCode.optional(), role: zRole.optional(), ...pageQuery() }),
        response: { 200: zPage(zUserView), 400: zErrorBody, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => {
      const org = guardedUnit(request).code;
      const { role } = request.query;
      const names = new Map<string, string | undefined>();
      return keysetPage(
        BY_ID,
        request.query,
        (after, limit) => listUsers(db, org, role ? { role } : {}, after, limit),
        async (rows) => {
          for (const r of rows) if (!names.has(r.unitCode)) names.set(r.unitCode, (await orgs.get(r.unitCode))?.name);
          return rows.map((u) => userView(request, principalOf(request).role, u, names.get(u.unitCode)));
        },
      );
    },
  );

  app.get(
    '/v1/users/:login',
    {
      config: { guard: { on: 'user', action: 'read', target: 'handler' } },
      preValidation: early,
      schema: { tags: ['users'], summary: 'One user', params: zParams, response: { 200: zUserView, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody } },
    },
    async (request) => show(request, await loadUser(request)),
  );

  app.patch(
    '/v1/users/:login',
    {
      config: { guard: { on: 'user', action: 'edit', target: 'handler' } },
      preValidation: early,
      schema: {
        tags: ['users'],
        summary: 'Edit a user: name, phone, role, unit, status (disable/enable); a change of role, unit or disabling revokes their sessions; an OIDC user’s name, role and unit are the identity service’s (409 naming the field)',
        params: zParams,
        body: z
          .object({ name: zStaffName.optional(), phone: zPhone.nullable().optional(), role: zRole.optional(), unitCode: zOrgCode.optional(), status: z.enum(['active', 'disabled']).optional() })
          .strict()
          .refine((b) => Object.keys(b).length > 0, { message: 'name at least one field to change' }),
        response: { 200: zUserView, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody, 409: zErrorBody, 422: zErrorBody },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const u = await loadUser(request);
      const b = request.body;
      // An OIDC user's name, role and unit come from the identity service at every sign-in: an edit here would be
      // silently overwritten, so it is refused naming the field (change it at the identity service). Ours.
      if (u.source === 'oidc') {
        const fields = (['name', 'role', 'unitCode'] as const).filter((f) => b[f] !== undefined && b[f] !== u[f]);
        if (fields.length > 0) {
          throw new ApiError(409, 'conflict', `${fields.join(', ')}: ${u._id} signs in through the identity service, which sets these at every sign-in (由统一身份认证维护，请在该系统修改)`, fields.map((f) => ({ path: `body.${f}`, code: 'set_by_identity_service', message: '由统一身份认证维护，请在该系统修改' })), 'oidc_account');
        }
      }
      const unit = b.unitCode !== undefined && b.unitCode !== u.unitCode ? await unitFor(request, b.unitCode, 'body.unitCode') : undefined;
      if (b.role !== u.role) refuseWiderRole(request, b.role);
      if (unit || (b.role !== undefined && b.role !== u.role)) {
        const placed = unit ?? (await orgs.get(u.unitCode));
        if (placed) refuseMisplacedRole(b.role ?? u.role, placed);
      }
      if (u._id === p.userId && (b.status === 'disabled' || (b.role !== undefined && b.role !== u.role) || unit)) {
        throw new ApiError(409, 'conflict', 'you may not disable yourself or change your own role or unit: ask another admin', undefined, 'own_account');
      }
      const at = new Date();
      const updated = (await updateUser(db, u._id, {
        ...(b.name !== undefined ? { name: b.name } : {}),
        ...(b.phone !== undefined ? { phone: b.phone } : {}),
        ...(b.role !== undefined ? { role: b.role } : {}),
        ...(unit ? { unitCode: unit.code, orgPath: unit.path } : {}),
        ...(b.status !== undefined ? { status: b.status } : {}),
        updatedAt: at,
        updatedBy: p.userId,
      }))!;
      const reason = b.status === 'disabled' && u.status !== 'disabled' ? 'user_disabled' : (b.role !== undefined && b.role !== u.role) || unit ? 'user_changed' : null;
      if (reason) await revokeUserSessions(db, u._id, reason, at);
      return show(request, updated);
    },
  );

  app.post(
    '/v1/users/:login/password-reset',
    {
      config: { guard: { on: 'user', action: 'reset', target: 'handler' } },
      preValidation: early,
      schema: {
        tags: ['users'],
        summary: 'Reset a user’s password: a temporary one they must change at next sign-in; their sessions are revoked and a lockout lifted',
        params: zParams,
        response: { 200: z.object({ login: z.string(), temporaryPassword: z.string() }), 400: zErrorBody, 403: zErrorBody, 404: zErrorBody, 409: zErrorBody },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const u = await loadUser(request);
      if (u.source === 'oidc') throw new ApiError(409, 'conflict', `${u._id} signs in through the identity service: its password is kept there`, undefined, 'oidc_account');
      const temporary = temporaryPassword();
      const at = new Date();
      await updateUser(db, u._id, { passwordHash: await hashPassword(temporary), mustChangePassword: true, failures: [], lockedUntil: null, updatedAt: at, updatedBy: p.userId });
      await revokeUserSessions(db, u._id, 'password_reset', at);
      await clearSignInAttempts(db, u._id);
      return { login: u._id, temporaryPassword: temporary };
    },
  );
};
