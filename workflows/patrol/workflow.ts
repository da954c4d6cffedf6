import { advancePatrol, openPatrol, patrolView, patrolWakeAt, PATROL_STEPS, recordPatrol, type PatrolStart, type PatrolState, type PatrolView } from '../../domain/patrol';
import { kindStep, runCase, type CaseKindRules } from '../lib/case-workflow';
import { scheduledStartOf } from '../lib/scheduled-start';
import { patrolQuery, recordPatrolUpdate, type PatrolInput } from './contract';

/** The patrol kind for the case skeleton: its rules (domain/patrol.ts) and its one step. */
const PATROL: CaseKindRules<PatrolState, PatrolView, PatrolStart> = {
  kind: 'patrol',
  // The cycle starts at the schedule's time for this run (deterministic: the run's own start information).
  open: (start, now) => openPatrol(start, scheduledStartOf(start.scheduledAt), now),
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
 * missed, and closes when the patrol is recorded with whom it visited.
 */
export async function patrolWorkflow(input: PatrolInput): Promise<PatrolView | null> {
  return runCase(PATROL, input);
}
