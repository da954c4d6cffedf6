import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { RuleViolation } from '../../domain/case';
import { advanceDiscovery, decideDiscovery, decisionCategory, decisionHousehold, DISCOVERY_STEPS, discoveryView, discoveryWakeAt, reportDiscovery, type DecideInput, type DiscoveryState, type DiscoveryView, type OpenedOutcome } from '../../domain/discovery';
import { alertWorkflowId } from '../alert/contract';
import { applicationWorkflowId } from '../application/contract';
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

/**
 * The gate (validator only: new strictness never meets a recorded history): the opening the update carries
 * is for the decision's own household — the alert's or application's workflow id and the start's household —
 * so no update, by whatever path, opens a case for another household or under another id; the household is
 * the report's own when it named a registered one, else (a new household, registered meanwhile) one whose
 * case opens at the report's village (the start's unit: the API checks the register itself). Ours.
 * @throws RuleViolation('unprocessable', 'opening: …').
 */
function openingMatches(s: DiscoveryState, input: DecideInput): void {
  if ((input.outcome !== 'alert' && input.outcome !== 'application') || !input.opening) return;
  // A registered household's discovery opens only that household's case; a new household's, one in its village.
  if (s.householdId !== null && input.householdId !== undefined && input.householdId !== s.householdId) {
    throw new RuleViolation('unprocessable', `householdId: discovery ${s.discoveryId} is about household ${s.householdId}, not ${input.householdId}`);
  }
  const householdId = decisionHousehold(s, input);
  const start = input.opening.start as { householdId?: unknown; unit?: { code?: unknown }; submit?: { householdId?: unknown; category?: unknown; unit?: { code?: unknown } } };
  const unitCode = input.outcome === 'alert' ? start.unit?.code : start.submit?.unit?.code;
  if (s.householdId === null && unitCode !== s.village.code) throw new RuleViolation('unprocessable', `householdId: household ${householdId} is not in ${s.village.name} (${s.village.code}), where discovery ${s.discoveryId} was reported`);
  const ok =
    input.outcome === 'alert'
      ? input.opening.workflowId === alertWorkflowId(householdId) && start.householdId === householdId
      : input.opening.workflowId === applicationWorkflowId(householdId, decisionCategory(s, input)) && start.submit?.householdId === householdId && start.submit.category === decisionCategory(s, input);
  if (!ok) throw new RuleViolation('unprocessable', `opening: not the ${input.outcome} of household ${householdId} this decision names`);
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
      gate: openingMatches,
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
