import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { DuePosition } from '../store/cases';
import { badRequest } from './errors';
import { zQueryInt } from './query';

/**
 * Keyset pagination, once for every list: the `limit`/`cursor` query parameters, the opaque cursor (the
 * last row's position, base64url JSON, signed: see encodeCursor) and the position it stands for, the page and the next cursor. A list
 * reads `limit + 1` rows in its order after the position (the store's functions turn a position into their
 * query's condition: store/mongo.ts `pageById`, store/cases.ts for due order); the extra row says whether
 * another page exists.
 */

/** A page of a list: its items and the opaque cursor of the next page (null on the last). */
export const zPage = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The `limit` (1…max, default 50) and `cursor` query parameters of a list: spread into its querystring schema. */
export const pageQuery = (max = 200) => ({
  limit: zQueryInt(1, max).default(50),
  cursor: z.string().max(1000).optional(),
});

/** An order a list is read in: how a cursor carries a row's position in it, and what position it stands for. */
export interface KeysetOrder<Row, Position> {
  /** The cursor's JSON, checked and turned into the position the store reads after. */
  cursor: z.ZodType<Position, unknown>;
  /** The cursor's JSON for a row (the last of a page). */
  cursorOf(row: Row): unknown;
}

/** By `_id`: cursor `{ id }`, position the id. */
export const BY_ID: KeysetOrder<{ _id: string }, string> = {
  cursor: z.strictObject({ id: z.string().min(1).max(200) }).transform((c) => c.id),
  cursorOf: (row) => ({ id: row._id }),
};

/** By deadline, soonest first, then `_id` (the board, the task list): cursor `{ dueAt, id }`; rows must have a `dueAt`. */
export const BY_DUE: KeysetOrder<{ _id: string; dueAt: Date }, DuePosition> = {
  cursor: z.strictObject({ dueAt: z.iso.datetime(), id: z.string().min(1).max(200) }).transform((c): DuePosition => ({ dueAt: new Date(c.dueAt), id: c.id })),
  cursorOf: (row) => ({ dueAt: row.dueAt.toISOString(), id: row._id }),
};

/** The key cursors are signed with: set from the configuration by `useCursorKey`; random until then. */
let cursorKey: Buffer = randomBytes(32);

/**
 * Signs cursors with a key derived from `secret` (HMAC-SHA-256 under the label `jiuzhu cursor`), so that
 * every API process with the same configuration reads the others' cursors. Called once by buildApp with
 * the JWT secret.
 */
export function useCursorKey(secret: string): void {
  cursorKey = createHmac('sha256', secret).update('jiuzhu cursor').digest();
}

const signature = (payload: string) => createHmac('sha256', cursorKey).update(payload).digest().subarray(0, 16);

/** The opaque cursor for a row's position: `<base64url JSON>.<base64url HMAC of it, 128 bits>`. */
export function encodeCursor(json: unknown): string {
  const payload = Buffer.from(JSON.stringify(json)).toString('base64url');
  return `${payload}.${signature(payload).toString('base64url')}`;
}

/**
 * The position a cursor stands for in an order, or undefined without one.
 * @throws 400 `invalid_cursor` for a cursor this API did not return for this order: malformed, tampered
 * with (its signature does not match) or of another order.
 */
export function decodeCursor<P>(order: Pick<KeysetOrder<never, P>, 'cursor'>, cursor: string | undefined): P | undefined {
  if (cursor === undefined) return undefined;
  const invalid = () => badRequest('cursor: not a cursor this API returned', [{ path: 'querystring.cursor', code: 'invalid_cursor', message: 'invalid cursor: pass nextCursor as the API returned it' }]);
  const [payload, mac, ...rest] = cursor.split('.');
  if (!payload || !mac || rest.length || !/^[\w-]+$/.test(payload) || !/^[\w-]{22}$/.test(mac)) throw invalid();
  if (!timingSafeEqual(Buffer.from(mac, 'base64url'), signature(payload))) throw invalid();
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const parsed = order.cursor.safeParse(json);
  if (!parsed.success) throw invalid();
  return parsed.data;
}

/**
 * One page of a list: `read(after, limit)` reads up to `limit` rows (one more than a page) after the
 * cursor's position (undefined: from the first); `show` turns the page's rows into its items (it may drop
 * some). @throws 400 for a bad cursor.
 */
export async function keysetPage<R, P, Row extends R, Item>(
  order: KeysetOrder<R, P>,
  query: { limit: number; cursor?: string | undefined },
  read: (after: P | undefined, limit: number) => Promise<Row[]>,
  show: (rows: NoInfer<Row>[]) => Item[] | Promise<Item[]>,
): Promise<Page<Item>> {
  const rows = await read(decodeCursor(order, query.cursor), query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return { items: await show(page), nextCursor: rows.length > query.limit && last !== undefined ? encodeCursor(order.cursorOf(last)) : null };
}
