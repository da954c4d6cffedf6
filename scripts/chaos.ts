import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import type { Db } from 'mongodb';
import { signToken } from '../api/auth';
import { loadConfig, type Config } from '../config';
import { computeCheckDigit } from '../domain/id-number';
import type { Role } from '../domain/roles';
import { connectMongo } from '../store/mongo';
import { piiKeyring } from '../store/pii';
import { piiDataConverter } from '../worker/codec';
import { writeWorkflowBundle } from '../worker/bundle';
import { alertQuery, alertWorkflowId } from '../workflows/alert/contract';
import { applicationQuery, applicationWorkflowId } from '../workflows/application/contract';
import { freePort, type Managed, type Supervised } from './lib/proc';
import { startLocalStack, type LocalStack } from './lib/stack';
import { seededRandom } from './lib/seeded-random';

/**
 * `npm run chaos`: faults under load. Starts the local stack (scripts/lib/stack.ts) with every child
 * supervised, drives alert and application actions through the HTTP API while killing the worker, the API,
 * FerretDB and its PostgreSQL server with SIGKILL at random moments, then checks, once everything is back
 * and the projections have caught up, that every case in the read model equals its workflow's state and
 * that no event or notice was lost or written twice. Exits 1 on any loss, duplication or mismatch.
 * Options: --seed N (default: random, printed), --actions N (300), --kills K (20), --keep (keep the data dir).
 * Source: ours (issue 11, "Faults under load"); docs/chaos.md.
 */

/** The processes the chaos kills (Temporal, the system of record, is not one of them). */
export const KILLABLE = ['worker', 'api', 'ferretdb', 'postgres'] as const;
export type Killable = (typeof KILLABLE)[number];

export interface ChaosOptions {
  seed: number;
  actions: number;
  kills: number;
  /** Cases driven at once (default 6). */
  concurrency?: number;
  log?: (line: string) => void;
  /** Keep the scratch directory (logs, data) after the run. */
  keep?: boolean;
  /**
   * Ends the run early: its next wait throws, and the run stops its stack as at the end (the test aborts it
   * when it times out, so no process outlives the test).
   */
  signal?: AbortSignal;
}

export interface ChaosReport {
  seed: number;
  actions: number;
  acknowledged: number;
  /** Requests sent again after a lost answer (connection refused/reset, timeout, 5xx). */
  retries: number;
  /** Actions answered 409 by the workflow while the read model was ahead of it, sent again a second later. */
  conflictsRetried: number;
  refused: string[];
  casesChecked: number;
  events: number;
  notices: number;
  lost: number;
  duplicated: number;
  mismatched: number;
  kills: Record<Killable, number>;
  restarts: Record<string, number>;
  problems: string[];
  seconds: number;
  dataDir: string;
}

// Short durations, so deadlines open, fall due and escalate while the processes die (ours).
const POLICY = {
  version: 'chaos',
  alerts: { red: { due: 'PT40S', escalateEvery: 'PT40S' }, orange: { due: 'PT60S', escalateEvery: 'PT60S' } },
  applications: { notice: 'PT3S', departmentTimeout: 'PT3S' },
};

const VILLAGE = '371002001001'; // 海港社区
const TOWN = '371002001'; // 鲸园街道

/** A valid resident ID number (GB 11643 check digit) distinct per seq, born 1960 onwards. */
function idNumber(seq: number, salt: number): string {
  const birth = new Date(Date.UTC(1960, 0, 1) + (salt % 5000) * 86_400_000 + Math.floor(seq / 1000) * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
  const body = `371002${birth}${String(seq % 1000).padStart(3, '0')}`;
  return body + computeCheckDigit(body);
}

interface Tally {
  kind: 'alert' | 'application';
  householdId: string;
  caseId?: string;
  workflowId: string;
  /** Actions acknowledged, by what they must leave in the timeline. */
  visits: number;
  levelChanges: number;
  acknowledged: number;
  closed: number;
  steps: string[];
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs one chaos round; resolves with its counts (never throws for a finding: it is in the report). */
export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const log = opts.log ?? ((line: string) => console.log(`[chaos] ${line}`));
  /** Every wait of the run: throws once `opts.signal` is aborted. */
  const sleep = async (ms: number) => {
    opts.signal?.throwIfAborted();
    await pause(ms);
    opts.signal?.throwIfAborted();
  };
  const random = seededRandom(opts.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const began = Date.now();
  const root = join(import.meta.dirname, '..');
  const dir = mkdtempSync(join(tmpdir(), 'jiuzhu-chaos-'));
  const ports = { PORT: await freePort(), TEMPORAL_PORT: await freePort(), TEMPORAL_UI_PORT: await freePort(), MONGODB_PORT: await freePort() };
  const policyFile = join(dir, 'policy.json');
  writeFileSync(policyFile, JSON.stringify(POLICY));
  const bundle = join(dir, 'workflow-bundle.js');
  await writeWorkflowBundle(bundle); // a restarted worker loads it at once instead of bundling for seconds
  const base: NodeJS.ProcessEnv = {
    NODE_ENV: 'development',
    DATA_DIR: dir,
    LOG_LEVEL: 'warn',
    JWT_SECRET: randomBytes(32).toString('hex'),
    POLICY_FILE: policyFile,
    WORKFLOW_BUNDLE_PATH: bundle,
    DEPARTMENT_DATA_DIR: join(root, 'scripts', 'seed', 'departments'),
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
  };
  const config = loadConfig(base);
  const childEnv: NodeJS.ProcessEnv = { ...base, TEMPORAL_ADDRESS: config.temporal.address, MONGODB_URI: config.mongodb.uri, MONGODB_DB: config.mongodb.db };
  const report: ChaosReport = {
    seed: opts.seed,
    actions: 0,
    acknowledged: 0,
    retries: 0,
    conflictsRetried: 0,
    refused: [],
    casesChecked: 0,
    events: 0,
    notices: 0,
    lost: 0,
    duplicated: 0,
    mismatched: 0,
    kills: { worker: 0, api: 0, ferretdb: 0, postgres: 0 },
    restarts: {},
    problems: [],
    seconds: 0,
    dataDir: dir,
  };

  let stack: LocalStack | undefined;
  let connection: Connection | undefined;
  let mongo: Awaited<ReturnType<typeof connectMongo>> | undefined;
  try {
    stack = await startLocalStack(config, {
      log,
      logsDir: join(dir, 'logs'),
      root,
      env: childEnv,
      restart: { log, initialDelayMs: 250, maxDelayMs: 4000, quickMs: 5000, maxQuickFailures: 30 },
    });
    const api = `http://127.0.0.1:${config.port}`;
    const token = (role: Role, org: string, user: string) => signToken(config.jwtSecret, { sub: user, role, org }, '4h');
    const tokens = {
      village: await token('village_staff', VILLAGE, 'village.li'),
      town: await token('town_staff', TOWN, 'town.zhao'),
      // Lowering a red alert and closing one before its requirement is met are the town supervisor's (issue 12).
      supervisor: await token('town_supervisor', TOWN, 'town.sun'),
    };

    /** Sends until answered by the API itself (not a dead process, not a 5xx from a dead dependency). */
    const send = async (method: string, path: string, auth: string, body?: unknown, key?: string) => {
      const deadline = Date.now() + 5 * 60_000;
      let attempts = 0;
      for (;;) {
        attempts += 1;
        if (attempts > 1) report.retries += 1;
        try {
          const res = await fetch(`${api}${path}`, {
            method,
            headers: { authorization: `Bearer ${auth}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(key ? { 'idempotency-key': key } : {}) },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(30_000),
          });
          const json = (await res.json().catch(() => null)) as Record<string, unknown> | null;
          if (res.status < 500 && res.status !== 429) return { status: res.status, json, attempts };
        } catch {
          // connection refused or reset, or no answer in time: the API or what it calls is down
        }
        if (Date.now() > deadline) return { status: 0, json: null, attempts };
        await sleep(Math.min(2000, 100 * 2 ** Math.min(attempts, 5)));
      }
    };

    // Households first, before any kill: the register is not what this run is about.
    // An alert takes about 5.5 actions (open, acknowledge, 1–3 visits, a level change with a second visit,
    // a closure four times in five), an application 6: one of each per 11.5 actions asked for.
    const alerts = Math.max(1, Math.round(opts.actions / 11.5));
    const applications = alerts;
    const salt = Math.floor(random() * 5000);
    const tallies: Tally[] = [];
    for (let i = 0; i < alerts + applications; i++) {
      const res = await send('POST', '/v1/households', tokens.village, {
        headName: `韩${i}`, headIdNumber: idNumber(i, salt), address: `威海市环翠区海港路${i}号`, phone: '13800000000', unitCode: VILLAGE, categories: ['minimum_subsistence'],
      });
      if (res.status !== 201) throw new Error(`registering household ${i}: ${res.status} ${JSON.stringify(res.json)}`);
      const householdId = (res.json as { id: string }).id;
      const kind = i < alerts ? 'alert' : 'application';
      tallies.push({ kind, householdId, workflowId: kind === 'alert' ? alertWorkflowId(householdId) : applicationWorkflowId(householdId, 'minimum_subsistence'), visits: 0, levelChanges: 0, acknowledged: 0, closed: 0, steps: [] });
    }

    // Each case's script of actions; the idempotency key is the case's business key and the step's place.
    const act = async (t: Tally, step: string, method: string, path: string, auth: string, body?: unknown, opt: { retriedConflictOk?: boolean } = {}) => {
      report.actions += 1;
      const key = `${t.householdId}.${t.kind}.${t.steps.length}.${step}`;
      for (let conflicts = 0; ; conflicts++) {
        const res = await send(method, path, auth, body, key);
        const ok = res.status >= 200 && res.status < 300;
        // A retry of a closing action after its answer was lost finds the case closed: the first one took.
        const retriedClosed = !ok && res.attempts > 1 && res.status === 409 && opt.retriedConflictOk;
        if (ok || retriedClosed) {
          report.acknowledged += 1;
          t.steps.push(step);
          progress();
          return res.json;
        }
        // The read model may show a change a moment before the workflow holds it: a workflow task whose
        // worker died had projected it, and the task runs again on the next worker (docs/chaos.md). The
        // workflow answers 409 meanwhile; a person would look again and retry, and so does the client.
        if (res.status === 409 && !opt.retriedConflictOk && conflicts < 30) {
          report.conflictsRetried += 1;
          await sleep(1000);
          continue;
        }
        report.refused.push(`${t.kind} ${t.caseId ?? t.householdId} ${step}: ${res.status} ${JSON.stringify(res.json)?.slice(0, 300)}`);
        throw new Error('refused');
      }
    };
    const now = () => new Date().toISOString();

    const alertScript = async (t: Tally) => {
      const opened = await act(t, 'open', 'POST', '/v1/alerts', tokens.village, { householdId: t.householdId, level: 'red', reasons: ['重病'] });
      t.caseId = (opened as { caseId: string }).caseId;
      const at = `/v1/alerts/${t.caseId}`;
      await act(t, 'acknowledge', 'POST', `${at}/acknowledgements`, tokens.village, {});
      t.acknowledged += 1;
      const visits = 1 + Math.floor(random() * 3);
      for (let v = 0; v < visits; v++) {
        if (v === 1) {
          await act(t, 'level', 'POST', `${at}/level`, tokens.supervisor, { level: pick(['orange', 'yellow'] as const), reason: '情况变化' });
          t.levelChanges += 1;
        }
        await act(t, 'visit', 'POST', `${at}/visits`, tokens.village, { visitors: ['village.li'], visitedAt: now(), outcome: pick(['stable', 'needs_assistance'] as const), notes: `第${v + 1}次走访` });
        t.visits += 1;
      }
      if (random() < 0.8) {
        await act(t, 'close', 'POST', `${at}/closure`, tokens.supervisor, { reason: 'resolved' }, { retriedConflictOk: true });
        t.closed += 1;
      }
    };
    const applicationScript = async (t: Tally) => {
      report.actions += 1;
      const fileBody = { householdId: t.householdId, category: 'minimum_subsistence', source: 'on_behalf', labourCapacity: 'no_labour_capacity' };
      let filed = await send('POST', '/v1/applications', tokens.village, fileBody, `${t.householdId}.file`);
      const detailsOf = (r: typeof filed) => (r.json as { error?: { details?: { applicationId?: string | null } } } | null)?.error?.details;
      // The first attempt started the workflow but its answer was lost, and the case is not projected yet:
      // the 409 names the workflow but no application id. Ask again until it does (the case shows).
      for (let n = 0; filed.status === 409 && filed.attempts > 1 && !detailsOf(filed)?.applicationId && n < 30; n++) {
        report.conflictsRetried += 1;
        await sleep(1000);
        filed = { ...(await send('POST', '/v1/applications', tokens.village, fileBody, `${t.householdId}.file`)), attempts: filed.attempts };
      }
      const details = detailsOf(filed);
      // One open application per household and category: a retry after a lost 201 is a 409 naming the first.
      if (filed.status === 201) t.caseId = (filed.json as { caseId: string }).caseId;
      else if (filed.status === 409 && filed.attempts > 1 && details?.applicationId) t.caseId = details.applicationId;
      else {
        report.refused.push(`application ${t.householdId} file: ${filed.status} ${JSON.stringify(filed.json)?.slice(0, 300)}`);
        throw new Error('refused');
      }
      report.acknowledged += 1;
      t.steps.push('file');
      progress();
      const at = `/v1/applications/${t.caseId}`;
      await act(t, 'acceptance', 'POST', `${at}/acceptance`, tokens.town, { decision: 'accept' });
      // Economic verification runs by itself (sample extracts answer; the others time out after 3 s).
      const waitUntil = Date.now() + 180_000;
      for (;;) {
        const view = await send('GET', at, tokens.town);
        if ((view.json as { stage?: string } | null)?.stage === 'investigation') break;
        if (Date.now() > waitUntil) {
          report.refused.push(`application ${t.caseId}: not at investigation after 3 min (${JSON.stringify(view.json)?.slice(0, 200)})`);
          throw new Error('stuck');
        }
        await sleep(500);
      }
      await act(t, 'investigation', 'POST', `${at}/investigation`, tokens.village, { investigators: ['village.li', 'village.wang'], visitedAt: now(), findings: '家中无劳动力' });
      await act(t, 'deliberation.schedule', 'POST', `${at}/deliberation`, tokens.village, { kind: 'schedule', scheduledAt: now(), place: '海港社区会议室' });
      await act(t, 'deliberation.record', 'POST', `${at}/deliberation`, tokens.village, { kind: 'record', heldAt: now(), members: 9, attendees: 7, votesFor: 6, votesAgainst: 1 });
      await act(t, 'review', 'POST', `${at}/review`, tokens.town, { opinion: 'approve', reason: '符合低保条件' });
    };

    // The kills: at K random points of the run's progress, each a SIGKILL of a random process that is up.
    const points = Array.from({ length: opts.kills }, () => 0.03 + random() * 0.77).sort((a, b) => a - b);
    const expected = alerts * 6 + applications * 6;
    let nextPoint = 0;
    let killing = Promise.resolve();
    const up = (p: Managed | undefined) => p !== undefined && p.child.exitCode === null && p.child.signalCode === null;
    const killOne = (target: Killable, delay: number) => {
      killing = killing.then(async () => {
        await sleep(delay);
        const proc = stack!.byName[target];
        const waitUp = Date.now() + 60_000;
        while (!up(proc) && Date.now() < waitUp) await sleep(200);
        if (!up(proc)) return;
        log(`kill -9 ${target} (pid ${proc!.child.pid}) after ${report.acknowledged} acknowledged actions`);
        const killed = proc!.child;
        killed.kill('SIGKILL');
        report.kills[target] += 1;
        // Let it come back before the next kill, so each kill meets a running stack.
        const backBy = Date.now() + 120_000;
        while ((!up(stack!.byName[target]) || stack!.byName[target]!.child === killed) && Date.now() < backBy) await sleep(200);
      });
      // Awaited after the actions; an aborted run leaves before that, so its rejection is handled here too.
      killing.catch(() => undefined);
    };
    // Targets in a seeded order that visits each process in turn, so K kills share out evenly.
    const order = [...KILLABLE].sort(() => random() - 0.5);
    const target = (n: number) => order[n % order.length]!;
    function progress(): void {
      while (nextPoint < points.length && report.acknowledged >= points[nextPoint]! * expected) {
        killOne(target(nextPoint), Math.floor(random() * 1500));
        nextPoint += 1;
      }
    }

    const queue = tallies.map((t) => t).sort(() => random() - 0.5);
    const concurrency = opts.concurrency ?? 6;
    log(`driving ${alerts} alerts and ${applications} applications (about ${expected} actions) with ${opts.kills} kills, seed ${opts.seed}`);
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let t = queue.shift(); t; t = queue.shift()) {
          try {
            await (t.kind === 'alert' ? alertScript(t) : applicationScript(t));
          } catch {
            // refused or stuck: in the report
          }
        }
      }),
    );
    // Kills still due (refused actions made the run shorter): made now, so the count asked for is the count made.
    for (; nextPoint < points.length; nextPoint++) killOne(target(nextPoint), Math.floor(random() * 1500));
    await killing;

    // Recovery: every process up, the API ready.
    log('actions done; waiting for every process and the API to be ready');
    const readyBy = Date.now() + 120_000;
    for (;;) {
      const allUp = stack.all.every(up);
      const ready = allUp && (await fetch(`${api}/ready`).then((r) => r.ok, () => false));
      if (ready) break;
      if (Date.now() > readyBy) throw new Error('the stack did not come back within 2 minutes');
      await sleep(500);
    }
    for (const p of stack.all) report.restarts[p.name] = (p as Supervised).restarts ?? 0;

    opts.signal?.throwIfAborted(); // an aborted run skips the comparison and stops its stack
    connection = await Connection.connect({ address: config.temporal.address });
    const temporal = temporalClient(config, connection);
    mongo = await connectMongo(config.mongodb.uri, config.mongodb.db, piiKeyring(config.pii));
    await verify(tallies, temporal, mongo.db, report, log);
  } catch (err) {
    report.problems.push(`run: ${(err as Error).message}`);
  } finally {
    await connection?.close().catch(() => undefined);
    await mongo?.client.close().catch(() => undefined);
    await stack?.stop();
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  }
  report.seconds = Math.round((Date.now() - began) / 1000);
  return report;
}

/**
 * The Temporal client the checks query workflows with: built as the API and the worker build theirs
 * (api/server.ts, worker/main.ts) — when they gain a data converter (a payload codec), it goes here too,
 * or the query results cannot be read.
 */
function temporalClient(config: Config, connection: Connection): Client {
  // Payloads are encrypted (worker/codec.ts): the same data converter as the API's and the worker's.
  return new Client({ connection, namespace: config.temporal.namespace, dataConverter: piiDataConverter(piiKeyring(config.pii)) });
}

type Doc = Record<string, unknown> & { _id: string };
const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : (d ?? null));
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * After recovery: for each case, its workflow's query against the read model — the case document (version,
 * status, level, stage, unit, due, deadlines, escalations), each deadline document, the timeline (one event
 * per version and place, every version 1..n present, each action the client had acknowledged there exactly
 * once, as many escalations and deadlines as the workflow holds) and the outbox (a notice for each
 * at-risk and escalation event). A case still moving (a deadline firing) is compared again, for up to 60 s.
 */
async function verify(tallies: Tally[], temporal: Client, db: Db, report: ChaosReport, log: (line: string) => void): Promise<void> {
  type Findings = Awaited<ReturnType<typeof compare>>;
  const results = new Map<Tally, Findings>();
  let pending = tallies.filter((t) => t.caseId);
  // Pass after pass over the cases still differing (a deadline may fire meanwhile), for up to 60 s in all.
  const until = Date.now() + 60_000;
  for (let pass = 1; pending.length > 0; pass++) {
    for (const t of pending) results.set(t, await compare(t, temporal, db));
    pending = pending.filter((t) => results.get(t)!.notes.length > 0);
    if (pending.length > 0) log(`pass ${pass}: ${pending.length} cases still differ from their workflow${Date.now() > until ? '; giving up' : ''}`);
    if (Date.now() > until) break;
    if (pending.length > 0) await pause(2000);
  }
  for (const [t, f] of results) {
    report.casesChecked += 1;
    report.events += f.events;
    report.notices += f.notices;
    report.lost += f.lost;
    report.duplicated += f.duplicated;
    report.mismatched += f.mismatched;
    for (const n of f.notes) report.problems.push(`${t.caseId}: ${n}`);
  }
  log(`checked ${report.casesChecked} cases`);
}

async function compare(t: Tally, temporal: Client, db: Db) {
  const notes: string[] = [];
  let lost = 0;
  let duplicated = 0;
  let mismatched = 0;
  const handle = temporal.workflow.getHandle(t.workflowId);
  const q = (t.kind === 'alert' ? await handle.query(alertQuery) : await handle.query(applicationQuery)) as unknown as Record<string, unknown> & {
    version: number;
    deadlines: { key: string; dueAt: string; metAt: string | null }[];
    escalations: unknown[];
    visits?: unknown[];
  };
  const doc = (await db.collection<Doc>('cases').findOne({ _id: t.caseId! })) as (Doc & { view: Record<string, unknown> }) | null;
  if (!doc) {
    notes.push('no case document in the read model');
    return { lost: 1, duplicated, mismatched, notes, events: 0, notices: 0 };
  }
  const fields: [string, unknown, unknown][] = [
    ['version', doc.version, q.version],
    ['status', doc.status, q.status],
    ['level', doc.level, q.level],
    ['stage', doc.stage, q.stage ?? null],
    ['unit', (doc.unit as { code: string }).code, (q.unit as { code: string }).code],
    ['dueAt', iso(doc.dueAt), q.dueAt],
    ['due', doc.view.due, q.due],
    ['rung', doc.rung, q.rung],
    ['deadlines', doc.view.deadlines, q.deadlines],
    ['escalations', doc.view.escalations, q.escalations],
  ];
  for (const [name, stored, actual] of fields) {
    if (!same(stored, actual)) {
      mismatched += 1;
      notes.push(`${name}: read model ${JSON.stringify(stored)?.slice(0, 200)}, workflow ${JSON.stringify(actual)?.slice(0, 200)}`);
    }
  }
  const deadlineDocs = await db.collection<Doc>('deadlines').find({ caseId: t.caseId }).toArray();
  for (const d of q.deadlines) {
    const stored = deadlineDocs.find((x) => x._id === `${t.caseId}:${d.key}`);
    if (!stored) {
      lost += 1;
      notes.push(`deadline ${d.key}: missing from the read model`);
    } else if (iso(stored.dueAt) !== d.dueAt || iso(stored.metAt) !== (d.metAt ?? null)) {
      mismatched += 1;
      notes.push(`deadline ${d.key}: read model due ${iso(stored.dueAt)} met ${iso(stored.metAt)}, workflow due ${d.dueAt} met ${d.metAt}`);
    }
  }

  // The timeline: ids are <case>:<version>:<place>, so a duplicate by id cannot exist; what can go wrong is
  // a version missing (lost) or an action applied twice (a retried request taken again: duplicated).
  const events = await db.collection<Doc>('events').find({ caseId: t.caseId }).toArray();
  const notices = await db.collection<Doc>('notifications').find({ caseId: t.caseId }).toArray();
  const versions = new Map<number, number[]>();
  for (const e of events) {
    const [, v, i] = /:(\d+):(\d+)$/.exec(e._id) ?? [];
    versions.set(Number(v), [...(versions.get(Number(v)) ?? []), Number(i)]);
  }
  for (let v = 1; v <= q.version; v++) {
    const places = (versions.get(v) ?? []).sort((a, b) => a - b);
    if (places.length === 0 || places.some((p, i) => p !== i)) {
      lost += 1;
      notes.push(`events of version ${v}: places ${JSON.stringify(places)}`);
    }
  }
  for (const v of versions.keys()) {
    if (v > q.version) {
      duplicated += 1;
      notes.push(`events of version ${v}, beyond the workflow's ${q.version}`);
    }
  }
  const count = (type: string) => events.filter((e) => e.type === type).length;
  const expect = (what: string, found: number, wanted: number) => {
    if (found > wanted) duplicated += found - wanted;
    if (found < wanted) lost += wanted - found;
    if (found !== wanted) notes.push(`${what}: ${found} in the read model, ${wanted} expected`);
  };
  expect('deadline_opened events', count('deadline_opened'), q.deadlines.length);
  expect('escalated events', count('escalated'), q.escalations.length);
  if (t.kind === 'alert') {
    expect('visit_recorded events (the client had acknowledged)', count('visit_recorded'), t.visits);
    expect('visits in the workflow (the client had acknowledged)', q.visits?.length ?? 0, t.visits);
    expect('level_changed events', count('level_changed'), t.levelChanges);
    expect('acknowledged events', count('acknowledged'), t.acknowledged);
    expect('closed events', count('closed'), t.closed);
    expect('opened events', count('opened'), 1);
  } else {
    for (const [step, type] of [['file', 'submitted'], ['investigation', 'investigated'], ['deliberation.schedule', 'deliberation_scheduled'], ['deliberation.record', 'deliberated']] as const) {
      expect(`${type} events`, count(type), t.steps.includes(step) ? 1 : 0);
    }
  }
  // The outbox: a notice for each at-risk and escalation event, in the same version; none without its change.
  const noticeKey = (id: string) => id.replace(/:n\d+$/, '');
  for (const kind of ['at_risk', 'escalated']) {
    const byVersion = (xs: Doc[], key: (d: Doc) => string) => xs.reduce((m, x) => m.set(key(x), (m.get(key(x)) ?? 0) + 1), new Map<string, number>());
    const ev = byVersion(events.filter((e) => e.type === kind), (e) => `${t.caseId}:${e.version as number}`);
    const no = byVersion(notices.filter((n) => n.kind === kind), (n) => noticeKey(n._id));
    for (const [v, n] of ev) expect(`${kind} notices of ${v}`, no.get(v) ?? 0, n);
    for (const [v, n] of no) if (!ev.has(v)) expect(`${kind} notices of ${v} (no event)`, n, 0);
  }
  return { lost, duplicated, mismatched, notes, events: events.length, notices: notices.length };
}

/** The report as printed: one line of counts, then each problem. */
export function formatReport(r: ChaosReport): string {
  const kills = Object.entries(r.kills).map(([k, v]) => `${k} ${v}`).join(', ');
  const restarts = Object.entries(r.restarts).map(([k, v]) => `${k} ${v}`).join(', ');
  return [
    `seed ${r.seed}: ${r.actions} actions (${r.acknowledged} acknowledged, ${r.retries} requests sent again after a lost answer, ${r.conflictsRetried} after a 409, ${r.refused.length} refused) in ${r.seconds} s`,
    `kills: ${kills}; restarts: ${restarts}`,
    `cases checked ${r.casesChecked}, events ${r.events}, notices ${r.notices}, lost ${r.lost}, duplicated ${r.duplicated}, mismatched ${r.mismatched}`,
    ...r.refused.map((x) => `refused: ${x}`),
    ...r.problems.map((x) => `problem: ${x}`),
  ].join('\n');
}

/** Whether the run found nothing wrong. */
export const chaosPassed = (r: ChaosReport) => r.lost === 0 && r.duplicated === 0 && r.mismatched === 0 && r.problems.length === 0 && r.refused.length === 0 && r.casesChecked > 0;

if (process.argv[1] === import.meta.filename) {
  const { values } = parseArgs({
    options: { seed: { type: 'string' }, actions: { type: 'string', default: '300' }, kills: { type: 'string', default: '20' }, concurrency: { type: 'string' }, keep: { type: 'boolean', default: false } },
  });
  const int = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) {
      console.error(`chaos: --${name} expects a whole number, got ${v}`);
      process.exit(2);
    }
    return Number(v);
  };
  const seed = int('seed', values.seed) ?? Math.floor(Math.random() * 2 ** 31);
  const r = await runChaos({ seed, actions: int('actions', values.actions)!, kills: int('kills', values.kills)!, concurrency: int('concurrency', values.concurrency), keep: values.keep });
  console.log(formatReport(r));
  if (values.keep) console.log(`data and logs kept in ${r.dataDir}`);
  process.exit(chaosPassed(r) ? 0 : 1);
}
