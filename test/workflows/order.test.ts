import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OrderView } from '../../domain/order';
import { COLLECTIONS } from '../../store/collections';
import { orderQuery } from '../../workflows/order/contract';
import { completed, refusal } from '../helpers/drivers/common';
import { ORDER_ISSUER as ISSUER, ORDER_REPLIER as REPLIER, orderStep, startOrder, type OrderHandle } from '../helpers/drivers/order';
import { createTimeSkippingHarness, eventually, CITY, D, DISTRICT, MIN, SLACK, TOWN, VILLAGE, type TimeSkippingHarness } from '../helpers/time-skipping';

/**
 * The supervision-order workflow (督办单) on Temporal's time-skipping test server, at the default policy
 * (a rung every 2 days), with the real activities writing a real read model: a reply on time, a reply
 * missed and escalated up the tree from the ordered unit, a late reply that resolves the escalations, a
 * return for more with a new deadline.
 */

interface NoticeRow {
  caseId: string;
  unitCode: string;
  kind: string;
  message: string;
  at: Date;
}
interface DeadlineRow {
  _id: string;
  deadlineKind: string;
  dueAt: Date;
  metAt: Date | null;
  outcome: string;
  escalations: number;
}

let harness: TimeSkippingHarness;
let env: TestWorkflowEnvironment;
let mongo: TimeSkippingHarness['mongo'];

beforeAll(async () => {
  harness = await createTimeSkippingHarness('order');
  ({ env, mongo } = harness);
  await harness.startWorker();
});
afterEach(() => harness.terminateLeftovers());
afterAll(() => harness?.close());

const sleepUntil = (t: number) => harness.sleepUntil(t);
const step = orderStep;

async function settled(handle: OrderHandle): Promise<OrderView> {
  return eventually(async () => {
    const view = await handle.query(orderQuery);
    const row = await mongo.db.collection<{ _id: string; version: number }>(COLLECTIONS.cases).findOne({ _id: view.caseId });
    expect(row?.version).toBe(view.version);
    return view;
  });
}
const noticesOf = async (caseId: string, kind: string) =>
  (await mongo.db.collection<NoticeRow>(COLLECTIONS.notifications).find({ caseId, kind }).toArray()).sort((a, b) => a.at.getTime() - b.at.getTime());
const deadlinesOf = async (caseId: string) =>
  (await mongo.db.collection<DeadlineRow>(COLLECTIONS.deadlines).find({ caseId }).toArray()).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());

function expectAt(actual: number | string | Date | null | undefined, expected: number, slack = SLACK): void {
  expect(actual, 'time is set').toBeTruthy();
  const ms = typeof actual === 'number' ? actual : new Date(actual!).getTime();
  expect(ms).toBeGreaterThanOrEqual(expected);
  expect(ms - expected).toBeLessThan(slack);
}

describe('order workflow (time-skipping, default policy)', () => {
  it('replied on day 2 of 3 and accepted: the reply deadline is on time, nothing escalates, the issuer is told, the workflow completes', async () => {
    const { handle, caseId, issuedAt: t0, replyBy } = await startOrder(harness, { replyIn: 3 * D });
    const first = await settled(handle);
    expect(first).toMatchObject({ kind: 'order', stage: 'issued', status: 'open', unit: VILLAGE, orgPath: [CITY.code, DISTRICT.code, TOWN.code, VILLAGE.code], due: { kind: 'order.reply', key: 'reply#1' } });
    expect(first.dueAt).toBe(new Date(replyBy).toISOString());
    expectAt(replyBy, t0 + 3 * D - SLACK);
    expect((await noticesOf(caseId, 'order_issued')).map((n) => n.unitCode)).toEqual([VILLAGE.code]);

    await sleepUntil(t0 + 2 * D);
    const replied = await step(handle, caseId, 'reply', REPLIER, { text: '已入户核实，已协助申请临时救助', attachments: ['photo-001'] });
    expect(replied).toMatchObject({ stage: 'replied', due: null, escalations: [] });
    expectAt(replied.replies[0]!.at, t0 + 2 * D);
    // The unit above the ordered one does not reply for it, and the ordered unit does not accept its own reply.
    expect((await refusal(step(handle, caseId, 'accept', REPLIER, {}))).type).toBe('forbidden');
    const accepted = await step(handle, caseId, 'accept', ISSUER, { note: '同意办结' });
    expect(accepted).toMatchObject({ stage: 'accepted', status: 'closed' });
    await completed(handle);

    expect(await deadlinesOf(caseId)).toEqual([expect.objectContaining({ deadlineKind: 'order.reply', outcome: 'on_time', escalations: 0 })]);
    expect((await noticesOf(caseId, 'order_replied')).map((n) => n.unitCode)).toEqual([DISTRICT.code]);
    expect(await noticesOf(caseId, 'escalated')).toEqual([]);
  });

  it('left unanswered, climbs from the village to the town at the deadline, the district 2 days later, the city 2 days after that, with a notice at each', async () => {
    const { handle, caseId, replyBy: due } = await startOrder(harness, { replyIn: 3 * D });
    await sleepUntil(due - MIN);
    expect((await settled(handle)).escalations).toEqual([]);
    expect((await noticesOf(caseId, 'at_risk')).map((n) => n.unitCode)).toEqual([VILLAGE.code]);
    const rungs = [
      { rung: 1, from: VILLAGE, to: TOWN, at: due },
      { rung: 2, from: TOWN, to: DISTRICT, at: due + 2 * D },
      { rung: 3, from: DISTRICT, to: CITY, at: due + 4 * D },
    ];
    for (const r of rungs) {
      await sleepUntil(r.at + MIN);
      const view = await settled(handle);
      expect(view).toMatchObject({ overdue: true, rung: r.rung, escalatedTo: r.to });
      expect(view.escalations[r.rung - 1]).toMatchObject({ rung: r.rung, from: r.from, to: r.to, deadlineKey: 'reply#1', resolvedAt: null });
      expectAt(view.escalations[r.rung - 1]!.at, r.at);
    }
    const notices = await noticesOf(caseId, 'escalated');
    expect(notices.map((n) => n.unitCode)).toEqual([TOWN.code, DISTRICT.code, CITY.code]);
    for (const n of notices) expect(n.message).toContain(caseId);
    expect(await deadlinesOf(caseId)).toEqual([expect.objectContaining({ deadlineKind: 'order.reply', outcome: 'pending', escalations: 3 })]);
  });

  it('replied late on day 4: the deadline counts late, its escalation is resolved; returned with a new deadline that is then missed and escalates again', async () => {
    const { handle, caseId, issuedAt: t0 } = await startOrder(harness, { replyIn: 3 * D });
    await sleepUntil(t0 + 4 * D);
    const replied = await step(handle, caseId, 'reply', REPLIER, { text: '已处理' });
    expect(replied.escalations).toEqual([expect.objectContaining({ rung: 1, to: TOWN, resolvedAt: expect.any(String) })]);
    expect(replied).toMatchObject({ overdue: false, rung: 0, due: null });

    // A new deadline before the policy's minimum (1 hour) is refused; one day is taken.
    const now = await env.currentTimeMs();
    expect((await refusal(step(handle, caseId, 'sendBack', ISSUER, { reason: '缺少证明材料', replyBy: new Date(now + 10 * MIN).toISOString() }))).type).toBe('unprocessable');
    const returned = await step(handle, caseId, 'sendBack', ISSUER, { reason: '缺少证明材料', replyBy: new Date(now + 1 * D).toISOString() });
    expect(returned).toMatchObject({ stage: 'returned', due: { key: 'reply#2', kind: 'order.reply' } });
    expect((await noticesOf(caseId, 'order_issued')).map((n) => n.unitCode)).toEqual([VILLAGE.code, VILLAGE.code]);

    await sleepUntil(now + 1 * D + MIN);
    const late = await settled(handle);
    expect(late).toMatchObject({ overdue: true, rung: 1, escalatedTo: TOWN, stage: 'returned' });
    const rows = await deadlinesOf(caseId);
    expect(rows).toEqual([
      expect.objectContaining({ _id: `${caseId}:reply#1`, outcome: 'late', escalations: 1 }),
      expect.objectContaining({ _id: `${caseId}:reply#2`, outcome: 'pending', escalations: 1 }),
    ]);
    expectAt(rows[0]!.metAt, t0 + 4 * D);
  });
});
