import { errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { hasUnsafeCharacter } from '../domain/text';
import type { Actor } from '../domain/case';
import type { OrgUnit } from '../domain/org';
import { zRole, type Role } from '../domain/roles';
import type { OrgDirectory } from '../store/org-directory';
import type { TokenRules } from '../config';
import { ApiError, unauthorized, type TokenReason } from './errors';

/** Who is calling: from a verified bearer token, with their unit resolved from the org tree. */
export interface Principal {
  userId: string;
  name?: string;
  role: Role;
  unit: OrgUnit;
  /** The sign-in session the token belongs to; absent on ready-made tokens (outside production). */
  sid?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Routes open without a token: health, readiness, docs, the public QR pages. */
    public?: boolean;
  }
}

/** A claim that becomes stored text (who did what, in audit records and `createdBy`): the API's text rule, bounded. */
const zClaimText = z.string().min(1).max(200).refine((s) => !hasUnsafeCharacter(s), 'holds a control, bidirectional or lone-surrogate character');

const zClaims = z.object({
  sub: zClaimText,
  role: zRole,
  org: z.string().min(1).max(64),
  name: zClaimText.optional(),
  /** The session the token belongs to (a sign-in's, store/sessions.ts); absent on ready-made tokens. */
  sid: z.string().regex(/^[\w-]{16,64}$/).optional(),
  /** Set while the user must change their password (an admin's reset): only the password change is open. */
  mcp: z.literal(true).optional(),
});

const key = (secret: string) => new TextEncoder().encode(secret);

// Why a token is refused: TOKEN_REASONS, with the API's other reasons in api/errors.ts (no import cycle).
export { TOKEN_REASONS, type TokenReason } from './errors';

const refused = (reason: TokenReason, message: string) => new ApiError(401, 'unauthorized', message, undefined, reason);

/** The secret and the names a minted token carries (config.jwtSecret and config.tokens). */
export interface TokenIssuer {
  secret: string;
  issuer?: string;
  audience?: string;
}

/**
 * Mints an HS256 bearer token with `sub`, `role`, `org` (and `name`, the session `sid`, `mcp` while a
 * password change is due), `iat` now and `exp` after
 * `expiresIn` (jose's forms: '12h', seconds as a number are an absolute epoch time), and `iss`/`aud`
 * when the issuer names them. `by` is the secret alone (no iss/aud) or a TokenIssuer. The API refuses a
 * token whose lifetime exceeds config.tokens.maxLifetimeSeconds (see verifyToken).
 */
export async function signToken(
  by: string | TokenIssuer,
  claims: { sub: string; role: Role; org: string; name?: string; sid?: string; mcp?: true },
  expiresIn: string | number = '12h',
): Promise<string> {
  const issuer: TokenIssuer = typeof by === 'string' ? { secret: by } : by;
  const jwt = new SignJWT({ role: claims.role, org: claims.org, ...(claims.name ? { name: claims.name } : {}), ...(claims.sid ? { sid: claims.sid } : {}), ...(claims.mcp ? { mcp: true } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(expiresIn);
  if (issuer.issuer) jwt.setIssuer(issuer.issuer);
  if (issuer.audience) jwt.setAudience(issuer.audience);
  return jwt.sign(key(issuer.secret));
}

/**
 * Verifies a bearer token: HS256 signature with `secret`; `exp` and `iat` present; not expired, `nbf` (if
 * present) and `iat` not in the future, each with `rules.clockSkewSeconds` of slack; `exp − iat` at most
 * `rules.maxLifetimeSeconds` (so a token cannot be minted for a century); `iss`/`aud` equal to the
 * configured ones, when configured; then its claims (`sub`, `role`, `org`, optional `name`).
 * `now` in milliseconds (tests). Source: RFC 7519 §4.1; the limits are ours (config/index.ts).
 * @returns the claims. @throws ApiError 401 `unauthorized` with a TOKEN_REASONS `reason` naming the check.
 */
export async function verifyToken(secret: string, rules: TokenRules, token: string, now: number = Date.now()) {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, key(secret), {
      algorithms: ['HS256'],
      requiredClaims: ['exp', 'iat'],
      clockTolerance: rules.clockSkewSeconds,
      currentDate: new Date(now),
      ...(rules.issuer ? { issuer: rules.issuer } : {}),
      ...(rules.audience ? { audience: rules.audience } : {}),
    }));
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw refused('token_expired', 'token expired');
    if (err instanceof joseErrors.JWSSignatureVerificationFailed) throw refused('token_signature_invalid', 'token signature invalid');
    if (err instanceof joseErrors.JWTClaimValidationFailed) {
      const missing = err.reason === 'missing';
      switch (err.claim) {
        case 'exp':
          throw missing ? refused('token_no_expiry', 'token has no expiry (exp)') : refused('token_claims_invalid', 'token exp is not a number');
        case 'iat':
          throw missing ? refused('token_no_issued_at', 'token has no issue time (iat)') : refused('token_claims_invalid', 'token iat is not a number');
        case 'nbf':
          throw refused('token_not_yet_valid', 'token not yet valid (nbf is in the future)');
        case 'iss':
          throw refused('token_wrong_issuer', `token issuer (iss) must be ${rules.issuer}`);
        case 'aud':
          throw refused('token_wrong_audience', `token audience (aud) must include ${rules.audience}`);
        default:
          throw refused('token_claims_invalid', `token claims invalid: ${err.message}`);
      }
    }
    if (err instanceof joseErrors.JOSEError) throw refused('token_malformed', `token invalid: ${err.message}`);
    throw err;
  }
  const iat = payload.iat!;
  const exp = payload.exp!;
  if (typeof iat !== 'number' || typeof exp !== 'number') throw refused('token_claims_invalid', 'token iat and exp must be numbers');
  if (iat > now / 1000 + rules.clockSkewSeconds) throw refused('token_issued_in_future', 'token issued in the future (iat)');
  if (exp - iat > rules.maxLifetimeSeconds) {
    throw refused('token_lifetime_too_long', `token lifetime (exp − iat) is ${exp - iat} s, above the maximum of ${rules.maxLifetimeSeconds} s`);
  }
  const claims = zClaims.safeParse(payload);
  if (!claims.success) throw refused('token_claims_invalid', `token claims invalid: ${claims.error.issues[0]?.path.join('.')} ${claims.error.issues[0]?.message}`);
  return claims.data;
}

/**
 * Whether a session id names a live session (api/accounts.ts `sessionIsLive`): asked on every request whose
 * token carries a `sid`, so a signed-out or revoked session's tokens are refused at once.
 */
export type SessionCheck = (sid: string) => Promise<boolean>;

/** Routes open to a token that must change its password first (`mcp`): the change itself, who one is, sign-out. */
const OPEN_WHILE_PASSWORD_CHANGE_DUE = new Set(['/v1/auth/password', '/v1/auth/sign-out', '/v1/me']);

/**
 * Verifies the bearer token on every route not marked `config: { public: true }`. A token with a `sid`
 * must name a live session (`sessionLive`); in production (`production`) a token must have one — ready-made
 * tokens (npm run token, the dev picker) work outside production only. A token with `mcp` reaches only the
 * password change (403 `password_change_required` elsewhere). Source: ours (issue 14 item 2).
 */
export function registerAuth(app: FastifyInstance, deps: { jwtSecret: string; tokens: TokenRules; orgs: OrgDirectory; production?: boolean; sessionLive?: SessionCheck }): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.public || request.routeOptions.url === undefined) return;
    const header = request.headers.authorization;
    if (!header) throw refused('token_missing', 'missing bearer token (Authorization: Bearer <token>)');
    const [scheme, token] = header.split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) throw refused('token_missing', 'Authorization header must be "Bearer <token>"');
    const claims = await verifyToken(deps.jwtSecret, deps.tokens, token);
    if (claims.sid === undefined && deps.production) throw refused('token_no_session', 'in production a token must come from a sign-in (POST /v1/auth/sign-in): ready-made tokens work outside production only');
    if (claims.sid !== undefined && !(await (deps.sessionLive ?? (async () => false))(claims.sid))) throw refused('token_session_ended', 'the session of this token has ended (signed out, revoked or expired): sign in again');
    const unit = await deps.orgs.get(claims.org);
    if (!unit) throw refused('token_unknown_unit', `token names org unit ${claims.org}, which does not exist`);
    request.principal = { userId: claims.sub, role: claims.role, unit, ...(claims.name ? { name: claims.name } : {}), ...(claims.sid ? { sid: claims.sid } : {}) };
    if (claims.mcp && !OPEN_WHILE_PASSWORD_CHANGE_DUE.has(request.routeOptions.url)) {
      throw new ApiError(403, 'forbidden', 'change your password first (POST /v1/auth/password): you signed in with a temporary password an administrator set (a new account, or a reset)', undefined, 'password_change_required');
    }
  });
}

/** The caller as a workflow records who acted. */
export function actorOf(p: Principal): Actor {
  return { userId: p.userId, role: p.role, unitCode: p.unit.code };
}

/** The signed-in caller of a route. @throws 401 on a route the auth hook did not run for (a public one). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized('not signed in');
  return request.principal;
}
