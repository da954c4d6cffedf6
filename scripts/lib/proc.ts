import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { connect, createServer } from 'node:net';

/**
 * A child process we own: stopped with SIGTERM (or its own stop signal), then SIGKILL if it lingers. If we exit
 * while it runs — stopping or not: an exception, `process.exit`, a forced stop — it is killed (SIGKILL).
 */
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

/** How long a child's exit waits for its last output to reach its log file, ms. */
const LOG_FLUSH_MS = 2000;

/**
 * Starts `cmd` as a child we own (`Managed`): its output to `logFile` (appended), or to ours with `inherit`, or
 * dropped; `stopSignal` instead of SIGTERM to stop it; `ownProcessGroup`: in a process group of its own.
 */
export function startManaged(
  name: string,
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; logFile?: string; inherit?: boolean; stopSignal?: NodeJS.Signals; ownProcessGroup?: boolean } = {},
): Managed {
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    // In a process group (and session) of its own, a terminal's Ctrl-C — sent to the whole foreground group —
    // does not reach it: only our stop() does, so a stack stops in the order its owner chooses (scripts/dev.ts).
    detached: opts.ownProcessGroup === true,
    env: { ...process.env, ...opts.env },
    stdio: opts.inherit ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
  });
  let logged: Promise<void> = Promise.resolve();
  if (!opts.inherit) {
    if (opts.logFile) {
      const out = createWriteStream(opts.logFile, { flags: 'a' });
      // Both pipes into one file: neither ends it (the first to end would cut the other off); the child's
      // 'close' (both pipes drained) does, and the log is complete when the file has what they carried.
      child.stdout?.pipe(out, { end: false });
      child.stderr?.pipe(out, { end: false });
      logged = new Promise<void>((resolve) => {
        child.on('close', () => out.end(resolve));
        out.on('error', () => resolve());
      });
    } else {
      child.stdout?.resume();
      child.stderr?.resume();
    }
  }
  const exited = new Promise<number | null>((resolve) => {
    // 'exit' may come before the child's last lines are read (its pipes may still be open): PostgreSQL's
    // "database system is shut down" must reach the log before our owner exits. Bounded: a grandchild holding
    // a pipe open does not hold us.
    child.on('exit', (code) => void Promise.race([logged, new Promise((r) => setTimeout(r, LOG_FLUSH_MS).unref())]).then(() => resolve(code)));
    child.on('error', () => resolve(-1));
  });
  const managed: Managed = {
    name,
    child,
    exited,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) {
        await exited;
        return;
      }
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

/**
 * How a supervisor restarts a child that dies: after `initialDelayMs`, doubling with each consecutive quick
 * failure (a run shorter than `quickMs`, or a start that throws) up to `maxDelayMs`; a run that lasted
 * longer starts the count again. After `maxQuickFailures` quick failures in a row it gives up.
 * Defaults: 500 ms, ×2, 30 s, quick < 10 s, give up after 8. Source: ours (the shape of systemd's
 * Restart=on-failure with RestartSec/StartLimitBurst, and of Kubernetes' CrashLoopBackOff).
 */
export interface RestartPolicy {
  log: (line: string) => void;
  initialDelayMs?: number;
  maxDelayMs?: number;
  quickMs?: number;
  maxQuickFailures?: number;
  /** Called before each restart attempt (e.g. to clear a stale pid file); may throw to count as a failure. */
  beforeRestart?: () => void | Promise<void>;
}

/** The backoff before restart attempt `n` (1-based count of consecutive quick failures; 0 after a long run). */
export function restartDelay(quickFailures: number, policy: Pick<RestartPolicy, 'initialDelayMs' | 'maxDelayMs'> = {}): number {
  const initial = policy.initialDelayMs ?? 500;
  return Math.min(initial * 2 ** Math.max(0, quickFailures - 1), policy.maxDelayMs ?? 30_000);
}

/**
 * A child kept running: a Managed whose `child` is replaced by each restart. `exited` resolves only when it
 * is stopped or the supervisor gives up; `restarts` counts the restarts that came up.
 */
export interface Supervised extends Managed {
  restarts: number;
  /** The child running now. */
  readonly current: Managed;
}

/** How a child ended, in words: `exit code 1` or `signal SIGKILL`. */
export function endedBy(child: ChildProcess): string {
  return child.signalCode ? `signal ${child.signalCode}` : `exit code ${child.exitCode}`;
}

/**
 * Starts `start()` and restarts it whenever its child fails (a non-zero exit code or a signal), as a process supervisor would
 * (systemd, Kubernetes): logs which child ended, how (exit code or signal), and when the next attempt is
 * due; backs off exponentially on quick failures and gives up after `maxQuickFailures` of them (then
 * `exited` resolves, so the caller can stop the rest). The first start's failure is thrown to the caller.
 * Source: ours (issue 11, "Faults under load").
 */
export async function supervise(name: string, start: () => Promise<Managed>, policy: RestartPolicy): Promise<Supervised> {
  let current = await start();
  let startedAt = Date.now();
  let stopping = false;
  let quickFailures = 0;
  let wake: (() => void) | undefined;
  let resolveExited!: (code: number | null) => void;
  const exited = new Promise<number | null>((r) => (resolveExited = r));
  const sleep = (ms: number) => new Promise<void>((r) => {
    const t = setTimeout(r, ms);
    wake = () => { clearTimeout(t); r(); };
  });
  const maxQuick = policy.maxQuickFailures ?? 8;

  const supervised: Supervised = {
    name,
    restarts: 0,
    get current() { return current; },
    get child() { return current.child; },
    exited,
    async stop(graceMs?: number) {
      stopping = true;
      wake?.();
      await current.stop(graceMs);
      resolveExited(current.child.exitCode);
    },
  };

  void (async () => {
    for (;;) {
      const code = await current.exited;
      if (stopping) return;
      if (code === 0) {
        // Restart on failure only (systemd's Restart=on-failure): exit 0 is a child that was asked to stop
        // (Ctrl-C reaches the whole foreground group, a child without a group of its own too) or finished.
        policy.log(`${name} exited cleanly (exit code 0); not restarted`);
        resolveExited(code);
        return;
      }
      const ranMs = Date.now() - startedAt;
      quickFailures = ranMs < (policy.quickMs ?? 10_000) ? quickFailures + 1 : 1;
      policy.log(`${name} ended (${endedBy(current.child)}) after ${ranMs} ms`);
      for (;;) {
        if (quickFailures >= maxQuick) {
          policy.log(`${name}: giving up after ${maxQuick} quick failures in a row`);
          resolveExited(code);
          return;
        }
        const delay = restartDelay(quickFailures, policy);
        policy.log(`${name}: next attempt in ${delay} ms (quick failure ${quickFailures} of ${maxQuick})`);
        await sleep(delay);
        if (stopping) return;
        try {
          await policy.beforeRestart?.();
          const next = await start();
          if (stopping) {
            await next.stop();
            return;
          }
          current = next;
          startedAt = Date.now();
          supervised.restarts += 1;
          policy.log(`${name} restarted (pid ${next.child.pid})`);
          break;
        } catch (err) {
          policy.log(`${name} failed to restart: ${(err as Error).message.split('\n')[0]}`);
          quickFailures += 1;
        }
      }
    }
  })();
  return supervised;
}
