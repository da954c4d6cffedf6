import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Db } from 'mongodb';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ferretTables, ensureIndexes, sqlIndexName } from '../../store/indexes';
import { COLLECTIONS } from '../../store/collections';
import { connectMongo } from '../../store/mongo';
import { insecureDevPiiKeys } from '../../config';
import { piiKeyring } from '../../store/pii';

/**
 * Every hot read of the API, on the local default (FerretDB on PostgreSQL), is answered from an index:
 * read from PostgreSQL's own plan (FerretDB's explain returns it) and from its index-usage counters after
 * the query has run more times than a prepared statement takes to switch to a generic plan. A query that
 * stops using its index — a renamed field, a dropped index, a generic plan — fails here.
 */
const postgresUrl = inject('postgresUrl');

/** One hot read: where the API makes it, and the fields its GIN index covers (store/indexes.ts). */
interface HotRead {
  name: string;
  collection: string;
  filter: Record<string, unknown>;
  index: string[];
}

const TOWN = '371002001';
const VILLAGE = '371002001001';
const HOT_READS: HotRead[] = [
  { name: 'a case by id (GET /v1/cases/:id, every projection)', collection: COLLECTIONS.cases, filter: { _id: 'case-00042' }, index: ['_id'] },
  { name: 'the board of a town (GET /v1/cases?overdue=true)', collection: COLLECTIONS.overdue, filter: { orgPath: TOWN }, index: ['orgPath'] },
  { name: 'a board row by id (the projection)', collection: COLLECTIONS.overdue, filter: { _id: 'case-00040' }, index: ['_id'] },
  { name: 'a village’s tasks (GET /v1/cases?sort=due)', collection: COLLECTIONS.due, filter: { orgPath: VILLAGE }, index: ['orgPath'] },
  { name: 'a village’s open cases (GET /v1/cases?org=)', collection: COLLECTIONS.cases, filter: { orgPath: VILLAGE, status: 'open' }, index: ['orgPath'] },
  { name: 'a household’s open alert (POST /v1/applications)', collection: COLLECTIONS.cases, filter: { householdId: 'hh-00007', kind: 'alert', status: 'open' }, index: ['householdId'] },
  { name: 'a unit’s open reports (Party-day agenda)', collection: COLLECTIONS.cases, filter: { kind: 'report', status: 'open', unitCode: VILLAGE }, index: ['unitCode'] },
  { name: 'a case’s timeline (GET /v1/cases/:id/escalations)', collection: COLLECTIONS.events, filter: { caseId: 'case-00042' }, index: ['caseId'] },
  { name: 'a month of a town’s deadlines (GET /v1/stats/on-time)', collection: COLLECTIONS.deadlines, filter: { orgPath: TOWN, dueMonth: '2026-11' }, index: ['orgPath', 'dueMonth'] },
  { name: 'a deadline by id (the projection)', collection: COLLECTIONS.deadlines, filter: { _id: 'case-00042:d0' }, index: ['_id'] },
  { name: 'a village’s households (GET /v1/households?org=)', collection: COLLECTIONS.households, filter: { orgPath: VILLAGE }, index: ['orgPath'] },
  { name: 'a household by its head’s ID number (blind index)', collection: COLLECTIONS.households, filter: { headIdKey: 'bi1.head-000071' }, index: ['headIdKey'] },
  { name: 'a village’s month of the points ledger (GET /v1/points/rankings?month=)', collection: COLLECTIONS.pointsLedger, filter: { orgPath: VILLAGE, month: '2026-11' }, index: ['orgPath', 'month'] },
  { name: 'a town’s year of the points ledger (GET /v1/points/rankings?year=)', collection: COLLECTIONS.pointsLedger, filter: { orgPath: TOWN, year: 2026 }, index: ['orgPath', 'year'] },
  { name: 'a member’s ledger of a year (GET /v1/party-members/:id/points)', collection: COLLECTIONS.pointsLedger, filter: { memberId: 'pm-000000000007', year: 2026 }, index: ['memberId'] },
  { name: 'a household by a member’s ID number (blind index)', collection: COLLECTIONS.households, filter: { idKeys: 'bi1.member-000071' }, index: ['idKeys'] },
  { name: 'a village’s qualifying households (GET /v1/pairings/coverage)', collection: COLLECTIONS.households, filter: { orgPath: VILLAGE, categories: { $in: ['minimum_subsistence', 'extreme_poverty', 'severe_disability'] } }, index: ['orgPath'] },
  { name: 'a town’s pairings (coverage, GET /v1/pairings/mine)', collection: COLLECTIONS.cases, filter: { orgPath: TOWN, kind: 'pairing' }, index: ['orgPath'] },
  { name: 'a town’s contact deadlines (coverage)', collection: COLLECTIONS.deadlines, filter: { orgPath: TOWN, deadlineKind: 'pairing.contact' }, index: ['orgPath', 'dueMonth'] },
  { name: 'a town’s reports at a stage (GET /v1/reports?stage=)', collection: COLLECTIONS.cases, filter: { orgPath: TOWN, kind: 'report', stage: 'received' }, index: ['orgPath'] },
  { name: 'a village’s wishes at a stage (GET /v1/wishes?stage=)', collection: COLLECTIONS.cases, filter: { orgPath: VILLAGE, kind: 'wish', stage: 'screening' }, index: ['orgPath'] },
  { name: 'a village’s register searched by name and category (GET /v1/households?name=&category=)', collection: COLLECTIONS.households, filter: { orgPath: VILLAGE, headName: { $regex: '^张' }, categories: 'minimum_subsistence' }, index: ['orgPath'] },
  { name: 'a household by any ID number in a unit (GET /v1/households?idNumber=)', collection: COLLECTIONS.households, filter: { orgPath: VILLAGE, idKeys: 'bi1.member-000071' }, index: ['idKeys'] },
  { name: 'a household’s open cases (GET /v1/cases?household=)', collection: COLLECTIONS.cases, filter: { orgPath: VILLAGE, status: 'open', householdId: 'hh-00007' }, index: ['householdId'] },
  { name: 'a town’s applications at a stage (GET /v1/cases?kind=application&stage=)', collection: COLLECTIONS.cases, filter: { orgPath: TOWN, status: 'open', kind: 'application', stage: 'town_review' }, index: ['orgPath'] },
];

const CASES = 3000;
// 20 villages in 10 towns: a town holds a tenth of the rows, a village a twentieth.
const villages = Array.from({ length: 20 }, (_, i) => `3710020${String(Math.floor(i / 2) + 1).padStart(2, '0')}0${String((i % 2) + 1).padStart(2, '0')}`);
const orgPathOf = (i: number) => {
  const village = villages[i % villages.length]!;
  return ['371000', '371002', village.slice(0, 9), village];
};

const PLANS = join(import.meta.dirname, '..', '..', 'test-results', 'plans.md');

/** PostgreSQL's JSON plan as the indented lines EXPLAIN prints: node type, index, condition, filter. */
function summarisePlan(json: string): string {
  type Node = { 'Node Type': string; 'Index Name'?: string; 'Relation Name'?: string; 'Index Cond'?: string; 'Recheck Cond'?: string; Filter?: string; Plans?: Node[] };
  const lines: string[] = [];
  const walk = (n: Node, depth: number) => {
    const on = n['Index Name'] ? ` using ${n['Index Name']}` : n['Relation Name'] ? ` on ${n['Relation Name']}` : '';
    lines.push(`${'  '.repeat(depth)}${depth ? '->  ' : ''}${n['Node Type']}${on}`);
    for (const key of ['Index Cond', 'Recheck Cond', 'Filter'] as const) if (n[key]) lines.push(`${'  '.repeat(depth + 2)}${key}: ${n[key]}`);
    for (const child of n.Plans ?? []) walk(child, depth + 1);
  };
  walk((JSON.parse(json) as { Plan: Node }).Plan, 0);
  return lines.join('\n');
}

describe.runIf(postgresUrl)('indexes on the local default (FerretDB on PostgreSQL)', () => {
  let mongo: Awaited<ReturnType<typeof connectMongo>>;
  let db: Db;
  let sql: pg.Client;
  let tables: Map<string, string>;

  beforeAll(async () => {
    mongo = await connectMongo(inject('mongoUri'), `t_indexes_${randomBytes(3).toString('hex')}`, piiKeyring(insecureDevPiiKeys()));
    db = mongo.db;
    await ensureIndexes(db, { postgresUrl });
    const view = { note: 'x'.repeat(600) };
    await db.collection(COLLECTIONS.cases).insertMany(
      Array.from({ length: CASES }, (_, i) => ({
        _id: `case-${String(i).padStart(5, '0')}` as never,
        kind: i % 3 === 0 ? 'report' : 'alert',
        status: i % 4 === 0 ? 'closed' : 'open',
        householdId: `hh-${String(i % 1000).padStart(5, '0')}`,
        unitCode: orgPathOf(i)[3],
        orgPath: orgPathOf(i),
        dueAt: new Date(Date.UTC(2026, 10, 1) + i * 60_000),
        version: 1,
        view,
      })),
    );
    await db.collection(COLLECTIONS.overdue).insertMany(
      Array.from({ length: CASES / 2 }, (_, i) => ({ _id: `case-${String(i * 2).padStart(5, '0')}` as never, orgPath: orgPathOf(i * 2 + (i % 2)), dueAt: new Date(), version: 1 })),
    );
    await db.collection(COLLECTIONS.due).insertMany(
      Array.from({ length: CASES }, (_, i) => ({ _id: `case-${String(i).padStart(5, '0')}` as never, kind: 'alert', level: 'red', orgPath: orgPathOf(i), dueAt: new Date(), version: 1 })),
    );
    await db.collection(COLLECTIONS.events).insertMany(
      Array.from({ length: CASES * 2 }, (_, i) => ({ _id: `e-${i}` as never, caseId: `case-${String(i % CASES).padStart(5, '0')}`, version: i, type: 'opened' })),
    );
    await db.collection(COLLECTIONS.deadlines).insertMany(
      Array.from({ length: CASES }, (_, i) => ({
        _id: `case-${String(i).padStart(5, '0')}:d0` as never,
        orgPath: orgPathOf(i),
        dueMonth: `2026-${String((i % 12) + 1).padStart(2, '0')}`,
        dueAt: new Date(),
        outcome: 'pending',
      })),
    );
    await db.collection(COLLECTIONS.households).insertMany(
      Array.from({ length: 1000 }, (_, i) => ({ _id: `hh-${String(i).padStart(5, '0')}` as never, orgPath: orgPathOf(i), headIdKey: `bi1.head-${String(i).padStart(6, '0')}`, idKeys: [`bi1.head-${String(i).padStart(6, '0')}`, `bi1.member-${String(i).padStart(6, '0')}`], headName: `张${i}` })),
    );
    await db.collection(COLLECTIONS.pointsLedger).insertMany(
      Array.from({ length: CASES }, (_, i) => ({
        _id: `award-${i}` as never,
        memberId: `pm-${String(i % 300).padStart(12, '0')}`,
        orgPath: orgPathOf(i),
        month: `${2025 + (i % 2)}-${String((i % 12) + 1).padStart(2, '0')}`,
        year: 2025 + (i % 2),
        points: 1,
      })),
    );
    sql = new pg.Client({ connectionString: postgresUrl });
    await sql.connect();
    await sql.query(`ANALYZE`);
    tables = await ferretTables(sql, db.databaseName);
    mkdirSync(dirname(PLANS), { recursive: true });
    writeFileSync(PLANS, `# PostgreSQL plans of the hot reads (FerretDB ${CASES} cases; written by test/store/indexes.test.ts)\n\n`);
  }, 120_000);

  afterAll(async () => {
    await sql?.end();
    await db?.dropDatabase().catch(() => undefined);
    await mongo?.client.close();
  });

  const planOf = async (collection: string, filter: Record<string, unknown>) =>
    JSON.stringify((await db.command({ explain: { find: collection, filter }, verbosity: 'queryPlanner' })).queryPlanner);

  it.each(HOT_READS)('$name: PostgreSQL plans an index scan on its GIN index', async ({ name, collection, filter, index }) => {
    const plan = await planOf(collection, filter);
    const table = tables.get(collection)!;
    // Kept as an artefact (test-results/plans.md): docs/read-model.md quotes it.
    appendFileSync(PLANS, `### ${name}\n\n\`db.${collection}.find(${JSON.stringify(filter)})\`\n\n\`\`\`\n${summarisePlan(plan)}\n\`\`\`\n\n`);
    expect(plan).toContain(`"Index Name":"${sqlIndexName(table, index)}"`);
    expect(plan).not.toContain('"Node Type":"Seq Scan"');
  });

  it('the plan check can fail: a filter on a field no index covers is a sequential scan', async () => {
    const plan = await planOf(COLLECTIONS.cases, { 'view.note': 'nothing' });
    expect(plan).toContain('"Node Type":"Seq Scan"');
  });

  it('every hot read keeps its index on repeated execution (no generic plan), by the server’s own counters', async () => {
    const RUNS = 8; // > 5: after five executions a prepared statement may switch to a generic plan
    const counters = async () => {
      const rows = await sql.query<{ indexrelname: string; idx_scan: string }>(`SELECT indexrelname, idx_scan FROM pg_stat_user_indexes WHERE schemaname = $1`, [db.databaseName]);
      return new Map(rows.rows.map((r) => [r.indexrelname, Number(r.idx_scan)]));
    };
    const before = await counters();
    for (const read of HOT_READS) for (let i = 0; i < RUNS; i++) await db.collection(read.collection).find(read.filter).toArray();
    const expected = HOT_READS.map((r) => sqlIndexName(tables.get(r.collection)!, r.index));
    const needed = new Map<string, number>();
    for (const name of expected) needed.set(name, (needed.get(name) ?? 0) + RUNS);
    // PostgreSQL publishes a backend's counters up to a second or so after its transactions end.
    let short: string[] = [];
    const deadline = Date.now() + 20_000;
    do {
      await new Promise((r) => setTimeout(r, 500));
      const after = await counters();
      short = [...needed].filter(([name, n]) => (after.get(name) ?? 0) - (before.get(name) ?? 0) < n).map(([name, n]) => `${name}: ${(after.get(name) ?? 0) - (before.get(name) ?? 0)} of ${n}`);
    } while (short.length > 0 && Date.now() < deadline);
    expect(short).toEqual([]);
  }, 60_000);
});
