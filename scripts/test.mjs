#!/usr/bin/env node
// `npm test`: installs dependencies if needed, obtains the servers (first run builds them, with progress),
// then runs the whole vitest suite, which starts its own servers on free ports. Extra args go to vitest.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureInstalled } from './start.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
ensureInstalled();
const bin = (name) => join(root, 'node_modules', '.bin', name);
const tools = spawnSync(bin('tsx'), [join(root, 'scripts', 'tools.ts')], { cwd: root, stdio: 'inherit' });
if (tools.status !== 0) process.exit(tools.status ?? 1);
// The browser tests (test/web) load the workspace as built: build it from the current source first.
const web = spawnSync(bin('vite'), ['build', 'web', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
if (web.status !== 0) process.exit(web.status ?? 1);
const tests = spawnSync(bin('vitest'), ['run', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } });
process.exit(tests.status ?? 1);
