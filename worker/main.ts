import { DefaultLogger, NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { runWithConfig } from '../config';
import { connectMongo } from '../store/mongo';
import { ensureIndexes } from '../store/indexes';
import { migrateReadModel } from '../store/migrations';
import { createWorker } from './worker';
import { piiDataConverter } from './codec';
import { createFileSources } from '../activities/departments/file-source';
import { piiKeyring } from '../store/pii';
import { sweepUndelivered } from '../activities/notify';
import { sweepPairings } from '../activities/pairing';
import { OrgDirectory } from '../store/org-directory';

// The worker process: runs every case workflow and its activities until SIGINT/SIGTERM, then drains.
await runWithConfig(async (config) => {
  Runtime.install({
    logger: new DefaultLogger(config.logLevel === 'debug' || config.logLevel === 'trace' ? 'DEBUG' : 'INFO'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} } },
  });
  const mongo = await connectMongo(config.mongodb.uri, config.mongodb.db, piiKeyring(config.pii));
  // Migrations first: the unique index on households.headIdKey needs every household to have one
  // (2026-11-pii-at-rest computes it for households registered before encryption).
  for (const m of await migrateReadModel(mongo.db)) console.log(`worker: read-model migration ${m.id}: ${m.changed} documents`);
  await ensureIndexes(mongo.db, { postgresUrl: config.mongodb.postgresUrl });
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const sources = createFileSources(config.departmentDataDir);
  const clientConnection = await Connection.connect({ address: config.temporal.address });
  const temporal = new Client({ connection: clientConnection, namespace: config.temporal.namespace, dataConverter: piiDataConverter(piiKeyring(config.pii)) });
  const bundlePath = config.worker.workflowBundlePath;
  const worker = await createWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    db: mongo.db,
    sources,
    temporal,
    notify: config.notify,
    noticePolicy: config.policy.notices,
    pointsPolicy: config.policy.points,
    maxCachedWorkflows: config.worker.maxCachedWorkflows,
    ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : {}),
  });
  console.log(`worker: workflows ${bundlePath ? `from the prebuilt bundle ${bundlePath}` : 'bundled from source at start'}`);
  console.log(`worker: polling task queue ${config.temporal.taskQueue} on ${config.temporal.address}`);
  // The safety net of notice delivery (activities/notify.ts sweepUndelivered): a delivery whose start a crash
  // cut short, or a notice stored outside the projection, is started here.
  const sweep = config.notify.sweepSeconds > 0
    ? setInterval(() => {
        sweepUndelivered({ db: mongo.db, temporal, notify: config.notify }, config.temporal.taskQueue).catch((err: unknown) => console.error(`worker: notice delivery sweep failed: ${String(err)}`));
      }, config.notify.sweepSeconds * 1000)
    : undefined;
  // The safety net of pairing (activities/pairing.ts sweepPairings): a qualifying household whose pairing a
  // crash left unopened, or one registered before pairing existed, gets its pairing here.
  const orgs = new OrgDirectory(mongo.db);
  const pairingSweep = config.pairing.sweepSeconds > 0
    ? setInterval(() => {
        sweepPairings({ db: mongo.db, temporal, orgs, taskQueue: config.temporal.taskQueue, policy: config.policy.pairing }).catch((err: unknown) => console.error(`worker: pairing sweep failed: ${String(err)}`));
      }, config.pairing.sweepSeconds * 1000)
    : undefined;
  await worker.run(); // Worker installs its own SIGINT/SIGTERM handling and shuts down gracefully.
  if (sweep) clearInterval(sweep);
  if (pairingSweep) clearInterval(pairingSweep);
  await connection.close();
  await clientConnection.close();
  await mongo.client.close();
});
