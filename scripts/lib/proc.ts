import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { connect, createServer } from 'node:net';

/** A child process we own: stopped with SIGTERM (or its own stop signal), then SIGKILL if it lingers. */
export interface Managed {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  stop(graceMs?: number): Promise<void>;
}

const owned = new Set<Managed>();
// If we exit without stopping them (an exception, process.exit), children must not outlive us.
process.on('exit', () => {
  for (const m of owned) if (m.child.exitCode === null && m.child.pid) {
    try { process.kill(m.child.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
});

export function startManaged(
  name: string,
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; logFile?: string; inherit?: boolean; stopSignal?: NodeJS.Signals } = {},
): Managed {
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: opts.inherit ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
  });
  if (!opts.inherit) {
    if (opts.logFile) {
      const out = createWriteStream(opts.logFile, { flags: 'a' });
      child.stdout?.pipe(out);
      child.stderr?.pipe(out);
    } else {
      child.stdout?.resume();
      child.stderr?.resume();
    }
  }
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.on('error', () => resolve(-1));
  });
  const managed: Managed = {
    name,
    child,
    exited,
    async stop(graceMs = 10_000) {
      owned.delete(managed);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(opts.stopSignal ?? 'SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  owned.add(managed);
  void exited.then(() => owned.delete(managed));
  return managed;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

/** Waits until something listens on the port, failing early if the process dies first. */
export async function waitForPort(port: number, proc: Managed, timeoutMs: number, hint = ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let dead = false;
  void proc.exited.then(() => { dead = true; });
  while (Date.now() < deadline) {
    if (dead) throw new Error(`${proc.name} exited before listening on ${port}${hint}`);
    if (await portOpen(port)) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${proc.name} did not listen on ${port} within ${timeoutMs} ms${hint}`);
}
