import type { Db } from 'mongodb';
import { collections, type SessionDoc } from './collections';
import { isDuplicateKey } from './mongo';

/**
 * Sign-in sessions (issue 14 item 2; docs/accounts.md): one per sign-in, `_id` the session id that access
 * tokens carry as `sid`. The refresh token is kept only as its SHA-256 (api/sessions.ts makes both); a
 * revoked or expired session refuses its access tokens at once (api/auth.ts). Source: ours.
 */

/** Stores a new session. */
export async function insertSession(db: Db, s: SessionDoc): Promise<void> {
  await collections(db).sessions.insertOne(s);
}

/** One session by id, or null. */
export async function findSession(db: Db, sid: string): Promise<SessionDoc | null> {
  return collections(db).sessions.findOne({ _id: sid });
}

let claims = 0;
/**
 * Claims the one rotation of the refresh token whose hash is `hash`: true for the first caller only. An insert
 * under a unique `_id`, so exactly one of parallel rotations wins on MongoDB and on FerretDB alike (FerretDB 1.x
 * applies a conditional update by reading and writing back: two parallel ones could both "match"). Claims
 * past `expiresAt` (their session's end) are swept now and then.
 */
export async function claimRotation(db: Db, hash: string, sid: string, at: Date, expiresAt: Date): Promise<boolean> {
  const c = collections(db).refreshClaims;
  if (++claims % 200 === 0) await c.deleteMany({ expiresAt: { $lte: at } });
  try {
    await c.insertOne({ _id: hash, sid, at, expiresAt });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/**
 * Replaces a session's refresh token — one conditional update whose filter names `oldHash` as the current
 * one (after `claimRotation` won) — moves the old hash to `usedHashes` and keeps it as `previousHash` with
 * `rotatedAt` (the grace window). Returns the session after, or null when it did not match.
 */
export async function rotateRefresh(db: Db, sid: string, oldHash: string, newHash: string, at: Date, idleExpiresAt: Date): Promise<SessionDoc | null> {
  return collections(db).sessions.findOneAndUpdate(
    { _id: sid, refreshHash: oldHash, revokedAt: null },
    { $set: { refreshHash: newHash, lastUsedAt: at, idleExpiresAt, previousHash: oldHash, rotatedAt: at }, $push: { usedHashes: oldHash } },
    { returnDocument: 'after' },
  );
}

/** Revokes one session (no-op when revoked already). */
export async function revokeSession(db: Db, sid: string, reason: string, at: Date): Promise<void> {
  await collections(db).sessions.updateOne({ _id: sid, revokedAt: null }, { $set: { revokedAt: at, revokedReason: reason } });
}

/** Revokes every live session of a user but `except` (the caller's own, on a password change). Returns how many. */
export async function revokeUserSessions(db: Db, userId: string, reason: string, at: Date, except?: string): Promise<number> {
  const res = await collections(db).sessions.updateMany({ userId, revokedAt: null, ...(except ? { _id: { $ne: except } } : {}) }, { $set: { revokedAt: at, revokedReason: reason } });
  return res.modifiedCount;
}

/** Deletes a user's sessions that ended before `before` (their absolute expiry): called at each sign-in, so the collection holds each user's recent sessions only. Returns how many. */
export async function purgeEndedSessions(db: Db, userId: string, before: Date): Promise<number> {
  const res = await collections(db).sessions.deleteMany({ userId, expiresAt: { $lt: before } });
  return res.deletedCount;
}
