import { join } from 'node:path';
import { ConfigError, loadConfig, type Config } from '../config';
import type { Managed } from './lib/proc';
import { startLocalStack } from './lib/stack';
import { MissingToolError } from './lib/tools';
import { buildWebIfMissing } from './lib/web';

// The local stack behind `npm start`: Temporal dev server (SQLite under DATA_DIR), a Mongo-compatible
// server (mongod, or FerretDB on a private PostgreSQL cluster; data under DATA_DIR/read-model), the org-tree seed, the worker and the API.
// A child that dies is restarted with exponential backoff (scripts/lib/proc.ts `supervise`), logged with its
// exit code or signal and the next attempt's delay. Ctrl-C stops every child, API first, servers last.
// A second start finds all data of the first.

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
  const root = join(import.meta.dirname, '..');
  buildWebIfMissing(root, log);
  // A child that dies is restarted with backoff (logged), as a supervisor would in production; the stack
  // stops only when one keeps failing (the supervisor gives up) or on Ctrl-C.
  const stack = await startLocalStack(config, { log, logsDir: join(config.dataDir, 'logs'), root, inherit: true, restart: { log } });
  running.push(...stack.all);
  for (const proc of running) void proc.exited.then((code) => {
    if (!stopping) {
      log(`${proc.name} ${code === 0 ? 'stopped' : `keeps failing (last exit code ${code})`}; stopping the stack`);
      void stopAll(1);
    }
  });
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
