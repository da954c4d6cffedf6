import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client, type ScheduleHandle, type ScheduleOptionsStartWorkflowAction, type ScheduleSpec } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';

/** A schedule's state as our plans keep it: paused or firing, and a note. */
export interface PlanState {
  paused: boolean;
  note?: string;
}

/**
 * A PUT's meaning over Temporal's schedules: creates the schedule `scheduleId` or, when it exists, replaces its
 * spec, action and policies in place. `state(previous)` gives the state to keep: `previous` is undefined on a
 * create and the schedule's current state on an update (a change that says nothing of `paused` can keep it).
 * Two PUTs at once: the one whose create loses the race updates instead. Used by the Party day's schedule
 * (api/routes/party-days.ts) and the patrol plan (api/routes/patrols.ts). Source: ours.
 *
 * @returns the schedule's handle and whether it was created (the route's 201) or updated (200).
 * @throws whatever the Temporal client throws other than "not found" on describe and "already running" on create.
 */
export async function putSchedule<W extends Workflow>(
  temporal: Client,
  scheduleId: string,
  plan: {
    spec: ScheduleSpec;
    action: ScheduleOptionsStartWorkflowAction<W>;
    policies: { overlap: 'ALLOW_ALL'; catchupWindow: string };
    state: (previous: PlanState | undefined) => PlanState;
  },
): Promise<{ handle: ScheduleHandle; created: boolean }> {
  const { spec, action, policies } = plan;
  const handle = temporal.schedule.getHandle(scheduleId);
  const exists = await handle.describe().then(
    () => true,
    (err: unknown) => {
      if (err instanceof ScheduleNotFoundError) return false;
      throw err;
    },
  );
  if (!exists) {
    try {
      await temporal.schedule.create({ scheduleId, spec, action, policies, state: plan.state(undefined) });
      return { handle, created: true };
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    }
  }
  await handle.update<W>((previous) => ({ spec, action, policies, state: plan.state({ paused: previous.state.paused, ...(previous.state.note ? { note: previous.state.note } : {}) }) }));
  return { handle, created: false };
}
