import { z } from 'zod';
import type { DuePosition } from '../store/cases';
import { badRequest } from './errors';

/**
 * Keyset pagination, once for every list: the `limit`/`cursor` query parameters, the opaque cursor (the
 * last row's position, base64url JSON) and the position it stands for, the page and the next cursor. A list
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
  limit: z.coerce.number().int().min(1).max(max).default(50),
  cursor: z.string().optional(),
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
  cursor: z.object({ id: z.string() }).transform((c) => c.id),
  cursorOf: (row) => ({ id: row._id }),
};

/** By deadline, soonest first, then `_id` (the board, the task list): cursor `{ dueAt, id }`; rows must have a `dueAt`. */
export const BY_DUE: KeysetOrder<{ _id: string; dueAt: Date }, DuePosition> = {
  cursor: z.object({ dueAt: z.iso.datetime(), id: z.string() }).transform((c): DuePosition => ({ dueAt: new Date(c.dueAt), id: c.id })),
  cursorOf: (row) => ({ dueAt: row.dueAt.toISOString(), id: row._id }),
};

/** The opaque cursor for a row's position. */
export function encodeCursor(json: unknown): string {
  return Buffer.from(JSON.stringify(json)).toString('base64url');
}

/** The position a cursor stands for in an order, or undefined without one. @throws 400 for a cursor this API did not return for this order. */
export function decodeCursor<P>(order: Pick<KeysetOrder<never, P>, 'cursor'>, cursor: string | undefined): P | undefined {
  if (!cursor) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    json = undefined;
  }
  const parsed = order.cursor.safeParse(json);
  if (!parsed.success) throw badRequest('cursor: not a cursor this API returned', [{ path: 'querystring.cursor', message: 'invalid cursor' }]);
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
