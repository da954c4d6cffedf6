import { createHash } from 'node:crypto';
import type { Db, IndexSpecification } from 'mongodb';
import pg from 'pg';
import { COLLECTIONS, type CollectionName } from './collections';

/**
 * Every index of the read model, in one place, applied idempotently at start-up by ensureIndexes.
 *
 * Two servers read these definitions:
 * - **MongoDB 7** (production): each definition is a compound index, equality fields first, then the
 *   sort or range field (the ESR rule), so every hot read is an index scan.
 * - **FerretDB 1.24 on PostgreSQL** (the local default): FerretDB stores a collection as a table of one
 *   `_jsonb` column and pushes into SQL only equality on top-level fields, as `_jsonb->'f' @> '<value>'`
 *   (an array field matches when it contains the value); ranges, sorts and limits run in FerretDB after
 *   the rows arrive. The b-tree indexes FerretDB makes for `createIndex` cannot serve `@>`, so for each
 *   definition's `sql` fields this module also creates a GIN index (jsonb_path_ops, one column per field)
 *   on FerretDB's table, and one on `_id` for every collection. With the cluster's
 *   `plan_cache_mode = force_custom_plan` (scripts/lib/postgres.ts) PostgreSQL sees the literal field
 *   name and uses them. GIN's pending list (fastupdate) is off: a lookup would otherwise scan every entry
 *   written since the last vacuum, the very growth these indexes remove.
 *
 * So on FerretDB a hot read must filter by equality on an indexed field and return few rows: the board
 * reads the small `overdue` collection by `orgPath`, the stats read `deadlines` by `orgPath` and month.
 * Source of the FerretDB behaviour: its v1.24 `internal/backends/postgresql/query.go` (read, not copied).
 */
export interface IndexDef {
  collection: CollectionName;
  /** The MongoDB key pattern. */
  keys: Record<string, 1 | -1>;
  unique?: boolean;
  /** Top-level fields that the queries filter by equality: FerretDB on PostgreSQL gets a GIN index over them. */
  sql: string[];
  /** The query it serves (for the reader, and the EXPLAIN table in docs/benchmarks.md). */
  serves: string;
}

export const INDEXES: IndexDef[] = [
  { collection: COLLECTIONS.orgUnits, keys: { path: 1 }, sql: [], serves: 'a unit’s subtree (the directory loads all units once)' },
  { collection: COLLECTIONS.households, keys: { orgPath: 1, _id: 1 }, sql: ['orgPath'], serves: 'GET /v1/households?org=' },
  { collection: COLLECTIONS.households, keys: { headIdKey: 1 }, unique: true, sql: ['headIdKey'], serves: 'one household per head’s ID number (its blind index, store/pii.ts)' },
  { collection: COLLECTIONS.households, keys: { idKeys: 1 }, sql: ['idKeys'], serves: 'the household of a member’s ID number (blind indexes, store/pii.ts)' },
  { collection: COLLECTIONS.cases, keys: { orgPath: 1, status: 1, _id: 1 }, sql: ['orgPath'], serves: 'GET /v1/cases?org= (lists by id)' },
  { collection: COLLECTIONS.cases, keys: { orgPath: 1, status: 1, dueAt: 1 }, sql: [], serves: 'GET /v1/cases?sort=due&status=closed or overdue=false' },
  { collection: COLLECTIONS.cases, keys: { householdId: 1, kind: 1, category: 1, status: 1 }, sql: ['householdId'], serves: 'a household’s open alert or application' },
  { collection: COLLECTIONS.cases, keys: { unitCode: 1, kind: 1, status: 1 }, sql: ['unitCode'], serves: 'a unit’s open reports (Party-day agenda, common issues)' },
  { collection: COLLECTIONS.cases, keys: { kind: 1, 'view.targetCaseId': 1 }, sql: [], serves: 'GET /v1/cases/{id}/orders (FerretDB: by householdId when the case has one)' },
  { collection: COLLECTIONS.cases, keys: { kind: 1, 'view.reporterUserId': 1, 'view.reportedAt': -1, _id: -1 }, sql: [], serves: 'GET /v1/discoveries/mine (a reporter’s discoveries)' },
  { collection: COLLECTIONS.caseLinks, keys: { from: 1 }, sql: ['from'], serves: 'a case’s links (GET /v1/cases/{id})' },
  { collection: COLLECTIONS.caseLinks, keys: { to: 1 }, sql: ['to'], serves: 'a case’s links (GET /v1/cases/{id})' },
  { collection: COLLECTIONS.supervisionRecords, keys: { orgPaths: 1, kind: 1, _id: 1 }, sql: ['orgPaths'], serves: 'GET /v1/summonses, /v1/circulars?org=' },
  { collection: COLLECTIONS.overdue, keys: { orgPath: 1, dueAt: 1, _id: 1 }, sql: ['orgPath'], serves: 'GET /v1/cases?overdue=true (the board)' },
  { collection: COLLECTIONS.due, keys: { orgPath: 1, dueAt: 1, _id: 1 }, sql: ['orgPath'], serves: 'GET /v1/cases?sort=due (a worker’s tasks)' },
  { collection: COLLECTIONS.deadlines, keys: { orgPath: 1, dueMonth: 1, dueAt: 1 }, sql: ['orgPath', 'dueMonth'], serves: 'GET /v1/stats/on-time, the public on-time figures' },
  { collection: COLLECTIONS.events, keys: { caseId: 1, version: 1 }, sql: ['caseId'], serves: 'a case’s timeline and audit trail' },
  { collection: COLLECTIONS.notifications, keys: { unitCode: 1, userId: 1, at: -1, _id: -1 }, sql: ['unitCode'], serves: 'GET /v1/notifications: a unit’s inbox (userId null) and the notices addressed to one user in that unit, newest first; the unread count; the delivery sweep (a unit’s notices of the last day)' },
  { collection: COLLECTIONS.noticeDeliveries, keys: { noticeId: 1 }, sql: ['noticeId'], serves: 'GET /v1/notifications: the deliveries of a page’s notices (one $in); the sweep' },
  { collection: COLLECTIONS.noticeReads, keys: { userId: 1, unitCode: 1, noticeAt: 1 }, sql: ['userId', 'unitCode'], serves: 'GET /v1/notifications, unread-count: what a user has read since their last “all read”' },
  { collection: COLLECTIONS.relatives, keys: { householdId: 1 }, sql: ['householdId'], serves: 'who declared a household (近亲属备案)' },
  { collection: COLLECTIONS.relatives, keys: { userId: 1, householdId: 1 }, sql: ['userId'], serves: 'GET /v1/me/relatives' },
  { collection: COLLECTIONS.helpers, keys: { orgPath: 1, _id: 1 }, sql: ['orgPath'], serves: 'helpers of a subtree' },
  { collection: COLLECTIONS.partyMembers, keys: { orgPath: 1, _id: 1 }, sql: ['orgPath'], serves: 'party members of a subtree (a grid’s, a village’s)' },
  { collection: COLLECTIONS.pointsLedger, keys: { orgPath: 1, month: 1 }, sql: ['orgPath', 'month'], serves: 'GET /v1/points/rankings?month=: a unit’s month of the ledger' },
  { collection: COLLECTIONS.pointsLedger, keys: { orgPath: 1, year: 1 }, sql: ['orgPath', 'year'], serves: 'GET /v1/points/rankings?year=: a unit’s year of the ledger' },
  { collection: COLLECTIONS.pointsLedger, keys: { memberId: 1, year: 1, at: -1 }, sql: ['memberId'], serves: 'a member’s ledger (GET /v1/party-members/{id}/points), the 三亮 display' },
  { collection: COLLECTIONS.serviceTasks, keys: { orgPath: 1, _id: 1 }, sql: ['orgPath'], serves: 'GET /v1/service-tasks?org=' },
  { collection: COLLECTIONS.serviceClaims, keys: { taskId: 1 }, sql: ['taskId'], serves: 'a service task’s claims' },
  { collection: COLLECTIONS.serviceClaims, keys: { memberId: 1 }, sql: ['memberId'], serves: 'a member’s service claims' },
  { collection: COLLECTIONS.partyMembers, keys: { villageCode: 1, publicConsent: 1 }, sql: ['villageCode'], serves: 'the 三亮 display: a village’s consenting members' },
  { collection: COLLECTIONS.helperPoints, keys: { helperId: 1, confirmedAt: -1 }, sql: ['helperId'], serves: 'a helper’s points' },
  { collection: COLLECTIONS.commonIssues, keys: { unitCode: 1, status: 1, month: 1 }, sql: ['unitCode'], serves: 'a unit’s common issues' },
  { collection: COLLECTIONS.commonIssues, keys: { reportIds: 1 }, sql: ['reportIds'], serves: 'the common issues a report belongs to' },
  { collection: COLLECTIONS.partyDays, keys: { unitCode: 1, month: -1 }, sql: ['unitCode'], serves: 'a unit’s Party days' },
  { collection: COLLECTIONS.audit, keys: { 'user.id': 1, _id: -1 }, sql: [], serves: 'GET /v1/audit?user=' },
  { collection: COLLECTIONS.audit, keys: { caseIds: 1, _id: -1 }, sql: ['caseIds'], serves: 'GET /v1/audit?case=' },
  { collection: COLLECTIONS.audit, keys: { householdIds: 1, _id: -1 }, sql: ['householdIds'], serves: 'GET /v1/audit?household=' },
  { collection: COLLECTIONS.audit, keys: { requestId: 1 }, sql: ['requestId'], serves: 'the audit record of a request' },
  { collection: COLLECTIONS.audit, keys: { at: 1 }, sql: [], serves: 'the retention purge (store/audit.ts expireAudit)' },
  { collection: COLLECTIONS.cases, keys: { orgPath: 1, kind: 1, stage: 1, dueAt: 1, _id: 1 }, sql: [], serves: 'GET /v1/wishes, /v1/reports?org=&stage= (a unit’s cases of a kind at a stage, soonest due first or by id; FerretDB: the orgPath GIN index)' },
  { collection: COLLECTIONS.users, keys: { orgPath: 1, _id: 1 }, sql: ['orgPath'], serves: 'GET /v1/users: the users of a subtree' },
  { collection: COLLECTIONS.sessions, keys: { userId: 1 }, sql: ['userId'], serves: 'revoking a user’s sessions' },
];

/** Collections read or written by `_id` (all of them): on FerretDB on PostgreSQL each gets a GIN index on `_id`. */
export const READ_MODEL_COLLECTIONS: CollectionName[] = Object.values(COLLECTIONS);

export interface EnsureIndexesOptions {
  /** FerretDB's PostgreSQL (config FERRETDB_POSTGRESQL_URL): adds the GIN indexes FerretDB's SQL can use. */
  postgresUrl?: string;
}

/**
 * Creates every index (idempotent; concurrent callers are fine). On FerretDB on PostgreSQL, also creates
 * each collection first (FerretDB makes a table per collection lazily) and the GIN indexes described above.
 * @throws what the servers throw (a conflicting index definition, PostgreSQL unreachable).
 */
export async function ensureIndexes(db: Db, opts: EnsureIndexesOptions = {}): Promise<void> {
  // On FerretDB on PostgreSQL a non-unique b-tree never serves a query (see above), it only costs writes:
  // there only the unique ones are made through FerretDB.
  const viaMongo = opts.postgresUrl ? INDEXES.filter((d) => d.unique) : INDEXES;
  await Promise.all(viaMongo.map((d) => db.collection(d.collection).createIndex(d.keys as IndexSpecification, d.unique ? { unique: true } : {})));
  if (!opts.postgresUrl) return;
  const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  for (const name of READ_MODEL_COLLECTIONS) {
    if (!existing.has(name)) await db.createCollection(name).catch((err: { codeName?: string }) => {
      if (err.codeName !== 'NamespaceExists') throw err;
    });
  }
  await ensureSqlIndexes(opts.postgresUrl, db.databaseName);
}

/** The GIN indexes, named `jz_<table>_<hash of fields>`, for every collection FerretDB has a table for. */
export function sqlIndexes(): { collection: string; fields: string[] }[] {
  return [...READ_MODEL_COLLECTIONS.map((collection) => ({ collection, fields: ['_id'] })), ...INDEXES.filter((d) => d.sql.length > 0).map((d) => ({ collection: d.collection, fields: d.sql }))];
}

export function sqlIndexName(table: string, fields: string[]): string {
  return `jz_${table}_${createHash('sha1').update(fields.join(',')).digest('hex').slice(0, 8)}`;
}

/** FerretDB's table for each collection of a database (its `_ferretdb_database_metadata`). */
export async function ferretTables(client: pg.ClientBase, database: string): Promise<Map<string, string>> {
  const rows = await client.query<{ collection: string; table: string }>(
    `SELECT _jsonb->>'_id' AS collection, _jsonb->>'table' AS table FROM ${pg.escapeIdentifier(database)}._ferretdb_database_metadata`,
  );
  return new Map(rows.rows.map((r) => [r.collection, r.table]));
}

async function ensureSqlIndexes(url: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await ferretTables(client, database);
    for (const { collection, fields } of sqlIndexes()) {
      const table = tables.get(collection);
      if (!table) continue;
      const columns = fields.map((f) => `(_jsonb->${pg.escapeLiteral(f)}) jsonb_path_ops`).join(', ');
      const sql = `CREATE INDEX IF NOT EXISTS ${pg.escapeIdentifier(sqlIndexName(table, fields))} ON ${pg.escapeIdentifier(database)}.${pg.escapeIdentifier(table)} USING gin (${columns}) WITH (fastupdate = off)`;
      try {
        await client.query(sql);
      } catch (err) {
        // Another process (worker and API start together) created it between our check and create.
        const code = (err as { code?: string }).code;
        if (code !== '23505' && code !== '42P07') throw err;
      }
    }
  } finally {
    await client.end();
  }
}
