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
