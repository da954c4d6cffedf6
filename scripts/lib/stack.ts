import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { startManaged, waitForPort, type Managed } from './proc';
import { ensureMongoServer, ensureTemporalCli } from './tools';

type Log = (line: string) => void;

/**
 * SQLite pragmas for the dev server's store. WAL lets the history and visibility writers proceed while
 * readers read; synchronous=NORMAL is safe with WAL (a power cut may lose the last commits, never corrupt).
 * Measured in bench/temporal-sqlite.ts (see docs/operations.md).
 */
export const TEMPORAL_SQLITE_PRAGMAS = ['journal_mode=wal', 'synchronous=normal'];

export interface TemporalServerOptions {
  port: number;
  uiPort?: number;
  /** SQLite file; omit for an in-memory server (tests). */
  dbFile?: string;
  logFile?: string;
  namespace?: string;
  pragmas?: string[];
}

export async function startTemporal(opts: TemporalServerOptions, log: Log): Promise<Managed> {
  const cli = await ensureTemporalCli(log);
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port), '--log-level', 'warn'];
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort));
  else args.push('--headless');
  if (opts.dbFile) {
    mkdirSync(join(opts.dbFile, '..'), { recursive: true });
    args.push('--db-filename', opts.dbFile);
    for (const pragma of opts.pragmas ?? TEMPORAL_SQLITE_PRAGMAS) args.push('--sqlite-pragma', pragma);
  }
  if (opts.namespace && opts.namespace !== 'default') args.push('--namespace', opts.namespace);
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);
  const proc = startManaged('temporal', cli, args, { logFile: opts.logFile });
  await waitForPort(opts.port, proc, 60_000, opts.logFile ? ` (see ${opts.logFile})` : '');
  await waitForTemporal(`127.0.0.1:${opts.port}`, 30_000);
  return proc;
}

/** The frontend accepts connections a little before it serves; wait for a real answer. */
export async function waitForTemporal(address: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`Temporal at ${address} did not answer: ${(lastError as Error)?.message}`);
}

export interface MongoServerOptions {
  port: number;
  dataDir: string;
  logFile?: string;
}

/** `mongod` if installed, otherwise FerretDB on SQLite; both with their data under dataDir. */
export async function startMongo(opts: MongoServerOptions, log: Log): Promise<Managed> {
  const server = await ensureMongoServer(log);
  mkdirSync(opts.dataDir, { recursive: true });
  const args =
    server.kind === 'mongod'
      ? ['--dbpath', opts.dataDir, '--port', String(opts.port), '--bind_ip', '127.0.0.1', '--quiet']
      : [
          '--handler=sqlite',
          `--sqlite-url=file:${opts.dataDir}/`,
          `--state-dir=${opts.dataDir}`,
          `--listen-addr=127.0.0.1:${opts.port}`,
          '--telemetry=disable',
          '--debug-addr=-',
          '--log-level=warn',
        ];
  const proc = startManaged(server.kind, server.path, args, { logFile: opts.logFile });
  await waitForPort(opts.port, proc, 30_000, opts.logFile ? ` (see ${opts.logFile})` : '');
  return proc;
}
