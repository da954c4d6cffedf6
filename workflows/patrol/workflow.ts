import { log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { advancePatrol, openPatrol, patrolId, patrolView, patrolWakeAt, PATROL_STEPS, recordPatrol, type PatrolStart, type PatrolState, type PatrolView } from '../../domain/patrol';
import { kindStep, runCase, type CaseKindRules } from '../lib/case-workflow';
import { scheduledStartOf } from '../lib/scheduled-start';
import { patrolQuery, recordPatrolUpdate, type PatrolInput } from './contract';

// The read model must answer eventually: retry for as long as it takes, backing off to a minute.
const { claimPatrolCycle } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

/**
 * Opens the cycle's patrol, unless another run holds the cycle (null: this run ends). The schedule starts one
 * run per fire under the workflow id `patrol-<village>-<scheduled time>` and the server refuses a second start
 * of a running id; the claim covers a start after the first run has finished (a re-run, a backfill over a
 * recorded cycle). The cycle starts at the schedule's time for this run (the run's own start information:
 * deterministic). The opening is timed after the claim (workflow time has moved on).
 */
async function openCycle(start: PatrolStart): Promise<ReturnType<typeof openPatrol> | null> {
  const cycleStart = scheduledStartOf(start.scheduledAt);
  const info = workflowInfo();
  const id = patrolId(start.villageCode, cycleStart);
  const holder = await claimPatrolCycle({ patrolId: id, workflowId: info.workflowId, runId: info.runId });
  if (holder.runId !== info.runId) {
    log.warn('patrol cycle already held by another run', { patrolId: id, holder });
    return null;
  }
  return openPatrol(start, cycleStart, Date.now());
}

/** The patrol kind for the case skeleton: its rules (domain/patrol.ts) and its one step. */
const PATROL: CaseKindRules<PatrolState, PatrolView, PatrolStart> = {
  kind: 'patrol',
  open: (start) => openCycle(start),
  view: patrolView,
  caseIdOf: (s) => s.patrolId,
  otherCase: (s, caseId) => `this run holds patrol ${s.patrolId}, not ${caseId}`,
  advance: advancePatrol,
  wakeAt: patrolWakeAt,
  query: patrolQuery,
  steps: [
    kindStep({
      update: recordPatrolUpdate,
      action: 'record',
      schema: PATROL_STEPS.record.input,
      check: PATROL_STEPS.record.check,
      apply: recordPatrol,
    }),
  ],
};

/**
 * One cycle's patrol of a village (巡查, seed 三(二)三), started by the village's patrol plan (a Temporal
 * Schedule): opens the record deadline due at the next fire, escalates it from the village while it is
 * missed, and closes when the patrol is recorded with whom it visited. Returns null when another run holds
 * the cycle.
 */
export async function patrolWorkflow(input: PatrolInput): Promise<PatrolView | null> {
  return runCase(PATROL, input);
}
