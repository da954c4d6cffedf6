import { continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { RuleViolation, type Outcome } from '../../domain/case';
import {
  advanceWish,
  pointsEntry,
  pointsRecorded,
  postWish,
  WISH_STEPS,
  wishView,
  wishWakeAt,
  type StepContext,
  type WishState,
  type WishStepName,
  type WishView,
} from '../../domain/wish';
import { CaseRuntime } from '../lib/case-runtime';
import { enforce } from '../lib/projector';
import { wishOpenedUpdate, wishQuery, wishStepUpdates, type WishInput } from './contract';

const { recordHelperPoints } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  // The ledger must get the entry eventually; the activity is idempotent by wish id.
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

/**
 * One wish on the wishing tree (许愿树): posted → screened by the town → open for claims → claimed by one
 * registered helper → fulfilled with evidence → confirmed by the household, or by staff after its silence
 * → closed, and the helper's points recorded. Each deadline (screening, claim, fulfilment) escalates up the
 * org tree; a fulfilment that misses its date releases the claim and reopens the wish, escalated.
 */
export async function wishWorkflow(input: WishInput): Promise<WishView> {
  let state: WishState;
  let opening: Outcome | undefined;
  if (input.carried) state = input.carried;
  else {
    const posted = postWish({ ...input.post, wishId: workflowInfo().workflowId }, Date.now());
    state = posted.state;
    opening = posted;
  }
  const runtime = new CaseRuntime('wish', state, wishView, input.continueAsNewAfterEvents);
  const now = () => runtime.now();
  const commit = (outcome: Outcome) => runtime.commit(outcome);
  const openingCommitted = opening ? commit(opening) : Promise.resolve(runtime.current());

  setHandler(wishQuery, () => runtime.current());
  setHandler(wishOpenedUpdate, async () => {
    await openingCommitted;
    return runtime.current();
  });

  for (const name of Object.keys(WISH_STEPS) as WishStepName[]) {
    const step = WISH_STEPS[name] as (typeof WISH_STEPS)[WishStepName] & {
      check(s: WishState, input: unknown, actor: unknown, now: number, ctx: StepContext): void;
      apply(s: WishState, input: unknown, actor: unknown, now: number, ctx: StepContext): Outcome;
    };
    const ctxOf = (helper: StepContext['helper']): StepContext => (helper ? { helper } : {});
    setHandler(wishStepUpdates[name], async ({ input: raw, actor, helper }) => commit(step.apply(state, step.schema.parse(raw), actor, now(), ctxOf(helper))), {
      validator: ({ caseId, input: raw, actor, helper }) =>
        enforce(() => {
          if (caseId !== state.wishId) throw new RuleViolation('conflict', `this workflow holds wish ${state.wishId}, not ${caseId}`);
          const parsed = step.schema.safeParse(raw);
          if (!parsed.success) throw new RuleViolation('unprocessable', `${parsed.error.issues[0]?.path.join('.') || 'input'}: ${parsed.error.issues[0]?.message}`);
          step.check(state, parsed.data, actor, now(), ctxOf(helper));
        }),
    });
  }

  await openingCommitted;
  while (state.status === 'open') {
    await runtime.sleepUntil(wishWakeAt(state));
    const happened = advanceWish(state, now());
    if (happened.events.length > 0) await commit(happened);
    if (runtime.shouldContinueAsNew()) {
      await runtime.settle();
      await continueAsNew<typeof wishWorkflow>({ ...input, carried: state });
    }
  }
  // Closed as fulfilled (confirmed by the household or by staff after its silence): the helper's points.
  const entry = pointsEntry(state);
  if (entry) await commit(pointsRecorded(state, await recordHelperPoints(entry), now()));
  await runtime.settle();
  return runtime.current();
}
