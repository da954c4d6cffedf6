import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { REJECTION_STATUS, type RejectionType } from '../domain/rejections';

/** The one error shape every failure takes: `{ "error": { "code", "message", "details"? } }`. */
export const zErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});

export interface FieldIssue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: FieldIssue[]) => new ApiError(400, 'bad_request', message, details);
export const unauthorized = (message: string) => new ApiError(401, 'unauthorized', message);
export const forbidden = (message: string) => new ApiError(403, 'forbidden', message);
export const notFound = (message: string) => new ApiError(404, 'not_found', message);
export const conflict = (message: string, details?: unknown) => new ApiError(409, 'conflict', message, details);

function joinPath(prefix: string, path: ReadonlyArray<PropertyKey>): string {
  return [prefix, ...path.map(String)].filter(Boolean).join('.');
}

/** zod issues as field paths a client can show next to its inputs. */
export function fieldIssues(issues: ReadonlyArray<z.core.$ZodIssue>, prefix = ''): FieldIssue[] {
  return issues.map((issue) => ({ path: joinPath(prefix, issue.path), message: issue.message }));
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
  return new ApiError(status, failure.type, failure.message, failure.details?.[0] ?? undefined);
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` } });
  });

  app.setErrorHandler((err: FastifyError | Error, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = (err as FastifyError).validationContext ?? 'body';
      const details = err.validation.map((v) => ({
        path: joinPath(where, v.instancePath.split('/').filter(Boolean)),
        message: v.message ?? 'invalid',
      }));
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
      const body: { code: string; message: string; details?: unknown } = { code: known.code, message: known.message };
      if (known.details !== undefined) body.details = known.details;
      return reply.code(known.status).send({ error: body });
    }
    if (err instanceof WorkflowNotFoundError) {
      return reply.code(404).send({ error: { code: 'not_found', message: 'case not found or no longer running' } });
    }
    const status = (err as FastifyError).statusCode;
    if (status && status >= 400 && status < 500) {
      // Fastify's own client errors (malformed JSON, payload too large, unsupported media type…).
      const code = status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'bad_request';
      return reply.code(status).send({ error: { code, message: err.message } });
    }
    if (isResponseSerializationError(err)) request.log.error({ issues: err.cause.issues }, 'response does not match its schema');
    else request.log.error({ err }, 'unhandled error');
    return reply.code(500).send({ error: { code: 'internal', message: 'internal error; the request id is in the x-request-id header' } });
  });
}
