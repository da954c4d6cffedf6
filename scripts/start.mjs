#!/usr/bin/env node
// `npm start`: installs dependencies on a fresh clone, then runs the local stack (scripts/dev.ts).
// Plain JavaScript so that it runs before node_modules exists.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export function ensureInstalled() {
  if (existsSync(join(root, 'node_modules', '.bin', 'tsx'))) return;
  console.log('jiuzhu: installing dependencies (npm ci)…');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  ensureInstalled();
  // node with tsx's loader, not the tsx CLI: the CLI relays Ctrl-C with a 30 ms handshake and kills the
  // stack outright (exit 130, children orphaned) when a busy machine misses it.
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'dev.ts'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  // A terminal's Ctrl-C reaches the whole foreground group: us and dev.ts (its children, in groups of their
  // own, do not get it; dev.ts stops them in order). A signal sent to us alone (`kill -INT <pid>`, a process
  // manager) must reach dev.ts too, and we cannot tell the two apart: we forward every one, and dev.ts counts
  // a signal within 2 s of the first as the same one (scripts/dev.ts onSignal). Then we wait for it.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
}
