import { randomBytes } from 'node:crypto';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { Actor } from '../../../domain/case';
import type { UnitRef } from '../../../domain/org';
import { resolvePolicy } from '../../../domain/policy';
import type { ReportCategory } from '../../../domain/report';
import { reportWorkflow } from '../../../workflows';
import { reportQuery, reportWorkflowId, type ReportInput } from '../../../workflows/report/contract';
import { CITY, DISTRICT, eventually, TOWN, VILLAGE, type TimeSkippingHarness } from '../time-skipping';

/** Drives the public-report workflow as the API does (scenarios shared by test/workflows/report.test.ts and scripts/record-histories.ts). */

export const REPORT_STAFF: Actor = { userId: 'u1', role: 'village_staff', unitCode: VILLAGE.code };
/** The default report policy (受理 within 48 h, answer within 10 days of receipt, a rung every 2 days). */
export const REPORT_POLICY = resolvePolicy(undefined, 'default').reports;
export const ANSWERED_BY = { name: '王主任', role: 'committee_member' as const };

export type ReportHandle = WorkflowHandleWithFirstExecutionRunId<typeof reportWorkflow>;

/** Receives a report of `category` from the QR code of `unit` (tracked by the harness); waits until it answers queries. */
export async function startReport(h: TimeSkippingHarness, category: ReportCategory, unit: UnitRef = VILLAGE): Promise<{ handle: ReportHandle; caseId: string; receivedAt: number }> {
  const reportId = `rp-${randomBytes(8).toString('hex')}`;
  const ladder = [unit, TOWN, DISTRICT, CITY];
  const input: ReportInput = { openingRequestId: `req-${reportId}`, receive: { reportId, category, text: '<b>低保金</b>本月未到账', unit, ladder, policy: REPORT_POLICY } };
  const handle = await h.env.client.workflow.start(reportWorkflow, { workflowId: reportWorkflowId(reportId), taskQueue: h.taskQueue, args: [input] });
  h.track(handle);
  const view = await eventually(() => handle.query(reportQuery));
  return { handle, caseId: view.caseId, receivedAt: Date.parse(view.receivedAt) };
}
