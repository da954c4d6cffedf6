import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { resolvePolicy, type Policy } from '../domain/policy';
import { MIN_AUDIT_RETENTION_DAYS } from '../domain/audit';

/**
 * The one place that reads the environment. Everything else receives a Config.
 * A bad value stops start-up with ConfigError: one line naming the variable and what it expected.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const port = z.coerce.number().int().min(1).max(65_535);

const zEnv = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(3000),
  DATA_DIR: z.string().min(1).default('data'),
  DEPARTMENT_DATA_DIR: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TEMPORAL_ADDRESS: z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port').optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('jiuzhu'),
  TEMPORAL_UI_URL: z.url().optional(),
  MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'expected a mongodb:// or mongodb+srv:// URI').optional(),
  /**
   * When the read model is FerretDB on PostgreSQL: that PostgreSQL, so start-up adds the indexes FerretDB's
   * SQL can use (store/indexes.ts). `npm start` sets it for its own cluster.
   */
  FERRETDB_POSTGRESQL_URL: z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL').optional(),
  MONGODB_DB: z.string().regex(/^[A-Za-z0-9_-]{1,63}$/, 'expected a database name').default('jiuzhu'),
  JWT_SECRET: z.string().min(32, 'expected at least 32 characters').optional(),
  /**
   * Bearer tokens: the longest lifetime (exp − iat) accepted, in seconds. Default 12 h — ours, after the
   * bounded-session practice of MLPS level 3 (等保三级: sessions end after a set time); a working day.
   */
  JWT_MAX_LIFETIME_SECONDS: z.coerce.number().int().min(60).max(7 * 86_400).default(12 * 3600),
  /** How far the issuer's clock may be ahead of or behind ours, in seconds (iat, nbf, exp). Default 60 (ours). */
  JWT_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(600).default(60),
  /** The `iss` every token must carry; unset: not checked. Tokens minted here (npm run token, the picker) carry it. */
  JWT_ISSUER: z.string().min(1).max(200).optional(),
  /** The `aud` every token must include; unset: not checked. */
  JWT_AUDIENCE: z.string().min(1).max(200).optional(),
  POLICY_FILE: z.string().min(1).optional(),
  /**
   * Keys that encrypt personal data at rest (ID numbers, phones) and the Temporal payloads:
   * comma-separated `kid:base64` entries, each key 32 bytes (AES-256-GCM). All decrypt; PII_ACTIVE_KEY
   * (default: the first) encrypts. Required in production; docs/security.md says how to rotate.
   */
  PII_KEYS: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,16}:[A-Za-z0-9+/_-]{43}=?(,[A-Za-z0-9_-]{1,16}:[A-Za-z0-9+/_-]{43}=?)*$/, 'expected comma-separated kid:base64 entries, each key 32 bytes (openssl rand -base64 32)')
    .optional(),
  PII_ACTIVE_KEY: z.string().regex(/^[A-Za-z0-9_-]{1,16}$/, 'expected a key id of PII_KEYS').optional(),
  /** The blind index's HMAC-SHA256 key (32 bytes, base64), separate from PII_KEYS. Required in production. */
  PII_INDEX_KEY: z.string().regex(/^[A-Za-z0-9+/_-]{43}=?$/, 'expected a 32-byte key in base64 (openssl rand -base64 32)').optional(),
  /**
   * Behind a load balancer or reverse proxy: which X-Forwarded-For hops to trust, so rate limits see the
   * client's address — `true` (all), a hop count, or comma-separated addresses/CIDRs. Unset: trust none.
   */
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|\d{1,2}|[0-9a-fA-F:./]+(,[0-9a-fA-F:./]+)*)$/, 'expected true, false, a hop count, or comma-separated addresses/CIDRs')
    .optional(),
  /** Where the public reaches the API: the address printed in the QR codes (default http://HOST:PORT outside production; required, https, in production). */
  /** An https URL (http outside production) with no path but `/`: the phone page's `/q/{code}` is appended to it. Ours. */
  PUBLIC_BASE_URL: z
    .string()
    .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), 'must be an https URL (http outside production)')
    .refine((v) => !URL.canParse(v) || (new URL(v).pathname === '/' && !new URL(v).search && !new URL(v).hash), 'must have no path (only /): /q/{code} is appended to it')
    .optional(),
  /** Workflows the worker keeps in memory (default: from the heap limit, worker/worker.ts). */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(2).max(100_000).optional(),
  /**
   * A prebuilt workflow bundle (`npm run build:workflows`; the production image sets it): the worker loads
   * it instead of bundling the workflows at start. Unset: it bundles them from source, as in development.
   */
  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
  /**
   * How long audit records are kept, in days (store/audit.ts): at least six months — 184 days, the longest
   * six months — per 网络安全法 Art. 21(3) (留存相关的网络日志不少于六个月); a shorter value is refused.
   */
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(MIN_AUDIT_RETENTION_DAYS, `expected at least ${MIN_AUDIT_RETENTION_DAYS} days (six months, 网络安全法 Art. 21(3))`).max(36_500).default(MIN_AUDIT_RETENTION_DAYS),
  /**
   * The key that signs webhook deliveries of notices (HMAC-SHA256, docs/notifications.md), at least 32
   * characters. Unset: outside production a fixed development key (INSECURE); in production no webhook is
   * sent (each webhook delivery fails, naming this variable, and the unit's supervisor is told).
   */
  NOTIFY_WEBHOOK_SECRET: z.string().min(32, 'expected at least 32 characters').optional(),
  /** A notice delivery's retries: the first wait (ms), doubling up to NOTIFY_RETRY_MAX_INTERVAL_MS, at most NOTIFY_RETRY_MAX_ATTEMPTS attempts, then failed. */
  NOTIFY_RETRY_INITIAL_MS: z.coerce.number().int().min(10).max(3_600_000).optional(),
  NOTIFY_RETRY_MAX_INTERVAL_MS: z.coerce.number().int().min(10).max(86_400_000).optional(),
  NOTIFY_RETRY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).optional(),
  /** How long one webhook request may take before it counts as a failed attempt, ms (default 10 s). */
  NOTIFY_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** How often the worker looks for notices whose delivery was never started (activities/notify.ts sweepUndelivered), seconds; 0: never. */
  NOTIFY_SWEEP_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
  /** How often the worker opens the pairings of qualifying households that have none (activities/pairing.ts sweepPairings), seconds; 0: never. */
  PAIRING_SWEEP_SECONDS: z.coerce.number().int().min(0).max(86_400).default(600),
  /** The local SMS driver's file (JSON lines, one message a line); default DATA_DIR/sms-outbox.jsonl. */
  NOTIFY_SMS_FILE: z.string().min(1).optional(),
  /** Staff accounts (docs/accounts.md): access-token lifetime, seconds (default 15 min; ours). */
  AUTH_ACCESS_TOKEN_SECONDS: z.coerce.number().int().min(30).max(3600).default(900),
  /** A session's refresh idle expiry, seconds (default 2 h) and absolute expiry (default 12 h, a working day); ours, after 等保2.0 8.1.4.1 (登录连接超时自动退出). */
  AUTH_SESSION_IDLE_SECONDS: z.coerce.number().int().min(60).max(30 * 86_400).default(2 * 3600),
  AUTH_SESSION_MAX_SECONDS: z.coerce.number().int().min(60).max(30 * 86_400).default(12 * 3600),
  /** How long the refresh token just rotated away is still answered (with an access token, not a new refresh token) rather than taken for reuse: two tabs refreshing at once; RFC 9700 §4.14.2; default 30 s, 0 off. */
  AUTH_REFRESH_GRACE_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  /** Failed sign-ins of one login within AUTH_FAILURE_WINDOW_SECONDS that lock it for AUTH_LOCKOUT_SECONDS (default 5 in 15 min, 15 min; GB/T 22239-2019 登录失败处理; ours). */
  AUTH_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  AUTH_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  AUTH_LOCKOUT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  /** Failed sign-ins from one client address within the failure window before it is refused (429), whatever logins it tries (default 30; ours). */
  AUTH_CLIENT_MAX_FAILURES: z.coerce.number().int().min(1).max(10_000).default(30),
  /** OIDC sign-in (docs/accounts.md): the issuer's URL (its /.well-known/openid-configuration is read), the client, the redirect URI registered with it, and the claims naming a user's role and unit. All or none. */
  OIDC_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
  OIDC_CLIENT_ID: z.string().min(1).max(200).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).max(500).optional(),
  /** Default PUBLIC_BASE_URL/v1/auth/oidc/callback. */
  OIDC_REDIRECT_URI: z.url({ protocol: /^https?$/ }).optional(),
  OIDC_ROLE_CLAIM: z.string().regex(/^[A-Za-z0-9_:.-]{1,100}$/, 'expected a claim name').default('jiuzhu_role'),
  OIDC_UNIT_CLAIM: z.string().regex(/^[A-Za-z0-9_:.-]{1,100}$/, 'expected a claim name').default('jiuzhu_unit'),
  /** The scopes asked for (space-separated), default "openid profile". */
  OIDC_SCOPES: z.string().regex(/^[\x21-\x7e]+( [\x21-\x7e]+)*$/, 'expected space-separated scopes').default('openid profile'),
  // Ports of the local stack that `npm start` runs when TEMPORAL_ADDRESS / MONGODB_URI are unset.
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  MONGODB_PORT: port.default(27017),
});

export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  dataDir: string;
  /** Department extracts for economic verification (<code>.csv / <code>.json). */
  departmentDataDir: string;
  logLevel: string;
  temporal: { address: string; namespace: string; taskQueue: string; uiUrl: string; external: boolean };
  mongodb: { uri: string; db: string; external: boolean; postgresUrl?: string };
  jwtSecret: string;
  /** What a bearer token must satisfy besides its signature (api/auth.ts verifyToken). */
  tokens: TokenRules;
  policy: Policy;
  /** The public address of the API, without a trailing slash: QR codes point at it. */
  publicBaseUrl: string;
  /** Fastify's trustProxy: which proxies' X-Forwarded-For to believe. */
  trustProxy: boolean | number | string[];
  local: { temporalPort: number; temporalUiPort: number; mongodbPort: number };
  pii: PiiKeys;
  worker: { maxCachedWorkflows?: number; workflowBundlePath?: string };
  /** The audit record's retention, days (≥ 184: six months). */
  audit: { retentionDays: number };
  /** Delivery of notices through their channels (docs/notifications.md). */
  notify: NotifyConfig;
  /** The worker's sweep opening missing pairings (党员帮包), seconds between runs (0: off). */
  pairing: { sweepSeconds: number };
  /** Staff accounts: tokens, sessions, lockout, OIDC (docs/accounts.md). */
  auth: AuthConfig;
}

/**
 * Staff sign-in (docs/accounts.md): seconds throughout. `accessTokenSeconds` the access token's lifetime;
 * `sessionIdleSeconds` / `sessionMaxSeconds` a session's refresh expiry; `maxFailures` failed sign-ins of
 * one login within `failureWindowSeconds` lock it for `lockoutSeconds`; `clientMaxFailures` per client
 * address in the same window; `oidc` when OIDC_ISSUER is set. Source: ours, after GB/T 22239-2019 身份鉴别.
 */
export interface AuthConfig {
  accessTokenSeconds: number;
  sessionIdleSeconds: number;
  sessionMaxSeconds: number;
  /** Seconds the refresh token just rotated away still answers (api/accounts.ts `rotateSession`). */
  refreshGraceSeconds: number;
  maxFailures: number;
  failureWindowSeconds: number;
  lockoutSeconds: number;
  clientMaxFailures: number;
  oidc: OidcConfig | null;
}

/** An OIDC identity service: issuer URL, client, redirect URI, the claims naming role and unit, the scopes. */
export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  roleClaim: string;
  unitClaim: string;
  scopes: string;
}

function authConfig(e: z.infer<typeof zEnv>, publicBaseUrl: string): AuthConfig {
  if (e.AUTH_SESSION_IDLE_SECONDS > e.AUTH_SESSION_MAX_SECONDS) throw new ConfigError('AUTH_SESSION_IDLE_SECONDS: must not exceed AUTH_SESSION_MAX_SECONDS');
  const named = { OIDC_ISSUER: e.OIDC_ISSUER, OIDC_CLIENT_ID: e.OIDC_CLIENT_ID, OIDC_CLIENT_SECRET: e.OIDC_CLIENT_SECRET };
  const set = Object.entries(named).filter(([, v]) => v !== undefined);
  if (set.length > 0 && set.length < 3) throw new ConfigError(`${Object.entries(named).find(([, v]) => v === undefined)![0]}: required when ${set.map(([k]) => k).join(', ')} is set (OIDC sign-in needs the issuer, the client id and its secret)`);
  if (e.NODE_ENV === 'production' && e.OIDC_ISSUER && !e.OIDC_ISSUER.startsWith('https:')) throw new ConfigError('OIDC_ISSUER: must be https in production');
  return {
    accessTokenSeconds: e.AUTH_ACCESS_TOKEN_SECONDS,
    sessionIdleSeconds: e.AUTH_SESSION_IDLE_SECONDS,
    sessionMaxSeconds: e.AUTH_SESSION_MAX_SECONDS,
    refreshGraceSeconds: e.AUTH_REFRESH_GRACE_SECONDS,
    maxFailures: e.AUTH_MAX_FAILURES,
    failureWindowSeconds: e.AUTH_FAILURE_WINDOW_SECONDS,
    lockoutSeconds: e.AUTH_LOCKOUT_SECONDS,
    clientMaxFailures: e.AUTH_CLIENT_MAX_FAILURES,
    oidc: e.OIDC_ISSUER
      ? {
          issuer: e.OIDC_ISSUER,
          clientId: e.OIDC_CLIENT_ID!,
          clientSecret: e.OIDC_CLIENT_SECRET!,
          redirectUri: e.OIDC_REDIRECT_URI ?? `${publicBaseUrl}/v1/auth/oidc/callback`,
          roleClaim: e.OIDC_ROLE_CLAIM,
          unitClaim: e.OIDC_UNIT_CLAIM,
          scopes: e.OIDC_SCOPES.split(' ').includes('openid') ? e.OIDC_SCOPES : `openid ${e.OIDC_SCOPES}`,
        }
      : null,
  };
}

/**
 * How notices are delivered (activities/notify.ts): the webhook signing key, the retry policy of one
 * delivery (ms; doubling), the webhook's per-request timeout, the local SMS driver's file.
 */
export interface NotifyConfig {
  /** null: in production without NOTIFY_WEBHOOK_SECRET — webhook deliveries fail, naming the variable. */
  webhookSecret: string | null;
  retry: { initialMs: number; maxIntervalMs: number; maxAttempts: number };
  webhookTimeoutMs: number;
  smsFile: string;
  /** The worker's sweep for undelivered notices, seconds between runs (0: off). */
  sweepSeconds: number;
}

/**
 * The delivery settings from the environment. Defaults (ours): in development and production a first retry
 * after 5 s, doubling to 10 min, 10 attempts (about an hour and a half in all); in tests 100 ms, to 1 s,
 * 3 attempts, so a failing endpoint is marked failed within seconds. Production signs only with its own
 * secret: without one, webhooks are not sent (the fixed development key would let anyone forge them).
 */
function notifyConfig(e: z.infer<typeof zEnv>, dataDir: string): NotifyConfig {
  const test = e.NODE_ENV === 'test';
  return {
    webhookSecret: e.NOTIFY_WEBHOOK_SECRET ?? (e.NODE_ENV === 'production' ? null : insecureDevKey('notice webhook').toString('base64url')),
    retry: {
      initialMs: e.NOTIFY_RETRY_INITIAL_MS ?? (test ? 100 : 5_000),
      maxIntervalMs: e.NOTIFY_RETRY_MAX_INTERVAL_MS ?? (test ? 1_000 : 600_000),
      maxAttempts: e.NOTIFY_RETRY_MAX_ATTEMPTS ?? (test ? 3 : 10),
    },
    webhookTimeoutMs: e.NOTIFY_WEBHOOK_TIMEOUT_MS,
    sweepSeconds: e.NOTIFY_SWEEP_SECONDS,
    smsFile: resolve(e.NOTIFY_SMS_FILE ?? resolve(dataDir, 'sms-outbox.jsonl')),
  };
}

/** The checks on a bearer token's times and names; seconds. */
export interface TokenRules {
  maxLifetimeSeconds: number;
  clockSkewSeconds: number;
  issuer?: string;
  audience?: string;
}

/**
 * The keys of personal data at rest and of the Temporal payload codec (store/pii.ts, worker/codec.ts).
 * `keys`: every key by its id (all decrypt); `activeKid` encrypts; `indexKey`: the blind index's HMAC key.
 * `insecure`: the fixed development keys (outside production only, when PII_KEYS is unset).
 */
export interface PiiKeys {
  activeKid: string;
  keys: Record<string, Buffer>;
  indexKey: Buffer;
  insecure: boolean;
}

/**
 * Fixed keys for development and tests, derived from public strings: INSECURE, anyone can read data
 * encrypted with them. Used only outside production when PII_KEYS / PII_INDEX_KEY are unset.
 */
/** Every environment variable `loadConfig` reads, by name (README's configuration table lists each: test/config.test.ts). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(zEnv.shape);

export const INSECURE_DEV_PII_KID = 'dev';
const insecureDevKey = (purpose: string) => createHash('sha256').update(`jiuzhu insecure development key: ${purpose}`).digest();

/** The fixed development keys (INSECURE): what an unset PII_KEYS / PII_INDEX_KEY means outside production, for tests and scripts. */
export function insecureDevPiiKeys(): PiiKeys {
  return { activeKid: INSECURE_DEV_PII_KID, keys: { [INSECURE_DEV_PII_KID]: insecureDevKey('aes-256-gcm') }, indexKey: insecureDevKey('blind index'), insecure: true };
}

function piiKeys(e: z.infer<typeof zEnv>): PiiKeys {
  if (e.NODE_ENV === 'production' && !e.PII_KEYS) throw new ConfigError('PII_KEYS: required in production (kid:base64 of 32 random bytes, e.g. k1:$(openssl rand -base64 32))');
  if (e.NODE_ENV === 'production' && !e.PII_INDEX_KEY) throw new ConfigError('PII_INDEX_KEY: required in production (base64 of 32 random bytes, separate from PII_KEYS)');
  const keys: Record<string, Buffer> = {};
  let first: string | undefined;
  if (e.PII_KEYS) {
    for (const entry of e.PII_KEYS.split(',')) {
      const [kid, b64] = entry.split(':') as [string, string];
      if (Object.hasOwn(keys, kid)) throw new ConfigError(`PII_KEYS: key id ${kid} appears twice`);
      const key = Buffer.from(b64, 'base64');
      if (key.length !== 32) throw new ConfigError(`PII_KEYS: key ${kid} is ${key.length} bytes, expected 32`);
      keys[kid] = key;
      first ??= kid;
    }
  } else {
    keys[INSECURE_DEV_PII_KID] = insecureDevKey('aes-256-gcm');
    first = INSECURE_DEV_PII_KID;
  }
  const activeKid = e.PII_ACTIVE_KEY ?? first!;
  if (!Object.hasOwn(keys, activeKid)) throw new ConfigError(`PII_ACTIVE_KEY: ${activeKid} is not a key id of PII_KEYS`);
  const indexKey = e.PII_INDEX_KEY ? Buffer.from(e.PII_INDEX_KEY, 'base64') : insecureDevKey('blind index');
  if (indexKey.length !== 32) throw new ConfigError(`PII_INDEX_KEY: ${indexKey.length} bytes, expected 32`);
  return { activeKid, keys, indexKey, insecure: !e.PII_KEYS || !e.PII_INDEX_KEY };
}

function firstIssue(error: z.ZodError, source: string): string {
  const issue = error.issues[0]!;
  const where = issue.path.length ? issue.path.join('.') : source;
  return `${where}: ${issue.message}`;
}

/** Reads and validates a policy file; the version defaults to a hash of its content. */
export function loadPolicy(file: string | undefined): Policy {
  if (!file) return resolvePolicy(undefined, 'default');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`POLICY_FILE: cannot read ${file}`);
  }
  let raw: unknown;
  try {
    raw = extname(file) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError(`POLICY_FILE: ${file} is not valid ${extname(file) === '.json' ? 'JSON' : 'YAML'} (${(err as Error).message.split('\n')[0]})`);
  }
  const hash = createHash('sha256').update(JSON.stringify(raw ?? {})).digest('hex').slice(0, 12);
  try {
    return resolvePolicy(raw, `sha-${hash}`);
  } catch (err) {
    if (err instanceof z.ZodError) throw new ConfigError(`POLICY_FILE: ${file}: ${firstIssue(err, 'policy')}`);
    throw err;
  }
}

/**
 * Outside production an unset JWT_SECRET is replaced by a random one kept in DATA_DIR, so that the API
 * and `npm run token` agree without anyone inventing a shared default secret.
 */
function localJwtSecret(dataDir: string): string {
  const file = resolve(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

function parseTrustProxy(value: string | undefined): boolean | number | string[] {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',');
}

/** The prebuilt bundle's absolute path, checked at start-up rather than when the worker first needs it. */
function workflowBundlePath(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const path = resolve(value);
  if (!existsSync(path)) throw new ConfigError(`WORKFLOW_BUNDLE_PATH: no file at ${path} (npm run build:workflows writes one)`);
  return path;
}

/**
 * Reads and validates the environment (`env`, default process.env) into a Config.
 * @throws ConfigError naming the first bad variable and what it expected.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = zEnv.safeParse(env);
  if (!parsed.success) throw new ConfigError(firstIssue(parsed.error, 'environment'));
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.JWT_SECRET) throw new ConfigError('JWT_SECRET: required in production (at least 32 characters)');
  // The address printed in the QR codes cannot be changed once printed: production never falls back to HOST:PORT (ours).
  if (e.NODE_ENV === 'production' && !e.PUBLIC_BASE_URL) throw new ConfigError('PUBLIC_BASE_URL: required in production (the https address the public reaches, printed in every QR code)');
  if (e.NODE_ENV === 'production' && !e.PUBLIC_BASE_URL!.startsWith('https:')) throw new ConfigError('PUBLIC_BASE_URL: must be https in production');
  const dataDir = resolve(e.DATA_DIR);
  const temporalAddress = e.TEMPORAL_ADDRESS ?? `127.0.0.1:${e.TEMPORAL_PORT}`;
  const publicBaseUrl = (e.PUBLIC_BASE_URL ?? `http://${e.HOST}:${e.PORT}`).replace(/\/+$/, '');
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    dataDir,
    departmentDataDir: e.DEPARTMENT_DATA_DIR === undefined ? resolve(dataDir, 'departments') : resolve(e.DEPARTMENT_DATA_DIR),
    logLevel: e.LOG_LEVEL,
    temporal: {
      address: temporalAddress,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      uiUrl: e.TEMPORAL_UI_URL ?? `http://127.0.0.1:${e.TEMPORAL_UI_PORT}`,
      external: e.TEMPORAL_ADDRESS !== undefined,
    },
    mongodb: {
      uri: e.MONGODB_URI ?? `mongodb://127.0.0.1:${e.MONGODB_PORT}/`,
      db: e.MONGODB_DB,
      external: e.MONGODB_URI !== undefined,
      postgresUrl: e.FERRETDB_POSTGRESQL_URL,
    },
    jwtSecret: e.JWT_SECRET ?? localJwtSecret(dataDir),
    tokens: {
      maxLifetimeSeconds: e.JWT_MAX_LIFETIME_SECONDS,
      clockSkewSeconds: e.JWT_CLOCK_SKEW_SECONDS,
      ...(e.JWT_ISSUER ? { issuer: e.JWT_ISSUER } : {}),
      ...(e.JWT_AUDIENCE ? { audience: e.JWT_AUDIENCE } : {}),
    },
    policy: loadPolicy(e.POLICY_FILE),
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    publicBaseUrl,
    pii: piiKeys(e),
    local: { temporalPort: e.TEMPORAL_PORT, temporalUiPort: e.TEMPORAL_UI_PORT, mongodbPort: e.MONGODB_PORT },
    worker: { maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS, workflowBundlePath: workflowBundlePath(e.WORKFLOW_BUNDLE_PATH) },
    audit: { retentionDays: e.AUDIT_RETENTION_DAYS },
    notify: notifyConfig(e, dataDir),
    pairing: { sweepSeconds: e.PAIRING_SWEEP_SECONDS },
    auth: authConfig(e, publicBaseUrl),
  };
}

/** Runs `main`, turning a ConfigError into one line on stderr and exit code 2. */
export async function runWithConfig(main: (config: Config) => Promise<void>): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`jiuzhu: configuration error: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  await main(config);
}
