import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The signature of a webhook delivery (docs/notifications.md has the receiver's recipe): HMAC-SHA256 with
 * the shared secret over `<timestamp>.<body>` — the timestamp in Unix seconds as sent in
 * `X-Jiuzhu-Timestamp`, the body the exact bytes sent — hex-encoded, sent as `X-Jiuzhu-Signature: v1=<hex>`.
 * Binding the timestamp lets a receiver refuse replays older than its tolerance. Source: ours, after the
 * common practice of signed webhooks (Stripe's and GitHub's schemes).
 */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * What a receiver does: true when `signature` is the v1 signature of `<timestamp>.<body>` under `secret`
 * and the timestamp lies within `toleranceSeconds` of `nowSeconds` (default 300 s). Constant-time compare.
 */
export function verifyWebhookSignature(secret: string, args: { timestamp: string; body: string; signature: string; nowSeconds?: number; toleranceSeconds?: number }): boolean {
  if (!/^\d{1,12}$/.test(args.timestamp)) return false;
  const ts = Number(args.timestamp);
  const now = args.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - ts) > (args.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(webhookSignature(secret, ts, args.body));
  const given = Buffer.from(args.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The headers of one delivery: content type, timestamp, signature, and the idempotency key (the delivery id). */
export function webhookHeaders(secret: string, deliveryId: string, body: string, nowMs = Date.now()): Record<string, string> {
  const timestamp = Math.floor(nowMs / 1000);
  return {
    'content-type': 'application/json; charset=utf-8',
    'x-jiuzhu-timestamp': String(timestamp),
    'x-jiuzhu-signature': webhookSignature(secret, timestamp, body),
    'idempotency-key': deliveryId,
    'x-jiuzhu-delivery': deliveryId,
  };
}

/**
 * POSTs one signed delivery. Only a 2xx answer counts as delivered; a redirect is not followed.
 * @throws Error naming the status (or the network error, or the timeout) otherwise.
 */
export async function postWebhook(url: string, secret: string, deliveryId: string, body: string, timeoutMs: number): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: webhookHeaders(secret, deliveryId, body), body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new Error(`webhook unreachable: ${(err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (err as Error).message}`);
  }
  await res.arrayBuffer().catch(() => undefined);
  if (res.status < 200 || res.status >= 300) throw new Error(`webhook answered HTTP ${res.status}`);
}

/**
 * Why a webhook URL is refused, or null (checked when an admin sets it, `PUT /v1/units/{code}/channels`,
 * and again before each delivery). Refused:
 * - **credentials** in the URL (`https://user:pass@host/`): a secret in a URL ends up in logs, proxies and
 *   every answer that shows the channel; a receiver authenticates our deliveries by their signature
 *   (NOTIFY_WEBHOOK_SECRET);
 * - **link-local and metadata addresses** (169.254.0.0/16, fe80::/10, IPv4-mapped and -compatible forms,
 *   and the providers' other metadata endpoints, METADATA_HOSTS): the cloud instance-metadata endpoints live there (169.254.169.254), and a
 *   webhook aimed at them is server-side request forgery — OWASP SSRF Prevention Cheat Sheet. The WHATWG URL
 *   parser has already normalised other spellings of an IPv4 address (`2852039166`, `0xa9.0xfe…`).
 * Loopback and private addresses stay allowed (a receiver on the same host or network is a normal setup);
 * a hostname that resolves to a link-local address is not caught here (no DNS lookup). The message never
 * repeats the URL. Source: ours (the fresh-eyes pass on issue 12).
 */
/**
 * Cloud instance-metadata endpoints outside 169.254.0.0/16, by the address or name each provider documents:
 * Alibaba Cloud (100.100.100.200), AWS over IPv6 (fd00:ec2::254), Tencent Cloud and Google by name.
 */
const METADATA_HOSTS = new Set(['100.100.100.200', 'fd00:ec2::254', 'metadata.tencentyun.com', 'metadata.google.internal']);

export function webhookUrlProblem(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return null; // not a URL at all: the schema's own check says so
  }
  if (u.username !== '' || u.password !== '') return 'must not carry credentials (user:password@): deliveries are authenticated by their signature';
  const host = u.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const linkLocal =
    /^169\.254\.\d+\.\d+$/.test(host) ||
    /^fe[89ab][0-9a-f]?:/.test(host) ||
    /^::ffff:a9fe:[0-9a-f]{1,4}$/.test(host) ||
    /^::ffff:169\.254\./.test(host) ||
    /^::a9fe:[0-9a-f]{1,4}$/.test(host) ||
    METADATA_HOSTS.has(host.replace(/\.$/, ''));
  if (linkLocal) return 'must not be a link-local or cloud-metadata address (169.254.0.0/16, fe80::/10, a cloud’s metadata service)';
  return null;
}

/** A URL as it may be shown: any credentials a URL stored before the check carried replaced by `***`. */
export function shownWebhookUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.username === '' && u.password === '') return raw;
    u.username = '***';
    u.password = '';
    return u.toString();
  } catch {
    return raw;
  }
}
