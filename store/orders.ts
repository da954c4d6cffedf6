import type { Db, Filter } from 'mongodb';
import { collections, type CaseDoc, type CaseListDoc } from './collections';
import { pageById } from './mongo';

/**
 * Reading supervision orders (督办单, kind `order`) from the case read model, which only the projection
 * writes: an order's view carries `targetCaseId` (the case it is about) and `issuerUnitCode`. Lists return
 * up to `limit` documents by id after `after` (keyset); the caller asks one more than a page.
 */

/** Which orders of a unit: those it must answer (`received`: ordered to it) or those it issued. */
export type OrderDirection = 'received' | 'issued';

/**
 * Orders to or from one unit (exactly that unit), optionally only open or closed ones and only those whose
 * reply is overdue now (as last projected), by id.
 */
export function ordersOfUnit(db: Db, q: { unitCode: string; direction: OrderDirection; status?: 'open' | 'closed'; overdue?: boolean; after?: string; limit: number }): Promise<CaseListDoc[]> {
  // An order lies in the ordered unit's subtree, which is below the issuer: its issued orders are in its own
  // subtree, read by `orgPath` equality (an index on both backends; store/indexes.ts).
  const filter: Filter<CaseDoc> = { kind: 'order', ...(q.direction === 'received' ? { unitCode: q.unitCode } : { orgPath: q.unitCode, 'view.issuerUnitCode': q.unitCode }) };
  if (q.status) filter.status = q.status;
  if (q.overdue !== undefined) filter.overdue = q.overdue;
  return pageById(collections(db).cases, filter, q.after, q.limit, { projection: { view: 0 } });
}

/**
 * The orders about one case (its page's "督办" section), with their views, by id; at most `limit`. An order
 * on a household's case carries the household: read by `householdId` (indexed) when the case has one.
 */
export function ordersOnCase(db: Db, kase: { _id: string; householdId: string | null }, limit: number): Promise<CaseDoc[]> {
  const filter: Filter<CaseDoc> = { kind: 'order', 'view.targetCaseId': kase._id, ...(kase.householdId ? { householdId: kase.householdId } : {}) };
  return collections(db).cases.find(filter).sort({ _id: 1 }).limit(limit).toArray();
}
