import { randomInt } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import pg from 'pg';
import { ferretTables } from '../../store/indexes';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { computeCheckDigit } from '../../domain/id-number';
import { findCase } from '../../store/cases';
import { COLLECTIONS } from '../../store/collections';
import { authz, createTestContext, idNumber, UNITS, type TestContext } from '../helpers/context';
import { historyToJsonValue } from '../helpers/history-json';
import { eventually } from '../helpers/wait';

/**
 * Personal data at rest (issue 11, PIPL Art. 28/51): a household registered, an application verified
 * against the departments' sample extracts and a public report with a contact, all through the API on the
 * real servers; then
 * - the read model's raw documents, and the bytes of the PostgreSQL cluster under FerretDB (its data files
 *   and WAL, after a CHECKPOINT), hold none of the ID numbers and phones — while the same grep finds the
 *   household's name, which is not encrypted, so the grep is shown to see what was written;
 * - the workflow history, read by a client without the codec, holds none of them, and the codec server
 *   (`POST /codec/decode`) gives them back to an authorised caller and refuses the others.
 */

const POLICY = { version: 'e2e-encryption', applications: { departmentTimeout: 'PT5S' } };

let ctx: TestContext;
let village: string;
let town: string;
let district: string;
let monitor: string;

/** A valid resident ID number nobody else in the suite uses (born 1987, a random sequence). */
function uniqueIdNumber(): string {
  const body = `37100219870203${String(randomInt(0, 1000)).padStart(3, '0')}`;
  return body + computeCheckDigit(body);
}

const secrets = {
  /** The head's number: the one the sample department extracts answer about (their records repeat it). */
  headId: idNumber(1),
  memberId: uniqueIdNumber(),
  phone: `139${String(randomInt(10_000_000, 99_999_999))}`,
  reporterPhone: `137${String(randomInt(10_000_000, 99_999_999))}`,
};
/** Not encrypted (only ID numbers and phones are): the control that the grep sees what was written. */
const HEAD_NAME = `加密测试${randomInt(1000, 9999)}`;

let householdId: string;
let applicationId: string;
let reportId: string;

beforeAll(async () => {
  ctx = await createTestContext('encryption_e2e', { policy: POLICY });
  await ctx.startWorker();
  village = await ctx.token('village_staff', UNITS.haigang);
  town = await ctx.token('town_staff', UNITS.jingyuan);
  district = await ctx.token('district_staff', UNITS.huancui);
  monitor = await ctx.token('city_monitor', UNITS.city);

  const hh = await ctx.app.inject({
    method: 'POST',
    url: '/v1/households',
    headers: authz(village),
    payload: {
      headName: HEAD_NAME,
      headIdNumber: secrets.headId,
      members: [{ name: '加密成员', idNumber: secrets.memberId, relation: 'spouse' }],
      address: '威海市环翠区海港路88号',
      phone: secrets.phone,
      unitCode: UNITS.haigang,
    },
  });
  expect(hh.statusCode, hh.body).toBe(201);
  householdId = hh.json().id;

  const filed = await ctx.app.inject({ method: 'POST', url: '/v1/applications', headers: authz(village), payload: { householdId, category: 'minimum_subsistence', source: 'on_behalf', labourCapacity: 'no_labour_capacity' } });
  expect(filed.statusCode, filed.body).toBe(201);
  applicationId = filed.json().caseId;
  expect((await ctx.app.inject({ method: 'POST', url: `/v1/applications/${applicationId}/acceptance`, headers: authz(town), payload: { decision: 'accept' } })).statusCode).toBe(200);
  // Verified: the departments' records (with the head's ID number) are in the workflow and the read model.
  await eventually(async () => {
    const doc = await findCase<{ stage: string }>(ctx.mongo.db, applicationId);
    return doc?.view.stage === 'investigation';
  }, 'verification to complete');

  const reported = await ctx.app.inject({ method: 'POST', url: '/v1/public/reports', payload: { unitCode: UNITS.haigang, category: 'other', text: '路灯坏了', contact: secrets.reporterPhone }, remoteAddress: '10.77.0.1' });
  expect(reported.statusCode, reported.body).toBe(201);
  reportId = reported.json().reportId;
  await eventually(async () => (await findCase(ctx.mongo.db, reportId)) !== null, 'the report to be projected');
}, 120_000);
afterAll(async () => ctx?.close());

/** Every form of a text a file may hold it in: UTF-8 (ASCII for digits) and UTF-16 (LE, BE). */
const forms = (s: string) => [Buffer.from(s, 'utf8'), Buffer.from(s, 'utf16le'), Buffer.from(s, 'utf16le').swap16()];

/** `read(path)`, or undefined when the file went away meanwhile (ENOENT). */
function unlessGone<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * The files under `dir` (recursively) whose bytes contain `needle` in any of its forms. The server keeps running
 * while we walk (other test files share it): a file it removes between the listing and the read (a free-space map
 * truncated, a WAL segment recycled) held nothing we could read, and is passed over.
 */
function filesContaining(dir: string, needle: string): string[] {
  const found: string[] = [];
  const needles = forms(needle);
  const walk = (d: string) => {
    for (const name of unlessGone(() => readdirSync(d)) ?? []) {
      const path = join(d, name);
      const st = unlessGone(() => statSync(path));
      if (!st) continue;
      if (st.isDirectory()) walk(path);
      else if (st.isFile() && st.size > 0) {
        const bytes = unlessGone(() => readFileSync(path));
        if (bytes && needles.some((n) => bytes.includes(n))) found.push(path);
      }
    }
  };
  walk(dir);
  return found;
}

describe('personal data at rest in the read model', () => {
  it('the API shows the household, the application’s records and the report’s contact in plain to those who may see them', async () => {
    const hh = (await ctx.app.inject({ method: 'GET', url: `/v1/households/${householdId}`, headers: authz(town) })).json();
    expect(hh).toMatchObject({ headIdNumber: secrets.headId, phone: secrets.phone, members: [{ idNumber: secrets.memberId }] });
    const app = (await ctx.app.inject({ method: 'GET', url: `/v1/applications/${applicationId}`, headers: authz(town) })).json();
    const ids = app.verification.answers.flatMap((a: { records?: { idNumber: string }[] }) => (a.records ?? []).map((r) => r.idNumber));
    expect(ids).toContain(secrets.headId);
    const rep = (await ctx.app.inject({ method: 'GET', url: `/v1/reports/${reportId}`, headers: authz(town) })).json();
    expect(rep.contact).toBe(secrets.reporterPhone);
  });

  it('the raw documents hold ciphertexts and blind indexes, no ID number or phone', async () => {
    const db = ctx.mongo.db;
    const raw = JSON.stringify([
      await db.collection(COLLECTIONS.households).findOne({ _id: householdId as never }),
      await db.collection(COLLECTIONS.cases).findOne({ _id: applicationId as never }),
      await db.collection(COLLECTIONS.contacts).findOne({ _id: reportId as never }),
    ]);
    for (const [what, secret] of Object.entries(secrets)) expect(raw, what).not.toContain(secret);
    expect(raw).toContain(HEAD_NAME);
    expect(raw).toMatch(/"headIdNumber":"pii1\.dev\./);
    expect(raw).toMatch(/"headIdKey":"bi1\./);
    expect(raw).toMatch(/"idNumber":"pii1\.dev\./);
  });

  it('PostgreSQL’s files under FerretDB (data and WAL, after a CHECKPOINT) contain no ID number or phone; the same grep finds the household’s name', async () => {
    const postgresUrl = inject('postgresUrl');
    expect(postgresUrl, 'this test reads the files of the local default read model (FerretDB on PostgreSQL)').not.toBe('');
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    try {
      await client.query('CHECKPOINT');
      const dataDir = (await client.query<{ data_directory: string }>('SHOW data_directory')).rows[0]!.data_directory;
      // The grep works: the name, stored in plain, is in the heap files and the WAL.
      const withName = filesContaining(dataDir, HEAD_NAME);
      expect(withName.some((f) => f.includes(`${join(dataDir, 'base')}/`))).toBe(true);
      expect(withName.some((f) => f.includes(`${join(dataDir, 'pg_wal')}/`))).toBe(true);
      for (const [what, secret] of Object.entries(secrets)) expect(filesContaining(dataDir, secret), what).toEqual([]);
      // A large document is stored compressed (TOAST), where a byte grep cannot see: ask PostgreSQL itself,
      // over every collection of this database, with the documents decompressed.
      const db = ctx.mongo.db.databaseName;
      const tables = await ferretTables(client, db);
      expect(tables.size).toBeGreaterThan(3);
      for (const [collection, table] of tables) {
        for (const [what, secret] of Object.entries(secrets)) {
          const hits = await client.query(`SELECT count(*)::int AS n FROM ${pg.escapeIdentifier(db)}.${pg.escapeIdentifier(table)} WHERE _jsonb::text LIKE $1`, [`%${secret}%`]);
          expect(hits.rows[0].n, `${what} in ${collection}`).toBe(0);
        }
      }
      const named = await client.query(`SELECT count(*)::int AS n FROM ${pg.escapeIdentifier(db)}.${pg.escapeIdentifier(tables.get(COLLECTIONS.households)!)} WHERE _jsonb::text LIKE $1`, [`%${HEAD_NAME}%`]);
      expect(named.rows[0].n).toBe(1);
    } finally {
      await client.end();
    }
  }, 120_000);
});

interface JsonPayload {
  metadata: Record<string, string>;
  data?: string;
}

/** Every payload in a history's JSON (`{ metadata, data }` objects, bytes in base64), with where it is (`events.3.….payloads.0`). */
function payloadsIn(json: unknown, path = '', out: { path: string; payload: JsonPayload }[] = []) {
  if (Array.isArray(json)) json.forEach((v, i) => payloadsIn(v, `${path}.${i}`, out));
  else if (json && typeof json === 'object') {
    const o = json as Record<string, unknown>;
    if (o.metadata && typeof o.metadata === 'object' && 'encoding' in (o.metadata as object)) out.push({ path, payload: o as unknown as JsonPayload });
    else for (const [k, v] of Object.entries(o)) payloadsIn(v, `${path}.${k}`, out);
  }
  return out;
}

describe('Temporal payloads: encrypted in history, decoded by the codec server for those allowed', () => {
  let history: string;
  let payloads: JsonPayload[];
  const decode = (token: string | null, body: unknown, origin?: string) =>
    ctx.app.inject({ method: 'POST', url: '/codec/decode', headers: { ...(token ? authz(token) : {}), ...(origin ? { origin } : {}), 'x-namespace': 'default' }, payload: body as object });

  beforeAll(async () => {
    const doc = await findCase(ctx.mongo.db, applicationId);
    // A client without the codec: what the Temporal server holds and its UI shows.
    const raw = new Client({ connection: ctx.temporal.connection, namespace: ctx.config.temporal.namespace });
    const json = historyToJsonValue(await raw.workflow.getHandle(doc!.workflowId).fetchHistory());
    history = JSON.stringify(json);
    // Not the codec's, and no personal data: search attributes (typed payloads — org codes, flags, times,
    // indexed by the server) and the SDK's own marker metadata (a patch's id, a local activity's attempt
    // and times; the local activity's result beside it is the codec's).
    const all = payloadsIn(json);
    payloads = all.filter((p) => !('type' in p.payload.metadata) && !/markerRecordedEventAttributes\.details\.(data|patch-data)\./.test(p.path)).map((p) => p.payload);
    expect(all.length).toBeGreaterThan(payloads.length);
    expect(payloadsIn(json).length).toBeGreaterThan(payloads.length);
  });

  it('the history read without the codec holds no ID number or phone; every payload but the search attributes is binary/encrypted with its key id', () => {
    for (const [what, secret] of Object.entries(secrets)) expect(history, what).not.toContain(secret);
    expect(payloads.length).toBeGreaterThan(5);
    const encoding = (p: { metadata: Record<string, string> }) => Buffer.from(p.metadata.encoding!, 'base64').toString();
    expect(new Set(payloads.map(encoding))).toEqual(new Set(['binary/encrypted']));
    expect(Buffer.from(payloads[0]!.metadata['encryption-key-id']!, 'base64').toString()).toBe('dev');
  });

  it('the codec server decodes them for a district officer and a city monitor: the departments’ records with the ID number come back', async () => {
    for (const token of [district, monitor]) {
      const res = await decode(token, { payloads });
      expect(res.statusCode, res.body).toBe(200);
      const decoded = res.json().payloads as { metadata: Record<string, string>; data: string }[];
      expect(decoded).toHaveLength(payloads.length);
      const text = decoded.map((p) => Buffer.from(p.data, 'base64').toString('utf8')).join('\n');
      expect(text).toContain(secrets.headId);
      expect(Buffer.from(decoded[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
    }
  });

  it('refuses a caller without a token (401) or below the district (403), and a payload it cannot open (400)', async () => {
    expect((await decode(null, { payloads })).statusCode).toBe(401);
    expect((await decode(village, { payloads })).statusCode).toBe(403);
    expect((await decode(town, { payloads })).statusCode).toBe(403);
    const tampered = { ...payloads[0]!, data: Buffer.from(Buffer.from(payloads[0]!.data!, 'base64').map((b, i) => (i === 20 ? b ^ 1 : b))).toString('base64') };
    const bad = await decode(district, { payloads: [tampered] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/failed authentication/);
  });

  it('encode then decode gives the payload back; a plain payload decodes as it is', async () => {
    const plain = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from(JSON.stringify({ phone: secrets.phone })).toString('base64') };
    const enc = await ctx.app.inject({ method: 'POST', url: '/codec/encode', headers: authz(district), payload: { payloads: [plain] } });
    expect(enc.statusCode, enc.body).toBe(200);
    expect(Buffer.from(enc.json().payloads[0].data, 'base64').toString('latin1')).not.toContain(secrets.phone);
    expect((await decode(district, enc.json())).json()).toEqual({ payloads: [plain] });
    expect((await decode(district, { payloads: [plain] })).json()).toEqual({ payloads: [plain] });
  });

  it('CORS: the Temporal UI’s origin may call it (preflight without a token), another origin gets no CORS grant', async () => {
    const uiOrigin = new URL(ctx.config.temporal.uiUrl).origin;
    const preflight = await ctx.app.inject({ method: 'OPTIONS', url: '/codec/decode', headers: { origin: uiOrigin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-namespace' } });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(uiOrigin);
    expect(String(preflight.headers['access-control-allow-headers'])).toMatch(/authorization/);
    expect((await decode(district, { payloads }, uiOrigin)).headers['access-control-allow-origin']).toBe(uiOrigin);
    const evil = await ctx.app.inject({ method: 'OPTIONS', url: '/codec/decode', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    expect((await decode(district, { payloads }, 'https://evil.example')).headers['access-control-allow-origin']).toBeUndefined();
  });
});
