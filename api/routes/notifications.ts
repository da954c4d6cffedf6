import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NOTICE_KINDS } from '../../domain/case';
import { zOrgCode } from '../../domain/org';
import { noticeMessageFor } from '../../domain/privacy';
import { CHANNEL_KINDS, type NoticeDoc } from '../../store/collections';
import { deliveredAtOf, deliveriesOf, inboxPage, isRead, markInboxRead, markNoticeRead, readStateOf, setUnitChannels, unitChannels, unreadCount, type InboxOwner, type InboxPosition } from '../../store/notifications';
import { shownWebhookUrl, webhookUrlProblem } from '../../activities/webhook';
import { principalOf } from '../auth';
import { notFound, zErrorBody } from '../errors';
import { guardedUnit } from '../guard';
import { keysetPage, pageQuery, zPage, type KeysetOrder } from '../pagination';
import { zQuery } from '../query';

/**
 * The inbox (docs/notifications.md): `GET /v1/notifications` — the caller's unit's notices and those
 * addressed to the caller in that unit, newest first, each with its deliveries (one `$in` read); `GET
 * /v1/notifications/unread-count`; `POST /v1/notifications/{id}/read` and `POST /v1/notifications/read`
 * (all). Read state is per user, in documents of its own (store/notifications.ts). A unit's
 * delivery channels: `GET`/`PUT /v1/units/{code}/channels` (admins). Source: ours (issue 12, item 1).
 */


const zDelivery = z.object({ status: z.enum(['pending', 'delivered', 'failed']), attempts: z.number(), lastError: z.string().nullable(), at: z.string() });

const zNotice = z.object({
  id: z.string(),
  caseId: z.string(),
  caseKind: z.string().nullable(),
  unit: z.object({ code: z.string(), name: z.string() }),
  /** Present when the notice is for one user (the caller). */
  userId: z.string().nullable(),
  /** One of the kinds of `Notice` (domain/case.ts); a string, so that a stored kind this API does not know yet is still shown. */
  kind: z.string(),
  message: z.string(),
  at: z.string(),
  read: z.boolean(),
  deliveredAt: z.string().nullable(),
  /** Per channel of the unit: pending, delivered or failed, with attempts and the last error. */
  deliveries: z.record(z.string(), zDelivery),
});

/** Newest first: cursor `{ at, id }`. */
const BY_NEWEST: KeysetOrder<NoticeDoc, InboxPosition> = {
  cursor: z.strictObject({ at: z.iso.datetime(), id: z.string().min(1).max(400) }).transform((c): InboxPosition => ({ at: new Date(c.at), id: c.id })),
  cursorOf: (n) => ({ at: n.at.toISOString(), id: n._id }),
};

const zChannels = z.strictObject({
  webhook: z
    .strictObject({
      url: z
        .url({ protocol: /^https?$/ })
        .max(2000)
        // Credentials and link-local / metadata addresses are refused (activities/webhook.ts webhookUrlProblem); the message never repeats the URL.
        .superRefine((url, ctx) => {
          const problem = webhookUrlProblem(url);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }),
    })
    .optional(),
  // Texts go to mainland mobile numbers (11 digits from 13–19, as households' phones), each once.
  sms: z
    .strictObject({
      phones: z
        .array(z.string().regex(/^1[3-9]\d{9}$/, 'expected a mainland mobile number (11 digits, such as 13912345678)'))
        .min(1)
        .max(20)
        .refine((p) => new Set(p).size === p.length, 'each number once'),
    })
    .optional(),
});

export const notificationRoutes: FastifyPluginAsyncZod = async (app) => {
  const db = app.deps.mongo.db;
  const owner = (request: Parameters<typeof principalOf>[0]): InboxOwner => {
    const p = principalOf(request);
    return { unitCode: p.unit.code, userId: p.userId };
  };

  app.get(
    '/v1/notifications',
    {
      config: { guard: { on: 'notification', action: 'read' } },
      schema: {
        tags: ['notifications'],
        summary: 'The caller’s inbox: their unit’s notices and those addressed to them, newest first (read state per user)',
        querystring: zQuery({ unread: z.enum(['true', 'false']).optional(), kind: z.enum(NOTICE_KINDS).optional(), ...pageQuery() }),
        response: { 200: zPage(zNotice), 400: zErrorBody, 403: zErrorBody },
      },
    },
    async (request) => {
      const who = owner(request);
      const role = principalOf(request).role;
      const q = request.query;
      const filter = { unread: q.unread === 'true', ...(q.kind ? { kind: q.kind } : {}) };
      const read = await readStateOf(db, who);
      return keysetPage(BY_NEWEST, q, (after, limit) => inboxPage(db, who, filter, after, limit, read), async (page) => {
        // The page's deliveries in one $in query (their own documents, store/notifications.ts).
        const deliveries = await deliveriesOf(db, page.map((n) => n._id));
        return page.map((n) => ({
          id: n._id,
          caseId: n.caseId,
          caseKind: n.caseKind ?? null,
          unit: { code: n.unitCode, name: n.unitName },
          userId: n.userId ?? null,
          kind: n.kind,
          message: noticeMessageFor(role, n.message),
          at: n.at.toISOString(),
          read: isRead(read, n),
          deliveredAt: deliveredAtOf(deliveries.get(n._id) ?? [])?.toISOString() ?? null,
          deliveries: Object.fromEntries((deliveries.get(n._id) ?? []).map((d) => [d.channel, { status: d.status, attempts: d.attempts, lastError: d.lastError, at: d.at.toISOString() }])),
        }));
      });
    },
  );

  app.get(
    '/v1/notifications/unread-count',
    {
      config: { guard: { on: 'notification', action: 'read' } },
      schema: { tags: ['notifications'], summary: 'How many notices of the caller’s inbox the caller has not read (the badge polls it)', response: { 200: z.object({ unread: z.number() }), 403: zErrorBody } },
    },
    async (request) => ({ unread: await unreadCount(db, owner(request)) }),
  );

  app.post(
    '/v1/notifications/:id/read',
    {
      config: { guard: { on: 'notification', action: 'read' } },
      schema: {
        tags: ['notifications'],
        summary: 'Marks one notice of the caller’s inbox read, for the caller only',
        params: z.object({ id: z.string().min(1).max(400) }),
        response: { 200: z.object({ id: z.string(), read: z.literal(true) }), 400: zErrorBody, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => {
      const { id } = request.params;
      if (!(await markNoticeRead(db, owner(request), id))) throw notFound(`notice ${id} not found in your inbox`);
      return { id, read: true as const };
    },
  );

  app.post(
    '/v1/notifications/read',
    {
      config: { guard: { on: 'notification', action: 'read' } },
      schema: { tags: ['notifications'], summary: 'Marks every notice of the caller’s inbox read, for the caller only', response: { 200: z.object({ marked: z.number() }), 403: zErrorBody } },
    },
    async (request) => ({ marked: await markInboxRead(db, owner(request)) }),
  );

  const zChannelsOut = z.object({ unitCode: z.string(), webhook: z.object({ url: z.string() }).nullable(), sms: z.object({ phones: z.array(z.string()) }).nullable(), updatedAt: z.string().nullable(), updatedBy: z.string().nullable() });

  app.get(
    '/v1/units/:code/channels',
    {
      config: { guard: { on: 'notification', action: 'channels', target: 'unit' } },
      schema: { tags: ['notifications'], summary: `A unit’s delivery channels (${CHANNEL_KINDS.join(', ')})`, params: z.object({ code: zOrgCode }), response: { 200: zChannelsOut, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody } },
    },
    async (request) => {
      const unit = guardedUnit(request);
      const doc = await unitChannels(db, unit.code);
      return { unitCode: unit.code, webhook: doc?.webhook ? { url: shownWebhookUrl(doc.webhook.url) } : null, sms: doc?.sms ?? null, updatedAt: doc?.updatedAt.toISOString() ?? null, updatedBy: doc?.updatedBy ?? null };
    },
  );

  app.put(
    '/v1/units/:code/channels',
    {
      config: { guard: { on: 'notification', action: 'channels', target: 'unit' } },
      schema: {
        tags: ['notifications'],
        summary: 'Sets a unit’s delivery channels: a webhook URL (signed deliveries) and SMS numbers; an empty body removes them',
        params: z.object({ code: zOrgCode }),
        body: zChannels,
        response: { 200: zChannelsOut, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => {
      const unit = guardedUnit(request);
      const doc = await setUnitChannels(db, unit.code, request.body, principalOf(request).userId);
      return { unitCode: unit.code, webhook: doc.webhook ? { url: shownWebhookUrl(doc.webhook.url) } : null, sms: doc.sms ?? null, updatedAt: doc.updatedAt.toISOString(), updatedBy: doc.updatedBy };
    },
  );
};
