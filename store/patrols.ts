import type { Db } from 'mongodb';
import { collections } from './collections';
import { claimFirst } from './mongo';

/**
 * Patrols (巡查, domain/patrol.ts): which run holds a village's patrol cycle (`patrol_runs`). The cases
 * themselves are in the case read model like every kind's.
 */

/**
 * Claims the cycle `patrolId` for the run `runId` of `workflowId`; answers with the run that holds it (the
 * caller's, or the one that claimed it first: a fire started twice, a re-run of a recorded cycle).
 */
export async function claimPatrolCycle(db: Db, claim: { patrolId: string; workflowId: string; runId: string }): Promise<{ workflowId: string; runId: string }> {
  const holder = await claimFirst(collections(db).patrolRuns, { _id: claim.patrolId, workflowId: claim.workflowId, runId: claim.runId, claimedAt: new Date() });
  return { workflowId: holder.workflowId, runId: holder.runId };
}
