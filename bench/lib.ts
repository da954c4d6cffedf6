import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { Db } from 'mongodb';
import pg from 'pg';
import { openSession } from '../api/accounts';
import { signToken } from '../api/auth';
import type { Config } from '../config';
import type { Role } from '../domain/roles';
import { ferretTables } from '../store/indexes';

// Shared by the benchmarks: a bounded concurrent runner with latency percentiles, per-phase CPU and
// worker metrics, teardown that runs on every exit path, and the result table and file.

export const log = (line: string): void => console.log(`[bench] ${line}`);

// ---------------------------------------------------------------------------------------------------
// Arguments

/** `--name value` / `--name=value` integer flags; anything else is an error, not silently ignored. */
export function parseFlags<K extends string>(argv: string[], defaults: Record<K, number | string>): Record<K, number | string> {
  const out = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m || !(m[1]! in defaults)) throw new Error(`unknown argument ${arg}; flags: ${Object.keys(defaults).map((k) => `--${k}`).join(' ')}`);
    const key = m[1] as K;
    const raw = m[2] ?? argv[++i];
    if (raw === undefined) throw new Error(`--${key} needs a value`);
    if (typeof defaults[key] === 'number') {
      const n = Number(raw.replace(/_/g, ''));
      if (!Number.isInteger(n) || n < 1) throw new Error(`--${key}: expected a positive integer, got ${raw}`);
      out[key] = n;
    } else out[key] = raw;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Teardown: the servers we start must stop on success, on error, on Ctrl-C and on the time limit.

const teardown: Array<{ name: string; fn: () => Promise<unknown> | unknown }> = [];
let tornDown: Promise<void> | undefined;

/** Registers a step; steps run last-registered first, so servers (registered first) stop last. */
export function onTeardown(name: string, fn: () => Promise<unknown> | unknown): void {
  teardown.push({ name, fn });
}

function runTeardown(): Promise<void> {
  tornDown ??= (async () => {
    while (teardown.length > 0) {
      const step = teardown.pop()!;
      try {
        // A step that hangs (a worker that will not drain) must not keep the servers alive.
        await Promise.race([step.fn(), new Promise((r) => setTimeout(r, 30_000).unref())]);
      } catch (err) {
        console.error(`[bench] teardown ${step.name}: ${(err as Error).message}`);
      }
    }
  })();
  return tornDown;
}

/**
 * Runs a benchmark with a wall-clock limit. Whatever happens, teardown runs and the process exits:
 * gRPC channels and the worker's native threads would otherwise keep it alive.
 */
export async function runBench(name: string, maxMinutes: number, main: () => Promise<void>): Promise<never> {
  const fail = async (why: string, code: number) => {
    console.error(`[bench] ${name}: ${why}`);
    // The benchmark's own code is still running and now meets closed clients: let nothing it throws
    // cut the teardown short.
    process.on('uncaughtException', () => undefined);
    process.on('unhandledRejection', () => undefined);
    await runTeardown();
    process.exit(code);
  };
  process.once('SIGINT', () => void fail('interrupted', 130));
  process.once('SIGTERM', () => void fail('terminated', 143));
  const watchdog = setTimeout(() => void fail(`exceeded the ${maxMinutes}-minute limit (--max-minutes)`, 1), maxMinutes * 60_000);
  let code = 0;
  try {
    await main();
  } catch (err) {
    console.error(`[bench] ${name} failed: ${(err as Error).stack ?? err}`);
    code = 1;
  }
  clearTimeout(watchdog);
  // What the run left in flight now meets closed clients (a gRPC retry timer firing on a closed channel):
  // reported, not allowed to turn a finished run into a failure or cut the teardown short.
  const late = (err: unknown) => console.error(`[bench] during teardown: ${(err as Error)?.message ?? err}`);
  process.on('uncaughtException', late);
  process.on('unhandledRejection', late);
  await runTeardown();
  process.exit(code);
}

/**
 * Only errors are logged: an activity attempt that fails and is retried logs a warning with its stack,
 * which under load would bury the progress lines (the phase tables count the failures instead, from the
 * Prometheus endpoint, when asked for, that gives the worker's view).
 */
export function installQuietRuntime(metricsPort?: number): void {
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: {
      logging: { filter: 'ERROR', forward: {} },
      ...(metricsPort ? { metrics: { prometheus: { bindAddress: `127.0.0.1:${metricsPort}` } } } : {}),
    },
  });
}

// ---------------------------------------------------------------------------------------------------
// The concurrent runner

export interface LatencyStats {
  ops: number;
  errors: number;
  firstError?: string;
  wallMs: number;
  /** Completed operations per second of wall time (errors excluded). */
  rate: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

export function statsOf(latencies: number[], wallMs: number, errors = 0, firstError?: string): LatencyStats {
  const sorted = Float64Array.from(latencies).sort();
  const sum = latencies.reduce((a, b) => a + b, 0);
  return {
    ops: latencies.length,
    errors,
    ...(firstError ? { firstError } : {}),
    wallMs,
    rate: latencies.length / (wallMs / 1000),
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    mean: latencies.length ? sum / latencies.length : NaN,
  };
}

export interface PoolOptions {
  maxErrors?: number;
  progressMs?: number;
  quiet?: boolean;
  /** performance.now() after which no new operation starts (the phase is then reported as cut). */
  deadline?: number;
  /** Receives every latency, for callers that merge several pools into one distribution. */
  sink?: number[];
}

/**
 * Runs `op(0..n-1)` with exactly `concurrency` in flight (a closed loop: no client-side queue, so a
 * latency is one request's round trip). Stops early past `maxErrors` failures, then throws: a
 * benchmark of failing requests measures nothing.
 */
export async function runPool(label: string, n: number, concurrency: number, op: (i: number) => Promise<void>, opts: PoolOptions = {}): Promise<LatencyStats> {
  const maxErrors = opts.maxErrors ?? Math.max(5, Math.floor(n * 0.001));
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const progress = opts.quiet
    ? undefined
    : setInterval(() => {
        const s = (performance.now() - started) / 1000;
        log(`  ${label}: ${latencies.length}/${n} in ${s.toFixed(0)} s (${(latencies.length / s).toFixed(1)}/s)${errors ? `, ${errors} errors` : ''}`);
      }, opts.progressMs ?? 5000);
  const lane = async () => {
    while (next < n && errors <= maxErrors && (opts.deadline === undefined || performance.now() < opts.deadline)) {
      const i = next++;
      const t0 = performance.now();
      try {
        await op(i);
        const ms = performance.now() - t0;
        latencies.push(ms);
        opts.sink?.push(ms);
      } catch (err) {
        errors += 1;
        firstError ??= (err as Error).message?.slice(0, 300) ?? String(err);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, n) }, lane));
  } finally {
    clearInterval(progress);
  }
  const stats = statsOf(latencies, performance.now() - started, errors, firstError);
  if (errors > maxErrors) throw new Error(`${label}: ${errors} operations failed (first: ${firstError})`);
  return stats;
}

/**
 * Fails an operation that has not finished in `ms` (the call itself goes on in the background): one
 * request stuck behind a retry loop must not hold a phase past its budget.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------------------
// Where the time goes: CPU per process, event-loop load and the worker's own metrics, per phase

/** CPU seconds a process has used so far, from /proc (Linux); undefined elsewhere or once it is gone. */
export function procCpuSeconds(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm) ": [0] is field 3 (state); utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Clock ticks: 100 per second on every Linux we run on (sysconf(_SC_CLK_TCK) is not exposed to Node).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds used so far by each process and all its descendants (PostgreSQL runs a backend process per
 * connection), counting children that already exited and were reaped (cutime/cstime); undefined for a
 * process that is gone, or off Linux. One pass over /proc for all of them.
 */
export function procTreeCpuSeconds<K extends string>(pids: Record<K, number | undefined>): Record<K, number | undefined> {
  const out = Object.fromEntries(Object.keys(pids).map((k) => [k, undefined])) as Record<K, number | undefined>;
  const stats = new Map<number, string[]>();
  try {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        stats.set(Number(name), stat.slice(stat.lastIndexOf(')') + 2).split(' '));
      } catch {
        // Exited meanwhile.
      }
    }
  } catch {
    return out;
  }
  // Fields after "(comm) ": [1] is ppid; [11..14] are utime, stime, cutime, cstime (clock ticks, 100/s).
  const children = new Map<number, number[]>();
  for (const [p, f] of stats) {
    const parent = Number(f[1]);
    children.set(parent, [...(children.get(parent) ?? []), p]);
  }
  for (const [k, pid] of Object.entries(pids) as Array<[K, number | undefined]>) {
    if (!pid || !stats.has(pid)) continue;
    let ticks = 0;
    const queue = [pid];
    while (queue.length > 0) {
      const p = queue.pop()!;
      const f = stats.get(p);
      if (!f) continue;
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
      queue.push(...(children.get(p) ?? []));
    }
    out[k] = ticks / 100;
  }
  return out;
}

/** CPU seconds the whole machine has been busy so far (all cores, every process: /proc/stat); undefined off Linux. */
export function machineBusySeconds(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    // cpu user nice system idle iowait irq softirq steal …: busy is all but idle and iowait.
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!) / 100;
  } catch {
    return undefined;
  }
}

let startupThreads: Set<string> | undefined;
/**
 * Call first thing: the threads that exist now (the main thread, V8's platform threads, libuv's pool) are
 * then told apart from threads that appear later with the same name (Node worker threads: where the
 * Temporal SDK runs workflows), which Linux cannot name apart otherwise. Returns their ids.
 */
export function noteStartupThreads(): Set<string> {
  try {
    startupThreads = new Set(readdirSync('/proc/self/task'));
  } catch {
    startupThreads = new Set();
  }
  return startupThreads;
}

/**
 * CPU seconds of a process's threads so far (this one by default; another's startup threads come from its own
 * noteStartupThreads), by kind: `main` (the event loop: here the API, the
 * clients and the activities), `js threads` (Node worker threads started after noteStartupThreads: the
 * SDK's workflow thread), `node` (threads Node started with the process: V8's platform threads — GC and
 * compilation — and libuv's pool), `rust` (the Temporal core's threads), anything else by its name. Linux only.
 */
export function threadCpuSeconds(of: { pid: number; startup?: Set<string> } = { pid: process.pid, startup: startupThreads }): Record<string, number> {
  const out: Record<string, number> = {};
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${of.pid}/task`);
  } catch {
    return out;
  }
  const pid = String(of.pid);
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${of.pid}/task/${tid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const kind =
        tid === pid
          ? 'main'
          : comm.startsWith('tokio') || comm.startsWith('temporal') || comm.startsWith('workflow-proces')
            ? 'rust'
            : comm === 'node' || comm.startsWith('V8') || comm.startsWith('libuv')
              ? of.startup && !of.startup.has(tid)
                ? 'js threads'
                : 'node'
              : comm;
      out[kind] = (out[kind] ?? 0) + (Number(f[11]) + Number(f[12])) / 100;
    } catch {
      // The thread ended meanwhile: its time is lost to the split (not to the process total).
    }
  }
  return out;
}

/** Sums a Prometheus text exposition by metric name (labels dropped). */
export async function scrapeMetrics(url: string | undefined): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!url) return out;
  try {
    const text = await (await fetch(url)).text();
    for (const line of text.split('\n')) {
      if (!line || line.startsWith('#')) continue;
      const m = /^([a-zA-Z_:][\w:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
      if (m) out.set(m[1]!, (out.get(m[1]!) ?? 0) + Number(m[2]));
    }
  } catch {
    // Metrics are diagnostics: a failed scrape leaves the columns empty, not the run failed.
  }
  return out;
}

/** The worker's Prometheus series a phase reports: histogram sums/counts and counters, as deltas. */
const WORKER_SERIES = [
  'temporal_workflow_task_execution_latency_count',
  'temporal_workflow_task_execution_latency_sum',
  'temporal_workflow_task_schedule_to_start_latency_count',
  'temporal_workflow_task_schedule_to_start_latency_sum',
  'temporal_activity_execution_latency_count',
  'temporal_activity_execution_latency_sum',
  'temporal_activity_execution_failed',
  'temporal_local_activity_execution_latency_count',
  'temporal_local_activity_execution_latency_sum',
  'temporal_local_activity_execution_failed',
  'temporal_sticky_cache_hit',
  'temporal_sticky_cache_miss',
] as const;

export interface PhaseDiagnostics {
  wallS: number;
  /**
   * CPU seconds per process (with its child processes) during the phase; `bench` is this process (the
   * in-process worker included), `machine` every process on the machine (what else ran shows as the rest).
   */
  cpuS: Record<string, number | null>;
  /** Seconds the main thread's event loop was busy. */
  eventLoopBusyS: number;
  /** CPU seconds of one process's threads by kind (see threadCpuSeconds); empty off Linux or if it changed during the phase. */
  threadsS: Record<string, number>;
  /** Deltas of WORKER_SERIES; empty without a metrics endpoint. */
  metrics: Record<string, number>;
}

/**
 * Snapshots taken around a phase (or a chunk of one); `end()` returns what it cost. The processes are
 * those of `procs` when the phase starts (one that is gone by its end gets null). `metricsUrl` and
 * `threadsOf` may be functions, for a worker process that can be replaced during a phase: its metrics
 * and thread split are then left out.
 */
export async function startDiagnostics(
  procs: Record<string, number | undefined>,
  metricsUrl?: string | (() => string | undefined),
  threadsOf: () => { pid: number; startup?: Set<string> } | undefined = () => ({ pid: process.pid, startup: startupThreads }),
) {
  const t0 = performance.now();
  const elu0 = performance.eventLoopUtilization();
  const self0 = process.cpuUsage();
  const pids = { ...procs };
  const cpu0 = procTreeCpuSeconds(pids);
  const machine0 = machineBusySeconds();
  const urlOf = () => (typeof metricsUrl === 'function' ? metricsUrl() : metricsUrl);
  const url0 = urlOf();
  const threadProc0 = threadsOf();
  const threads0 = threadProc0 ? threadCpuSeconds(threadProc0) : {};
  const m0 = await scrapeMetrics(url0);
  return {
    async end(): Promise<PhaseDiagnostics> {
      const wallS = (performance.now() - t0) / 1000;
      const self = process.cpuUsage(self0);
      const cpuS: Record<string, number | null> = { bench: (self.user + self.system) / 1e6 };
      const cpu1 = procTreeCpuSeconds(pids);
      for (const k of Object.keys(pids)) {
        const now = cpu1[k];
        const before = cpu0[k];
        cpuS[k] = now !== undefined && before !== undefined ? now - before : null;
      }
      const machine1 = machineBusySeconds();
      cpuS.machine = machine0 !== undefined && machine1 !== undefined ? machine1 - machine0 : null;
      const eventLoopBusyS = performance.eventLoopUtilization(elu0).active / 1000;
      const threadProc1 = threadsOf();
      const sameThreads = threadProc0 !== undefined && threadProc1?.pid === threadProc0.pid;
      const threads1 = sameThreads ? threadCpuSeconds(threadProc1) : {};
      const threadsS = sameThreads ? Object.fromEntries(Object.entries(threads1).map(([k, v]) => [k, Math.max(0, v - (threads0[k] ?? 0))])) : {};
      const url1 = urlOf();
      const m1 = url1 === url0 ? await scrapeMetrics(url1) : new Map<string, number>();
      const metrics: Record<string, number> = {};
      // Counters that went down belong to a restarted process: the phase's deltas are then unknown.
      const restarted = WORKER_SERIES.some((name) => (m1.get(name) ?? 0) < (m0.get(name) ?? 0));
      if (m1.size > 0 && !restarted) for (const name of WORKER_SERIES) metrics[name] = (m1.get(name) ?? 0) - (m0.get(name) ?? 0);
      return { wallS, cpuS, eventLoopBusyS, threadsS, metrics };
    },
  };
}

/** Sums the diagnostics of several chunks (of one path, in an interleaved phase). */
export function mergeDiagnostics(parts: PhaseDiagnostics[]): PhaseDiagnostics {
  const out: PhaseDiagnostics = { wallS: 0, cpuS: {}, eventLoopBusyS: 0, threadsS: {}, metrics: {} };
  for (const p of parts) {
    out.wallS += p.wallS;
    out.eventLoopBusyS += p.eventLoopBusyS;
    for (const [k, v] of Object.entries(p.threadsS)) out.threadsS[k] = (out.threadsS[k] ?? 0) + v;
    for (const [k, v] of Object.entries(p.cpuS)) out.cpuS[k] = v === null || out.cpuS[k] === null ? null : (out.cpuS[k] ?? 0) + v;
    for (const [k, v] of Object.entries(p.metrics)) out.metrics[k] = (out.metrics[k] ?? 0) + v;
  }
  return out;
}

/** What the worker's metrics say about a phase: means per workflow task and per projection. */
export function workerSummary(d: PhaseDiagnostics) {
  const m = d.metrics;
  if (!('temporal_activity_execution_latency_count' in m)) return undefined;
  const mean = (name: string) => (m[`${name}_count`]! > 0 ? m[`${name}_sum`]! / m[`${name}_count`]! : NaN);
  return {
    workflowTasks: m.temporal_workflow_task_execution_latency_count!,
    workflowTaskQueueMs: mean('temporal_workflow_task_schedule_to_start_latency'),
    workflowTaskExecMs: mean('temporal_workflow_task_execution_latency'),
    activityAttempts: m.temporal_activity_execution_latency_count!,
    activityFailures: m.temporal_activity_execution_failed!,
    activityExecMs: mean('temporal_activity_execution_latency'),
    localActivityAttempts: m.temporal_local_activity_execution_latency_count ?? 0,
    localActivityFailures: m.temporal_local_activity_execution_failed ?? 0,
    localActivityExecMs: mean('temporal_local_activity_execution_latency'),
    /** Activities and local activities together (a worker runs its projections as one or the other). */
    anyActivityExecMs:
      (m.temporal_activity_execution_latency_sum! + (m.temporal_local_activity_execution_latency_sum ?? 0)) /
      (m.temporal_activity_execution_latency_count! + (m.temporal_local_activity_execution_latency_count ?? 0)),
    stickyHits: m.temporal_sticky_cache_hit!,
    stickyMisses: m.temporal_sticky_cache_miss!,
  };
}

// ---------------------------------------------------------------------------------------------------
// Memory

let gcFn: (() => void) | undefined;
/** A full GC before reading memory, so heapUsed is live data rather than whatever was not yet collected. */
export function collectGarbage(): void {
  if (!gcFn) {
    // Without `node --expose-gc` on the command line (npm runs plain tsx): expose it at run time.
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  gcFn();
  gcFn();
}

export interface MemorySnapshot {
  rssMiB: number;
  heapUsedMiB: number;
  externalMiB: number;
}

export function memorySnapshot(): MemorySnapshot {
  collectGarbage();
  const m = process.memoryUsage();
  const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
  return { rssMiB: mib(m.rss), heapUsedMiB: mib(m.heapUsed), externalMiB: mib(m.external) };
}

// ---------------------------------------------------------------------------------------------------
// Output

/** A plain aligned table: text columns left, numeric columns right. */
export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)));
  const numeric = headers.map((_, i) => rows.every((r) => typeof r[i] === 'number' || r[i] === '–'));
  // CJK characters take two columns in a terminal.
  const width = (s: string) => [...s].reduce((w, ch) => w + (/[\u3000-\u9fff\uff00-\uffef]/.test(ch) ? 2 : 1), 0);
  const widths = headers.map((h, i) => Math.max(width(h), ...cells.map((r) => width(r[i] ?? ''))));
  const pad = (s: string, i: number) => {
    const fill = ' '.repeat(widths[i]! - width(s));
    return numeric[i] ? fill + s : s + fill;
  };
  const line = (r: string[]) => `  ${r.map(pad).join('  ')}`.trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** Numbers as people read them: integers grouped, small values with two significant decimals. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return '–';
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

export const ratio = (a: number, b: number): number => (b > 0 ? a / b : NaN);

/** Writes bench/results/<name>-<timestamp>.json (git-ignored) and returns its path. */
export function writeResults(name: string, data: unknown): string {
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = join(dir, `${name}-${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}

/** The filesystem a path lives on (fsync cost depends on it), from /proc/mounts; undefined elsewhere. */
export function filesystemOf(path: string): string | undefined {
  try {
    let best: { mount: string; type: string } | undefined;
    for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [, mount, type] = line.split(' ');
      if (!mount || !type) continue;
      if ((path === mount || path.startsWith(mount.endsWith('/') ? mount : `${mount}/`)) && (!best || mount.length > best.mount.length)) best = { mount, type };
    }
    return best && `${best.type} (${best.mount})`;
  } catch {
    return undefined;
  }
}

/**
 * VACUUM (ANALYZE) of the bench database's tables, as autovacuum would soon after a bulk load, then a
 * CHECKPOINT, so that the one the load's WAL calls for does not land among the samples. Seconds taken.
 */
export async function vacuumAnalyze(url: string, database: string): Promise<number> {
  const t0 = performance.now();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const table of (await ferretTables(client, database)).values()) {
      await client.query(`VACUUM (ANALYZE) ${pg.escapeIdentifier(database)}.${pg.escapeIdentifier(table)}`);
    }
    // Needs a superuser or pg_checkpoint (the local cluster's user is one); elsewhere just skipped.
    await client.query('CHECKPOINT').catch(() => undefined);
  } finally {
    await client.end();
  }
  return (performance.now() - t0) / 1000;
}

/**
 * A bearer token for a bench's production API. Production refuses a token without a live session
 * (docs/accounts.md: ready-made tokens work outside production only), so this opens a session in `db` — the
 * database the API under test reads — and signs the access token with its `sid`, as a sign-in would. The
 * session check costs the API one read per request, as it does for every signed-in user.
 */
export async function sessionToken(config: Config, db: Db, claims: { sub: string; role: Role; org: string }, expiresIn: string): Promise<string> {
  const { sid } = await openSession(db, config.auth, claims.sub, 'password');
  return signToken({ secret: config.jwtSecret, ...config.tokens }, { ...claims, sid }, expiresIn);
}
