import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `npm start` on a fresh clone: builds the browser workspace (web/ → web/dist, served at /app) and the public
 * phone page (web/dist/public.html, served at /q/{code}) when either has not been built yet (a build from before
 * issue 14 has no public page). A failed build does not stop the stack: the API answers /app and /q with a line
 * saying to run `npm run build:web`.
 */
export function buildWebIfMissing(root: string, log: (line: string) => void): void {
  if (['index.html', 'public.html'].every((page) => existsSync(join(root, 'web', 'dist', page)))) return;
  log('building the web workspace (npm run build:web)…');
  const r = spawnSync(join(root, 'node_modules', '.bin', 'vite'), ['build', 'web', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (r.status === 0) log('web workspace built into web/dist');
  else log(`web workspace build failed (exit ${r.status ?? r.signal}); /app will say to run npm run build:web`);
}
