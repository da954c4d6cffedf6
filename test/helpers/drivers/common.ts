import { WorkflowUpdateFailedError, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
// A default import: the package is CommonJS, whose named exports Node's ESM loader (scripts run by tsx) cannot see.
import proto from '@temporalio/proto';
import { expect } from 'vitest';
import { eventually, type TimeSkippingHarness } from '../time-skipping';

/**
 * What the scenario drivers share (test/helpers/drivers/*): used by the workflow tests and by
 * scripts/record-histories.ts, which runs the same scenarios outside vitest (`expect` works there too;
 * only `inject` does not).
 */

/** The server's clock as an ISO string. */
export const nowIso = async (h: TimeSkippingHarness): Promise<string> => new Date(await h.env.currentTimeMs()).toISOString();

/**
 * An update the workflow refuses in its validator: resolves with the ApplicationFailure it was refused
 * with (its `type` is what the API maps to 403/409/422); fails the test when the update was taken.
 */
export async function refusal(work: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'the update is refused').toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

const E = proto.temporal.api.enums.v1.EventType;

/**
 * Waits until the current run of `workflowId` has nothing in flight: no activity and no workflow task
 * pending. A run continues as new right after a projection completes, so an update sent then could reach
 * a run that is closing; sent when quiet, it reaches the run that will take it. A history fetched when
 * quiet ends at a completed workflow task.
 */
export async function quiet(h: TimeSkippingHarness, workflowId: string): Promise<void> {
  await eventually(
    async () => {
      const events = (await h.env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
      let activities = 0;
      let lastTask: unknown;
      for (const e of events) {
        if (e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) activities += 1;
        if (e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED || e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_FAILED || e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT) activities -= 1;
        if (e.eventType === E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED || e.eventType === E.EVENT_TYPE_WORKFLOW_TASK_STARTED || e.eventType === E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) lastTask = e.eventType;
      }
      expect(activities).toBe(0);
      expect(lastTask).toBe(E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    },
    15_000,
    10,
  );
}

/** The run ids of a workflow from its first run through every continue-as-new, in order. */
export async function runsOf(h: TimeSkippingHarness, handle: WorkflowHandleWithFirstExecutionRunId): Promise<string[]> {
  const runs = [handle.firstExecutionRunId];
  for (;;) {
    const history = await h.env.client.workflow.getHandle(handle.workflowId, runs.at(-1)).fetchHistory();
    const next = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    if (!next) return runs;
    runs.push(next);
  }
}

/** Polls until `check` holds (retrying for 15 s), failing with `what` it waited for. */
export async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  await eventually(async () => {
    if (!(await check())) throw new Error(`timed out waiting for ${what}`);
  });
}

/**
 * Waits for a workflow to complete without asking for its result: the test environment's client unlocks
 * time skipping while it waits for a result, and the server would skip to the next timer it holds.
 */
export const completed = (handle: WorkflowHandleWithFirstExecutionRunId): Promise<void> =>
  until(`${handle.workflowId} to complete`, async () => (await handle.describe()).status.name === 'COMPLETED');
