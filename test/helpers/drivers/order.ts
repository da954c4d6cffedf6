import { randomBytes } from 'node:crypto';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { Actor } from '../../../domain/case';
import { orderWorkflowId } from '../../../domain/order';
import type { UnitRef } from '../../../domain/org';
import { resolvePolicy } from '../../../domain/policy';
import { orderWorkflow } from '../../../workflows';
import { orderQuery, orderStepUpdates, type OrderInput } from '../../../workflows/order/contract';
import { CITY, DISTRICT, eventually, TOWN, VILLAGE, type TimeSkippingHarness } from '../time-skipping';

/** Drives the supervision-order workflow as the API does (test/workflows/order.test.ts, the property test). */

/** The district issues; the village replies. */
export const ORDER_ISSUER: Actor = { userId: 'district.staff', role: 'district_staff', unitCode: DISTRICT.code };
export const ORDER_REPLIER: Actor = { userId: 'village.staff', role: 'village_staff', unitCode: VILLAGE.code };
/** The default order policy (a rung every 2 days; reply deadlines from 1 hour to 90 days). */
export const ORDER_POLICY = resolvePolicy(undefined, 'default').orders;

export type OrderHandle = WorkflowHandleWithFirstExecutionRunId<typeof orderWorkflow>;

/** One step of an order, as the API sends it. */
export const orderStep = (handle: OrderHandle, caseId: string, name: 'reply' | 'accept' | 'sendBack', actor: Actor, input: unknown) =>
  handle.executeUpdate(orderStepUpdates[name], { args: [{ caseId, actor, input }] });

/**
 * Issues an order from the district to `unit` (the village by default), on a case or on the unit, due
 * `replyIn` ms after the server's now (tracked by the harness); waits until it answers queries.
 */
export async function startOrder(h: TimeSkippingHarness, o: { replyIn: number; unit?: UnitRef; targetCaseId?: string }): Promise<{ handle: OrderHandle; caseId: string; issuedAt: number; replyBy: number }> {
  const unit = o.unit ?? VILLAGE;
  const ladder = [VILLAGE, TOWN, DISTRICT, CITY].slice([VILLAGE, TOWN, DISTRICT, CITY].findIndex((u) => u.code === unit.code));
  const orderId = orderWorkflowId(DISTRICT.code, o.targetCaseId ?? unit.code, randomBytes(4).toString('hex'));
  const now = await h.env.currentTimeMs();
  const input: OrderInput = {
    start: {
      openingRequestId: `req-${orderId}`,
      issue: {
      orderId,
      issuer: { unit: DISTRICT, actor: ORDER_ISSUER },
      unit,
      ladder,
      orgPath: [...ladder].reverse().map((u) => u.code),
      target: { caseId: o.targetCaseId ?? null, caseKind: o.targetCaseId ? 'alert' : null },
      householdId: null,
      requirement: '请于期限内核实并处置该户情况',
      replyBy: now + o.replyIn,
      linkedCaseIds: [],
      origin: null,
      policy: ORDER_POLICY,
      },
    },
  };
  const handle = await h.env.client.workflow.start(orderWorkflow, { workflowId: orderId, taskQueue: h.taskQueue, args: [input] });
  h.track(handle);
  const view = await eventually(() => handle.query(orderQuery));
  return { handle, caseId: view.caseId, issuedAt: Date.parse(view.issuedAt), replyBy: Date.parse(view.replyBy) };
}
