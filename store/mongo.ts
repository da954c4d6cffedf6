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
  /** Open cases with a pending deadline, one small row each: a worker's task list reads this, not all cases. */
  due: 'due',
  events: 'events',
  deadlines: 'deadlines',
  notifications: 'notifications',
} as const;

export async function connectMongo(uri: string, dbName: string): Promise<{ client: MongoClient; db: Db }> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000, appName: 'jiuzhu' });
  await client.connect();
  return { client, db: client.db(dbName) };
}

export function isDuplicateKey(err: unknown): boolean {
  return err instanceof MongoServerError && err.code === 11000;
}
