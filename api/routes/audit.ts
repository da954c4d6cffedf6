import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { zInstant } from '../../domain/dates';
import { zOrgCode } from '../../domain/org';
import { queryAudit } from '../../store/audit';
import type { AuditDoc } from '../../store/collections';
import { markPersonalData } from '../audit';
import { principalOf } from '../auth';
import { badRequest, zErrorBody } from '../errors';
import { BY_ID, keysetPage, pageQuery, zPage } from '../pagination';
import { zQuery } from '../query';

/**
 * `GET /v1/audit`: the audit record (docs/audit.md), newest first, for admins and city monitors
 * (`audit.read` in domain/permissions.ts). A city monitor and a city-level admin read every record; an
 * admin of a lower unit reads the records of users in their unit's subtree. Each read of it is recorded.
 */

const zAuditRecord = z.object({
  id: z.string(),
  at: z.string(),
  requestId: z.string(),
  user: z.object({ id: z.string(), role: z.string(), unit: z.string() }).nullable(),
  ip: z.string(),
  method: z.string(),
  route: z.string(),
  action: z.string(),
  reason: z.enum(['mutation', 'personal_data_read']),
  personalData: z.boolean(),
  caseIds: z.array(z.string()),
  householdIds: z.array(z.string()),
  /** Issue 14: below town level, each household shown in full by need — the fields and why (empty otherwise). */
  disclosures: z.array(z.object({ householdId: z.string(), fields: z.array(z.string()), basis: z.string() })),
  outcome: z.object({ status: z.number(), code: z.string().nullable() }),
  /** Issue 14: a register search by a person — the name as queried, the ID number masked and its blind index (absent otherwise). */
  search: z.object({ name: z.string().optional(), idNumberMasked: z.string().optional(), idNumberKey: z.string().optional() }).optional(),
});

const recordOut = (d: AuditDoc): z.infer<typeof zAuditRecord> => ({
  id: d._id,
  at: d.at.toISOString(),
  requestId: d.requestId,
  user: d.user && { id: d.user.id, role: d.user.role, unit: d.user.unit },
  ip: d.ip,
  method: d.method,
  route: d.route,
  action: d.action,
  reason: d.reason,
  personalData: d.personalData,
  caseIds: d.caseIds,
  householdIds: d.householdIds,
  disclosures: d.disclosures ?? [],
  outcome: { status: d.outcome.status, code: d.outcome.code },
  ...(d.search ? { search: d.search } : {}),
});

export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  const db = app.deps.mongo.db;

  app.get(
    '/v1/audit',
    {
      config: { guard: { on: 'audit', action: 'read' } },
      schema: {
        tags: ['audit'],
        summary: 'The audit record: every mutating request and every read of unmasked personal data, newest first',
        querystring: zQuery({
          user: z.string().min(1).max(200).optional(),
          /** Records of users in this unit's subtree. */
          unit: zOrgCode.optional(),
          case: z.string().min(1).max(200).optional(),
          household: z.string().min(1).max(200).optional(),
          from: zInstant.optional(),
          to: zInstant.optional(),
          /** The matrix cell (`alert.recordVisit`) or, for an unguarded route, `METHOD /path`. */
          action: z.string().min(1).max(200).optional(),
          ...pageQuery(),
        }),
        response: { 200: zPage(zAuditRecord), 400: zErrorBody, 403: zErrorBody },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const q = request.query;
      const from = q.from === undefined ? undefined : new Date(q.from);
      const to = q.to === undefined ? undefined : new Date(q.to);
      if (from && to && from >= to) throw badRequest('from must be before to', [{ path: 'querystring.to', message: 'must be after from' }]);
      // A city monitor reads the whole city; an admin below the city, their subtree's users.
      const within = p.role === 'city_monitor' || p.unit.path.length === 1 ? undefined : p.unit.code;
      // Who did what, from where, is personal data of staff too: reading the record is itself recorded.
      markPersonalData(request);
      const filter = { user: q.user, unit: q.unit, case: q.case, household: q.household, from, to, action: q.action, within };
      return keysetPage(BY_ID, q, (before, limit) => queryAudit(db, filter, before, limit), (page) => page.map(recordOut));
    },
  );
};
