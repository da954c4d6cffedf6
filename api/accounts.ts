import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import argon2 from 'argon2';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from 'mongodb';
import type { AuthConfig, Config } from '../config';
import type { UserView } from '../domain/account';
import { maskPhone, seesPersonalData } from '../domain/privacy';
import type { Role } from '../domain/roles';
import type { SessionDoc } from '../store/collections';
import { claimRotation, findSession, insertSession, purgeEndedSessions, rotateRefresh, revokeSession } from '../store/sessions';
import type { User } from '../store/users';
import { markPersonalData } from './audit';
import { signToken } from './auth';

/**
 * The mechanism of staff sign-in (issue 14 item 2; docs/accounts.md): password hashing, sessions, access
 * tokens, the refresh cookie. The routes are api/routes/auth.ts (sign-in, refresh, sign-out, password,
 * OIDC) and api/routes/users.ts (the admin's users).
 *
 * Passwords: argon2id through the `argon2` package (node-argon2, the reference implementation's binding,
 * prebuilt for Node 20/22/24) with OWASP's Password Storage Cheat Sheet minimum — m = 19 MiB, t = 2, p = 1.
 *
 * Sessions: one per sign-in; the access token (the existing HS256 JWT, api/auth.ts) carries its id `sid`
 * and lives config.auth.accessTokenSeconds; the refresh token `<sid>.<32 random bytes, base64url>` is stored
 * only as its SHA-256 (a random 256-bit secret needs no slow hash), rotated on every use; a rotated-away
 * token presented again revokes the whole session (RFC 9700 §4.14.2, refresh-token rotation with reuse
 * detection; the token rotated away last is still answered for a short grace window, see `rotateSession`). It reaches the browser only as an HttpOnly, SameSite=Strict cookie on /v1/auth.
 */

/** OWASP Password Storage Cheat Sheet, argon2id: m = 19456 KiB, t = 2, p = 1. */
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** An argon2id hash of a password (PHC string `$argon2id$v=19$m=19456,p=1,t=2$…`). */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

let dummy: Promise<string> | undefined;
/**
 * Whether `password` matches `hash`; with no hash (no such login, or a user who signs in only through OIDC)
 * a dummy hash is verified all the same and false returned, so the answer takes as long either way (no user
 * enumeration by timing).
 */
export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  if (hash === null) {
    dummy ??= hashPassword(randomBytes(16).toString('base64url'));
    await argon2.verify(await dummy, password).catch(() => false);
    return false;
  }
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/**
 * A temporary password (an admin's reset or a new user): 16 random characters from an alphabet without
 * look-alikes, then one lowercase, uppercase, digit and symbol so it meets the rules (domain/account.ts).
 * About 90 bits. Ours.
 */
export function temporaryPassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(16);
  const body = [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
  return `${body}-a7K`;
}

/** The name of the refresh cookie (path /v1/auth). */
export const REFRESH_COOKIE = 'jiuzhu_refresh';
const COOKIE_PATH = '/v1/auth';

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');

/** A new refresh token of a session: `<sid>.<secret>`. */
const newRefreshToken = (sid: string) => `${sid}.${randomBytes(32).toString('base64url')}`;

/** The session id a refresh token names, or null when it is not of the form. */
export function sidOfRefresh(token: string | undefined): string | null {
  const m = token === undefined ? null : /^([\w-]{16,64})\.[\w-]{43}$/.exec(token);
  return m ? m[1]! : null;
}

/** Whether a session is live at `now`: not revoked and before its absolute expiry. */
export const isLive = (s: SessionDoc | null, now: Date = new Date()): boolean => s !== null && !s.revokedAt && s.expiresAt > now;

/** The session check of the auth hook (api/auth.ts): the session `sid` exists and is live. */
export const sessionIsLive = (db: Db) => async (sid: string) => isLive(await findSession(db, sid));

/** Opens a session for `userId` (signed in `via`), returning its id and its first refresh token; the user's sessions that ended over a day ago are deleted. */
export async function openSession(db: Db, auth: AuthConfig, userId: string, via: SessionDoc['via'], now: Date = new Date()): Promise<{ sid: string; refreshToken: string }> {
  const sid = randomBytes(18).toString('base64url');
  const refreshToken = newRefreshToken(sid);
  // The user's sessions that ended a day ago or more go: nothing refers to them (the audit record names requests).
  await purgeEndedSessions(db, userId, new Date(now.getTime() - 86_400_000));
  await insertSession(db, {
    _id: sid,
    userId,
    via,
    refreshHash: sha256(refreshToken),
    usedHashes: [],
    createdAt: now,
    lastUsedAt: now,
    idleExpiresAt: new Date(now.getTime() + auth.sessionIdleSeconds * 1000),
    expiresAt: new Date(now.getTime() + auth.sessionMaxSeconds * 1000),
    revokedAt: null,
    revokedReason: null,
  });
  return { sid, refreshToken };
}

/** Why a refresh was refused: no token (no cookie, or an empty one), a malformed token or one of an unknown session or not its current one, an ended session, a reused token (the session is then revoked). */
export type RefreshRefusal = 'refresh_missing' | 'refresh_invalid' | 'refresh_expired' | 'refresh_reused';

/**
 * Rotates a refresh token: the session it names, live and within its idle expiry, with this token as its
 * current one, gets a new one (returned). The token rotated away last, presented again within
 * `auth.refreshGraceSeconds` of its rotation, answers the session with `refreshToken: null` — an access token
 * but no new refresh token (the browser keeps the successor the first answer set): two tabs refreshing at once
 * (RFC 9700 §4.14.2 allows the grace). Only that one token and only in the window: any other token rotated
 * away before (its hash in `usedHashes`) revokes the session: someone holds a copy. Of parallel rotations of
 * the same token exactly one wins (`claimRotation`, a unique insert); the others get the grace answer.
 * Anything else is refused without touching the session.
 */
export async function rotateSession(db: Db, auth: AuthConfig, token: string | undefined, now: Date = new Date()): Promise<{ session: SessionDoc; refreshToken: string | null } | { refused: RefreshRefusal }> {
  if (!token) return { refused: 'refresh_missing' };
  // A cookie that is there but not of our form (`<sid>.<43 characters>`) is not a missing one.
  const sid = sidOfRefresh(token);
  if (!sid) return { refused: 'refresh_invalid' };
  const session = await findSession(db, sid);
  if (!session) return { refused: 'refresh_invalid' };
  const hash = sha256(token);
  const matches = (h: string | null | undefined) => typeof h === 'string' && h.length === hash.length && timingSafeEqual(Buffer.from(h), Buffer.from(hash));
  const usable = (s: SessionDoc) => isLive(s, now) && s.idleExpiresAt > now;
  const inGrace = (s: SessionDoc) => matches(s.previousHash) && !!s.rotatedAt && now.getTime() - s.rotatedAt.getTime() < auth.refreshGraceSeconds * 1000 && usable(s);
  const reused = async () => {
    await revokeSession(db, sid, 'refresh_reused', now);
    return { refused: 'refresh_reused' as const };
  };
  if (inGrace(session)) return { session, refreshToken: null };
  if (session.usedHashes.some(matches)) return reused();
  if (!matches(session.refreshHash)) return { refused: 'refresh_invalid' };
  if (!usable(session)) return { refused: 'refresh_expired' };
  const lost = async () => {
    // Another request rotated this very token a moment ago: the grace answer while it is live, else reuse.
    const current = await findSession(db, sid);
    return auth.refreshGraceSeconds > 0 && current && usable(current) ? { session: current, refreshToken: null } : reused();
  };
  if (!(await claimRotation(db, hash, sid, now, session.expiresAt))) return lost();
  const refreshToken = newRefreshToken(sid);
  const after = await rotateRefresh(db, sid, session.refreshHash, sha256(refreshToken), now, new Date(Math.min(now.getTime() + auth.sessionIdleSeconds * 1000, session.expiresAt.getTime())));
  if (!after) return lost();
  return { session: after, refreshToken };
}

/** An access token for a user in a session: `sid`, and `mcp` while a password change is due. */
export function accessTokenFor(config: Config, user: Pick<User, '_id' | 'role' | 'unitCode' | 'name' | 'mustChangePassword'>, sid: string): Promise<string> {
  return signToken(
    { secret: config.jwtSecret, issuer: config.tokens.issuer, audience: config.tokens.audience },
    { sub: user._id, role: user.role, org: user.unitCode, name: user.name, sid, ...(user.mustChangePassword ? { mcp: true as const } : {}) },
    Math.floor(Date.now() / 1000) + config.auth.accessTokenSeconds,
  );
}

/**
 * Whether the sign-in cookies carry `Secure`: in production, and wherever the public base URL is https. Not
 * on a plain-http address outside production (a browser would drop a Secure cookie there and sign-in would
 * silently fail). Ours.
 */
export const secureCookies = (config: Pick<Config, 'env' | 'publicBaseUrl'>): boolean => config.env === 'production' || config.publicBaseUrl.startsWith('https:');

/** Sets the refresh cookie: HttpOnly, SameSite=Strict, Path=/v1/auth, Secure per `secureCookies`, for the session's absolute life. */
export function setRefreshCookie(reply: FastifyReply, config: Config, token: string, expiresAt: Date): void {
  reply.setCookie(REFRESH_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: secureCookies(config), path: COOKIE_PATH, expires: expiresAt });
}

/** Clears the refresh cookie. */
export function clearRefreshCookie(reply: FastifyReply, config: Config): void {
  reply.clearCookie(REFRESH_COOKIE, { httpOnly: true, sameSite: 'strict', secure: secureCookies(config), path: COOKIE_PATH });
}

/** The refresh token the request's cookie holds, if any. */
export const refreshCookieOf = (request: FastifyRequest): string | undefined => request.cookies?.[REFRESH_COOKIE];

/**
 * A user as the API shows it to `role` (an admin: the phone in full, and the read audited; others see
 * their own profile masked as any personal data, domain/privacy.ts). `unitName` when known.
 */
export function userView(request: FastifyRequest | null, role: Role, u: User, unitName?: string, now: Date = new Date()): UserView {
  const full = seesPersonalData(role);
  if (full && u.phone !== null && request) markPersonalData(request);
  return {
    login: u._id,
    name: u.name,
    role: u.role,
    unitCode: u.unitCode,
    ...(unitName ? { unitName } : {}),
    phone: u.phone === null ? null : full ? u.phone : maskPhone(u.phone),
    status: u.status,
    source: u.source,
    mustChangePassword: u.mustChangePassword,
    lockedUntil: u.lockedUntil && u.lockedUntil > now ? u.lockedUntil.toISOString() : null,
    createdAt: u.createdAt.toISOString(),
    createdBy: u.createdBy,
    updatedAt: u.updatedAt.toISOString(),
    updatedBy: u.updatedBy,
  };
}
