import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CaseInput } from '../lib/case-workflow';
import type { Actor } from '../../domain/case';
import type { AnswererRole, AnswerChannel, ReceiveArgs, ReportState, ReportView } from '../../domain/report';

/**
 * The contract of the public-report workflow (群众反映, through the QR code): its id, input, updates and
 * query. Imported by the workflow, the API, the Party-day workflow's activities and the tests alike.
 */
export const REPORT_WORKFLOW_TYPE = 'reportWorkflow';

/** One workflow per report; the report id is random (the public receipt maps to it in store/reports.ts). */
export const reportWorkflowId = (reportId: string): string => `report-${reportId}`;

export interface ReportStart {
  receive: ReceiveArgs;
  /** The request that started it: its `opened` update answers once the report is in the read model. */
  openingRequestId: string;
}
/** `{ start }`, or `{ carried }` over continue-as-new (the start's fields at the top level: runs before the kit). */
export type ReportInput = CaseInput<ReportStart, ReportState>;

/** Every staff action names the report it means and who acts. */
interface Action {
  caseId: string;
  actor: Actor;
}

export const reportOpenedUpdate = defineUpdate<ReportView, [{ requestId: string }]>('opened');

/** 受理. */
export const acknowledgeReportUpdate = defineUpdate<ReportView, [Action & { note?: string }]>('acknowledgeReport');

/**
 * The answer, which closes the report. Staff answer through `POST /v1/reports/{id}/answer` (channel
 * 'staff'); the Party-day workflow answers on site through an activity (channel 'party_day').
 * Refused with a `conflict` ApplicationFailure when the report is already answered.
 */
export const answerReportUpdate = defineUpdate<
  ReportView,
  [{ caseId: string; actor: Actor; answer: string; answeredBy: { name: string; role: AnswererRole }; channel: AnswerChannel }]
>('answerReport');

/** Mark as a common issue (共性问题): confirms the unit's issue of the report's category and month. */
export const markCommonIssueUpdate = defineUpdate<ReportView, [Action & { title?: string }]>('markCommonIssue');

export const reportQuery = defineQuery<ReportView>('report');
