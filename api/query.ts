import { z } from 'zod';

/**
 * Query strings and path parameters, parsed one way for every route:
 * - `zQueryInt(min, max)`: a whole number written in decimal digits only, 1–10 of them — no `0x10`, `0b1`,
 *   `1e3`, `+5`, ` 5`, `5.0` or empty text, which `z.coerce.number()` took — then
 *   within [min, max];
 * - `zQuery(shape)`: the query object with no key but those named, so a misspelt filter (`?stauts=closed`)
 *   answers 400 `unrecognized_keys` naming the key instead of being dropped and returning everything.
 * Source: ours.
 */
export const zQueryInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,10}$/, 'expected a whole number in decimal digits')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/** A querystring schema that refuses unknown keys (see above). */
export const zQuery = <T extends z.core.$ZodLooseShape>(shape: T) => z.strictObject(shape);
