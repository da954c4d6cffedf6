import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { smsText, webhookBody } from '../../activities/notify';
import { shownWebhookUrl, verifyWebhookSignature, webhookHeaders, webhookSignature, webhookUrlProblem } from '../../activities/webhook';

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

describe('the delivery configuration (config/index.ts)', () => {
  const base = { DATA_DIR: '/tmp/jiuzhu-notify-config', JWT_SECRET: 'x'.repeat(32) };
  const b64 = () => Buffer.alloc(32, 7).toString('base64');
  const production = { ...base, NODE_ENV: 'production', PUBLIC_BASE_URL: 'https://jiuzhu.weihai.example', PII_KEYS: `k1:${b64()}`, PII_INDEX_KEY: b64() };

  it('signs with NOTIFY_WEBHOOK_SECRET; without it, a development key outside production and no key (no webhook sent) in production', async () => {
    const { loadConfig } = await import('../../config');
    expect(loadConfig({ ...production, NOTIFY_WEBHOOK_SECRET: SECRET }).notify.webhookSecret).toBe(SECRET);
    expect(loadConfig(production).notify.webhookSecret).toBeNull();
    expect(loadConfig({ ...base, NODE_ENV: 'development' }).notify.webhookSecret).toMatch(/^[\w-]{43}$/);
  });

  it('has quick retries in tests, patient ones elsewhere, and refuses a short secret naming the variable', async () => {
    const { ConfigError, loadConfig } = await import('../../config');
    expect(loadConfig({ ...base, NODE_ENV: 'test' }).notify.retry).toEqual({ initialMs: 100, maxIntervalMs: 1000, maxAttempts: 3 });
    expect(loadConfig({ ...base, NODE_ENV: 'development' }).notify.retry).toEqual({ initialMs: 5000, maxIntervalMs: 600_000, maxAttempts: 10 });
    expect(loadConfig({ ...base, NODE_ENV: 'development', NOTIFY_RETRY_MAX_ATTEMPTS: '4' }).notify.retry.maxAttempts).toBe(4);
    expect(() => loadConfig({ ...base, NOTIFY_WEBHOOK_SECRET: 'short' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, NOTIFY_WEBHOOK_SECRET: 'short' })).toThrow(/^NOTIFY_WEBHOOK_SECRET: expected at least 32 characters/);
  });
});

describe('what leaves the system (activities/notify.ts)', () => {
  it('masks a message’s phone and ID number at the strictest level in the webhook body and the SMS text, whoever the unit', () => {
    const message = '通报：请联系13912345678，身份证371002199001011234';
    const notice = { _id: 'n1', caseId: 'c1', unitCode: '371002001', unitName: '鲸园街道', kind: 'circular' as const, message, at: new Date(0), deliveredAt: null };
    const body = JSON.parse(webhookBody('deliver-n1-webhook', notice)) as { message: string };
    expect(body.message).toBe('通报：请联系139****5678，身份证3710**********1234');
    expect(smsText(message)).toBe('【救助】通报：请联系139****5678，身份证3710**********1234');
  });
});

describe('webhook URLs (activities/webhook.ts webhookUrlProblem)', () => {
  it('refuses credentials and link-local / metadata addresses in any spelling; allows loopback, private and public hosts', () => {
    for (const bad of ['https://user:s3cret@receiver.example/hook', 'https://user@receiver.example/hook', 'https://:s3cret@receiver.example/hook']) {
      const problem = webhookUrlProblem(bad);
      expect(problem, bad).toMatch(/credentials/);
      expect(problem).not.toContain('s3cret');
    }
    for (const bad of ['http://169.254.169.254/latest/meta-data/', 'http://2852039166/', 'http://0xa9.0xfe.0xa9.0xfe/', 'http://[fe80::1]/', 'http://[::ffff:169.254.169.254]/', 'http://metadata.google.internal/computeMetadata/v1/', 'http://100.100.100.200/latest/meta-data/', 'http://[fd00:ec2::254]/', 'http://metadata.tencentyun.com/', 'http://[::169.254.169.254]/']) {
      expect(webhookUrlProblem(bad), bad).toMatch(/link-local/);
    }
    for (const ok of ['http://127.0.0.1:8080/hook', 'https://10.0.0.5/hook', 'https://receiver.example/jiuzhu', 'http://[::1]/h', 'https://169.255.0.1/']) {
      expect(webhookUrlProblem(ok), ok).toBeNull();
    }
    expect(shownWebhookUrl('https://user:s3cret@receiver.example/hook')).toBe('https://***@receiver.example/hook');
  });
});
