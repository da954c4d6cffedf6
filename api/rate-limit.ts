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

/** Several limiters that must all allow a hit; a hit is recorded in each only when all allow it. */
export function takeAll(checks: Array<[SlidingWindowLimiter, string]>): Verdict {
  let wait = 0;
  for (const [limiter, key] of checks) {
    const v = limiter.check(key);
    if (!v.allowed) wait = Math.max(wait, v.retryAfterMs);
  }
  if (wait > 0) return { allowed: false, retryAfterMs: wait };
  for (const [limiter, key] of checks) limiter.record(key);
  return { allowed: true };
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
