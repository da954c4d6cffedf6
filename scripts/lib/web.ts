import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `npm start` on a fresh clone: builds the browser workspace (web/ → web/dist, served at /app) when it
 * has not been built yet. A failed build does not stop the stack: the API answers /app with a line
 * saying to run `npm run build:web`.
 */
export function buildWebIfMissing(root: string, log: (line: string) => void): void {
  if (existsSync(join(root, 'web', 'dist', 'index.html'))) return;
  log('building the web workspace (npm run build:web)…');
  const r = spawnSync(join(root, 'node_modules', '.bin', 'vite'), ['build', 'web', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (r.status === 0) log('web workspace built into web/dist');
  else log(`web workspace build failed (exit ${r.status ?? r.signal}); /app will say to run npm run build:web`);
}
