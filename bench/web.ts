import { readModelDocs } from '../store/projection';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import type { Page } from 'playwright-core';
import { buildApp } from '../api/app';
import { WEB_DIST } from '../api/routes/web';
import { loadConfig, type Config } from '../config';
import { advanceAlert, alertView, openAlert, type Actor } from '../domain/alert';
import { CHINA_TIME_ZONE } from '../domain/china-time';
import type { UnitRef } from '../domain/org';
import { ALERT_LEVELS, type AlertLevel } from '../domain/policy';
import type { Role } from '../domain/roles';
import { freePort } from '../scripts/lib/proc';
import { startMongo } from '../scripts/lib/stack';
import { COLLECTIONS, type BoardRow, type CaseDoc } from '../store/collections';
import { connectMongo } from '../store/mongo';
import { ensureIndexes } from '../store/indexes';
import { OrgDirectory } from '../store/org-directory';
import { seedOrgUnits, weihaiOrgUnits } from '../store/seed';
import { launchChromium } from '../test/web/browser';
import { ensureWebBuilt } from '../test/web/build';
import { alertWorkflowId } from '../workflows/alert/contract';
import { fmt, log, onTeardown, parseFlags, percentile, runBench, sessionToken, statsOf, table, writeResults } from './lib';
import { piiKeyring } from '../store/pii';

/**
 * `npm run bench:web`: how long the overdue board takes to show its first rows in Chromium with a fresh
 * read model of 10,000 cases, one in ten overdue (as in bench:alerts). Each load is a fresh browser
 * profile (no cache), signed in, opening /app/board; the clock runs from the navigation to the first row
 * visible. Target: p50 under 1 s. Warm loads (assets cached, a supervisor's next visit) and the API's
 * own time for the same first page are reported next to it.
 *
 *   npm run bench:web -- --cases 10000 --overdue-every 10 --loads 9
 *   npm run bench:web -- --overdue-every 1      # worst case: every case overdue
 *
 * Uses a throwaway FerretDB/mongod (or MONGODB_URI); no Temporal: the board never asks it.
 */
const flags = parseFlags(process.argv.slice(2), { cases: 10_000, 'overdue-every': 10, loads: 9, 'max-minutes': 10 });
const CASES = flags.cases as number;
const OVERDUE_EVERY = flags['overdue-every'] as number;
const LOADS = flags.loads as number;
const TARGET_MS = 1000;
const DISTRICT = '371002';
const TOWN = '371002001';
const REASONS = ['收入骤降'];
const ACTOR: Actor = { userId: `bench@${DISTRICT}`, role: 'district_staff', unitCode: DISTRICT };

interface LoadTimes {
  /** Node's clock: page.goto() until the first row is visible. */
  wallMs: number;
  /** The page's clock: navigation start until the board rendered its first rows (performance.mark). */
  pageMs: number;
  /** Where the page's time went (page clock, ms from navigation start). */
  phases: { html: number; script: number; casesSent: number; cases: number };
}

await runBench('web', flags['max-minutes'] as number, async () => {
  const scratch = mkdtempSync(join(tmpdir(), 'jiuzhu-bench-web-'));
  onTeardown('scratch dir', () => rmSync(scratch, { recursive: true, force: true }));
  log('building the web workspace if its sources changed…');
  await ensureWebBuilt();
  const assets = readdirSync(join(WEB_DIST, 'assets')).map((f) => ({ f, bytes: statSync(join(WEB_DIST, 'assets', f)).size }));

  const mongoPort = await freePort();
  const mongoProc = process.env.MONGODB_URI
    ? undefined
    : await startMongo({ port: mongoPort, dataDir: join(scratch, 'mongo'), logFile: join(scratch, 'mongo.log') }, log);
  if (mongoProc) onTeardown('mongo server', () => mongoProc.stop());
  const runId = randomBytes(3).toString('hex');
  const config: Config = loadConfig({
    NODE_ENV: 'production',
    DATA_DIR: scratch,
    LOG_LEVEL: 'silent',
    JWT_SECRET: randomBytes(32).toString('base64url'),
    // Production needs the address the QR codes print (config/index.ts); the bench prints none.
    PUBLIC_BASE_URL: 'https://jiuzhu.example',
    // Production requires encryption keys (docs/security.md): fresh ones for this throwaway read model.
    PII_KEYS: `bench:${randomBytes(32).toString('base64')}`,
    PII_INDEX_KEY: randomBytes(32).toString('base64'),
    // Never contacted: the board reads MongoDB only. Connection.lazy below does not dial.
    TEMPORAL_ADDRESS: '127.0.0.1:7233',
    MONGODB_URI: process.env.MONGODB_URI ?? `mongodb://127.0.0.1:${mongoPort}/`,
    MONGODB_DB: `bench_web_${runId}`,
  });
  const mongo = await connectMongo(config.mongodb.uri, config.mongodb.db, piiKeyring(config.pii));
  onTeardown('mongo client', () => mongo.client.close());
  if (config.mongodb.external) onTeardown('bench database', () => mongo.db.dropDatabase());
  log(`read model: ${mongoProc?.kind ?? 'external'} ${config.mongodb.uri}, database ${config.mongodb.db}`);

  // --- A fresh read model: the org tree and N overdue cases over the district's villages -----------
  await ensureIndexes(mongo.db, { postgresUrl: mongoProc?.postgresUrl });
  await seedOrgUnits(mongo.db);
  const orgs = new OrgDirectory(mongo.db);
  await orgs.refresh();
  const villages = weihaiOrgUnits().filter((u) => u.level === 'village' && u.path.includes(DISTRICT));
  const ladders = new Map<string, UnitRef[]>();
  for (const v of villages) ladders.set(v.code, await orgs.ladder(v.code));
  const t0 = performance.now();
  const now = Date.now();
  let overdueRows = 0;
  let inTown = 0;
  for (let done = 0; done < CASES; ) {
    const n = Math.min(1000, CASES - done);
    const cases: CaseDoc[] = [];
    const rows: BoardRow[] = [];
    for (let k = 0; k < n; k++) {
      const i = done + k;
      const village = villages[i % villages.length]!;
      const doc = syntheticCase(i, i % OVERDUE_EVERY === 0, ladders.get(village.code)!, config, now);
      cases.push(doc.caseDoc);
      if (doc.overdueDoc) {
        rows.push(doc.overdueDoc);
        if (village.path.includes(TOWN)) inTown += 1;
      }
    }
    await mongo.db.collection(COLLECTIONS.cases).insertMany(cases as never[], { ordered: false });
    if (rows.length) await mongo.db.collection(COLLECTIONS.overdue).insertMany(rows as never[], { ordered: false });
    overdueRows += rows.length;
    done += n;
  }
  log(`inserted ${CASES} cases, ${overdueRows} overdue (${inTown} in town ${TOWN}), over ${villages.length} villages of ${DISTRICT} in ${fmt((performance.now() - t0) / 1000)} s`);

  // --- The API, listening, serving /app and the board -------------------------------------------
  const temporal = new Client({ connection: Connection.lazy({ address: config.temporal.address }), namespace: config.temporal.namespace });
  const app = await buildApp({ config, mongo, temporal, orgs, logger: false });
  onTeardown('api', () => app.close());
  const port = await freePort();
  await app.listen({ host: '127.0.0.1', port });
  const base = `http://127.0.0.1:${port}`;

  const browser = await launchChromium();
  onTeardown('chromium', () => browser.close());
  log(`Chromium ${browser.version()}; ${LOADS} loads per row (plus one discarded warm-up)`);

  const viewers: Array<{ label: string; role: Role; org: string }> = [
    { label: `district staff ${DISTRICT} (${overdueRows} overdue in scope)`, role: 'district_staff', org: DISTRICT },
    { label: `town supervisor ${TOWN} (${inTown} in scope)`, role: 'town_supervisor', org: TOWN },
  ];
  const results: Array<{ viewer: string; inScope: number; api: ReturnType<typeof statsOf>; cold: LoadTimes[]; warm: LoadTimes[] }> = [];
  for (const v of viewers) {
    const token = await sessionToken(config, mongo.db, { sub: `bench-${v.role}`, role: v.role, org: v.org }, '1h');

    // The first page of the board as the browser asks for it, from Node: the API's share of a load.
    const apiMs: number[] = [];
    const api = async () => {
      const s = performance.now();
      const res = await fetch(`${base}/v1/cases?overdue=true&limit=50`, { headers: { authorization: `Bearer ${token}` } });
      if (res.status !== 200) throw new Error(`GET /v1/cases: ${res.status} ${await res.text()}`);
      const body = (await res.json()) as { items: unknown[] };
      if (body.items.length !== 50) throw new Error(`expected a full first page, got ${body.items.length} rows`);
      return performance.now() - s;
    };
    await api();
    for (let i = 0; i < LOADS; i++) apiMs.push(await api());

    const load = async (page: Page): Promise<LoadTimes> => {
      const s = performance.now();
      await page.goto(`${base}/app/board`, { waitUntil: 'commit' });
      await page.locator('table.board tbody tr').first().waitFor({ state: 'visible', timeout: 30_000 });
      const wallMs = performance.now() - s;
      const t = (await page.evaluate(`(() => {
        const r = performance.getEntriesByType('resource');
        const entry = (part) => r.find((e) => e.name.includes(part));
        const end = (part) => entry(part)?.responseEnd ?? NaN;
        return {
          pageMs: performance.getEntriesByName('board:rows')[0]?.startTime ?? NaN,
          html: performance.getEntriesByType('navigation')[0]?.responseEnd ?? NaN,
          script: end('/app/assets/index-'),
          casesSent: entry('/v1/cases?')?.startTime ?? NaN,
          cases: end('/v1/cases?'),
        };
      })()`)) as { pageMs: number; html: number; script: number; casesSent: number; cases: number };
      return { wallMs, pageMs: t.pageMs, phases: { html: t.html, script: t.script, casesSent: t.casesSent, cases: t.cases } };
    };
    const cold: LoadTimes[] = [];
    const warm: LoadTimes[] = [];
    for (let i = 0; i <= LOADS; i++) {
      // A fresh profile each time: no cached assets, the token in this tab's session as after sign-in.
      const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: CHINA_TIME_ZONE });
      await context.addInitScript(`sessionStorage.setItem('jiuzhu.token', ${JSON.stringify(token)})`);
      const page = await context.newPage();
      const c = await load(page);
      const w = await load(page); // same profile: index.html revalidated, hashed assets from cache
      await context.close();
      if (i === 0) continue; // warm-up: the first load of a browser process pays for its own start
      cold.push(c);
      warm.push(w);
    }
    results.push({ viewer: v.label, inScope: v.org === DISTRICT ? overdueRows : inTown, api: statsOf(apiMs, 0), cold, warm });
    const p50 = (xs: number[]) => percentile(Float64Array.from(xs).sort(), 0.5);
    log(`${v.label}: cold p50 ${fmt(p50(cold.map((x) => x.wallMs)))} ms, warm p50 ${fmt(p50(warm.map((x) => x.wallMs)))} ms, API p50 ${fmt(p50(apiMs))} ms`);
  }

  // --- Report ---------------------------------------------------------------------------------------
  const sorted = (xs: number[]) => Float64Array.from(xs).sort();
  const row = (viewer: string, what: string, xs: number[]): Array<string | number> => [viewer, what, percentile(sorted(xs), 0.5), percentile(sorted(xs), 0.9), Math.max(...xs)];
  const rows: Array<Array<string | number>> = [];
  for (const r of results) {
    rows.push(row(r.viewer, 'cold load → first rows (Node clock)', r.cold.map((x) => x.wallMs)));
    rows.push(row(r.viewer, 'cold load → first rows (page clock)', r.cold.map((x) => x.pageMs)));
    rows.push(row(r.viewer, '  of which: page HTML received', r.cold.map((x) => x.phases.html)));
    rows.push(row(r.viewer, '  of which: app script received', r.cold.map((x) => x.phases.script)));
    rows.push(row(r.viewer, '  of which: board page (API) requested', r.cold.map((x) => x.phases.casesSent)));
    rows.push(row(r.viewer, '  of which: board page (API) received', r.cold.map((x) => x.phases.cases)));
    rows.push(row(r.viewer, 'warm load → first rows (Node clock)', r.warm.map((x) => x.wallMs)));
    rows.push([r.viewer, 'GET /v1/cases?overdue=true (first page, API only)', r.api.p50, r.api.p90, r.api.max]);
  }
  const [load1] = loadavg();
  console.log(`\nBoard page load to first rows visible: ${CASES} cases, ${overdueRows} overdue; ${LOADS} loads each (ms); ${cpus().length} CPUs, load average ${load1!.toFixed(1)}\n`);
  console.log(table(['viewer', 'measure', 'p50', 'p90', 'max'], rows));
  const gz = assets.map((a) => `${a.f} ${fmt(a.bytes / 1024)} KiB`).join(', ');
  console.log(`\nassets (raw): ${gz}`);
  const worst = Math.max(...results.map((r) => percentile(sorted(r.cold.map((x) => x.wallMs)), 0.5)));
  console.log(`target: cold p50 under ${TARGET_MS} ms — ${worst < TARGET_MS ? 'met' : 'MISSED'} (worst viewer ${fmt(worst)} ms)`);
  const file = writeResults('web', { at: new Date().toISOString(), cases: CASES, overdueRows, loads: LOADS, cpus: cpus().length, loadAverage: loadavg(), targetMs: TARGET_MS, readModel: mongoProc?.kind ?? 'external', chromium: browser.version(), results, assets });
  log(`results: ${file}`);
});

/**
 * One alert as store/projection.ts writes it (case document, and its board row when overdue), built
 * with the domain's own rules so that its view, deadline and escalations are real. Overdue ones are past
 * their deadline by up to three escalation steps; the others are inside it.
 */
function syntheticCase(i: number, late: boolean, ladder: UnitRef[], config: Config, now: number) {
  const level: AlertLevel = ALERT_LEVELS[i % ALERT_LEVELS.length]!;
  const policy = config.policy.alerts;
  const { dueMs, escalateEveryMs } = policy.levels[level];
  const openedAt = late ? now - dueMs - ((i % 7) / 2 + 0.1) * escalateEveryMs : now - ((i % 9) / 10) * dueMs;
  const hid = `hh-${(i + 1).toString(16).padStart(12, '0')}`;
  const stamp = new Date(openedAt).toISOString().replace(/[-:.Z]/g, '');
  const { state } = openAlert({ alertId: `${alertWorkflowId(hid)}-${stamp}`, householdId: hid, level, reasons: REASONS, unit: ladder[0]!, ladder, policy, actor: ACTOR }, openedAt);
  advanceAlert(state, now);
  state.version = 2;
  const view = alertView(state, now);
  if (view.overdue !== late) throw new Error(`synthetic case ${i}: overdue ${view.overdue}, meant ${late}`);
  // Exactly what projectCaseInto writes, from the same builder (store/projection.ts).
  const docs = readModelDocs(
    { caseId: view.caseId, kind: 'alert', workflowId: alertWorkflowId(hid), firstRunId: randomUUID(), version: state.version, view, events: [], notices: [], deadlines: [], previous: null },
    { headName: `王${i}`, address: `威海市环翠区新威路${i}号` },
  );
  return { caseDoc: docs.caseDoc, ...(docs.onBoard ? { overdueDoc: docs.row! } : {}) };
}
