import type { Db } from 'mongodb';
import { COLLECTIONS } from '../../store/collections';

/**
 * What the supervisors' board shows for a case: its board row (present exactly while the case is overdue)
 * with the case document's fields, as GET /v1/cases?overdue=true joins them; null when it is not on the board.
 */
export async function boardRowOf<T = Record<string, unknown>>(db: Db, caseId: string): Promise<T | null> {
  const row = await db.collection<{ _id: string }>(COLLECTIONS.overdue).findOne({ _id: caseId });
  if (!row) return null;
  const kase = await db.collection<{ _id: string }>(COLLECTIONS.cases).findOne({ _id: caseId }, { projection: { view: 0 } });
  return { ...kase, ...row } as T;
}
