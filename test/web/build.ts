import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const web = join(root, 'web');
const index = join(web, 'dist', 'index.html');

/** The newest modification time under a folder (the web sources, the Vite config, index.html, domain/). */
function newest(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((f) => newest(join(path, f))));
}

/** The web's sources: its own, and the shared pure modules of domain/ it imports (domain/china-time.ts). */
const stale = () =>
  !existsSync(index) || statSync(index).mtimeMs < Math.max(newest(join(web, 'src')), newest(join(root, 'domain')), newest(join(web, 'index.html')), newest(join(web, 'public.html')), newest(join(web, 'vite.config.ts')));

/**
 * `npm test` builds the workspace before vitest (scripts/test.mjs); a test file run on its own builds it
 * here when web/dist is missing or older than its sources. Test files run in parallel processes, so
 * the build is guarded by a lock directory (mkdir is atomic).
 */
export async function ensureWebBuilt(): Promise<void> {
  if (!stale()) return;
  const lock = join(web, '.build-lock');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock left by a process that died mid-build would otherwise wait forever.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 120_000) rmdirSync(lock);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (!stale()) return; // another file built it while we waited
    const r = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '-s', 'build:web'], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`npm run build:web failed:\n${r.stdout}\n${r.stderr}`);
  } finally {
    rmdirSync(lock);
  }
}
