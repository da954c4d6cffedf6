import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readSync, closeSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { freePort, type Managed } from '../scripts/lib/proc';
import { startTemporal, TEMPORAL_SQLITE_PRAGMAS } from '../scripts/lib/stack';
import { ensureTemporalCli } from '../scripts/lib/tools';
import { filesystemOf, fmt, installQuietRuntime, log, onTeardown, parseFlags, procCpuSeconds, ratio, runBench, runPool, statsOf, table, writeResults, type LatencyStats } from './lib';
import type { tinyWorkflow } from './workflows';

/*
 * `npm run bench:temporal-sqlite [-- --n 1000 --concurrency 32 --rounds 2]`
 *
 * Does TEMPORAL_SQLITE_PRAGMAS (scripts/lib/stack.ts: journal_mode=wal, synchronous=normal) pay for
 * itself? The dev server is started on an SQLite file under a temp dir, once with those pragmas and
 * once with none, and the same load runs against each: N tiny workflows started and awaited to
 * completion with a fixed concurrency, by an in-process worker. Rounds alternate which goes first, so
 * neither always meets a cold page cache or a warm one.
 *
 * Flags: --n (workflows per run, 1000) --concurrency (32) --rounds (2) --warmup (per run, 50)
 *        --max-minutes (20: past it, everything is stopped and the run fails)
 */

const flags = parseFlags(process.argv.slice(2), { n: 1000, concurrency: 32, rounds: 2, warmup: 50, 'max-minutes': 20 });
const N = flags.n as number;
const CONCURRENCY = flags.concurrency as number;
const ROUNDS = flags.rounds as number;
const WARMUP = flags.warmup as number;
const TASK_QUEUE = 'bench-sqlite';

interface Variant {
  name: string;
  pragmas: string[];
}
const VARIANTS: Variant[] = [
  { name: TEMPORAL_SQLITE_PRAGMAS.join(' '), pragmas: TEMPORAL_SQLITE_PRAGMAS },
  { name: 'no pragmas (SQLite defaults)', pragmas: [] },
];

interface RunResult {
  variant: string;
  round: number;
  stats: LatencyStats;
  latencies: number[];
  /** CPU seconds the server used during the timed load. */
  serverCpuS: number | null;
  /** From the database file's header: bytes 18/19 are 2 in WAL mode, 1 in rollback-journal mode. */
  walMode: boolean;
  files: { dbBytes: number; walBytes: number | null };
}

/** Header bytes 18 and 19 of an SQLite database: the file format's write and read versions. */
function sqliteFormatVersions(file: string): [number, number] {
  const fd = openSync(file, 'r');
  try {
    const header = Buffer.alloc(20);
    readSync(fd, header, 0, 20, 0);
    return [header[18]!, header[19]!];
  } finally {
    closeSync(fd);
  }
}

/** Runs `fn` with a dev server on a fresh SQLite file; everything it started is stopped after, also on abort. */
async function withServer<T>(pragmas: string[], label: string, fn: (address: string, server: Managed, dbFile: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'jiuzhu-sqlite-bench-'));
  const dbFile = join(dir, 'temporal.db');
  const port = await freePort();
  let server: Managed | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  onTeardown(`${label} server`, stop);
  try {
    server = await startTemporal({ port, dbFile, pragmas, logFile: join(dir, 'temporal.log') }, log);
    return await fn(`127.0.0.1:${port}`, server, dbFile);
  } catch (err) {
    const logFile = join(dir, 'temporal.log');
    if (existsSync(logFile)) {
      const tail = spawnSync('tail', ['-n', '5', logFile], { encoding: 'utf8' }).stdout.trim();
      if (tail) (err as Error).message += `\n  server log:\n  ${tail.replace(/\n/g, '\n  ')}`;
    }
    throw err;
  } finally {
    await stop();
  }
}

await runBench('temporal-sqlite', flags['max-minutes'] as number, async () => {
  const startedAt = new Date();
  installQuietRuntime();
  const cli = await ensureTemporalCli(log);
  const cliVersion = spawnSync(cli, ['--version'], { encoding: 'utf8' }).stdout.trim();
  log(`${cliVersion}; temp dir on ${filesystemOf(tmpdir()) ?? 'unknown filesystem'}; ${cpus().length} CPUs`);
  log('bundling bench/workflows.ts…');
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)),
    logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m: string) => console.error(m) },
  });

  // The CLI passes every --sqlite-pragma through to the driver's DSN without checking the name, so a
  // successful start proves nothing about a typo: the WAL check below reads the file itself.
  log('probe: does the CLI refuse an unknown pragma?');
  let unknownPragma: { accepted: boolean; error?: string };
  try {
    await withServer(['jiuzhu_no_such_pragma=1'], 'probe', async () => undefined);
    unknownPragma = { accepted: true };
  } catch (err) {
    unknownPragma = { accepted: false, error: (err as Error).message };
  }
  log(`probe: --sqlite-pragma jiuzhu_no_such_pragma=1 ${unknownPragma.accepted ? 'was accepted: the CLI does not validate pragma names' : `was refused: ${unknownPragma.error}`}`);

  const run = (variant: Variant, round: number): Promise<RunResult> =>
    withServer(variant.pragmas, variant.name, async (address, server, dbFile) => {
      const nativeConnection = await NativeConnection.connect({ address });
      const worker = await Worker.create({ connection: nativeConnection, taskQueue: TASK_QUEUE, workflowBundle, activities: {} });
      const running = worker.run();
      const connection = await Connection.connect({ address });
      const client = new Client({ connection });
      try {
        const execute = (id: string, i: number) => client.workflow.execute<typeof tinyWorkflow>('tinyWorkflow', { workflowId: id, taskQueue: TASK_QUEUE, args: [i] }).then(() => undefined);
        await runPool('warm-up', WARMUP, CONCURRENCY, (i) => execute(`warm-${i}`, i), { quiet: true });
        const cpu0 = procCpuSeconds(server.child.pid);
        const latencies: number[] = [];
        const label = `round ${round}, ${variant.name}`;
        log(`${label}: ${N} workflows, concurrency ${CONCURRENCY}…`);
        const stats = await runPool(label, N, CONCURRENCY, (i) => execute(`wf-${i}`, i), { sink: latencies });
        const cpu1 = procCpuSeconds(server.child.pid);
        const [write, read] = sqliteFormatVersions(dbFile);
        const wal = `${dbFile}-wal`;
        const result: RunResult = {
          variant: variant.name,
          round,
          stats,
          latencies,
          serverCpuS: cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : null,
          walMode: write === 2 && read === 2,
          files: { dbBytes: statSync(dbFile).size, walBytes: existsSync(wal) ? statSync(wal).size : null },
        };
        log(`${label}: ${fmt(stats.rate)} workflows/s, p50 ${fmt(stats.p50)} ms, p99 ${fmt(stats.p99)} ms; database in ${result.walMode ? 'WAL' : 'rollback-journal'} mode`);
        return result;
      } finally {
        worker.shutdown();
        await running.catch(() => undefined);
        await connection.close();
        await nativeConnection.close();
      }
    });

  const runs: RunResult[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const variant of round % 2 === 1 ? VARIANTS : [...VARIANTS].reverse()) runs.push(await run(variant, round));
  }

  // Per variant: all rounds' latencies together; the rate over the summed time of its runs.
  const summary = VARIANTS.map((v) => {
    const mine = runs.filter((r) => r.variant === v.name);
    const wallMs = mine.reduce((t, r) => t + r.stats.wallMs, 0);
    const cpu = mine.every((r) => r.serverCpuS !== null) ? mine.reduce((t, r) => t + r.serverCpuS!, 0) : null;
    const stats = statsOf(mine.flatMap((r) => r.latencies), wallMs, mine.reduce((t, r) => t + r.stats.errors, 0));
    return { variant: v.name, pragmas: v.pragmas, stats, serverCpuMsPerWorkflow: cpu === null ? null : (cpu * 1000) / stats.ops, walMode: mine.every((r) => r.walMode) };
  });
  const [tuned, plain] = summary as [(typeof summary)[0], (typeof summary)[0]];

  const out: string[] = [''];
  out.push(`== Temporal dev server on SQLite: ${N} tiny workflows per run (start → complete), concurrency ${CONCURRENCY}, ${ROUNDS} round(s) ==`);
  out.push(`  ${cliVersion}; database under ${tmpdir()} on ${filesystemOf(tmpdir()) ?? 'unknown filesystem'}; ${cpus().length} CPUs`);
  out.push(
    table(
      ['pragmas', 'workflows', 'errors', 'time s', 'workflows/s', 'p50 ms', 'p99 ms', 'server CPU ms/wf', 'journal'],
      summary.map((s) => [s.variant, s.stats.ops, s.stats.errors, s.stats.wallMs / 1000, s.stats.rate, s.stats.p50, s.stats.p99, s.serverCpuMsPerWorkflow ?? NaN, s.walMode ? 'WAL' : 'rollback']),
    ),
  );
  out.push(`  ratio (${tuned.variant} / none): throughput ${fmt(ratio(tuned.stats.rate, plain.stats.rate))}×, p50 ${fmt(ratio(tuned.stats.p50, plain.stats.p50))}×, p99 ${fmt(ratio(tuned.stats.p99, plain.stats.p99))}×`);
  out.push('  per run:');
  out.push(
    table(
      ['round', 'pragmas', 'workflows/s', 'p50 ms', 'p99 ms'],
      runs.map((r) => [String(r.round), r.variant, r.stats.rate, r.stats.p50, r.stats.p99]),
    ),
  );
  out.push(
    `  pragma names: ${TEMPORAL_SQLITE_PRAGMAS.map((p) => `--sqlite-pragma ${p}`).join(', ')} accepted at start;` +
      ` an unknown name (jiuzhu_no_such_pragma=1) was ${unknownPragma.accepted ? 'accepted too — the CLI does not check names' : 'refused'}.`,
    `  journal_mode took effect: ${tuned.walMode ? 'yes' : 'NO'} (file header); without pragmas: ${plain.walMode ? 'WAL (unexpected)' : 'rollback journal'}. synchronous is per connection and cannot be read back from the file.`,
  );
  console.log(out.join('\n'));

  const file = writeResults('temporal-sqlite', {
    benchmark: 'temporal-sqlite',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    settings: { n: N, concurrency: CONCURRENCY, rounds: ROUNDS, warmup: WARMUP },
    environment: { node: process.version, cpus: cpus().length, temporalCli: cliVersion, tmpdir: tmpdir(), filesystem: filesystemOf(tmpdir()) ?? null },
    unknownPragma,
    summary,
    ratios: { throughput: ratio(tuned.stats.rate, plain.stats.rate), p50: ratio(tuned.stats.p50, plain.stats.p50), p99: ratio(tuned.stats.p99, plain.stats.p99) },
    runs: runs.map(({ latencies: _latencies, ...r }) => r),
  });
  log(`results written to ${file}`);
});
