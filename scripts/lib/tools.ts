import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

/**
 * Obtains the servers the stack and the tests run, through package registries only:
 *  - the Temporal CLI (dev server) from its Go module,
 *  - FerretDB from its Go module when there is no `mongod` on PATH,
 *  - Temporal's Java time-skipping test server from Maven Central,
 *  - the API fuzzer schemathesis from PyPI (into a virtualenv).
 * Built once into a cache outside the clone (JIUZHU_TOOLS_DIR, default ~/.cache/jiuzhu) so that CI and a
 * second clone do not rebuild. Nothing here is committed.
 */
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';
export const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';
export const FERRETDB_VERSION = 'v1.24.2';
export const TEST_SERVER_POM = resolve(import.meta.dirname, '../test-server/pom.xml');

export class MissingToolError extends Error {
  override name = 'MissingToolError';
}

export function toolsDir(): string {
  return resolve(process.env.JIUZHU_TOOLS_DIR ?? join(homedir(), '.cache', 'jiuzhu'));
}

export function which(cmd: string, path = process.env.PATH): string | undefined {
  for (const dir of (path ?? '').split(delimiter)) {
    const candidate = join(dir, cmd);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

type Log = (line: string) => void;

/** Runs a build step, streaming its output with a prefix so a minutes-long Go build shows progress. */
function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; log: Log; label: string }): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let lines = 0;
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        lines += 1;
        // `go` prints one line per downloaded module: show a count, not hundreds of lines.
        if (line.startsWith('go: downloading')) {
          if (lines % 25 === 0) opts.log(`${opts.label}: ${lines} modules fetched…`);
        } else opts.log(`${opts.label}: ${line}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolvePromise() : reject(new Error(`${opts.label}: ${cmd} ${args.join(' ')} exited with ${code}`))));
  });
}

function requireGo(what: string, alternative: string): string {
  const go = which('go');
  if (!go) throw new MissingToolError(`${what} needs Go to build (apt-get install golang, or https://go.dev/dl) — or ${alternative}`);
  return go;
}

/** The `temporal` CLI: TEMPORAL_CLI, then the cache, then PATH, else built with `go install`. */
export async function ensureTemporalCli(log: Log): Promise<string> {
  if (process.env.TEMPORAL_CLI) return process.env.TEMPORAL_CLI;
  const cached = join(toolsDir(), 'bin', 'temporal');
  if (existsSync(cached)) return cached;
  const onPath = which('temporal');
  if (onPath) return onPath;
  const go = requireGo('the Temporal dev server', 'brew install temporal, or set TEMPORAL_ADDRESS=host:7233 to use a running server');
  log(`temporal: building ${TEMPORAL_CLI_MODULE} (first time only, takes a few minutes)…`);
  await run(go, ['install', TEMPORAL_CLI_MODULE], { env: { GOBIN: join(toolsDir(), 'bin') }, log, label: 'temporal' });
  return cached;
}

/** `mongod` on PATH, or a FerretDB binary built from its Go module. */
export async function ensureMongoServer(log: Log): Promise<{ kind: 'mongod' | 'ferretdb'; path: string }> {
  const mongod = which('mongod');
  if (mongod) return { kind: 'mongod', path: mongod };
  const cached = join(toolsDir(), 'bin', 'ferretdb');
  if (existsSync(cached)) return { kind: 'ferretdb', path: cached };
  const go = requireGo('FerretDB (no mongod on PATH)', 'install MongoDB 7, or set MONGODB_URI=mongodb://host:27017/');
  log(`ferretdb: building ${FERRETDB_MODULE}@${FERRETDB_VERSION} (first time only)…`);
  // The module as published lacks build/version/version.txt, which FerretDB embeds and checks at start;
  // build from a copy of the module source with that file written.
  const info = spawnSync(go, ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`], { encoding: 'utf8', cwd: tmpdir() });
  if (info.status !== 0) throw new Error(`ferretdb: go mod download failed: ${info.stderr || info.stdout}`);
  const { Dir } = JSON.parse(info.stdout) as { Dir: string };
  const src = join(toolsDir(), 'src', `ferretdb-${FERRETDB_VERSION}`);
  rmSync(src, { recursive: true, force: true });
  cpSync(Dir, src, { recursive: true });
  spawnSync('chmod', ['-R', 'u+w', src]);
  writeFileSync(join(src, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
  await run(go, ['build', '-o', cached, './cmd/ferretdb'], { cwd: src, log, label: 'ferretdb' });
  rmSync(src, { recursive: true, force: true });
  return { kind: 'ferretdb', path: cached };
}

/**
 * A launcher for Temporal's Java test server (io.temporal:temporal-test-server), resolved with Maven.
 * The SDK starts it as `<launcher> <port>`.
 */
export async function ensureTestServer(log: Log): Promise<string> {
  const dir = join(toolsDir(), 'test-server');
  const launcher = join(dir, 'temporal-test-server');
  const lib = join(dir, 'lib');
  if (existsSync(launcher) && existsSync(lib) && readdirSync(lib).length > 0) return launcher;
  const java = which('java');
  const mvn = which('mvn');
  if (!java || !mvn) throw new MissingToolError('the time-skipping test server needs Java 17+ and Maven (apt-get install openjdk-17-jdk-headless maven)');
  log('test server: resolving io.temporal:temporal-test-server from Maven Central…');
  mkdirSync(lib, { recursive: true });
  await run(mvn, ['-B', '-q', '-f', TEST_SERVER_POM, 'dependency:copy-dependencies', `-DoutputDirectory=${lib}`, '-DincludeScope=runtime'], { log, label: 'maven' });
  writeFileSync(
    launcher,
    `#!/bin/sh\n# Temporal's Java time-skipping test server; argument: the port.\nexec java -Xss1m -XX:+UseSerialGC -cp "${lib}/*" io.temporal.testserver.TestServer "$@"\n`,
  );
  chmodSync(launcher, 0o755);
  return launcher;
}

/**
 * The Node.js LTS line the production image runs (Dockerfile `node:24-bookworm-slim`) and CI tests on beside
 * the machine's own Node. Pinned to one release so that CI is repeatable; raise it with the Dockerfile.
 */
export const NODE_LTS_VERSION = '24.22.3';

/**
 * The Node binary of `NODE_LTS_VERSION` (or `version`): the cache's `node-v<version>/bin/node`, else obtained
 * from the npm registry's `node-<platform>-<arch>` package (it carries the official `bin/node`) with
 * `npm pack`, which checks the tarball against the registry's integrity hash. No download from elsewhere.
 * Returns the binary's path; throws MissingToolError when npm is not on PATH or the platform has no package.
 */
export async function ensureNode(log: Log, version = NODE_LTS_VERSION): Promise<string> {
  const dir = join(toolsDir(), `node-v${version}`);
  const node = join(dir, 'bin', 'node');
  if (existsSync(node)) return node;
  const npm = which('npm');
  if (!npm) throw new MissingToolError(`Node ${version} is obtained with npm (npm pack node-${process.platform}-${process.arch}@${version}); npm is not on PATH`);
  if (process.platform !== 'linux' && process.platform !== 'darwin') throw new MissingToolError(`no npm package carries Node for ${process.platform}`);
  const pkg = `node-${process.platform}-${process.arch}@${version}`;
  const work = join(toolsDir(), 'src', `node-v${version}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  log(`node: npm pack ${pkg} (first time only)…`);
  await run(npm, ['pack', pkg, '--silent', '--pack-destination', work], { cwd: work, log, label: 'node' });
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error(`node: npm pack ${pkg} left no tarball in ${work}`);
  await run('tar', ['-xzf', tarball], { cwd: work, log, label: 'node' });
  // The package holds the release as published (bin/, include/, lib/, share/) under package/.
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(work, 'package'), dir, { recursive: true });
  chmodSync(node, 0o755);
  rmSync(work, { recursive: true, force: true });
  const check = spawnSync(node, ['--version'], { encoding: 'utf8' });
  if (check.stdout.trim() !== `v${version}`) throw new Error(`node: ${node} --version said ${check.stdout.trim() || check.stderr.trim()}, expected v${version}`);
  return node;
}

/** The schema-driven fuzzer the probe test runs (test/fuzz), pinned: its checks change between releases. */
export const SCHEMATHESIS_VERSION = '4.32.5';

/**
 * `schemathesis` from PyPI, installed with pip into a virtualenv in the cache
 * (`<tools>/schemathesis-<version>/bin/schemathesis`); SCHEMATHESIS overrides the path.
 * @throws MissingToolError without python3 and its venv module (Debian: python3-venv).
 */
export async function ensureSchemathesis(log: Log): Promise<string> {
  if (process.env.SCHEMATHESIS) return process.env.SCHEMATHESIS;
  const venv = join(toolsDir(), `schemathesis-${SCHEMATHESIS_VERSION}`);
  const bin = join(venv, 'bin', 'schemathesis');
  if (existsSync(bin)) return bin;
  const python = which('python3');
  if (!python) throw new MissingToolError('the API fuzzer (schemathesis) needs Python 3.10+ (apt-get install python3 python3-venv)');
  log(`schemathesis: installing ${SCHEMATHESIS_VERSION} from PyPI into ${venv} (first time only)…`);
  rmSync(venv, { recursive: true, force: true });
  try {
    await run(python, ['-m', 'venv', venv], { log, label: 'schemathesis' });
  } catch {
    rmSync(venv, { recursive: true, force: true });
    throw new MissingToolError('the API fuzzer (schemathesis) needs Python\'s venv module (apt-get install python3-venv)');
  }
  await run(join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `schemathesis==${SCHEMATHESIS_VERSION}`], { log, label: 'schemathesis' });
  return bin;
}
