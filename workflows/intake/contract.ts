import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CaseInput } from '../lib/case-workflow';
import type { Actor } from '../../domain/case';
import type { AcceptIntakeInput, FileIntakeArgs, IntakeView, ReturnIntakeInput } from '../../domain/intake';

/**
 * The contract of the application-intake workflow (申请受理, issue 14): its id, input, updates and query.
 * Imported by the workflow, the API and the tests alike.
 */
export const INTAKE_WORKFLOW_TYPE = 'intakeWorkflow';

/** One workflow per intake; the id is random (`intake-<16 hex>`, drawn by the API); the receipt maps to it (store/intakes.ts). */
export const intakeWorkflowId = (intakeId: string): string => intakeId;

export interface IntakeStart {
  file: FileIntakeArgs;
  /** The request that started it: its `opened` update answers once the intake is in the read model. */
  openingRequestId: string;
}
/** `{ start }`, or `{ carried }` over continue-as-new. */
export type IntakeInput = CaseInput<IntakeStart, unknown>;

export interface AcceptIntakeArgs {
  caseId: string;
  actor: Actor;
  input: AcceptIntakeInput;
}
export interface ReturnIntakeArgs {
  caseId: string;
  actor: Actor;
  input: ReturnIntakeInput;
}

export const intakeOpenedUpdate = defineUpdate<IntakeView, [{ requestId: string }]>('opened');
/** 受理: opens the application first. Refused (`conflict`, `case_closed`) once accepted or returned. */
export const acceptIntakeUpdate = defineUpdate<IntakeView, [AcceptIntakeArgs]>('accept');
/** 退回 with a reason. Refused (`conflict`, `case_closed`) once accepted or returned. */
export const returnIntakeUpdate = defineUpdate<IntakeView, [ReturnIntakeArgs]>('return');
export const intakeQuery = defineQuery<IntakeView>('intake');
