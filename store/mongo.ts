import { attachPiiKeyring, type PiiKeyring } from './pii';
import { MongoClient, MongoNetworkError, MongoNotConnectedError, MongoServerError, MongoServerSelectionError, MongoTopologyClosedError, type AnyBulkWriteOperation, type Collection, type Db, type Document, type Filter, type FindOptions, type UpdateFilter, type WithId } from 'mongodb';

/**
 * The connection to the read model and the write mechanisms every store module shares. The collections
 * and their document types: store/collections.ts.
 *
 * FerretDB 1.24 on PostgreSQL holds one PostgreSQL connection for each matched statement of an update
 * command until the whole command ends, and needs one more to apply it (its `msg_update.go`); when every
 * connection of its pool is held that way, it waits forever and the whole read model hangs (seen: a second
 * `npm start` re-seeding 92 org units in one bulk write against its pool of 50). So: each process sends at
 * most MAX_POOL_SIZE commands at once, bulk writes go in batches of BULK_BATCH statements, and the local
 * FerretDB's pool is larger than the worst case (scripts/lib/stack.ts: 2 processes × 32 × (4 + 1) ≤ 400).
 */
export const MAX_POOL_SIZE = 32;
export const BULK_BATCH = 4;

/**
 * Connects to MongoDB (or FerretDB) at `uri` with at most MAX_POOL_SIZE connections; the database handle
 * carries `keyring` (store/pii.ts), with which store/ seals and opens personal data.
 * @throws when no server answers within 5 s.
 */
export async function connectMongo(uri: string, dbName: string, keyring: PiiKeyring): Promise<{ client: MongoClient; db: Db }> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000, appName: 'jiuzhu', maxPoolSize: MAX_POOL_SIZE });
  await client.connect();
  const db = client.db(dbName);
  attachPiiKeyring(db, keyring);
  return { client, db };
}

/** Does the server answer? (MongoDB's `ping`, for the readiness check.) @throws what the driver throws when it does not. */
export async function pingMongo(db: Db): Promise<void> {
  await db.command({ ping: 1 });
}

/** A bulk write sent BULK_BATCH statements at a time (see MAX_POOL_SIZE); unordered within a batch. */
export async function bulkWriteInBatches<T extends Document>(collection: Collection<T>, ops: AnyBulkWriteOperation<T>[]): Promise<void> {
  for (let i = 0; i < ops.length; i += BULK_BATCH) await collection.bulkWrite(ops.slice(i, i + BULK_BATCH), { ordered: false });
}

/**
 * A bulk write in batches of BULK_BATCH, each ignoring duplicate keys (a versioned upsert that lost to a
 * newer version). Resolves true when some were ignored.
 */
export async function bulkWriteIgnoringDuplicates<T extends Document>(collection: Collection<T>, ops: AnyBulkWriteOperation<T>[]): Promise<boolean> {
  let ignored = false;
  for (let i = 0; i < ops.length; i += BULK_BATCH) {
    try {
      await collection.bulkWrite(ops.slice(i, i + BULK_BATCH), { ordered: false });
    } catch (err) {
      if (!isDuplicateKey(err) && !allDuplicates(err)) throw err;
      ignored = true;
    }
  }
  return ignored;
}

/** Inserts documents with deterministic ids; those already stored (a retry) are skipped. Resolves true when some were. */
export async function insertIgnoringDuplicates<T extends { _id: string }>(collection: Collection<T>, docs: T[]): Promise<boolean> {
  try {
    await collection.insertMany(docs as never[], { ordered: false });
    return false;
  } catch (err) {
    if (!isDuplicateKey(err) && !allDuplicates(err)) throw err;
    return true;
  }
}

/**
 * Claims `doc._id` for `doc` (the first claim wins): inserts it, or — already claimed — answers with the
 * claim stored. One run per business key, whatever starts it twice (a Party day's month, a patrol's cycle).
 * Ours.
 */
export async function claimFirst<T extends { _id: string }>(collection: Collection<T>, doc: T): Promise<T> {
  try {
    await collection.insertOne(doc as never);
    return doc;
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return ((await collection.findOne({ _id: doc._id } as Filter<T>)) as T | null) ?? doc;
  }
}

/**
 * Sets the fields of the document `id` if its stored `version` is older, inserting it if absent: a retry
 * or a late write of an older version changes nothing. Returns false when a newer (or the same) version
 * was stored: the filter missed, and the upsert's insert collided on `_id`.
 */
export async function upsertIfNewer<T extends { _id: string; version: number }>(collection: Collection<T>, id: string, fields: Omit<T, '_id'>): Promise<boolean> {
  try {
    await collection.updateOne({ _id: id, version: { $lt: fields.version } } as Filter<T>, { $set: fields } as UpdateFilter<T>, { upsert: true });
    return true;
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return false;
  }
}

/**
 * A keyset page by id: up to `limit` documents matching `filter` whose `_id` comes after `after` (all
 * from the first without it), in `_id` order. The caller asks for one more than a page to know whether
 * another follows.
 */
export function pageById<T extends { _id: string }>(collection: Collection<T>, filter: Filter<T>, after: string | undefined, limit: number, options?: FindOptions): Promise<WithId<T>[]> {
  const position = after === undefined ? {} : { _id: { $gt: after } };
  return collection
    .find({ ...filter, ...position } as Filter<T>, options)
    .sort({ _id: 1 })
    .limit(limit)
    .toArray();
}

/** Is this MongoDB's duplicate-key error (E11000)? */
export function isDuplicateKey(err: unknown): boolean {
  return err instanceof MongoServerError && err.code === 11000;
}

/** A bulk error whose every write error is a duplicate key. */
function allDuplicates(err: unknown): boolean {
  const writeErrors = (err as { writeErrors?: Array<{ code: number }> | { code: number } }).writeErrors;
  if (!writeErrors) return false;
  const list = Array.isArray(writeErrors) ? writeErrors : [writeErrors];
  return list.length > 0 && list.every((e) => e.code === 11000);
}

/**
 * Whether `err` means the read model cannot be reached right now (a lost connection, no server to select,
 * a closed client) rather than a fault of the request or of our code: the API answers 503 with Retry-After
 * (api/errors.ts), and a client retries. Source: ours (what the chaos runs showed as 500s while FerretDB or
 * PostgreSQL restarted, docs/chaos.md).
 */
export function isReadModelUnavailable(err: unknown): boolean {
  return err instanceof MongoNetworkError || err instanceof MongoServerSelectionError || err instanceof MongoNotConnectedError || err instanceof MongoTopologyClosedError;
}
