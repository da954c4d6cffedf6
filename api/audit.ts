import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from 'mongodb';
import { MUTATING_METHODS } from '../domain/audit';
import type { NeedBasis, PersonalField } from '../domain/privacy';
import { appendAudit, type AuditEntry } from '../store/audit';

/**
 * The audit record of every request that must leave one (docs/audit.md): every mutating request
 * (POST/PUT/PATCH/DELETE, whatever it answered) and every read whose answer held unmasked personal data.
 * One hook for the whole app, not one per route; routes and the privacy presenter (api/present.ts) only
 * mark what a response held, with `markPersonalData`.
 *
 * The record is written in `onSend` — after the handler (so after any Temporal update it sent), before
 * the answer leaves — and the answer waits for it: a client never holds a 2xx, nor a page of unmasked
 * personal data, whose record was not stored. When the write fails after its retries (store/audit.ts),
 * the answer becomes 503 `audit_unavailable` and the whole record goes to the error log; for a mutation
 * the message says the action may have been applied (a Temporal update cannot be taken back; reading the
 * case tells). `onResponse` would run after the answer was sent and could do neither.
 */

interface AuditMarks {
  personalData: boolean;
  caseIds: Set<string>;
  householdIds: Set<string>;
  /** Issue 14: what a below-town caller was shown by need, one entry per household and basis (fields merged). */
  disclosures: Map<string, AuditDisclosure>;
  /** A register search by a person: audited with what was searched (markSearch). */
  search?: { name?: string; idNumberMasked?: string; idNumberKey?: string };
}

/** One household's personal fields shown in full to a caller below town level, and why (domain/privacy.ts `disclosureFor`). */
export interface AuditDisclosure {
  householdId: string;
  fields: PersonalField[];
  basis: NeedBasis;
}

declare module 'fastify' {
  interface FastifyRequest {
    auditMarks: AuditMarks | null;
  }
}

/** The subjects a response was about: cases and households (ids). */
export interface AuditSubject {
  caseId?: string | null;
  householdId?: string | null;
}

function marksOf(request: FastifyRequest): AuditMarks {
  request.auditMarks ??= { personalData: false, caseIds: new Set(), householdIds: new Set(), disclosures: new Map() };
  return request.auditMarks;
}

function addSubject(marks: AuditMarks, s: AuditSubject): void {
  if (s.caseId) marks.caseIds.add(s.caseId);
  if (s.householdId) marks.householdIds.add(s.householdId);
}

/**
 * Marks the response as holding unmasked personal data about these cases and households (none: personal
 * data about no case, e.g. a helper's phone): the request is then audited even if it reads.
 */
export function markPersonalData(request: FastifyRequest, ...subjects: AuditSubject[]): void {
  const marks = marksOf(request);
  marks.personalData = true;
  for (const s of subjects) addSubject(marks, s);
}

/**
 * Marks the response as holding a household's personal fields shown in full to a caller below town level by
 * need (issue 14: privacy by need): the request is audited, and its record lists the household, the fields
 * and the basis (`disclosures`). Called by api/present.ts only.
 */
export function markDisclosure(request: FastifyRequest, d: { caseId?: string; householdId: string; fields: readonly PersonalField[]; basis: NeedBasis }): void {
  const marks = marksOf(request);
  marks.personalData = true;
  addSubject(marks, { caseId: d.caseId || null, householdId: d.householdId });
  const key = `${d.householdId}~${d.basis}`;
  const had = marks.disclosures.get(key);
  const fields = [...new Set([...(had?.fields ?? []), ...d.fields])];
  marks.disclosures.set(key, { householdId: d.householdId, basis: d.basis, fields });
}

/**
 * Marks a register search by a person's name or ID number (GET /v1/households): the request is audited with
 * the query — the name, the ID number masked and as its blind index — not with its results. Ours (the
 * fresh-eyes pass on issue 14: name search was an unaudited oracle).
 */
export function markSearch(request: FastifyRequest, search: { name?: string; idNumberMasked?: string; idNumberKey?: string }): void {
  const marks = marksOf(request);
  marks.personalData = true;
  marks.search = search;
}

/**
 * Names the cases and households a request acted on when the guard and the answer do not (a summons names
 * its record and the orders it opened): they go into the request's audit record.
 */
export function markSubjects(request: FastifyRequest, ...subjects: AuditSubject[]): void {
  const marks = marksOf(request);
  for (const s of subjects) addSubject(marks, s);
}

const asString = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 && v.length <= 200 ? v : undefined);

/** The JSON of an answer, or undefined (an image, a stream, not JSON). */
function jsonOf(payload: unknown): Record<string, unknown> | undefined {
  if (typeof payload !== 'string' || !payload.startsWith('{')) return undefined;
  try {
    return JSON.parse(payload) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The record of one request, from what the guard loaded, the body, the marks and the answer. */
export function auditEntryOf(request: FastifyRequest, reply: FastifyReply, payload: unknown, at: Date = new Date()): AuditEntry {
  const mutating = MUTATING_METHODS.includes(request.method);
  const marks = marksOf(request);
  const body = jsonOf(payload);
  const status = reply.statusCode;
  // What the request was about: the case the guard loaded, the household a start names, what a 2xx created.
  const guarded = request.guarded?.case;
  if (guarded) addSubject(marks, { caseId: guarded._id, householdId: guarded.householdId });
  const sent = request.body as Record<string, unknown> | undefined;
  if (sent && typeof sent === 'object') addSubject(marks, { householdId: asString(sent.householdId) });
  if (mutating && status < 300 && body) {
    addSubject(marks, { caseId: asString(body.caseId) ?? asString(body.reportId), householdId: asString(body.householdId) });
    const id = asString(body.id);
    if (id?.startsWith('hh-')) addSubject(marks, { householdId: id });
  }
  const error = status >= 400 ? (body?.error as { code?: unknown } | undefined) : undefined;
  const guard = request.routeOptions.config?.guard;
  const url = request.routeOptions.url ?? request.url.split('?')[0]!;
  const p = request.principal;
  return {
    at,
    requestId: request.id,
    user: p ? { id: p.userId, role: p.role, unit: p.unit.code, unitPath: p.unit.path } : null,
    ip: request.ip,
    method: request.method,
    route: `${request.method} ${url}`,
    action: guard ? `${guard.on}.${guard.action}` : `${request.method} ${url}`,
    reason: mutating ? 'mutation' : 'personal_data_read',
    personalData: marks.personalData,
    caseIds: [...marks.caseIds],
    householdIds: [...marks.householdIds],
    ...(marks.disclosures.size > 0 ? { disclosures: [...marks.disclosures.values()] } : {}),
    // A failed sign-in has no principal: record whom it tried (the body as validated: trimmed, lowercased).
    ...(!p && url === '/v1/auth/sign-in' && typeof sent?.login === 'string' ? { attemptedLogin: sent.login.slice(0, 200) } : {}),
    ...(marks.search ? { search: marks.search } : {}),
    outcome: { status, code: typeof error?.code === 'string' ? error.code : null },
  };
}

/**
 * Installs the audit hook (before the routes are registered). `db` is the read model's database, where
 * the `audit` collection lives.
 */
export function registerAudit(app: FastifyInstance, deps: { db: Db }): void {
  app.decorateRequest('auditMarks', null);
  app.addHook('onSend', async (request, reply, payload) => {
    if (!MUTATING_METHODS.includes(request.method) && !request.auditMarks?.personalData) return payload;
    const entry = auditEntryOf(request, reply, payload);
    try {
      await appendAudit(deps.db, entry);
      return payload;
    } catch (err) {
      request.log.error({ err, audit: entry }, 'audit record not written: the answer is withheld');
      const mutation = entry.reason === 'mutation';
      void reply.code(503).header('content-type', 'application/json; charset=utf-8');
      return JSON.stringify({
        error: {
          code: 'audit_unavailable',
          message: mutation
            ? 'the audit record of this request could not be stored; the action may have been applied — read the case before trying again'
            : 'the audit record of this read could not be stored; try again later',
        },
      });
    }
  });
}
