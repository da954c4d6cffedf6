import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { startManaged, type Managed } from '../../scripts/lib/proc';
import { authz, createTestContext, JWT_SECRET, registerHousehold, UNITS, type TestContext } from '../helpers/context';
import { eventually } from '../helpers/wait';

/**
 * A restart loses nothing: the worker process is killed (SIGKILL, no goodbye) while an alert waits for
 * its deadline, another worker starts, and the deadline fires exactly once. The API restarts and every
 * case is where it was, with no duplicate.
 */
// One rung only within the test's span: due after 6 s, the next rung a minute later.
const POLICY = { version: 'durability', alerts: { red: { due: 'PT6S', escalateEvery: 'PT60S' } } };

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext('durability', { policy: POLICY });
});
afterAll(async () => ctx?.close());

function startWorkerProcess(): Managed {
  const env: NodeJS.ProcessEnv = {
    TEMPORAL_ADDRESS: ctx.config.temporal.address,
    TEMPORAL_TASK_QUEUE: ctx.config.temporal.taskQueue,
    MONGODB_URI: ctx.config.mongodb.uri,
    MONGODB_DB: ctx.config.mongodb.db,
    JWT_SECRET,
    DATA_DIR: ctx.config.dataDir,
    LOG_LEVEL: 'warn',
  };
  // node with tsx's loader, not the tsx CLI: one process, so SIGKILL reaches the worker itself.
  return startManaged('worker', process.execPath, ['--import', 'tsx', 'worker/main.ts'], { env });
}

async function workerPolling(): Promise<void> {
  await eventually(async () => {
    const d = await ctx.temporal.workflowService.describeTaskQueue({
      namespace: ctx.config.temporal.namespace,
      taskQueue: { name: ctx.config.temporal.taskQueue },
      taskQueueType: 1, // workflow
    });
    return (d.pollers?.length ?? 0) > 0;
  }, 'a worker polling the task queue', 60_000, 300);
}

describe('durability', () => {
  it('a worker killed while an alert waits: after a new worker starts the deadline fires once', async () => {
    const village = await ctx.token('village_staff', UNITS.haigang);
    const hh = await registerHousehold(ctx, village, 1);
    let worker = startWorkerProcess();
    await workerPolling();
    const created = await ctx.app.inject({ method: 'POST', url: '/v1/alerts', headers: authz(village), payload: { householdId: hh, level: 'red', reasons: ['重病'] } });
    expect(created.statusCode).toBe(201);
    const id = created.json().caseId as string;

    worker.child.kill('SIGKILL');
    await worker.exited;
    // The deadline passes with no worker alive.
    await new Promise((r) => setTimeout(r, 7000));
    expect((await ctx.mongo.db.collection('cases').findOne({ _id: id as never }))?.rung).toBe(0);

    worker = startWorkerProcess();
    try {
      const escalated = await eventually(async () => {
        const doc = await ctx.mongo.db.collection('cases').findOne({ _id: id as never });
        return doc && doc.rung >= 1 && doc;
      }, 'the escalation after the restart', 60_000);
      expect(escalated?.escalatedTo).toMatchObject({ code: UNITS.jingyuan });
      // Let the workflow settle, then count: one escalation record and one notice for rung 1.
      await new Promise((r) => setTimeout(r, 1000));
      const events = await ctx.mongo.db.collection('events').find({ caseId: id, type: 'escalated' }).toArray();
      const rungs = events.map((e) => e.data.rung as number);
      expect(rungs.filter((r) => r === 1)).toHaveLength(1);
      expect(new Set(rungs).size).toBe(rungs.length);
      const notices = await ctx.mongo.db.collection('notifications').find({ caseId: id, kind: 'escalated', unitCode: UNITS.jingyuan }).toArray();
      expect(notices).toHaveLength(1);
      const view = (await ctx.app.inject({ method: 'GET', url: `/v1/alerts/${id}`, headers: authz(village) })).json();
      expect(view.escalations.filter((e: { rung: number }) => e.rung === 1)).toHaveLength(1);
    } finally {
      await worker.stop();
    }
  }, 120_000);

  it('the API restarts: cases are where they were, and a repeated report finds the same alert', async () => {
    const worker = await ctx.startWorker();
    expect(worker.getState()).toBe('RUNNING');
    const village = await ctx.token('village_staff', UNITS.haigang);
    const hh = await registerHousehold(ctx, village, 2);
    const first = await ctx.app.inject({ method: 'POST', url: '/v1/alerts', headers: authz(village), payload: { householdId: hh, level: 'yellow', reasons: ['收入下降'] } });
    expect(first.statusCode).toBe(201);
    const id = first.json().caseId;
    const eventsBefore = await ctx.mongo.db.collection('events').countDocuments({ caseId: id });

    await ctx.app.close();
    const restarted = await buildApp({ config: ctx.config, mongo: ctx.mongo, temporal: ctx.temporal, logger: false });
    try {
      const again = await restarted.inject({ method: 'GET', url: `/v1/alerts/${id}`, headers: authz(village) });
      expect(again.statusCode).toBe(200);
      expect(again.json()).toMatchObject({ caseId: id, level: 'yellow', version: first.json().version });
      const repeat = await restarted.inject({ method: 'POST', url: '/v1/alerts', headers: authz(village), payload: { householdId: hh, level: 'yellow', reasons: ['收入下降'] } });
      expect(repeat.statusCode).toBe(200);
      expect(repeat.json().caseId).toBe(id);
      expect(await ctx.mongo.db.collection('cases').countDocuments({ householdId: hh })).toBe(1);
      // The repeat adds its own 'reported' event and nothing else; nothing earlier is written twice.
      expect(await ctx.mongo.db.collection('events').countDocuments({ caseId: id })).toBe(eventsBefore + 1);
    } finally {
      await restarted.close();
    }
  });
});
