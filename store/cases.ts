import type { Db } from 'mongodb';
import type { CaseKind } from '../domain/projection';
import { COLLECTIONS } from './mongo';

/** A case as the projection stores it in `cases` (see activities/projection.ts); `view` is the kind's view. */
export interface CaseDoc<V = Record<string, unknown>> {
  _id: string;
  kind: CaseKind;
  status: 'open' | 'closed';
  stage: string | null;
  householdId: string | null;
  unitCode: string;
  orgPath: string[];
  workflowId: string;
  firstRunId: string;
  version: number;
  view: V;
}

export const casesOf = <V = Record<string, unknown>>(db: Db) => db.collection<CaseDoc<V>>(COLLECTIONS.cases);

/**
 * A row of the supervisors' board (`overdue`: one per case overdue now) or of the task list (`due`: one per
 * open case with a pending deadline), with only what they filter and sort by; they show the case document
 * (`cases`, same `_id`). Small rows keep the read cheap on FerretDB, which decodes and sorts every row of
 * the unit before it limits (docs/read-model.md).
 */
export interface BoardRow {
  _id: string;
  kind: CaseKind;
  level: string | null;
  orgPath: string[];
  dueAt: Date;
  version: number;
}
