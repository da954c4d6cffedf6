import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PASSWORD_ISSUE_TEXT, PASSWORD_MAX, passwordIssues, zLogin } from '../../domain/account';
import { zRole } from '../../domain/roles';
import { revokeSession, revokeUserSessions, findSession } from '../../store/sessions';
import { clearSignInAttempts, findUser, lockSignIns, reserveSignInAttempt, updateUser, type User } from '../../store/users';
import { accessTokenFor, clearRefreshCookie, hashPassword, openSession, refreshCookieOf, rotateSession, setRefreshCookie, sidOfRefresh, userView, verifyPassword } from '../accounts';
import { principalOf, verifyToken } from '../auth';
import { ApiError, notFound, zErrorBody, type ApiReason } from '../errors';
import { reach } from '../guard';
import { clientKey, SlidingWindowLimiter, tooManyRequests } from '../rate-limit';
import { oidcRoutes } from './oidc';

/**
 * Staff sign-in (issue 14 item 2; docs/accounts.md): password sign-in with lockout, refresh with rotation,
 * sign-out, one's own password change, and what the sign-in screen offers. The mechanism is api/accounts.ts.
 */

export const zUserView = z.object({
  login: z.string(),
  name: z.string(),
  role: zRole,
  unitCode: z.string(),
  unitName: z.string().optional(),
  phone: z.string().nullable(),
  status: z.enum(['active', 'disabled']),
  source: z.enum(['local', 'oidc']),
  mustChangePassword: z.boolean(),
  lockedUntil: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  updatedBy: z.string(),
});

const zSignedIn = z.object({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  /** The access token's lifetime, seconds. */
  expiresIn: z.number().int(),
  /**
   * The session's idle expiry, seconds (AUTH_SESSION_IDLE_SECONDS): a client renews the token without the user's
   * input only within it of the user's last input, so that a workspace left open on screen signs out as one left
   * hidden does (等保2.0 8.1.4.1 登录连接超时自动退出; web/src/api.ts).
   */
  idleSeconds: z.number().int(),
  user: zUserView,
});

/** A 422 naming the new password's field, listing the rules it breaks. */
export function passwordRefusal(path: string, password: string, login: string): ApiError | null {
  const issues = passwordIssues(password, login);
  if (issues.length === 0) return null;
  const message = issues.map((i) => PASSWORD_ISSUE_TEXT[i]).join('; ');
  return new ApiError(422, 'unprocessable', `${path.replace(/^body\./, '')}: ${message}`, issues.map((code) => ({ path, code: `password_${code}`, message: PASSWORD_ISSUE_TEXT[code] })));
}

const invalidCredentials = () => new ApiError(401, 'unauthorized', 'login or password is wrong (登录名或密码错误)', undefined, 'invalid_credentials');

export const authRoutes: FastifyPluginAsyncZod = async (app) => {
  const { mongo, config, orgs } = app.deps;
  const db = mongo.db;
  const auth = config.auth;
  const rule = { maxFailures: auth.maxFailures, windowMs: auth.failureWindowSeconds * 1000, lockoutMs: auth.lockoutSeconds * 1000 };
  // Failed sign-ins per client address (any login).
  // (Per process: behind several instances limit at the shared entrance as well, api/rate-limit.ts.) The
  // failure state of each login, existing or not, is in the database (store/users.ts `reserveSignInAttempt`),
  // so every instance answers alike.
  const clientFailures = new SlidingWindowLimiter({ max: auth.clientMaxFailures, windowMs: auth.failureWindowSeconds * 1000 });
  const locked = (reply: FastifyReply, ms: number) => tooManyRequests(reply, ms, 'account_locked', 'this login is locked after repeated failed sign-ins (账号已锁定)');

  const unitName = async (code: string) => (await orgs.get(code))?.name;

  /** The answer of a signed-in session: a fresh access token, the refresh cookie, who one is. */
  async function signedIn(request: FastifyRequest, reply: FastifyReply, user: User, sid: string, refreshToken: string | null, expiresAt: Date) {
    // null: the grace answer of a refresh (api/accounts.ts rotateSession) — the browser keeps the successor it has.
    if (refreshToken !== null) setRefreshCookie(reply, config, refreshToken, expiresAt);
    const unit = await orgs.get(user.unitCode);
    // The audit record of this request names who signed in.
    if (unit) request.principal = { userId: user._id, role: user.role, unit, name: user.name, sid };
    return { accessToken: await accessTokenFor(config, user, sid), tokenType: 'Bearer' as const, expiresIn: auth.accessTokenSeconds, idleSeconds: auth.sessionIdleSeconds, user: userView(null, user.role, user, unit?.name) };
  }

  app.get(
    '/v1/auth/options',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'How staff may sign in here: password, OIDC (统一身份认证) when configured, ready-made tokens outside production',
        security: [],
        response: { 200: z.object({ password: z.boolean(), oidc: z.boolean(), devTokens: z.boolean(), accessTokenSeconds: z.number().int() }) },
      },
    },
    async () => ({ password: true, oidc: auth.oidc !== null, devTokens: config.env !== 'production', accessTokenSeconds: auth.accessTokenSeconds }),
  );

  app.post(
    '/v1/auth/sign-in',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with login and password: an access token, and the refresh token as an HttpOnly cookie (Path=/v1/auth)',
        description:
          'A wrong login or password is 401 `invalid_credentials` whether or not the login exists. ' +
          `${auth.maxFailures} failures of one login within ${auth.failureWindowSeconds} s lock it for ${auth.lockoutSeconds} s (429 \`account_locked\`, Retry-After), ` +
          `and ${auth.clientMaxFailures} failures from one address within the window refuse it (429 \`client_sign_in_limit\`), the same answer for any login.`,
        security: [],
        body: z.object({ login: z.string().trim().toLowerCase().min(1).max(200), password: z.string().min(1).max(PASSWORD_MAX * 4) }).strict(),
        response: { 200: zSignedIn, 400: zErrorBody, 401: zErrorBody, 429: zErrorBody },
      },
    },
    async (request, reply) => {
      const { login, password } = request.body;
      const client = clientKey(request.ip);
      // The address's slot and the login's attempt are reserved BEFORE the (slow) password check, so parallel
      // attempts cannot all pass on a count read before any of them wrote it back.
      const byClient = clientFailures.take(client);
      if (!byClient.allowed) return tooManyRequests(reply, byClient.retryAfterMs, 'client_sign_in_limit', 'too many failed sign-ins from this address');
      const now = new Date();
      const reservation = await reserveSignInAttempt(db, login, now, rule);
      if (!reservation.reserved) {
        clientFailures.release(client);
        return locked(reply, reservation.lockedForMs);
      }
      const user = zLogin.safeParse(login).success ? await findUser(db, login) : null;
      // Constant work: the hash is verified (or a dummy one) whatever the outcome.
      const ok = await verifyPassword(user?.passwordHash ?? null, password);
      if (!ok || !user) {
        // A failure keeps its reserved slot; the last slot's failure locks the login.
        if (reservation.last) return locked(reply, (await lockSignIns(db, login, now, rule)).getTime() - now.getTime());
        throw invalidCredentials();
      }
      clientFailures.release(client);
      await clearSignInAttempts(db, user._id);
      if (user.status !== 'active') throw new ApiError(401, 'unauthorized', 'this account is disabled (账号已停用): ask your administrator', undefined, 'account_disabled');
      const { sid, refreshToken } = await openSession(db, auth, user._id, 'password');
      return signedIn(request, reply, user, sid, refreshToken, new Date(Date.now() + auth.sessionMaxSeconds * 1000));
    },
  );

  app.post(
    '/v1/auth/refresh',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'A new access token from the refresh cookie, which is rotated; a rotated-away refresh token presented again revokes its session (but the one rotated away last, within AUTH_REFRESH_GRACE_SECONDS, answers an access token without a new cookie)',
        security: [],
        response: { 200: zSignedIn, 401: zErrorBody },
      },
    },
    async (request, reply) => {
      const result = await rotateSession(db, auth, refreshCookieOf(request));
      const refuse = (reason: ApiReason, message: string) => {
        clearRefreshCookie(reply, config);
        return new ApiError(401, 'unauthorized', message, undefined, reason);
      };
      if ('refused' in result) {
        const messages = {
          refresh_missing: 'no refresh cookie: sign in',
          refresh_invalid: 'the refresh token is not valid: sign in again',
          refresh_expired: 'the session has ended: sign in again',
          refresh_reused: 'this refresh token was used before: its session is revoked (sign in again)',
        };
        throw refuse(result.refused, messages[result.refused]);
      }
      const user = await findUser(db, result.session.userId);
      if (!user || user.status !== 'active') {
        await revokeSession(db, result.session._id, 'user_disabled', new Date());
        throw refuse('account_disabled', 'this account is disabled (账号已停用)');
      }
      return signedIn(request, reply, user, result.session._id, result.refreshToken, result.session.expiresAt);
    },
  );

  app.post(
    '/v1/auth/sign-out',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Sign out: the session of the refresh cookie and of the bearer token is revoked, and its access tokens refused at once',
        security: [],
        response: { 200: z.object({ signedOut: z.literal(true) }) },
      },
    },
    async (request, reply) => {
      const now = new Date();
      const sids = new Set<string>();
      const fromCookie = sidOfRefresh(refreshCookieOf(request));
      if (fromCookie && (await rotateSession(db, auth, refreshCookieOf(request)).then((r) => 'session' in r))) sids.add(fromCookie);
      const header = request.headers.authorization;
      if (header?.toLowerCase().startsWith('bearer ')) {
        const claims = await verifyToken(config.jwtSecret, config.tokens, header.slice(7).trim()).catch(() => null);
        if (claims?.sid) {
          sids.add(claims.sid);
          const session = await findSession(db, claims.sid);
          const unit = await orgs.get(claims.org);
          if (session && unit) request.principal = { userId: claims.sub, role: claims.role, unit, sid: claims.sid };
        }
      }
      for (const sid of sids) await revokeSession(db, sid, 'signed_out', now);
      clearRefreshCookie(reply, config);
      return { signedOut: true as const };
    },
  );

  app.post(
    '/v1/auth/password',
    {
      config: { guard: { on: 'account', action: 'password', target: 'handler' } },
      schema: {
        tags: ['auth'],
        summary: 'Change one’s own password: the other sessions of the account are revoked; answers a new access token for this one',
        body: z.object({ currentPassword: z.string().min(1).max(PASSWORD_MAX * 4), newPassword: z.string().min(1).max(PASSWORD_MAX * 4) }).strict(),
        response: { 200: zSignedIn, 400: zErrorBody, 401: zErrorBody, 403: zErrorBody, 404: zErrorBody, 422: zErrorBody, 429: zErrorBody },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      reach(request, p.unit.path);
      const user = await findUser(db, p.userId);
      if (!user || !user.passwordHash) throw notFound('this sign-in has no password of its own here (a ready-made token, or an account of the identity service)');
      const now = new Date();
      const reservation = await reserveSignInAttempt(db, user._id, now, rule);
      if (!reservation.reserved) return locked(reply, reservation.lockedForMs);
      const ok = await verifyPassword(user.passwordHash, request.body.currentPassword);
      if (!ok) {
        if (reservation.last) return locked(reply, (await lockSignIns(db, user._id, now, rule)).getTime() - now.getTime());
        throw new ApiError(422, 'unprocessable', 'currentPassword: not your current password', [{ path: 'body.currentPassword', code: 'wrong_password', message: 'not your current password (当前密码错误)' }]);
      }
      await clearSignInAttempts(db, user._id);
      const refusal = passwordRefusal('body.newPassword', request.body.newPassword, user._id);
      if (refusal) throw refusal;
      if (request.body.newPassword === request.body.currentPassword) {
        throw new ApiError(422, 'unprocessable', 'newPassword: must differ from the current one', [{ path: 'body.newPassword', code: 'password_unchanged', message: 'must differ from the current password (新密码不能与当前密码相同)' }]);
      }
      const at = new Date();
      const updated = (await updateUser(db, user._id, { passwordHash: await hashPassword(request.body.newPassword), mustChangePassword: false, passwordChangedAt: at, failures: [], lockedUntil: null, updatedAt: at, updatedBy: user._id }))!;
      await revokeUserSessions(db, user._id, 'password_changed', at, p.sid);
      if (!p.sid) {
        // Changed with a ready-made token (outside production): a session of its own, as a sign-in would open.
        const opened = await openSession(db, auth, user._id, 'password');
        return signedIn(request, reply, updated, opened.sid, opened.refreshToken, new Date(Date.now() + auth.sessionMaxSeconds * 1000));
      }
      return { accessToken: await accessTokenFor(config, updated, p.sid), tokenType: 'Bearer' as const, expiresIn: auth.accessTokenSeconds, idleSeconds: auth.sessionIdleSeconds, user: userView(null, updated.role, updated, await unitName(updated.unitCode)) };
    },
  );

  await app.register(oidcRoutes, { signedIn });
};
