import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig, type Config } from '../config';
import { connectMongo } from '../store/mongo';
import { ensureIndexes } from '../store/indexes';
import { seedReferenceData } from '../store/seed';
import { startManaged, waitForPort, type Managed } from './lib/proc';
import { startMongo, startTemporal } from './lib/stack';
import { MissingToolError } from './lib/tools';
import { buildWebIfMissing } from './lib/web';
import { piiKeyring } from '../store/pii';
import { migrateReadModel } from '../store/migrations';

// The local stack behind `npm start`: Temporal dev server (SQLite under DATA_DIR), a Mongo-compatible
// server (mongod, or FerretDB on a private PostgreSQL cluster; data under DATA_DIR/read-model), the org-tree seed, the worker and the API.
// Ctrl-C stops every child, API first, servers last. A second start finds all data of the first.

const log = (line: string) => console.log(`[jiuzhu] ${line}`);
const running: Managed[] = [];
let stopping = false;

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    log('stopping…');
    for (const proc of [...running].reverse()) await proc.stop();
  }
  process.exit(code);
}

async function waitReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not answer ready within ${timeoutMs / 1000} s`);
}

async function main(config: Config): Promise<void> {
  mkdirSync(join(config.dataDir, 'logs'), { recursive: true });
  const logs = (name: string) => join(config.dataDir, 'logs', `${name}.log`);

  if (config.temporal.external) log(`Temporal: using ${config.temporal.address} (TEMPORAL_ADDRESS)`);
  else {
    log(`starting Temporal dev server on ${config.temporal.address} (data: ${join(config.dataDir, 'temporal.db')})`);
    running.push(
      await startTemporal(
        { port: config.local.temporalPort, uiPort: config.local.temporalUiPort, dbFile: join(config.dataDir, 'temporal.db'), logFile: logs('temporal'), namespace: config.temporal.namespace },
        log,
      ),
    );
  }
  // The worker and the API read FERRETDB_POSTGRESQL_URL to add the read model's SQL indexes.
  const childEnv: NodeJS.ProcessEnv = {};
  if (config.mongodb.external) log(`MongoDB: using ${config.mongodb.uri.replace(/\/\/[^@/]*@/, '//***@')} (MONGODB_URI)`);
  else {
    log(`starting the read model on ${config.mongodb.uri} (data: ${join(config.dataDir, 'read-model')})`);
    const readModel = await startMongo({ port: config.local.mongodbPort, dataDir: join(config.dataDir, 'read-model'), logFile: logs('read-model') }, log);
    running.push(...readModel.servers);
    log(`read model: ${readModel.kind}${readModel.postgresUrl ? ` (PostgreSQL: ${readModel.postgresUrl})` : ''}`);
    if (readModel.postgresUrl) childEnv.FERRETDB_POSTGRESQL_URL = readModel.postgresUrl;
  }

  const { client, db } = await connectMongo(config.mongodb.uri, config.mongodb.db, piiKeyring(config.pii));
  // Before the indexes: data of an older version gets what they need (households their blind indexes).
  for (const m of await migrateReadModel(db)) log(`read-model migration ${m.id}: ${m.changed} documents`);
  await ensureIndexes(db, { postgresUrl: childEnv.FERRETDB_POSTGRESQL_URL ?? config.mongodb.postgresUrl });
  const seeded = await seedReferenceData(db);
  log(`org tree: ${seeded.units} units loaded${seeded.calendarYears.length ? `; holiday calendar ${seeded.calendarYears.join(', ')} added` : ''}`);
  await client.close();

  // node with tsx's loader rather than the tsx CLI: one process each, so a signal reaches it directly.
  const root = join(import.meta.dirname, '..');
  buildWebIfMissing(root, log);
  const node = (entry: string) => ['--import', 'tsx', join(root, entry)];
  running.push(startManaged('worker', process.execPath, node('worker/main.ts'), { inherit: true, cwd: root, env: childEnv }));
  const api = startManaged('api', process.execPath, node('api/server.ts'), { inherit: true, cwd: root, env: childEnv });
  running.push(api);
  for (const proc of running) void proc.exited.then((code) => {
    if (!stopping) {
      log(`${proc.name} exited unexpectedly (code ${code}); stopping the stack`);
      void stopAll(1);
    }
  });
  await waitForPort(config.port, api, 60_000);
  const base = `http://${config.host}:${config.port}`;
  await waitReady(`${base}/ready`, 60_000);
  log('ready:');
  log(`  API          ${base}`);
  log(`  API docs     ${base}/docs   (OpenAPI: ${base}/openapi.json)`);
  log(`  Workspace    ${base}/app/`);
  log(`  Temporal UI  ${config.temporal.external ? '(external server)' : config.temporal.uiUrl}`);
  // The token must be signed with this stack's secret, kept in DATA_DIR.
  const dataDirEnv = process.env.DATA_DIR ? `DATA_DIR=${process.env.DATA_DIR} ` : '';
  log(`  a token:     ${dataDirEnv}npm run token -- --role town_supervisor --org 371002001`);
  log('Ctrl-C stops everything.');
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

try {
  await main(loadConfig());
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`jiuzhu: configuration error: ${err.message}`);
    process.exit(2);
  }
  if (err instanceof MissingToolError) {
    console.error(`jiuzhu: ${err.message}`);
    process.exit(3);
  }
  console.error(`jiuzhu: ${(err as Error).message}`);
  await stopAll(1);
}
