import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { fieldOfRefusal, reasonOfRefusal, REJECTION_STATUS, type RefusalReason, type RejectionType } from '../domain/rejections';
import { isReadModelUnavailable } from '../store/mongo';

/**
 * The one error shape every failure takes: `{ "error": { "code", "message", "reason"?, "details"? } }`.
 * `code` is the kind of failure (bad_request, not_found, conflict, unprocessable, …, one per HTTP status);
 * `reason`, on a refused action, the rule that refused it (domain/rejections.ts REFUSAL_REASONS); on a
 * 400, `details` lists the fields, each `{ path, code, message, params? }` (FieldIssue). Messages are
 * English for people reading the raw response; clients translate by `reason` and by the issues' `code`.
 */
export const zErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    reason: z.string().optional(),
    details: z.unknown().optional(),
  }),
});

/**
 * What is wrong with one field of a request. `code` is stable and machine-readable: zod's issue code
 * (`too_small`, `too_big`, `invalid_format`, `invalid_value`, `invalid_type`, `unrecognized_keys`, …),
 * `required` for a missing value, a rule's own code where its schema names one (`params: { code }` on a
 * refinement, e.g. `invalid_date`, `invalid_id_number`), and `invalid` for any other rule of ours.
 * `params` carries what the message speaks of (`origin`, `minimum`, `maximum`, `format`, `values`, `keys`).
 */
export interface FieldIssue {
  path: string;
  code: string;
  message: string;
  params?: Record<string, unknown>;
}

/** A field issue as a route writes one by hand: its code defaults to `invalid`. */
export type FieldIssueInput = Omit<FieldIssue, 'code'> & { code?: string };

/**
 * Why a bearer token is refused: the 401's `error.reason` (code `unauthorized`), one per check, so a client
 * can tell "sign in again" from "this token was minted wrong". Source: ours.
 */
export const TOKEN_REASONS = [
  /** No Authorization header, or not `Bearer <token>`. */
  'token_missing',
  /** Not a compact JWS, or an algorithm other than HS256 (including `none`). */
  'token_malformed',
  'token_signature_invalid',
  /** `exp` has passed (beyond the clock skew). */
  'token_expired',
  /** No `exp`: a token must end. */
  'token_no_expiry',
  /** No `iat`: the lifetime cannot be checked. */
  'token_no_issued_at',
  /** `exp − iat` above the configured maximum (JWT_MAX_LIFETIME_SECONDS). */
  'token_lifetime_too_long',
  /** `iat` later than now plus the clock skew. */
  'token_issued_in_future',
  /** `nbf` later than now plus the clock skew. */
  'token_not_yet_valid',
  /** `iss` other than JWT_ISSUER (when configured). */
  'token_wrong_issuer',
  /** `aud` not including JWT_AUDIENCE (when configured). */
  'token_wrong_audience',
  /** `sub`, `role` or `org` missing or invalid, or a time claim that is not a number. */
  'token_claims_invalid',
  /** `org` names a unit that does not exist. */
  'token_unknown_unit',
  /** `sid` names a session that was signed out, revoked (password change or reset, user disabled or edited, refresh-token reuse) or has expired. */
  'token_session_ended',
  /** In production: a token without a session (`sid`) — ready-made tokens work outside production only. */
  'token_no_session',
] as const;
export type TokenReason = (typeof TOKEN_REASONS)[number];

/**
 * The reasons the API gives on its own (beside the workflows' REFUSAL_REASONS, domain/rejections.ts, and the bearer
 * token's TOKEN_REASONS, api/auth.ts): a client translates every one of them by its code (web/src/i18n.ts `reasons`,
 * held to by test/web/i18n.test.ts), and ApiError takes no other. Source: ours.
 */
export const API_REASONS = [
  /** A role given at a unit of a level it is not held at (422; api/routes/users.ts, domain/roles.ts ROLE_UNIT_LEVELS). */
  'role_unit_mismatch',
  /** An admin disabling themselves or changing their own role or unit (409). */
  'own_account',
  /** A password reset for a user who signs in through the identity service (409). */
  'oidc_account',
  /** Any call but the password change while an administrator's temporary password is in force (403). */
  'password_change_required',
  /** Sign-in: the login or password is wrong (401). */
  'invalid_credentials',
  /** Sign-in or refresh of a disabled account (401). */
  'account_disabled',
  /** Sign-in: the login is locked after repeated failures (429). */
  'account_locked',
  /** Sign-in: too many failures from this client address (429). */
  'client_sign_in_limit',
  /** Refresh without a refresh cookie (401). */
  'refresh_missing',
  /** Refresh with a refresh token that is not valid (401). */
  'refresh_invalid',
  /** Refresh of a session that has ended (401). */
  'refresh_expired',
  /** Refresh with a refresh token used before: its session is revoked (401). */
  'refresh_reused',
  /** OIDC: no sign-in under way in this browser (401). */
  'oidc_no_flow',
  /** OIDC: the identity service refused (401). */
  'oidc_refused',
  /** OIDC: the exchange or the token failed (401). */
  'oidc_failed',
  /** OIDC: the token's subject is not one a login can be made of (403). */
  'oidc_subject_invalid',
  /** OIDC: the role claim names no role of jiuzhu (403). */
  'oidc_role_invalid',
  /** OIDC: the unit claim names no org unit (403). */
  'oidc_unit_unknown',
  /** OIDC: the role may not be held at the unit's level (403). */
  'oidc_unit_invalid',
  /** OIDC: the name claim is not a person's name as jiuzhu takes it (markup, a mask, invisible characters; 403). */
  'oidc_name_invalid',
  /** A discovery's or an intake's decision whose alert or application was refused by its own rules: nothing decided (409). */
  'outcome_refused',
  /** A discovery's or an intake's decision whose alert or application could not be opened: nothing decided, try again (503). */
  'outcome_not_opened',
  /** An intake's acceptance: the applicant's ID number is registered in another village (422; api/routes/intakes.ts). */
  'registered_elsewhere',
  /** A service task with every slot taken (409). */
  'task_full',
  /** A service task this member has claimed already (409). */
  'already_claimed',
  /** A points entry that is itself a counter-entry cannot be reversed (422). */
  'counter_entry',
] as const;
export type ApiReason = (typeof API_REASONS)[number];

/**
 * The reasons the public channel's limits answer (429; api/rate-limit.ts, api/routes/public.ts). The public page
 * words a 429 by its status and Retry-After (web/src/public/api.ts failureText), not by these. Source: ours.
 */
export const PUBLIC_CHANNEL_REASONS = ['client_request_limit', 'client_report_limit', 'unit_allowance', 'client_match_limit'] as const;
export type PublicChannelReason = (typeof PUBLIC_CHANNEL_REASONS)[number];

/** Every reason an error of the API may carry: a refused step's, a refused token's, the API's own. */
export type Reason = RefusalReason | TokenReason | ApiReason;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly reason?: Reason,
  ) {
    super(message);
  }
}

/** A 400 with the fields at fault; a field issue without a code gets `invalid`. */
export const badRequest = (message: string, details?: FieldIssueInput[]) => new ApiError(400, 'bad_request', message, details?.map(withCode));
export const unauthorized = (message: string) => new ApiError(401, 'unauthorized', message);
export const forbidden = (message: string) => new ApiError(403, 'forbidden', message);
export const notFound = (message: string) => new ApiError(404, 'not_found', message);
export const conflict = (message: string, details?: unknown) => new ApiError(409, 'conflict', message, details);
/**
 * 422 for a rule broken by one field against stored data (a login that is no user, a user outside the village):
 * the rule's `reason` (domain/rejections.ts REFUSAL_REASONS) and one FieldIssue at `path` with the same code.
 */
export const unprocessableField = (path: string, reason: Reason, message: string) => new ApiError(422, 'unprocessable', `${path}: ${message}`, [{ path, code: reason, message }], reason);
/** 409 for an action on a closed case (`what`: 'alert alert-…'), with the reason `case_closed`. */
export const caseClosed = (what: string) => new ApiError(409, 'conflict', `${what} is closed`, undefined, 'case_closed');

function joinPath(prefix: string, path: ReadonlyArray<PropertyKey>): string {
  return [prefix, ...path.map(String)].filter(Boolean).join('.');
}

const withCode = ({ path, code, message, params }: FieldIssueInput): FieldIssue => ({ path, code: code ?? 'invalid', message, ...(params ? { params } : {}) });

/** The issue fields a client may need to word its message (see FieldIssue.params). */
const ISSUE_PARAMS = ['origin', 'minimum', 'maximum', 'format', 'values', 'keys'] as const;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v = root;
  for (const key of path) v = isRecord(v) ? v[key as string] : undefined;
  return v;
}

/**
 * One zod issue as a FieldIssue (see there for the codes). `input`, when given, is what the schema
 * parsed: a value missing from it makes an `invalid_type` issue `required`.
 */
function fieldIssue(issue: { code: string; path: ReadonlyArray<PropertyKey>; message: string } & Record<string, unknown>, prefix: string, input?: { value: unknown }): FieldIssue {
  const own = isRecord(issue.params) && typeof issue.params.code === 'string' ? issue.params.code : undefined;
  const code =
    issue.code === 'custom' ? (own ?? 'invalid') : issue.code === 'invalid_type' && input && valueAt(input.value, issue.path) === undefined ? 'required' : issue.code;
  const params = Object.fromEntries(ISSUE_PARAMS.filter((k) => issue[k] !== undefined).map((k) => [k, issue[k]]));
  return { path: joinPath(prefix, issue.path), code, message: issue.message, ...(Object.keys(params).length ? { params } : {}) };
}

/**
 * zod issues as field paths a client can show next to its inputs, each with its machine code.
 * `input`: what was parsed, to tell a missing value (`required`) from one of the wrong type.
 */
export function fieldIssues(issues: ReadonlyArray<z.core.$ZodIssue>, prefix = '', input?: { value: unknown }): FieldIssue[] {
  return issues.map((issue) => fieldIssue(issue as unknown as Parameters<typeof fieldIssue>[0], prefix, input));
}

/**
 * A staff action refused by the workflow's update validator or handler arrives as an ApplicationFailure
 * whose `type` is one of the shared rejection types (domain/rejections.ts); map it to its HTTP status.
 */
function fromWorkflowRejection(err: unknown): ApiError | undefined {
  const failure = err instanceof WorkflowUpdateFailedError ? err.cause : err;
  if (!(failure instanceof ApplicationFailure) || !failure.type) return undefined;
  const status = REJECTION_STATUS[failure.type as RejectionType];
  if (!status) return undefined;
  const reason = reasonOfRefusal(failure.details);
  // A rule that names the field at fault answers in the one shape: details[] of FieldIssue.
  const field = fieldOfRefusal(failure.details);
  if (field) return new ApiError(status, failure.type, failure.message, [{ path: field.path, code: field.code, message: failure.message }], reason);
  return new ApiError(status, failure.type, failure.message, reason === undefined ? (failure.details?.[0] ?? undefined) : undefined, reason);
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` } });
  });

  app.setErrorHandler((err: FastifyError | Error, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = (err as FastifyError).validationContext ?? 'body';
      const part = (request as unknown as Record<string, unknown>)[where === 'querystring' ? 'query' : where];
      const details = err.validation.map((v) =>
        fieldIssue({ ...v.params, code: v.keyword, path: v.instancePath.split('/').filter(Boolean), message: v.message ?? 'invalid' }, where, { value: part }),
      );
      const first = details[0];
      return reply.code(400).send({
        error: { code: 'bad_request', message: first ? `${first.path}: ${first.message}` : 'invalid request', details },
      });
    }
    if (err instanceof z.ZodError) {
      const details = fieldIssues(err.issues);
      return reply.code(400).send({ error: { code: 'bad_request', message: `${details[0]?.path}: ${details[0]?.message}`, details } });
    }
    const rejection = fromWorkflowRejection(err);
    const known = err instanceof ApiError ? err : rejection;
    if (known) {
      const body: { code: string; message: string; reason?: string; details?: unknown } = { code: known.code, message: known.message };
      if (known.reason !== undefined) body.reason = known.reason;
      if (known.details !== undefined) body.details = known.details;
      return reply.code(known.status).send({ error: body });
    }
    if (err instanceof WorkflowNotFoundError) {
      // The guard found the case open, but its workflow has ended since: it closed in between (issue 11, item 11).
      const kase = request.guarded?.case;
      if (kase) return reply.code(409).send({ error: { code: 'conflict', message: `${kase.kind} ${kase._id} is closed (its workflow is no longer running)`, reason: 'case_closed' } });
      return reply.code(404).send({ error: { code: 'not_found', message: 'case not found or no longer running' } });
    }
    const status = (err as FastifyError).statusCode;
    if (status && status >= 400 && status < 500) {
      // Fastify's own client errors (malformed JSON, payload too large, unsupported media type…).
      const code = status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'bad_request';
      return reply.code(status).send({ error: { code, message: err.message } });
    }
    if (isReadModelUnavailable(err)) {
      // The read model is restarting or unreachable (docs/chaos.md): not our bug, and the client may try again.
      request.log.warn({ err }, 'read model unavailable');
      return reply.code(503).header('retry-after', '5').send({ error: { code: 'unavailable', message: 'the read model is unavailable; try again in a few seconds' } });
    }
    // Always our bug (a store function returned more or other than the route documents): logged at error
    // level with the route and the failing fields, never shown to the caller.
    if (isResponseSerializationError(err)) request.log.error({ route: `${request.method} ${request.routeOptions.url}`, issues: err.cause.issues }, 'BUG: response does not match its documented schema');
    else request.log.error({ err }, 'unhandled error');
    return reply.code(500).send({ error: { code: 'internal', message: 'internal error; the request id is in the x-request-id header' } });
  });
}
