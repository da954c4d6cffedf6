import { z } from 'zod';
import { badRequest } from './errors';

/** A page of a list: its items and the opaque cursor of the next page (null on the last). */
export const zPage = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export function encodeCursor(position: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export function decodeCursor<T>(cursor: string | undefined): T | undefined {
  if (!cursor) return undefined;
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as T;
  } catch {
    throw badRequest('cursor: not a cursor this API returned', [{ path: 'querystring.cursor', message: 'invalid cursor' }]);
  }
}
