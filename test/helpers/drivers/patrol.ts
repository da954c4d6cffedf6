import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { Actor } from '../../../domain/case';
import { patrolId, type PatrolRecordInput, type PatrolStart, type PatrolView } from '../../../domain/patrol';
import { SEED_FOCUS_GROUPS } from '../../../domain/focus-groups';
import { localDay } from '../../../domain/china-time';
import { resolvePolicy } from '../../../domain/policy';
import { patrolWorkflow } from '../../../workflows';
import { patrolWorkflowId, recordPatrolUpdate } from '../../../workflows/patrol/contract';
import { LADDER, VILLAGE, type TimeSkippingHarness } from '../time-skipping';

/** Drives the patrol workflow as its Schedule and the API do (scenarios shared by test/workflows/patrol.test.ts and scripts/record-histories.ts). */

/** A party member of 海港社区 who patrols and records. */
export const PATROLLER: Actor = { userId: 'li.patrol@371002001001', role: 'party_member', unitCode: VILLAGE.code };
/** The default patrol policy (a week's cycle, a rung every 3 days). */
export const PATROL_POLICY = resolvePolicy(undefined, 'default').patrol;

export type PatrolHandle = WorkflowHandleWithFirstExecutionRunId<typeof patrolWorkflow>;

/** Starts 海港社区's patrol for the cycle scheduled at `scheduledAt` (ms), as its Schedule would (the workflow id carries the time). */
export async function startPatrol(h: TimeSkippingHarness, scheduledAt: number, everyMs = PATROL_POLICY.every): Promise<{ handle: PatrolHandle; caseId: string }> {
  const start: PatrolStart = { villageCode: VILLAGE.code, unit: VILLAGE, ladder: LADDER, focusGroups: [...SEED_FOCUS_GROUPS], everyMs, policy: PATROL_POLICY, scheduledAt: new Date(scheduledAt).toISOString() };
  const at = new Date(scheduledAt).toISOString().replace(/\.\d+Z$/, 'Z');
  const handle = await h.env.client.workflow.start(patrolWorkflow, { workflowId: `${patrolWorkflowId(VILLAGE.code)}-${at}`, taskQueue: h.taskQueue, args: [{ start }] });
  h.track(handle);
  return { handle, caseId: patrolId(VILLAGE.code, scheduledAt) };
}

/** A record of two visits (a registered household is checked by the API, not the workflow: any well-formed id here). */
export const patrolRecord = (now: number, actor: Actor = PATROLLER): PatrolRecordInput => ({
  day: localDay(now),
  members: [actor.userId, 'wang.grid@371002001001'],
  visited: [
    { householdId: 'hh-0123456789ab', focusGroup: 'major_illness', finding: 'concern', note: '住院治疗，家中缺人照料' },
    { description: '外来务工人员一户，租住在港区', focusGroup: 'accident', finding: 'ok' },
  ],
  note: '本周巡查',
});

/** Records the patrol. */
export const recordPatrol = (handle: PatrolHandle, caseId: string, input: PatrolRecordInput, actor: Actor = PATROLLER): Promise<PatrolView> =>
  handle.executeUpdate(recordPatrolUpdate, { args: [{ caseId, actor, input }] });
