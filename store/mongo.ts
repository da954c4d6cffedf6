import { MongoClient, MongoServerError, type Db } from 'mongodb';

/**
 * The MongoDB read model, reference data, audit and outbox. Written only by activities (and by the
 * reference-data endpoints and seed); read by the API. Every write is an idempotent upsert or an insert
 * with a deterministic _id, so retries are harmless and no multi-document transaction is needed
 * (FerretDB v1 has none).
 */
export const COLLECTIONS = {
  orgUnits: 'org_units',
  households: 'households',
  cases: 'cases',
  /** Only the cases that are overdue right now: the board reads this small set, not all cases. */
  overdue: 'overdue',
  events: 'events',
  deadlines: 'deadlines',
  notifications: 'notifications',
} as const;

export async function connectMongo(uri: string, dbName: string): Promise<{ client: MongoClient; db: Db }> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000, appName: 'jiuzhu' });
  await client.connect();
  return { client, db: client.db(dbName) };
}

/**
 * Indexes for the queries the API makes. On real MongoDB they keep the lists fast; FerretDB v1 on SQLite
 * accepts them but filters only `_id` in SQL, which is why the hot reads use small collections (overdue)
 * or `_id` lookups.
 */
export async function ensureIndexes(db: Db): Promise<void> {
  await Promise.all([
    db.collection(COLLECTIONS.orgUnits).createIndex({ path: 1 }),
    db.collection(COLLECTIONS.households).createIndex({ orgPath: 1, _id: 1 }),
    db.collection(COLLECTIONS.households).createIndex({ headIdNumber: 1 }, { unique: true }),
    db.collection(COLLECTIONS.cases).createIndex({ orgPath: 1, status: 1, dueAt: 1 }),
    db.collection(COLLECTIONS.cases).createIndex({ householdId: 1, status: 1 }),
    db.collection(COLLECTIONS.overdue).createIndex({ orgPath: 1, dueAt: 1, _id: 1 }),
    db.collection(COLLECTIONS.events).createIndex({ caseId: 1, version: 1 }),
    db.collection(COLLECTIONS.deadlines).createIndex({ orgPath: 1, dueAt: 1 }),
    db.collection(COLLECTIONS.notifications).createIndex({ unitCode: 1, at: -1 }),
    db.collection(COLLECTIONS.cases).createIndex({ householdId: 1, kind: 1, category: 1, status: 1 }),
    db.collection('relatives').createIndex({ householdId: 1 }),
    // The Party-day agenda: a unit's open reports.
    db.collection(COLLECTIONS.cases).createIndex({ kind: 1, unitCode: 1, status: 1 }),
  ]);
  // Collections owned by other store modules, which import this one: loaded here lazily, not in a cycle.
  const [{ ensureWishIndexes }, { REPORT_COLLECTIONS }, { PARTY_DAYS_COLLECTION }] = await Promise.all([import('./wishes'), import('./reports'), import('./party-days')]);
  await Promise.all([
    ensureWishIndexes(db),
    db.collection(REPORT_COLLECTIONS.commonIssues).createIndex({ unitCode: 1, status: 1, month: 1 }),
    db.collection(PARTY_DAYS_COLLECTION).createIndex({ unitCode: 1, month: -1 }),
  ]);
}

export function isDuplicateKey(err: unknown): boolean {
  return err instanceof MongoServerError && err.code === 11000;
}
