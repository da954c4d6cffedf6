import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryIdOf, dispatchNotices, startDelivery, sweepUndelivered } from '../../activities/notify';
import { insertNotices, markDeliveryPending } from '../../store/notifications';
import { verifyWebhookSignature } from '../../activities/webhook';
import { authz, createTestContext, registerHousehold, UNITS, type TestContext } from '../helpers/context';
import { eventually } from '../helpers/wait';

/**
 * Notices that arrive (issue 12, item 1), end to end on the real servers: the who-is-told policy (a new red
 * alert reaches the town's inbox at once), per-user read state, and durable delivery through a signed webhook
 * (a small real HTTP server started here) and the SMS file driver, with retries, failure, the supervisor told,
 * and no second send on a repeated start or a restarted worker. Deadlines are long (no escalation notices
 * interfere); the test configuration's retry policy is 100 ms doubling to 1 s, 3 attempts (config/index.ts).
 */
const POLICY = {
  version: 'e2e-notify',
  alerts: { warnAt: 0.9, red: { due: 'PT1H', escalateEvery: 'PT1H' }, orange: { due: 'PT2H', escalateEvery: 'PT1H' }, yellow: { every: 'P7D', escalateEvery: 'PT1H' } },
};

/** 鲸园街道's villages used here: one per scenario, so inboxes do not mix. */
const VILLAGE_A = UNITS.haigang; // 海港社区
const VILLAGE_B = '371002001002';
const VILLAGE_C = '371002001003';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}
/** A webhook receiver on a free port that answers `status` and keeps what it received. */
async function receiver(status: number): Promise<{ server: Server; url: string; got: Received[] }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = status;
      res.end(status < 300 ? 'ok' : 'boom');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got };
}

let ctx: TestContext;
let worker: Worker;
let admin: string;
let town: string;
const servers: Server[] = [];
let seq = 500;
/** 海港's neighbour 3's receiver (answers 200), set up by the first delivery test. */
let okHook: Awaited<ReturnType<typeof receiver>>;

beforeAll(async () => {
  ctx = await createTestContext('notify_e2e', { policy: POLICY });
  worker = await ctx.startWorker();
  admin = await ctx.token('admin', UNITS.city);
  town = await ctx.token('town_supervisor', UNITS.jingyuan, { user: 'town-sup-1' });
});
afterAll(async () => {
  for (const s of servers) s.close();
  await ctx?.close();
});

const get = (url: string, token: string) => ctx.app.inject({ method: 'GET', url, headers: authz(token) });
const post = (url: string, token: string, payload?: unknown) => ctx.app.inject({ method: 'POST', url, headers: authz(token), ...(payload === undefined ? {} : { payload: payload as object }) });
type Item = { id: string; caseId: string; kind: string; read: boolean; message: string; unit: { code: string }; deliveries: Record<string, { status: string; attempts: number; lastError: string | null }> };
const inbox = async (token: string, query = '') => {
  const res = await get(`/v1/notifications${query}`, token);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items as Item[];
};
const unread = async (token: string) => (await get('/v1/notifications/unread-count', token)).json().unread as number;
async function raise(village: string, level: 'red' | 'orange' | 'yellow'): Promise<{ caseId: string; staff: string }> {
  const staff = await ctx.token('village_staff', village, { user: `vs-${village}` });
  const hh = await registerHousehold(ctx, staff, seq++, village);
  const res = await post('/v1/alerts', staff, { householdId: hh, level, reasons: ['重病住院'] });
  expect(res.statusCode, res.body).toBe(201);
  return { caseId: res.json().caseId as string, staff };
}

describe('who is told, and the inbox', () => {
  it('a new red alert reaches the town’s inbox within seconds, and the village’s; a yellow one only the village’s', async () => {
    const red = await raise(VILLAGE_A, 'red');
    const started = Date.now();
    const inTown = await eventually(async () => (await inbox(town)).find((n) => n.caseId === red.caseId && n.kind === 'opened'), 'the red alert in the town’s inbox', 10_000);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(inTown).toMatchObject({ unit: { code: UNITS.jingyuan }, read: false });
    expect(inTown.message).toMatch(/红色预警/);
    expect((await inbox(red.staff)).filter((n) => n.caseId === red.caseId && n.kind === 'opened').map((n) => n.unit.code)).toEqual([VILLAGE_A]);

    const yellow = await raise(VILLAGE_A, 'yellow');
    await eventually(async () => (await inbox(yellow.staff)).some((n) => n.caseId === yellow.caseId), 'the yellow alert in the village’s inbox');
    expect((await inbox(town)).some((n) => n.caseId === yellow.caseId)).toBe(false);
    // A supervisor above sees what reached its own unit, not the village's inbox.
    expect((await inbox(town)).every((n) => n.unit.code === UNITS.jingyuan)).toBe(true);
  });

  it('keeps read state per user: one staff member’s read leaves it unread for another; unread counts and mark-all', async () => {
    const { caseId } = await raise(VILLAGE_B, 'orange');
    const a = await ctx.token('village_staff', VILLAGE_B, { user: 'staff-a' });
    const b = await ctx.token('village_staff', VILLAGE_B, { user: 'staff-b' });
    const notice = await eventually(async () => (await inbox(a)).find((n) => n.caseId === caseId), 'the orange alert in the village’s inbox');
    const before = await unread(a);
    expect(before).toBeGreaterThanOrEqual(1);
    expect(await unread(b)).toBe(before);

    const marked = await post(`/v1/notifications/${encodeURIComponent(notice.id)}/read`, a);
    expect(marked.statusCode, marked.body).toBe(200);
    expect(await unread(a)).toBe(before - 1);
    expect(await unread(b)).toBe(before);
    expect((await inbox(a)).find((n) => n.id === notice.id)!.read).toBe(true);
    expect((await inbox(b)).find((n) => n.id === notice.id)!.read).toBe(false);
    expect((await inbox(a, '?unread=true')).map((n) => n.id)).not.toContain(notice.id);
    expect((await inbox(b, '?unread=true')).map((n) => n.id)).toContain(notice.id);

    // Another unit's notice is not in one's inbox: 404, and nothing changes.
    expect((await post(`/v1/notifications/${encodeURIComponent(notice.id)}/read`, town)).statusCode).toBe(404);
    expect((await get('/v1/notifications?kind=purple', a)).json().error.details[0].path).toBe('querystring.kind');

    const all = await post('/v1/notifications/read', b);
    expect(all.statusCode).toBe(200);
    expect(all.json().marked).toBe(before);
    expect(await unread(b)).toBe(0);
    expect(await unread(a)).toBe(before - 1);
  });

  it('shows a notice addressed to one user to that user only, in the unit it was addressed to', async () => {
    const me = await ctx.token('town_staff', UNITS.jingyuan, { user: 'requester-1' });
    const colleague = await ctx.token('town_staff', UNITS.jingyuan, { user: 'colleague-1' });
    // The same sub in another unit (another token, another unit) is not the user the notice was addressed to.
    const sameSubElsewhere = await ctx.token('village_staff', VILLAGE_A, { user: 'requester-1' });
    const before = { me: await unread(me), colleague: await unread(colleague), elsewhere: await unread(sameSubElsewhere) };
    // As a workflow's notice with `userId` is stored (a requester told of a decision), addressed to the requester's unit.
    await insertNotices(ctx.mongo.db, [
      { _id: 'alert-hh-000000000abc-20261129T000000000:7:n0', caseId: 'alert-hh-000000000abc-20261129T000000000', caseKind: 'alert', unitCode: UNITS.jingyuan, unitName: '鲸园街道', userId: 'requester-1', kind: 'approval_decided', message: '降级申请已批准（hh-000000000abc）', at: new Date(), deliveredAt: null },
    ]);
    expect(await unread(me)).toBe(before.me + 1);
    expect(await unread(colleague)).toBe(before.colleague);
    expect(await unread(sameSubElsewhere)).toBe(before.elsewhere);
    expect((await inbox(me, '?kind=approval_decided')).map((n) => n.id)).toEqual(['alert-hh-000000000abc-20261129T000000000:7:n0']);
    expect(await inbox(colleague, '?kind=approval_decided')).toEqual([]);
    expect(await inbox(sameSubElsewhere, '?kind=approval_decided')).toEqual([]);
    expect((await post('/v1/notifications/alert-hh-000000000abc-20261129T000000000%3A7%3An0/read', colleague)).statusCode).toBe(404);
    expect((await post('/v1/notifications/alert-hh-000000000abc-20261129T000000000%3A7%3An0/read', sameSubElsewhere)).statusCode).toBe(404);
    expect((await post('/v1/notifications/alert-hh-000000000abc-20261129T000000000%3A7%3An0/read', me)).statusCode).toBe(200);
    expect(await unread(me)).toBe(before.me);
  });

  it('masks personal data that slipped into a message for roles below the town, like every read path', async () => {
    await insertNotices(ctx.mongo.db, [
      { _id: 'circular-2026-009:n0', caseId: 'circular-2026-009', unitCode: VILLAGE_B, unitName: '测试社区', kind: 'circular', message: '通报：请联系13812345678核实', at: new Date(), deliveredAt: null },
      { _id: 'circular-2026-009:n1', caseId: 'circular-2026-009', unitCode: UNITS.jingyuan, unitName: '鲸园街道', kind: 'circular', message: '通报：请联系13812345678核实', at: new Date(), deliveredAt: null },
    ]);
    const villageStaff = await ctx.token('village_staff', VILLAGE_B, { user: 'masked-1' });
    expect((await inbox(villageStaff, '?kind=circular')).find((n) => n.id === 'circular-2026-009:n0')!.message).toBe('通报：请联系138****5678核实');
    expect((await inbox(town, '?kind=circular')).find((n) => n.id === 'circular-2026-009:n1')!.message).toBe('通报：请联系13812345678核实');
  });

  it('pages the inbox newest first with a cursor', async () => {
    const staff = await ctx.token('village_staff', VILLAGE_A, { user: 'pager' });
    const all = await inbox(staff);
    expect(all.length).toBeGreaterThanOrEqual(2);
    const first = (await get('/v1/notifications?limit=1', staff)).json();
    expect(first.items).toHaveLength(1);
    const second = (await get(`/v1/notifications?limit=1&cursor=${encodeURIComponent(first.nextCursor)}`, staff)).json();
    expect([first.items[0].id, second.items[0].id]).toEqual(all.slice(0, 2).map((n) => n.id));
    expect((await get('/v1/notifications?cursor=forged.cursor', staff)).statusCode).toBe(400);
  });
});

describe('delivery through channels', () => {
  it('only an admin within reach sets a unit’s channels; bad input is a 400 naming the field', async () => {
    const villageStaff = await ctx.token('village_staff', VILLAGE_A);
    expect((await ctx.app.inject({ method: 'PUT', url: `/v1/units/${VILLAGE_A}/channels`, headers: authz(villageStaff), payload: {} })).statusCode).toBe(403);
    const bad = await ctx.app.inject({ method: 'PUT', url: `/v1/units/${VILLAGE_A}/channels`, headers: authz(admin), payload: { webhook: { url: 'ftp://x' }, sms: { phones: ['abc'] } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['body.webhook.url', 'body.sms.phones.0']));
    // Texts go to mainland mobiles, each once: 12345 and a repeated number are refused.
    for (const phones of [['12345'], ['13800000001', '13800000001']]) {
      const res = await ctx.app.inject({ method: 'PUT', url: `/v1/units/${VILLAGE_A}/channels`, headers: authz(admin), payload: { sms: { phones } } });
      expect([res.statusCode, res.json().error.details[0].path.startsWith('body.sms.phones')]).toEqual([400, true]);
    }
    // A URL with credentials or at a link-local (cloud-metadata) address: 400 naming the field, the secret never echoed.
    for (const url of ['https://hook-user:s3cret-pass@receiver.example/hook', 'http://169.254.169.254/latest/meta-data/']) {
      const refused = await ctx.app.inject({ method: 'PUT', url: `/v1/units/${VILLAGE_A}/channels`, headers: authz(admin), payload: { webhook: { url } } });
      expect(refused.statusCode, url).toBe(400);
      expect(refused.json().error.details.map((d: { path: string }) => d.path)).toEqual(['body.webhook.url']);
      expect(refused.body).not.toContain('s3cret-pass');
      expect(refused.body).not.toContain('169.254.169.254');
    }
  });

  it('delivers a signed webhook and an SMS line; a repeated start or a restarted worker sends nothing twice', async () => {
    const hook = await receiver(200);
    okHook = hook;
    servers.push(hook.server);
    const set = await ctx.app.inject({ method: 'PUT', url: `/v1/units/${VILLAGE_C}/channels`, headers: authz(admin), payload: { webhook: { url: hook.url }, sms: { phones: ['13800000001'] } } });
    expect(set.statusCode, set.body).toBe(200);
    const { caseId, staff } = await raise(VILLAGE_C, 'yellow');

    // Generous waits: on a shared two-core machine a start, its workflow task and the attempt can queue.
    const got = await eventually(async () => hook.got.length > 0 && hook.got, 'a webhook delivery', 40_000);
    const [req] = got;
    const body = JSON.parse(req!.body);
    expect(body).toMatchObject({ caseId, kind: 'opened', unit: { code: VILLAGE_C } });
    expect(req!.headers['idempotency-key']).toBe(deliveryIdOf(body.noticeId, 'webhook'));
    expect(verifyWebhookSignature(ctx.config.notify.webhookSecret!, { timestamp: String(req!.headers['x-jiuzhu-timestamp']), body: req!.body, signature: String(req!.headers['x-jiuzhu-signature']) })).toBe(true);
    expect(verifyWebhookSignature('another-secret-another-secret-0000', { timestamp: String(req!.headers['x-jiuzhu-timestamp']), body: req!.body, signature: String(req!.headers['x-jiuzhu-signature']) })).toBe(false);
    expect(verifyWebhookSignature(ctx.config.notify.webhookSecret!, { timestamp: String(req!.headers['x-jiuzhu-timestamp']), body: req!.body.replace('opened', 'closed'), signature: String(req!.headers['x-jiuzhu-signature']) })).toBe(false);

    const shown = await eventually(async () => {
      const n = (await inbox(staff)).find((x) => x.id === body.noticeId);
      return n?.deliveries.webhook?.status === 'delivered' && n.deliveries.sms?.status === 'delivered' && n;
    }, 'both deliveries shown as delivered', 40_000);
    expect(shown.deliveries.webhook).toMatchObject({ attempts: 1, lastError: null });
    const sms = readFileSync(ctx.config.notify.smsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { idempotencyKey: string; to: string[]; text: string });
    const line = sms.filter((l) => l.idempotencyKey === deliveryIdOf(body.noticeId, 'sms'));
    expect(line).toHaveLength(1);
    expect(line[0]).toMatchObject({ to: ['13800000001'] });
    expect(line[0]!.text).toContain(body.message);

    // A duplicate start (a dispatch repeated after a crash) is refused by the workflow id …
    const input = { noticeId: body.noticeId as string, channel: 'webhook' as const, retry: ctx.config.notify.retry };
    expect(await startDelivery(ctx.temporal, ctx.config.temporal.taskQueue, input)).toBe('already');
    // … and so after a worker restart.
    worker.shutdown();
    await eventually(async () => worker.getState() === 'STOPPED', 'the worker stopped', 40_000);
    worker = await ctx.startWorker();
    expect(await startDelivery(ctx.temporal, ctx.config.temporal.taskQueue, input)).toBe('already');
    await new Promise((r) => setTimeout(r, 1500));
    expect(hook.got.filter((g) => JSON.parse(g.body).noticeId === body.noticeId)).toHaveLength(1);
  });

  it('settles every status when a unit’s webhook and SMS deliveries of many notices run at once, and two users mark them read meanwhile', async () => {
    // FerretDB v1 updates are read-modify-write: before each delivery had its own document, the two channels'
    // writes to one notice lost one another and a delivered notice stayed "pending" (REJECT_DUPLICATE: for ever).
    const at = new Date();
    const ids = Array.from({ length: 12 }, (_, i) => `circular-2026-077:0:n${i}`);
    await insertNotices(ctx.mongo.db, ids.map((_id) => ({ _id, caseId: 'circular-2026-077', caseKind: 'circular', unitCode: VILLAGE_C, unitName: '测试社区', kind: 'circular' as const, message: '通报（circular-2026-077）：请查阅', at, deliveredAt: null })));
    const staff = [await ctx.token('village_staff', VILLAGE_C, { user: 'c-reader-1' }), await ctx.token('village_staff', VILLAGE_C, { user: 'c-reader-2' })];
    const deps = { db: ctx.mongo.db, temporal: ctx.temporal, notify: ctx.config.notify };
    await Promise.all([
      dispatchNotices(deps, ctx.config.temporal.taskQueue, ids.map((id) => ({ id, unitCode: VILLAGE_C }))),
      ...ids.flatMap((id) => staff.map(async (token) => expect((await post(`/v1/notifications/${encodeURIComponent(id)}/read`, token)).statusCode).toBe(200))),
    ]);
    const settled = await eventually(async () => {
      const mine = (await inbox(staff[0]!, '?kind=circular&limit=100')).filter((n) => ids.includes(n.id));
      return mine.length === ids.length && mine.every((n) => n.deliveries.webhook?.status === 'delivered' && n.deliveries.sms?.status === 'delivered') && mine;
    }, 'all 24 deliveries settled as delivered', 40_000);
    expect(settled.every((n) => n.read)).toBe(true);
    expect((await inbox(staff[1]!, '?kind=circular&limit=100')).filter((n) => ids.includes(n.id) && n.read)).toHaveLength(ids.length);
    expect((await inbox(staff[1]!, '?unread=true&kind=circular&limit=100')).filter((n) => ids.includes(n.id))).toEqual([]);
  });

  it('retries a failing webhook, then marks it failed, tells the supervisor, and keeps the notice in the inbox', async () => {
    const hook = await receiver(500);
    servers.push(hook.server);
    const failing = '371002002001'; // 古寨社区, of 环翠楼街道
    const itsTown = await ctx.token('town_supervisor', UNITS.huancuilou, { user: 'town-sup-2' });
    expect((await ctx.app.inject({ method: 'PUT', url: `/v1/units/${failing}/channels`, headers: authz(admin), payload: { webhook: { url: hook.url } } })).statusCode).toBe(200);
    const { caseId, staff } = await raise(failing, 'orange');

    const failed = await eventually(async () => {
      const n = (await inbox(staff)).find((x) => x.caseId === caseId && x.kind === 'opened');
      return n?.deliveries.webhook?.status === 'failed' && n;
    }, 'the delivery marked failed', 30_000);
    expect(failed.deliveries.webhook).toMatchObject({ attempts: ctx.config.notify.retry.maxAttempts, lastError: 'webhook answered HTTP 500' });
    expect(hook.got).toHaveLength(ctx.config.notify.retry.maxAttempts);
    // Every attempt carries the same idempotency key.
    expect(new Set(hook.got.map((g) => g.headers['idempotency-key']))).toEqual(new Set([deliveryIdOf(failed.id, 'webhook')]));

    const told = await eventually(async () => (await inbox(itsTown, '?kind=delivery_failed')).find((n) => n.caseId === caseId), 'the town supervisor told of the failure');
    expect(told.message).toContain('未能送达');
    expect(told.message).toContain('HTTP 500');
    expect((await inbox(staff)).map((n) => n.id)).toContain(failed.id);
  });

  it('the sweep delivers what no dispatch started — a notice stored outside the projection, a dispatch a crash cut short — once', async () => {
    const at = new Date();
    const base = { caseId: 'circular-2026-001', unitCode: VILLAGE_C, unitName: '测试社区', message: '通报：按时办结率偏低', at, deliveredAt: null };
    await insertNotices(ctx.mongo.db, [
      // As other code inserts a notice (a circular): the existing fields only.
      { _id: 'circular-2026-001:n0', kind: 'circular', ...base },
      { _id: 'circular-2026-001:n1', kind: 'circular', ...base },
    ]);
    // A dispatch that marked the delivery pending and died before starting its workflow.
    await markDeliveryPending(ctx.mongo.db, { id: 'circular-2026-001:n1', unitCode: VILLAGE_C }, 'webhook');
    const deps = { db: ctx.mongo.db, temporal: ctx.temporal, notify: ctx.config.notify };
    expect(await sweepUndelivered(deps, ctx.config.temporal.taskQueue)).toBeGreaterThanOrEqual(2);
    const ids = ['circular-2026-001:n0', 'circular-2026-001:n1'];
    await eventually(async () => ids.every((id) => okHook.got.some((g) => JSON.parse(g.body).noticeId === id)), 'both swept notices delivered', 40_000);
    await sweepUndelivered(deps, ctx.config.temporal.taskQueue);
    await new Promise((r) => setTimeout(r, 1000));
    for (const id of ids) expect(okHook.got.filter((g) => JSON.parse(g.body).noticeId === id), id).toHaveLength(1);
  });
});
