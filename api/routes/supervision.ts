import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Notice } from '../../domain/case';
import { startOfLocalDay } from '../../domain/china-time';
import { zInstant } from '../../domain/dates';
import { zOrderKey, zRequirement } from '../../domain/order';
import { toRef, zOrgCode, type OrgUnit } from '../../domain/org';
import { inJurisdiction } from '../../domain/permissions';
import { caseDocumentFor, knownPersonalDataOf, seesPersonalData } from '../../domain/privacy';
import { findCase } from '../../store/cases';
import { findHousehold } from '../../store/households';
import { zFreeText } from '../../domain/text';
import type { SupervisionRecordDoc } from '../../store/collections';
import { dispatchNotices } from '../../activities/notify';
import { findSupervisionRecord, publishSupervisionNotices, recordSupervision, supervisionRecordsIn, unitFigures } from '../../store/supervision';
import { actorOf, principalOf } from '../auth';
import { ApiError, notFound, zErrorBody } from '../errors';
import { markPersonalData, markSubjects } from '../audit';
import { reach, referencedCase } from '../guard';
import { BY_ID, keysetPage, pageQuery, zPage } from '../pagination';
import { zQuery } from '../query';
import { below, checkReplyByAt, issueOrderCase, linkedCases, refuseUnitOutside, zCaseRefId } from './orders';

/**
 * Summons (约谈) and circulars (通报), issue 12 item 5: the city records one against one or more units —
 * the reason, linked cases and orders, each unit's figures at that moment (store/supervision.ts
 * `unitFigures`), and follow-up actions with deadlines, each made a supervision order (督办单) to its unit
 * linked to the record, so a late reply escalates like any order. A circular is published to the units it
 * names: a `circular` notice in each one's inbox and a printable page (`GET /v1/circulars/{id}/print`); a
 * summons tells each summoned unit (`summons`). Records are append-only: a correction is a new record with
 * `corrects` naming the old. Every write is audited by the one hook (api/audit.ts). Source: seed 四(二)
 * 约谈、通报; the shapes and the rule that the city records them are ours.
 */

type Kind = SupervisionRecordDoc['kind'];
const KIND_NAMES: Record<Kind, string> = { summons: '约谈', circular: '通报' };
const BASES: Record<Kind, string> = { summons: '/v1/summonses', circular: '/v1/circulars' };

const zRecordId = (kind: Kind) => z.string().regex(new RegExp(`^${kind}-\\d{6,12}-[A-Za-z0-9_-]{1,64}$`), `expected a ${kind} id such as ${kind}-371000-k1`);

const zAction = z.object({ unitCode: zOrgCode, requirement: zRequirement, replyBy: zInstant }).strict();
const zRecordBody = z
  .object({
    /** The client's key: the same key is the same record (a retry answers 200 with it). */
    key: zOrderKey,
    unitCodes: z.array(zOrgCode).min(1).max(50),
    reason: zFreeText(5000),
    linkedCaseIds: z.array(zCaseRefId).max(50).optional(),
    linkedOrderIds: z.array(zCaseRefId).max(50).optional(),
    /** The period the figures cover, [from, to); default the current year (China time) up to now. */
    period: z.object({ from: zInstant, to: zInstant }).strict().optional(),
    /** Follow-up actions (整改要求), each a supervision order to one of the named units. */
    actions: z.array(zAction).max(50).optional(),
    /** The record of the same kind this one corrects (append-only: the old stays as it was). */
    corrects: z.string().max(200).optional(),
  })
  .strict();
type RecordBody = z.infer<typeof zRecordBody>;

const zFigures = z.object({
  unitCode: z.string(),
  unitName: z.string(),
  from: z.string(),
  to: z.string(),
  due: z.number(),
  onTime: z.number(),
  late: z.number(),
  unhandled: z.number(),
  openOverdue: z.number(),
  overdueClosed: z.number().optional().describe('ended past due without being met; absent on records made before it was counted'),
  escalations: z.number(),
  asOf: z.string(),
});
const zRecord = z.object({
  id: z.string(),
  kind: z.enum(['summons', 'circular']),
  kindName: z.string(),
  units: z.array(z.object({ code: z.string(), name: z.string(), level: z.string() })),
  reason: z.string(),
  linkedCaseIds: z.array(z.string()),
  linkedOrderIds: z.array(z.string()),
  figures: z.array(zFigures),
  actions: z.array(z.object({ unitCode: z.string(), requirement: z.string(), replyBy: z.string(), orderId: z.string() })),
  corrects: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.object({ userId: z.string(), role: z.string(), unitCode: z.string() }),
});
type RecordOut = z.infer<typeof zRecord>;

/**
 * A record as the caller may see it: its free text (reason, requirements) through the one masking of case
 * documents (domain/privacy.ts caseDocumentFor) — below town level, personal data by pattern and the names,
 * numbers and addresses of the households of its linked cases redacted.
 */
async function recordOut(request: FastifyRequest, d: SupervisionRecordDoc): Promise<RecordOut> {
  const role = principalOf(request).role;
  const db = request.server.deps.mongo.db;
  let shown = caseDocumentFor(role, { reason: d.reason, actions: d.actions.map((a) => ({ requirement: a.requirement })) }, undefined);
  const households = new Set<string>();
  for (const id of d.linkedCaseIds) {
    const kase = await findCase(db, id);
    if (kase?.householdId) households.add(kase.householdId);
  }
  if (seesPersonalData(role)) {
    // The text may name the linked cases' households unmasked: a read of personal data, audited.
    if (households.size > 0) markPersonalData(request, { caseId: d._id }, ...[...households].map((householdId) => ({ householdId })));
  } else {
    for (const id of households) {
      const household = await findHousehold(db, id);
      if (household) shown = caseDocumentFor(role, shown, knownPersonalDataOf(household));
    }
  }
  return {
    id: d._id,
    kind: d.kind,
    kindName: KIND_NAMES[d.kind],
    units: d.units.map(({ code, name, level }) => ({ code, name, level })),
    reason: shown.reason,
    linkedCaseIds: d.linkedCaseIds,
    linkedOrderIds: d.linkedOrderIds,
    figures: d.figures,
    actions: d.actions.map((a, i) => ({ unitCode: a.unitCode, requirement: shown.actions[i]!.requirement, replyBy: a.replyBy.toISOString(), orderId: a.orderId })),
    corrects: d.corrects,
    createdAt: d.createdAt.toISOString(),
    createdBy: { userId: d.createdBy.userId, role: d.createdBy.role, unitCode: d.createdBy.unitCode },
  };
}

/** 403 unless the caller reads a unit the record names (a city monitor reads all). Marks the route's target as checked. */
function reachRecord(request: FastifyRequest, d: SupervisionRecordDoc): void {
  const p = principalOf(request);
  const within = d.units.find((u) => inJurisdiction(p.role, p.unit.code, u.path, 'read')) ?? d.units[0]!;
  reach(request, within.path);
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const chinaTime = (iso: string) => new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });

/**
 * The printable page of a circular (Chinese, print CSS): the units it names, the reason, each unit's
 * figures, the linked cases and orders by id, the follow-up actions. Built from the masked record the
 * caller may see; every value escaped. It names units and case ids, never people.
 */
export function circularPage(r: RecordOut): string {
  const rows = r.figures
    .map((f) => `<tr><td>${escapeHtml(f.unitName)}（${escapeHtml(f.unitCode)}）</td><td>${f.due}</td><td>${f.onTime}</td><td>${f.late}</td><td>${f.unhandled}</td><td>${f.openOverdue}</td><td>${f.overdueClosed ?? '—'}</td><td>${f.escalations}</td></tr>`)
    .join('');
  const list = (items: string[]) => (items.length ? `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>` : '<p>无</p>');
  const actions = r.actions.map((a) => `${a.unitCode}：${a.requirement}（${chinaTime(a.replyBy)}前反馈，督办单 ${a.orderId}）`);
  const period = r.figures[0] ? `${chinaTime(r.figures[0].from)} 至 ${chinaTime(r.figures[0].to)}` : '';
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>通报 ${escapeHtml(r.id)}</title>
<style>
body{font-family:"Noto Serif CJK SC","Songti SC",serif;margin:2em auto;max-width:48em;line-height:1.7;color:#000}
h1{text-align:center;font-size:1.6em;letter-spacing:.3em}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #000;padding:.3em .5em;text-align:center}
.meta{color:#333}
@media print{body{margin:0;max-width:none}@page{size:A4;margin:2cm}a{color:#000;text-decoration:none}}
</style></head><body>
<h1>通&#12288;报</h1>
<p class="meta">编号：${escapeHtml(r.id)}&#12288;发布时间：${escapeHtml(chinaTime(r.createdAt))}${r.corrects ? `&#12288;更正：${escapeHtml(r.corrects)}` : ''}</p>
<h2>通报单位</h2>${list(r.units.map((u) => `${u.name}（${u.code}）`))}
<h2>通报事由</h2><p>${escapeHtml(r.reason).replace(/\n/g, '<br>')}</p>
<h2>工作情况（${escapeHtml(period)}）</h2>
<table><thead><tr><th>单位</th><th>到期事项</th><th>按时办结</th><th>逾期办结</th><th>未处置关闭</th><th>逾期未办</th><th>逾期未办结束</th><th>升级次数</th></tr></thead><tbody>${rows}</tbody></table>
<h2>相关案件</h2>${list(r.linkedCaseIds)}
<h2>相关督办单</h2>${list(r.linkedOrderIds)}
<h2>整改要求</h2>${list(actions)}
</body></html>
`;
}

export const supervisionRoutes: FastifyPluginAsyncZod = async (app) => {
  const { orgs, mongo, config } = app.deps;
  const db = mongo.db;

  /**
   * Records a summons or a circular: checks everything first (the units in reach, each action's unit among
   * them, its reply deadline within policy, every linked case and order readable, the corrected record of
   * the same kind), then stores the record (once per key), opens each action's order (once per key) and
   * puts the notices in the outbox (once per record). A retry with the same key finishes what a failed
   * attempt left and answers 200.
   */
  async function record(kind: Kind, request: FastifyRequest, reply: FastifyReply, body: RecordBody) {
    const p = principalOf(request);
    const id = `${kind}-${p.unit.code}-${body.key}`;
    const units: OrgUnit[] = [];
    for (const [i, code] of [...new Set(body.unitCodes)].entries()) {
      const unit = await orgs.get(code);
      if (!unit) throw new ApiError(422, 'unprocessable', `unitCodes.${i}: no org unit ${code}`, [{ path: `body.unitCodes.${i}`, code: 'unknown_reference', message: `no org unit ${code}` }]);
      refuseUnitOutside(request, unit, 'record');
      // A summons or circular names units below the recorder's: the city does not summon itself (ours).
      if (!below(unit, p.unit)) throw new ApiError(422, 'unprocessable', `unitCodes.${i}: a summons or circular names a unit below yours`, [{ path: `body.unitCodes.${i}`, code: 'unknown_reference', message: 'a unit below yours' }]);
      units.push(unit);
    }
    const actions = (body.actions ?? []).map((a, i) => {
      const unit = units.find((u) => u.code === a.unitCode);
      if (!unit) throw new ApiError(422, 'unprocessable', `actions.${i}.unitCode: not one of the units named`, [{ path: `body.actions.${i}.unitCode`, code: 'unknown_reference', message: 'a follow-up action goes to one of unitCodes' }]);
      // An order goes down: a follow-up action to the recorder's own unit has nobody to answer it.
      if (!below(unit, p.unit)) throw new ApiError(422, 'unprocessable', `actions.${i}.unitCode: an order goes to a unit below yours`, [{ path: `body.actions.${i}.unitCode`, code: 'unknown_reference', message: 'an order goes to a unit below yours' }]);
      return { unit, requirement: a.requirement, replyBy: checkReplyByAt(config.policy.orders, a.replyBy, `actions.${i}.replyBy`), key: `${kind}-${body.key}-a${i + 1}` };
    });
    const linkedCaseIds = await linkedCases(request, body.linkedCaseIds, 'linkedCaseIds');
    const linkedOrderIds = [...new Set(body.linkedOrderIds ?? [])];
    for (const [i, orderId] of linkedOrderIds.entries()) await referencedCase(request, db, { field: `body.linkedOrderIds.${i}`, id: orderId, kind: 'order' });
    if (body.corrects !== undefined) {
      const old = await findSupervisionRecord(db, body.corrects);
      if (!old || old.kind !== kind) throw new ApiError(422, 'unprocessable', `corrects: no ${kind} ${body.corrects}`, [{ path: 'body.corrects', code: 'unknown_reference', message: `no ${kind} ${body.corrects}` }]);
    }
    const now = new Date();
    const from = body.period ? new Date(body.period.from) : new Date(startOfLocalDay(`${now.toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 4)}-01-01`));
    const to = body.period ? new Date(body.period.to) : now;
    if (!(to > from) || to.getTime() - from.getTime() > 3 * 366 * 86_400_000) throw new ApiError(422, 'unprocessable', 'period: to must follow from, within three years', [{ path: 'body.period.to', code: 'date_out_of_range', message: 'to must follow from, within three years' }]);

    const existing = await findSupervisionRecord(db, id);
    // A key is reused only to retry the same request (as orders: api/routes/orders.ts): another body is 409.
    if (existing) {
      const differs: string[] = [];
      const same = (a: readonly string[], b: readonly string[]) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
      if (!same(existing.units.map((u) => u.code), units.map((u) => u.code))) differs.push('unitCodes');
      if (existing.reason !== body.reason) differs.push('reason');
      if (!same(existing.linkedCaseIds, linkedCaseIds) || !same(existing.linkedOrderIds, linkedOrderIds)) differs.push('linked records');
      const wanted = actions.map((a) => JSON.stringify([a.unit.code, a.requirement, a.replyBy]));
      if (!same(existing.actions.map((a) => JSON.stringify([a.unitCode, a.requirement, a.replyBy.getTime()])), wanted)) differs.push('actions');
      if ((existing.corrects ?? null) !== (body.corrects ?? null)) differs.push('corrects');
      if (differs.length > 0) {
        throw new ApiError(409, 'conflict', `key ${body.key}: ${id} was recorded under this key with another ${differs.join(', ')}; use a new key for a new record`, [
          { path: 'body.key', code: 'key_reused', message: `already used for ${id} with another ${differs.join(', ')}` },
        ]);
      }
    }
    const issuer = { unit: toRef(p.unit), actor: actorOf(p) };
    const orderIds = actions.map((a) => `order-${p.unit.code}-${a.unit.code}-${a.key}`);
    const stored =
      existing ??
      (await recordSupervision(db, {
        _id: id,
        kind,
        units: units.map((u) => ({ code: u.code, name: u.name, level: u.level, path: u.path })),
        orgPaths: [...new Set(units.flatMap((u) => u.path))],
        reason: body.reason,
        linkedCaseIds,
        linkedOrderIds,
        figures: await Promise.all(units.map((u) => unitFigures(db, u, from, to, now))),
        actions: actions.map((a, i) => ({ unitCode: a.unit.code, requirement: a.requirement, replyBy: new Date(a.replyBy), orderId: orderIds[i]! })),
        corrects: body.corrects ?? null,
        createdAt: now,
        createdBy: issuer.actor,
      }));
    // The orders and notices of the stored record (the first attempt's, on a retry).
    for (const a of stored.actions) {
      const unit = (await orgs.get(a.unitCode))!;
      await issueOrderCase(app, {
        issuer,
        unit,
        target: { caseId: null, caseKind: null, householdId: null },
        key: `${kind}-${body.key}-a${stored.actions.indexOf(a) + 1}`,
        requirement: a.requirement,
        replyBy: a.replyBy.getTime(),
        linkedCaseIds: stored.linkedCaseIds.slice(0, 20),
        origin: { kind, id },
      });
    }
    const notices: Notice[] = stored.units.map((u) => ({
      unit: { code: u.code, name: u.name, level: u.level as OrgUnit['level'] },
      kind,
      message: `${p.unit.name}${KIND_NAMES[kind]}（${id}）：${stored.actions.filter((a) => a.unitCode === u.code).length > 0 ? '请按整改要求办理并反馈督办单' : '请查阅'}`,
    }));
    const published = await publishSupervisionNotices(db, id, notices, stored.createdAt);
    // Delivered through the named units' channels at once (the worker's sweep would within a minute).
    await dispatchNotices({ db, temporal: app.deps.temporal, notify: app.deps.config.notify }, app.deps.config.temporal.taskQueue, published);
    markSubjects(request, { caseId: id }, ...stored.actions.map((a) => ({ caseId: a.orderId })), ...stored.linkedCaseIds.map((caseId) => ({ caseId })));
    return reply.code(existing ? 200 : 201).send(await recordOut(request, stored));
  }

  for (const kind of ['summons', 'circular'] as const) {
    const base = BASES[kind];
    const name = KIND_NAMES[kind];
    app.post(
      base,
      {
        config: { guard: { on: kind, action: 'record' } },
        schema: {
          tags: ['supervision'],
          summary: `Record a ${kind} (${name}) against units: reason, linked cases and orders, their figures now, follow-up actions as orders (idempotent by key)`,
          body: zRecordBody,
          response: { 200: zRecord, 201: zRecord, 400: zErrorBody, 403: zErrorBody, 422: zErrorBody },
        },
      },
      async (request, reply) => record(kind, request, reply, request.body),
    );

    app.get(
      base,
      {
        config: { guard: { on: kind, action: 'read', target: 'org' } },
        schema: {
          tags: ['supervision'],
          summary: `The ${kind}s (${name}) naming a unit in \`org\`'s subtree (default: the caller's unit), by id`,
          querystring: zQuery({ org: zOrgCode.optional(), ...pageQuery() }),
          response: { 200: zPage(zRecord), 400: zErrorBody, 403: zErrorBody, 404: zErrorBody },
        },
      },
      async (request) => {
        const org = request.query.org ?? principalOf(request).unit.code;
        return keysetPage(BY_ID, request.query, (after, limit) => supervisionRecordsIn(db, { kind, org, ...(after ? { after } : {}), limit }), (rows) => Promise.all(rows.map((d) => recordOut(request, d))));
      },
    );

    const load = async (request: FastifyRequest, id: string) => {
      const d = await findSupervisionRecord(db, id);
      if (!d || d.kind !== kind) throw notFound(`${kind} ${id} not found`);
      reachRecord(request, d);
      return d;
    };

    app.get(
      `${base}/:id`,
      {
        config: { guard: { on: kind, action: 'read', target: 'handler' } },
        schema: { tags: ['supervision'], summary: `A ${kind} (${name})`, params: z.object({ id: zRecordId(kind) }), response: { 200: zRecord, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody } },
      },
      async (request) => recordOut(request, await load(request, request.params.id)),
    );

    if (kind === 'circular') {
      app.get(
        `${base}/:id/print`,
        {
          config: { guard: { on: kind, action: 'read', target: 'handler' } },
          schema: {
            tags: ['supervision'],
            summary: 'The printable page of a circular (通报, text/html, Chinese, print CSS)',
            params: z.object({ id: zRecordId(kind) }),
            response: { 200: { description: 'The printable page', content: { 'text/html': { schema: z.string() } } }, 400: zErrorBody, 403: zErrorBody, 404: zErrorBody },
          },
        },
        async (request, reply) => {
          const page = circularPage(await recordOut(request, await load(request, request.params.id)));
          return reply.type('text/html; charset=utf-8').send(page as never);
        },
      );
    }
  }
};
