import type { Db } from 'mongodb';
import { mayOpenPairing, pairingIdOf } from '../domain/pairing';
import { collections, type CaseDoc, type DeadlineDoc, type HouseholdDoc } from './collections';
import { pageById } from './mongo';

/**
 * The read side of pairings (党员帮包, domain/pairing.ts): which qualifying households have no open pairing
 * (the worker's sweep), a unit's pairings and a member's, and what coverage counts. Every query filters by
 * `orgPath` equality (store/indexes.ts: households and cases by `orgPath`, deadlines by `orgPath`), so its
 * cost follows the unit's subtree, not the city. Source: ours.
 */

/** A qualifying household as the sweep and coverage need it (no personal fields). */
export type QualifyingHousehold = Pick<HouseholdDoc, '_id' | 'orgPath' | 'villageCode' | 'categories' | 'unitCode'>;

/** Households of a subtree (undefined: the whole register) registered with any of `categories`, by id (the register's personal fields left out). */
export async function qualifyingHouseholdsIn(db: Db, org: string | undefined, categories: readonly string[]): Promise<QualifyingHousehold[]> {
  return collections(db)
    .households.find({ ...(org === undefined ? {} : { orgPath: org }), categories: { $in: [...categories] as HouseholdDoc['categories'] } }, { projection: { _id: 1, orgPath: 1, villageCode: 1, categories: 1, unitCode: 1 } })
    .sort({ _id: 1 })
    .toArray();
}

/** A pairing case's standing as the sweep and coverage need it. */
export interface PairingBrief {
  _id: string;
  /** The paired member's id (null while unpaired). */
  memberId: string | null;
  householdId: string;
  status: 'open' | 'closed';
  stage: string | null;
  orgPath: string[];
  endedReason: string | null;
}

/** The pairing cases of a subtree (open and closed), by id. */
export async function pairingsIn(db: Db, org: string | undefined): Promise<PairingBrief[]> {
  const docs = await collections(db)
    .cases.find({ ...(org === undefined ? {} : { orgPath: org }), kind: 'pairing' }, { projection: { _id: 1, householdId: 1, status: 1, stage: 1, orgPath: 1, 'view.ended.reason': 1, 'view.member.memberId': 1 } })
    .toArray();
  return docs.map((d) => {
    const v = d.view as { ended?: { reason?: string } | null; member?: { memberId?: string } | null } | undefined;
    return { _id: d._id, householdId: d.householdId ?? '', status: d.status, stage: d.stage, orgPath: d.orgPath, endedReason: v?.ended?.reason ?? null, memberId: v?.member?.memberId ?? null };
  });
}

/**
 * The qualifying households of a subtree that need a pairing opened (domain/pairing.ts `mayOpenPairing`): none
 * recorded, or the last one ended because the household no longer qualified (it qualifies again). One ended
 * because the household moved away or died is left alone: the register should be corrected (ours).
 */
export async function householdsNeedingPairing(db: Db, org: string | undefined, categories: readonly string[]): Promise<QualifyingHousehold[]> {
  const [households, pairings] = await Promise.all([qualifyingHouseholdsIn(db, org, categories), pairingsIn(db, org)]);
  const byId = new Map(pairings.map((p) => [p._id, p]));
  return households.filter((h) => mayOpenPairing(byId.get(pairingIdOf(h._id))));
}

/**
 * Pairing cases of a subtree, optionally of one stage, by id (cursor-paginated by the caller). `memberIds`:
 * only the open pairings paired with one of these members (the ones needing re-assignment: their member is inactive).
 */
export async function pairingCasesIn(db: Db, org: string, stage: string | undefined, after: string | undefined, limit: number, memberIds?: readonly string[]): Promise<CaseDoc[]> {
  const members = memberIds ? { status: 'open' as const, 'view.member.memberId': { $in: [...memberIds] } } : {};
  return pageById(collections(db).cases, { orgPath: org, kind: 'pairing', ...(stage ? { stage } : {}), ...members }, after, limit);
}

/**
 * The ids of the inactive members registered in a subtree (by `orgPath`, indexed): a pairing still paired with
 * one of them needs re-assigning (docs/pairing.md). A member registered outside the subtree is not listed; a
 * pairing's member is always of its household's grid or village (domain/pairing.ts checkAssign).
 */
export async function inactiveMemberIdsIn(db: Db, org: string): Promise<string[]> {
  const docs = await collections(db).partyMembers.find({ orgPath: org, status: 'inactive' }, { projection: { _id: 1 } }).toArray();
  return docs.map((d) => d._id);
}

/** A member's pairings (open first, then by id): the cases of their village whose member is this login. */
export async function pairingsOfMember(db: Db, villageCode: string, userId: string): Promise<CaseDoc[]> {
  const docs = await collections(db).cases.find({ orgPath: villageCode, kind: 'pairing', 'view.member.userId': userId }).sort({ _id: 1 }).toArray();
  return docs.sort((a, b) => Number(a.status === 'closed') - Number(b.status === 'closed'));
}

/** The `pairing.contact` deadlines of a subtree, every one recorded (what coverage's on-time figure counts). */
export async function contactDeadlinesIn(db: Db, org: string): Promise<Pick<DeadlineDoc, 'orgPath' | 'outcome' | 'dueAt' | 'metAt'>[]> {
  return collections(db).deadlines.find({ orgPath: org, deadlineKind: 'pairing.contact' }, { projection: { _id: 0, orgPath: 1, outcome: 1, dueAt: 1, metAt: 1 } }).toArray();
}
