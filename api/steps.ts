import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, type QueryDefinition, type UpdateDefinition, type Workflow } from '@temporalio/common';
import type { FastifyRequest, FastifySchema } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ActionOf } from '../domain/permissions';
import type { CaseKind } from '../domain/projection';
import { reasonOfRefusal } from '../domain/rejections';
import type { CaseDoc } from '../store/collections';
import { principalOf } from './auth';
import { badRequest, zErrorBody } from './errors';
import { guardedCase, type Guard } from './guard';

type App = Parameters<FastifyPluginAsyncZod>[0];

/** What a step route needs of a step-table entry: its path, summary and input schema (`body`, else `schema`). */
interface StepEntry {
  path: string;
  summary: string;
  schema?: z.ZodType;
  body?: z.ZodType;
}

/** Where each kind's routes live and their OpenAPI tag. */
const KIND_ROUTES: Record<CaseKind, { base: string; tag: string }> = {
  alert: { base: '/v1/alerts', tag: 'alerts' },
  application: { base: '/v1/applications', tag: 'applications' },
  report: { base: '/v1/reports', tag: 'reports' },
  wish: { base: '/v1/wishes', tag: 'wishes' },
  party_day: { base: '/v1/party-days', tag: 'party-day' },
  order: { base: '/v1/orders', tag: 'orders' },
  pairing: { base: '/v1/pairings', tag: 'pairings' },
  discovery: { base: '/v1/discoveries', tag: 'discoveries' },
  patrol: { base: '/v1/patrols', tag: 'patrols' },
  intake: { base: '/v1/intakes', tag: 'intakes' },
};

/**
 * One POST endpoint per step of a kind's step table, `/v1/<kinds>/:id/<step.path>`: guarded by the matrix's
 * `<kind>.<step>` (the case `:id` loaded, open, in the caller's jurisdiction, the role allowed; api/guard.ts),
 * the body the step's `body` or `schema` (or what `body(step, name)` makes of it), answering 200 with the
 * kind's view. `take` runs the step on the loaded case and returns the view.
 */
export function stepRoutes<K extends CaseKind, S extends Partial<Record<ActionOf<K>, StepEntry>>, V>(
  app: App,
  o: {
    kind: K;
    /** The case id's schema in the path. */
    id: z.ZodType;
    view: z.ZodType<V>;
    steps: S;
    body?: (step: S[keyof S] & StepEntry, name: keyof S & ActionOf<K>) => z.ZodType;
    take: (request: FastifyRequest, name: keyof S & ActionOf<K>, doc: CaseDoc) => Promise<V>;
  },
): void {
  const { base, tag } = KIND_ROUTES[o.kind];
  const params = z.object({ id: o.id });
  for (const name of Object.keys(o.steps) as (keyof S & ActionOf<K>)[]) {
    const step = o.steps[name] as S[keyof S] & StepEntry;
    // Typed as a plain schema: the view is the kind's, checked by `view` when the answer is serialised.
    const schema: FastifySchema = {
      tags: [tag],
      summary: step.summary,
      params,
      body: o.body ? o.body(step, name) : (step.body ?? step.schema),
      response: { 200: o.view, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody, 409: zErrorBody, 422: zErrorBody },
    };
    app.post(`${base}/:id/${step.path}`, { config: { guard: { on: o.kind, action: name, target: 'case' } as Guard }, schema }, async (request) => o.take(request, name, guardedCase(request)));
  }
}

/** How long a start waits for a closed case's workflow to finish before it opens the next one (ms; ours). */
const CLOSING_WAIT_MS = 10_000;

/**
 * Opens a case: starts its workflow with the kit's `{ start }` input and, in the same call
 * (update-with-start), sends `update` — the kind's `opened` update, or the alert's `report` — whose answer
 * comes once the opening is projected, so the caller's 201 and the read model agree. `conflict` is what an
 * already running workflow id means: `FAIL` (an application, a wish, a report: throws
 * WorkflowExecutionAlreadyStartedError, which the caller turns into 409) or `USE_EXISTING` (the alert: the
 * update lands on the household's open alert).
 *
 * - With `USE_EXISTING` the start lands on the open case the workflow holds: the route's guard names it
 *   (`target: 'household', landsOn: <kind>`) and checks the caller against that case's *current* unit from
 *   the read model, as for the case's own routes (issue 11, item 1); the workflow's validator checks the
 *   same against its own state, which covers a read model that lags.
 * - A case that has just closed keeps its workflow running for a moment while it settles. A start that
 *   meets it then (the workflow id is reused by the household's next case) waits for that run to finish,
 *   up to 10 s, and tries again, so a re-opening right after a closure opens the new case instead of
 *   being refused (issue 11, item 11): with `USE_EXISTING` when the update is refused with reason
 *   `closedReason`; with `FAIL` when `query` says the running case is closed.
 * `updateId` (updateIdOf): a retried request answers the first.
 */
export async function openCase<R, A>(
  temporal: Client,
  o: { workflowType: string; workflowId: string; taskQueue: string; start: unknown; update: UpdateDefinition<R, [A]>; args: A; updateId?: string } & (
    | { conflict: 'FAIL'; query?: QueryDefinition<{ status: string }> }
    | { conflict: 'USE_EXISTING'; closedReason: string }
  ),
): Promise<R> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await temporal.workflow.executeUpdateWithStart(o.update, {
        args: [o.args],
        ...(o.updateId ? { updateId: o.updateId } : {}),
        startWorkflowOperation: new WithStartWorkflowOperation<Workflow>(o.workflowType, {
          workflowId: o.workflowId,
          taskQueue: o.taskQueue,
          args: [{ start: o.start }],
          workflowIdConflictPolicy: o.conflict,
        }),
      });
    } catch (err) {
      if (attempt >= 2 || !(await closing(temporal, o, err))) throw err;
    }
  }
}

/** Whether `err` means the workflow holds a case that has closed, and if so waits (bounded) for the run to end. */
async function closing(temporal: Client, o: { workflowId: string } & ({ conflict: 'FAIL'; query?: QueryDefinition<{ status: string }> } | { conflict: 'USE_EXISTING'; closedReason: string }), err: unknown): Promise<boolean> {
  const handle = temporal.workflow.getHandle(o.workflowId);
  if (o.conflict === 'USE_EXISTING') {
    const failure = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
    if (!(failure instanceof ApplicationFailure) || failure.type !== 'conflict' || reasonOfRefusal(failure.details) !== o.closedReason) return false;
  } else {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError) || !o.query) return false;
    const view = await handle.query(o.query).catch(() => undefined);
    if (view && view.status !== 'closed') return false;
  }
  // The run that holds the closed case, by its run id: a newer run (someone re-opened meanwhile) is not awaited.
  const described = await handle.describe().catch(() => undefined);
  if (!described || described.status.name !== 'RUNNING') return true;
  const run = temporal.workflow.getHandle(o.workflowId, described.runId, { followRuns: false });
  let timer: NodeJS.Timeout | undefined;
  const ended = await Promise.race([
    run.result().then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), CLOSING_WAIT_MS))),
  ]);
  clearTimeout(timer);
  return ended;
}

/** What an `Idempotency-Key` header may hold: 8–128 URL-safe characters (a UUID, a business key). */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * The Temporal update id for a write that carries an `Idempotency-Key` header (IETF draft
 * "The Idempotency-Key HTTP Header Field"): `<action>:<user>:<key>:<body digest>`, so a client that retries a
 * request whose answer it lost (the API or the worker killed, a timeout) gets the first outcome back instead
 * of a second visit or decision — Temporal answers an update id it has already completed in the run with
 * that update's result, without running it again. The key is the caller's own: another user, or the same
 * key with another body, is another request (it runs, and never receives someone else's answer; the draft's
 * 422 for a reused key would need the first body stored, which this does not). Undefined without the header
 * (each request is then a new update).
 * @throws ApiError 400 naming `headers.idempotency-key` when the key is malformed.
 * Source: ours (issue 11, "Faults under load": retried requests must be safe).
 */
export function updateIdOf(request: FastifyRequest, action: string): string | undefined {
  const key = request.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) {
    throw badRequest('Idempotency-Key: expected 8–128 letters, digits or . _ : -', [{ path: 'headers.idempotency-key', message: 'expected 8–128 letters, digits or . _ : -' }]);
  }
  const digest = createHash('sha256').update(JSON.stringify(request.body ?? null)).digest('base64url').slice(0, 22);
  return `${action}:${principalOf(request).userId}:${key}:${digest}`;
}
