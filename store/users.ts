import type { Db, Filter } from 'mongodb';
import type { LockoutRule } from '../domain/account';
import type { Role } from '../domain/roles';
import { collections, type UserDoc } from './collections';
import { isDuplicateKey, pageById } from './mongo';
import { PII_FIELDS, piiOf } from './pii';

/**
 * Staff users (issue 14 item 2; docs/accounts.md), `_id` the login. The phone is sealed at rest here on the
 * way in and opened on the way out (store/pii.ts, as party members' phones); the password is stored only as
 * its argon2id hash (api/password.ts makes it). Source: ours.
 */

/** A user as store/ hands it out: the phone opened. */
export type User = UserDoc;

const open = (db: Db, d: UserDoc): User => ({ ...d, phone: d.phone === null || d.phone === undefined ? null : piiOf(db).open(d.phone, PII_FIELDS.phone) });
const sealPhone = (db: Db, phone: string | null): string | null => (phone === null ? null : piiOf(db).seal(phone, PII_FIELDS.phone));

/** Inserts a user; `false` when the login exists already. */
export async function insertUser(db: Db, user: User): Promise<boolean> {
  try {
    await collections(db).users.insertOne({ ...user, phone: sealPhone(db, user.phone) });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/** One user by login, or null. */
export async function findUser(db: Db, login: string): Promise<User | null> {
  const d = await collections(db).users.findOne({ _id: login });
  return d && open(db, d);
}

/** Users of a unit's subtree, optionally of one role, by login after `after` (keyset). */
export async function listUsers(db: Db, orgCode: string, filter: { role?: Role }, after: string | undefined, limit: number): Promise<User[]> {
  const query: Filter<UserDoc> = { orgPath: orgCode, ...(filter.role ? { role: filter.role } : {}) };
  return (await pageById(collections(db).users, query, after, limit)).map((d) => open(db, d));
}

/** A user without their phone or sign-in fields: who they are and where (the visitor candidates). */
export type UserRef = Pick<UserDoc, '_id' | 'name' | 'role' | 'unitCode' | 'orgPath' | 'status'>;

/**
 * The active users of a unit's subtree with one of `roles`, by login, at most `limit` (the visitor candidates of
 * an alert's village: GET /v1/alerts/{id}/visitor-candidates). No phone is read. Served by the `{ orgPath, _id }` index.
 */
export async function activeUsersWithin(db: Db, orgCode: string, roles: readonly Role[], limit: number): Promise<UserRef[]> {
  return collections(db)
    .users.find({ orgPath: orgCode, status: 'active', role: { $in: [...roles] } }, { projection: { name: 1, role: 1, unitCode: 1, orgPath: 1, status: 1 } })
    .sort({ _id: 1 })
    .limit(limit)
    .toArray();
}

/** The fields an edit may set (the phone given plain: sealed here). */
export type UserChange = Partial<Pick<UserDoc, 'name' | 'role' | 'unitCode' | 'orgPath' | 'phone' | 'status' | 'passwordHash' | 'mustChangePassword' | 'passwordChangedAt' | 'failures' | 'lockedUntil' | 'source'>> & {
  updatedAt: Date;
  updatedBy: string;
};

/** Sets fields of a user; the user after, or null when there is none. */
export async function updateUser(db: Db, login: string, change: UserChange): Promise<User | null> {
  const set: Record<string, unknown> = { ...change };
  if (change.phone !== undefined) set.phone = sealPhone(db, change.phone);
  const d = await collections(db).users.findOneAndUpdate({ _id: login }, { $set: set }, { returnDocument: 'after' });
  return d && open(db, d);
}

/** What a reservation of a sign-in attempt answers: a slot (`last` when it is the window's final one), or the lock's remaining time. */
export type Reservation = { reserved: true; slot: number; last: boolean } | { reserved: false; lockedForMs: number };

const slotId = (login: string, slot: number) => `${login}|${slot}`;
const lockId = (login: string) => `${login}|lock`;
let reservations = 0;

/**
 * Reserves one sign-in attempt of `login` (normalised; existing or not) BEFORE its password is checked, so
 * parallel attempts cannot overwrite each other's count (the lockout rule, domain/account.ts). The window
 * holds `maxFailures` slots, each a document with a unique `_id`: an attempt takes the first free one by
 * inserting it, which the unique key makes atomic on MongoDB and on FerretDB alike (FerretDB 1.x applies a
 * conditional update by reading and writing back, so a `$inc` there would not be atomic). A slot older than
 * the window is reclaimed. No free slot, or a live lock: refused with the time left. All instances share the
 * state, so every instance answers alike for any login. A failed attempt keeps its slot (`lockSignIns` when it
 * was the last); a successful one clears them (`clearSignInAttempts`). Source: ours, after GB/T 22239-2019
 * 8.1.4.1 b).
 */
export async function reserveSignInAttempt(db: Db, login: string, now: Date, rule: LockoutRule): Promise<Reservation> {
  const c = collections(db).signInAttempts;
  if (++reservations % 200 === 0) await c.deleteMany({ expiresAt: { $lte: now } });
  const lockLeft = async () => {
    const lock = await c.findOne({ _id: lockId(login) });
    return lock && lock.expiresAt > now ? lock.expiresAt.getTime() - now.getTime() : 0;
  };
  const locked = await lockLeft();
  if (locked > 0) return { reserved: false, lockedForMs: locked };
  const expiresAt = new Date(now.getTime() + rule.windowMs);
  const take = async (slot: number) => {
    try {
      await c.insertOne({ _id: slotId(login, slot), login, kind: 'slot', at: now, expiresAt });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  };
  for (let slot = 0; slot < rule.maxFailures; slot++) {
    let taken = await take(slot);
    if (!taken && (await c.deleteOne({ _id: slotId(login, slot), expiresAt: { $lte: now } })).deletedCount > 0) taken = await take(slot);
    if (!taken) continue;
    // A lock written meanwhile (another attempt's last slot failed) wins: give the slot back.
    const since = await lockLeft();
    if (since > 0) {
      await c.deleteOne({ _id: slotId(login, slot), at: now });
      return { reserved: false, lockedForMs: since };
    }
    return { reserved: true, slot, last: slot === rule.maxFailures - 1 };
  }
  // Every slot taken within the window: the last one's attempt is being checked, or the lock has just ended with failures left.
  const oldest = await c.find({ login, kind: 'slot' }).toArray();
  const free = oldest.length ? Math.min(...oldest.map((d) => d.expiresAt.getTime())) - now.getTime() : rule.lockoutMs;
  return { reserved: false, lockedForMs: Math.max(1000, Math.min(free, rule.lockoutMs)) };
}

/** Locks `login` for `lockoutMs` from `now` (its last slot's attempt failed) and frees the slots; returns the lock's end. */
export async function lockSignIns(db: Db, login: string, now: Date, rule: LockoutRule): Promise<Date> {
  const c = collections(db).signInAttempts;
  const until = new Date(now.getTime() + rule.lockoutMs);
  await c.replaceOne({ _id: lockId(login) }, { login, kind: 'lock', at: now, expiresAt: until }, { upsert: true });
  await c.deleteMany({ login, kind: 'slot' });
  // Shown to the admin (GET /v1/users/{login}); only a copy: the lock itself is the document above.
  await collections(db).users.updateOne({ _id: login }, { $set: { lockedUntil: until } });
  return until;
}

/** Clears `login`'s reserved attempts and lock (a successful sign-in, an admin's reset). */
export async function clearSignInAttempts(db: Db, login: string): Promise<void> {
  await collections(db).signInAttempts.deleteMany({ login });
  await collections(db).users.updateOne({ _id: login, $or: [{ lockedUntil: { $ne: null } }, { 'failures.0': { $exists: true } }] }, { $set: { failures: [], lockedUntil: null } });
}

/**
 * Creates or refreshes the user an OIDC sign-in names (`oidc:<sub>`): role, unit and name from the identity
 * service's claims on every sign-in; a disabled user stays disabled. Returns the user as stored after.
 */
export async function upsertOidcUser(db: Db, user: Pick<UserDoc, '_id' | 'name' | 'role' | 'unitCode' | 'orgPath'>, at: Date): Promise<User> {
  const d = await collections(db).users.findOneAndUpdate(
    { _id: user._id },
    {
      $set: { name: user.name, role: user.role, unitCode: user.unitCode, orgPath: user.orgPath, source: 'oidc', updatedAt: at, updatedBy: 'oidc' },
      $setOnInsert: { phone: null, status: 'active', passwordHash: null, mustChangePassword: false, passwordChangedAt: null, failures: [], lockedUntil: null, createdAt: at, createdBy: 'oidc' },
    },
    { upsert: true, returnDocument: 'after' },
  );
  return open(db, d!);
}
