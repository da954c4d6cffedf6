import type { UpdateDefinition } from '@temporalio/common';
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { APPLICATION_STEPS, type ApplicationState, type ApplicationStepName, type ApplicationView, type SubmitArgs } from '../../domain/application';
import type { Actor } from '../../domain/case';
import type { CaseInput } from '../lib/case-workflow';

/**
 * The contract of the assistance-application workflow: its id, input, updates and query. Imported by the
 * workflow, the API and the tests alike.
 */
export const APPLICATION_WORKFLOW_TYPE = 'applicationWorkflow';

/**
 * One open application per household and assistance category: the id is built from both, and a start
 * while one runs is refused (the API answers 409 pointing at it).
 */
export const applicationWorkflowId = (householdId: string, category: string): string => `application-${householdId}-${category}`;

export interface ApplicationStart {
  /** The application's id is drawn by the workflow itself (its workflow id and start time). */
  submit: Omit<SubmitArgs, 'applicationId'>;
  /** The request that started it: its `opened` update answers with the new application. */
  openingRequestId: string;
}
/**
 * `{ start }`, or `{ carried }` over continue-as-new — the holiday calendar then travels once, in the state
 * (the start's fields at the top level: runs before the case kit).
 */
export type ApplicationInput = CaseInput<ApplicationStart, ApplicationState>;

/** Every staff step names the application it means, who acts, and its input (validated in the workflow). */
export interface StepArgs {
  caseId: string;
  actor: Actor;
  input: unknown;
}

export const openedUpdate = defineUpdate<ApplicationView, [{ requestId: string }]>('opened');

export const applicationStepUpdates = Object.fromEntries(
  Object.keys(APPLICATION_STEPS).map((name) => [name, defineUpdate<ApplicationView, [StepArgs]>(name)]),
) as Record<ApplicationStepName, UpdateDefinition<ApplicationView, [StepArgs]>>;

export const applicationQuery = defineQuery<ApplicationView>('application');
