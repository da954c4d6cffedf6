import { piiDataConverter } from '../worker/codec';
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { BSON, MongoClient, type CommandStartedEvent, type Db } from 'mongodb';
import { buildApp, type App } from '../api/app';
import { insecureDevPiiKeys, loadConfig, type Config } from '../config';
import { advanceAlert, alertView, openAlert, type Actor, type VisitInput } from '../domain/alert';
import { computeCheckDigit } from '../domain/id-number';
import type { OrgUnit, UnitRef } from '../domain/org';
import { ALERT_LEVELS, type AlertLevel } from '../domain/policy';
import { freePort } from '../scripts/lib/proc';
import { startMongo, startTemporal } from '../scripts/lib/stack';
import { COLLECTIONS } from '../store/collections';
import { connectMongo } from '../store/mongo';
import { ensureIndexes } from '../store/indexes';
import { OrgDirectory } from '../store/org-directory';
import { seedOrgUnits, weihaiOrgUnits } from '../store/seed';
import { createWorker } from '../worker/worker';
import { ALERT_WORKFLOW_TYPE, alertWorkflowId, recordVisitUpdate, reportUpdate, type AlertInput } from '../workflows/alert/contract';
import type { alertWorkflow } from '../workflows/alert/workflow';
import {
  fmt,
  installQuietRuntime,
  log,
  memorySnapshot,
  mergeDiagnostics,
  noteStartupThreads,
  onTeardown,
  parseFlags,
  percentile,
  ratio,
  runBench,
  runPool,
  startDiagnostics,
  statsOf,
  table,
  withTimeout,
  workerSummary,
  writeResults,
  type LatencyStats,
  type MemorySnapshot,
  type PhaseDiagnostics,
  sessionToken,
} from './lib';
import { attachPiiKeyring, piiKeyring, piiOf } from '../store/pii';
import { sealHousehold } from '../store/households';

/*
 * `npm run bench:alerts [-- --n 500 --concurrency 32]`
 *
 * What the API costs on top of Temporal, on one set of real servers: a Temporal dev server (in memory)
 * and the local read model (FerretDB on PostgreSQL, or mongod) with throwaway data, both started here on
 * free ports unless TEMPORAL_ADDRESS / MONGODB_URI name running ones. The worker (createWorker, with its
 * own MongoClient) runs in a child process, as in production: its memory and CPU are its own, and a
 * worker that dies is reported and started again; the API runs in this process, listens on a free port
 * and is called over HTTP with keep-alive. The same concurrency for every path.
 *
 *   a. opening alerts: POST /v1/alerts vs raw executeUpdateWithStart(report) (alternating chunks), then a
 *      burst of N raw workflow.start and the worker's backlog of opening and projecting them
 *   b. visits: POST /v1/alerts/:id/visits vs raw executeUpdate(recordVisit), each to alerts opened in a. by
 *      update-with-start (the API's and the raw ones, alike in history and in age in the worker's cache)
 *   c. memory with every alert open and the worker idle, against a baseline taken before
 *   d. the overdue board (GET /v1/cases?overdue=true) for a town supervisor and for a city monitor vs the
 *      same driver query, at two read-model sizes
 * Throughout: every projectCase attempt (an activity interceptor: attempts, retries, failures, attempts
 * that outlasted their start-to-close timeout) and every write the worker's MongoClient sends (command
 * monitoring: commands, statements, BSON bytes), per phase. The targets are checked at the end.
 *
 * Flags: --n (alerts per path, 5000) --concurrency (32) --warmup (per path, 20)
 *        --overdue-sizes (cases in the read model, "1000,50000") --overdue-requests (per size, 200)
 *        --api-log (info: request logging on, as `npm start` runs it, written to /dev/null; or silent)
 *        --phase-minutes (15: a phase stops starting operations past it and reports what it did)
 *        --max-minutes (60: the phases before the board share what is left of it after the board's
 *        reserve, so the run ends and reports in time; past it, everything is stopped and the run fails)
 */

const startupTids = noteStartupThreads();
/** This file run as the benchmark's worker process (see WorkerProcess). */
const CHILD = process.argv[2] === '--worker-child';
const flags = parseFlags(CHILD ? [] : process.argv.slice(2), {
  n: 5000,
  concurrency: 32,
  warmup: 20,
  'overdue-sizes': '1000,50000',
  'overdue-requests': 200,
  'api-log': 'info',
  'phase-minutes': 15,
  'max-minutes': 60,
});
const PHASE_MS = (flags['phase-minutes'] as number) * 60_000;
const MAX_MS = (flags['max-minutes'] as number) * 60_000;
/** Time each read-model size of the board gets for its requests (all four kinds, interleaved). */
const BOARD_BUDGET_MS = 180_000;
const N = flags.n as number;
const CONCURRENCY = flags.concurrency as number;
const WARMUP = Math.min(flags.warmup as number, N);
const OVERDUE_SIZES = String(flags['overdue-sizes'])
  .split(',')
  .map((s) => Number(s.replace(/_/g, '')))
  .sort((a, b) => a - b);
if (OVERDUE_SIZES.some((s) => !Number.isInteger(s) || s < 10)) throw new Error('--overdue-sizes: expected integers ≥ 10, e.g. 1000,50000');
const OVERDUE_REQUESTS = flags['overdue-requests'] as number;
/** Kept back for the board (fills, requests) and the report: the phases before it stop in time for it. */
const BOARD_RESERVE_MS = OVERDUE_SIZES.length * (BOARD_BUDGET_MS + 60_000) + Math.max(...OVERDUE_SIZES) * 5 + 120_000;
const T0 = performance.now();
/** A phase's budget: PHASE_MS, or less when the run would otherwise not keep the board's reserve (30 s at least). */
const budget = (): number => Math.max(30_000, Math.min(PHASE_MS, T0 + MAX_MS - BOARD_RESERVE_MS - performance.now()));
const API_LOG = String(flags['api-log']);
if (API_LOG !== 'info' && API_LOG !== 'silent') throw new Error('--api-log: expected info or silent');

/** The households live in the villages of one district; its staff may act on all of them. */
const DISTRICT = '371002';
/** The town whose overdue board is read: one of three in the district, so the query filters. */
const BOARD_TOWN = '371002001';
/** The city: a city monitor's board shows every overdue case. */
const BOARD_CITY = '371000';
/** Past this an operation counts as failed: a request stuck behind projection retries must not stall a phase. */
const OP_TIMEOUT_MS = 120_000;
/** A worker process that dies is started again this many times at most. */
const MAX_WORKER_RESTARTS = 3;
/** A backlog with no projection completed for this long is stalled, not slow. */
const STALL_MS = 90_000;
const ACTOR: Actor = { userId: `bench@${DISTRICT}`, role: 'district_staff', unitCode: DISTRICT };
const REASONS = ['收入骤降'];
const levelOf = (i: number): AlertLevel => ALERT_LEVELS[i % ALERT_LEVELS.length]!;
const visitInput = (): VisitInput => ({ visitors: ['李网格'], visitedAt: new Date().toISOString(), outcome: 'stable', notes: '入户核实' });
/** The targets the report checks. */
const TARGETS = {
  apiOverRawUpdateWithStart: 0.9,
  apiOverRawStart: 0.5,
  /** p50 of the last 1,000 API openings ÷ the first 1,000: at most. */
  apiLatencyGrowth: 1.5,
  /** Like for like, as the openings' API ÷ raw update-with-start. */
  visitApiOverRaw: 0.9,
  /** Board p99 at the largest size ÷ at the smallest: at most. */
  boardP99Growth: 2,
} as const;
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');

/** A valid resident ID number (GB 11643 check digit), distinct for seq < 1,000,000: same as the tests'. */
function idNumber(seq: number): string {
  const birth = new Date(Date.UTC(1950, 0, 1) + Math.floor(seq / 1000) * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
  const body = `371002${birth}${String(seq % 1000).padStart(3, '0')}`;
  return body + computeCheckDigit(body);
}

const householdId = () => `hh-${randomBytes(6).toString('hex')}`;

interface Household {
  id: string;
  village: OrgUnit;
  ladder: UnitRef[];
}

/**
 * Registers households with direct inserts, in the shape POST /v1/households stores: registration is
 * set-up, not what is measured.
 */
async function registerHouseholds(db: Db, orgs: OrgDirectory, villages: OrgUnit[], count: number, firstSeq: number): Promise<Household[]> {
  const households: Household[] = [];
  for (let i = 0; i < count; i++) {
    const village = villages[(firstSeq + i) % villages.length]!;
    households.push({ id: householdId(), village, ladder: await orgs.ladder(village.code) });
  }
  const createdAt = new Date().toISOString();
  for (let i = 0; i < households.length; i += 1000) {
    await db.collection<{ _id: string }>(COLLECTIONS.households).insertMany(
      households.slice(i, i + 1000).map((h, j) => {
        const seq = firstSeq + i + j;
        // Sealed as the store seals it (ID number and phone encrypted, the blind indexes).
        return sealHousehold(piiOf(db), {
          _id: h.id,
          headName: `张${seq}`,
          headIdNumber: idNumber(seq),
          members: [],
          address: `威海市环翠区海港路${seq}号`,
          phone: '13800000000',
          unitCode: h.village.code,
          villageCode: h.village.code,
          orgPath: h.village.path,
          categories: ['minimum_subsistence'],
          createdAt,
          createdBy: ACTOR.userId,
        });
      }),
      { ordered: false },
    );
  }
  return households;
}

// ---------------------------------------------------------------------------------------------------

interface PathResult {
  label: string;
  stats: LatencyStats;
  diag: PhaseDiagnostics;
  /** Why the phase stopped before all N operations: its time budget ran out, too many failed, or the worker process died. */
  cut: '' | 'budget' | 'errors' | 'worker died';
  /** Rate of each chunk, in order (paired phases): shows whether the cost grows as the read model fills. */
  chunkRates: number[];
}

// ---------------------------------------------------------------------------------------------------
// The worker runs in a child process (this file with --worker-child), as in production (worker/main.ts):
// its memory and CPU are its own, and if it dies — a workflow thread out of heap aborts the process
// (temporalio/sdk-typescript#939) — the benchmark records it, starts another and reports what it got.
// The child reports each projectCase attempt (an activity inbound interceptor) and each command its
// MongoClient sends (command monitoring) as events, batched over IPC; the counting happens here.

/** One projectCase attempt, as it ended. */
interface AttemptEvent {
  ms: number;
  attempt: number;
  /** Run as a local activity (inside the workflow task) rather than an activity task. */
  local: boolean;
  failed: boolean;
  startToCloseMs: number;
  error?: string;
}

/** One command the worker's MongoClient started: a write (with its statements and BSON size) or a read. */
interface CommandEvent {
  name: string;
  collection: string;
  statements: number;
  bytes: number;
  read: boolean;
}

interface ChildConfig {
  address: string;
  namespace: string;
  taskQueue: string;
  mongoUri: string;
  db: string;
  metricsPort: number;
}

interface ChildReady {
  startupTids: string[];
  cacheSize: number;
  workflowTaskSlots: string;
  activitySlots: string;
  localActivitySlots: string;
  heapLimitMiB: number;
}

interface ChildStatus {
  inFlightActivations: number;
  inFlightActivities: number;
  cachedWorkflows: number;
  state: string;
}

type ChildMessage =
  | { kind: 'ready'; ready: ChildReady }
  | { kind: 'events'; attempts: AttemptEvent[]; commands: CommandEvent[]; otherActivities: number }
  | { kind: 'reply'; id: number; result?: unknown; error?: string };

type ChildRequest = { id: number; kind: 'status' | 'memory' | 'flush' | 'shutdown' };

/** projectCase attempts as the worker ran them (attempts that ended: one still running is not counted yet). */
class ProjectionAttempts {
  attempts = 0;
  /** Attempts with attempt > 1: each follows a failed or timed-out one. */
  retries = 0;
  maxAttempt = 0;
  /** Attempts that threw. */
  failed = 0;
  /** Attempts that ran past their start-to-close timeout: the server had timed them out (and scheduled a retry). */
  overTimeout = 0;
  firstFailure: string | undefined;
  startToCloseMs = 0;
  /** Every attempt's duration, in the order they ended. */
  readonly durationsMs: number[] = [];
  /** Other activity types' attempts (the alert workflow runs none but projectCase). */
  other = 0;
  /** Attempts run as local activities. */
  local = 0;

  record(e: AttemptEvent): void {
    this.attempts += 1;
    if (e.local) this.local += 1;
    if (e.attempt > 1) this.retries += 1;
    this.maxAttempt = Math.max(this.maxAttempt, e.attempt);
    this.startToCloseMs = e.startToCloseMs;
    if (e.failed) {
      this.failed += 1;
      this.firstFailure ??= e.error;
    }
    if (e.startToCloseMs > 0 && e.ms >= e.startToCloseMs) this.overTimeout += 1;
    this.durationsMs.push(e.ms);
  }

  /** Attempts that completed (the workflow got its projection). */
  get succeeded(): number {
    return this.attempts - this.failed;
  }

  snapshot() {
    return { attempts: this.attempts, retries: this.retries, failed: this.failed, overTimeout: this.overTimeout };
  }

  /** What happened between a snapshot and now. */
  since(from: ReturnType<ProjectionAttempts['snapshot']>): ProjectionSpan {
    const d = Float64Array.from(this.durationsMs.slice(from.attempts)).sort();
    return {
      attempts: this.attempts - from.attempts,
      retries: this.retries - from.retries,
      failed: this.failed - from.failed,
      overTimeout: this.overTimeout - from.overTimeout,
      p50Ms: percentile(d, 0.5),
      p99Ms: percentile(d, 0.99),
      maxMs: d.length ? d[d.length - 1]! : NaN,
    };
  }
}

interface ProjectionSpan {
  attempts: number;
  retries: number;
  failed: number;
  overTimeout: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const WRITE_COMMANDS = new Set(['insert', 'update', 'delete', 'findAndModify']);
const READ_COMMANDS = new Set(['find', 'aggregate', 'count', 'distinct', 'getMore']);

interface Tally {
  /** Write commands (insert, update, delete, findAndModify) sent. */
  writes: number;
  /** Documents inserted plus update and delete statements in them. */
  statements: number;
  /** BSON.calculateObjectSize of each write command as sent (its documents included). */
  bytes: number;
  reads: number;
  /** Per collection: "insert events", "update cases", … → [commands, statements, bytes]. */
  byTarget: Record<string, [number, number, number]>;
}

/** What a command-started event counts for: a write with its statements and size, a read, or nothing. */
function commandEvent(event: CommandStartedEvent): CommandEvent | undefined {
  const name = event.commandName;
  if (READ_COMMANDS.has(name)) return { name, collection: '', statements: 0, bytes: 0, read: true };
  if (!WRITE_COMMANDS.has(name)) return undefined;
  const cmd = event.command as Record<string, unknown>;
  const list = (cmd.documents ?? cmd.updates ?? cmd.deletes) as unknown[] | undefined;
  return { name, collection: String(cmd[name]), statements: Array.isArray(list) ? list.length : 1, bytes: BSON.calculateObjectSize(event.command), read: false };
}

/** Counts the commands the worker's MongoClient sends. */
class CommandTally {
  private t: Tally = { writes: 0, statements: 0, bytes: 0, reads: 0, byTarget: {} };

  record(e: CommandEvent): void {
    if (e.read) {
      this.t.reads += 1;
      return;
    }
    this.t.writes += 1;
    this.t.statements += e.statements;
    this.t.bytes += e.bytes;
    const b = (this.t.byTarget[`${e.name} ${e.collection}`] ??= [0, 0, 0]);
    b[0] += 1;
    b[1] += e.statements;
    b[2] += e.bytes;
  }

  snapshot(): Tally {
    return { ...this.t, byTarget: Object.fromEntries(Object.entries(this.t.byTarget).map(([k, v]) => [k, [...v] as [number, number, number]])) };
  }

  since(from: Tally): Tally {
    const now = this.snapshot();
    const byTarget: Tally['byTarget'] = {};
    for (const [k, v] of Object.entries(now.byTarget)) {
      const f = from.byTarget[k] ?? [0, 0, 0];
      if (v[0] - f[0] > 0) byTarget[k] = [v[0] - f[0], v[1] - f[1], v[2] - f[2]];
    }
    return { writes: now.writes - from.writes, statements: now.statements - from.statements, bytes: now.bytes - from.bytes, reads: now.reads - from.reads, byTarget };
  }
}

/** A worker process that died, and what was last seen of it. */
interface WorkerCrash {
  phase: string;
  atSeconds: number;
  code: number | null;
  signal: string | null;
  lastCachedWorkflows: number;
  peakRssMiB: number;
  heapLimitMiB: number;
  /** rss when its cache last grew (see WorkerProcess.fill). */
  fill: { cachedWorkflows: number; rssMiB: number };
  /** How often its stderr named each known sign of trouble (a JS heap out of memory, a workflow task over the 5 s limit, …). */
  signs: Record<string, number>;
  stderrTail: string[];
}

/** What a dying worker writes to stderr, by what it means. */
const TROUBLE_SIGNS: Array<[string, RegExp]> = [
  ['workflow thread out of heap (ERR_WORKER_OUT_OF_MEMORY)', /ERR_WORKER_OUT_OF_MEMORY|Workflow Worker Thread failed/],
  ['workflow activation over the 5 s limit (Script execution timed out)', /Script execution timed out/],
  ['async hook stack corrupted (abort; sdk-typescript#939)', /async hook stack has become corrupted/],
  ['V8 fatal error', /FATAL ERROR|Fatal JavaScript/],
];

/** Resident memory of a process from /proc (MiB); undefined once it is gone. */
function rssMiBOf(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The worker child as the benchmark sees it: requests over IPC, events into the counters, its death recorded. */
class WorkerProcess {
  readonly child: ChildProcess;
  ready!: ChildReady;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private readonly stderrTail: string[] = [];
  private readonly signs: Record<string, number> = {};
  private stopping = false;
  exited = false;
  lastStatus: ChildStatus = { inFlightActivations: 0, inFlightActivities: 0, cachedWorkflows: 0, state: 'STARTING' };
  peakRssMiB = 0;
  /**
   * rss when the cache last grew (the most workflows cached so far): while the cache fills, nothing is
   * evicted, so rss over cached workflows is their cost; once it is full, evicted workflows' garbage adds to
   * rss until V8 collects it.
   */
  fill = { cachedWorkflows: 0, rssMiB: 0 };
  private readonly poll: NodeJS.Timeout;

  private constructor(
    cfg: ChildConfig,
    private readonly sinks: { projections: ProjectionAttempts; commands: CommandTally; onCrash: (c: Omit<WorkerCrash, 'phase' | 'atSeconds'>) => void },
  ) {
    this.child = fork(fileURLToPath(import.meta.url), ['--worker-child', JSON.stringify(cfg)], { stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
    this.child.stderr!.setEncoding('utf8');
    let partial = '';
    this.child.stderr!.on('data', (chunk: string) => {
      process.stderr.write(chunk);
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        if (!line.trim()) continue;
        this.stderrTail.push(line);
        for (const [sign, re] of TROUBLE_SIGNS) if (re.test(line)) this.signs[sign] = (this.signs[sign] ?? 0) + 1;
      }
      if (this.stderrTail.length > 30) this.stderrTail.splice(0, this.stderrTail.length - 30);
    });
    this.child.on('message', (m: ChildMessage) => this.onMessage(m));
    // A send to a child that is exiting fails here; the exit handler reports the death.
    this.child.on('error', () => undefined);
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      clearInterval(this.poll);
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.reject(new Error(`the worker process exited (${signal ?? code})`));
      }
      this.pending.clear();
      if (!this.stopping) {
        this.sinks.onCrash({
          code,
          signal,
          lastCachedWorkflows: this.lastStatus.cachedWorkflows,
          peakRssMiB: this.peakRssMiB,
          heapLimitMiB: this.ready?.heapLimitMiB ?? NaN,
          fill: this.fill,
          signs: { ...this.signs },
          stderrTail: this.stderrTail.slice(-12),
        });
      }
    });
    // What was last seen of it, should it die: its cache and its memory.
    this.poll = setInterval(() => {
      const rss = rssMiBOf(this.child.pid) ?? 0;
      this.peakRssMiB = Math.max(this.peakRssMiB, rss);
      this.status().then(
        (st) => {
          if (st.cachedWorkflows > this.fill.cachedWorkflows) this.fill = { cachedWorkflows: st.cachedWorkflows, rssMiB: rss };
        },
        () => undefined,
      );
    }, 2000);
    this.poll.unref();
  }

  static async start(cfg: ChildConfig, sinks: WorkerProcess['sinks']): Promise<WorkerProcess> {
    const wp = new WorkerProcess(cfg, sinks);
    wp.ready = await new Promise<ChildReady>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the worker process did not start within 120 s')), 120_000);
      wp.child.on('message', (m: ChildMessage) => {
        if (m.kind === 'ready') {
          clearTimeout(timer);
          resolve(m.ready);
        }
      });
      wp.child.on('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the worker process exited while starting (${signal ?? code})`));
      });
    });
    return wp;
  }

  get pid(): number | undefined {
    return this.exited ? undefined : this.child.pid;
  }

  private onMessage(m: ChildMessage): void {
    if (m.kind === 'events') {
      for (const a of m.attempts) this.sinks.projections.record(a);
      for (const c of m.commands) this.sinks.commands.record(c);
      this.sinks.projections.other += m.otherActivities;
    } else if (m.kind === 'reply') {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.error) p.reject(new Error(m.error));
      else p.resolve(m.result);
    }
  }

  private ask<T>(kind: ChildRequest['kind'], timeoutMs = 30_000): Promise<T> {
    if (this.exited) return Promise.reject(new Error('the worker process has exited'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`the worker process did not answer ${kind} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      try {
        this.child.send({ id, kind } satisfies ChildRequest);
      } catch (err) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(err as Error);
      }
    });
  }

  async status(): Promise<ChildStatus> {
    this.lastStatus = await this.ask<ChildStatus>('status');
    return this.lastStatus;
  }

  /** A memory reading of the worker process after a full GC of its main thread. */
  memory(): Promise<MemorySnapshot & { cachedWorkflows: number }> {
    return this.ask('memory', 60_000);
  }

  /** Resolves once every event the child had buffered has been counted here. */
  flush(): Promise<void> {
    return this.ask('flush');
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    this.stopping = true;
    clearInterval(this.poll);
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    await this.ask('shutdown', 5000).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 25_000);
    await exited;
    clearTimeout(timer);
  }
}

/** The worker child: the production worker (createWorker) plus the interceptor and the monitored MongoClient. */
async function workerChild(cfg: ChildConfig): Promise<void> {
  // The benchmark gone (killed, crashed): nothing to work for.
  process.on('disconnect', () => process.exit(1));
  const send = (m: ChildMessage) => {
    if (process.connected) process.send!(m);
  };
  installQuietRuntime(cfg.metricsPort);
  const attempts: AttemptEvent[] = [];
  const commands: CommandEvent[] = [];
  let otherActivities = 0;
  const flush = () => {
    if (attempts.length || commands.length || otherActivities) send({ kind: 'events', attempts: attempts.splice(0), commands: commands.splice(0), otherActivities });
    otherActivities = 0;
  };
  const flusher = setInterval(flush, 200);
  const interceptors: WorkerOptions['interceptors'] = {
    activity: [
      (ctx) => ({
        inbound: {
          execute: async (input, next) => {
            if (ctx.info.activityType !== 'projectCase') {
              otherActivities += 1;
              return next(input);
            }
            const { attempt, startToCloseTimeoutMs, isLocal } = ctx.info;
            const t0 = performance.now();
            let error: string | undefined;
            try {
              return await next(input);
            } catch (err) {
              error = (err as Error).message?.slice(0, 300) ?? String(err);
              throw err;
            } finally {
              attempts.push({ ms: performance.now() - t0, attempt, local: isLocal, failed: error !== undefined, startToCloseMs: startToCloseTimeoutMs, ...(error ? { error } : {}) });
            }
          },
        },
      }),
    ],
  };
  const connection = await NativeConnection.connect({ address: cfg.address });
  // Its own MongoClient, as in production, with command monitoring: every command it sends is counted.
  const mongoClient = new MongoClient(cfg.mongoUri, { serverSelectionTimeoutMS: 5000, appName: 'jiuzhu-worker', monitorCommands: true });
  await mongoClient.connect();
  mongoClient.on('commandStarted', (event) => {
    const e = commandEvent(event);
    if (e) commands.push(e);
  });
  const workerDb = mongoClient.db(cfg.db);
  attachPiiKeyring(workerDb, piiKeyring(insecureDevPiiKeys()));
  const worker = await createWorker({ connection, namespace: cfg.namespace, taskQueue: cfg.taskQueue, db: workerDb, interceptors });
  const running = worker.run();
  const slots = (s: { type: string; numSlots?: number }) => (s.type === 'fixed-size' ? String(s.numSlots) : s.type);
  process.on('message', (req: ChildRequest) => {
    const reply = (result?: unknown, error?: string) => send({ kind: 'reply', id: req.id, ...(error ? { error } : { result }) });
    switch (req.kind) {
      case 'status': {
        const s = worker.getStatus();
        reply({ inFlightActivations: s.numInFlightWorkflowActivations, inFlightActivities: s.numInFlightActivities, cachedWorkflows: s.numCachedWorkflows, state: worker.getState() } satisfies ChildStatus);
        break;
      }
      case 'memory':
        reply({ ...memorySnapshot(), cachedWorkflows: worker.getStatus().numCachedWorkflows });
        break;
      case 'flush':
        flush();
        reply(null);
        break;
      case 'shutdown':
        reply(null);
        if (worker.getState() === 'RUNNING') worker.shutdown();
        break;
    }
  });
  send({
    kind: 'ready',
    ready: {
      startupTids: [...startupTids],
      cacheSize: worker.options.maxCachedWorkflows,
      workflowTaskSlots: slots(worker.options.tuner.workflowTaskSlotSupplier),
      activitySlots: slots(worker.options.tuner.activityTaskSlotSupplier),
      localActivitySlots: slots(worker.options.tuner.localActivityTaskSlotSupplier),
      heapLimitMiB: Math.round(getHeapStatistics().heap_size_limit / 2 ** 20),
    },
  });
  try {
    await running;
  } finally {
    clearInterval(flusher);
    flush();
    await mongoClient.close().catch(() => undefined);
    await connection.close().catch(() => undefined);
  }
  process.exit(0);
}

/** Writes per action of one kind: what a span of the run sent, divided by the actions it projected. */
interface WritesPerAction {
  action: string;
  actions: number;
  tally: Tally;
  projection: ProjectionSpan;
}

if (CHILD) await workerChild(JSON.parse(process.argv[3]!) as ChildConfig);
else await runBench('alerts', flags['max-minutes'] as number, async () => {
  const startedAt = new Date();
  const scratch = mkdtempSync(join(tmpdir(), 'jiuzhu-bench-'));
  onTeardown('scratch dir', () => rmSync(scratch, { recursive: true, force: true }));
  const runId = randomBytes(3).toString('hex');
  log(`alerts benchmark: N=${N} per path, concurrency ${CONCURRENCY}, warm-up ${WARMUP} per path (scratch ${scratch})`);

  // --- Servers --------------------------------------------------------------------------------------
  const [temporalPort, mongoPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const [temporalProc, mongoProc] = await Promise.all([
    process.env.TEMPORAL_ADDRESS ? undefined : startTemporal({ port: temporalPort, logFile: join(scratch, 'temporal.log') }, log),
    process.env.MONGODB_URI ? undefined : startMongo({ port: mongoPort, dataDir: join(scratch, 'mongo'), logFile: join(scratch, 'mongo.log') }, log),
  ]);
  if (temporalProc) onTeardown('temporal server', () => temporalProc.stop());
  if (mongoProc) onTeardown('mongo server', () => mongoProc.stop());
  const mongoKind = mongoProc?.kind ?? 'external';
  /** The read model's server processes, by name (postgres, ferretdb; or mongod): a CPU column each. */
  const mongoServers = (mongoProc?.servers ?? []).map((s) => s.name);
  const procs: Record<string, number | undefined> = { temporal: temporalProc?.child.pid, ...Object.fromEntries((mongoProc?.servers ?? []).map((s) => [s.name, s.child.pid])) };

  const config: Config = loadConfig({
    NODE_ENV: 'production',
    DATA_DIR: scratch,
    LOG_LEVEL: API_LOG,
    JWT_SECRET: randomBytes(32).toString('base64url'),
    // Production needs the address the QR codes print (config/index.ts); the bench prints none.
    PUBLIC_BASE_URL: 'https://jiuzhu.example',
    // Production requires keys; the development ones, which the worker child uses too (the cost is the same).
    PII_KEYS: `dev:${insecureDevPiiKeys().keys.dev!.toString('base64')}`,
    PII_INDEX_KEY: insecureDevPiiKeys().indexKey.toString('base64'),
    TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? `127.0.0.1:${temporalPort}`,
    TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE ?? 'default',
    TEMPORAL_TASK_QUEUE: `bench-${runId}`,
    MONGODB_URI: process.env.MONGODB_URI ?? `mongodb://127.0.0.1:${mongoPort}/`,
    MONGODB_DB: `bench_${runId}`,
  });
  log(`Temporal ${config.temporal.address}${temporalProc ? ' (dev server, in memory)' : ' (TEMPORAL_ADDRESS)'}; ${mongoKind} ${config.mongodb.uri}; database ${config.mongodb.db}`);

  const mongo = await connectMongo(config.mongodb.uri, config.mongodb.db, piiKeyring(config.pii));
  onTeardown('mongo client', () => mongo.client.close());
  const readModel = mongo.client.db(`${config.mongodb.db}_readmodel`);
  attachPiiKeyring(readModel, piiKeyring(config.pii));
  // Our databases only; on a local throwaway server the whole data directory goes anyway.
  if (config.mongodb.external) onTeardown('bench databases', () => Promise.all([mongo.db.dropDatabase(), readModel.dropDatabase()]));
  await ensureIndexes(mongo.db, { postgresUrl: mongoProc?.postgresUrl });
  await seedOrgUnits(mongo.db);
  const orgs = new OrgDirectory(mongo.db);
  await orgs.refresh();
  const villages = weihaiOrgUnits().filter((u) => u.level === 'village' && u.path.includes(DISTRICT));

  const connection = await Connection.connect({ address: config.temporal.address });
  onTeardown('temporal client', () => connection.close());
  // With the payload codec, as the API's client has (the worker's codec uses the same development keys).
  const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: piiDataConverter(piiKeyring(config.pii)) });
  const started: string[] = [];
  if (config.temporal.external) {
    // A shared server keeps what we leave running: terminate every alert we opened.
    onTeardown('terminate bench workflows', () =>
      runPool('terminate', started.length, CONCURRENCY, (i) => client.workflow.getHandle(started[i]!).terminate('benchmark finished').then(() => undefined), {
        maxErrors: started.length,
        quiet: true,
      }).catch(() => undefined),
    );
  }

  // --- Worker (a child process, as in production) ---------------------------------------------------
  const projections = new ProjectionAttempts();
  const commands = new CommandTally();
  const crashes: WorkerCrash[] = [];
  /** What the benchmark is doing: a worker that dies is reported against it. */
  let phase = 'start-up';
  let metricsPortNow = metricsPort;
  const metricsUrl = () => `http://127.0.0.1:${metricsPortNow}/metrics`;
  let worker: WorkerProcess;
  let restarting: Promise<WorkerProcess | undefined> | undefined;
  const startWorker = async (): Promise<WorkerProcess> => {
    log('starting the worker process (it bundles the workflows)…');
    const wp = await WorkerProcess.start(
      {
        address: config.temporal.address,
        namespace: config.temporal.namespace,
        taskQueue: config.temporal.taskQueue,
        mongoUri: config.mongodb.uri,
        db: config.mongodb.db,
        metricsPort: metricsPortNow,
      },
      {
        projections,
        commands,
        onCrash: (c) => {
          crashes.push({ phase, atSeconds: (performance.now() - T0) / 1000, ...c });
          log(
            `THE WORKER PROCESS DIED during ${phase} (${c.signal ?? `exit code ${c.code}`}) with ${c.lastCachedWorkflows} workflows cached, ` +
              `rss peak ${fmt(c.peakRssMiB)} MiB, V8 heap limit ${c.heapLimitMiB} MiB per isolate`,
          );
          // Start another at once: requests in flight can then still be answered.
          void liveWorker();
        },
      },
    );
    procs.worker = wp.pid;
    return wp;
  };
  worker = await startWorker();
  onTeardown('worker process', () => worker.stop());
  /** The worker; started again if it died (at most MAX_WORKER_RESTARTS times, then undefined). */
  const liveWorker = async (): Promise<WorkerProcess | undefined> => {
    if (!worker.exited) return worker;
    if (crashes.length > MAX_WORKER_RESTARTS) return undefined;
    restarting ??= (async () => {
      try {
        metricsPortNow = await freePort();
        worker = await startWorker();
        return worker;
      } catch (err) {
        log(`the worker process could not be started again: ${(err as Error).message}`);
        return undefined;
      } finally {
        restarting = undefined;
      }
    })();
    return restarting;
  };
  const workerThreads = () => (worker.pid ? { pid: worker.pid, startup: new Set(worker.ready.startupTids) } : undefined);
  const diagnostics = () => startDiagnostics(procs, metricsUrl, workerThreads);
  const { cacheSize, activitySlots, localActivitySlots, workflowTaskSlots, heapLimitMiB } = worker.ready;
  log(`worker metrics: ${metricsUrl()}`);
  // The SDK's default with reuseV8Context (worker-options.ts): 600 workflows per GiB of heap above 200 MiB.
  const sdkDefaultCache = Math.max(Math.floor((Math.max(heapLimitMiB - 200, 0) * 600) / 1024), 10);
  const cacheOrigin = cacheSize === sdkDefaultCache ? `the SDK default for a V8 heap limit of ${heapLimitMiB} MiB` : `set by createWorker; the SDK default would be ${sdkDefaultCache}`;
  log(`worker: maxCachedWorkflows ${cacheSize} (${cacheOrigin}); slots: ${workflowTaskSlots} workflow tasks, ${activitySlots} activities, ${localActivitySlots} local activities`);

  // --- API (listening) ------------------------------------------------------------------------------
  const listen = async (app: App) => {
    onTeardown('api', () => app.close());
    const port = await freePort();
    await app.listen({ host: '127.0.0.1', port });
    return `http://127.0.0.1:${port}`;
  };
  // What `npm start` does, minus the terminal: info-level request logs, here into /dev/null.
  const apiLogger = API_LOG === 'silent' ? false : { level: 'info', file: '/dev/null' };
  const base = await listen(await buildApp({ config, mongo, temporal: client, orgs, logger: apiLogger }));
  const authorization = `Bearer ${await sessionToken(config, mongo.db, { sub: ACTOR.userId, role: ACTOR.role, org: DISTRICT }, '4h')}`;
  const post = async (path: string, body: unknown, expect: number): Promise<{ caseId: string }> => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(OP_TIMEOUT_MS),
    });
    const json = (await res.json()) as { caseId: string };
    if (res.status !== expect) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
    return json;
  };

  // --- The operations under test --------------------------------------------------------------------
  const input = (h: Household, level: AlertLevel, requestId: string): AlertInput => ({
    householdId: h.id,
    level,
    reasons: REASONS,
    unit: h.ladder[0]!,
    ladder: h.ladder,
    policy: config.policy.alerts,
    actor: ACTOR,
    openingRequestId: requestId,
  });
  /**
   * Workflows whose operation failed (timed out behind projection retries, typically): they are
   * terminated after the phase, or their retries would load the read model through the later phases.
   */
  const stuck = new Set<string>();
  const noting = async <T>(workflowId: string, op: Promise<T>): Promise<T> => {
    try {
      return await op;
    } catch (err) {
      stuck.add(workflowId);
      throw err;
    }
  };
  const ops = {
    apiStart: async (h: Household, i: number) =>
      (await noting(alertWorkflowId(h.id), post('/v1/alerts', { householdId: h.id, level: levelOf(i), reasons: REASONS }, 201))).caseId,
    /** Exactly what the route does after its household lookup. */
    rawUpdateWithStart: async (h: Household, i: number) => {
      const requestId = randomUUID();
      const result = await noting(alertWorkflowId(h.id), withTimeout(client.workflow.executeUpdateWithStart(reportUpdate, {
        args: [{ requestId, level: levelOf(i), reasons: REASONS, actor: ACTOR }],
        startWorkflowOperation: new WithStartWorkflowOperation<typeof alertWorkflow>(ALERT_WORKFLOW_TYPE, {
          workflowId: alertWorkflowId(h.id),
          taskQueue: config.temporal.taskQueue,
          args: [input(h, levelOf(i), requestId)],
          workflowIdConflictPolicy: 'USE_EXISTING',
        }),
      }), OP_TIMEOUT_MS, 'executeUpdateWithStart'));
      if (!result.created) throw new Error(`alert for ${h.id} already existed`);
      return result.alert.caseId;
    },
    rawStart: async (h: Household, i: number) => {
      await client.workflow.start<typeof alertWorkflow>(ALERT_WORKFLOW_TYPE, {
        workflowId: alertWorkflowId(h.id),
        taskQueue: config.temporal.taskQueue,
        args: [input(h, levelOf(i), randomUUID())],
      });
    },
    apiVisit: async (householdId: string, caseId: string) => {
      await noting(alertWorkflowId(householdId), post(`/v1/alerts/${caseId}/visits`, visitInput(), 200));
    },
    rawVisit: async (householdId: string, caseId: string) => {
      const handle = client.workflow.getHandle(alertWorkflowId(householdId));
      await noting(handle.workflowId, withTimeout(handle.executeUpdate(recordVisitUpdate, { args: [{ caseId, actor: ACTOR, visit: visitInput() }] }), OP_TIMEOUT_MS, 'executeUpdate'));
    },
  };

  /** Projection attempts that succeeded so far (counted from the worker's events, whichever worker process ran them). */
  const projectionsDone = async () => {
    await worker.flush().catch(() => undefined);
    return projections.succeeded;
  };

  /**
   * Waits until the worker has nothing in flight and, when given, has completed that many projections
   * in total: raw starts return before their workflows ran, and the next phase (or the memory reading)
   * must not pay for their backlog. A retry waiting out its backoff is not "in flight", hence the count.
   * Returns false if that did not happen within the time given.
   */
  const settle = async (label: string, projectionsAtLeast?: number, timeoutMs = budget()): Promise<boolean> => {
    const t0 = performance.now();
    let quietSamples = 0;
    let lastLog = t0;
    let best = -1;
    let lastProgress = t0;
    for (;;) {
      const w = await liveWorker();
      if (!w) {
        log(`  ${label}: the worker process died ${crashes.length} times; not started again`);
        return false;
      }
      let status: ChildStatus;
      try {
        status = await w.status();
      } catch {
        // It died meanwhile (liveWorker starts another) or is too busy to answer.
        if (performance.now() - t0 > timeoutMs) return false;
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      const done = await projectionsDone();
      const idle = status.inFlightActivations === 0 && status.inFlightActivities === 0;
      quietSamples = idle && (projectionsAtLeast === undefined || done >= projectionsAtLeast) ? quietSamples + 1 : 0;
      if (quietSamples >= 4) return true;
      if (done > best) [best, lastProgress] = [done, performance.now()];
      // No projection has completed for a while although some are running: every attempt now outlasts
      // its timeout and is retried, and waiting longer changes nothing.
      if (projectionsAtLeast !== undefined && performance.now() - lastProgress > STALL_MS) {
        log(`  ${label}: no projection completed for ${STALL_MS / 1000} s (${status.inFlightActivities} running): stalled`);
        return false;
      }
      if (performance.now() - t0 > timeoutMs) return false;
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        log(
          `  ${label}: waiting for the worker (${done}${projectionsAtLeast ? `/${projectionsAtLeast}` : ''} projections done, ${status.inFlightActivations} activations and ` +
            `${status.inFlightActivities} activities in flight, ${status.cachedWorkflows} workflows cached, rss ${fmt(rssMiBOf(w.pid) ?? NaN)} MiB)`,
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const mustSettle = async (label: string) => {
    const ms = budget();
    if (!(await settle(label, undefined, ms))) throw new Error(`${label}: the worker did not become idle within ${fmt(ms / 60_000)} min`);
  };

  const terminate = async (workflowIds: string[], reason: string) => {
    await runPool('terminate', workflowIds.length, CONCURRENCY, (i) => client.workflow.getHandle(workflowIds[i]!).terminate(reason).then(() => undefined), {
      maxErrors: workflowIds.length,
      quiet: true,
    });
  };
  /** After a phase: terminate what got stuck in it and let the worker finish what is still running. */
  const clearStuck = async (label: string): Promise<number> => {
    const ids = [...stuck];
    stuck.clear();
    if (ids.length > 0) {
      log(`${label}: terminating ${ids.length} alerts whose operation failed`);
      await terminate(ids, `benchmark: operation failed in ${label}`);
    }
    const ms = budget();
    if (!(await settle(label, undefined, ms))) log(`${label}: the worker still had projections running after ${fmt(ms / 60_000)} min; going on`);
    return ids.length;
  };

  /** One path on its own, within the phase budget. */
  const single = async (label: string, n: number, op: (i: number) => Promise<void>): Promise<PathResult> => {
    log(`${label}: ${n} operations, concurrency ${CONCURRENCY}…`);
    const diag = await diagnostics();
    const stats = await runPool(label, n, CONCURRENCY, op, { deadline: performance.now() + budget() });
    log(`${label}: ${fmt(stats.rate)}/s, p50 ${fmt(stats.p50)} ms, p99 ${fmt(stats.p99)} ms`);
    return { label, stats, diag: await diag.end(), cut: stats.ops + stats.errors < n ? 'budget' : '', chunkRates: [] };
  };

  /**
   * Two paths compared in alternating chunks (which goes first alternates too), so that both meet the
   * same read-model size and server state: the cost of a projection can grow with what is already
   * stored, and running one path entirely before the other would hand the first the cheaper half.
   * Stops after the chunk in which the phase budget runs out; both paths then have equal counts.
   */
  const paired = async (labels: [string, string], n: number, ops: [(i: number) => Promise<void>, (i: number) => Promise<void>]): Promise<[PathResult, PathResult]> => {
    const chunk = 4 * CONCURRENCY;
    log(`${labels[0]} vs ${labels[1]}: ${n} each, concurrency ${CONCURRENCY}, alternating chunks of ${chunk}…`);
    const phaseMs = budget();
    const deadline = performance.now() + phaseMs;
    const acc = [0, 1].map(() => ({ sink: [] as number[], diags: [] as PhaseDiagnostics[], errors: 0, firstError: undefined as string | undefined, chunkRates: [] as number[] }));
    let done = 0;
    let failed: string | undefined;
    let lastLog = performance.now();
    const crashesBefore = crashes.length;
    for (let round = 0; done < n && performance.now() < deadline && crashes.length === crashesBefore; round++) {
      const size = Math.min(chunk, n - done);
      for (const p of round % 2 === 0 ? [0, 1] : [1, 0]) {
        const a = acc[p]!;
        const diag = await diagnostics();
        try {
          const stats = await runPool(labels[p]!, size, CONCURRENCY, (i) => ops[p]!(done + i), { quiet: true, sink: a.sink });
          a.errors += stats.errors;
          a.firstError ??= stats.firstError;
          a.chunkRates.push(stats.rate);
        } catch (err) {
          // Too many failures (timeouts behind projection retries): end the phase, keep what it measured.
          failed = (err as Error).message;
        }
        a.diags.push(await diag.end());
        if (failed) break;
      }
      if (failed) {
        log(`  phase ended by failures: ${failed}`);
        break;
      }
      done += size;
      if (crashes.length > crashesBefore) log(`  phase ended: the worker process died (see above)`);
      if (performance.now() - lastLog > 10_000 || done >= n) {
        lastLog = performance.now();
        log(`  ${done}/${n} each; last chunk ${labels[0]} ${fmt(acc[0]!.chunkRates.at(-1)!)}/s, ${labels[1]} ${fmt(acc[1]!.chunkRates.at(-1)!)}/s`);
      }
    }
    const died = crashes.length > crashesBefore;
    if (done < n && !failed && !died) log(`  phase budget (${fmt(phaseMs / 60_000)} min) spent after ${done} of ${n} each`);
    const results = [0, 1].map((p) => {
      const a = acc[p]!;
      const diag = mergeDiagnostics(a.diags);
      const cut: PathResult['cut'] = died ? 'worker died' : failed ? 'errors' : done < n ? 'budget' : '';
      return { label: labels[p]!, stats: statsOf(a.sink, diag.wallS * 1000, a.errors, a.firstError ?? failed), diag, cut, chunkRates: a.chunkRates };
    }) as [PathResult, PathResult];
    for (const r of results) log(`${r.label}: ${r.stats.ops} in ${fmt(r.stats.wallMs / 1000)} s, ${fmt(r.stats.rate)}/s, p50 ${fmt(r.stats.p50)} ms, p99 ${fmt(r.stats.p99)} ms`);
    return results;
  };

  // --- Households: registered up front, untimed -----------------------------------------------------
  log(`registering ${3 * N + 3 * WARMUP} households (direct inserts)…`);
  let seq = 0;
  const group = async (count: number) => {
    const hs = await registerHouseholds(mongo.db, orgs, villages, count, seq);
    seq += count;
    return hs;
  };
  const warm = { api: await group(WARMUP), uws: await group(WARMUP), raw: await group(WARMUP) };
  const hh = { api: await group(N), uws: await group(N), raw: await group(N) };
  for (const list of [warm.api, warm.uws, warm.raw, hh.api, hh.uws, hh.raw]) started.push(...list.map((h) => alertWorkflowId(h.id)));
  const casesOf = async (households: Household[]) =>
    new Map(
      (
        await mongo.db
          .collection<{ _id: string; householdId: string }>(COLLECTIONS.cases)
          .find({ householdId: { $in: households.map((h) => h.id) } }, { projection: { _id: 1, householdId: 1 } })
          .toArray()
      ).map((c) => [c.householdId, c._id]),
    );

  // --- Warm-up: JIT, connection pools, the workflow bundle, the projection path; not measured ---------
  phase = 'warm-up';
  log(`warm-up: ${WARMUP} of each operation…`);
  const warmApiIds: Array<[string, string]> = [];
  await runPool('warm-up api start', WARMUP, CONCURRENCY, async (i) => void warmApiIds.push([warm.api[i]!.id, await ops.apiStart(warm.api[i]!, i)]), { quiet: true });
  await runPool('warm-up update-with-start', WARMUP, CONCURRENCY, async (i) => void (await ops.rawUpdateWithStart(warm.uws[i]!, i)), { quiet: true });
  const beforeWarmRaw = await projectionsDone();
  await runPool('warm-up raw start', WARMUP, CONCURRENCY, (i) => ops.rawStart(warm.raw[i]!, i), { quiet: true });
  if (!(await settle('warm-up', beforeWarmRaw + WARMUP))) throw new Error('warm-up: the raw-started alerts were not projected in time');
  await runPool('warm-up api visit', WARMUP, CONCURRENCY, (i) => ops.apiVisit(warmApiIds[i]![0], warmApiIds[i]![1]), { quiet: true });
  const warmCases = [...(await casesOf(warm.raw))];
  await runPool('warm-up raw visit', warmCases.length, CONCURRENCY, (i) => ops.rawVisit(warmCases[i]![0], warmCases[i]![1]), { quiet: true });
  await mustSettle('warm-up');

  // --- c (baseline) ---------------------------------------------------------------------------------
  phase = 'c memory baseline';
  const baseline: MemorySnapshot & { cachedWorkflows: number } = await worker.memory();
  log(`memory baseline: rss ${baseline.rssMiB} MiB, heapUsed ${baseline.heapUsedMiB} MiB, ${baseline.cachedWorkflows} workflows cached`);

  // --- a. Opening alerts ----------------------------------------------------------------------------
  phase = 'a: API vs raw update-with-start openings';
  const apiCaseIds: Array<string | undefined> = new Array(N);
  /** Each API opening's latency by its place in the sequence: are the last ones as fast as the first? */
  const apiLatency: Array<number | undefined> = new Array(N);
  const uwsLatency: Array<number | undefined> = new Array(N);
  const uwsOpened: boolean[] = new Array(N);
  const timed = async (into: Array<number | undefined>, i: number, op: () => Promise<void>) => {
    const t0 = performance.now();
    await op();
    into[i] = performance.now() - t0;
  };
  const writesA0 = commands.snapshot();
  const projA0 = projections.snapshot();
  const [startApi, startUws] = await paired(
    ['API POST /v1/alerts', 'raw executeUpdateWithStart(report)'],
    N,
    [
      (i) => timed(apiLatency, i, async () => void (apiCaseIds[i] = await ops.apiStart(hh.api[i]!, i))),
      (i) => timed(uwsLatency, i, async () => void (uwsOpened[i] = !!(await ops.rawUpdateWithStart(hh.uws[i]!, i)))),
    ],
  );
  const stuckInStarts = await clearStuck('a');
  const pairedOpenings = startApi.stats.ops + startUws.stats.ops;
  const writesPaired: WritesPerAction = { action: 'alert opening (API and raw update-with-start)', actions: pairedOpenings, tally: commands.since(writesA0), projection: projections.since(projA0) };
  const growth = latencyGrowth(apiLatency);
  const uwsGrowth = latencyGrowth(uwsLatency);
  log(`API openings: p50 of the first ${growth.k} ${fmt(growth.firstP50)} ms, of the last ${growth.k} ${fmt(growth.lastP50)} ms (${fmt(growth.ratio)}×)`);

  // The burst: N raw starts as fast as the server takes them, then the worker's backlog.
  phase = 'a: the raw workflow.start burst and its backlog';
  const writesR0 = commands.snapshot();
  const projR0 = projections.snapshot();
  const beforeRaw = await projectionsDone();
  const startRaw = await single('raw workflow.start', N, (i) => ops.rawStart(hh.raw[i]!, i));
  const rawStarted = startRaw.stats.ops;
  // Not part of the rate: how long the worker then needs to run the first task and project each alert.
  const drainT0 = performance.now();
  const drainDiag = await diagnostics();
  const drainMs = budget();
  const drained = await settle('raw-start backlog', beforeRaw + rawStarted, drainMs);
  const rawBacklog = { drained, seconds: (performance.now() - drainT0) / 1000, projected: 0, terminated: 0, diag: await drainDiag.end() };
  const burstProjection = projections.since(projR0);
  // Every alert opened so far must have its case document: count them in the read model.
  const alertCases = new Map(
    (await mongo.db.collection<{ _id: string; householdId: string }>(COLLECTIONS.cases).find({ kind: 'alert' }, { projection: { _id: 1, householdId: 1 } }).toArray()).map((c) => [
      c.householdId,
      c._id,
    ]),
  );
  const inReadModel = (hs: Household[]) => hs.filter((h) => alertCases.has(h.id)).length;
  const apiOpenedHouseholds = hh.api.filter((_, i) => apiCaseIds[i]);
  const uwsOpenedHouseholds = hh.uws.filter((_, i) => uwsOpened[i]);
  const rawStartedHouseholds = hh.raw.slice(0, rawStarted);
  const projected = {
    api: { started: apiOpenedHouseholds.length, inReadModel: inReadModel(apiOpenedHouseholds) },
    rawUpdateWithStart: { started: uwsOpenedHouseholds.length, inReadModel: inReadModel(uwsOpenedHouseholds) },
    rawStart: { started: rawStarted, inReadModel: inReadModel(rawStartedHouseholds) },
    /** Every alert document of the read model, warm-up included. */
    alertDocuments: alertCases.size,
    secondsAfterLastStart: rawBacklog.seconds,
  };
  log(
    `read model: ${projected.api.inReadModel}/${projected.api.started} API-opened, ${projected.rawUpdateWithStart.inReadModel}/${projected.rawUpdateWithStart.started} update-with-start-opened, ` +
      `${projected.rawStart.inReadModel}/${projected.rawStart.started} raw-started alerts have their case document`,
  );
  let rawCases = new Map(rawStartedHouseholds.flatMap((h): Array<[string, string]> => (alertCases.has(h.id) ? [[h.id, alertCases.get(h.id)!]] : [])));
  rawBacklog.projected = rawCases.size;
  let settledAfterTermination = true;
  if (!drained) {
    // Not drained in time means projection attempts are timing out and being retried (see the report):
    // left running, they would load the read model through every later phase. Stop all of them.
    log(`raw-start backlog: ${rawCases.size}/${rawStarted} in the read model after ${fmt(drainMs / 60_000)} min; terminating all ${rawStarted} raw-started alerts`);
    await terminate(hh.raw.slice(0, rawStarted).map((h) => alertWorkflowId(h.id)), 'benchmark: backlog not drained in time');
    rawBacklog.terminated = rawStarted;
    rawCases = new Map();
    // Attempts already running in the worker finish on their own (the activity has no heartbeat to cancel it).
    settledAfterTermination = await settle('after terminating the backlog');
    if (!settledAfterTermination) log('the worker still had projections running: the later phases share the read model with them');
  } else log(`raw-start backlog: the worker opened and projected the ${rawStarted} alerts ${fmt(rawBacklog.seconds)} s after the last start returned`);
  const writesBurst: WritesPerAction = { action: 'alert opening (raw workflow.start burst)', actions: rawBacklog.projected, tally: commands.since(writesR0), projection: projections.since(projR0) };

  // --- c. Memory with every alert open --------------------------------------------------------------
  const apiOpened = apiCaseIds.filter(Boolean).length;
  const openAlerts = 3 * WARMUP + apiOpened + uwsOpened.filter(Boolean).length + rawCases.size;
  phase = 'c memory with every alert open';
  const memoryWorker = await liveWorker();
  const after: MemorySnapshot & { cachedWorkflows: number } = memoryWorker
    ? await memoryWorker.memory()
    : { rssMiB: NaN, heapUsedMiB: NaN, externalMiB: NaN, cachedWorkflows: 0 };
  /** The memory reading is of another worker process than the baseline: the deltas then mean nothing. */
  const memoryAfterRestart = crashes.length > 0;
  log(`memory with ${openAlerts} alerts open: rss ${after.rssMiB} MiB, heapUsed ${after.heapUsedMiB} MiB, ${after.cachedWorkflows} workflows cached`);

  // --- b. Visits ------------------------------------------------------------------------------------
  phase = 'b: visits';
  const apiTargets = hh.api.flatMap((h, i): Array<[string, string]> => (apiCaseIds[i] ? [[h.id, apiCaseIds[i]]] : []));
  // Like for like: the alerts opened by raw update-with-start, in the same chunks as the API's and with the same
  // history (start, the report update, its projection), so that both paths replay the same events when the
  // workflow was evicted. The raw-started alerts (a workflow.start, no update: a shorter history, opened last
  // and so likelier still cached) only when too few of those are in the read model.
  const uwsCases = await casesOf(hh.uws.filter((_, i) => uwsOpened[i]));
  const rawTargets: Array<[string, string]> = [...uwsCases].slice(0, apiTargets.length);
  const rawStartedTargets = rawTargets.length < apiTargets.length ? [...rawCases].slice(0, apiTargets.length - rawTargets.length) : [];
  rawTargets.push(...rawStartedTargets);
  const visits = Math.min(N, apiTargets.length, rawTargets.length);
  // API visits address the oldest alerts and go first in each round: with more alerts open than the
  // cache holds, both paths then find their workflows evicted (the cache columns show it).
  const writesB0 = commands.snapshot();
  const projB0 = projections.snapshot();
  const [visitApi, visitRaw] = await paired(['API POST /v1/alerts/:id/visits', 'raw executeUpdate(recordVisit)'], visits, [
    (i) => ops.apiVisit(apiTargets[i]![0], apiTargets[i]![1]),
    (i) => ops.rawVisit(rawTargets[i]![0], rawTargets[i]![1]),
  ]);
  const stuckInVisits = await clearStuck('b');
  const writesVisits: WritesPerAction = { action: 'visit (API and raw executeUpdate)', actions: visitApi.stats.ops + visitRaw.stats.ops, tally: commands.since(writesB0), projection: projections.since(projB0) };

  // --- d. The overdue board -------------------------------------------------------------------------
  phase = 'd: the overdue board (the worker idle)';
  const board = await overdueBoard({ config, mongoClient: mongo.client, temporal: client, readModel, listen, apiLogger, postgresUrl: mongoProc?.postgresUrl, procs });

  // --- Report ---------------------------------------------------------------------------------------
  const rStart = ratio(startApi.stats.rate, startRaw.stats.rate);
  const rUws = ratio(startApi.stats.rate, startUws.stats.rate);
  const rVisit = ratio(visitApi.stats.rate, visitRaw.stats.rate);
  /** The raw starts counted until their alerts were open and projected, as the API's are. */
  const rawEndToEndRate = drained ? rawStarted / (startRaw.stats.wallMs / 1000 + rawBacklog.seconds) : NaN;
  const rStartToProjected = ratio(startApi.stats.rate, rawEndToEndRate);
  const row = (p: PathResult) => [p.label, p.stats.ops, p.stats.errors, p.stats.wallMs / 1000, p.stats.rate, p.stats.p50, p.stats.p99, p.cut];
  const latencyHeaders = ['path', 'ops', 'errors', 'time s', 'ops/s', 'p50 ms', 'p99 ms', 'cut'];
  const trend = (p: PathResult) => (p.chunkRates.length > 1 ? `${fmt(p.chunkRates[0]!)} → ${fmt(p.chunkRates.at(-1)!)}/s` : '');
  const x = (r: number) => `${fmt(r)}×`;

  const out: string[] = [];
  out.push('', `== The worker process: maxCachedWorkflows ${cacheSize} (${cacheOrigin}), V8 heap limit ${heapLimitMiB} MiB per isolate, slots ${workflowTaskSlots} workflow tasks / ${activitySlots} activities / ${localActivitySlots} local activities ==`);
  if (crashes.length === 0) out.push('  it ran through every phase.');
  for (const c of crashes) {
    out.push(
      `  DIED during ${c.phase}, ${fmt(c.atSeconds / 60)} min into the run (${c.signal ?? `exit code ${c.code}`}): ${c.lastCachedWorkflows} workflows cached, rss peak ${fmt(c.peakRssMiB)} MiB.`,
      `    its stderr before: ${Object.entries(c.signs).map(([sign, n]) => `${sign} ×${n}`).join('; ') || 'nothing known (last lines below)'}`,
      ...(Object.keys(c.signs).length ? [] : c.stderrTail.slice(-6).map((l) => `    ${l.slice(0, 160)}`)),
    );
  }
  if (crashes.length > 0) out.push(`  A new worker process was started after each death (at most ${MAX_WORKER_RESTARTS}); the phase it died in ended there (cut "worker died").`);
  out.push('', `== a. Opening alerts (N=${N} asked per path, concurrency ${CONCURRENCY} for every path, HTTP keep-alive; ${cpus().length} CPUs; ${mongoKind}) ==`);
  out.push(table(latencyHeaders, [row(startApi), row(startUws), row(startRaw)]));
  out.push(`  API / raw update-with-start: ${x(rUws)}  (target ≥ ${TARGETS.apiOverRawUpdateWithStart}×: ${verdict(rUws >= TARGETS.apiOverRawUpdateWithStart)})  — like for like, run in alternating chunks`);
  out.push(`  API / raw start:             ${x(rStart)}  (target ≥ ${TARGETS.apiOverRawStart}×: ${verdict(rStart >= TARGETS.apiOverRawStart)})  — what the workflow and its projection cost on top of starting`);
  out.push(
    `  API / raw start to projected: ${x(rStartToProjected)}  (no target: the raw starts' rate from the first start until the worker had opened and projected them all, ${fmt(rawEndToEndRate)}/s)`,
  );
  out.push(
    `  API p50 of the last ${growth.k} ÷ the first ${growth.k} openings: ${x(growth.ratio)} (${fmt(growth.firstP50)} → ${fmt(growth.lastP50)} ms; target ≤ ${TARGETS.apiLatencyGrowth}×: ${verdict(growth.ratio <= TARGETS.apiLatencyGrowth)})` +
      `; raw update-with-start ${x(uwsGrowth.ratio)} (${fmt(uwsGrowth.firstP50)} → ${fmt(uwsGrowth.lastP50)} ms)`,
  );
  out.push(`  rate of the first → last chunk: API ${trend(startApi)}, raw update-with-start ${trend(startUws)}`);
  if (stuckInStarts) out.push(`  ${stuckInStarts} alerts whose opening failed (no answer within ${OP_TIMEOUT_MS / 1000} s) were terminated before the next phase.`);
  out.push(
    '  note: raw workflow.start returns once the server has recorded the start; it waits neither for the',
    '        workflow’s first task nor for its projection. The API’s update-with-start (and the raw one)',
    '        returns only after the workflow ran its first task and the alert is in the read model.',
    drained
      ? `        The worker needed ${fmt(rawBacklog.seconds)} s more after the last raw start to open and project those ${rawStarted} alerts` +
          ` (${fmt(rawStarted / (startRaw.stats.wallMs / 1000 + rawBacklog.seconds))}/s from the first start to the last projection).`
      : `        ${fmt(rawBacklog.seconds)} s after the last raw start the worker had not finished opening and projecting those ${rawStarted} alerts` +
          ` (${rawBacklog.projected} in the read model); all were terminated${settledAfterTermination ? '' : ', and projections were still running when the next phase began'}.`,
  );

  // Projection under load.
  const spans: Array<[string, number, ProjectionSpan]> = [
    ['a API + raw update-with-start openings', pairedOpenings, writesPaired.projection],
    [`a burst: ${rawStarted} raw starts + backlog`, rawStarted, burstProjection],
    ['b visits (both paths)', writesVisits.actions, writesVisits.projection],
  ];
  const openingSpans = [writesPaired.projection, burstProjection];
  const openingsTimedOut = openingSpans.reduce((n, p) => n + p.overTimeout, 0);
  const openingsFailed = openingSpans.reduce((n, p) => n + p.failed, 0);
  const openingsRetried = openingSpans.reduce((n, p) => n + p.retries, 0);
  const allStarted = projected.api.started + projected.rawUpdateWithStart.started + projected.rawStart.started;
  const allProjected = projected.api.inReadModel + projected.rawUpdateWithStart.inReadModel + projected.rawStart.inReadModel;
  const burstOk = allProjected === allStarted && openingsTimedOut === 0 && openingsFailed === 0;
  out.push(
    '',
    `== Projection under load: every projectCase attempt (activity interceptor; ${projections.local} of ${projections.attempts} as local activities; ` +
      `${activitySlots} activity / ${localActivitySlots} local activity slots; start-to-close ${fmt(projections.startToCloseMs / 1000)} s) ==`,
  );
  out.push(
    table(
      ['span', 'actions', 'attempts', 'retries (attempt > 1)', 'failed', `past ${fmt(projections.startToCloseMs / 1000)} s timeout`, 'attempt p50 ms', 'p99 ms', 'max ms'],
      spans.map(([label, n, p]) => [label, n, p.attempts, p.retries, p.failed, p.overTimeout, p.p50Ms, p.p99Ms, p.maxMs]),
    ),
  );
  out.push(
    `  in the read model after the burst (${fmt(rawBacklog.seconds)} s after the last start): API-opened ${projected.api.inReadModel}/${projected.api.started},` +
      ` update-with-start-opened ${projected.rawUpdateWithStart.inReadModel}/${projected.rawUpdateWithStart.started}, raw-started ${projected.rawStart.inReadModel}/${projected.rawStart.started}` +
      ` (cases documents, counted).`,
    ...(spans.some(([, n, p]) => p.attempts > n)
      ? ['  (more attempts than actions: projections of alerts from an earlier span — workflow tasks that failed and were retried, or a worker that died — ended in a later one)']
      : []),
    `  every alert opened is projected and no attempt timed out or failed: ${verdict(burstOk)}${projections.firstFailure ? ` (first failure: ${projections.firstFailure})` : ''}` +
      (projections.other ? `; ${projections.other} attempts of other activity types not counted` : ''),
  );

  // Writes per action.
  const perAction = [writesPaired, writesBurst, writesVisits];
  const per = (n: number, w: WritesPerAction) => (w.actions > 0 ? n / w.actions : NaN);
  out.push('', '== Writes the projection sends (the worker’s MongoClient, command monitoring: insert/update/delete/findAndModify) ==');
  out.push(
    table(
      ['action', 'actions', 'write commands/action', 'statements/action', 'bytes/action', 'reads/action', 'projections/action'],
      perAction.map((w) => [w.action, w.actions, per(w.tally.writes, w), per(w.tally.statements, w), per(w.tally.bytes, w), per(w.tally.reads, w), per(w.projection.attempts, w)]),
    ),
  );
  for (const w of perAction) {
    const parts = Object.entries(w.tally.byTarget)
      .sort((a, b) => b[1][2] - a[1][2])
      .map(([k, [c, st, b]]) => `${k} ${fmt(per(c, w))} (${fmt(per(st, w))} stmt, ${fmt(per(b, w))} B)`);
    if (parts.length) out.push(`  ${w.action}, per action: ${parts.join('; ')}`);
  }
  out.push('  bytes are BSON.calculateObjectSize of each command as sent (documents, filters, session and cluster-time fields included).');

  out.push('', `== b. Visits (${visits} per path, concurrency ${CONCURRENCY}, alternating chunks) ==`);
  out.push(table(latencyHeaders, [row(visitApi), row(visitRaw)]));
  out.push(
    `  API / raw: ${x(rVisit)}  (target ≥ ${TARGETS.visitApiOverRaw}×, like for like: ${verdict(rVisit >= TARGETS.visitApiOverRaw)}); rate of the first → last chunk: API ${trend(visitApi)}, raw ${trend(visitRaw)}`,
  );
  if (stuckInVisits) out.push(`  ${stuckInVisits} alerts whose visit failed were terminated before the next phase.`);
  out.push(
    rawStartedTargets.length > 0
      ? `  raw visits went to ${visits - rawStartedTargets.length} alerts opened by raw update-with-start and ${rawStartedTargets.length} raw-started ones (a shorter history: too few of the former were in the read model).`
      : '  both paths visit alerts opened by update-with-start in the same chunks (the same history to replay when evicted).',
  );

  const phases: Array<[string, { stats?: LatencyStats; diag: PhaseDiagnostics }]> = [
    ['a API start', startApi],
    ['a raw update-with-start', startUws],
    ['a raw start', startRaw],
    ['a raw-start backlog', { diag: rawBacklog.diag }],
    ['b API visit', visitApi],
    ['b raw visit', visitRaw],
  ];
  const opsOf = (p: { stats?: LatencyStats }) => p.stats?.ops || rawBacklog.projected || 1;
  const cpuPer = (cpu: number | null | undefined, n: number) => (cpu == null ? NaN : (cpu * 1000) / n);
  const threadKinds = ['main', 'js threads', 'node', 'rust'];
  const hasThreads = (d: PhaseDiagnostics) => Object.keys(d.threadsS).length > 0;
  out.push('', '== Where the time goes: CPU ms per operation, by process (with its child processes) and by thread of the worker ==');
  out.push(
    table(
      ['phase', 'wall s', 'bench (API, clients)', 'worker', ...threadKinds.map((t) => `· ${t}`), 'temporal', ...mongoServers, 'all ours, cores', 'others, cores', 'API loop busy %'],
      phases.map(([label, p]) => {
        const n = opsOf(p);
        const d = p.diag;
        const ours = ['bench', 'worker', 'temporal', ...mongoServers].reduce((sum, k) => sum + (d.cpuS[k] ?? 0), 0);
        return [
          label,
          d.wallS,
          cpuPer(d.cpuS.bench, n),
          cpuPer(d.cpuS.worker, n),
          ...threadKinds.map((t) => (hasThreads(d) ? cpuPer(d.threadsS[t] ?? 0, n) : NaN)),
          cpuPer(d.cpuS.temporal, n),
          ...mongoServers.map((k) => cpuPer(d.cpuS[k], n)),
          ours / d.wallS,
          d.cpuS.machine == null ? NaN : Math.max(0, d.cpuS.machine - ours) / d.wallS,
          (d.eventLoopBusyS / d.wallS) * 100,
        ];
      }),
    ),
  );
  out.push(
    '  bench is this process: HTTP client, API, Temporal client. The worker is its own process; its threads: main =',
    '  its event loop (activities, the projection’s MongoClient), js threads = the SDK’s workflow thread, node = V8’s',
    '  GC and compiler threads and libuv’s pool, rust = the Temporal core. "others" is what the rest of the machine',
    `  used meanwhile (${cpus().length} cores in all). The backlog row is per alert it projected. – : the worker process was replaced during the phase.`,
  );
  out.push(
    table(
      ['phase', 'WFTs/op', 'WFT queue ms', 'WFT run ms', 'activities/op', 'local activities/op', 'activity ms', 'failed', 'cache hit/miss'],
      phases.map(([label, p]) => {
        const n = opsOf(p);
        const w = workerSummary(p.diag);
        return [
          label,
          w ? w.workflowTasks / n : NaN,
          w?.workflowTaskQueueMs ?? NaN,
          w?.workflowTaskExecMs ?? NaN,
          w ? w.activityAttempts / n : NaN,
          w ? w.localActivityAttempts / n : NaN,
          w?.anyActivityExecMs ?? NaN,
          w ? w.activityFailures + w.localActivityFailures : NaN,
          w ? `${w.stickyHits}/${w.stickyMisses}` : '–',
        ];
      }),
    ),
  );
  out.push(
    '  From the worker’s metrics: WFT queue = schedule-to-start of workflow tasks, WFT run = their execution latency (a local',
    '  activity runs inside it); activities are the projections (projectCase), as activities or local activities.',
  );

  const perAlert = (a: number, b: number) => ((a - b) * 1024) / Math.max(1, openAlerts - 3 * WARMUP);
  const cachedDelta = after.cachedWorkflows - baseline.cachedWorkflows;
  // Per cached workflow: from the memory reading; if the worker had died by then, from what was last seen
  // of the first worker (its peak rss and its cache).
  // Per cached workflow, in the first worker process (the baseline's): rss over cached workflows while its
  // cache filled (nothing evicted yet); and at the memory reading, which once the cache is full also holds
  // evicted workflows' garbage.
  const fill = crashes[0]?.fill ?? worker.fill;
  const rssPerCached = fill.cachedWorkflows > baseline.cachedWorkflows ? ((fill.rssMiB - baseline.rssMiB) * 1024) / (fill.cachedWorkflows - baseline.cachedWorkflows) : NaN;
  const rssPerCachedAtReading = !memoryAfterRestart && cachedDelta > 0 ? ((after.rssMiB - baseline.rssMiB) * 1024) / cachedDelta : NaN;
  const rssPerCachedFrom = `rss ${fmt(fill.rssMiB)} MiB at ${fill.cachedWorkflows} cached, the most the ${crashes.length ? 'first (dead) ' : ''}worker process held`;
  /** What a full cache would hold at that size, against the V8 heap limit of the workflow thread. */
  const fullCacheMiB = (cacheSize * rssPerCached) / 1024;
  out.push('', `== c. Memory of the worker process: ${openAlerts} alerts open, worker idle ==`);
  if (memoryAfterRestart) out.push(`  (the worker process died ${crashes.length} time(s) before this reading: "after" is a later worker process's, its deltas compare different processes)`);
  out.push(
    table(
      ['', 'rss MiB', 'heapUsed MiB', 'external MiB', 'cached workflows'],
      [
        [`baseline (${3 * WARMUP} warm-up alerts)`, baseline.rssMiB, baseline.heapUsedMiB, baseline.externalMiB, baseline.cachedWorkflows],
        [`${openAlerts} alerts open`, after.rssMiB, after.heapUsedMiB, after.externalMiB, after.cachedWorkflows],
        ['delta', after.rssMiB - baseline.rssMiB, after.heapUsedMiB - baseline.heapUsedMiB, after.externalMiB - baseline.externalMiB, cachedDelta],
      ],
    ),
  );
  out.push(
    `  per alert opened since the baseline: rss ${fmt(perAlert(after.rssMiB, baseline.rssMiB))} KiB, heapUsed ${fmt(perAlert(after.heapUsedMiB, baseline.heapUsedMiB))} KiB` +
      `; per cached workflow: rss ${fmt(rssPerCached)} KiB while the cache filled (${rssPerCachedFrom})` +
      (Number.isFinite(rssPerCachedAtReading) ? `, ${fmt(rssPerCachedAtReading)} KiB at this reading (evicted workflows' garbage included)` : ''),
    `  workflow cache: maxCachedWorkflows = ${cacheSize} (${cacheOrigin}; that budgets ` +
      `${fmt(((heapLimitMiB - 200) * 1024) / Math.max(1, cacheSize))} KiB of heap per cached workflow); ` +
      (openAlerts > cacheSize ? `${openAlerts} open alerts exceed it: an evicted alert's next task replays its history.` : 'every open alert fits.'),
    `  at ${fmt(rssPerCached)} KiB each, a full cache is ${fmt(fullCacheMiB)} MiB: ${fullCacheMiB > heapLimitMiB ? 'MORE than' : 'within'} the workflow thread's heap limit of ${heapLimitMiB} MiB` +
      (fullCacheMiB > heapLimitMiB ? ` — it fills at about ${fmt(Math.floor((heapLimitMiB * 1024) / rssPerCached))} cached workflows.` : '.'),
    '  heapUsed is the worker’s main thread only (activities): workflows run in the SDK’s workflow thread, whose heap',
    '  only rss shows (rss also holds the Rust core and memory V8 has not returned to the OS).',
  );

  out.push('', `== d. Overdue board: GET /v1/cases?overdue=true&org=…&limit=50 vs the route's driver query (sequential, interleaved) ==`);
  const boardKinds: Array<[string, (b: BoardResult) => BoardScope]> = [
    [`town supervisor (${BOARD_TOWN})`, (b) => b.town],
    [`city monitor (${BOARD_CITY})`, (b) => b.city],
  ];
  out.push(
    table(
      ['board', 'cases', 'overdue rows', 'rows on board', 'requests', 'API p50 ms', 'API p99 ms', 'driver p50 ms', 'driver p99 ms', 'API/driver p50', ...mongoServers.map((k) => `${k} CPU ms/req (all kinds)`)],
      boardKinds.flatMap(([label, of]) =>
        board.map((b) => {
          const sc = of(b);
          return [label, b.cases, b.overdueRows, sc.rows, sc.api.ops, sc.api.p50, sc.api.p99, sc.driver.p50, sc.driver.p99, ratio(sc.api.p50, sc.driver.p50), ...mongoServers.map((k) => sc.cpuMsPerRequest[k] ?? NaN)];
        }),
      ),
    ),
  );
  const [small, large] = [board[0], board.at(-1)];
  const boardGrowth = boardKinds.flatMap(([label, of]) =>
    small && large && large !== small
      ? (['api', 'driver'] as const).map((k) => ({
          board: label,
          path: k === 'api' ? 'API' : 'driver find',
          from: { cases: small.cases, p99: of(small)[k].p99 },
          to: { cases: large.cases, p99: of(large)[k].p99 },
          ratio: ratio(of(large)[k].p99, of(small)[k].p99),
        }))
      : [],
  );
  for (const g of boardGrowth) {
    out.push(`  ${g.board}, ${g.path}: p99 at ${fmt(g.to.cases)} ÷ at ${fmt(g.from.cases)} cases = ${x(g.ratio)} (${fmt(g.from.p99)} → ${fmt(g.to.p99)} ms; target ≤ ${TARGETS.boardP99Growth}×: ${verdict(g.ratio <= TARGETS.boardP99Growth)})`);
  }
  if (mongoKind === 'ferretdb-postgresql') {
    out.push(
      '  FerretDB on PostgreSQL pushes the orgPath equality into SQL (a GIN index serves it); the sort by dueAt and the',
      '  limit run in FerretDB, over every overdue row of the unit’s subtree: the board’s cost grows with that count.',
    );
  } else if (mongoKind === 'ferretdb-sqlite') out.push('  FerretDB v1 (SQLite) filters only _id in SQL: both read every row of `overdue` and filter and sort in FerretDB.');

  // The targets, together.
  const w1 = (w: WritesPerAction) => `${fmt(per(w.tally.writes, w))} write commands (${fmt(per(w.tally.statements, w))} statements), ${fmt(per(w.tally.bytes, w))} bytes`;
  const summary: Array<[string, string, string, string, string, string]> = [
    ['1', 'API ÷ raw executeUpdateWithStart, start rate', x(rUws), `≥ ${TARGETS.apiOverRawUpdateWithStart}×`, verdict(rUws >= TARGETS.apiOverRawUpdateWithStart), `${fmt(startApi.stats.rate)} vs ${fmt(startUws.stats.rate)}/s, ${startApi.stats.ops} each`],
    [
      '2',
      'API ÷ raw workflow.start, start rate',
      x(rStart),
      `≥ ${TARGETS.apiOverRawStart}×`,
      verdict(rStart >= TARGETS.apiOverRawStart),
      `${fmt(startApi.stats.rate)} vs ${fmt(startRaw.stats.rate)}/s; raw counted until projected ${fmt(rawEndToEndRate)}/s (API ÷ that ${x(rStartToProjected)})`,
    ],
    [
      '3',
      `API opening p50, last ${growth.k} ÷ first ${growth.k}`,
      x(growth.ratio),
      `≤ ${TARGETS.apiLatencyGrowth}×`,
      verdict(growth.ratio <= TARGETS.apiLatencyGrowth),
      `${fmt(growth.firstP50)} → ${fmt(growth.lastP50)} ms (raw update-with-start ${x(uwsGrowth.ratio)})`,
    ],
    ['4', 'visits API ÷ raw executeUpdate, rate', x(rVisit), `≥ ${TARGETS.visitApiOverRaw}×`, verdict(rVisit >= TARGETS.visitApiOverRaw), `${fmt(visitApi.stats.rate)} vs ${fmt(visitRaw.stats.rate)}/s, ${visitApi.stats.ops} each`],
    [
      '5',
      'worker RSS per cached workflow',
      `${fmt(rssPerCached)} KiB`,
      '–',
      '–',
      `while the cache filled: ${rssPerCachedFrom}; a full cache (${cacheSize}) ≈ ${fmt(fullCacheMiB)} MiB vs the heap limit ${heapLimitMiB} MiB`,
    ],
    ...boardGrowth.map((g): [string, string, string, string, string, string] => [
      '6',
      `board p99 ${fmt(g.to.cases)} ÷ ${fmt(g.from.cases)} cases, ${g.board.split(' (')[0]}, ${g.path}`,
      x(g.ratio),
      `≤ ${TARGETS.boardP99Growth}×`,
      verdict(g.ratio <= TARGETS.boardP99Growth),
      `p99 ${fmt(g.from.p99)} → ${fmt(g.to.p99)} ms`,
    ]),
    [
      '7',
      `projection of ${allStarted} openings (burst: ${rawStarted} raw starts)`,
      `${allProjected}/${allStarted} projected`,
      'all, none timed out',
      verdict(burstOk),
      `${openingSpans.reduce((n, p) => n + p.attempts, 0)} attempts, ${openingsRetried} retries, ${openingsFailed} failed, ${openingsTimedOut} past the timeout`,
    ],
    ['8', 'projection writes per alert opening', fmt(per(writesPaired.tally.writes, writesPaired)), '–', '–', `${w1(writesPaired)}; in the burst ${w1(writesBurst)}`],
    ['8', 'projection writes per visit', fmt(per(writesVisits.tally.writes, writesVisits)), '–', '–', w1(writesVisits)],
  ];
  summary.push([
    '–',
    'worker process deaths',
    String(crashes.length),
    '0',
    verdict(crashes.length === 0),
    crashes.map((c) => `${c.phase.split(':')[0]}: at ${c.lastCachedWorkflows} cached, rss ${fmt(c.peakRssMiB)} MiB${c.signs[TROUBLE_SIGNS[0]![0]] ? ', out of heap' : ''}`).join('; '),
  ]);
  out.push('', `== Targets (N=${N}, concurrency ${CONCURRENCY}, ${mongoKind}, ${cpus().length} CPUs) ==`);
  out.push(table(['#', 'measure', 'value', 'target', 'verdict', 'detail'], summary));
  console.log(out.join('\n'));

  const file = writeResults('alerts', {
    benchmark: 'alerts',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    settings: {
      n: N,
      concurrency: CONCURRENCY,
      warmup: WARMUP,
      phaseMinutes: PHASE_MS / 60_000,
      maxMinutes: MAX_MS / 60_000,
      apiLog: API_LOG,
      overdueSizes: OVERDUE_SIZES,
      overdueRequests: OVERDUE_REQUESTS,
    },
    environment: { node: process.version, cpus: cpus().length, temporal: temporalProc ? 'dev server (in memory)' : config.temporal.address, mongo: mongoKind, servers: mongoServers },
    worker: { maxCachedWorkflows: cacheSize, sdkDefaultMaxCachedWorkflows: sdkDefaultCache, activitySlots, localActivitySlots, workflowTaskSlots, heapLimitMiB, projectCaseStartToCloseMs: projections.startToCloseMs, crashes },
    targets: TARGETS,
    summary: summary.map(([n, measure, value, target, result, detail]) => ({ n, measure, value, target, result, detail })),
    starts: {
      api: startApi,
      rawUpdateWithStart: startUws,
      rawStart: startRaw,
      rawStartBacklog: { ...rawBacklog, settledAfterTermination },
      ratios: { apiOverRawStart: rStart, apiOverRawUpdateWithStart: rUws, apiOverRawStartUntilProjected: rStartToProjected },
      rawStartUntilProjectedRate: rawEndToEndRate,
      apiLatencyGrowth: growth,
      rawUpdateWithStartLatencyGrowth: uwsGrowth,
      terminatedAfterFailure: stuckInStarts,
    },
    projection: {
      spans: spans.map(([span, actions, p]) => ({ span, actions, ...p })),
      readModelAfterBurst: projected,
      everyOpeningProjectedNoTimeout: burstOk,
      total: { attempts: projections.attempts, asLocalActivities: projections.local, retries: projections.retries, failed: projections.failed, overTimeout: projections.overTimeout, maxAttempt: projections.maxAttempt, firstFailure: projections.firstFailure },
    },
    writes: perAction.map((w) => ({
      action: w.action,
      actions: w.actions,
      total: w.tally,
      perAction: { writeCommands: per(w.tally.writes, w), statements: per(w.tally.statements, w), bytes: per(w.tally.bytes, w), reads: per(w.tally.reads, w), projectionAttempts: per(w.projection.attempts, w) },
    })),
    visits: { count: visits, api: visitApi, raw: visitRaw, ratio: rVisit, terminatedAfterFailure: stuckInVisits },
    memory: {
      openAlerts,
      baseline,
      after,
      perAlertKiB: { rss: perAlert(after.rssMiB, baseline.rssMiB), heapUsed: perAlert(after.heapUsedMiB, baseline.heapUsedMiB) },
      rssPerCachedWorkflowKiB: rssPerCached,
      rssPerCachedWorkflowFrom: rssPerCachedFrom,
      cacheFill: fill,
      rssPerCachedWorkflowAtReadingKiB: rssPerCachedAtReading,
      fullCacheMiB,
      afterIsAnotherWorkerProcess: memoryAfterRestart,
    },
    overdueBoard: { sizes: board, p99Growth: boardGrowth },
  });
  log(`results written to ${file}`);
});

// ---------------------------------------------------------------------------------------------------
// a. Is the API's opening latency flat as the read model fills?

/** p50 of the first k and the last k operations in submission order (k = 1,000, or half of those that completed). */
function latencyGrowth(byIndex: Array<number | undefined>, want = 1000) {
  const done = byIndex.filter((v): v is number => v !== undefined);
  const k = Math.min(want, Math.floor(done.length / 2));
  const p50 = (xs: number[]) => percentile(Float64Array.from(xs).sort(), 0.5);
  const firstP50 = k > 0 ? p50(done.slice(0, k)) : NaN;
  const lastP50 = k > 0 ? p50(done.slice(-k)) : NaN;
  return { k, firstP50, lastP50, ratio: ratio(lastP50, firstP50) };
}

// ---------------------------------------------------------------------------------------------------
// d. The overdue board over a synthetic read model

interface BoardScope {
  /** The unit whose board is read. */
  org: string;
  /** Overdue rows on that board (the unit's subtree). */
  rows: number;
  api: LatencyStats;
  driver: LatencyStats;
  /** CPU of each read-model server process per request (API and driver requests alike). */
  cpuMsPerRequest: Record<string, number | null>;
}

interface BoardResult {
  cases: number;
  overdueRows: number;
  fillSeconds: number;
  town: BoardScope;
  city: BoardScope;
}

/**
 * Fills a separate database with cases in the shape store/projection.ts writes (built with the
 * domain's own openAlert/advanceAlert/alertView, so views, deadlines and escalations are real), every
 * tenth one overdue, over the district's villages, with bulk inserts; then times the board through the
 * API and the route's own query, for a town supervisor and for a city monitor, all four interleaved so
 * that drift affects them alike.
 */
async function overdueBoard(args: {
  config: Config;
  mongoClient: MongoClient;
  temporal: Client;
  readModel: Db;
  listen: (app: App) => Promise<string>;
  apiLogger: false | Record<string, unknown>;
  postgresUrl?: string;
  procs: Record<string, number | undefined>;
}): Promise<BoardResult[]> {
  const { config, readModel } = args;
  await ensureIndexes(readModel, { postgresUrl: args.postgresUrl });
  await seedOrgUnits(readModel);
  const orgs = new OrgDirectory(readModel);
  await orgs.refresh();
  const villages = weihaiOrgUnits().filter((u) => u.level === 'village' && u.path.includes(DISTRICT));
  const ladders = new Map<string, UnitRef[]>();
  for (const v of villages) ladders.set(v.code, await orgs.ladder(v.code));
  const base = await args.listen(await buildApp({ config: { ...config, mongodb: { ...config.mongodb, db: readModel.databaseName } }, mongo: { client: args.mongoClient, db: readModel }, temporal: args.temporal, orgs, logger: args.apiLogger }));
  const tokens = {
    town: `Bearer ${await sessionToken(config, readModel, { sub: `supervisor@${BOARD_TOWN}`, role: 'town_supervisor', org: BOARD_TOWN }, '1h')}`,
    city: `Bearer ${await sessionToken(config, readModel, { sub: `monitor@${BOARD_CITY}`, role: 'city_monitor', org: BOARD_CITY }, '1h')}`,
  };
  const orgOf = { town: BOARD_TOWN, city: BOARD_CITY };
  const overdue = readModel.collection<{ _id: string; dueAt: Date }>(COLLECTIONS.overdue);

  let inserted = 0;
  let overdueRows = 0;
  let inTown = 0;
  /** Bulk inserts of 1,000 documents, two batches in flight. */
  const fill = async (target: number) => {
    const t0 = performance.now();
    const now = Date.now();
    let nextLog = Math.floor(inserted / 10_000 + 1) * 10_000;
    const batchOf = (from: number, count: number) => {
      const cases: Record<string, unknown>[] = [];
      const rows: Record<string, unknown>[] = [];
      for (let i = from; i < from + count; i++) {
        const village = villages[i % villages.length]!;
        const doc = syntheticCase(i, ladders.get(village.code)!, config, now);
        cases.push(doc.caseDoc);
        if (doc.overdueDoc) {
          rows.push(doc.overdueDoc);
          if (village.path.includes(BOARD_TOWN)) inTown += 1;
        }
      }
      return { cases, rows };
    };
    const insert = async (b: { cases: Record<string, unknown>[]; rows: Record<string, unknown>[] }) => {
      await Promise.all([
        readModel.collection(COLLECTIONS.cases).insertMany(b.cases as never[], { ordered: false }),
        b.rows.length ? overdue.insertMany(b.rows as never[], { ordered: false }) : undefined,
      ]);
    };
    while (inserted < target) {
      const batches = [];
      for (let k = 0; k < 2 && inserted < target; k++) {
        const count = Math.min(1000, target - inserted);
        const b = batchOf(inserted, count);
        batches.push(b);
        inserted += count;
        overdueRows += b.rows.length;
      }
      await Promise.all(batches.map(insert));
      if (inserted >= nextLog) {
        log(`  read model: ${inserted}/${target} cases inserted`);
        nextLog += 10_000;
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    log(`read model: ${inserted} cases, ${overdueRows} overdue (${inTown} in town ${BOARD_TOWN}); filled in ${fmt(seconds)} s`);
    return seconds;
  };

  const api = async (scope: 'town' | 'city') => {
    const res = await fetch(`${base}/v1/cases?overdue=true&org=${orgOf[scope]}&limit=50`, { headers: { authorization: tokens[scope] } });
    const body = (await res.json()) as { items: Array<{ caseId: string }> };
    if (res.status !== 200) throw new Error(`GET /v1/cases (${scope}): ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
    return body.items.map((x) => x.caseId);
  };
  // What the route reads for the first page, on the driver: the unit's board rows in due order (limit + 1
  // to know whether there is a next page), then the page's case documents by _id.
  const cases = readModel.collection<{ _id: string }>(COLLECTIONS.cases);
  const driver = async (scope: 'town' | 'city') => {
    const rows = await overdue.find({ orgPath: orgOf[scope] } as never).sort({ dueAt: 1, _id: 1 }).limit(51).toArray();
    const page = rows.slice(0, 50);
    const docs = await Promise.all(page.map((r) => cases.findOne({ _id: r._id }, { projection: { view: 0 } })));
    return docs.flatMap((d) => (d ? [d._id] : []));
  };

  const servers = Object.fromEntries(Object.entries(args.procs).filter(([k]) => k !== 'temporal'));
  const results: BoardResult[] = [];
  for (const size of OVERDUE_SIZES) {
    const fillSeconds = await fill(size);
    for (const scope of ['town', 'city'] as const) {
      const [a, d] = [await api(scope), await driver(scope)];
      if (a.join() !== d.join()) throw new Error(`the API and the driver query disagree on the first page of the ${scope} board`);
    }
    for (let i = 0; i < 5; i++) await Promise.all([api('town'), driver('town'), api('city'), driver('city')]); // warm
    const ms = { town: { api: [] as number[], driver: [] as number[] }, city: { api: [] as number[], driver: [] as number[] } };
    const t0 = performance.now();
    const diag = await startDiagnostics(servers);
    for (let i = 0; i < OVERDUE_REQUESTS && performance.now() - t0 < BOARD_BUDGET_MS; i++) {
      for (const scope of ['town', 'city'] as const) {
        let s = performance.now();
        await api(scope);
        ms[scope].api.push(performance.now() - s);
        s = performance.now();
        await driver(scope);
        ms[scope].driver.push(performance.now() - s);
      }
    }
    const cpu = await diag.end();
    const requests = ms.town.api.length;
    if (requests < OVERDUE_REQUESTS) log(`  board at ${size}: stopped after ${requests} requests of each kind (${BOARD_BUDGET_MS / 1000} s budget)`);
    const wall = performance.now() - t0;
    const scopeOf = (scope: 'town' | 'city', rows: number): BoardScope => ({
      org: orgOf[scope],
      rows,
      api: statsOf(ms[scope].api, wall),
      driver: statsOf(ms[scope].driver, wall),
      // Split evenly over the four kinds of request: a rough share, shown only to compare sizes.
      cpuMsPerRequest: Object.fromEntries(Object.keys(servers).map((k) => [k, cpu.cpuS[k] == null ? null : (cpu.cpuS[k]! * 1000) / (4 * requests)])),
    });
    const r: BoardResult = { cases: size, overdueRows, fillSeconds, town: scopeOf('town', inTown), city: scopeOf('city', overdueRows) };
    results.push(r);
    for (const scope of ['town', 'city'] as const) {
      const sc = r[scope];
      log(`board (${scope}) at ${size} cases, ${sc.rows} rows: API p50 ${fmt(sc.api.p50)} ms p99 ${fmt(sc.api.p99)} ms; driver p50 ${fmt(sc.driver.p50)} ms p99 ${fmt(sc.driver.p99)} ms`);
    }
  }
  return results;
}

/**
 * One case document and, when overdue, its board row, as projectCaseInto writes them (kept in step
 * with store/projection.ts by hand: the bench inserts tens of thousands at once).
 */
function syntheticCase(i: number, ladder: UnitRef[], config: Config, now: number): { caseDoc: Record<string, unknown>; overdueDoc?: Record<string, unknown> } {
  const level = levelOf(i);
  const policy = config.policy.alerts;
  const { dueMs, escalateEveryMs } = policy.levels[level];
  const late = i % 10 === 0;
  // Overdue ones passed their deadline up to three escalation steps ago; the rest are inside it.
  const openedAt = late ? now - dueMs - ((i % 7) / 2 + 0.1) * escalateEveryMs : now - ((i % 9) / 10) * dueMs;
  const hid = `hh-${(i + 1).toString(16).padStart(12, '0')}`;
  const stamp = new Date(openedAt).toISOString().replace(/[-:.Z]/g, '');
  const { state } = openAlert(
    { alertId: `${alertWorkflowId(hid)}-${stamp}`, householdId: hid, level, reasons: REASONS, unit: ladder[0]!, ladder, policy, actor: ACTOR },
    openedAt,
  );
  const happened = advanceAlert(state, now);
  state.version = 1 + (happened.events.length > 0 ? 1 : 0);
  const view = alertView(state, now);
  const summary = {
    kind: 'alert',
    status: view.status,
    householdId: hid,
    household: { headName: `王${i}`, address: `威海市环翠区新威路${i}号` },
    level: view.level,
    unit: view.unit,
    unitCode: view.unit.code,
    orgPath: view.orgPath,
    dueAt: view.dueAt ? new Date(view.dueAt) : null,
    due: view.due,
    overdue: view.overdue,
    atRisk: view.atRisk,
    rung: view.rung,
    escalatedTo: view.escalatedTo,
    version: state.version,
    updatedAt: new Date(now),
  };
  return {
    caseDoc: { _id: view.caseId, ...summary, workflowId: alertWorkflowId(hid), firstRunId: randomUUID(), view },
    // The board's small row (store/cases.ts BoardRow), as projectCaseInto writes it.
    ...(view.overdue ? { overdueDoc: { _id: view.caseId, kind: 'alert', level: view.level, orgPath: view.orgPath, dueAt: new Date(view.dueAt!), version: state.version } } : {}),
  };
}
