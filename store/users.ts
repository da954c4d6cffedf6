import type { Db, Filter } from 'mongodb';
import type { FailureState } from '../domain/account';
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

/** Records a login's failure state (the lockout rule's, domain/account.ts) without touching anything else. */
export async function setFailureState(db: Db, login: string, state: FailureState): Promise<void> {
  await collections(db).users.updateOne({ _id: login }, { $set: { failures: state.failures.map((t) => new Date(t)), lockedUntil: state.lockedUntil === null ? null : new Date(state.lockedUntil) } });
}

/** A stored user's failure state in the lockout rule's terms (ms). */
export const failureStateOf = (u: Pick<UserDoc, 'failures' | 'lockedUntil'>): FailureState => ({ failures: (u.failures ?? []).map((d) => d.getTime()), lockedUntil: u.lockedUntil ? u.lockedUntil.getTime() : null });

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
