import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { insecureDevPiiKeys } from '../../config';
import type { ChannelKind, NoticeDoc } from '../../store/collections';
import { connectMongo } from '../../store/mongo';
import { deliveriesOf, inboxPage, insertNotices, isRead, markDeliveryPending, markInboxRead, markNoticeRead, readStateOf, recordDelivery, unreadCount } from '../../store/notifications';
import { piiKeyring } from '../../store/pii';

/**
 * Delivery status and read state under concurrency, on the real read model (FerretDB v1 by default, whose
 * updates are read-modify-write: two concurrent updates of one document could lose one another). Before
 * the fix both channels' statuses lived on the notice (`deliveries.<channel>`) and read state in its
 * `readBy`; now each has documents with one writer (store/notifications.ts). And the inbox of a user is
 * matched on the user AND the unit the notice was addressed to.
 */

const VILLAGE = '371002001001';
let mongo: Awaited<ReturnType<typeof connectMongo>>;

beforeAll(async () => {
  mongo = await connectMongo(inject('mongoUri'), `t_notices_${randomBytes(3).toString('hex')}`, piiKeyring(insecureDevPiiKeys()));
});
afterAll(async () => {
  await mongo?.db.dropDatabase().catch(() => undefined);
  await mongo?.client.close();
});

const notice = (id: string, at: Date, extra: Partial<NoticeDoc> = {}): NoticeDoc => ({ _id: id, caseId: 'case-x', unitCode: VILLAGE, unitName: '海港社区', kind: 'opened', message: '新的红色预警（hh-000000000001）', at, deliveredAt: null, ...extra });

describe('one writer per document', () => {
  it('settles both channels of every notice when the webhook and SMS deliveries write at once (40 notices)', async () => {
    const t0 = Date.now();
    const docs = Array.from({ length: 40 }, (_, i) => notice(`case-x:1:n${i}`, new Date(t0 + i)));
    await insertNotices(mongo.db, docs);
    const channels: ChannelKind[] = ['webhook', 'sms'];
    // As the two delivery workflows run: pending, one failed attempt each, then delivered — the channels at once.
    await Promise.all(docs.flatMap((d) => channels.map((ch) => markDeliveryPending(mongo.db, { id: d._id, unitCode: VILLAGE }, ch))));
    await Promise.all(docs.flatMap((d) => channels.map((ch) => recordDelivery(mongo.db, { id: d._id, unitCode: VILLAGE }, ch, { status: 'pending', attempts: 1, lastError: 'timeout', at: new Date() }))));
    await Promise.all(docs.flatMap((d) => channels.map((ch) => recordDelivery(mongo.db, { id: d._id, unitCode: VILLAGE }, ch, { status: 'delivered', attempts: 2, lastError: null, at: new Date() }))));
    const got = await deliveriesOf(mongo.db, docs.map((d) => d._id));
    for (const d of docs) {
      expect(Object.fromEntries((got.get(d._id) ?? []).map((x) => [x.channel, [x.status, x.attempts]])), d._id).toEqual({ webhook: ['delivered', 2], sms: ['delivered', 2] });
    }
    // A late failed attempt never overwrites a delivered status.
    await recordDelivery(mongo.db, { id: docs[0]!._id, unitCode: VILLAGE }, 'sms', { status: 'failed', attempts: 3, lastError: 'late', at: new Date() });
    expect((await deliveriesOf(mongo.db, [docs[0]!._id])).get(docs[0]!._id)!.find((x) => x.channel === 'sms')!.status).toBe('delivered');
  });

  it('keeps both users’ reads when two users mark the same notices read at once, and while deliveries write', async () => {
    const t0 = Date.now() + 60_000;
    const docs = Array.from({ length: 30 }, (_, i) => notice(`case-y:1:n${i}`, new Date(t0 + i), { caseId: 'case-y' }));
    await insertNotices(mongo.db, docs);
    const a = { unitCode: VILLAGE, userId: 'reader-a' };
    const b = { unitCode: VILLAGE, userId: 'reader-b' };
    const before = { a: await unreadCount(mongo.db, a), b: await unreadCount(mongo.db, b) };
    await Promise.all(
      docs.flatMap((d) => [
        markNoticeRead(mongo.db, a, d._id),
        markNoticeRead(mongo.db, b, d._id),
        recordDelivery(mongo.db, { id: d._id, unitCode: VILLAGE }, 'webhook', { status: 'delivered', attempts: 1, lastError: null, at: new Date() }),
      ]),
    );
    const [ra, rb] = [await readStateOf(mongo.db, a), await readStateOf(mongo.db, b)];
    for (const d of docs) {
      expect([isRead(ra, d), isRead(rb, d)], d._id).toEqual([true, true]);
    }
    expect(await unreadCount(mongo.db, a)).toBe(before.a - docs.length);
    expect(await unreadCount(mongo.db, b)).toBe(before.b - docs.length);
    const got = await deliveriesOf(mongo.db, docs.map((d) => d._id));
    for (const d of docs) expect(got.get(d._id)?.map((x) => x.status), d._id).toEqual(['delivered']);
  });

  it('mark-all moves the user’s mark only; a notice after it is unread, one read after it stays read', async () => {
    const who = { unitCode: VILLAGE, userId: 'reader-c' };
    expect(await markInboxRead(mongo.db, who)).toBeGreaterThan(0);
    expect(await unreadCount(mongo.db, who)).toBe(0);
    const later = notice('case-z:1:n0', new Date(Date.now() + 3_600_000), { caseId: 'case-z' });
    const later2 = notice('case-z:1:n1', new Date(Date.now() + 3_600_001), { caseId: 'case-z' });
    await insertNotices(mongo.db, [later, later2]);
    expect(await unreadCount(mongo.db, who)).toBe(2);
    expect(await markNoticeRead(mongo.db, who, later._id)).toBe(true);
    expect((await inboxPage(mongo.db, who, { unread: true }, undefined, 10)).map((n) => n._id)).toEqual([later2._id]);
    expect(await markInboxRead(mongo.db, who)).toBe(1);
    expect(await unreadCount(mongo.db, who)).toBe(0);
    // Other users' read state is their own.
    expect(await unreadCount(mongo.db, { unitCode: VILLAGE, userId: 'reader-d' })).toBeGreaterThan(0);
  });
});

describe('whose inbox', () => {
  it('shows a notice addressed to a user only in the unit it was addressed to: the same sub elsewhere sees none of it', async () => {
    const at = new Date(Date.now() + 7_200_000);
    await insertNotices(mongo.db, [notice('case-u:1:n0', at, { caseId: 'case-u', userId: 'same-sub', kind: 'approval_decided' })]);
    const here = { unitCode: VILLAGE, userId: 'same-sub' };
    const elsewhere = { unitCode: '371002002001', userId: 'same-sub' };
    expect((await inboxPage(mongo.db, here, { kind: 'approval_decided' }, undefined, 10)).map((n) => n._id)).toEqual(['case-u:1:n0']);
    expect(await inboxPage(mongo.db, elsewhere, {}, undefined, 10)).toEqual([]);
    expect(await unreadCount(mongo.db, elsewhere)).toBe(0);
    expect(await markNoticeRead(mongo.db, elsewhere, 'case-u:1:n0')).toBe(false);
    expect(await markInboxRead(mongo.db, elsewhere)).toBe(0);
    // Another user of the same unit does not see it either.
    expect((await inboxPage(mongo.db, { unitCode: VILLAGE, userId: 'other' }, { kind: 'approval_decided' }, undefined, 10)).map((n) => n._id)).toEqual([]);
  });
});
