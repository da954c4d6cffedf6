import type { Db } from 'mongodb';
import type { HouseholdRelation } from '../domain/privacy';
import { collections, type CaseDoc } from './collections';

/**
 * The facts privacy by need reads (domain/privacy.ts `disclosureFor`, issue 14): for each household, its
 * village, the unit it is registered at, the logins paired with it by an open pairing, and the assigned
 * visitors of its open alerts. Three queries for any number of households (by `_id` and by `householdId`,
 * both indexed: store/indexes.ts), so a page of rows costs the same three reads whatever its length.
 * No personal field is read. Source: ours (issue 14).
 */
export async function householdRelations(db: Db, householdIds: readonly string[]): Promise<Map<string, HouseholdRelation>> {
  const ids = [...new Set(householdIds)];
  const out = new Map<string, HouseholdRelation>();
  if (ids.length === 0) return out;
  const c = collections(db);
  const [households, cases] = await Promise.all([
    c.households.find({ _id: { $in: ids } }, { projection: { _id: 1, villageCode: 1, unitCode: 1 } }).toArray(),
    c.cases
      .find({ householdId: { $in: ids }, kind: { $in: ['pairing', 'alert'] }, status: 'open' }, { projection: { _id: 1, kind: 1, householdId: 1, 'view.member.userId': 1, 'view.visitor.userId': 1 } })
      .toArray() as Promise<Pick<CaseDoc<{ member?: { userId?: unknown } | null; visitor?: { userId?: unknown } | null }>, '_id' | 'kind' | 'householdId' | 'view'>[]>,
  ]);
  for (const h of households) out.set(h._id, { villageCode: h.villageCode, unitCode: h.unitCode, pairedUserIds: [], visitorUserIds: [] });
  for (const d of cases) {
    const r = d.householdId ? out.get(d.householdId) : undefined;
    if (!r) continue;
    const member = d.kind === 'pairing' ? d.view?.member?.userId : undefined;
    const visitor = d.kind === 'alert' ? d.view?.visitor?.userId : undefined;
    if (typeof member === 'string') (r.pairedUserIds as string[]).push(member);
    if (typeof visitor === 'string') (r.visitorUserIds as string[]).push(visitor);
  }
  return out;
}

/** The open alerts whose assigned visitor is this login (`view.visitor.userId`), newest first, at most `limit`. */
export function alertsAssignedTo(db: Db, userId: string, limit: number): Promise<CaseDoc[]> {
  return collections(db).cases.find({ kind: 'alert', status: 'open', 'view.visitor.userId': userId }).sort({ _id: -1 }).limit(limit).toArray();
}

/** A household's org path (root first), or null when it is not in the register; no personal field is read. */
export async function householdPathOf(db: Db, householdId: string): Promise<string[] | null> {
  const h = await collections(db).households.findOne({ _id: householdId }, { projection: { _id: 1, orgPath: 1 } });
  return h?.orgPath ?? null;
}

/** Whether this login is the assigned visitor of an open alert on the household (issue 14). */
export async function isAssignedVisitor(db: Db, householdId: string, userId: string): Promise<boolean> {
  return (await collections(db).cases.findOne({ householdId, kind: 'alert', status: 'open', 'view.visitor.userId': userId }, { projection: { _id: 1 } })) !== null;
}
