import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { buildApp, type App } from '../../api/app';
import { signToken } from '../../api/auth';
import { loadConfig, type Config } from '../../config';
import { computeCheckDigit } from '../../domain/id-number';
import type { Role } from '../../domain/roles';
import { connectMongo } from '../../store/mongo';
import { auditCountsByRequest } from '../../store/audit';
import { MUTATING_METHODS } from '../../domain/audit';
import type { Db } from 'mongodb';
import { ensureIndexes } from '../../store/indexes';
import { seedReferenceData } from '../../store/seed';
import { bundleWorkflows } from '../../worker/bundle';
import { createWorker } from '../../worker/worker';
import { piiDataConverter } from '../../worker/codec';
import { createFileSources } from '../../activities/departments/file-source';
import { piiKeyring } from '../../store/pii';
import { insertUser } from '../../store/users';

/** The sample department extracts shipped for local use (scripts/seed/departments). */
export const SAMPLE_DEPARTMENT_DATA = new URL('../../scripts/seed/departments', import.meta.url).pathname;

let runtimeInstalled = false;
/** Quiet the Rust core's logs once per process (Runtime.install works only once, before any worker). */
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { logging: { filter: 'ERROR', forward: {} } } });
}

export const JWT_SECRET = 'test-secret-test-secret-test-secret-0123';

/** Units of the seeded Weihai tree that tests use by name. */
export const UNITS = {
  city: '371000',
  huancui: '371002',
  jingyuan: '371002001',
  haigang: '371002001001',
  haigangGrid: '371002001001-G01',
  huancuilou: '371002002',
  wendeng: '371003',
} as const;

export interface TestContext {
  app: App;
  config: Config;
  mongo: Awaited<ReturnType<typeof connectMongo>>;
  temporal: Client;
  token(role: Role, org: string, opts?: { user?: string; expiresIn?: string | number }): Promise<string>;
  /** Starts a worker on this context's task queue (dev server); stopped by close(). */
  startWorker(): Promise<Worker>;
  close(): Promise<void>;
}

/**
 * An API over the suite's real servers, with its own database and task queue so files do not meet.
 * `policy` (the policy-file content) lets end-to-end tests use second-long durations; `env` adds or overrides
 * environment variables of the API's config (config/index.ts: a short access-token lifetime, an OIDC issuer).
 */
export async function createTestContext(name: string, opts: { policy?: unknown; namespace?: string; env?: NodeJS.ProcessEnv } = {}): Promise<TestContext> {
  quietRuntime();
  const suffix = `${name}_${randomBytes(3).toString('hex')}`;
  const env: NodeJS.ProcessEnv = {
    NODE_ENV: 'test',
    DATA_DIR: inject('scratchDir'),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    MONGODB_URI: inject('mongoUri'),
    MONGODB_DB: `t_${suffix}`,
    ...(inject('postgresUrl') ? { FERRETDB_POSTGRESQL_URL: inject('postgresUrl') } : {}),
    TEMPORAL_TASK_QUEUE: `tq-${suffix}`,
    // A namespace of the file's own (global-setup's ISOLATED_NAMESPACE) when its requests could meet other files' ids.
    ...(opts.namespace ? { TEMPORAL_NAMESPACE: opts.namespace } : {}),
    JWT_SECRET,
    LOG_LEVEL: 'silent',
    ...opts.env,
  };
  if (opts.policy !== undefined) {
    const file = join(inject('scratchDir'), `policy-${suffix}.json`);
    writeFileSync(file, JSON.stringify(opts.policy));
    env.POLICY_FILE = file;
  }
  const config = loadConfig(env);
  const mongo = await connectMongo(config.mongodb.uri, config.mongodb.db, piiKeyring(config.pii));
  await ensureIndexes(mongo.db, { postgresUrl: config.mongodb.postgresUrl });
  await seedReferenceData(mongo.db);
  const connection = await Connection.connect({ address: config.temporal.address });
  const temporal = new Client({ connection, namespace: config.temporal.namespace, dataConverter: piiDataConverter(piiKeyring(config.pii)) });
  const app = await buildApp({ config, mongo, temporal, logger: false });
  const audited = countMutatingRequests(app);
  const workers: { worker: Worker; running: Promise<void>; connection: NativeConnection }[] = [];

  return {
    app,
    config,
    mongo,
    temporal,
    token: (role, org, o = {}) => signToken(JWT_SECRET, { sub: o.user ?? `${role}@${org}`, role, org }, o.expiresIn ?? '1h'),
    async startWorker() {
      const nc = await NativeConnection.connect({ address: config.temporal.address });
      const sources = createFileSources(SAMPLE_DEPARTMENT_DATA);
      const worker = await createWorker({ connection: nc, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, db: mongo.db, sources, temporal, notify: config.notify, pointsPolicy: config.policy.points, workflowBundle: await sharedBundle() });
      workers.push({ worker, running: worker.run(), connection: nc });
      return worker;
    },
    async close() {
      // Every mutating request this file sent left exactly one audit record (issue 11; api/audit.ts).
      const unaudited = await requestsWithoutOneAuditRecord(mongo.db, audited).catch((err: unknown) => [`audit not readable: ${String(err)}`]);
      for (const w of workers) {
        if (w.worker.getState() === 'RUNNING') w.worker.shutdown();
        await w.running;
        await w.connection.close();
      }
      await app.close();
      await connection.close();
      await mongo.db.dropDatabase().catch(() => undefined);
      await mongo.client.close();
      if (unaudited.length > 0) throw new Error(`${unaudited.length} of ${audited.length} mutating requests did not leave exactly one audit record: ${unaudited.slice(0, 5).join('; ')}`);
    },
  };
}

/**
 * Counts the mutating requests (POST/PUT/PATCH/DELETE) the tests send through `app.inject`, by the request
 * id each answer carries, with the method and URL for the failure message.
 */
function countMutatingRequests(app: App): { id: string; what: string }[] {
  const sent: { id: string; what: string }[] = [];
  const inject = app.inject.bind(app) as (opts: unknown) => Promise<{ headers: Record<string, unknown> }>;
  (app as unknown as { inject: unknown }).inject = (opts?: unknown) => {
    if (opts === undefined || typeof opts !== 'object' || opts === null) return (inject as (o?: unknown) => unknown)(opts);
    const method = String((opts as { method?: string }).method ?? 'GET').toUpperCase();
    return inject(opts).then((res) => {
      if (MUTATING_METHODS.includes(method)) sent.push({ id: String(res.headers['x-request-id']), what: `${method} ${String((opts as { url?: unknown }).url)}` });
      return res;
    });
  };
  return sent;
}

/** The requests among `sent` whose id has not exactly one audit record (with how many it has). */
async function requestsWithoutOneAuditRecord(db: Db, sent: { id: string; what: string }[]): Promise<string[]> {
  if (sent.length === 0) return [];
  const counts = await auditCountsByRequest(db, sent.map((s) => s.id));
  return sent.filter((s) => counts.get(s.id) !== 1).map((s) => `${s.what} (${s.id}): ${counts.get(s.id) ?? 0} records`);
}

let bundle: Promise<{ code: string }> | undefined;
/** Bundling the workflows takes seconds: once per test file. */
export function sharedBundle(): Promise<{ code: string }> {
  bundle ??= bundleWorkflows();
  return bundle;
}

/** A valid resident ID number for tests (GB 11643 check digit computed); distinct for seq < 1,000,000. */
export function idNumber(seq: number): string {
  const birth = new Date(Date.UTC(1950, 0, 1) + Math.floor(seq / 1000) * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
  const body = `371002${birth}${String(seq % 1000).padStart(3, '0')}`;
  return body + computeCheckDigit(body);
}

/**
 * Registers a household in a village and returns its id. Its category is 低保边缘 by default, which the
 * pairing policy does not name: a household registered as 低保, 特困 or 重度残疾 gets a pairing case (党员帮包,
 * issue 13), which tests of other kinds would then meet in their lists; pass `categories` to register one.
 */
export async function registerHousehold(ctx: TestContext, token: string, seq: number, unitCode: string = UNITS.haigang, categories: readonly string[] = ['low_income_marginal']): Promise<string> {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/v1/households',
    headers: { authorization: `Bearer ${token}` },
    payload: { headName: `张${seq}`, headIdNumber: idNumber(seq), address: `威海市环翠区海港路${seq}号`, phone: '13800000000', unitCode, categories },
  });
  if (res.statusCode !== 201) throw new Error(`register household: ${res.statusCode} ${res.body}`);
  return res.json().id as string;
}

export const authz = (token: string) => ({ authorization: `Bearer ${token}` });

/** A staff user a test needs (store/users.ts): its login, role and unit; active unless `status` says otherwise. */
export interface TestUser {
  login: string;
  role: Role;
  unitCode: string;
  name?: string;
  status?: 'active' | 'disabled';
}

/**
 * Creates staff users through the store (no password: they sign in only with the ready-made tokens of
 * `ctx.token`), each at its unit's path in the org tree; throws for an unknown unit or a login taken already.
 * For rules that want a named login to be a real user (an alert's visitor, a party member's login).
 */
export async function createUsers(ctx: TestContext, users: readonly TestUser[]): Promise<void> {
  const at = new Date();
  for (const u of users) {
    const unit = await ctx.app.deps.orgs.get(u.unitCode);
    if (!unit) throw new Error(`createUsers: no org unit ${u.unitCode}`);
    const inserted = await insertUser(ctx.mongo.db, {
      _id: u.login,
      name: u.name ?? `测试${u.login}`,
      role: u.role,
      unitCode: u.unitCode,
      orgPath: unit.path,
      phone: null,
      status: u.status ?? 'active',
      source: 'local',
      passwordHash: null,
      mustChangePassword: false,
      passwordChangedAt: null,
      failures: [],
      lockedUntil: null,
      createdAt: at,
      createdBy: 'test',
      updatedAt: at,
      updatedBy: 'test',
    });
    if (!inserted) throw new Error(`createUsers: the login ${u.login} exists already`);
  }
}
