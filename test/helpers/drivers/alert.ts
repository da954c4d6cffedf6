import { randomBytes } from 'node:crypto';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { Actor, AlertView } from '../../../domain/alert';
import { resolvePolicy, type AlertLevel } from '../../../domain/policy';
import { alertWorkflow } from '../../../workflows';
import { alertQuery, alertWorkflowId, recordVisitUpdate, type AlertInput } from '../../../workflows/alert/contract';
import { eventually, LADDER, VILLAGE, type TimeSkippingHarness } from '../time-skipping';
import { nowIso } from './common';

/** Drives the alert workflow as the API does (scenarios shared by test/workflows/alert.test.ts and scripts/record-histories.ts). */

export const ALERT_STAFF: Actor = { userId: 'u1', role: 'village_staff', unitCode: VILLAGE.code };
/** The default alert policy (red 24 h, orange 72 h, yellow weekly). */
export const ALERT_POLICY = resolvePolicy(undefined, 'default').alerts;

export type AlertHandle = WorkflowHandleWithFirstExecutionRunId<typeof alertWorkflow>;

let households = 0;
/** Opens an alert of `level` for a new household of 海港社区 (tracked by the harness); waits until it answers queries. */
export async function startAlert(h: TimeSkippingHarness, level: AlertLevel, extra: Partial<AlertInput> = {}): Promise<{ handle: AlertHandle; caseId: string; openedAt: number; householdId: string }> {
  const householdId = `hh-${randomBytes(3).toString('hex')}-${++households}`;
  const input: AlertInput = { householdId, level, reasons: ['重病'], unit: VILLAGE, ladder: LADDER, policy: ALERT_POLICY, actor: ALERT_STAFF, openingRequestId: `req-${householdId}`, ...extra };
  const handle = await h.env.client.workflow.start(alertWorkflow, { workflowId: alertWorkflowId(householdId), taskQueue: h.taskQueue, args: [input] });
  h.track(handle);
  const view = await eventually(() => handle.query(alertQuery));
  return { handle, caseId: view.caseId, openedAt: Date.parse(view.openedAt), householdId };
}

/** Records a stable visit by two visitors, now. */
export async function visitAlert(h: TimeSkippingHarness, handle: AlertHandle, caseId: string, actor: Actor = ALERT_STAFF): Promise<AlertView> {
  return handle.executeUpdate(recordVisitUpdate, { args: [{ caseId, actor, visit: { visitors: ['李四', '王五'], visitedAt: await nowIso(h), outcome: 'stable', notes: '' } }] });
}
