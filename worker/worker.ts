import { createRequire } from 'node:module';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { Db } from 'mongodb';
import { createActivities } from '../activities';
import type { DepartmentSource } from '../activities/departments/source';

const require = createRequire(import.meta.url);
export const WORKFLOWS_PATH = require.resolve('../workflows/index.ts');

/** The worker for every case workflow, over its connection and read-model database. */
export async function createWorker(args: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  db: Db;
  /** Where economic verification asks each department (see docs/departments.md); none: every department is recorded missing. */
  sources?: DepartmentSource[];
  /** For activities that act on other workflows (closing an alert converted into an application). */
  temporal?: Client;
  /** A prebuilt bundle (tests bundle once per file); otherwise the worker bundles at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Worker interceptors (the benchmarks count activity attempts with one); none by default. */
  interceptors?: WorkerOptions['interceptors'];
  /** Activities run at once; the SDK's default (100) when not given. */
  maxConcurrentActivityTaskExecutions?: number;
}): Promise<Worker> {
  return Worker.create({
    connection: args.connection,
    namespace: args.namespace,
    taskQueue: args.taskQueue,
    activities: createActivities({ db: args.db, sources: args.sources, temporal: args.temporal }),
    ...(args.workflowBundle ? { workflowBundle: args.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    ...(args.interceptors ? { interceptors: args.interceptors } : {}),
    ...(args.maxConcurrentActivityTaskExecutions !== undefined ? { maxConcurrentActivityTaskExecutions: args.maxConcurrentActivityTaskExecutions } : {}),
  });
}
