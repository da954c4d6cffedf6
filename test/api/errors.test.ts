import { ApplicationFailure } from '@temporalio/common';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { z } from 'zod';
import { freePort } from '../../scripts/lib/proc';
import { badRequest, caseClosed, fieldIssues, registerErrorHandler, zErrorBody } from '../../api/errors';
import { zVisitInput, zCloseInput } from '../../domain/alert';
import { RuleViolation } from '../../domain/case';
import { zDay } from '../../domain/dates';
import { zIdNumber } from '../../domain/id-number';
import { fieldOfRefusal, reasonOfRefusal, refusalOf } from '../../domain/rejections';

/**
 * The one error shape and its machine codes (api/errors.ts), on a small Fastify app with the API's error
 * handler and zod compilers, and the domain's own schemas. The whole API's use of it is in test/api and
 * test/e2e (400 details, 409/422 refusals).
 */

let app: FastifyInstance;
beforeAll(async () => {
  app = Fastify({ logger: false });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const errors = { 200: z.object({}), 400: zErrorBody, 409: zErrorBody, 422: zErrorBody };
  typed.post('/visit', { schema: { body: zVisitInput, response: errors } }, async () => ({}));
  typed.post('/close', { schema: { body: zCloseInput, response: errors } }, async () => ({}));
  typed.post('/person', { schema: { body: z.object({ idNumber: zIdNumber, born: zDay, name: z.string().max(3) }).strict(), response: errors } }, async () => ({}));
  typed.get('/page', { schema: { querystring: z.object({ limit: z.coerce.number().int().max(100) }), response: errors } }, async () => ({}));
  typed.post('/refused', { schema: { response: errors } }, async () => {
    throw ApplicationFailure.create(refusalOf(new RuleViolation('conflict', 'alert a-1 was already acknowledged', 'already_acknowledged')));
  });
  typed.post('/refused-plainly', { schema: { response: errors } }, async () => {
    throw ApplicationFailure.create(refusalOf(new RuleViolation('unprocessable', 'the ladder must start at the new unit')));
  });
  typed.post('/closed', { schema: { response: errors } }, async () => {
    throw caseClosed('wish wish-0123456789ab');
  });
  // A read model that cannot be reached: a real driver against a port nothing listens on (freed just before).
  typed.get('/read-model-down', { schema: { response: { ...errors, 503: zErrorBody } } }, async () => {
    const client = new MongoClient(`mongodb://127.0.0.1:${await freePort()}/`, { serverSelectionTimeoutMS: 300 });
    try {
      await client.db('x').collection('cases').findOne({});
      return {};
    } finally {
      await client.close();
    }
  });
  typed.post('/by-hand', { schema: { response: errors } }, async () => {
    throw badRequest('unitCode: org unit 1 does not exist', [{ path: 'body.unitCode', message: 'unknown org unit' }]);
  });
  await app.ready();
});
afterAll(async () => app?.close());

const post = (url: string, payload?: unknown) => app.inject({ method: 'POST', url, ...(payload === undefined ? {} : { payload: payload as object }) });

describe('field issues carry a machine code beside the message', () => {
  it('zod’s codes, a missing value as required, and what the message speaks of as params', async () => {
    const res = await post('/visit', { visitors: [], visitedAt: '', notes: 'x'.repeat(2001) });
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe('bad_request');
    expect(error.message).toBe('body.visitors: at least one visitor');
    const byPath = Object.fromEntries(error.details.map((d: { path: string }) => [d.path, d]));
    expect(byPath['body.visitors']).toEqual({ path: 'body.visitors', code: 'too_small', message: 'at least one visitor', params: { origin: 'array', minimum: 1 } });
    expect(byPath['body.visitedAt']).toMatchObject({ code: 'invalid_format', params: { format: 'datetime' } });
    expect(byPath['body.outcome']).toMatchObject({ code: 'invalid_value', params: { values: ['stable', 'needs_assistance', 'referred'] } });
    expect(byPath['body.notes']).toMatchObject({ code: 'too_big', params: { origin: 'string', maximum: 2000 } });
  });

  it('required only when the value is missing; a value of the wrong type stays invalid_type', async () => {
    const missing = (await post('/person', {})).json().error.details;
    expect(missing.map((d: { path: string; code: string }) => [d.path, d.code])).toEqual([
      ['body.idNumber', 'required'],
      ['body.born', 'required'],
      ['body.name', 'required'],
    ]);
    const wrong = (await post('/person', { idNumber: 1, born: 2, name: 3 })).json().error.details;
    expect(wrong.map((d: { code: string }) => d.code)).toEqual(['invalid_type', 'invalid_type', 'invalid_type']);
    // No body at all: the body is missing.
    expect((await post('/person')).json().error.details).toEqual([{ path: 'body', code: 'required', message: expect.stringMatching(/expected object/) }]);
  });

  it('a rule’s own code where its schema names one; other rules of ours are invalid; unknown keys by name', async () => {
    const res = await post('/person', { idNumber: '371002199001011235', born: '2026-02-30', name: '张三', extra: 1 });
    const details = res.json().error.details;
    expect(details).toContainEqual({ path: 'body.idNumber', code: 'invalid_id_number', message: expect.stringMatching(/check digit/) });
    expect(details).toContainEqual({ path: 'body.born', code: 'invalid_date', message: 'expected a date YYYY-MM-DD, got "2026-02-30"' });
    expect(details).toContainEqual(expect.objectContaining({ path: 'body', code: 'unrecognized_keys', params: { keys: ['extra'] } }));
    const close = (await post('/close', { reason: 'converted_to_application' })).json().error.details;
    expect(close).toEqual([{ path: 'body.applicationId', code: 'required', message: 'required when reason is converted_to_application' }]);
    const custom = fieldIssues(z.string().refine(() => false, 'no').safeParse('x').error!.issues, 'body.x');
    expect(custom).toEqual([{ path: 'body.x', code: 'invalid', message: 'no' }]);
  });

  it('the query string too, and issues written by hand default to invalid', async () => {
    const page = await app.inject({ method: 'GET', url: '/page?limit=500' });
    expect(page.json().error.details).toEqual([{ path: 'querystring.limit', code: 'too_big', message: expect.any(String), params: { origin: 'number', maximum: 100 } }]);
    const missing = await app.inject({ method: 'GET', url: '/page' });
    expect(missing.json().error.details[0]).toMatchObject({ path: 'querystring.limit', code: 'required' });
    expect((await post('/by-hand')).json().error).toEqual({
      code: 'bad_request',
      message: 'unitCode: org unit 1 does not exist',
      details: [{ path: 'body.unitCode', code: 'invalid', message: 'unknown org unit' }],
    });
  });
});

describe('refusals carry the rule’s reason', () => {
  it('a workflow refusal: its type as the code (and status), its reason beside the message', async () => {
    const res = await post('/refused');
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({ error: { code: 'conflict', message: 'alert a-1 was already acknowledged', reason: 'already_acknowledged' } });
  });

  it('a refusal without a reason has none; a closed case is case_closed whoever finds it', async () => {
    const plain = await post('/refused-plainly');
    expect(plain.statusCode).toBe(422);
    expect(plain.json()).toEqual({ error: { code: 'unprocessable', message: 'the ladder must start at the new unit' } });
    const closed = await post('/closed');
    expect(closed.statusCode).toBe(409);
    expect(closed.json()).toEqual({ error: { code: 'conflict', message: 'wish wish-0123456789ab is closed', reason: 'case_closed' } });
  });

  it('travels in the failure’s details and back', () => {
    const options = refusalOf(new RuleViolation('conflict', 'closed', 'case_closed'));
    expect(options).toEqual({ type: 'conflict', message: 'closed', nonRetryable: true, details: [{ reason: 'case_closed' }] });
    expect(reasonOfRefusal(options.details)).toBe('case_closed');
    expect(refusalOf(new RuleViolation('forbidden', 'no'))).toEqual({ type: 'forbidden', message: 'no', nonRetryable: true });
    expect(reasonOfRefusal(undefined)).toBeUndefined();
    expect(reasonOfRefusal([{ handedOverTo: 'x' }])).toBeUndefined();
    // A rule naming the field at fault carries it beside its reason (the API answers details[].path).
    const field = refusalOf(new RuleViolation('unprocessable', 'body.day: in the future', 'date_out_of_range', { path: 'body.day', code: 'date_out_of_range' }));
    expect(field.details).toEqual([{ reason: 'date_out_of_range', field: { path: 'body.day', code: 'date_out_of_range' } }]);
    expect(fieldOfRefusal(field.details)).toEqual({ path: 'body.day', code: 'date_out_of_range' });
    expect(fieldOfRefusal(options.details)).toBeUndefined();
  });
});

describe('a read model that cannot be reached', () => {
  it('is 503 unavailable with Retry-After, not a 500 (a restart of FerretDB or PostgreSQL, docs/chaos.md)', async () => {
    const res = await app.inject({ method: 'GET', url: '/read-model-down' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toEqual({ error: { code: 'unavailable', message: expect.stringContaining('unavailable') } });
  });
});
