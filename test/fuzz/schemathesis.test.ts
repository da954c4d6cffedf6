import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Role } from '../../domain/roles';
import { ensureSchemathesis } from '../../scripts/lib/tools';
import { ISOLATED_NAMESPACE } from '../helpers/global-setup';
import { authz, createTestContext, registerHousehold, UNITS, type TestContext } from '../helpers/context';

/**
 * The schema-driven probe (issue 11, "Probes in CI"): schemathesis, from PyPI (scripts/lib/tools.ts), runs
 * every default check and the rest (`--checks all`) against the API listening on a real port over the
 * suite's Temporal dev server and FerretDB, with a worker, once per identity — town supervisor, village
 * staff, district staff, city monitor, admin (who may replace the catalogue and the calendar, so their GETs
 * read what a PUT stored) and no token at all — and must find nothing. The seed is fixed; the number of
 * examples per operation is JIUZHU_FUZZ_EXAMPLES (default 15). Deeper locally:
 * `JIUZHU_FUZZ_EXAMPLES=200 npx vitest run test/fuzz` (or `npm run fuzz`); `JIUZHU_FUZZ_PATHS=<regex>` probes only
 * the matching paths. Each run's report (JUnit, NDJSON,
 * the console output) lands in test-results/fuzz/<identity>/; `st replay <id>` is not needed: the output
 * prints a curl line per failure.
 */

const EXAMPLES = Number(process.env.JIUZHU_FUZZ_EXAMPLES ?? 15);
const SEED = Number(process.env.JIUZHU_FUZZ_SEED ?? 20261129);
const HERE = import.meta.dirname;
const RESULTS = join(HERE, '../../test-results/fuzz');

const IDENTITIES: { name: string; role?: Role; org?: string }[] = [
  { name: 'town_supervisor', role: 'town_supervisor', org: UNITS.jingyuan },
  { name: 'village_staff', role: 'village_staff', org: UNITS.haigang },
  { name: 'district_staff', role: 'district_staff', org: UNITS.huancui },
  { name: 'city_monitor', role: 'city_monitor', org: UNITS.city },
  { name: 'admin', role: 'admin', org: UNITS.city },
  { name: 'anonymous' },
];

let ctx: TestContext;
let base: string;
let schemathesis: string;

beforeAll(async () => {
  schemathesis = await ensureSchemathesis((line) => console.log(`[tools] ${line}`));
  // Its own Temporal namespace: generated requests create Party-day schedules, whose ids are per unit.
  ctx = await createTestContext('fuzz', { namespace: ISOLATED_NAMESPACE });
  await ctx.startWorker();
  await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
  // A little real data, so that lists have rows and a few generated ids meet something.
  const village = await ctx.token('village_staff', UNITS.haigang);
  const householdId = await registerHousehold(ctx, village, 1);
  const alert = await ctx.app.inject({ method: 'POST', url: '/v1/alerts', headers: authz(village), payload: { householdId, level: 'orange', reasons: ['突发疾病'] } });
  if (alert.statusCode !== 201) throw new Error(`alert: ${alert.statusCode} ${alert.body}`);
}, 180_000);

afterAll(async () => {
  await ctx?.close();
});

interface Run {
  code: number;
  output: string;
}

/** Two runs at a time, each its own process with one worker (two cores; see `--workers` below). */
const SLOTS = 2;
let running = 0;
const waiting: (() => void)[] = [];
async function slot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= SLOTS) await new Promise<void>((resolve) => waiting.push(resolve));
  running += 1;
  try {
    return await work();
  } finally {
    running -= 1;
    waiting.shift()?.();
  }
}

/** One schemathesis run as `identity`; resolves with its exit code and console output (never rejects on failures). */
function fuzz(identity: (typeof IDENTITIES)[number], token: string | undefined): Promise<Run> {
  const dir = join(RESULTS, identity.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const args = [
    '--config-file', join(HERE, 'schemathesis.toml'),
    '--no-color',
    'run', `${base}/openapi.json`,
    '--checks', 'all',
    '--max-examples', String(EXAMPLES),
    '--seed', String(SEED),
    // One worker: schemathesis 4.32's coverage phase has a race between workers (a KeyError from its caches).
    '--workers', '1',
    // Bodies are UTF-8 JSON (RFC 8259 §8.1): no lone surrogates, which no UTF-8 text can carry.
    '--generation-codec', 'utf-8',
    '--generation-database', 'none',
    '--report', 'junit,ndjson',
    '--report-dir', dir,
    ...(token ? ['--header', `Authorization: Bearer ${token}`] : []),
    // JIUZHU_FUZZ_PATHS: only the paths matching this regex (probing one area while working on it).
    ...(process.env.JIUZHU_FUZZ_PATHS ? ['--include-path-regex', process.env.JIUZHU_FUZZ_PATHS] : []),
  ];
  return new Promise((resolve) => {
    execFile(
      schemathesis,
      args,
      { cwd: dir, env: { ...process.env, SCHEMATHESIS_HOOKS: 'hooks', PYTHONPATH: HERE, NO_COLOR: '1' }, maxBuffer: 256 * 1024 * 1024, timeout: 30 * 60_000 },
      (err, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        writeFileSync(join(dir, 'output.txt'), output);
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, output });
      },
    );
  });
}

/** The part of schemathesis's output that says what failed (its FAILURES/ERRORS sections and summary). */
function report(output: string): string {
  const from = output.search(/^=+ (FAILURES|ERRORS) =+$/m);
  const text = from >= 0 ? output.slice(from) : output;
  return text.length > 60_000 ? `${text.slice(0, 30_000)}\n…\n${text.slice(-30_000)}` : text;
}

describe.concurrent(`schemathesis over /openapi.json (${EXAMPLES} examples per operation, seed ${SEED})`, () => {
  for (const identity of IDENTITIES) {
    it(`finds no failure as ${identity.name}`, async ({ expect }) => {
      const token = identity.role ? await ctx.token(identity.role, identity.org!, { user: `fuzz-${identity.name}`, expiresIn: '2h' }) : undefined;
      const run = await slot(() => fuzz(identity, token));
      if (run.code !== 0) throw new Error(`schemathesis as ${identity.name} exited with ${run.code}:\n${report(run.output)}`);
      expect(run.output).toMatch(/Test cases:\s+\d+ generated/);
    }, 30 * 60_000);
  }
});
