import type { Db } from 'mongodb';
import { collections } from './collections';

/**
 * 公示 (public notice) of a village's applications, for its public page (issue 14): the open applications whose
 * unit is the village, at the notice stage, whose last notice runs at `now` (started, not yet ended). Reads the
 * `cases` read model through its `unitCode, kind, status` index (store/indexes.ts), then the stage in memory.
 * Returns the case id, household, category and the notice's period (ISO), earliest end first.
 */
export async function applicationsInNotice(db: Db, villageCode: string, now: number): Promise<{ caseId: string; householdId: string | null; category: string; from: string; until: string }[]> {
  const docs = await collections(db).cases.find({ unitCode: villageCode, kind: 'application', status: 'open' }, { projection: { _id: 1, householdId: 1, 'view.stage': 1, 'view.category': 1, 'view.notices': 1 } }).toArray();
  const out: { caseId: string; householdId: string | null; category: string; from: string; until: string }[] = [];
  for (const d of docs) {
    const v = d.view as { stage?: string; category?: string; notices?: { startedAt: string; endsAt: string; endedAt: string | null }[] };
    const n = v.notices?.at(-1);
    if (v.stage !== 'notice' || !n || n.endedAt) continue;
    if (Date.parse(n.startedAt) > now || Date.parse(n.endsAt) <= now) continue;
    out.push({ caseId: d._id, householdId: d.householdId ?? null, category: String(v.category ?? ''), from: n.startedAt, until: n.endsAt });
  }
  return out.sort((a, b) => a.until.localeCompare(b.until) || a.caseId.localeCompare(b.caseId));
}
