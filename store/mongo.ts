import { MongoClient, MongoServerError, type AnyBulkWriteOperation, type Collection, type Db, type Document } from 'mongodb';

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

/**
 * FerretDB 1.24 on PostgreSQL holds one PostgreSQL connection for each matched statement of an update
 * command until the whole command ends, and needs one more to apply it (its `msg_update.go`); when every
 * connection of its pool is held that way, it waits forever and the whole read model hangs (seen: a second
 * `npm start` re-seeding 92 org units in one bulk write against its pool of 50). So: each process sends at
 * most MAX_POOL_SIZE commands at once, bulk writes go in batches of BULK_BATCH statements, and the local
 * FerretDB's pool is larger than the worst case (scripts/lib/stack.ts: 2 processes × 32 × (4 + 1) ≤ 400).
 */
export const MAX_POOL_SIZE = 32;
export const BULK_BATCH = 4;

export async function connectMongo(uri: string, dbName: string): Promise<{ client: MongoClient; db: Db }> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000, appName: 'jiuzhu', maxPoolSize: MAX_POOL_SIZE });
  await client.connect();
  return { client, db: client.db(dbName) };
}

/** A bulk write sent BULK_BATCH statements at a time (see MAX_POOL_SIZE); unordered within a batch. */
export async function bulkWriteInBatches<T extends Document>(collection: Collection<T>, ops: AnyBulkWriteOperation<T>[]): Promise<void> {
  for (let i = 0; i < ops.length; i += BULK_BATCH) await collection.bulkWrite(ops.slice(i, i + BULK_BATCH), { ordered: false });
}

export function isDuplicateKey(err: unknown): boolean {
  return err instanceof MongoServerError && err.code === 11000;
}
