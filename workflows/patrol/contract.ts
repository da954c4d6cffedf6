import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CaseInput } from '../lib/case-workflow';
import type { Actor } from '../../domain/case';
import type { PatrolRecordInput, PatrolStart, PatrolState, PatrolView } from '../../domain/patrol';

/**
 * The contract of the patrol workflow (巡查, one per cycle of a village's patrol plan): the schedule and
 * workflow ids, the input the schedule's action passes, the update and the query. Imported by the workflow,
 * the API and the tests alike. docs/patrols.md.
 */
export const PATROL_WORKFLOW_TYPE = 'patrolWorkflow';

/** One Temporal Schedule per village, named from the business key. */
export const patrolPlanScheduleId = (villageCode: string): string => `patrol-plan-${villageCode}`;

/**
 * The workflow id the schedule's action names; Temporal appends the cycle's scheduled time to it
 * (`patrol-371002001001-2026-11-30T01:10:00Z`), so each cycle's run has its own id and a fire that is taken
 * twice meets the running patrol of its cycle.
 */
export const patrolWorkflowId = (villageCode: string): string => `patrol-${villageCode}`;

/** How long after a missed fire time (Temporal unavailable) the schedule still starts that cycle's patrol (ours). */
export const PATROL_CATCHUP_WINDOW = '1 day';

/** `{ start }` (what the schedule's action passes), or `{ carried }` over continue-as-new. */
export type PatrolInput = CaseInput<PatrolStart, PatrolState>;

/** The record step: which patrol, who records it, the record (validated in the workflow too). */
export interface RecordPatrolArgs {
  caseId: string;
  actor: Actor;
  input: PatrolRecordInput;
}

export const recordPatrolUpdate = defineUpdate<PatrolView, [RecordPatrolArgs]>('recordPatrol');

export const patrolQuery = defineQuery<PatrolView>('patrol');
