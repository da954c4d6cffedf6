import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CaseInput } from '../lib/case-workflow';
import type { Actor } from '../../domain/case';
import type { DecideBody, DiscoveryView, Opening, ReportDiscoveryArgs } from '../../domain/discovery';

/**
 * The contract of the active-discovery workflow (主动发现): its id, input, updates and query. Imported by
 * the workflow, the API and the tests alike.
 */
export const DISCOVERY_WORKFLOW_TYPE = 'discoveryWorkflow';

/**
 * One workflow per report; its id (and case id) comes from the business key — the reporter's login and the
 * client's key — hashed so that a login never shows in an id (store/discoveries.ts `discoveryIdFor`).
 */
export const discoveryWorkflowId = (discoveryId: string): string => discoveryId;

export interface DiscoveryStart {
  report: ReportDiscoveryArgs;
  /** The request that started it: its `opened` update answers once the discovery is in the read model. */
  openingRequestId: string;
}
/** `{ start }`, or `{ carried }` over continue-as-new. */
export type DiscoveryInput = CaseInput<DiscoveryStart, unknown>;

/** The town's decision: the API's body and, for an alert or application, the other case's opening. */
export interface DecideArgs {
  caseId: string;
  actor: Actor;
  input: DecideBody & { opening?: Opening };
}

export const discoveryOpenedUpdate = defineUpdate<DiscoveryView, [{ requestId: string }]>('opened');
/** 研判. Refused (`conflict`, `case_closed`) once decided. */
export const decideDiscoveryUpdate = defineUpdate<DiscoveryView, [DecideArgs]>('decide');
export const discoveryQuery = defineQuery<DiscoveryView>('discovery');
