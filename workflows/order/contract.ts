import type { UpdateDefinition } from '@temporalio/common';
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CaseInput } from '../lib/case-workflow';
import type { Actor } from '../../domain/case';
import { ORDER_STEPS, type IssueArgs, type OrderState, type OrderStepName, type OrderView } from '../../domain/order';

/**
 * The contract of the supervision-order workflow (督办单): its id (domain/order.ts `orderWorkflowId`, from
 * the business key), input, updates and query. Imported by the workflow, the API and the tests alike.
 */
export const ORDER_WORKFLOW_TYPE = 'orderWorkflow';

export interface OrderStart {
  /** The order's id is its workflow id, set by the API from the business key. */
  issue: IssueArgs;
  /** The request that issued it: its `opened` update answers once the order is in the read model. */
  openingRequestId: string;
}
/** `{ start }`, or `{ carried }` over continue-as-new. */
export type OrderInput = CaseInput<OrderStart, OrderState>;

/** Every step names the order it means, who acts, and its input (validated in the workflow). */
export interface OrderStepArgs {
  caseId: string;
  actor: Actor;
  input: unknown;
}

export const orderOpenedUpdate = defineUpdate<OrderView, [{ requestId: string }]>('opened');

export const orderStepUpdates = Object.fromEntries(
  Object.keys(ORDER_STEPS).map((name) => [name, defineUpdate<OrderView, [OrderStepArgs]>(name)]),
) as Record<OrderStepName, UpdateDefinition<OrderView, [OrderStepArgs]>>;

export const orderQuery = defineQuery<OrderView>('order');
