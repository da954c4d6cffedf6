import { randomBytes } from 'node:crypto';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { Actor } from '../../../domain/case';
import type { DiscoveryUrgency } from '../../../domain/discovery';
import { resolvePolicy } from '../../../domain/policy';
import { discoveryWorkflow } from '../../../workflows';
import { decideDiscoveryUpdate, discoveryQuery, type DecideArgs, type DiscoveryInput } from '../../../workflows/discovery/contract';
import { alertWorkflowId } from '../../../workflows/alert/contract';
import type { Opening } from '../../../domain/discovery';
import { CITY, DISTRICT, eventually, LADDER, TOWN, VILLAGE, type TimeSkippingHarness } from '../time-skipping';

/** Drives the active-discovery workflow as the API does (test/workflows/discovery.test.ts, the property test, the history recorder). */

/** A party member of the village reports; the town's staff decide. */
export const DISCOVERY_REPORTER: Actor = { userId: 'member.zhang', role: 'party_member', unitCode: VILLAGE.code };
export const DISCOVERY_DECIDER: Actor = { userId: 'town.staff', role: 'town_staff', unitCode: TOWN.code };
/** The default discovery policy (assess normal P3D, urgent PT24H, a rung every day). */
export const DISCOVERY_POLICY = resolvePolicy(undefined, 'default').discovery;

/** The opening of an alert of `level` (red by default) for `householdId`, as the API builds it (api/routes/discoveries.ts). */
export function redAlertOpening(householdId: string, discoveryId: string, level: 'red' | 'orange' | 'yellow' = 'red'): Opening {
  const reasons = [`主动发现 ${discoveryId}：重大疾病`];
  const policy = resolvePolicy(undefined, 'default').alerts;
  return { workflowId: alertWorkflowId(householdId), start: { householdId, level, reasons, unit: VILLAGE, ladder: LADDER, policy, actor: DISCOVERY_DECIDER }, args: { level, reasons, actor: DISCOVERY_DECIDER } };
}

export type DiscoveryHandle = WorkflowHandleWithFirstExecutionRunId<typeof discoveryWorkflow>;

/** The town's decision, as the API sends it. */
export const decide = (handle: DiscoveryHandle, caseId: string, input: DecideArgs['input'], actor: Actor = DISCOVERY_DECIDER) =>
  handle.executeUpdate(decideDiscoveryUpdate, { args: [{ caseId, actor, input }] });

/**
 * Reports a discovery of a registered household (or a new one, `householdId: null`) in the village; waits
 * until it answers queries.
 */
export async function startDiscovery(h: TimeSkippingHarness, o: { urgency: DiscoveryUrgency; householdId?: string | null }): Promise<{ handle: DiscoveryHandle; caseId: string; reportedAt: number }> {
  const discoveryId = `discovery-${randomBytes(8).toString('hex')}`;
  const input: DiscoveryInput = {
    start: {
      openingRequestId: `req-${discoveryId}`,
      report: {
        discoveryId,
        reporter: DISCOVERY_REPORTER,
        reporterUnit: VILLAGE,
        householdId: o.householdId === undefined ? 'hh-0123456789ab' : o.householdId,
        focusGroup: 'major_illness',
        situation: '户主突发重病住院，家中无收入',
        urgency: o.urgency,
        patrolId: null,
        village: VILLAGE,
        town: TOWN,
        ladder: [TOWN, DISTRICT, CITY],
        orgPath: [CITY.code, DISTRICT.code, TOWN.code, VILLAGE.code],
        policy: DISCOVERY_POLICY,
      },
    },
  };
  const handle = await h.env.client.workflow.start(discoveryWorkflow, { workflowId: discoveryId, taskQueue: h.taskQueue, args: [input] });
  h.track(handle);
  const view = await eventually(() => handle.query(discoveryQuery));
  return { handle, caseId: view.caseId, reportedAt: Date.parse(view.reportedAt) };
}
