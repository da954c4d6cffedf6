import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { DeliveryInput } from '../../activities/notify';

/**
 * The durable delivery of one notice through one channel (docs/notifications.md), workflow id
 * `deliver-<noticeId>-<channel>`, started by the projection's dispatch with reuse policy REJECT_DUPLICATE:
 * one attempt after another with exponential backoff (the input's retry policy, config NOTIFY_RETRY_*);
 * after the last, the delivery is marked failed and the unit's supervisor told. A worker or API crash loses
 * nothing (Temporal resumes the workflow) and sends nothing twice (one workflow per delivery; the receiver
 * gets the delivery id as its idempotency key for the rare attempt whose answer was lost). Source: ours.
 * @returns 'delivered', 'gone' (the notice no longer exists) or 'failed'.
 */
export async function deliveryWorkflow(input: DeliveryInput): Promise<'delivered' | 'gone' | 'failed'> {
  const { deliverNotice } = proxyActivities<Activities>({
    startToCloseTimeout: '2 minutes',
    retry: { initialInterval: input.retry.initialMs, backoffCoefficient: 2, maximumInterval: input.retry.maxIntervalMs, maximumAttempts: input.retry.maxAttempts },
  });
  const { recordDeliveryFailure } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 } });
  try {
    return await deliverNotice({ noticeId: input.noticeId, channel: input.channel });
  } catch (err) {
    const error = err instanceof ActivityFailure && err.cause ? err.cause.message : String(err);
    await recordDeliveryFailure({ noticeId: input.noticeId, channel: input.channel, error });
    return 'failed';
  }
}
