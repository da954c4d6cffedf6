import type { UpdateDefinition } from '@temporalio/common';
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CaseInput } from '../lib/case-workflow';
import type { Actor } from '../../domain/case';
import { WISH_STEPS, type HelperRef, type PostArgs, type WishState, type WishStepName, type WishView } from '../../domain/wish';

/**
 * The contract of the wish workflow (许愿树): its id, input, updates and query. Imported by the workflow, the
 * API and the tests alike.
 */
export const WISH_WORKFLOW_TYPE = 'wishWorkflow';

/**
 * A household may have several wishes at once, so the id is not built from the household: the API draws a
 * random wish id (12 hex digits) and the workflow id, which is also the case id, is `wish-<wishId>`.
 */
export const wishWorkflowId = (wishId: string): string => `wish-${wishId}`;

export interface WishStart {
  /** The wish's id is its workflow id, taken by the workflow itself. */
  post: Omit<PostArgs, 'wishId'>;
  /** The request that posted it: its `opened` update answers with the new wish. */
  openingRequestId: string;
}
/** `{ start }`, or `{ carried }` over continue-as-new (the start's fields at the top level: runs before the kit). */
export type WishInput = CaseInput<WishStart, WishState>;

/**
 * Every step names the wish it means, who acts and its input (validated in the workflow). A claim also
 * carries the registered helper it names, resolved by the API from the helper register.
 */
export interface WishStepArgs {
  caseId: string;
  actor: Actor;
  input: unknown;
  helper?: HelperRef;
}

export const wishOpenedUpdate = defineUpdate<WishView, [{ requestId: string }]>('opened');

export const wishStepUpdates = Object.fromEntries(
  Object.keys(WISH_STEPS).map((name) => [name, defineUpdate<WishView, [WishStepArgs]>(name)]),
) as Record<WishStepName, UpdateDefinition<WishView, [WishStepArgs]>>;

export const wishQuery = defineQuery<WishView>('wish');
