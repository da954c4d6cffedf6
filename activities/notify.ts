import { Context, log } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowIdReusePolicy } from '@temporalio/common';
import type { Db } from 'mongodb';
import type { NotifyConfig } from '../config';
import { DEFAULT_NOTICE_POLICY, needsLadder, noticesTold, type NoticeRule } from '../domain/notice-policy';
import { outboundNoticeText } from '../domain/privacy';
import type { CaseProjection } from '../domain/projection';
import { CHANNEL_KINDS, type ChannelKind, type NoticeDoc } from '../store/collections';
import { allUnitChannels, channelsOfUnits, deliveriesOf, deliveryOf, findNotice, insertNotices, markDeliveryPending, noticesOfUnitSince, recordDelivery, unitChannels } from '../store/notifications';
import { OrgDirectory } from '../store/org-directory';
import { noticeIdOf } from '../store/projection';
import { fileSmsGateway, type SmsGateway } from './sms';
import { postWebhook, webhookUrlProblem } from './webhook';

/** The delivery of one notice through one channel: its workflow id, also its idempotency key (docs/notifications.md). */
export const deliveryIdOf = (noticeId: string, channel: ChannelKind): string => `deliver-${noticeId}-${channel}`;

/** Chinese names of the channels, for the notice about a failed delivery. */
const CHANNEL_NAMES: Record<ChannelKind, string> = { webhook: '接口推送（Webhook）', sms: '短信' };

/** An SMS's text for a notice: `【救助】` and the message masked at the strictest level (outboundNoticeText). */
export const smsText = (message: string): string => `【救助】${outboundNoticeText(message)}`;

/** The input of the delivery workflow (workflows/delivery/workflow.ts). */
export interface DeliveryInput {
  noticeId: string;
  channel: ChannelKind;
  /** The retry policy (config NOTIFY_RETRY_*), carried in the input so that the workflow reads no configuration. */
  retry: NotifyConfig['retry'];
}

/**
 * The JSON body a webhook receives for one notice. Household ids only, never names; the message masked at
 * the strictest level (domain/privacy.ts outboundNoticeText, docs/notifications.md).
 */
export function webhookBody(deliveryId: string, n: NoticeDoc): string {
  return JSON.stringify({
    id: deliveryId,
    noticeId: n._id,
    caseId: n.caseId,
    caseKind: n.caseKind ?? null,
    unit: { code: n.unitCode, name: n.unitName },
    userId: n.userId ?? null,
    kind: n.kind,
    message: outboundNoticeText(n.message),
    at: n.at.toISOString(),
  });
}

/**
 * Who is told and how, on the worker's side of the read model:
 * - `told` applies the who-is-told policy (domain/notice-policy.ts) to a projection's notices before they are
 *   stored (the ladder from the org directory, read once and kept in memory);
 * - `dispatch` starts one delivery workflow per stored notice and channel of its unit
 *   (`deliver-<noticeId>-<channel>`, reuse policy REJECT_DUPLICATE: a repeated dispatch — a retried
 *   projection, a restarted worker — starts nothing twice, and a completed delivery is never sent again);
 * - the activities the delivery workflow runs: `deliverNotice` (one attempt; the workflow's retry policy
 *   repeats it) and `recordDeliveryFailure` (failed, and the unit's supervisor told in its inbox).
 * A change with no notices costs nothing here. Source: ours (issue 12, item 1).
 */
export function createNotifyActivities(deps: { db: Db; temporal?: Client; notify?: NotifyConfig; noticePolicy?: readonly NoticeRule[]; sms?: SmsGateway }) {
  const policy = deps.noticePolicy ?? DEFAULT_NOTICE_POLICY;
  let orgs: OrgDirectory | undefined;
  const directory = () => (orgs ??= new OrgDirectory(deps.db));
  const sms = deps.sms ?? (deps.notify ? fileSmsGateway(deps.notify.smsFile) : undefined);

  /** The projection with its notices as the policy tells them (unchanged when no rule reaches past the addressee). */
  async function told(p: CaseProjection): Promise<CaseProjection> {
    const c = { kind: p.kind, level: p.view.level };
    if (p.notices.length === 0 || !needsLadder(policy, c, p.notices)) return p;
    let ladder;
    try {
      ladder = await directory().ladder(p.view.unit.code);
    } catch (err) {
      // A unit missing from the tree must not stall the case (the projection would retry forever): its
      // notices go to their addressees as the workflow wrote them.
      log.warn('who-is-told: no ladder for the case’s unit; notices go to their addressees only', { caseId: p.caseId, unit: p.view.unit.code, error: String(err) });
      return p;
    }
    return { ...p, notices: noticesTold(policy, { ...c, ladder }, p.notices) };
  }

  /** Starts the deliveries of a stored projection's notices (none without a Temporal client and configuration). */
  async function dispatch(p: CaseProjection): Promise<void> {
    if (p.notices.length === 0 || !deps.temporal || !deps.notify) return;
    const stored = p.notices.map((n, i) => ({ id: noticeIdOf(p.caseId, p.version, i), unitCode: n.unit.code }));
    await dispatchNotices({ db: deps.db, temporal: deps.temporal, notify: deps.notify }, Context.current().info.taskQueue, stored);
  }

  return {
    told,
    dispatch,
    activities: {
      /**
       * One attempt to deliver a notice through a channel. A notice that is gone (a projection redone by a
       * later workflow task dropped it) or already delivered ends quietly.
       * @throws a retryable failure naming what went wrong (recorded as the delivery's last error first);
       *   a non-retryable one when the unit no longer has the channel or this worker has no configuration.
       */
      async deliverNotice(input: { noticeId: string; channel: ChannelKind }): Promise<'delivered' | 'gone'> {
        if (!deps.notify || !sms) throw ApplicationFailure.nonRetryable('this worker has no notice-delivery configuration', 'configuration');
        const attempt = Context.current().info.attempt;
        const notice = await findNotice(deps.db, input.noticeId);
        if (!notice) return 'gone';
        if ((await deliveryOf(deps.db, input.noticeId, input.channel))?.status === 'delivered') return 'delivered';
        const ref = { id: notice._id, unitCode: notice.unitCode };
        const deliveryId = deliveryIdOf(input.noticeId, input.channel);
        const set = await unitChannels(deps.db, notice.unitCode);
        try {
          if (input.channel === 'webhook') {
            if (!set?.webhook) throw ApplicationFailure.nonRetryable(`unit ${notice.unitCode} has no webhook channel`, 'no_channel');
            // A URL stored before the check (activities/webhook.ts webhookUrlProblem) is not called.
            const problem = webhookUrlProblem(set.webhook.url);
            if (problem) throw ApplicationFailure.nonRetryable(`the unit’s webhook URL ${problem}`, 'bad_channel');
            if (deps.notify.webhookSecret === null) throw ApplicationFailure.nonRetryable('NOTIFY_WEBHOOK_SECRET is not set: webhooks are not sent unsigned', 'configuration');
            await postWebhook(set.webhook.url, deps.notify.webhookSecret, deliveryId, webhookBody(deliveryId, notice), deps.notify.webhookTimeoutMs);
          } else {
            if (!set?.sms) throw ApplicationFailure.nonRetryable(`unit ${notice.unitCode} has no SMS channel`, 'no_channel');
            await sms.send({ to: set.sms.phones, text: smsText(notice.message), idempotencyKey: deliveryId });
          }
        } catch (err) {
          const message = (err as Error).message;
          await recordDelivery(deps.db, ref, input.channel, { status: 'pending', attempts: attempt, lastError: message, at: new Date() });
          if (err instanceof ApplicationFailure) throw err;
          throw ApplicationFailure.retryable(message, 'delivery_attempt_failed');
        }
        await recordDelivery(deps.db, ref, input.channel, { status: 'delivered', attempts: attempt, lastError: null, at: new Date() });
        return 'delivered';
      },

      /**
       * After the last attempt: the delivery is marked failed, and the unit's supervisor (the unit one rung
       * up its ladder; the city itself for the city) gets a `delivery_failed` notice in its inbox — inbox
       * only, never through channels (a failing channel must not fail in a loop). The notice itself stays
       * in its unit's inbox. Idempotent (the supervisor's notice has a deterministic id).
       */
      async recordDeliveryFailure(input: { noticeId: string; channel: ChannelKind; error: string }): Promise<void> {
        const notice = await findNotice(deps.db, input.noticeId);
        if (!notice) return;
        const attempts = (await deliveryOf(deps.db, input.noticeId, input.channel))?.attempts ?? 0;
        await recordDelivery(deps.db, { id: notice._id, unitCode: notice.unitCode }, input.channel, { status: 'failed', attempts, lastError: input.error, at: new Date() });
        const ladder = await directory().ladder(notice.unitCode);
        const supervisor = ladder[1] ?? ladder[0]!;
        const deliveryId = deliveryIdOf(input.noticeId, input.channel);
        await insertNotices(deps.db, [
          {
            _id: `${deliveryId}:failed`,
            caseId: notice.caseId,
            ...(notice.caseKind ? { caseKind: notice.caseKind } : {}),
            unitCode: supervisor.code,
            unitName: supervisor.name,
            kind: 'delivery_failed',
            message: `通知未能送达：${notice.unitName}的${CHANNEL_NAMES[input.channel]}，已尝试${attempts}次（${input.error}；通知 ${notice._id}）`,
            at: new Date(),
            deliveredAt: null,
          },
        ]);
      },
    },
  };
}

/**
 * Starts the deliveries of stored notices: one workflow per notice and channel of its unit, each marked
 * pending first. For any code that stores notices outside the projection (a circular): call it after the
 * insert; `sweepUndelivered` catches what a crash in between left. Idempotent (REJECT_DUPLICATE).
 */
export async function dispatchNotices(deps: { db: Db; temporal: Client; notify: NotifyConfig }, taskQueue: string, notices: { id: string; unitCode: string }[]): Promise<void> {
  if (notices.length === 0) return;
  const channels = await channelsOfUnits(deps.db, [...new Set(notices.map((n) => n.unitCode))]);
  if (channels.size === 0) return;
  for (const n of notices) {
    const set = channels.get(n.unitCode);
    if (!set) continue;
    for (const channel of CHANNEL_KINDS.filter((k) => set[k] !== undefined)) {
      await markDeliveryPending(deps.db, n, channel);
      await startDelivery(deps.temporal, taskQueue, { noticeId: n.id, channel, retry: deps.notify.retry });
    }
  }
}

/**
 * The safety net behind every dispatch: for each unit with channels, its notices of the last `windowMs`
 * (default one day, and none from before its channels were set) whose delivery through a channel is not
 * settled (its `notice_deliveries` document missing or pending) get their delivery started — nothing, when
 * its workflow already exists (REJECT_DUPLICATE). So a notice stored by any writer, or one whose dispatch a
 * crash cut short, is delivered anyway. The worker runs it every NOTIFY_SWEEP_SECONDS; `delivery_failed`
 * notices are never delivered (inbox only). Two queries per unit with channels (its notices; their
 * deliveries, one `$in`). Source: ours.
 * @returns how many notices it looked at.
 */
export async function sweepUndelivered(deps: { db: Db; temporal: Client; notify: NotifyConfig }, taskQueue: string, now = Date.now(), windowMs = 86_400_000): Promise<number> {
  let seen = 0;
  for (const set of await allUnitChannels(deps.db)) {
    const since = new Date(Math.max(now - windowMs, set.updatedAt.getTime()));
    const kinds = CHANNEL_KINDS.filter((k) => set[k] !== undefined);
    const recent = (await noticesOfUnitSince(deps.db, set._id, since)).filter((n) => n.kind !== 'delivery_failed');
    const deliveries = await deliveriesOf(deps.db, recent.map((n) => n._id));
    const open = recent.filter((n) => kinds.some((k) => (deliveries.get(n._id)?.find((d) => d.channel === k)?.status ?? 'pending') === 'pending'));
    seen += open.length;
    await dispatchNotices(deps, taskQueue, open.map((n) => ({ id: n._id, unitCode: n.unitCode })));
  }
  return seen;
}

/**
 * Starts one delivery workflow unless one with its id ever ran (REJECT_DUPLICATE): the id is the delivery's,
 * so a dispatch repeated after a crash sends nothing twice. Source: ours.
 */
export async function startDelivery(temporal: Client, taskQueue: string, input: DeliveryInput): Promise<'started' | 'already'> {
  try {
    await temporal.workflow.start('deliveryWorkflow', {
      workflowId: deliveryIdOf(input.noticeId, input.channel),
      taskQueue,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
    return 'started';
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return 'already';
    throw err;
  }
}
