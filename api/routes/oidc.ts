import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import * as oidc from 'openid-client';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { zStaffName } from '../../domain/account';
import { misplacedRole, zRole } from '../../domain/roles';
import { findUser, upsertOidcUser, type User } from '../../store/users';
import { openSession, secureCookies } from '../accounts';
import { ApiError, zErrorBody, type ApiReason } from '../errors';

/**
 * OIDC sign-in for cities with a unified identity service (统一身份认证; issue 14 item 2, docs/accounts.md),
 * through `openid-client` (panva; certified OpenID relying party): authorization code flow with PKCE (S256),
 * `state` and `nonce`, the ID token's signature, issuer, audience and nonce checked by the library. The
 * role and the unit come from the claims config.auth.oidc names — from the ID token, or from userinfo when the
 * ID token lacks them (OIDC Core 5.4; userinfo's `sub` checked against the ID token's); the user is `oidc:<sub>` in `users`
 * (created or refreshed at each sign-in, disabled by an admin like any other). The callback opens a session
 * like a password sign-in (the refresh cookie) and sends the browser to the workspace, which gets its access
 * token by refreshing. Between start and callback the flow's secrets live in a signed, HttpOnly cookie on
 * /v1/auth/oidc, for 10 minutes.
 */

const FLOW_COOKIE = 'jiuzhu_oidc';
const FLOW_PATH = '/v1/auth/oidc';

const zFlow = z.object({ state: z.string(), nonce: z.string(), verifier: z.string() });

export interface OidcRoutesOptions {
  /** The answer of a new session (api/routes/auth.ts): sets the refresh cookie. */
  signedIn(request: FastifyRequest, reply: FastifyReply, user: User, sid: string, refreshToken: string, expiresAt: Date): Promise<unknown>;
}

const refused = (reason: ApiReason, message: string) => new ApiError(403, 'forbidden', message, undefined, reason);

export const oidcRoutes: FastifyPluginAsyncZod<OidcRoutesOptions> = async (app, opts) => {
  const { config, mongo, orgs } = app.deps;
  const settings = config.auth.oidc;
  if (!settings) return;
  const secure = secureCookies(config);
  /** Ends the flow: its cookie is cleared whatever the callback's outcome (a flow is used once). */
  const clearFlow = (reply: FastifyReply) => reply.clearCookie(FLOW_COOKIE, { path: FLOW_PATH, httpOnly: true, secure, sameSite: 'lax' });

  let discovered: Promise<oidc.Configuration> | undefined;
  /** The identity service's configuration (its discovery document), read once and kept; a failure is retried next time. */
  const provider = (): Promise<oidc.Configuration> => {
    discovered ??= oidc
      .discovery(new URL(settings.issuer), settings.clientId, settings.clientSecret, undefined, settings.issuer.startsWith('http:') ? { execute: [oidc.allowInsecureRequests] } : undefined)
      .catch((err: unknown) => {
        discovered = undefined;
        throw new ApiError(503, 'service_unavailable', `the identity service ${settings.issuer} cannot be reached: ${(err as Error).message}`);
      });
    return discovered;
  };

  app.get(
    '/v1/auth/oidc/start',
    {
      config: { public: true },
      schema: { tags: ['auth'], summary: 'OIDC sign-in (统一身份认证): redirects to the identity service', security: [], response: { 302: z.null(), 503: zErrorBody } },
    },
    async (_request, reply) => {
      const cfg = await provider();
      const flow = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier() };
      const url = oidc.buildAuthorizationUrl(cfg, {
        redirect_uri: settings.redirectUri,
        scope: settings.scopes,
        response_type: 'code',
        state: flow.state,
        nonce: flow.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(flow.verifier),
        code_challenge_method: 'S256',
      });
      reply.setCookie(FLOW_COOKIE, JSON.stringify(flow), { signed: true, httpOnly: true, secure, sameSite: 'lax', path: FLOW_PATH, maxAge: 600 });
      return reply.redirect(url.href, 302);
    },
  );

  app.get(
    '/v1/auth/oidc/callback',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'OIDC callback: checks the answer, opens a session (the refresh cookie) and redirects to the workspace',
        description:
          'Every refusal (a malformed query — `oidc_bad_callback`; a role or unit claim missing, invalid or naming no unit; a name claim that is not a person’s name; a disabled account; a failed exchange; the identity service unreachable) redirects to the workspace’s sign-in with `?oidc_error=<reason>`, which it shows in Chinese; the API’s log names the claim and its value.',
        security: [],
        querystring: z.object({ code: z.string().max(2000).optional(), state: z.string().max(500).optional(), error: z.string().max(200).optional(), error_description: z.string().max(1000).optional(), iss: z.string().max(500).optional(), session_state: z.string().max(500).optional() }),
        response: { 302: z.null() },
      },
      // A person at a browser: every refusal — the query's (its schema, the text rule), the flow's, the claims' —
      // goes back to the workspace's sign-in, which says why in Chinese (by the reason); the details (the
      // claim and its value, the library's message) go to the log for the operator. Anything else (a bug) to
      // the app's handler (a 500).
      errorHandler: (err, request, reply) => {
        let reason: string;
        if (err instanceof ApiError) reason = err.reason ?? (err.status === 400 ? 'oidc_bad_callback' : err.status === 503 ? 'oidc_unavailable' : 'oidc_failed');
        else if (hasZodFastifySchemaValidationErrors(err)) reason = 'oidc_bad_callback';
        else throw err;
        request.log.warn({ reason }, `OIDC sign-in refused: ${err.message}`);
        clearFlow(reply);
        return reply.redirect(`/app/signin?oidc_error=${encodeURIComponent(reason)}`, 302);
      },
    },
    async (request, reply) => {
      const raw = request.cookies[FLOW_COOKIE];
      const unsigned = raw === undefined ? null : request.unsignCookie(raw);
      clearFlow(reply);
      let flow: z.infer<typeof zFlow> | null = null;
      try {
        flow = unsigned?.valid && unsigned.value ? zFlow.parse(JSON.parse(unsigned.value)) : null;
      } catch {
        flow = null;
      }
      if (!flow) throw new ApiError(401, 'unauthorized', 'no OIDC sign-in under way in this browser (start again at /v1/auth/oidc/start)', undefined, 'oidc_no_flow');
      if (request.query.error) throw new ApiError(401, 'unauthorized', `the identity service refused: ${request.query.error}${request.query.error_description ? ` (${request.query.error_description})` : ''}`, undefined, 'oidc_refused');
      const cfg = await provider();
      const current = new URL(settings.redirectUri);
      current.search = new URL(request.url, 'http://x').search;
      let claims: Record<string, unknown>;
      try {
        const tokens = await oidc.authorizationCodeGrant(cfg, current, { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce, idTokenExpected: true });
        claims = (tokens.claims() ?? {}) as Record<string, unknown>;
        // A provider following OIDC Core 5.4 returns scope-requested claims from userinfo, not in the ID token:
        // when a mapped claim is missing, ask userinfo (the library checks its `sub` is the ID token's).
        if ((claims[settings.roleClaim] === undefined || claims[settings.unitClaim] === undefined || claims.name === undefined) && typeof claims.sub === 'string') {
          const info = (await oidc.fetchUserInfo(cfg, tokens.access_token, claims.sub)) as Record<string, unknown>;
          claims = { ...info, ...claims };
        }
      } catch (err) {
        throw new ApiError(401, 'unauthorized', `OIDC sign-in failed: ${(err as Error).message}`, undefined, 'oidc_failed');
      }
      const sub = claims.sub;
      if (typeof sub !== 'string' || !/^[\w.@|:-]{1,60}$/.test(sub)) throw refused('oidc_subject_invalid', 'the identity service’s subject (sub) is not usable as a login here');
      const role = zRole.safeParse(claims[settings.roleClaim]);
      if (!role.success) throw refused('oidc_role_invalid', `the claim ${settings.roleClaim} must name a role of jiuzhu (${zRole.options.join(', ')}); it is ${JSON.stringify(claims[settings.roleClaim] ?? null)} (角色无效)`);
      const unitCode = claims[settings.unitClaim];
      const unit = typeof unitCode === 'string' ? await orgs.get(unitCode) : null;
      if (!unit) throw refused('oidc_unit_unknown', `the claim ${settings.unitClaim} must name an org unit of jiuzhu; it is ${JSON.stringify(unitCode ?? null)} (单位不存在)`);
      const misplaced = misplacedRole(role.data, unit);
      if (misplaced !== null) throw refused('oidc_unit_invalid', `the claims ${settings.roleClaim} and ${settings.unitClaim}: ${misplaced}`);
      // The name: the staff-name rule of POST /v1/users (zStaffName). A name claim it refuses (markup, a masked
      // `王**`, a control character, too long) refuses the sign-in rather than being stripped or replaced: a
      // stripped name is a guess (`<b>张</b>` → 张? `王**` → 王?) shown to colleagues as who acted, and the
      // identity service is the place to correct it, as for a bad role or unit claim. No name claim at all
      // (the profile scope not granted): the subject stands in, as before.
      let name = sub;
      if (claims.name !== undefined && claims.name !== null) {
        const parsed = zStaffName.safeParse(claims.name);
        if (!parsed.success) throw refused('oidc_name_invalid', `the claim name must be a person's name as jiuzhu takes it (${parsed.error.issues[0]?.message}); it is ${JSON.stringify(claims.name)} (姓名无效)`);
        name = parsed.data;
      }
      const login = `oidc:${sub}`;
      const existing = await findUser(mongo.db, login);
      if (existing && existing.status !== 'active') throw refused('account_disabled', 'this account is disabled (账号已停用): ask your administrator');
      const user = await upsertOidcUser(mongo.db, { _id: login, name, role: role.data, unitCode: unit.code, orgPath: unit.path }, new Date());
      const { sid, refreshToken } = await openSession(mongo.db, config.auth, user._id, 'oidc');
      await opts.signedIn(request, reply, user, sid, refreshToken, new Date(Date.now() + config.auth.sessionMaxSeconds * 1000));
      return reply.redirect('/app/', 302);
    },
  );
};
