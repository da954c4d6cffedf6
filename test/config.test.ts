import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../config';

const dir = mkdtempSync(join(tmpdir(), 'jiuzhu-config-'));
const base = { DATA_DIR: dir, JWT_SECRET: 'x'.repeat(40) };
const message = (env: NodeJS.ProcessEnv) => {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('configuration', () => {
  it('README’s configuration table names every variable the module reads', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('\n## Configuration'), readme.indexOf('\n## Identity and jurisdiction'));
    const rows = table.split('\n').filter((line) => line.startsWith('| `'));
    // A variable's own row, or the row of the one it goes with (`TEMPORAL_PORT` in TEMPORAL_ADDRESS's default).
    const named = new Set(rows.flatMap((row) => [...row.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1])));
    expect(CONFIG_VARIABLES.length).toBeGreaterThan(40);
    expect(CONFIG_VARIABLES.filter((v) => !named.has(v))).toEqual([]);
  });

  it('defaults: 127.0.0.1:3000, data/, the local servers, the seed policy', () => {
    const c = loadConfig({ ...base, DATA_DIR: undefined, JWT_SECRET: 'y'.repeat(32) });
    expect(c.host).toBe('127.0.0.1');
    expect(c.port).toBe(3000);
    expect(c.dataDir).toBe(join(process.cwd(), 'data'));
    expect(c.temporal).toMatchObject({ address: '127.0.0.1:7233', namespace: 'default', external: false });
    expect(c.mongodb).toMatchObject({ uri: 'mongodb://127.0.0.1:27017/', external: false });
    expect(c.policy.alerts.levels.red).toEqual({ dueMs: 24 * 3600_000, escalateEveryMs: 24 * 3600_000, warnAt: 0.75 });
    expect(c.policy.alerts.levels.yellow.dueMs).toBe(7 * 86_400_000);
  });

  it('names the variable and what it expected', () => {
    expect(message({ ...base, PORT: 'abc' })).toMatch(/^PORT: /);
    expect(message({ ...base, PORT: '70000' })).toMatch(/^PORT: .*65535/);
    expect(message({ ...base, TEMPORAL_ADDRESS: 'nohost' })).toBe('TEMPORAL_ADDRESS: expected host:port');
    expect(message({ ...base, MONGODB_URI: 'http://x' })).toMatch(/^MONGODB_URI: expected a mongodb:\/\//);
    expect(message({ ...base, LOG_LEVEL: 'loud' })).toMatch(/^LOG_LEVEL: /);
    expect(message({ ...base, JWT_SECRET: 'short' })).toBe('JWT_SECRET: expected at least 32 characters');
    expect(message({ ...base, NODE_ENV: 'production', JWT_SECRET: undefined })).toMatch(/^JWT_SECRET: required in production/);
  });

  it('production: PUBLIC_BASE_URL required and https (every printed QR code encodes it; never http://0.0.0.0:3000)', () => {
    const production = { ...base, NODE_ENV: 'production', HOST: '0.0.0.0', PII_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`, PII_INDEX_KEY: Buffer.alloc(32, 2).toString('base64') };
    expect(message(production)).toMatch(/^PUBLIC_BASE_URL: required in production/);
    expect(message({ ...production, PUBLIC_BASE_URL: 'http://jiuzhu.weihai.example' })).toBe('PUBLIC_BASE_URL: must be https in production');
    expect(loadConfig({ ...production, PUBLIC_BASE_URL: 'https://jiuzhu.weihai.example/' }).publicBaseUrl).toBe('https://jiuzhu.weihai.example');
    // Not an https URL, or a base with a path (it would print …/q/q/{code}): refused, saying why.
    expect(message({ ...production, PUBLIC_BASE_URL: 'ftp://x.example' })).toBe('PUBLIC_BASE_URL: must be an https URL (http outside production)');
    expect(message({ ...production, PUBLIC_BASE_URL: 'https://x.example/q' })).toBe('PUBLIC_BASE_URL: must have no path (only /): /q/{code} is appended to it');
    // Outside production the development default stays.
    expect(loadConfig({ ...base, HOST: '127.0.0.1', PORT: '3000' }).publicBaseUrl).toBe('http://127.0.0.1:3000');
  });

  it('TRUST_PROXY: none by default; true, a hop count or a list of proxies', () => {
    expect(loadConfig(base).trustProxy).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ ...base, TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/8,127.0.0.1' }).trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(message({ ...base, TRUST_PROXY: 'everyone' })).toMatch(/^TRUST_PROXY: expected true, false/);
  });

  it('external servers: TEMPORAL_ADDRESS and MONGODB_URI mean "start none"', () => {
    const c = loadConfig({ ...base, TEMPORAL_ADDRESS: 'temporal.example:7233', MONGODB_URI: 'mongodb://db:27017/?replicaSet=rs0' });
    expect(c.temporal.external).toBe(true);
    expect(c.mongodb.external).toBe(true);
  });

  it('outside production an unset JWT_SECRET becomes a random secret kept in DATA_DIR, the same on every load', () => {
    const a = loadConfig({ DATA_DIR: dir }).jwtSecret;
    expect(a.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig({ DATA_DIR: dir }).jwtSecret).toBe(a);
  });

  it('a policy file overrides the defaults; its errors name the field', () => {
    const good = join(dir, 'policy.yaml');
    writeFileSync(good, 'version: weihai-2026\nalerts:\n  orange: { due: PT48H, escalateEvery: PT24H }\n');
    const c = loadConfig({ ...base, POLICY_FILE: good });
    expect(c.policy.version).toBe('weihai-2026');
    expect(c.policy.alerts.levels.orange.dueMs).toBe(48 * 3600_000);
    expect(c.policy.alerts.levels.red.dueMs).toBe(24 * 3600_000);

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ alerts: { red: { due: '24 hours' } } }));
    expect(message({ ...base, POLICY_FILE: bad })).toMatch(/^POLICY_FILE: .*bad\.json: alerts\.red\.due: expected a positive ISO-8601 duration/);
    const typo = join(dir, 'typo.json');
    writeFileSync(typo, JSON.stringify({ alerts: { red: { dew: 'PT1H' } } }));
    expect(message({ ...base, POLICY_FILE: typo })).toMatch(/alerts\.red: Unrecognized key/i);
    expect(message({ ...base, POLICY_FILE: join(dir, 'missing.yaml') })).toMatch(/^POLICY_FILE: cannot read/);
  });

  it('who is told is policy: the default tells the town of a red alert; the file’s `notices` list replaces it, checked by kind', () => {
    expect(loadConfig(base).policy.notices.find((r) => r.caseKind === 'alert' && r.noticeKind === 'opened' && r.level === 'red')?.rungs).toEqual(['unit', 'town']);
    const file = join(dir, 'notices.yaml');
    writeFileSync(file, 'notices:\n  - { caseKind: alert, noticeKind: opened, level: orange, rungs: [unit, town, district], source: "ours: a city that wants more" }\n');
    expect(loadConfig({ ...base, POLICY_FILE: file }).policy.notices).toEqual([{ caseKind: 'alert', noticeKind: 'opened', level: 'orange', rungs: ['unit', 'town', 'district'], source: 'ours: a city that wants more' }]);
    const typo = join(dir, 'notices-typo.json');
    writeFileSync(typo, JSON.stringify({ notices: [{ caseKind: 'alert', noticeKind: 'openned', rungs: ['unit'], source: 'x' }] }));
    expect(message({ ...base, POLICY_FILE: typo })).toMatch(/notices\.0\.noticeKind/);
  });

  it('the assessment’s weights are policy: the defaults sum to 100; a file changes one, and a negative or unknown part names the field', () => {
    const w = loadConfig(base).policy.assessment.weights;
    expect(Object.values(w).reduce((a, b) => a + b, 0)).toBe(100);
    const file = join(dir, 'weights.yaml');
    writeFileSync(file, 'assessment:\n  weights: { onTime: 60 }\n');
    expect(loadConfig({ ...base, POLICY_FILE: file }).policy.assessment.weights).toEqual({ ...w, onTime: 60 });
    const bad = join(dir, 'weights-bad.json');
    writeFileSync(bad, JSON.stringify({ assessment: { weights: { onTime: -1 } } }));
    expect(message({ ...base, POLICY_FILE: bad })).toMatch(/assessment\.weights\.onTime/);
    writeFileSync(bad, JSON.stringify({ assessment: { weights: { speed: 5 } } }));
    expect(message({ ...base, POLICY_FILE: bad })).toMatch(/assessment\.weights: Unrecognized key/i);
  });

  it('AUDIT_RETENTION_DAYS: six months (184 days) by default; never shorter (网络安全法 Art. 21(3))', () => {
    expect(loadConfig(base).audit.retentionDays).toBe(184);
    expect(loadConfig({ ...base, AUDIT_RETENTION_DAYS: '400' }).audit.retentionDays).toBe(400);
    expect(message({ ...base, AUDIT_RETENTION_DAYS: '183' })).toMatch(/^AUDIT_RETENTION_DAYS: expected at least 184 days/);
    expect(message({ ...base, AUDIT_RETENTION_DAYS: '30' })).toMatch(/^AUDIT_RETENTION_DAYS: /);
  });

  it('WORKFLOW_BUNDLE_PATH: unset, the worker bundles at start; set, it must name a file', () => {
    expect(loadConfig(base).worker.workflowBundlePath).toBeUndefined();
    const bundle = join(dir, 'workflow-bundle.js');
    writeFileSync(bundle, '// a bundle');
    expect(loadConfig({ ...base, WORKFLOW_BUNDLE_PATH: bundle }).worker.workflowBundlePath).toBe(bundle);
    expect(message({ ...base, WORKFLOW_BUNDLE_PATH: join(dir, 'missing.js') })).toBe(`WORKFLOW_BUNDLE_PATH: no file at ${join(dir, 'missing.js')} (npm run build:workflows writes one)`);
  });

  it('a bad variable stops the API at start-up with one line and exit code 2, no stack trace', () => {
    const r = spawnSync(join('node_modules', '.bin', 'tsx'), ['api/server.ts'], { env: { ...process.env, ...base, PORT: 'abc' }, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^jiuzhu: configuration error: PORT: /);
  });
});
