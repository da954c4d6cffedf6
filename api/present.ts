import type { FastifyRequest } from 'fastify';
import {
  caseEventShown,
  caseViewShown,
  disclosureFor,
  householdBriefShown,
  householdShown,
  knownPersonalDataOf,
  knownPersonalDataOfNewHousehold,
  leastDisclosure,
  mergeKnownPersonalData,
  seesPersonalData,
  type Disclosure,
  type HouseholdBrief,
  type HouseholdRelation,
  type KnownPersonalData,
  type PersonalField,
  type Viewer,
} from '../domain/privacy';
import type { Household } from '../domain/household';
import type { HouseholdDoc } from '../store/collections';
import { newHouseholdOf } from '../store/discoveries';
import { findHousehold, findHouseholds, householdPhones } from '../store/households';
import { householdRelations, unitKnownPersonalDataExcept } from '../store/relations';
import { ORG_LEVELS } from '../domain/org';
import { principalOf } from './auth';
import { markDisclosure, markPersonalData } from './audit';

/**
 * How the API shows personal data: every route answers a case's view, its events, a case row or a
 * household through these, which choose the masking of domain/privacy.ts by the caller's role and, below
 * town level, by their need (`disclosureFor`, issue 14: the household's village staff, grid worker, paired
 * member and assigned visitor see its name, address and phone), and mark the audit record (api/audit.ts)
 * when the caller reads personal data unmasked — below town, with the fields shown and why. One place, so that a
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
  const primed = HOUSEHOLDS.get(request);
  const [households, fresh] = await Promise.all([
    Promise.all(ids.map((id) => (primed?.has(id) ? primed.get(id) ?? null : findHousehold(db, id)))),
    ref.householdId === null && ref.caseId.startsWith('discovery-') ? newHouseholdOf(db, ref.caseId) : null,
  ]);
  return mergeKnownPersonalData([...households.flatMap((h) => (h ? [knownPersonalDataOf(h)] : [])), ...(fresh ? [knownPersonalDataOfNewHousehold(fresh)] : [])]);
}

/** The village a caller below town belongs to (their unit's path: 市 → 区市 → 镇 → 村 → 网格), or null. */
function villageOfViewer(request: FastifyRequest): string | null {
  return principalOf(request).unit.path[ORG_LEVELS.indexOf('village')] ?? null;
}

/**
 * The registered households of the caller's village that a case's free text must not name to this caller:
 * for a masked reader, all of them (merged into `knownFor`'s); for a reader by need, all but the case's own
 * households (those they are shown by need). Undefined at town level and above. Ours (the fresh-eyes pass on
 * issue 14: "王建国是其邻居" in an alert's reason reached a party member unmasked).
 */
async function villageKnownFor(request: FastifyRequest, ref: CaseRef): Promise<KnownPersonalData | undefined> {
  if (seesPersonalData(principalOf(request).role)) return undefined;
  const village = villageOfViewer(request);
  if (village === null) return undefined;
  const own = [...(ref.householdId !== null ? [ref.householdId] : []), ...(ref.others ?? [])];
  return unitKnownPersonalDataExcept(request.server.deps.mongo.db, village, own);
}

/** Per request: the relation facts of the households read so far (null: not in the register). */
const RELATIONS = new WeakMap<FastifyRequest, Map<string, HouseholdRelation | null>>();

/** The caller as privacy by need reads them. */
function viewerOf(request: FastifyRequest): Viewer {
  const p = principalOf(request);
  return { userId: p.userId, role: p.role, unit: { code: p.unit.code, path: p.unit.path } };
}

/**
 * Reads the relation facts (store/relations.ts) of these households once for the request, in one batch:
 * a list calls it with its page's households before building its rows, so a page costs three queries, not
 * three per row. Nothing is read for a caller at town level or above (they see everything).
 */
export async function primeRelations(request: FastifyRequest, householdIds: readonly (string | null | undefined)[]): Promise<void> {
  if (seesPersonalData(principalOf(request).role)) return;
  let cache = RELATIONS.get(request);
  if (!cache) RELATIONS.set(request, (cache = new Map()));
  const missing = [...new Set(householdIds.filter((id): id is string => typeof id === 'string' && !cache.has(id)))];
  if (missing.length === 0) return;
  const found = await householdRelations(request.server.deps.mongo.db, missing);
  for (const id of missing) cache.set(id, found.get(id) ?? null);
}

/** Per request: the register entries of the households a list primed (primeCases; null: not in the register). */
const HOUSEHOLDS = new WeakMap<FastifyRequest, Map<string, HouseholdDoc | null>>();

/**
 * For a list of cases that presentCase shows row by row (api/stage-list.ts): the relation facts and the
 * register entries of every household the page names, read in two batched queries, so that a page of 100 rows
 * costs the same few queries as one row, not three per row. Nothing is read for a caller at town level or
 * above (they see everything and nothing is masked).
 */
export async function primeCases(request: FastifyRequest, refs: readonly CaseRef[]): Promise<void> {
  if (seesPersonalData(principalOf(request).role)) return;
  const ids = [...new Set(refs.flatMap((r) => [...(r.householdId !== null ? [r.householdId] : []), ...(r.others ?? [])]))];
  let cache = HOUSEHOLDS.get(request);
  if (!cache) HOUSEHOLDS.set(request, (cache = new Map()));
  const missing = ids.filter((id) => !cache.has(id));
  const [, found] = await Promise.all([primeRelations(request, ids), findHouseholds(request.server.deps.mongo.db, missing)]);
  for (const id of missing) cache.set(id, found.get(id) ?? null);
}

/** Of these households, the ones the caller sees by need or in full (not masked): a register search below town runs over these only. */
export async function householdsSeenByNeed(request: FastifyRequest, householdIds: readonly string[]): Promise<string[]> {
  if (seesPersonalData(principalOf(request).role)) return [...householdIds];
  await primeRelations(request, householdIds);
  return householdIds.filter((id) => disclosureOfHousehold(request, id).sight !== 'masked');
}

/** Per request: the phones of the households a list primed (primeBriefs). */
const PHONES = new WeakMap<FastifyRequest, Map<string, string>>();

/**
 * primeRelations, and the households' phones in one query, for a list whose rows show the phone (the task
 * list, the case rows: village staff call the household — issue 14 fresh-eyes). presentBrief then adds the
 * phone, masked as the name and address are.
 */
export async function primeBriefs(request: FastifyRequest, householdIds: readonly (string | null | undefined)[]): Promise<void> {
  const ids = [...new Set(householdIds.filter((id): id is string => typeof id === 'string'))];
  const [, phones] = await Promise.all([primeRelations(request, ids), householdPhones(request.server.deps.mongo.db, ids)]);
  let cache = PHONES.get(request);
  if (!cache) PHONES.set(request, (cache = new Map()));
  for (const [id, phone] of phones) cache.set(id, phone);
}

/** What the caller is shown of one household (primeRelations first; a household not primed is shown masked). */
function disclosureOfHousehold(request: FastifyRequest, householdId: string): Disclosure {
  return disclosureFor(viewerOf(request), RELATIONS.get(request)?.get(householdId) ?? null);
}

/**
 * What the caller is shown of a case (domain/privacy.ts `leastDisclosure` over its household and the others
 * it names); the relations are read here when not primed. A case naming no household: by role.
 */
export async function disclosureOfCase(request: FastifyRequest, ref: CaseRef): Promise<Disclosure> {
  const ids = [...(ref.householdId !== null ? [ref.householdId] : []), ...(ref.others ?? [])];
  await primeRelations(request, ids);
  return leastDisclosure(principalOf(request).role, ids.map((id) => disclosureOfHousehold(request, id)));
}

/** Marks the audit for what a below-town caller was shown by need (api/audit.ts `markDisclosure`): per household, the fields and why. */
function markNeed(request: FastifyRequest, ref: CaseRef, d: Disclosure, fields: readonly PersonalField[] = d.fields): void {
  if (d.sight !== 'need' || d.basis === null) return;
  for (const householdId of [...(ref.householdId !== null ? [ref.householdId] : []), ...(ref.others ?? [])]) {
    markDisclosure(request, { caseId: ref.caseId, householdId, fields, basis: disclosureOfHousehold(request, householdId).basis ?? d.basis });
  }
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

/** A case's view (any kind) as the caller may see it (domain/privacy.ts caseViewShown, by disclosureOfCase); audited when unmasked. */
export async function presentCase<V extends Record<string, unknown>>(request: FastifyRequest, ref: CaseRef, view: V): Promise<V> {
  markCase(request, ref);
  const d = await disclosureOfCase(request, ref);
  markNeed(request, ref, d);
  const [own, village] = await Promise.all([knownFor(request, ref), villageKnownFor(request, ref)]);
  return d.sight === 'need' ? caseViewShown(d.sight, view, own, village) : caseViewShown(d.sight, view, mergeKnownPersonalData([own, village].filter((k) => k !== undefined)));
}

/** A case's view as the caller may see it, the case taken from the view itself (`caseId`, `householdId`). */
export function presentView<V extends Record<string, unknown>>(request: FastifyRequest, view: V): Promise<V> {
  return presentCase(request, refOf(view), view);
}

/** The case a view is of. */
export function refOf(view: Record<string, unknown>): CaseRef {
  return { caseId: String(view.caseId), householdId: typeof view.householdId === 'string' ? view.householdId : null, others: othersOf(view) };
}

/** A case's events as the caller may see them (caseEventShown, by disclosureOfCase); audited when unmasked. */
export async function presentEvents<E extends { data?: unknown }>(request: FastifyRequest, ref: CaseRef, events: E[]): Promise<E[]> {
  markCase(request, ref);
  const d = await disclosureOfCase(request, ref);
  if (events.length > 0) markNeed(request, ref, d);
  const [own, village] = await Promise.all([knownFor(request, ref), villageKnownFor(request, ref)]);
  if (d.sight === 'need') return events.map((e) => caseEventShown(d.sight, e, own, village));
  const known = mergeKnownPersonalData([own, village].filter((k) => k !== undefined));
  return events.map((e) => caseEventShown(d.sight, e, known));
}

/**
 * A list row's household name and address (and phone, when the list primed it: primeBriefs) as the caller may see them (householdBriefShown); audited when
 * unmasked. A list primes its page's households first (primeRelations): a row whose household was not
 * primed is shown masked below town.
 */
export function presentBrief(request: FastifyRequest, ref: CaseRef, brief: HouseholdBrief | null): HouseholdBrief | null {
  if (brief !== null) markCase(request, ref);
  const d = seesPersonalData(principalOf(request).role) || ref.householdId === null ? leastDisclosure(principalOf(request).role, []) : disclosureOfHousehold(request, ref.householdId);
  const phone = ref.householdId !== null ? PHONES.get(request)?.get(ref.householdId) : undefined;
  const withPhone = brief !== null && phone !== undefined ? { headName: brief.headName, address: brief.address, phone } : brief;
  if (brief !== null) markNeed(request, { caseId: ref.caseId, householdId: ref.householdId }, d, phone !== undefined ? ['name', 'address', 'phone'] : ['name', 'address']);
  return householdBriefShown(d.sight, withPhone);
}

/** A household register entry as the caller may see it (householdShown, by disclosureFor); audited when unmasked. Prime first for a list. */
export async function presentHousehold(request: FastifyRequest, household: Household): Promise<Household> {
  const role = principalOf(request).role;
  if (seesPersonalData(role)) markPersonalData(request, { householdId: household.id });
  await primeRelations(request, [household.id]);
  const d = seesPersonalData(role) ? leastDisclosure(role, []) : disclosureOfHousehold(request, household.id);
  markNeed(request, { caseId: '', householdId: household.id }, d);
  return householdShown(d.sight, household);
}
