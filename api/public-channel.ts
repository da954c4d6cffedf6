import type { FastifyInstance } from 'fastify';
import type { ReportsPolicy } from '../domain/policy';
import { isUnder, publicRequestLimit } from './rate-limit';

/** Where the public channel lives (no sign-in): the QR pages, reports and receipts, the wishing tree. */
export const PUBLIC_PREFIX = '/v1/public/';

const HTML_SIGNIFICANT = /[<>&\u2028\u2029]/g;

/**
 * JSON text with `<`, `>`, `&`, U+2028 and U+2029 written as `\uXXXX` escapes: the same JSON value when
 * parsed, but no byte sequence a browser could take for markup (`</script>`, `<img onerror=…>`) even if a
 * page pastes the response into HTML or a script block, or a client sniffs it. These characters occur in
 * JSON only inside strings, where the escape is valid. Source: ours (as Go's encoding/json does by default).
 */
export function escapeJsonForHtml(json: string): string {
  return json.replace(HTML_SIGNIFICANT, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * What every response of the public channel gets, whichever plugin declares its route (public.ts, the
 * wishing tree in wishes.ts): the per-client request limit counted first (onRequest, before the body is read;
 * policy.reports.rateLimit.perClientRequests); and on the way out `X-Content-Type-Options: nosniff`, a
 * CSP that runs and frames nothing, no referrer, and JSON bodies as `application/json` with their
 * HTML-significant characters escaped (escapeJsonForHtml). A title with markup is data, never markup.
 * Every other response gets `X-Content-Type-Options: nosniff`. Register on the root instance, before the routes.
 */
export function registerPublicChannel(app: FastifyInstance, policy: Pick<ReportsPolicy, 'rateLimit'>): void {
  app.addHook('onRequest', publicRequestLimit({ max: policy.rateLimit.perClientRequests.max, windowMs: policy.rateLimit.perClientRequests.window }, PUBLIC_PREFIX));
  app.addHook('onSend', async (request, reply, payload) => {
    void reply.header('x-content-type-options', 'nosniff');
    if (!isUnder(request, PUBLIC_PREFIX)) return payload;
    void reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    void reply.header('referrer-policy', 'no-referrer');
    const type = String(reply.getHeader('content-type') ?? '');
    if (typeof payload === 'string' && /^application\/json\b/.test(type)) return escapeJsonForHtml(payload);
    return payload;
  });
}
