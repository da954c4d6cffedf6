import type { Db } from 'mongodb';
import type { DeadlineFact } from '../domain/assessment';
import { deadlinesDueIn } from './deadlines';

/**
 * The deadlines of `org`'s subtree due in [from, to) as the assessment reads them (domain/assessment.ts
 * DeadlineFact). Reads through `deadlinesDueIn`: month by month on the `{orgPath, dueMonth}` index
 * (store/indexes.ts), only the fields counted, so a district's year (~10^5 deadlines) is twelve index reads
 * of small documents, never a scan of the cases. Source: ours.
 */
export async function assessmentFacts(db: Db, org: string, from: number, to: number): Promise<DeadlineFact[]> {
  const docs = await deadlinesDueIn(db, org, new Date(from), new Date(to), ['_id', 'caseId', 'kind', 'deadlineKind', 'label', 'orgPath', 'metAt', 'endedAt', 'outcome', 'escalations']);
  return docs.map((d) => ({
    id: d._id,
    caseId: d.caseId,
    caseKind: d.kind,
    deadlineKind: d.deadlineKind,
    label: d.label,
    orgPath: d.orgPath,
    dueAt: d.dueAt.getTime(),
    metAt: d.metAt === null || d.metAt === undefined ? null : d.metAt.getTime(),
    endedAt: d.endedAt === null || d.endedAt === undefined ? null : d.endedAt.getTime(),
    outcome: d.outcome,
    escalations: d.escalations ?? 0,
  }));
}
