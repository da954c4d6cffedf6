import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Db, MongoClient } from 'mongodb';
import { buildApp, type App } from '../api/app';
import { signToken } from '../api/auth';
import { loadConfig, type Config } from '../config';
import { advanceAlert, alertView, openAlert, type Actor, type VisitInput } from '../domain/alert';
import { computeCheckDigit } from '../domain/id-number';
import type { OrgUnit, UnitRef } from '../domain/org';
import { ALERT_LEVELS, type AlertLevel } from '../domain/policy';
import { freePort } from '../scripts/lib/proc';
import { startMongo, startTemporal } from '../scripts/lib/stack';
import { COLLECTIONS, connectMongo } from '../store/mongo';
import { ensureIndexes } from '../store/indexes';
import { OrgDirectory } from '../store/org-directory';
import { seedOrgUnits, weihaiOrgUnits } from '../store/seed';
import { createWorker } from '../worker/worker';
import { ALERT_WORKFLOW_TYPE, alertWorkflowId, recordVisitUpdate, reportUpdate, type AlertInput } from '../workflows/alerts/contract';
import type { alertWorkflow } from '../workflows/alerts/workflow';
import {
  fmt,
  installQuietRuntime,
  log,
  memorySnapshot,
  mergeDiagnostics,
  onTeardown,
  parseFlags,
  ratio,
  runBench,
  runPool,
  scrapeMetrics,
  startDiagnostics,
  statsOf,
  table,
  withTimeout,
  workerSummary,
  writeResults,
  type LatencyStats,
  type MemorySnapshot,
  type PhaseDiagnostics,
} from './lib';

/*
 * `npm run bench:alerts [-- --n 500 --concurrency 32]`
 *
 * What the API costs on top of Temporal, on one set of real servers: a Temporal dev server (in memory)
 * and a FerretDB/mongod with throwaway data, both started here on free ports unless TEMPORAL_ADDRESS /
 * MONGODB_URI name running ones. The worker runs in this process (its memory is this process's);
 * the API listens on a free port and is called over HTTP with keep-alive.
 *
 *   a. opening alerts: POST /v1/alerts vs raw workflow.start vs raw executeUpdateWithStart(report)
 *   b. visits: POST /v1/alerts/:id/visits vs raw executeUpdate(recordVisit)
 *   c. memory with every alert open and the worker idle, against a baseline taken before
 *   d. the overdue board (GET /v1/cases?overdue=true) vs the same driver query, at two read-model sizes
 *
 * Flags: --n (alerts per path, 5000) --concurrency (32) --warmup (per path, 20)
 *        --overdue-sizes (cases in the read model, "1000,50000") --overdue-requests (per size, 200)
 *        --api-log (info: request logging on, as `npm start` runs it, written to /dev/null; or silent)
 *        --phase-minutes (6: a phase stops starting operations past it and reports what it did)
 *        --max-minutes (60: past it, everything is stopped and the run fails)
 */

const flags = parseFlags(process.argv.slice(2), {
  n: 5000,
  concurrency: 32,
  warmup: 20,
  'overdue-sizes': '1000,50000',
  'overdue-requests': 200,
  'api-log': 'info',
  'phase-minutes': 6,
  'max-minutes': 60,
});
const PHASE_MS = (flags['phase-minutes'] as number) * 60_000;
const N = flags.n as number;
const CONCURRENCY = flags.concurrency as number;
const WARMUP = Math.min(flags.warmup as number, N);
const OVERDUE_SIZES = String(flags['overdue-sizes'])
  .split(',')
  .map((s) => Number(s.replace(/_/g, '')))
  .sort((a, b) => a - b);
if (OVERDUE_SIZES.some((s) => !Number.isInteger(s) || s < 10)) throw new Error('--overdue-sizes: expected integers ≥ 10, e.g. 1000,50000');
const OVERDUE_REQUESTS = flags['overdue-requests'] as number;
const API_LOG = String(flags['api-log']);
if (API_LOG !== 'info' && API_LOG !== 'silent') throw new Error('--api-log: expected info or silent');

/** The households live in the villages of one district; its staff may act on all of them. */
const DISTRICT = '371002';
/** The town whose overdue board is read: one of three in the district, so the query filters. */
const BOARD_TOWN = '371002001';
/** Past this an operation counts as failed: a request stuck behind projection retries must not stall a phase. */
const OP_TIMEOUT_MS = 120_000;
/** A backlog with no projection completed for this long is stalled, not slow. */
const STALL_MS = 90_000;
const ACTOR: Actor = { userId: `bench@${DISTRICT}`, role: 'district_staff', unitCode: DISTRICT };
const REASONS = ['收入骤降'];
const levelOf = (i: number): AlertLevel => ALERT_LEVELS[i % ALERT_LEVELS.length]!;
const visitInput = (): VisitInput => ({ visitors: ['李网格'], visitedAt: new Date().toISOString(), outcome: 'stable', notes: '入户核实' });

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
        return {
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
        };
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
  /** Why the phase stopped before all N operations: its time budget ran out, or too many failed. */
  cut: '' | 'budget' | 'errors';
  /** Rate of each chunk, in order (paired phases): shows whether the cost grows as the read model fills. */
  chunkRates: number[];
}

await runBench('alerts', flags['max-minutes'] as number, async () => {
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
  const procs: Record<string, number | undefined> = { temporal: temporalProc?.child.pid, ...Object.fromEntries((mongoProc?.servers ?? []).map((s) => [s.name, s.child.pid])) };

  const config: Config = loadConfig({
    NODE_ENV: 'production',
    DATA_DIR: scratch,
    LOG_LEVEL: API_LOG,
    JWT_SECRET: randomBytes(32).toString('base64url'),
    TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? `127.0.0.1:${temporalPort}`,
    TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE ?? 'default',
    TEMPORAL_TASK_QUEUE: `bench-${runId}`,
    MONGODB_URI: process.env.MONGODB_URI ?? `mongodb://127.0.0.1:${mongoPort}/`,
    MONGODB_DB: `bench_${runId}`,
  });
  log(`Temporal ${config.temporal.address}${temporalProc ? ' (dev server, in memory)' : ' (TEMPORAL_ADDRESS)'}; ${mongoKind} ${config.mongodb.uri}; database ${config.mongodb.db}`);

  const mongo = await connectMongo(config.mongodb.uri, config.mongodb.db);
  onTeardown('mongo client', () => mongo.client.close());
  const readModel = mongo.client.db(`${config.mongodb.db}_readmodel`);
  // Our databases only; on a local throwaway server the whole data directory goes anyway.
  if (config.mongodb.external) onTeardown('bench databases', () => Promise.all([mongo.db.dropDatabase(), readModel.dropDatabase()]));
  await ensureIndexes(mongo.db, { postgresUrl: mongoProc?.postgresUrl });
  await seedOrgUnits(mongo.db);
  const orgs = new OrgDirectory(mongo.db);
  await orgs.refresh();
  const villages = weihaiOrgUnits().filter((u) => u.level === 'village' && u.path.includes(DISTRICT));

  const connection = await Connection.connect({ address: config.temporal.address });
  onTeardown('temporal client', () => connection.close());
  const client = new Client({ connection, namespace: config.temporal.namespace });
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

  // --- Worker (in process) --------------------------------------------------------------------------
  installQuietRuntime(metricsPort);
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const nativeConnection = await NativeConnection.connect({ address: config.temporal.address });
  onTeardown('worker connection', () => nativeConnection.close());
  log('bundling workflows and starting the worker…');
  const worker: Worker = await createWorker({ connection: nativeConnection, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, db: mongo.db });
  const workerRunning = worker.run();
  let workerFailed: Error | undefined;
  workerRunning.catch((err: Error) => {
    workerFailed = err;
    console.error(`[bench] worker failed: ${err.message}`);
  });
  onTeardown('worker', async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await workerRunning.catch(() => undefined);
  });
  log(`worker metrics: ${metricsUrl}`);
  const cacheSize = worker.options.maxCachedWorkflows;
  log(`worker: maxCachedWorkflows ${cacheSize} (the SDK default for this heap limit)`);

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
  const authorization = `Bearer ${await signToken(config.jwtSecret, { sub: ACTOR.userId, role: ACTOR.role, org: DISTRICT }, '4h')}`;
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

  /** Projection attempts that succeeded so far: attempts (the latency histogram counts every one) minus failures. */
  const projectionsDone = async () => {
    const m = await scrapeMetrics(metricsUrl);
    return (m.get('temporal_activity_execution_latency_count') ?? 0) - (m.get('temporal_activity_execution_failed') ?? 0);
  };

  /**
   * Waits until the worker has nothing in flight and, when given, has completed that many projections
   * in total: raw starts return before their workflows ran, and the next phase (or the memory reading)
   * must not pay for their backlog. A retry waiting out its backoff is not "in flight", hence the count.
   * Returns false if that did not happen within the time given.
   */
  const settle = async (label: string, projectionsAtLeast?: number, timeoutMs = PHASE_MS): Promise<boolean> => {
    const t0 = performance.now();
    let quietSamples = 0;
    let lastLog = t0;
    let best = -1;
    let lastProgress = t0;
    for (;;) {
      const status = worker.getStatus();
      const done = await projectionsDone();
      const idle = status.numInFlightWorkflowActivations === 0 && status.numInFlightActivities === 0;
      quietSamples = idle && (projectionsAtLeast === undefined || done >= projectionsAtLeast) ? quietSamples + 1 : 0;
      if (quietSamples >= 4) return true;
      if (done > best) [best, lastProgress] = [done, performance.now()];
      // No projection has completed for a while although some are running: every attempt now outlasts
      // its timeout and is retried, and waiting longer changes nothing.
      if (projectionsAtLeast !== undefined && performance.now() - lastProgress > STALL_MS) {
        log(`  ${label}: no projection completed for ${STALL_MS / 1000} s (${status.numInFlightActivities} running): stalled`);
        return false;
      }
      if (performance.now() - t0 > timeoutMs) return false;
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        log(`  ${label}: waiting for the worker (${done}${projectionsAtLeast ? `/${projectionsAtLeast}` : ''} projections done, ${status.numInFlightWorkflowActivations} activations and ${status.numInFlightActivities} activities in flight)`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const mustSettle = async (label: string) => {
    if (!(await settle(label))) throw new Error(`${label}: the worker did not become idle within ${PHASE_MS / 60_000} min`);
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
    if (!(await settle(label))) log(`${label}: the worker still had projections running after ${PHASE_MS / 60_000} min; going on`);
    return ids.length;
  };

  /** One path on its own, within the phase budget. */
  const single = async (label: string, n: number, op: (i: number) => Promise<void>): Promise<PathResult> => {
    log(`${label}: ${n} operations, concurrency ${CONCURRENCY}…`);
    const diag = await startDiagnostics(procs, metricsUrl);
    const stats = await runPool(label, n, CONCURRENCY, op, { deadline: performance.now() + PHASE_MS });
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
    const deadline = performance.now() + PHASE_MS;
    const acc = [0, 1].map(() => ({ sink: [] as number[], diags: [] as PhaseDiagnostics[], errors: 0, firstError: undefined as string | undefined, chunkRates: [] as number[] }));
    let done = 0;
    let failed: string | undefined;
    let lastLog = performance.now();
    for (let round = 0; done < n && performance.now() < deadline; round++) {
      const size = Math.min(chunk, n - done);
      for (const p of round % 2 === 0 ? [0, 1] : [1, 0]) {
        const a = acc[p]!;
        const diag = await startDiagnostics(procs, metricsUrl);
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
      if (workerFailed) throw new Error(`the worker failed: ${workerFailed.message}`);
      if (performance.now() - lastLog > 10_000 || done >= n) {
        lastLog = performance.now();
        log(`  ${done}/${n} each; last chunk ${labels[0]} ${fmt(acc[0]!.chunkRates.at(-1)!)}/s, ${labels[1]} ${fmt(acc[1]!.chunkRates.at(-1)!)}/s`);
      }
    }
    if (done < n && !failed) log(`  phase budget (${PHASE_MS / 60_000} min) spent after ${done} of ${n} each`);
    const results = [0, 1].map((p) => {
      const a = acc[p]!;
      const diag = mergeDiagnostics(a.diags);
      const cut: PathResult['cut'] = failed ? 'errors' : done < n ? 'budget' : '';
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
  const baseline: MemorySnapshot & { cachedWorkflows: number } = { ...memorySnapshot(), cachedWorkflows: worker.getStatus().numCachedWorkflows };
  log(`memory baseline: rss ${baseline.rssMiB} MiB, heapUsed ${baseline.heapUsedMiB} MiB, ${baseline.cachedWorkflows} workflows cached`);

  // --- a. Opening alerts ----------------------------------------------------------------------------
  const apiCaseIds: Array<string | undefined> = new Array(N);
  const uwsOpened: boolean[] = new Array(N);
  const [startApi, startUws] = await paired(
    ['API POST /v1/alerts', 'raw executeUpdateWithStart(report)'],
    N,
    [async (i) => void (apiCaseIds[i] = await ops.apiStart(hh.api[i]!, i)), async (i) => void (uwsOpened[i] = !!(await ops.rawUpdateWithStart(hh.uws[i]!, i)))],
  );
  const stuckInStarts = await clearStuck('a');
  const beforeRaw = await projectionsDone();
  const startRaw = await single('raw workflow.start', N, (i) => ops.rawStart(hh.raw[i]!, i));
  const rawStarted = startRaw.stats.ops;
  // Not part of the rate: how long the worker then needs to run the first task and project each alert.
  const drainT0 = performance.now();
  const drainDiag = await startDiagnostics(procs, metricsUrl);
  const drained = await settle('raw-start backlog', beforeRaw + rawStarted);
  const rawBacklog = { drained, seconds: (performance.now() - drainT0) / 1000, projected: 0, terminated: 0, diag: await drainDiag.end() };
  let rawCases = await casesOf(hh.raw.slice(0, rawStarted));
  rawBacklog.projected = rawCases.size;
  let settledAfterTermination = true;
  if (!drained) {
    // Not drained in time means projection attempts are timing out and being retried (see the report):
    // left running, they would load the read model through every later phase. Stop all of them.
    log(`raw-start backlog: ${rawCases.size}/${rawStarted} in the read model after ${PHASE_MS / 60_000} min; terminating all ${rawStarted} raw-started alerts`);
    await terminate(hh.raw.slice(0, rawStarted).map((h) => alertWorkflowId(h.id)), 'benchmark: backlog not drained in time');
    rawBacklog.terminated = rawStarted;
    rawCases = new Map();
    // Attempts already running in the worker finish on their own (the activity has no heartbeat to cancel it).
    settledAfterTermination = await settle('after terminating the backlog');
    if (!settledAfterTermination) log('the worker still had projections running: the later phases share the read model with them');
  } else log(`raw-start backlog: the worker opened and projected the ${rawStarted} alerts ${fmt(rawBacklog.seconds)} s after the last start returned`);

  // --- c. Memory with every alert open --------------------------------------------------------------
  const apiOpened = apiCaseIds.filter(Boolean).length;
  const openAlerts = 3 * WARMUP + apiOpened + uwsOpened.filter(Boolean).length + rawCases.size;
  const after: MemorySnapshot & { cachedWorkflows: number } = { ...memorySnapshot(), cachedWorkflows: worker.getStatus().numCachedWorkflows };
  log(`memory with ${openAlerts} alerts open: rss ${after.rssMiB} MiB, heapUsed ${after.heapUsedMiB} MiB, ${after.cachedWorkflows} workflows cached`);

  // --- b. Visits ------------------------------------------------------------------------------------
  const apiTargets = hh.api.flatMap((h, i): Array<[string, string]> => (apiCaseIds[i] ? [[h.id, apiCaseIds[i]]] : []));
  // The raw-started alerts; if fewer reached the read model in time, then those opened by raw update-with-start.
  const rawTargets: Array<[string, string]> = [...rawCases];
  if (rawTargets.length < apiTargets.length) {
    const uwsCases = await casesOf(hh.uws.filter((_, i) => uwsOpened[i]));
    rawTargets.push(...[...uwsCases].slice(0, apiTargets.length - rawTargets.length));
  }
  const visits = Math.min(N, apiTargets.length, rawTargets.length);
  // API visits address the oldest alerts and go first in each round: with more alerts open than the
  // cache holds, both paths then find their workflows evicted (the cache columns show it).
  const [visitApi, visitRaw] = await paired(['API POST /v1/alerts/:id/visits', 'raw executeUpdate(recordVisit)'], visits, [
    (i) => ops.apiVisit(apiTargets[i]![0], apiTargets[i]![1]),
    (i) => ops.rawVisit(rawTargets[i]![0], rawTargets[i]![1]),
  ]);
  const stuckInVisits = await clearStuck('b');

  // --- d. The overdue board -------------------------------------------------------------------------
  const board = await overdueBoard({ config, mongoClient: mongo.client, temporal: client, readModel, listen, apiLogger, postgresUrl: mongoProc?.postgresUrl });

  // --- Report ---------------------------------------------------------------------------------------
  const rStart = ratio(startApi.stats.rate, startRaw.stats.rate);
  const rUws = ratio(startApi.stats.rate, startUws.stats.rate);
  const rVisit = ratio(visitApi.stats.rate, visitRaw.stats.rate);
  const target = (r: number) => (r >= 0.8 ? 'met' : 'NOT met');
  const row = (p: PathResult) => [p.label, p.stats.ops, p.stats.errors, p.stats.wallMs / 1000, p.stats.rate, p.stats.p50, p.stats.p99, p.cut];
  const latencyHeaders = ['path', 'ops', 'errors', 'time s', 'ops/s', 'p50 ms', 'p99 ms', 'cut'];
  const trend = (p: PathResult) => (p.chunkRates.length > 1 ? `${fmt(p.chunkRates[0]!)} → ${fmt(p.chunkRates.at(-1)!)}/s` : '');

  const out: string[] = [];
  out.push('', `== a. Opening alerts (N=${N} asked per path, concurrency ${CONCURRENCY}, HTTP keep-alive; ${cpus().length} CPUs) ==`);
  out.push(table(latencyHeaders, [row(startApi), row(startUws), row(startRaw)]));
  out.push(`  API / raw update-with-start: ${fmt(rUws)}  (target ≥ 0.8: ${target(rUws)})  — like for like, run in alternating chunks`);
  out.push(`  API / raw start:             ${fmt(rStart)}  (target ≥ 0.8: ${target(rStart)})`);
  out.push(`  rate of the first → last chunk: API ${trend(startApi)}, raw update-with-start ${trend(startUws)}`);
  if (stuckInStarts) out.push(`  ${stuckInStarts} alerts whose opening failed (no answer within ${OP_TIMEOUT_MS / 1000} s) were terminated before the next phase.`);
  out.push(
    '  note: raw workflow.start returns once the server has recorded the start; it waits neither for the',
    '        workflow’s first task nor for its projection. The API’s update-with-start (and the raw one)',
    '        returns only after the workflow ran its first task and the alert is in the read model.',
    drained
      ? `        The worker needed ${fmt(rawBacklog.seconds)} s more after the last raw start to open and project those ${rawStarted} alerts.`
      : `        ${fmt(rawBacklog.seconds)} s after the last raw start the worker had not finished opening and projecting those ${rawStarted} alerts` +
          ` (${rawBacklog.projected} in the read model); all were terminated${settledAfterTermination ? '' : ', and projections were still running when the next phase began'}.`,
  );
  out.push('', `== b. Visits (${visits} per path, concurrency ${CONCURRENCY}, alternating chunks) ==`);
  out.push(table(latencyHeaders, [row(visitApi), row(visitRaw)]));
  out.push(`  API / raw: ${fmt(rVisit)}  (target ≥ 0.8: ${target(rVisit)}); rate of the first → last chunk: API ${trend(visitApi)}, raw ${trend(visitRaw)}`);
  if (stuckInVisits) out.push(`  ${stuckInVisits} alerts whose visit failed were terminated before the next phase.`);
  if (rawCases.size < visits) {
    const why = rawBacklog.terminated ? 'the raw-started alerts were terminated' : 'too few raw-started alerts reached the read model';
    out.push(`  raw visits went to alerts opened by raw update-with-start${rawCases.size ? ` after the ${rawCases.size} raw-started ones` : ''} (${why}).`);
  }

  const phases: Array<[string, { stats?: LatencyStats; diag: PhaseDiagnostics }]> = [
    ['a API start', startApi],
    ['a raw update-with-start', startUws],
    ['a raw start', startRaw],
    ['a raw-start backlog', { diag: rawBacklog.diag }],
    ['b API visit', visitApi],
    ['b raw visit', visitRaw],
  ];
  out.push('', '== Where the time goes (CPU ms of each process per operation; worker means from its metrics) ==');
  out.push(
    table(
      ['phase', 'bench CPU', 'temporal CPU', `${mongoKind} CPU`, 'loop busy %', 'WFTs/op', 'WFT queue ms', 'WFT run ms', 'projection ms', 'proj. failed', 'cache hit/miss'],
      phases.map(([label, p]) => {
        const opsN = p.stats?.ops || rawBacklog.projected || 1;
        const per = (cpu: number | null | undefined) => (cpu == null ? NaN : (cpu * 1000) / opsN);
        const w = workerSummary(p.diag);
        return [
          label,
          per(p.diag.cpuS.bench),
          per(p.diag.cpuS.temporal),
          per(p.diag.cpuS[mongoKind]),
          (p.diag.eventLoopBusyS / p.diag.wallS) * 100,
          w ? w.workflowTasks / opsN : NaN,
          w?.workflowTaskQueueMs ?? NaN,
          w?.workflowTaskExecMs ?? NaN,
          w?.activityExecMs ?? NaN,
          w?.activityFailures ?? NaN,
          w ? `${w.stickyHits}/${w.stickyMisses}` : '–',
        ];
      }),
    ),
  );
  out.push(
    '  bench CPU is this whole process: HTTP client, API, Temporal client and the worker (its workflow thread and',
    '  Rust core included). WFT queue = schedule-to-start of workflow tasks; projection = the projectCase activity.',
    '  The backlog row is per alert it projected.',
  );

  const perAlert = (a: number, b: number) => ((a - b) * 1024) / Math.max(1, openAlerts - 3 * WARMUP);
  const cachedDelta = after.cachedWorkflows - baseline.cachedWorkflows;
  out.push('', `== c. Memory of the benchmark process (worker in process): ${openAlerts} alerts open, worker idle ==`);
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
      (cachedDelta > 0 ? `; per newly cached workflow: rss ${fmt(((after.rssMiB - baseline.rssMiB) * 1024) / cachedDelta)} KiB` : ''),
    `  workflow cache: maxCachedWorkflows = ${cacheSize} (the SDK default for this heap limit, which budgets ~1.7 MiB per cached workflow); ` +
      (openAlerts > cacheSize ? `${openAlerts} open alerts exceed it: memory plateaus and an evicted alert's next task replays its history.` : 'every open alert fits.'),
    '  heapUsed is the main thread only (API, client, activities): workflows run in the SDK’s workflow thread,',
    '  whose heap only rss shows (rss also holds the Rust core and memory V8 has not returned to the OS).',
  );

  out.push('', `== d. Overdue board: GET /v1/cases?overdue=true&org=${BOARD_TOWN}&limit=50 vs the route's driver query (sequential, interleaved) ==`);
  out.push(
    table(
      ['cases', 'overdue rows', 'in town', 'requests', 'API p50 ms', 'API p99 ms', 'driver p50 ms', 'driver p99 ms', 'API/driver p50'],
      board.map((b) => [b.cases, b.overdueRows, b.inTown, b.api.ops, b.api.p50, b.api.p99, b.driver.p50, b.driver.p99, ratio(b.api.p50, b.driver.p50)]),
    ),
  );
  if (mongoKind.startsWith('ferretdb')) out.push('  FerretDB v1 (SQLite) filters only _id in SQL: both read every row of `overdue` and filter and sort in FerretDB.');
  console.log(out.join('\n'));

  const file = writeResults('alerts', {
    benchmark: 'alerts',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    settings: { n: N, concurrency: CONCURRENCY, warmup: WARMUP, phaseMinutes: PHASE_MS / 60_000, apiLog: API_LOG, overdueSizes: OVERDUE_SIZES, overdueRequests: OVERDUE_REQUESTS },
    environment: { node: process.version, cpus: cpus().length, temporal: temporalProc ? 'dev server (in memory)' : config.temporal.address, mongo: mongoKind },
    worker: { maxCachedWorkflows: cacheSize },
    starts: {
      api: startApi,
      rawUpdateWithStart: startUws,
      rawStart: startRaw,
      rawStartBacklog: { ...rawBacklog, settledAfterTermination },
      ratios: { apiOverRawStart: rStart, apiOverRawUpdateWithStart: rUws },
      terminatedAfterFailure: stuckInStarts,
      target: 0.8,
    },
    visits: { count: visits, api: visitApi, raw: visitRaw, ratio: rVisit, terminatedAfterFailure: stuckInVisits },
    memory: { openAlerts, baseline, after, perAlertKiB: { rss: perAlert(after.rssMiB, baseline.rssMiB), heapUsed: perAlert(after.heapUsedMiB, baseline.heapUsedMiB) } },
    overdueBoard: board,
  });
  log(`results written to ${file}`);
});

// ---------------------------------------------------------------------------------------------------
// d. The overdue board over a synthetic read model

interface BoardResult {
  cases: number;
  overdueRows: number;
  inTown: number;
  api: LatencyStats;
  driver: LatencyStats;
}

/**
 * Fills a separate database with cases in the shape activities/projection.ts writes (built with the
 * domain's own openAlert/advanceAlert/alertView, so views, deadlines and escalations are real), every
 * tenth one overdue, over the district's villages; then times the board through the API and the
 * route's own query, interleaved so that drift affects both alike.
 */
async function overdueBoard(args: {
  config: Config;
  mongoClient: MongoClient;
  temporal: Client;
  readModel: Db;
  listen: (app: App) => Promise<string>;
  apiLogger: false | Record<string, unknown>;
  postgresUrl?: string;
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
  const authorization = `Bearer ${await signToken(config.jwtSecret, { sub: `supervisor@${BOARD_TOWN}`, role: 'town_supervisor', org: BOARD_TOWN }, '1h')}`;
  const overdue = readModel.collection<{ _id: string; dueAt: Date }>(COLLECTIONS.overdue);

  let inserted = 0;
  let overdueRows = 0;
  let inTown = 0;
  const fill = async (target: number) => {
    const t0 = performance.now();
    const now = Date.now();
    while (inserted < target) {
      const batch = Math.min(1000, target - inserted);
      const cases: Record<string, unknown>[] = [];
      const rows: Record<string, unknown>[] = [];
      for (let k = 0; k < batch; k++) {
        const i = inserted + k;
        const village = villages[i % villages.length]!;
        const doc = syntheticCase(i, ladders.get(village.code)!, config, now);
        cases.push(doc.caseDoc);
        if (doc.overdueDoc) {
          rows.push(doc.overdueDoc);
          if (village.path.includes(BOARD_TOWN)) inTown += 1;
        }
      }
      await readModel.collection(COLLECTIONS.cases).insertMany(cases as never[], { ordered: false });
      if (rows.length) await overdue.insertMany(rows as never[], { ordered: false });
      inserted += batch;
      overdueRows += rows.length;
      if (inserted % 10_000 === 0) log(`  read model: ${inserted}/${target} cases inserted`);
    }
    log(`read model: ${inserted} cases, ${overdueRows} overdue (${inTown} in town ${BOARD_TOWN}); filled in ${fmt((performance.now() - t0) / 1000)} s`);
  };

  const api = async () => {
    const res = await fetch(`${base}/v1/cases?overdue=true&org=${BOARD_TOWN}&limit=50`, { headers: { authorization } });
    const body = (await res.json()) as { items: Array<{ caseId: string }> };
    if (res.status !== 200) throw new Error(`GET /v1/cases: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
    return body.items.map((x) => x.caseId);
  };
  // The query the route runs for the first page (limit + 1 to know whether there is a next page).
  const driver = async () => (await overdue.find({ orgPath: BOARD_TOWN } as never).sort({ dueAt: 1, _id: 1 }).limit(51).toArray()).map((d) => d._id);

  const results: BoardResult[] = [];
  for (const size of OVERDUE_SIZES) {
    await fill(size);
    const [a, d] = [await api(), await driver()];
    if (a.join() !== d.slice(0, 50).join()) throw new Error('the API and the driver query disagree on the first page of the board');
    for (let i = 0; i < 10; i++) await Promise.all([api(), driver()]); // warm
    const apiMs: number[] = [];
    const driverMs: number[] = [];
    const budgetMs = 120_000;
    const t0 = performance.now();
    for (let i = 0; i < OVERDUE_REQUESTS && performance.now() - t0 < budgetMs; i++) {
      let s = performance.now();
      await api();
      apiMs.push(performance.now() - s);
      s = performance.now();
      await driver();
      driverMs.push(performance.now() - s);
    }
    if (apiMs.length < OVERDUE_REQUESTS) log(`  board at ${size}: stopped after ${apiMs.length} requests (${budgetMs / 1000} s budget)`);
    const wall = performance.now() - t0;
    results.push({ cases: size, overdueRows, inTown, api: statsOf(apiMs, wall), driver: statsOf(driverMs, wall) });
    const r = results.at(-1)!;
    log(`board at ${size} cases: API p50 ${fmt(r.api.p50)} ms p99 ${fmt(r.api.p99)} ms; driver p50 ${fmt(r.driver.p50)} ms p99 ${fmt(r.driver.p99)} ms`);
  }
  return results;
}

/**
 * One case document and, when overdue, its board row, as projectCaseInto writes them (kept in step
 * with activities/projection.ts by hand: the bench inserts tens of thousands at once).
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
    ...(view.overdue ? { overdueDoc: { _id: view.caseId, ...summary, dueAt: new Date(view.dueAt!) } } : {}),
  };
}
