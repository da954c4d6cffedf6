import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiReason, PublicChannelReason } from './errors';

/**
 * A sliding-window rate limiter kept in memory: at most `max` hits per key within any `windowMs`.
 * Each key keeps the instants of its recent hits (at most `max` of them), so the window truly slides:
 * a hit becomes available again exactly `windowMs` after the oldest one counted.
 *
 * In memory means per process: several API instances each count separately, so a client can make
 * `max` hits at each of them. Behind several instances, limit at the shared entrance (the reverse proxy
 * or gateway) or move the counts to a shared store (e.g. Redis sorted sets) — see docs/reports.md.
 */
export interface WindowLimit {
  max: number;
  windowMs: number;
}

export type Verdict = { allowed: true } | { allowed: false; retryAfterMs: number };

export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();
  private calls = 0;

  constructor(
    readonly limit: WindowLimit,
    private readonly clock: () => number = Date.now,
    /** Keys kept at most; beyond it, expired keys are swept and then the oldest dropped (memory bound under a flood of keys). */
    private readonly maxKeys = 100_000,
  ) {}

  private recent(key: string, now: number): number[] {
    const list = this.hits.get(key);
    if (!list) return [];
    const from = now - this.limit.windowMs;
    let drop = 0;
    while (drop < list.length && list[drop]! <= from) drop++;
    if (drop) list.splice(0, drop);
    if (!list.length) this.hits.delete(key);
    return list;
  }

  /** Whether a hit for `key` would be allowed now, without recording it. */
  check(key: string): Verdict {
    const now = this.clock();
    const list = this.recent(key, now);
    if (list.length < this.limit.max) return { allowed: true };
    return { allowed: false, retryAfterMs: Math.max(1, list[list.length - this.limit.max]! + this.limit.windowMs - now) };
  }

  /** Records a hit for `key` (whether or not it was allowed: call `check` first). */
  record(key: string): void {
    const now = this.clock();
    const list = this.recent(key, now);
    list.push(now);
    // Only the last `max` instants ever decide a verdict.
    if (list.length > this.limit.max) list.splice(0, list.length - this.limit.max);
    this.hits.delete(key);
    this.hits.set(key, list);
    if (++this.calls % 1000 === 0 || this.hits.size > this.maxKeys) this.sweep(now);
  }

  /** Checks and, when allowed, records: one call for the usual case. */
  take(key: string): Verdict {
    const verdict = this.check(key);
    if (verdict.allowed) this.record(key);
    return verdict;
  }

  /** Gives back the latest hit of `key` (a slot `take` reserved before a slow step that turned out not to count). */
  release(key: string): void {
    const list = this.hits.get(key);
    if (!list?.length) return;
    list.pop();
    if (!list.length) this.hits.delete(key);
  }

  /** How many keys are tracked (for tests and metrics). */
  get size(): number {
    return this.hits.size;
  }

  private sweep(now: number): void {
    for (const key of [...this.hits.keys()]) this.recent(key, now);
    // Still too many live keys: forget the least recently hit (Map order is insertion, refreshed on record).
    for (const key of this.hits.keys()) {
      if (this.hits.size <= this.maxKeys) break;
      this.hits.delete(key);
    }
  }
}

/** One limit a hit must pass: whether it would be allowed now, and recording it. `name` says which limit refused. */
export interface Gate {
  name: string;
  check(): Verdict;
  record(): void;
}

/** The gate of `limiter` for `key`. */
export const windowGate = (name: string, limiter: SlidingWindowLimiter, key: string): Gate => ({ name, check: () => limiter.check(key), record: () => limiter.record(key) });

/** A refusal of takeAll: how long to wait, and the gate that refused (the one with the longest wait). */
export type GateVerdict = { allowed: true } | { allowed: false; retryAfterMs: number; by: string };

/**
 * Several gates that must all allow a hit; the hit is recorded in each only when all allow it, so a
 * refused hit costs nothing in any of them (a village's allowance counts only clients within their own budget).
 */
export function takeAll(gates: Gate[]): GateVerdict {
  let refusal: { retryAfterMs: number; by: string } | undefined;
  for (const gate of gates) {
    const v = gate.check();
    if (!v.allowed && (!refusal || v.retryAfterMs > refusal.retryAfterMs)) refusal = { retryAfterMs: v.retryAfterMs, by: gate.name };
  }
  if (refusal) return { allowed: false, ...refusal };
  for (const gate of gates) gate.record();
  return { allowed: true };
}

/** A unit's allowance (see SharedAllowance). */
export interface SharedLimit extends WindowLimit {
  /** Accepted hits a client may have in the unit within the window once the unit has used `max`. */
  sharePerClient: number;
  /** All hits to the unit within the window, whoever sends them (default 10 × max). */
  ceiling?: number;
}

/**
 * A unit's allowance shared fairly between its clients, over a sliding window of `windowMs` (rule: ours,
 * issue 11 item 8). Up to `max` hits the unit takes anyone's (each client still bound by its own limit). Once
 * the unit has `max` hits in the window it is *busy*: a client that already has `sharePerClient` hits there
 * is refused, one with fewer is still allowed. So a flood from a dozen addresses uses up only those
 * addresses' shares, and the next genuine reporter — who has sent nothing — still gets through. `ceiling`
 * bounds everything (a flood from thousands of addresses), a backstop far above a village's real volume;
 * beyond it, limiting belongs at the gateway. In memory, per process, like SlidingWindowLimiter.
 */
export class SharedAllowance {
  private readonly hits = new Map<string, Array<{ at: number; client: string }>>();
  private readonly ceiling: number;
  private calls = 0;

  constructor(
    readonly limit: SharedLimit,
    private readonly clock: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {
    this.ceiling = limit.ceiling ?? limit.max * 10;
  }

  private recent(unit: string, now: number): Array<{ at: number; client: string }> {
    const list = this.hits.get(unit);
    if (!list) return [];
    const from = now - this.limit.windowMs;
    let drop = 0;
    while (drop < list.length && list[drop]!.at <= from) drop++;
    if (drop) list.splice(0, drop);
    if (!list.length) this.hits.delete(unit);
    return list;
  }

  /** Whether `client` may add a hit to `unit` now, without recording it; a refusal says when to retry. */
  check(unit: string, client: string): Verdict {
    const now = this.clock();
    const list = this.recent(unit, now);
    const leaves = (i: number) => Math.max(1, list[i]!.at + this.limit.windowMs - now);
    if (list.length >= this.ceiling) return { allowed: false, retryAfterMs: leaves(list.length - this.ceiling) };
    if (list.length < this.limit.max) return { allowed: true };
    const own = list.filter((h) => h.client === client);
    if (own.length < this.limit.sharePerClient) return { allowed: true };
    // Busy and this client has its share: it may go on when its own oldest hit leaves, or when the unit is below max again.
    return { allowed: false, retryAfterMs: Math.min(leaves(list.indexOf(own[own.length - this.limit.sharePerClient]!)), leaves(list.length - this.limit.max)) };
  }

  /** Records a hit of `client` on `unit` (call `check` first). */
  record(unit: string, client: string): void {
    const now = this.clock();
    const list = this.recent(unit, now);
    list.push({ at: now, client });
    if (list.length > this.ceiling) list.splice(0, list.length - this.ceiling);
    this.hits.delete(unit);
    this.hits.set(unit, list);
    if (++this.calls % 1000 === 0 || this.hits.size > this.maxKeys) {
      for (const key of [...this.hits.keys()]) this.recent(key, now);
      for (const key of this.hits.keys()) {
        if (this.hits.size <= this.maxKeys) break;
        this.hits.delete(key);
      }
    }
  }

  /** The gate of `client` on `unit`. */
  gate(name: string, unit: string, client: string): Gate {
    return { name, check: () => this.check(unit, client), record: () => this.record(unit, client) };
  }
}

/**
 * The 429 every limit answers, in the one error shape: `code: too_many_requests`, `reason` the limit
 * that refused, `details.retryAfterSeconds`, and a `Retry-After` header with the same seconds.
 */
export function tooManyRequests(reply: FastifyReply, retryAfterMs: number, reason: ApiReason | PublicChannelReason, message: string): FastifyReply {
  const seconds = Math.ceil(retryAfterMs / 1000);
  return reply
    .code(429)
    .header('retry-after', String(seconds))
    .send({ error: { code: 'too_many_requests', reason, message: `${message}; try again in ${seconds} s`, details: { retryAfterSeconds: seconds } } });
}

/**
 * Whether a request is for a path under `prefix` as the router reads it: the matched route's path, or for
 * no route the path percent-decoded — never the raw URL, which `/v1/%70ublic/…` would slip past while the
 * router still serves it the public route. A path that does not decode counts as under any prefix its raw
 * form starts with. Throws nothing.
 */
export function isUnder(request: FastifyRequest, prefix: string): boolean {
  const route = request.routeOptions.url;
  if (route !== undefined) return route.startsWith(prefix);
  const raw = request.url.split('?')[0]!;
  try {
    return decodeURIComponent(raw).startsWith(prefix);
  } catch {
    return raw.startsWith(prefix);
  }
}

/**
 * An onRequest hook: every request to the public channel (URLs under `prefix`, known route or not) counts
 * against its client's `limit`, before its body is read or validated — so 300 empty posts cost the sender
 * 300 requests, and the later ones are 429 (reason `client_request_limit`), not 400. Rule: ours
 * (policy.reports.rateLimit.perClientRequests).
 */
export function publicRequestLimit(limit: WindowLimit, prefix: string, clock: () => number = Date.now) {
  const limiter = new SlidingWindowLimiter(limit, clock);
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (!isUnder(request, prefix)) return;
    const verdict = limiter.take(clientKey(request.ip));
    if (!verdict.allowed) return tooManyRequests(reply, verdict.retryAfterMs, 'client_request_limit', 'too many requests from this address to the public channel');
  };
}

/**
 * The key a client is counted under: its IPv4 address, or the /64 network of an IPv6 address (one
 * subscriber usually holds a whole /64, and could otherwise rotate through it to dodge the limit).
 */
export function clientKey(ip: string): string {
  const v4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (v4) return `ip4:${v4[1]}`;
  if (!ip.includes(':')) return `ip:${ip}`;
  const [head = '', tail = ''] = ip.toLowerCase().split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') && tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `ip6:${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, '') || '0')
    .join(':')}::/64`;
}
