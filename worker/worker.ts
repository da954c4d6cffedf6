import { getHeapStatistics } from 'node:v8';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { Db } from 'mongodb';
import { createActivities } from '../activities';
import type { DepartmentSource } from '../activities/departments/source';
import { WORKFLOWS_PATH } from './bundle';
import { piiOf } from '../store/pii';
import { piiDataConverter } from './codec';
import type { NotifyConfig } from '../config';
import type { NoticeRule } from '../domain/notice-policy';
import type { PointsPolicy } from '../domain/policy';

/**
 * The worker for every case workflow, over its connection and read-model database. Its payloads go through
 * the codec (worker/codec.ts) with the keyring the database handle carries (connectMongo), so the worker
 * and the read model always share their keys.
 */
export async function createWorker(args: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  db: Db;
  /** Where economic verification asks each department (see docs/departments.md); none: every department is recorded missing. */
  sources?: DepartmentSource[];
  /** For activities that act on other workflows (closing an alert converted into an application). */
  temporal?: Client;
  /**
   * A prebuilt bundle: the production image's (`{ codePath }`, WORKFLOW_BUNDLE_PATH), or one the tests
   * bundle once per file. Otherwise the worker bundles the workflows at start (seconds).
   */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Notice delivery (config.notify): without it, notices are stored and shown but not delivered through channels. */
  notify?: NotifyConfig;
  /** Who is told of a case's notices (config.policy.notices); the default policy when absent. */
  noticePolicy?: readonly NoticeRule[];
  /** Points per rule (config.policy.points, issue 13); the default policy's when absent. */
  pointsPolicy?: PointsPolicy;
  /** Worker interceptors (the benchmarks count activity attempts with one); none by default. */
  interceptors?: WorkerOptions['interceptors'];
  /** Activities run at once; the SDK's default (100) when not given. */
  maxConcurrentActivityTaskExecutions?: number;
  /** Workflows kept in memory between tasks; defaultMaxCachedWorkflows() when not given. */
  maxCachedWorkflows?: number;
}): Promise<Worker> {
  return Worker.create({
    connection: args.connection,
    namespace: args.namespace,
    taskQueue: args.taskQueue,
    dataConverter: piiDataConverter(piiOf(args.db)),
    activities: createActivities({ db: args.db, sources: args.sources, temporal: args.temporal, notify: args.notify, ...(args.noticePolicy ? { noticePolicy: args.noticePolicy } : {}), ...(args.pointsPolicy ? { points: args.pointsPolicy } : {}) }),
    ...(args.workflowBundle ? { workflowBundle: args.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    ...(args.interceptors ? { interceptors: args.interceptors } : {}),
    ...(args.maxConcurrentActivityTaskExecutions !== undefined ? { maxConcurrentActivityTaskExecutions: args.maxConcurrentActivityTaskExecutions } : {}),
    maxCachedWorkflows: args.maxCachedWorkflows ?? defaultMaxCachedWorkflows(),
  });
}

/** MiB of V8 heap budgeted per cached workflow: measured 2.1–2.5 MiB each (bench:alerts), with headroom. */
export const CACHED_WORKFLOW_BUDGET_MIB = 4;

/**
 * How many workflows the worker keeps in memory: (V8 heap limit − 200 MiB) ÷ 4 MiB, at least 10.
 * The SDK's own default budgets 1.7 MiB per workflow; ours cost 2.1–2.5 MiB (the bundle with its schemas),
 * and with that default a worker holding a district's open alerts filled its heap and died (bench:alerts,
 * docs/benchmarks.md). An evicted workflow is replayed from its (short, continued-as-new) history when it
 * next has work. Source: ours.
 */
export function defaultMaxCachedWorkflows(): number {
  const heapMiB = getHeapStatistics().heap_size_limit / 2 ** 20;
  return Math.max(10, Math.floor((heapMiB - 200) / CACHED_WORKFLOW_BUDGET_MIB));
}
