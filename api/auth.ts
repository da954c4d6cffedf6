import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../domain/case';
import type { OrgUnit } from '../domain/org';
import { zRole, type Role } from '../domain/roles';
import type { OrgDirectory } from '../store/org-directory';
import { unauthorized } from './errors';

/** Who is calling: from a verified bearer token, with their unit resolved from the org tree. */
export interface Principal {
  userId: string;
  name?: string;
  role: Role;
  unit: OrgUnit;
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

const zClaims = z.object({
  sub: z.string().min(1),
  role: zRole,
  org: z.string().min(1),
  name: z.string().optional(),
});

const key = (secret: string) => new TextEncoder().encode(secret);

export async function signToken(
  secret: string,
  claims: { sub: string; role: Role; org: string; name?: string },
  expiresIn: string | number = '12h',
): Promise<string> {
  return new SignJWT({ role: claims.role, org: claims.org, ...(claims.name ? { name: claims.name } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key(secret));
}

async function verify(secret: string, token: string) {
  try {
    const { payload } = await jwtVerify(token, key(secret), { algorithms: ['HS256'] });
    const claims = zClaims.safeParse(payload);
    if (!claims.success) throw unauthorized(`token claims invalid: ${claims.error.issues[0]?.path.join('.')} ${claims.error.issues[0]?.message}`);
    return claims.data;
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw unauthorized('token expired');
    if (err instanceof joseErrors.JWSSignatureVerificationFailed) throw unauthorized('token signature invalid');
    if (err instanceof joseErrors.JOSEError) throw unauthorized(`token invalid: ${err.message}`);
    throw err;
  }
}

/** Verifies the bearer token on every route not marked `config: { public: true }`. */
export function registerAuth(app: FastifyInstance, deps: { jwtSecret: string; orgs: OrgDirectory }): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.public || request.routeOptions.url === undefined) return;
    const header = request.headers.authorization;
    if (!header) throw unauthorized('missing bearer token (Authorization: Bearer <token>)');
    const [scheme, token] = header.split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) throw unauthorized('Authorization header must be "Bearer <token>"');
    const claims = await verify(deps.jwtSecret, token);
    const unit = await deps.orgs.get(claims.org);
    if (!unit) throw unauthorized(`token names org unit ${claims.org}, which does not exist`);
    request.principal = { userId: claims.sub, role: claims.role, unit, ...(claims.name ? { name: claims.name } : {}) };
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
