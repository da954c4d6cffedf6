import type { FastifyRequest } from 'fastify';
import { caseEventFor, caseViewFor, householdBriefFor, householdFor, knownPersonalDataOf, seesPersonalData, type HouseholdBrief, type KnownPersonalData } from '../domain/privacy';
import type { Household } from '../domain/household';
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

/** The case a view or an event belongs to: its id and its household (null for a report or a Party day). */
export interface CaseRef {
  caseId: string;
  householdId: string | null;
}

/**
 * What the register knows about the case's household, for masking its names in free text — read only for
 * a caller who sees them masked (undefined for the others, for a case about no household, or one not in
 * the register: free text is then masked by pattern alone).
 */
async function knownFor(request: FastifyRequest, ref: CaseRef): Promise<KnownPersonalData | undefined> {
  if (ref.householdId === null || seesPersonalData(principalOf(request).role)) return undefined;
  const household = await findHousehold(request.server.deps.mongo.db, ref.householdId);
  return household ? knownPersonalDataOf(household) : undefined;
}

/** Marks the audit when the caller reads this case's personal data unmasked (a case with a household). */
function markCase(request: FastifyRequest, ref: CaseRef): void {
  if (ref.householdId !== null && seesPersonalData(principalOf(request).role)) markPersonalData(request, ref);
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
  return { caseId: String(view.caseId), householdId: typeof view.householdId === 'string' ? view.householdId : null };
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
