import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CaseInput } from '../lib/case-workflow';
import type { Actor, AlertState, AlertView, AssignVisitorInput, CloseInput, DecideInput, DisposeInput, OpenArgs, RequestInput, VisitInput } from '../../domain/alert';
import type { UnitRef } from '../../domain/org';
import type { AlertLevel, AlertPolicy } from '../../domain/policy';

/**
 * The contract of the household-alert workflow: its id, input, updates and query. Imported by the
 * workflow, the API and the tests alike.
 */
export const ALERT_WORKFLOW_TYPE = 'alertWorkflow';

/** One alert workflow per household at a time; a closed alert's id is reused by the next one. */
export const alertWorkflowId = (householdId: string): string => `alert-${householdId}`;

/** What opens an alert. */
export interface AlertStart extends Omit<OpenArgs, 'alertId'> {
  /** The request that started this alert: its `report` update answers "created". */
  openingRequestId: string;
}
/** `{ start }`, or `{ carried }` over continue-as-new (the start's fields at the top level: runs before the kit). */
export type AlertInput = CaseInput<AlertStart, AlertState>;

export interface ReportArgs {
  requestId: string;
  level: AlertLevel;
  reasons: string[];
  actor: Actor;
}
export interface ReportResult {
  created: boolean;
  changed: boolean;
  alert: AlertView;
}

export const reportUpdate = defineUpdate<ReportResult, [ReportArgs]>('report');
/**
 * Every staff action names the alert it means: the workflow id is reused by the household's next
 * alert, and an action meant for a closed alert must not land on its successor.
 */
interface Action {
  caseId: string;
  actor: Actor;
}

export const acknowledgeUpdate = defineUpdate<AlertView, [Action & { note?: string }]>('acknowledge');
export const recordVisitUpdate = defineUpdate<AlertView, [Action & { visit: VisitInput }]>('recordVisit');
export const changeLevelUpdate = defineUpdate<AlertView, [Action & { level: AlertLevel; reason: string }]>('changeLevel');
export const reassignUpdate = defineUpdate<AlertView, [Action & { unit: UnitRef; ladder: UnitRef[]; reason: string }]>('reassign');
export const closeUpdate = defineUpdate<AlertView, [Action & { closure: CloseInput }]>('close');
export const repolicyUpdate = defineUpdate<AlertView, [Action & { policy: AlertPolicy }]>('repolicy');
/** Issue 12: a request to lower or close early, the town's decision on it, a disposition (处置). */
export const requestChangeUpdate = defineUpdate<AlertView, [Action & { request: RequestInput }]>('requestChange');
export const decideRequestUpdate = defineUpdate<AlertView, [Action & { decision: DecideInput }]>('decideRequest');
export const disposeUpdate = defineUpdate<AlertView, [Action & { disposition: DisposeInput }]>('dispose');
/** Issue 14: the assigned visitor. */
export const assignVisitorUpdate = defineUpdate<AlertView, [Action & { visitor: AssignVisitorInput }]>('assignVisitor');

export const alertQuery = defineQuery<AlertView>('alert');
