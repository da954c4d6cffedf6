import { randomBytes } from 'node:crypto';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { Actor, AlertView } from '../../../domain/alert';
import { resolvePolicy, type AlertLevel } from '../../../domain/policy';
import { alertWorkflow } from '../../../workflows';
import { alertQuery, alertWorkflowId, assignVisitorUpdate, decideRequestUpdate, disposeUpdate, recordVisitUpdate, requestChangeUpdate, type AlertInput } from '../../../workflows/alert/contract';
import type { AssignVisitorInput, DecideInput, DisposeInput, RequestInput, VisitInput } from '../../../domain/alert';
import { eventually, LADDER, TOWN, VILLAGE, type TimeSkippingHarness } from '../time-skipping';
import { nowIso } from './common';

/** Drives the alert workflow as the API does (scenarios shared by test/workflows/alert.test.ts and scripts/record-histories.ts). */

export const ALERT_STAFF: Actor = { userId: 'u1', role: 'village_staff', unitCode: VILLAGE.code };
/** The town supervisor above 海港社区: decides requests (issue 12), and lowers or closes early directly. */
export const TOWN_SUPERVISOR: Actor = { userId: 'sup1', role: 'town_supervisor', unitCode: TOWN.code };
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

/** Records a visit with `outcome`, now. */
export async function visitWith(h: TimeSkippingHarness, handle: AlertHandle, caseId: string, outcome: VisitInput['outcome'], actor: Actor = ALERT_STAFF): Promise<AlertView> {
  return handle.executeUpdate(recordVisitUpdate, { args: [{ caseId, actor, visit: { visitors: ['李四'], visitedAt: await nowIso(h), outcome, notes: '' } }] });
}

/** Records a disposition (处置), by default no further action with a reason. */
export function disposeAlert(handle: AlertHandle, caseId: string, disposition: DisposeInput = { kind: 'no_further_action', reason: '已核实无需救助' }, actor: Actor = ALERT_STAFF): Promise<AlertView> {
  return handle.executeUpdate(disposeUpdate, { args: [{ caseId, actor, disposition }] });
}

/** Requests a lowering or an early closure, as village staff. */
export function requestChange(handle: AlertHandle, caseId: string, request: RequestInput, actor: Actor = ALERT_STAFF): Promise<AlertView> {
  return handle.executeUpdate(requestChangeUpdate, { args: [{ caseId, actor, request }] });
}

/** The town supervisor's decision on a request. */
export function decideRequest(handle: AlertHandle, caseId: string, decision: DecideInput, actor: Actor = TOWN_SUPERVISOR): Promise<AlertView> {
  return handle.executeUpdate(decideRequestUpdate, { args: [{ caseId, actor, decision }] });
}

/** A grid worker of 海港社区's second grid: an alert's assigned visitor (issue 14). */
export const GRID_VISITOR: Actor = { userId: 'grid.b', role: 'grid_worker', unitCode: `${VILLAGE.code}-G02` };

/** Assigns the visitor (issue 14), as village staff; by default GRID_VISITOR. */
export function assignVisitor(handle: AlertHandle, caseId: string, visitor: AssignVisitorInput = { userId: GRID_VISITOR.userId, role: 'grid_worker', unitPath: [...[...LADDER].reverse().map((u) => u.code), GRID_VISITOR.unitCode] }, actor: Actor = ALERT_STAFF): Promise<AlertView> {
  return handle.executeUpdate(assignVisitorUpdate, { args: [{ caseId, actor, visitor }] });
}
