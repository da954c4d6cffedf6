import { join } from 'node:path';
import { ConfigError, loadConfig, type Config } from '../config';
import { endedBy, type Managed } from './lib/proc';
import { startLocalStack } from './lib/stack';
import { MissingToolError } from './lib/tools';
import { buildWebIfMissing } from './lib/web';

// The local stack behind `npm start`: Temporal dev server (SQLite under DATA_DIR), a Mongo-compatible
// server (mongod, or FerretDB on a private PostgreSQL cluster; data under DATA_DIR/read-model), the org-tree seed, the worker and the API.
// A child that dies is restarted with exponential backoff (scripts/lib/proc.ts `supervise`), logged with its
// exit code or signal and the next attempt's delay. Ctrl-C stops every child, API first, servers last: each
// child runs in a process group of its own, so the terminal's Ctrl-C (sent to the foreground group) reaches
// only us and scripts/start.mjs, and we stop the children one by one, each awaited (PostgreSQL's fast shutdown
// completes: no postmaster.pid left, no crash recovery at the next start). A second start finds all data of the first.

const log = (line: string) => console.log(`[jiuzhu] ${line}`);
const running: Managed[] = [];
let stopping: Promise<never> | undefined;
/** Settles when the stack's start has ended, `running` then holding what it started (nothing if it failed: it stopped what it had started). */
let stackStarted: Promise<void> = Promise.resolve();

/**
 * Stops every child, last started first, each awaited and logged (`stopped api (exit code 0)`), then exits.
 * Once: a later call waits for the first. Called while the stack is starting, it waits for the start to end
 * (a child half started is not ours to stop yet: startLocalStack owns it until it returns).
 */
function stopAll(code: number): Promise<never> {
  stopping ??= (async () => {
    log('stopping…');
    await stackStarted;
    for (const proc of [...running].reverse()) {
      await proc.stop();
      log(`stopped ${proc.name} (${endedBy(proc.child)})`);
    }
    process.exit(code);
  })();
  return stopping;
}

/**
 * One Ctrl-C arrives twice: the terminal sends SIGINT to its whole foreground group (start.mjs and us), and
 * start.mjs forwards what it gets (it cannot tell a terminal's signal from a `kill` of itself alone). Signals
 * within SAME_SIGNAL_MS of the first are that one; a signal after it — a Ctrl-C pressed again while the stack
 * stops — stops at once: the children still running are killed (SIGKILL, scripts/lib/proc.ts). Ours.
 */
const SAME_SIGNAL_MS = 2000;
let firstSignalAt: number | undefined;
function onSignal(signal: NodeJS.Signals): void {
  const now = Date.now();
  if (firstSignalAt === undefined) {
    firstSignalAt = now;
    void stopAll(0);
  } else if (now - firstSignalAt >= SAME_SIGNAL_MS) {
    log(`${signal} again: stopping at once (the children still running are killed)`);
    process.exit(130);
  }
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
  const starting = startLocalStack(config, { log, logsDir: join(config.dataDir, 'logs'), root, inherit: true, restart: { log }, ownProcessGroups: true });
  stackStarted = starting.then(
    (stack) => void running.push(...stack.all),
    () => undefined,
  );
  await starting;
  await stackStarted;
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

// SIGHUP: the terminal closed. Our children do not get it (their own groups): stop them as on Ctrl-C, and let
// writes to the closed terminal fail quietly instead of ending us before they are stopped.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => onSignal(signal));
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

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
