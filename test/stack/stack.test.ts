import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, portOpen } from '../../scripts/lib/proc';
import { startMongo, startTemporal } from '../../scripts/lib/stack';
import { connectMongo } from '../../store/mongo';
import { insecureDevPiiKeys } from '../../config';
import { piiKeyring } from '../../store/pii';

const scratch = mkdtempSync(join(tmpdir(), 'jiuzhu-stack-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const alive = (pid: number | undefined) => {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
/** Processes whose command line mentions `text` (our data dirs are unique per test). */
const processesMentioning = (text: string) =>
  spawnSync('pgrep', ['-f', text], { encoding: 'utf8' }).stdout.split('\n').filter((pid) => pid && Number(pid) !== process.pid);

/** Every process below `pid`, found through /proc via pgrep -P. */
function descendants(pid: number): number[] {
  const children = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
  return children.flatMap((c) => [c, ...descendants(c)]);
}

async function eventuallyGone(pids: number[], timeoutMs = 3000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let left = pids.filter(alive);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    left = left.filter(alive);
  }
  return left;
}

describe('the local stack', () => {
  it('keeps workflows and documents across a restart of both servers, and leaves no process behind', async () => {
    const dir = join(scratch, 'restart');
    const [tPort, mPort] = [await freePort(), await freePort()];
    const log = () => undefined;
    let temporal = await startTemporal({ port: tPort, dbFile: join(dir, 'temporal.db') }, log);
    let mongo = await startMongo({ port: mPort, dataDir: join(dir, 'mongo') }, log);

    const connect = async () => {
      const connection = await Connection.connect({ address: `127.0.0.1:${tPort}` });
      return { connection, client: new Client({ connection }) };
    };
    let t = await connect();
    // No worker: the workflow just waits in the server's store.
    await t.client.workflow.start('alertWorkflow', { workflowId: 'persisted-1', taskQueue: 'nobody-polls', args: [] });
    await t.connection.close();
    let m = await connectMongo(`mongodb://127.0.0.1:${mPort}/`, 'persist', piiKeyring(insecureDevPiiKeys()));
    await m.db.collection('probe').insertOne({ _id: 'kept' as never, at: new Date() });
    await m.client.close();

    const pids = [temporal.child.pid, ...mongo.servers.map((s) => s.child.pid)];
    // The local default: FerretDB on a PostgreSQL cluster created from nothing in this directory.
    expect(mongo.kind).toBe('ferretdb-postgresql');
    expect(mongo.servers.map((s) => s.name)).toEqual(['postgres', 'ferretdb']);
    await Promise.all([temporal.stop(), mongo.stop()]);
    for (const pid of pids) expect(alive(pid)).toBe(false);
    expect(await portOpen(tPort)).toBe(false);
    expect(await portOpen(mPort)).toBe(false);

    temporal = await startTemporal({ port: tPort, dbFile: join(dir, 'temporal.db') }, log);
    mongo = await startMongo({ port: mPort, dataDir: join(dir, 'mongo') }, log);
    try {
      t = await connect();
      const described = await t.client.workflow.getHandle('persisted-1').describe();
      expect(described.status.name).toBe('RUNNING');
      await t.connection.close();
      m = await connectMongo(`mongodb://127.0.0.1:${mPort}/`, 'persist', piiKeyring(insecureDevPiiKeys()));
      expect(await m.db.collection('probe').findOne({ _id: 'kept' as never })).not.toBeNull();
      await m.client.close();
    } finally {
      await Promise.all([temporal.stop(), mongo.stop()]);
    }
    expect(processesMentioning(dir)).toEqual([]);
  });

  // Twice on the same data: the second start re-seeds a read model that is already there (it once hung
  // there, FerretDB's connections exhausted by one bulk write; store/mongo.ts). The first is stopped by a
  // SIGINT to start.mjs alone (`kill -INT`), the second as a terminal's Ctrl-C is delivered: to the whole
  // process group — start.mjs, dev.ts and, unless they have groups of their own, the servers. Both must stop
  // the children in order, API first, servers last, PostgreSQL's shutdown complete (a group SIGINT once counted
  // twice: dev.ts exited at the second and SIGKILLed the servers mid-shutdown).
  it.each([
    ['first', 'SIGINT to start.mjs'],
    ['second', 'SIGINT to its process group, as Ctrl-C at a terminal'],
  ])('`npm start` (%s time on the same data) brings everything up to ready, and a %s stops every child in order', async (time) => {
    const group = time === 'second';
    const dir = join(scratch, 'npm-start');
    const pgLog = join(dir, 'logs', 'read-model.log');
    const pgLogBefore = existsSync(pgLog) ? statSync(pgLog).size : 0;
    const ports = { PORT: await freePort(), TEMPORAL_PORT: await freePort(), TEMPORAL_UI_PORT: await freePort(), MONGODB_PORT: await freePort() };
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dir, LOG_LEVEL: 'warn', ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) };
    delete env.TEMPORAL_ADDRESS;
    delete env.MONGODB_URI;
    delete env.JWT_SECRET;
    delete env.NODE_ENV;
    // detached: start.mjs leads a process group of its own (as a shell's job does), which the signal can name.
    const child = spawn('node', ['scripts/start.mjs'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: group });
    let output = '';
    child.stdout.on('data', (b) => (output += b));
    child.stderr.on('data', (b) => (output += b));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let tree: number[] = [];
    try {
      const deadline = Date.now() + 100_000;
      while (!output.includes('Ctrl-C stops everything') && Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(output).toContain(`API          http://127.0.0.1:${ports.PORT}`);
      expect(output).toContain(`Temporal UI  http://127.0.0.1:${ports.TEMPORAL_UI_PORT}`);
      const ready = await fetch(`http://127.0.0.1:${ports.PORT}/ready`);
      expect(ready.status).toBe(200);
      expect(await portOpen(ports.TEMPORAL_UI_PORT)).toBe(true);
    } finally {
      tree = descendants(child.pid!);
      if (group) {
        process.kill(-child.pid!, 'SIGINT');
        // start.mjs forwards what it gets, so dev.ts gets this Ctrl-C twice; on a busy machine the second comes
        // a moment later. Played here for certain: one more SIGINT through start.mjs, well within 2 s. One stop.
        await new Promise((r) => setTimeout(r, 300));
        child.kill('SIGINT');
      } else child.kill('SIGINT');
      expect(await exited, output).toBe(0);
    }
    // API first, servers last, each awaited (dev.ts logs each as it has stopped).
    const stopped = [...output.matchAll(/\[jiuzhu\] stopped (\w+) \((exit code \d+|signal \w+)\)/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(stopped.map((line) => line.split(' ')[0])).toEqual(['api', 'worker', 'ferretdb', 'postgres', 'temporal']);
    // PostgreSQL finished its shutdown (not SIGKILLed midway): it says so last, and leaves no postmaster.pid.
    expect(stopped).toContain('postgres exit code 0');
    const pgLines = readFileSync(pgLog).subarray(pgLogBefore).toString('utf8').trim().split('\n');
    expect(pgLines.at(-1), pgLines.slice(-5).join('\n')).toMatch(/database system is shut down/);
    expect(existsSync(join(dir, 'read-model', 'postgres', 'postmaster.pid'))).toBe(false);
    // start.mjs → dev.ts → Temporal, FerretDB, worker, API (and esbuild helpers).
    expect(tree.length).toBeGreaterThanOrEqual(5);
    const commands = new Map(tree.map((pid) => [pid, spawnSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim()]));
    // Helper processes (esbuild's service) end when their parent's pipe closes: allow them a moment.
    const survivors = await eventuallyGone(tree);
    expect(survivors.map((pid) => `${pid} ${commands.get(pid)}`)).toEqual([]);
    for (const port of Object.values(ports)) expect(await portOpen(port)).toBe(false);
    expect(processesMentioning(dir)).toEqual([]);
  }, 150_000);
});
