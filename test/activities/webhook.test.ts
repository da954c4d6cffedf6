import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyWebhookSignature, webhookHeaders, webhookSignature } from '../../activities/webhook';

const SECRET = 'a-webhook-secret-of-at-least-32-characters';

describe('the webhook signature (activities/webhook.ts)', () => {
  it('is HMAC-SHA256 of "<timestamp>.<body>", hex, prefixed v1= — what a receiver computes with any HMAC library', () => {
    const body = '{"id":"deliver-x-webhook","message":"新的红色预警"}';
    const expected = createHmac('sha256', SECRET).update(`1764460800.${body}`).digest('hex');
    expect(webhookSignature(SECRET, 1764460800, body)).toBe(`v1=${expected}`);
  });

  it('verifies what it signed, within the tolerance; refuses another body, secret, timestamp or an old one', () => {
    const body = '{"a":1}';
    const h = webhookHeaders(SECRET, 'deliver-n-webhook', body, 1_764_460_800_000);
    expect(h['idempotency-key']).toBe('deliver-n-webhook');
    const args = { timestamp: h['x-jiuzhu-timestamp']!, body, signature: h['x-jiuzhu-signature']!, nowSeconds: 1_764_460_800 };
    expect(verifyWebhookSignature(SECRET, args)).toBe(true);
    expect(verifyWebhookSignature(SECRET, { ...args, body: '{"a":2}' })).toBe(false);
    expect(verifyWebhookSignature(`${SECRET}!`, args)).toBe(false);
    expect(verifyWebhookSignature(SECRET, { ...args, timestamp: String(1_764_460_801) })).toBe(false);
    expect(verifyWebhookSignature(SECRET, { ...args, nowSeconds: 1_764_460_800 + 301 })).toBe(false);
    expect(verifyWebhookSignature(SECRET, { ...args, timestamp: '1e9' })).toBe(false);
    expect(verifyWebhookSignature(SECRET, { ...args, signature: 'v1=00' })).toBe(false);
  });
});
