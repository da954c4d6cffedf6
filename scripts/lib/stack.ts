import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { freePort, startManaged, waitForPort, type Managed } from './proc';
import { startPostgres } from './postgres';
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
  /** The read model's data: the PostgreSQL cluster (`postgres/`) and FerretDB's state, or mongod's dbpath. */
  dataDir: string;
  logFile?: string;
  /** FerretDB's backend; `sqlite` only as the benchmarks' baseline. Default: PostgreSQL. */
  backend?: 'postgresql' | 'sqlite';
  /** PostgreSQL's port (default: a free one at each start). */
  postgresPort?: number;
}

/** The Mongo-compatible server of the local stack: the processes in start order, stopped in reverse. */
export interface LocalReadModel {
  kind: 'mongod' | 'ferretdb-postgresql' | 'ferretdb-sqlite';
  uri: string;
  /** FerretDB's PostgreSQL, for the expression indexes in store/indexes.ts. */
  postgresUrl?: string;
  servers: Managed[];
  stop(): Promise<void>;
}

/**
 * `mongod` if installed; otherwise FerretDB on a private PostgreSQL cluster (scripts/lib/postgres.ts);
 * all data under dataDir, so a second start finds the first's.
 * @throws MissingToolError without mongod, Go (to build FerretDB) or PostgreSQL's server binaries.
 */
export async function startMongo(opts: MongoServerOptions, log: Log): Promise<LocalReadModel> {
  const server = await ensureMongoServer(log);
  mkdirSync(opts.dataDir, { recursive: true });
  const uri = `mongodb://127.0.0.1:${opts.port}/`;
  const hint = opts.logFile ? ` (see ${opts.logFile})` : '';
  const servers: Managed[] = [];
  const model = (kind: LocalReadModel['kind'], postgresUrl?: string): LocalReadModel => ({
    kind,
    uri,
    postgresUrl,
    servers,
    async stop() {
      for (const proc of [...servers].reverse()) await proc.stop();
    },
  });
  if (server.kind === 'mongod') {
    servers.push(startManaged('mongod', server.path, ['--dbpath', opts.dataDir, '--port', String(opts.port), '--bind_ip', '127.0.0.1', '--quiet'], { logFile: opts.logFile }));
    await waitForPort(opts.port, servers[0]!, 30_000, hint);
    return model('mongod');
  }
  const common = [`--listen-addr=127.0.0.1:${opts.port}`, '--telemetry=disable', '--debug-addr=-', '--log-level=warn'];
  if (opts.backend === 'sqlite') {
    servers.push(startManaged('ferretdb', server.path, ['--handler=sqlite', `--sqlite-url=file:${opts.dataDir}/`, `--state-dir=${opts.dataDir}`, ...common], { logFile: opts.logFile }));
    await waitForPort(opts.port, servers[0]!, 30_000, hint);
    return model('ferretdb-sqlite');
  }
  const postgres = await startPostgres({ dataDir: join(opts.dataDir, 'postgres'), port: opts.postgresPort ?? (await freePort()), logFile: opts.logFile }, log);
  servers.push(postgres);
  try {
    const state = join(opts.dataDir, 'ferretdb');
    mkdirSync(state, { recursive: true });
    // A pool larger than our processes can hold at once (store/mongo.ts MAX_POOL_SIZE); PostgreSQL allows 500.
    const url = `${postgres.url}?pool_max_conns=400`;
    servers.push(startManaged('ferretdb', server.path, ['--handler=postgresql', `--postgresql-url=${url}`, `--state-dir=${state}`, ...common], { logFile: opts.logFile }));
    await waitForPort(opts.port, servers[1]!, 30_000, hint);
  } catch (err) {
    await model('ferretdb-postgresql').stop();
    throw err;
  }
  return model('ferretdb-postgresql', postgres.url);
}
