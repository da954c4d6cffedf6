import { describe, expect, it } from 'vitest';
import { restartDelay, startManaged, supervise } from '../../scripts/lib/proc';
import { clearStalePidFile } from '../../scripts/lib/postgres';
import { mkdtempSync, existsSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The local stack's supervisor (scripts/lib/proc.ts): restart with backoff, logged; give up; exit 0 stays down. */
const node = (code: string) => () => Promise.resolve(startManaged('child', process.execPath, ['-e', code]));
const until = async (what: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('supervise', () => {
  it('restarts a child killed with SIGKILL, logging the signal and the next attempt', async () => {
    const lines: string[] = [];
    const s = await supervise('sleeper', node('setInterval(() => {}, 1000)'), { log: (l) => lines.push(l), initialDelayMs: 50 });
    const first = s.child;
    first.kill('SIGKILL');
    await until(() => s.restarts === 1);
    expect(s.child).not.toBe(first);
    expect(s.child.exitCode).toBeNull();
    expect(lines[0]).toMatch(/^sleeper ended \(signal SIGKILL\) after \d+ ms$/);
    expect(lines[1]).toBe('sleeper: next attempt in 50 ms (quick failure 1 of 8)');
    expect(lines[2]).toMatch(/^sleeper restarted \(pid \d+\)$/);
    await s.stop();
    expect(s.child.exitCode !== null || s.child.signalCode !== null).toBe(true);
    expect(await s.exited).toBeDefined();
  });

  it('backs off exponentially on quick failures and gives up after the limit; exit 0 is not restarted', async () => {
    expect([1, 2, 3, 4, 10].map((n) => restartDelay(n, { initialDelayMs: 100, maxDelayMs: 1000 }))).toEqual([100, 200, 400, 800, 1000]);
    const lines: string[] = [];
    const failing = await supervise('crasher', node('process.exit(3)'), { log: (l) => lines.push(l), initialDelayMs: 10, maxQuickFailures: 3 });
    expect(await failing.exited).toBe(3);
    expect(failing.restarts).toBe(2);
    expect(lines.filter((l) => l.includes('next attempt')).map((l) => l.replace(/.*next attempt in (\d+) ms.*/, '$1'))).toEqual(['10', '20']);
    expect(lines.at(-1)).toBe('crasher: giving up after 3 quick failures in a row');

    const done: string[] = [];
    const clean = await supervise('done', node('process.exit(0)'), { log: (l) => done.push(l), initialDelayMs: 10 });
    expect(await clean.exited).toBe(0);
    expect(clean.restarts).toBe(0);
    expect(done).toEqual(['done exited cleanly (exit code 0); not restarted']);
  });

  it('clears a postmaster.pid whose pid is gone or is another program, and keeps none else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jiuzhu-pid-'));
    try {
      expect(clearStalePidFile(dir)).toBeUndefined();
      // Our own pid: a running process, but not a postgres one (a reused pid after a crash).
      writeFileSync(join(dir, 'postmaster.pid'), `${process.pid}\n${dir}\n`);
      expect(clearStalePidFile(dir)).toBe(process.pid);
      expect(existsSync(join(dir, 'postmaster.pid'))).toBe(false);
      writeFileSync(join(dir, 'postmaster.pid'), '4194303\n');
      expect(clearStalePidFile(dir)).toBe(4194303);
      expect(existsSync(join(dir, 'postmaster.pid'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
