import { createHash } from 'node:crypto';
import type { Db } from 'mongodb';
import type { PartyMember } from '../domain/party-member';
import { collections, type PartyMemberDoc } from './collections';
import { isDuplicateKey, pageById } from './mongo';
import { PII_FIELDS, piiOf } from './pii';

/**
 * The party-member register (党员名册, domain/party-member.ts). A member's phone is sealed at rest
 * (store/pii.ts) here on the way in and opened on the way out.
 */

/**
 * The member's id from their login: one login, one member, so registering twice collides (409) and any part
 * of the system that knows an actor's `userId` finds the member by id. Source: ours (a business key, as
 * `helperIdFor` in store/wishes.ts).
 */
export const memberIdFor = (userId: string): string => `pm-${createHash('sha256').update(`party-member:${userId}`).digest('hex').slice(0, 12)}`;

const toMember = (db: Db, d: PartyMemberDoc): PartyMember => {
  const { _id, ...rest } = d;
  return { ...rest, id: _id, phone: piiOf(db).open(d.phone, PII_FIELDS.phone) };
};

/** Registers a member; `{ conflict }` (the existing id) when the login is registered already. */
export async function registerMember(db: Db, member: PartyMember): Promise<{ created: PartyMember } | { conflict: string }> {
  const { id, ...rest } = member;
  try {
    await collections(db).partyMembers.insertOne({ ...rest, _id: id, phone: piiOf(db).seal(member.phone, PII_FIELDS.phone) });
    return { created: member };
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return { conflict: id };
  }
}

/** One member by id, or null. */
export async function findMember(db: Db, memberId: string): Promise<PartyMember | null> {
  const found = await collections(db).partyMembers.findOne({ _id: memberId });
  return found && toMember(db, found);
}

/** The member a login belongs to, or null when the login is no registered member. */
export const memberOfUser = (db: Db, userId: string): Promise<PartyMember | null> => findMember(db, memberIdFor(userId));

/** Members registered in a unit's subtree, by id (cursor-paginated by the caller). */
export async function membersIn(db: Db, orgCode: string, after: string | undefined, limit: number): Promise<PartyMember[]> {
  return (await pageById(collections(db).partyMembers, { orgPath: orgCode }, after, limit)).map((d) => toMember(db, d));
}

/** Members of a unit's subtree with optional filters (kind, status), by id after `after` (the register's list). */
export async function listMembers(db: Db, orgCode: string, filter: { kind?: PartyMember['kind']; status?: PartyMember['status'] }, after: string | undefined, limit: number): Promise<PartyMemberDoc[]> {
  const docs = await pageById(collections(db).partyMembers, { orgPath: orgCode, ...(filter.kind ? { kind: filter.kind } : {}), ...(filter.status ? { status: filter.status } : {}) }, after, limit);
  return docs.map((d) => ({ ...d, phone: piiOf(db).open(d.phone, PII_FIELDS.phone) }));
}

/** The register entry as a list row (the `_id` the cursor needs) turned into a member. */
export const memberOfDoc = ({ _id, ...rest }: PartyMemberDoc): PartyMember => ({ ...rest, id: _id });

/**
 * Sets fields of a member (the register's keepers' corrections, a consent); the phone sealed when given.
 * Returns the member as stored after, or null when there is none. The login (`userId`) and id never change.
 */
export async function updateMember(db: Db, memberId: string, fields: Partial<Omit<PartyMember, 'id' | 'userId' | 'createdAt' | 'createdBy'>>): Promise<PartyMember | null> {
  const set: Record<string, unknown> = { ...fields };
  if (fields.phone !== undefined) set.phone = piiOf(db).seal(fields.phone, PII_FIELDS.phone);
  const updated = await collections(db).partyMembers.findOneAndUpdate({ _id: memberId }, { $set: set }, { returnDocument: 'after' });
  return updated && toMember(db, updated);
}

/** A village's active members who consented to be shown publicly (三亮), by id: no phone is read. */
export async function consentingMembersOf(db: Db, villageCode: string): Promise<Pick<PartyMember, 'id' | 'name' | 'role' | 'branch' | 'publicConsent' | 'status'>[]> {
  const docs = await collections(db)
    .partyMembers.find({ villageCode, publicConsent: true, status: 'active' }, { projection: { name: 1, role: 1, branch: 1, publicConsent: 1, status: 1 } })
    .sort({ _id: 1 })
    .toArray();
  return docs.map((d) => ({ id: d._id, name: d.name, role: d.role, branch: d.branch, publicConsent: d.publicConsent, status: d.status }));
}

/** Names and roles of members by id (rankings): no phone is read. */
export async function membersByIds(db: Db, ids: string[]): Promise<Map<string, Pick<PartyMember, 'name' | 'role' | 'branch'>>> {
  if (ids.length === 0) return new Map();
  const docs = await collections(db).partyMembers.find({ _id: { $in: ids } }, { projection: { name: 1, role: 1, branch: 1 } }).toArray();
  return new Map(docs.map((d) => [d._id, { name: d.name, role: d.role, branch: d.branch }]));
}
