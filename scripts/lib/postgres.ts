import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { startManaged, waitForPort, type Managed } from './proc';
import { MissingToolError, which } from './tools';

type Log = (line: string) => void;

/**
 * A private PostgreSQL cluster for the local read model (FerretDB's backend): created under the stack's
 * data directory with initdb, run as a plain child process on a loopback port, stopped with the stack.
 * No system service is touched. PostgreSQL refuses to run as root, so as root the cluster runs as the
 * `postgres` user (Debian's package creates it; `nobody` otherwise) with CAP_DAC_READ_SEARCH, which lets it
 * reach a data directory below folders that only root may enter (mkdtemp's 0700, /root). Source: ours.
 */

/** Server settings of the local cluster, written into postgresql.conf at initdb and passed on every start. */
export const POSTGRES_SETTINGS: Record<string, string> = {
  listen_addresses: '127.0.0.1',
  // TCP only: a socket path under a deep DATA_DIR exceeds the 107-byte limit of unix sockets.
  unix_socket_directories: '',
  // FerretDB binds the key and the value of every pushed-down filter (`_jsonb->$1 @> $2`); under a generic
  // plan no index serves that. A custom plan sees the literal key and uses the expression indexes (store/indexes.ts).
  plan_cache_mode: 'force_custom_plan',
  // On (PostgreSQL's default): a write FerretDB acknowledged survives the server's death. Off, a SIGKILL of
  // the server lost the last ~half second of acknowledged projections — events, a closure — and the
  // workflow, told they were written, never wrote them again (`npm run chaos`, docs/chaos.md). Set again on
  // every start (-c), so it also overrides clusters created with 'off'.
  synchronous_commit: 'on',
  shared_buffers: '256MB',
  // FerretDB's pool (scripts/lib/stack.ts) plus the index maintenance and a psql or two.
  max_connections: '500',
  log_min_messages: 'warning',
  log_checkpoints: 'off',
};

export const POSTGRES_USER = 'jiuzhu';
export const POSTGRES_DATABASE = 'jiuzhu';

/**
 * The directory holding PostgreSQL's server binaries (initdb, postgres): POSTGRES_BIN, then
 * `pg_config --bindir`, then the newest /usr/lib/postgresql/<n>/bin (Debian), then `initdb` on PATH.
 * @throws MissingToolError naming what to install, or MONGODB_URI as the alternative.
 */
export function findPostgresBin(env: NodeJS.ProcessEnv = process.env, debian = '/usr/lib/postgresql'): string {
  const hasServer = (dir: string) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'));
  if (env.POSTGRES_BIN) {
    if (hasServer(env.POSTGRES_BIN)) return env.POSTGRES_BIN;
    throw new MissingToolError(`POSTGRES_BIN=${env.POSTGRES_BIN} has no initdb and postgres`);
  }
  const pgConfig = which('pg_config', env.PATH);
  if (pgConfig) {
    const dir = spawnSync(pgConfig, ['--bindir'], { encoding: 'utf8' }).stdout.trim();
    if (dir && hasServer(dir)) return dir;
  }
  if (existsSync(debian)) {
    const versions = readdirSync(debian).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (hasServer(join(debian, v, 'bin'))) return join(debian, v, 'bin');
  }
  const initdb = which('initdb', env.PATH);
  if (initdb && hasServer(join(initdb, '..'))) return join(initdb, '..');
  throw new MissingToolError(
    'the local read model needs the PostgreSQL server (apt-get install postgresql, or set POSTGRES_BIN to its bin folder) — or set MONGODB_URI=mongodb://host:27017/ to use a running MongoDB',
  );
}

/** As root: the user the cluster runs as, and the setpriv prefix that switches to it. */
function unprivileged(): { uid: number; gid: number; prefix: string[] } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const user = spawnSync('id', ['-u', 'postgres']).status === 0 ? 'postgres' : 'nobody';
  const uid = Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', user], { encoding: 'utf8' }).stdout.trim());
  const setpriv = which('setpriv');
  if (!setpriv) throw new MissingToolError('running the local PostgreSQL as root needs setpriv (apt-get install util-linux), or run as a normal user');
  return {
    uid,
    gid,
    prefix: [setpriv, `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--inh-caps=+dac_read_search', '--ambient-caps=+dac_read_search'],
  };
}

export interface PostgresServer extends Managed {
  /** postgres://jiuzhu@127.0.0.1:<port>/jiuzhu */
  url: string;
}

/**
 * Starts the cluster in `dataDir` on `port` (creating it on first use) and waits until it answers;
 * `ownProcessGroup`: in a process group of its own (scripts/lib/proc.ts `startManaged`).
 * A second start on the same directory finds the data of the first.
 * @throws MissingToolError without PostgreSQL's server binaries; Error when initdb fails or the server
 *   does not answer within 60 s (the message points at the log file).
 */
export async function startPostgres(opts: { dataDir: string; port: number; logFile?: string; ownProcessGroup?: boolean }, log: Log): Promise<PostgresServer> {
  const bin = findPostgresBin();
  const as = unprivileged();
  const run = (cmd: string, args: string[]) => (as ? [as.prefix[0]!, [...as.prefix.slice(1), cmd, ...args]] : [cmd, args]) as [string, string[]];

  if (!existsSync(join(opts.dataDir, 'PG_VERSION'))) {
    log(`postgres: creating a cluster in ${opts.dataDir}`);
    mkdirSync(opts.dataDir, { recursive: true });
    chmodSync(opts.dataDir, 0o700);
    if (as) chownSync(opts.dataDir, as.uid, as.gid);
    const [cmd, args] = run(join(bin, 'initdb'), ['-D', opts.dataDir, '-U', POSTGRES_USER, '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-instructions']);
    const init = spawnSync(cmd, args, { encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`postgres: initdb failed: ${(init.stderr || init.stdout).trim().split('\n').slice(-3).join(' ')}`);
    // Auth stays `trust` on loopback only (listen_addresses above): a development cluster, never exposed.
    const conf = Object.entries(POSTGRES_SETTINGS).map(([k, v]) => `${k} = '${v}'`).join('\n');
    writeFileSync(join(opts.dataDir, 'postgresql.auto.conf'), `# written by jiuzhu (scripts/lib/postgres.ts)\n${conf}\n`);
    if (as) chownSync(join(opts.dataDir, 'postgresql.auto.conf'), as.uid, as.gid);
  }
  const stale = clearStalePidFile(opts.dataDir);
  if (stale) log(`postgres: removed a stale postmaster.pid (pid ${stale} ${existsSync(`/proc/${stale}`) ? 'is another program now' : 'is gone'}); PostgreSQL recovers from its WAL`);
  const [cmd, args] = run(join(bin, 'postgres'), ['-D', opts.dataDir, '-p', String(opts.port), ...Object.entries(POSTGRES_SETTINGS).flatMap(([k, v]) => ['-c', `${k}=${v}`])]);
  // SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for every client to disconnect).
  const proc = startManaged('postgres', cmd, args, { logFile: opts.logFile, stopSignal: 'SIGINT', ownProcessGroup: opts.ownProcessGroup });
  const hint = opts.logFile ? ` (see ${opts.logFile})` : '';
  await waitForPort(opts.port, proc, 60_000, hint);
  const url = `postgres://${POSTGRES_USER}@127.0.0.1:${opts.port}/${POSTGRES_DATABASE}`;
  await createDatabaseIfMissing(`postgres://${POSTGRES_USER}@127.0.0.1:${opts.port}/postgres`, POSTGRES_DATABASE, 30_000, hint);
  return Object.assign(proc, { url });
}

/**
 * After a crash (SIGKILL, power cut) the data directory keeps `postmaster.pid` naming the dead server.
 * PostgreSQL removes it itself when that pid is gone, but refuses to start when the pid now belongs to
 * another process of the same user ("lock file already exists") — likely after a reboot or on a busy
 * machine. Removes the file when its pid is not a running `postgres`; returns that pid, or undefined when
 * there was no file or its server is running. Shared memory left by the dead server's backends is
 * PostgreSQL's own check: it refuses while they linger (they exit once they notice the postmaster's death)
 * and the supervisor's next attempt succeeds. Source: ours; PostgreSQL docs §19.3 (postmaster.pid).
 */
export function clearStalePidFile(dataDir: string): number | undefined {
  const file = join(dataDir, 'postmaster.pid');
  let pid: number;
  try {
    pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) {
    rmSync(file, { force: true });
    return pid;
  }
  let command = '';
  try {
    command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
  } catch {
    // no such process
  }
  if (/(^|\/)postgres$/.test(command)) return undefined;
  rmSync(file, { force: true });
  return pid;
}

/** Waits for the server to accept queries (it listens a moment before), then creates the database once. */
async function createDatabaseIfMissing(adminUrl: string, database: string, timeoutMs: number, hint: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: adminUrl });
    try {
      await client.connect();
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (found.rowCount === 0) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
      return;
    } catch (err) {
      // 57P03: the database system is starting up.
      if (Date.now() > deadline) throw new Error(`postgres did not answer within ${timeoutMs} ms: ${(err as Error).message}${hint}`);
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
