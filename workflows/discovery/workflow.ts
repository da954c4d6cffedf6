import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { advanceDiscovery, decideDiscovery, DISCOVERY_STEPS, discoveryView, discoveryWakeAt, reportDiscovery, type DecideInput, type DiscoveryState, type DiscoveryView, type OpenedOutcome } from '../../domain/discovery';
import { failureMessage, kindStep, runCase, type CaseKindRules } from '../lib/case-workflow';
import { decideDiscoveryUpdate, discoveryOpenedUpdate, discoveryQuery, type DecideArgs, type DiscoveryInput, type DiscoveryStart } from './contract';

const { openDiscoveryOutcome } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', backoffCoefficient: 2, maximumAttempts: 5 },
});

/**
 * Opens the alert or application a decision names, before the decision commits (the step's `prepare`):
 * a failure comes back as `{ failed }`, which the decision records without deciding (it can be retried).
 */
async function openOutcome(s: DiscoveryState, input: DecideInput): Promise<OpenedOutcome | null> {
  if (input.outcome !== 'alert' && input.outcome !== 'application') return null;
  if (!input.opening) return null; // refused by checkDecide
  try {
    return await openDiscoveryOutcome({ discoveryId: s.discoveryId, outcome: input.outcome, opening: input.opening });
  } catch (err) {
    return { failed: failureMessage(err) };
  }
}

/** The discovery kind for the case skeleton: its rules (domain/discovery.ts) and its one step. */
const DISCOVERY: CaseKindRules<DiscoveryState, DiscoveryView, DiscoveryStart> = {
  kind: 'discovery',
  open: (start, now) => reportDiscovery(start.report, now),
  view: discoveryView,
  caseIdOf: (s) => s.discoveryId,
  advance: advanceDiscovery,
  wakeAt: discoveryWakeAt,
  query: discoveryQuery,
  opened: discoveryOpenedUpdate,
  steps: [
    kindStep<DiscoveryState, DecideArgs, DiscoveryView>({
      update: decideDiscoveryUpdate,
      action: 'decide',
      schema: DISCOVERY_STEPS.decide.schema,
      check: DISCOVERY_STEPS.decide.check,
      prepare: openOutcome,
      apply: (s: DiscoveryState, input: DecideInput, actor, now, ctx: { prepared?: OpenedOutcome | null }) => decideDiscovery(s, input, actor, now, ctx.prepared ?? null),
    }),
  ],
};

/**
 * One active discovery (主动发现): reported → decided by the town (研判), which closes it. The assessment
 * (deadline kind `discovery.assess`) climbs from the town when missed.
 */
export async function discoveryWorkflow(input: DiscoveryInput): Promise<DiscoveryView> {
  // reportDiscovery always opens: the skeleton's null never comes back for a discovery.
  return (await runCase(DISCOVERY, input as Parameters<typeof runCase<DiscoveryState, DiscoveryView, DiscoveryStart>>[1])) as DiscoveryView;
}
