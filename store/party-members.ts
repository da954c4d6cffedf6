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
