import { advanceOrder, issueOrder, ORDER_STEPS, orderView, orderWakeAt, type OrderState, type OrderStepName, type OrderView } from '../../domain/order';
import { kindStep, runCase, type CaseKindRules } from '../lib/case-workflow';
import { orderOpenedUpdate, orderQuery, orderStepUpdates, type OrderInput, type OrderStart, type OrderStepArgs } from './contract';

/** The order kind for the case skeleton: its rules (domain/order.ts) and its step table. */
const ORDER: CaseKindRules<OrderState, OrderView, OrderStart> = {
  kind: 'order',
  open: (start, now) => issueOrder(start.issue, now),
  view: orderView,
  caseIdOf: (s) => s.orderId,
  advance: advanceOrder,
  wakeAt: orderWakeAt,
  query: orderQuery,
  opened: orderOpenedUpdate,
  steps: (Object.keys(ORDER_STEPS) as OrderStepName[]).map((name) =>
    kindStep<OrderState, OrderStepArgs, OrderView>({
      update: orderStepUpdates[name],
      action: name,
      schema: ORDER_STEPS[name].schema,
      check: ORDER_STEPS[name].check,
      apply: ORDER_STEPS[name].apply,
    }),
  ),
};

/**
 * One supervision order (督办单): issued → replied (反馈) → accepted (办结), or returned for more with a new
 * reply deadline and replied again. A reply not given by its deadline escalates up the tree from the
 * ordered unit (deadline kind `order.reply`).
 */
export async function orderWorkflow(input: OrderInput): Promise<OrderView> {
  // issueOrder always opens: the skeleton's null never comes back for an order.
  return (await runCase(ORDER, input)) as OrderView;
}
