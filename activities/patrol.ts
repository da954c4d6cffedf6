import type { Db } from 'mongodb';
import { claimPatrolCycle } from '../store/patrols';

/** The patrol workflow's activity: its claim on the village's cycle (store/patrols.ts). Idempotent: a retry finds its own claim. */
export function createPatrolActivities(deps: { db: Db }) {
  return {
    /** Claims a patrol cycle for a run; answers with the run that holds it. */
    async claimPatrolCycle(args: { patrolId: string; workflowId: string; runId: string }): Promise<{ workflowId: string; runId: string }> {
      return claimPatrolCycle(deps.db, args);
    },
  };
}
