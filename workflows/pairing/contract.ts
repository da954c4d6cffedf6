import type { UpdateDefinition } from '@temporalio/common';
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CaseInput } from '../lib/case-workflow';
import type { Actor } from '../../domain/case';
import type { MemberRef } from '../../domain/party-member';
import { PAIRING_STEPS, pairingIdOf, type OpenArgs, type PairingState, type PairingStepName, type PairingView } from '../../domain/pairing';

/**
 * The contract of the pairing workflow (党员帮包): its id, input, updates and query. Imported by the workflow,
 * the API, the worker's sweep and the tests alike.
 */
export const PAIRING_WORKFLOW_TYPE = 'pairingWorkflow';

/** One pairing per household: the workflow id is the case id, `pairing-<householdId>` (a business key). */
export const pairingWorkflowId = pairingIdOf;

export interface PairingStart {
  open: OpenArgs;
  /** The request that opened it: its `opened` update answers once the pairing is in the read model. */
  openingRequestId: string;
}
/** `{ start }`, or `{ carried }` over continue-as-new. */
export type PairingInput = CaseInput<PairingStart, PairingState>;

/** Every step names the pairing it means, who acts and its input; `assign` also the member the API resolved. */
export interface PairingStepArgs {
  caseId: string;
  actor: Actor;
  input: unknown;
  member?: MemberRef;
}

export const pairingOpenedUpdate = defineUpdate<PairingView, [{ requestId: string }]>('opened');

export const pairingStepUpdates = Object.fromEntries(
  Object.keys(PAIRING_STEPS).map((name) => [name, defineUpdate<PairingView, [PairingStepArgs]>(name)]),
) as Record<PairingStepName, UpdateDefinition<PairingView, [PairingStepArgs]>>;

export const pairingQuery = defineQuery<PairingView>('pairing');
