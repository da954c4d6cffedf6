import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { advanceWish, pointsEntry, pointsRecorded, postWish, WISH_STEPS, wishView, wishWakeAt, type WishState, type WishStepName, type WishView } from '../../domain/wish';
import { kindStep, runCase, type CaseKindRules } from '../lib/case-workflow';
import { wishOpenedUpdate, wishQuery, wishStepUpdates, type WishInput, type WishStart, type WishStepArgs } from './contract';

const { recordHelperPoints } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  // The ledger must get the entry eventually; the activity is idempotent by wish id.
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

/** The wish kind for the case skeleton: its rules (domain/wish.ts) and its step table. */
const WISH: CaseKindRules<WishState, WishView, WishStart> = {
  kind: 'wish',
  // The wish id is the workflow id (wish-<12 hex digits>), drawn by the API.
  open: (start, now) => postWish({ ...start.post, wishId: workflowInfo().workflowId }, now),
  view: wishView,
  caseIdOf: (s) => s.wishId,
  advance: advanceWish,
  wakeAt: wishWakeAt,
  query: wishQuery,
  opened: wishOpenedUpdate,
  steps: (Object.keys(WISH_STEPS) as WishStepName[]).map((name) =>
    kindStep<WishState, WishStepArgs, WishView>({
      ...WISH_STEPS[name],
      action: name,
      update: wishStepUpdates[name],
      // A claim names its registered helper, resolved by the API from the register.
      context: (args) => (args.helper ? { helper: args.helper } : {}),
    }),
  ),
};

/**
 * One wish on the wishing tree (许愿树): posted → screened by the town → open for claims → claimed by one
 * registered helper → fulfilled with evidence → confirmed by the household, or by staff after its silence
 * → closed, and the helper's points recorded. Each deadline (screening, claim, fulfilment) escalates up the
 * org tree; a fulfilment that misses its date releases the claim and reopens the wish, escalated.
 */
export async function wishWorkflow(input: WishInput): Promise<WishView> {
  // postWish always opens: the skeleton's null (declined to open) never comes back for a wish.
  return (await runCase(WISH, input, {
    // Closed as fulfilled (confirmed by the household or by staff after its silence): the helper's points.
    onClosed: async (run) => {
      const entry = pointsEntry(run.state);
      if (entry) await run.commit(pointsRecorded(run.state, await recordHelperPoints(entry), run.now()));
    },
  })) as WishView;
}
