import { zUnmaskedIdNumber } from '../domain/household';
import type { FastifyInstance, HTTPMethods, RouteOptions } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { EARLIEST_YEAR, LATEST_YEAR, zDay, zInstant } from '../domain/dates';
import { zIdNumber } from '../domain/id-number';
import { TRIMMED_SPACE_CLASS, UNSAFE_CHARACTER_CLASS } from '../domain/text';
import { RECEIPT_LENGTH, zReceipt } from '../domain/report';
import { isWriting, rolesFor } from '../domain/permissions';
import { ROLES } from '../domain/roles';
import { zErrorBody } from './errors';

/**
 * The API's HTTP contract, made once for every route, so that `/openapi.json` says what the server really
 * does (a schema-driven fuzzer, test/fuzz, holds the server to it):
 * - `declareErrorResponses`: each route declares every error status it can answer, from what it is
 *   (signed in or public, guarded on a case or a unit, writing, with a body or parameters);
 * - `registerMethodNotAllowed`: a known path asked with a method it does not have answers 405 with `Allow`;
 * - `openApiTransform`: the request schemas carry the rule no schema of a route states, that no text may
 *   hold a forbidden character (domain/text.ts), as a JSON-Schema `pattern`; rules a refinement checks
 *   that JSON Schema cannot spell out are named by a `format` (FORMATS).
 * Source: ours (RFC 9110 §15.5.6 for 405 and `Allow`).
 */

/** Methods that carry a body, which Fastify parses before validation (400 malformed, 413 too large, 415 not JSON). */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The methods a path may be asked for; anything else Fastify itself refuses before routing. */
const PROBED_METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

const methodsOf = (route: Pick<RouteOptions, 'method'>): string[] => (Array.isArray(route.method) ? route.method : [route.method]).map((m) => m.toUpperCase());

/**
 * The error statuses a route can answer, from its options (all of them through api/errors.ts, in the one
 * error shape):
 * - 400 when anything of the request is validated (body, query string, path parameters) or a body is parsed;
 *   413 and 415 when a body is parsed (Fastify's body limit and content-type parsers);
 * - 401 on every signed-in route (no, expired or invalid token); 403 on a guarded route that some role may
 *   not take or whose target lies in a jurisdiction (a route every role may take on no target answers none);
 * - 404 when the guard loads a target (`case`, `unit`, `org`: it may not exist);
 * - 409 when the guard loads a case for a writing action (the case is closed);
 * - 503 on every route: the server is closing (Fastify's return503OnClosing), the read model cannot be
 *   reached (api/errors.ts), or an audit record cannot be written (api/audit.ts, audit_unavailable).
 * What a handler answers of its own (404 for a household named in a body, 409 for a duplicate, 422 for a
 * refused step, 429) the route declares itself; this adds only what is missing.
 */
export function errorStatusesOf(route: Pick<RouteOptions, 'method' | 'schema' | 'config'>): number[] {
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  const config = (route.config ?? {}) as { public?: boolean; guard?: { on: string; action: string; target?: string } };
  const statuses = new Set<number>();
  const hasBody = methodsOf(route).some((m) => BODY_METHODS.has(m));
  if (hasBody || schema.body || schema.querystring || schema.params) statuses.add(400);
  if (hasBody) {
    statuses.add(413);
    statuses.add(415);
  }
  if (!config.public) statuses.add(401);
  statuses.add(503);
  const guard = config.guard;
  if (guard) {
    // The guard refuses a role the matrix does not allow, and a target outside the caller's jurisdiction.
    if (guard.target || rolesFor(guard.on, guard.action).length < ROLES.length) statuses.add(403);
    if (guard.target) statuses.add(404);
    if (guard.target === 'case' && isWriting(guard.action)) statuses.add(409);
  }
  return [...statuses].sort((a, b) => a - b);
}

/**
 * Adds the shared error body (api/errors.ts zErrorBody) for each status of `errorStatusesOf` the route
 * does not declare. Call from an `onRoute` hook registered before the routes.
 */
export function declareErrorResponses(route: RouteOptions): void {
  if (route.schema?.hide) return;
  const schema = route.schema ?? {};
  const response = { ...((schema.response as Record<string, unknown> | undefined) ?? {}) };
  for (const status of errorStatusesOf(route)) if (!(status in response) && !(String(status) in response)) response[status] = zErrorBody;
  route.schema = { ...schema, response };
}

/**
 * Answers a request for a known path with a method it lacks: 405 with `Allow` listing the methods the path
 * has (HEAD wherever GET is), instead of a 404 or a validation error. Runs first of all hooks, on the
 * requests no route matched; an unknown path stays a 404 (api/errors.ts).
 */
export function registerMethodNotAllowed(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!request.is404) return;
    const path = request.url.split('?')[0] ?? '';
    const allowed = PROBED_METHODS.filter((method) => method !== request.method && app.findRoute({ method, url: path }) !== null);
    if (allowed.length === 0) return;
    return reply
      .code(405)
      .header('allow', allowed.join(', '))
      .send({ error: { code: 'method_not_allowed', message: `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}` } });
  });
}

/**
 * Rules the zod schemas check with a refinement, stated in the OpenAPI as a string `format` (and a pattern
 * for the shape): `date` is RFC 3339's full-date, a real calendar day (domain/dates.ts zDay);
 * `cn-resident-id` a resident ID number (GB 11643: birth date, check character; domain/id-number.ts);
 * `keyset-cursor` a list's opaque cursor as the API returned it (api/pagination.ts; every `cursor` query
 * parameter); a receipt's alphabet (domain/report.ts). Generators that keep these rules are in test/fuzz/hooks.py.
 */
export const FORMATS = {
  day: { format: 'date' },
  idNumber: { format: 'cn-resident-id', pattern: '^[0-9]{17}[0-9Xx]$' },
  cursor: { format: 'keyset-cursor', pattern: '^[A-Za-z0-9_-]*$' },
  /** A report's receipt as printed (the API also takes it in lower case, with spaces or dashes). */
  receipt: { pattern: `^[2-9A-HJKMNP-Za-hjkmnp-z]{${RECEIPT_LENGTH}}$` },
} as const;
// zod's JSON-Schema conversion copies a schema's entry in the global registry into its output.
z.globalRegistry.add(zDay, { ...z.globalRegistry.get(zDay), ...FORMATS.day });
// An instant is zod's date-time and a year check, two patterns zod writes as an `allOf` without a format;
// the format makes it one bounded pattern below (withDatePattern).
z.globalRegistry.add(zInstant, { ...z.globalRegistry.get(zInstant), format: 'date-time' });
z.globalRegistry.add(zIdNumber, { ...z.globalRegistry.get(zIdNumber), ...FORMATS.idNumber });
// The register's ID number (masked values refused first, issue 14) is an ID number on the wire too.
z.globalRegistry.add(zUnmaskedIdNumber, { ...z.globalRegistry.get(zUnmaskedIdNumber), ...FORMATS.idNumber });
z.globalRegistry.add(zReceipt, { ...z.globalRegistry.get(zReceipt), ...FORMATS.receipt });

/**
 * The years a date the API takes may fall in (issue 11 item 5: bounds by meaning; the date module's
 * EARLIEST_YEAR–LATEST_YEAR, 1900–2100), and the patterns that state them for the three shapes a date is
 * written in — `date` (YYYY-MM-DD, a real calendar day), `date-time` (RFC 3339 with an offset) and a month
 * YYYY-MM — replacing zod's unbounded ones in the OpenAPI. 1900 and 2100 are not leap years, 2000 is.
 */
export const DATE_YEARS = { earliest: EARLIEST_YEAR, latest: LATEST_YEAR } as const;
const YEAR = '(?:19[0-9]{2}|20[0-9]{2}|2100)';
const LEAP_YEAR = '(?:19(?:0[48]|[2468][048]|[13579][26])|20(?:[02468][048]|[13579][26]))';
const MONTH_DAY = '(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))';
const DAY = `(?:${YEAR}-${MONTH_DAY}|${LEAP_YEAR}-02-29)`;
const TIME = 'T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]+)?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])';
export const DATE_PATTERNS = {
  date: `^${DAY}$`,
  dateTime: `^${DAY}${TIME}$`,
  month: `^${YEAR}-(?:0[1-9]|1[0-2])$`,
} as const;
/** zod's pattern of a month field (domain's zMonth), which DATE_PATTERNS.month replaces. */
const ZOD_MONTH_PATTERN = '^\\d{4}-(0[1-9]|1[0-2])$';

/**
 * A request string that is a date, a date-time or a month gets its bounded pattern (DATE_PATTERNS), which
 * implies every pattern zod wrote for it: a schema with two checks (the shape, then the years) comes out of
 * zod as an `allOf` of patterns, which goes, so that the field has the one pattern (a generator that must
 * filter one pattern's strings through another finds almost none).
 */
function withDatePattern(out: Record<string, unknown>): void {
  if (out.type !== 'string') return;
  const parts = Array.isArray(out.allOf) ? (out.allOf as unknown[]) : [];
  const onlyPatterns = parts.every((p) => isObject(p) && Object.keys(p).every((k) => k === 'pattern' || (k === 'type' && p.type === 'string')));
  const patterns = [out.pattern, ...parts.map((p) => (isObject(p) ? p.pattern : undefined))];
  let bounded: string | undefined;
  if (out.format === 'date') bounded = DATE_PATTERNS.date;
  else if (out.format === 'date-time') bounded = DATE_PATTERNS.dateTime;
  else if (patterns.includes(ZOD_MONTH_PATTERN)) bounded = DATE_PATTERNS.month;
  if (bounded === undefined || !onlyPatterns) return;
  out.pattern = bounded;
  delete out.allOf;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The characters the API refuses in any text it receives (domain/text.ts: C0 controls but tab and line
 * breaks, DEL and the C1 controls, the bidirectional embedding, override and isolate controls), as the body
 * of a regular-expression character class in `\uXXXX` escapes, which ECMA-262, Python and Rust read alike.
 * Lone surrogates, also refused, are not in it: they are no characters of a UTF-8 JSON text at all (RFC 8259
 * §8.2), and code-point regex engines (Rust's, behind JSON-Schema validators) cannot name them.
 */
export const REFUSED_CHARACTER_CLASS = UNSAFE_CHARACTER_CLASS;
const FORBIDDEN_CONTROL_CLASS = REFUSED_CHARACTER_CLASS;

/** No refused character anywhere in the string (REFUSED_CHARACTER_CLASS), as an ECMA-262 pattern. */
export const TEXT_PATTERN = `^[^${FORBIDDEN_CONTROL_CLASS}]*$`;
/**
 * TEXT_PATTERN for a required text (`minLength` ≥ 1): it must also hold a character that is not white
 * space, since the API trims text before it counts its length (`z.string().trim().min(1)`). The white
 * space is named (domain/text.ts TRIMMED_SPACE_CLASS: what JavaScript's trim removes), not `\s`, whose set
 * differs between engines (Python's, ASCII or Unicode, is not ECMA-262's).
 */
export const FILLED_TEXT_PATTERN = `^[^${FORBIDDEN_CONTROL_CLASS}]*[^${TRIMMED_SPACE_CLASS}${FORBIDDEN_CONTROL_CLASS}][^${FORBIDDEN_CONTROL_CLASS}]*$`;

/**
 * Adds TEXT_PATTERN to every free string of a request's JSON Schema: a string with no `pattern`, `format`,
 * `enum` or `const` of its own (those admit no forbidden character already). Returns a new schema.
 */
export function withTextPattern(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withTextPattern);
  if (!isObject(schema)) return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] = key === 'properties' && isObject(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withTextPattern(v)])) : withTextPattern(value);
  }
  withDatePattern(out);
  const free = out.type === 'string' && out.pattern === undefined && out.format === undefined && out.enum === undefined && out.const === undefined;
  if (free) out.pattern = typeof out.minLength === 'number' && out.minLength > 0 ? FILLED_TEXT_PATTERN : TEXT_PATTERN;
  // Keys are text too (a record's keys): the same rule.
  if (out.type === 'object' && out.additionalProperties !== false && out.propertyNames === undefined) out.propertyNames = { pattern: TEXT_PATTERN };
  return out;
}

type ZodDef = { type: string; innerType?: ZodLike; in?: ZodLike; out?: ZodLike; shape?: Record<string, ZodLike> };
type ZodLike = { _zod: { def: ZodDef }; minValue?: number | null; maxValue?: number | null; isInt?: boolean };

/**
 * The number a query or path value written as text stands for, when its schema reads text and pipes it into
 * a bounded number (`z.string().regex(…).transform(Number).pipe(z.number().int().min(a).max(b))`): JSON
 * Schema's input side would show only the text, so the OpenAPI states the number and its bounds instead
 * (on the wire a query value is text either way). Undefined for any other schema.
 */
export function numberBehindText(schema: ZodLike): Json | undefined {
  let s = schema;
  while (['default', 'optional', 'prefault'].includes(s._zod.def.type) && s._zod.def.innerType) s = s._zod.def.innerType;
  if (s._zod.def.type !== 'pipe') return undefined;
  let out = s;
  while (out._zod.def.type === 'pipe' && out._zod.def.out) out = out._zod.def.out;
  let from = s;
  while (from._zod.def.type === 'pipe' && from._zod.def.in) from = from._zod.def.in;
  if (out._zod.def.type !== 'number' || from._zod.def.type !== 'string') return undefined;
  const bounds: Json = { type: out.isInt ? 'integer' : 'number' };
  if (typeof out.minValue === 'number' && Number.isFinite(out.minValue)) bounds.minimum = out.minValue;
  if (typeof out.maxValue === 'number' && Number.isFinite(out.maxValue)) bounds.maximum = out.maxValue;
  return bounds;
}

/** The query string's or path's JSON Schema with `numberBehindText` stated for each of its properties. */
function withNumbers(json: unknown, zod: unknown): unknown {
  const shape = (zod as ZodLike | undefined)?._zod?.def?.shape;
  const properties = (json as { properties?: Record<string, Json> } | undefined)?.properties;
  if (!shape || !properties) return json;
  for (const [key, field] of Object.entries(shape)) {
    const number = numberBehindText(field);
    const property = properties[key];
    if (!number || !property) continue;
    delete property.pattern;
    delete property.format;
    Object.assign(property, number);
  }
  return json;
}

/** The OpenAPI transform: fastify-type-provider-zod's zod → JSON Schema, then `withTextPattern` on the request's parts. */
export const openApiTransform: typeof jsonSchemaTransform = (input) => {
  const out = jsonSchemaTransform(input);
  const schema = out.schema as Json | undefined;
  if (!schema) return out;
  const next: Json = { ...schema };
  // A protocol body (api/text-input.ts `protocolBody`) is not under the text rule; its own schema stands.
  const protocolBody = (input.route?.config as { protocolBody?: boolean } | undefined)?.protocolBody === true;
  for (const part of ['body', 'querystring', 'params', 'headers']) if (schema[part] !== undefined && !(part === 'body' && protocolBody)) next[part] = withTextPattern(schema[part]);
  const zod = (input.schema ?? {}) as Record<string, unknown>;
  for (const part of ['querystring', 'params']) if (next[part] !== undefined) next[part] = withNumbers(next[part], zod[part]);
  const cursor = (next.querystring as { properties?: Record<string, Json> } | undefined)?.properties?.cursor;
  if (cursor?.type === 'string') Object.assign(cursor, FORMATS.cursor);
  return { ...out, schema: next as typeof out.schema };
};
