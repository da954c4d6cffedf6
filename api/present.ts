import type { FastifyRequest } from 'fastify';
import { caseEventFor, caseViewFor, householdBriefFor, householdFor, knownPersonalDataOf, knownPersonalDataOfNewHousehold, mergeKnownPersonalData, seesPersonalData, type HouseholdBrief, type KnownPersonalData } from '../domain/privacy';
import type { Household } from '../domain/household';
import { newHouseholdOf } from '../store/discoveries';
import { findHousehold } from '../store/households';
import { principalOf } from './auth';
import { markPersonalData } from './audit';

/**
 * How the API shows personal data: every route answers a case's view, its events, a case row or a
 * household through these, which choose the masking of domain/privacy.ts by the caller's role and mark
 * the audit record (api/audit.ts) when the caller reads personal data unmasked. One place, so that a
 * case reads the same on every path (issue 11: a wish's title was masked on its own endpoint and not on
 * /v1/cases/{id}).
 */

/**
 * The case a view or an event belongs to: its id, its household (null for a report, a Party day, a patrol
 * or a new household's discovery), and the other registered households it names (a patrol's visited
 * households, whose names its notes may carry).
 */
export interface CaseRef {
  caseId: string;
  householdId: string | null;
  others?: string[];
}

/**
 * What is known about the people a case is about, for masking their names in free text — read only for a
 * caller who sees them masked (undefined for the others, or when the case names no one known: free text is
 * then masked by pattern alone): the register entries of its household and of the other households it names,
 * and a discovery's new household (store/discoveries.ts; its name was not masked in the situation before:
 * the fresh-eyes pass on issue 13).
 */
async function knownFor(request: FastifyRequest, ref: CaseRef): Promise<KnownPersonalData | undefined> {
  if (seesPersonalData(principalOf(request).role)) return undefined;
  const db = request.server.deps.mongo.db;
  const ids = [...new Set([...(ref.householdId !== null ? [ref.householdId] : []), ...(ref.others ?? [])])];
  const [households, fresh] = await Promise.all([
    Promise.all(ids.map((id) => findHousehold(db, id))),
    ref.householdId === null && ref.caseId.startsWith('discovery-') ? newHouseholdOf(db, ref.caseId) : null,
  ]);
  return mergeKnownPersonalData([...households.flatMap((h) => (h ? [knownPersonalDataOf(h)] : [])), ...(fresh ? [knownPersonalDataOfNewHousehold(fresh)] : [])]);
}

/** A case document's ref: its id, its household, and the households its view names besides (a patrol's visited rows). */
export function caseRefOf(doc: { _id: string; householdId: string | null; view?: Record<string, unknown> | null }): CaseRef {
  return { caseId: doc._id, householdId: doc.householdId, others: othersOf(doc.view ?? {}) };
}

/** The registered households a view names besides its own: a patrol's `visited[].householdId`. */
function othersOf(view: Record<string, unknown>): string[] {
  const visited = Array.isArray(view.visited) ? (view.visited as { householdId?: unknown }[]) : [];
  return visited.flatMap((v) => (typeof v?.householdId === 'string' ? [v.householdId] : []));
}

/** Marks the audit when the caller reads this case's personal data unmasked (a case with a household). */
function markCase(request: FastifyRequest, ref: CaseRef): void {
  if ((ref.householdId !== null || (ref.others?.length ?? 0) > 0) && seesPersonalData(principalOf(request).role)) markPersonalData(request, ref);
}

/** A case's view (any kind) as the caller may see it (domain/privacy.ts caseViewFor); audited when unmasked. */
export async function presentCase<V extends Record<string, unknown>>(request: FastifyRequest, ref: CaseRef, view: V): Promise<V> {
  markCase(request, ref);
  return caseViewFor(principalOf(request).role, view, await knownFor(request, ref));
}

/** A case's view as the caller may see it, the case taken from the view itself (`caseId`, `householdId`). */
export function presentView<V extends Record<string, unknown>>(request: FastifyRequest, view: V): Promise<V> {
  return presentCase(request, refOf(view), view);
}

/** The case a view is of. */
export function refOf(view: Record<string, unknown>): CaseRef {
  return { caseId: String(view.caseId), householdId: typeof view.householdId === 'string' ? view.householdId : null, others: othersOf(view) };
}

/** A case's events as the caller may see them (caseEventFor); audited when unmasked. */
export async function presentEvents<E extends { data?: unknown }>(request: FastifyRequest, ref: CaseRef, events: E[]): Promise<E[]> {
  markCase(request, ref);
  const role = principalOf(request).role;
  const known = await knownFor(request, ref);
  return events.map((e) => caseEventFor(role, e, known));
}

/** A list row's household name and address as the caller may see them (householdBriefFor); audited when unmasked. */
export function presentBrief(request: FastifyRequest, ref: CaseRef, brief: HouseholdBrief | null): HouseholdBrief | null {
  if (brief !== null) markCase(request, ref);
  return householdBriefFor(principalOf(request).role, brief);
}

/** A household register entry as the caller may see it (householdFor); audited when unmasked. */
export function presentHousehold(request: FastifyRequest, household: Household): Household {
  const role = principalOf(request).role;
  if (seesPersonalData(role)) markPersonalData(request, { householdId: household.id });
  return householdFor(role, household);
}
