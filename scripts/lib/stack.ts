import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import type { Config } from '../../config';
import { connectMongo } from '../../store/mongo';
import { ensureIndexes } from '../../store/indexes';
import { migrateReadModel } from '../../store/migrations';
import { piiKeyring } from '../../store/pii';
import { seedReferenceData } from '../../store/seed';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { freePort, startManaged, supervise, waitForPort, type Managed, type RestartPolicy } from './proc';
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
  /** Further namespaces to create at start, each with the search attributes (the suite's isolated ones). */
  extraNamespaces?: string[];
  pragmas?: string[];
  /** Restart the server when it dies (scripts/lib/proc.ts `supervise`); default: no restart. */
  restart?: RestartPolicy;
  /** In a process group of its own (scripts/lib/proc.ts `startManaged`): a terminal's Ctrl-C does not reach it. */
  ownProcessGroup?: boolean;
}

/** Starts the Temporal CLI dev server and waits until it answers; supervised when `opts.restart` is given. */
export async function startTemporal(opts: TemporalServerOptions, log: Log): Promise<Managed> {
  const once = () => startTemporalOnce(opts, log);
  return opts.restart ? supervise('temporal', once, opts.restart) : once();
}

async function startTemporalOnce(opts: TemporalServerOptions, log: Log): Promise<Managed> {
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
  for (const ns of opts.extraNamespaces ?? []) args.push('--namespace', ns);
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);
  const proc = startManaged('temporal', cli, args, { logFile: opts.logFile, ownProcessGroup: opts.ownProcessGroup });
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
  /** PostgreSQL's port (default: a free one at each start; a restart keeps it, FerretDB's URL names it). */
  postgresPort?: number;
  /**
   * Restart each server when it dies (scripts/lib/proc.ts `supervise`): PostgreSQL on the same port after
   * its crash recovery (a stale postmaster.pid cleared), FerretDB on the same address. Default: no restart.
   */
  restart?: RestartPolicy;
  /** Each server in a process group of its own (scripts/lib/proc.ts `startManaged`): a terminal's Ctrl-C does not reach it. */
  ownProcessGroup?: boolean;
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
  /** Starts one server and waits for its port: once, or under a supervisor that restarts it the same way. */
  const run = async (name: string, start: () => Managed | Promise<Managed>, port: number) => {
    const once = async () => {
      const proc = await start();
      try {
        await waitForPort(port, proc, 30_000, hint);
      } catch (err) {
        await proc.stop();
        throw err;
      }
      return proc;
    };
    servers.push(opts.restart ? await supervise(name, once, opts.restart) : await once());
  };
  if (server.kind === 'mongod') {
    await run('mongod', () => startManaged('mongod', server.path, ['--dbpath', opts.dataDir, '--port', String(opts.port), '--bind_ip', '127.0.0.1', '--quiet'], { logFile: opts.logFile, ownProcessGroup: opts.ownProcessGroup }), opts.port);
    return model('mongod');
  }
  const common = [`--listen-addr=127.0.0.1:${opts.port}`, '--telemetry=disable', '--debug-addr=-', '--log-level=warn'];
  if (opts.backend === 'sqlite') {
    await run('ferretdb', () => startManaged('ferretdb', server.path, ['--handler=sqlite', `--sqlite-url=file:${opts.dataDir}/`, `--state-dir=${opts.dataDir}`, ...common], { logFile: opts.logFile, ownProcessGroup: opts.ownProcessGroup }), opts.port);
    return model('ferretdb-sqlite');
  }
  const pgOpts = { dataDir: join(opts.dataDir, 'postgres'), port: opts.postgresPort ?? (await freePort()), logFile: opts.logFile, ownProcessGroup: opts.ownProcessGroup };
  let postgresUrl = '';
  const startPg = async () => {
    const pg = await startPostgres(pgOpts, log);
    postgresUrl = pg.url;
    return pg;
  };
  servers.push(opts.restart ? await supervise('postgres', startPg, opts.restart) : await startPg());
  try {
    const state = join(opts.dataDir, 'ferretdb');
    mkdirSync(state, { recursive: true });
    // A pool larger than our processes can hold at once (store/mongo.ts MAX_POOL_SIZE); PostgreSQL allows 500.
    const url = `${postgresUrl}?pool_max_conns=400`;
    await run('ferretdb', () => startManaged('ferretdb', server.path, ['--handler=postgresql', `--postgresql-url=${url}`, `--state-dir=${state}`, ...common], { logFile: opts.logFile, ownProcessGroup: opts.ownProcessGroup }), opts.port);
  } catch (err) {
    await model('ferretdb-postgresql').stop();
    throw err;
  }
  return model('ferretdb-postgresql', postgresUrl);
}

/** The processes of the local stack by name; absent when the server is external (TEMPORAL_ADDRESS, MONGODB_URI) or mongod stands in. */
export type StackProcess = 'temporal' | 'postgres' | 'ferretdb' | 'mongod' | 'worker' | 'api';

export interface LocalStack {
  /** Every process in start order (stopped in reverse). */
  all: Managed[];
  byName: Partial<Record<StackProcess, Managed>>;
  /** FerretDB's PostgreSQL when the read model is the local default. */
  postgresUrl?: string;
  stop(): Promise<void>;
}

/**
 * The local stack behind `npm start` (and `npm run chaos`): the Temporal dev server (SQLite under
 * DATA_DIR) unless TEMPORAL_ADDRESS, the read model (FerretDB on a private PostgreSQL cluster, or mongod)
 * unless MONGODB_URI, the indexes and the org-tree seed, then the worker and the API (node with tsx's
 * loader: one process each, so a signal reaches it directly), waiting until the API listens.
 * With `restart`, every child is supervised (scripts/lib/proc.ts `supervise`): one that dies is restarted
 * with backoff instead of the stack stopping. `env`: added to the worker's and the API's environment.
 * `inherit`: the worker and the API write to our stdout/stderr (else to `<logsDir>/<name>.log`).
 * `ownProcessGroups`: every child in a process group of its own, so that a terminal's Ctrl-C reaches only the
 * caller, which stops them in order with `stop()` (API first, servers last: `npm start`).
 * @throws MissingToolError without a server's binaries; Error when a first start fails (what started is stopped).
 */
export async function startLocalStack(
  config: Config,
  o: { log: Log; logsDir: string; root: string; restart?: RestartPolicy; inherit?: boolean; env?: NodeJS.ProcessEnv; ownProcessGroups?: boolean },
): Promise<LocalStack> {
  const { log } = o;
  mkdirSync(o.logsDir, { recursive: true });
  const logs = (name: string) => join(o.logsDir, `${name}.log`);
  const all: Managed[] = [];
  const byName: LocalStack['byName'] = {};
  const stack: LocalStack = {
    all,
    byName,
    async stop() {
      for (const proc of [...all].reverse()) await proc.stop();
    },
  };
  try {
    if (config.temporal.external) log(`Temporal: using ${config.temporal.address} (TEMPORAL_ADDRESS)`);
    else {
      log(`starting Temporal dev server on ${config.temporal.address} (data: ${join(config.dataDir, 'temporal.db')})`);
      const t = await startTemporal(
        { port: config.local.temporalPort, uiPort: config.local.temporalUiPort, dbFile: join(config.dataDir, 'temporal.db'), logFile: logs('temporal'), namespace: config.temporal.namespace, restart: o.restart, ownProcessGroup: o.ownProcessGroups },
        log,
      );
      all.push(t);
      byName.temporal = t;
    }
    // The worker and the API read FERRETDB_POSTGRESQL_URL to add the read model's SQL indexes.
    const childEnv: NodeJS.ProcessEnv = { ...o.env };
    if (config.mongodb.external) log(`MongoDB: using ${config.mongodb.uri.replace(/\/\/[^@/]*@/, '//***@')} (MONGODB_URI)`);
    else {
      log(`starting the read model on ${config.mongodb.uri} (data: ${join(config.dataDir, 'read-model')})`);
      const readModel = await startMongo({ port: config.local.mongodbPort, dataDir: join(config.dataDir, 'read-model'), logFile: logs('read-model'), restart: o.restart, ownProcessGroup: o.ownProcessGroups }, log);
      all.push(...readModel.servers);
      for (const s of readModel.servers) byName[s.name as StackProcess] = s;
      log(`read model: ${readModel.kind}${readModel.postgresUrl ? ` (PostgreSQL: ${readModel.postgresUrl})` : ''}`);
      if (readModel.postgresUrl) childEnv.FERRETDB_POSTGRESQL_URL = readModel.postgresUrl;
      stack.postgresUrl = readModel.postgresUrl;
    }

    const { client, db } = await connectMongo(config.mongodb.uri, config.mongodb.db, piiKeyring(config.pii));
    try {
      // Before the indexes: data of an older version gets what they need (households their blind indexes).
      for (const m of await migrateReadModel(db)) log(`read-model migration ${m.id}: ${m.changed} documents`);
      await ensureIndexes(db, { postgresUrl: childEnv.FERRETDB_POSTGRESQL_URL ?? config.mongodb.postgresUrl });
      const seeded = await seedReferenceData(db);
      log(`org tree: ${seeded.units} units loaded${seeded.calendarYears.length ? `; holiday calendar ${seeded.calendarYears.join(', ')} added` : ''}`);
    } finally {
      await client.close();
    }

    const node = (entry: string) => ['--import', 'tsx', join(o.root, entry)];
    const child = (name: 'worker' | 'api', entry: string, port?: number) => async () => {
      const proc = startManaged(name, process.execPath, node(entry), { inherit: o.inherit, logFile: o.inherit ? undefined : logs(name), cwd: o.root, env: childEnv, ownProcessGroup: o.ownProcessGroups });
      if (port !== undefined) {
        try {
          await waitForPort(port, proc, 60_000, o.inherit ? '' : ` (see ${logs(name)})`);
        } catch (err) {
          await proc.stop();
          throw err;
        }
      }
      return proc;
    };
    for (const [name, entry, port] of [['worker', 'worker/main.ts', undefined], ['api', 'api/server.ts', config.port]] as const) {
      const start = child(name, entry, port);
      const proc = o.restart ? await supervise(name, start, o.restart) : await start();
      all.push(proc);
      byName[name] = proc;
    }
  } catch (err) {
    await stack.stop();
    throw err;
  }
  return stack;
}
