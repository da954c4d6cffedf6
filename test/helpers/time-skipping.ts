import { randomBytes } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
// A default import: the package is CommonJS, whose named exports Node's ESM loader (scripts run by tsx) cannot see.
import proto from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { createActivities } from '../../activities';
import type { DepartmentSource } from '../../activities/departments/source';
import { connectMongo } from '../../store/mongo';
import { seedOrgUnits } from '../../store/seed';
import { quietRuntime, sharedBundle } from './context';
import type { UnitRef } from '../../domain/org';
import { insecureDevPiiKeys } from '../../config';
import { piiKeyring } from '../../store/pii';
import { piiDataConverter } from '../../worker/codec';

/** The payload codec with the development keys, as the API's and the worker's (worker/codec.ts): histories here are encrypted too. */
export const TEST_DATA_CONVERTER = piiDataConverter(piiKeyring(insecureDevPiiKeys()));

export interface TimeSkippingOptions {
  /** Department data sources for the verification activities (none by default). */
  sources?: DepartmentSource[];
  /** Hands the activities the environment's client, for activities that reach other workflows. */
  temporalClient?: boolean;
  /**
   * The servers to use: the time-skipping test server's launcher and a Mongo-compatible server. Default:
   * the ones the suite's globalSetup provides (vitest `inject`); scripts outside vitest pass their own.
   */
  servers?: { testServerPath: string; mongoUri: string };
}

export interface TimeSkippingHarness {
  /** The Java time-skipping test server, with the custom search attributes declared. */
  env: TestWorkflowEnvironment;
  /** A throwaway database for the read model, dropped by close(). */
  mongo: Awaited<ReturnType<typeof connectMongo>>;
  /** The file's own task queue. */
  taskQueue: string;
  /** Records a workflow started by the current test, for terminateLeftovers(); returns it. */
  track<H extends WorkflowHandle>(handle: H): H;
  /** Skips server time forward to the instant `t` (ms). */
  sleepUntil(t: number): Promise<void>;
  /** Runs `fn` with a worker polling the task queue, over the real activities and database. */
  withWorker(fn: () => Promise<void>): Promise<void>;
  /** Starts such a worker for the rest of the file (creating one per test costs about a second); stopped by close(). */
  startWorker(): Promise<void>;
  /**
   * Terminates the tracked workflows still running, so their timers do not fire in the next test, and
   * forgets them. `first` runs for each tracked workflow before its status is read.
   */
  terminateLeftovers(opts?: { first?: (handle: WorkflowHandle) => Promise<unknown> }): Promise<void>;
  /** Stops the file's worker, drops the database and tears the test server down. */
  close(): Promise<void>;
}

/**
 * A workflow test file's harness on Temporal's time-skipping test server (started from the launcher
 * that the suite's globalSetup resolved), with a throwaway database on the suite's Mongo server and
 * workers over the shared workflow bundle and the real activities. `name` names the task queue
 * (`<name>-wf-…`) and the database (`t_wf_<name>_…`). Call it in beforeAll, terminateLeftovers() in
 * afterEach and close() in afterAll.
 */
export async function createTimeSkippingHarness(name: string, opts: TimeSkippingOptions = {}): Promise<TimeSkippingHarness> {
  quietRuntime();
  const suffix = randomBytes(3).toString('hex');
  const taskQueue = `${name}-wf-${suffix}`;
  const servers = opts.servers ?? { testServerPath: inject('testServerPath'), mongoUri: inject('mongoUri') };
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: servers.testServerPath } }, client: { dataConverter: TEST_DATA_CONVERTER } });
  let mongo: TimeSkippingHarness['mongo'];
  try {
    // The Java test server refuses undeclared custom search attributes ("BadSearchAttributes: search
    // attribute NextDeadline is not defined"), so declare the ones the projector upserts.
    const T = proto.temporal.api.enums.v1.IndexedValueType;
    await env.connection.operatorService.addSearchAttributes({
      namespace: env.namespace ?? 'default',
      searchAttributes: {
        CaseKind: T.INDEXED_VALUE_TYPE_KEYWORD,
        AlertLevel: T.INDEXED_VALUE_TYPE_KEYWORD,
        OrgUnits: T.INDEXED_VALUE_TYPE_KEYWORD_LIST,
        Overdue: T.INDEXED_VALUE_TYPE_BOOL,
        NextDeadline: T.INDEXED_VALUE_TYPE_DATETIME,
        EscalationRung: T.INDEXED_VALUE_TYPE_INT,
      },
    });
    mongo = await connectMongo(servers.mongoUri, `t_wf_${name.replace(/-/g, '_')}_${suffix}`, piiKeyring(insecureDevPiiKeys()));
    // The org tree, as in production: the projection's who-is-told policy reads a case's ladder from it.
    await seedOrgUnits(mongo.db);
    // Bundling takes seconds: done here, not in the first test's time.
    await sharedBundle();
  } catch (err) {
    await env.teardown().catch(() => undefined);
    throw err;
  }

  const createWorker = async () =>
    Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await sharedBundle(),
      dataConverter: TEST_DATA_CONVERTER,
      activities: createActivities({ db: mongo.db, ...(opts.sources ? { sources: opts.sources } : {}), ...(opts.temporalClient ? { temporal: env.client } : {}) }),
    });
  let started: WorkflowHandle[] = [];
  let stopWorker: () => void = () => undefined;
  let workerDone: Promise<void> | undefined;

  return {
    env,
    mongo,
    taskQueue,
    track(handle) {
      started.push(handle);
      return handle;
    },
    async sleepUntil(t) {
      const now = await env.currentTimeMs();
      if (t > now) await env.sleep(t - now);
    },
    async withWorker(fn) {
      const worker = await createWorker();
      await worker.runUntil(fn);
    },
    async startWorker() {
      if (workerDone) throw new Error('the file worker is already running');
      const worker = await createWorker();
      workerDone = worker.runUntil(new Promise<void>((resolve) => (stopWorker = resolve)));
    },
    async terminateLeftovers({ first } = {}) {
      for (const handle of started) {
        if (first) await first(handle);
        const { status } = await handle.describe();
        if (status.name === 'RUNNING') await handle.terminate('test over');
      }
      started = [];
    },
    async close() {
      stopWorker();
      await workerDone;
      await mongo.db.dropDatabase().catch(() => undefined);
      await mongo.client.close();
      await env.teardown();
    },
  };
}

/** Retries `check` until it passes (the read model is written by activities, after the workflow state). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 15_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
}

/** Durations the workflow tests count in. */
export const MIN = 60_000;
export const H = 60 * MIN;
export const D = 24 * H;
/** Timers fire at their instant; the workflow sees it a few (real) milliseconds later at most. */
export const SLACK = MIN;

/** The escalation ladder of 海港社区 in the seeded tree: village → town → district → city. */
export const VILLAGE: UnitRef = { code: '371002001001', name: '海港社区居委会', level: 'village' };
export const TOWN: UnitRef = { code: '371002001', name: '鲸园街道', level: 'town' };
export const DISTRICT: UnitRef = { code: '371002', name: '环翠区', level: 'district' };
export const CITY: UnitRef = { code: '371000', name: '威海市', level: 'city' };
export const LADDER: UnitRef[] = [VILLAGE, TOWN, DISTRICT, CITY];

