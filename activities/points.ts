import type { Db } from 'mongodb';
import { awardsOf, entryOf } from '../domain/points';
import type { PointsPolicy } from '../domain/policy';
import type { CaseProjection } from '../domain/projection';
import { memberOfUser } from '../store/party-members';
import { appendEntries } from '../store/points';

/**
 * The projection's points hook (issue 13): the awards a case change earns (domain/points.ts `awardsOf`)
 * become ledger entries for the logins that are registered members, with the points `policy` gives each
 * rule. Idempotent: each entry's `_id` is its award's key, and a key already stored is left as it is (the
 * points in force when it was first written stay). Awards for logins with no member are skipped.
 */
export async function projectAwards(db: Db, policy: PointsPolicy, p: Pick<CaseProjection, 'caseId' | 'kind' | 'events'> & { view: Record<string, unknown> }): Promise<void> {
  const awards = awardsOf(p);
  if (awards.length === 0) return;
  const members = new Map<string, Awaited<ReturnType<typeof memberOfUser>>>();
  for (const a of awards) if (!members.has(a.userId)) members.set(a.userId, await memberOfUser(db, a.userId));
  const entries = awards.flatMap((a) => {
    const m = members.get(a.userId);
    return m ? [entryOf(a, m, policy)] : [];
  });
  await appendEntries(db, entries);
}
