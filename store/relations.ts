import type { Db } from 'mongodb';
import { mergeKnownPersonalData, type HouseholdRelation, type KnownPersonalData } from '../domain/privacy';
import { PII_FIELDS, piiOf } from './pii';
import { collections, type CaseDoc } from './collections';

/**
 * The facts privacy by need reads (domain/privacy.ts `disclosureFor`, issue 14): for each household, its
 * village, the unit it is registered at, the logins paired with it by an open pairing, and the assigned
 * visitors of its open alerts. Three queries for any number of households (by `_id` and by `householdId`,
 * both indexed: store/indexes.ts), so a page of rows costs the same three reads whatever its length.
 * No personal field is read. Source: ours (issue 14).
 */
export async function householdRelations(db: Db, householdIds: readonly string[]): Promise<Map<string, HouseholdRelation>> {
  const ids = [...new Set(householdIds)];
  const out = new Map<string, HouseholdRelation>();
  if (ids.length === 0) return out;
  const c = collections(db);
  const [households, cases] = await Promise.all([
    c.households.find({ _id: { $in: ids } }, { projection: { _id: 1, villageCode: 1, unitCode: 1 } }).toArray(),
    c.cases
      .find({ householdId: { $in: ids }, kind: { $in: ['pairing', 'alert'] }, status: 'open' }, { projection: { _id: 1, kind: 1, householdId: 1, 'view.member.userId': 1, 'view.visitor.userId': 1 } })
      .toArray() as Promise<Pick<CaseDoc<{ member?: { userId?: unknown } | null; visitor?: { userId?: unknown } | null }>, '_id' | 'kind' | 'householdId' | 'view'>[]>,
  ]);
  for (const h of households) out.set(h._id, { villageCode: h.villageCode, unitCode: h.unitCode, pairedUserIds: [], visitorUserIds: [] });
  for (const d of cases) {
    const r = d.householdId ? out.get(d.householdId) : undefined;
    if (!r) continue;
    const member = d.kind === 'pairing' ? d.view?.member?.userId : undefined;
    const visitor = d.kind === 'alert' ? d.view?.visitor?.userId : undefined;
    if (typeof member === 'string') (r.pairedUserIds as string[]).push(member);
    if (typeof visitor === 'string') (r.visitorUserIds as string[]).push(visitor);
  }
  return out;
}

/** The open alerts whose assigned visitor is this login (`view.visitor.userId`), newest first, at most `limit`. */
export function alertsAssignedTo(db: Db, userId: string, limit: number): Promise<CaseDoc[]> {
  return collections(db).cases.find({ kind: 'alert', status: 'open', 'view.visitor.userId': userId }).sort({ _id: -1 }).limit(limit).toArray();
}

/** A household's org path (root first), or null when it is not in the register; no personal field is read. */
export async function householdPathOf(db: Db, householdId: string): Promise<string[] | null> {
  const h = await collections(db).households.findOne({ _id: householdId }, { projection: { _id: 1, orgPath: 1 } });
  return h?.orgPath ?? null;
}

/** Whether this login is the assigned visitor of an open alert on the household (issue 14). */
export async function isAssignedVisitor(db: Db, householdId: string, userId: string): Promise<boolean> {
  return (await collections(db).cases.findOne({ householdId, kind: 'alert', status: 'open', 'view.visitor.userId': userId }, { projection: { _id: 1 } })) !== null;
}

/** How long a unit's known personal data is kept in memory, ms: a register change reaches public text within it. */
const KNOWN_TTL_MS = 15_000;
/**
 * What the register knows about the households registered in a unit's subtree (a village, or a town for an
 * intake): their members' names, addresses and phones, merged (domain/privacy.ts KnownPersonalData), for
 * redacting free text that names one of them — public text (a report's answer, an intake's return reason,
 * a Party day's answers: publicTextFor) and free text read by a viewer who sees another household masked.
 * ID numbers are not read (free text's ID numbers are caught by pattern; only the phone is decrypted).
 * Undefined when the unit has no household. Cached per unit for KNOWN_TTL_MS, forgotten when a household is
 * registered or corrected through the API (forgetKnownPersonalData; an intake's acceptance registers through
 * the workflow and is seen within the TTL). Source: ours (the fresh-eyes
 * pass on issue 14: a registered head's full name on a public receipt; other households' names in an alert's
 * reason reaching a party member).
 */
export function unitKnownPersonalData(db: Db, unitCode: string): Promise<KnownPersonalData | undefined> {
  return unitKnownPersonalDataExcept(db, unitCode, []);
}

/** The known data of the households under `unitCode`, each listed with its id (for leaving out the ones a viewer sees by need). */
async function readUnitKnownById(db: Db, unitCode: string): Promise<Map<string, KnownPersonalData>> {
  const keyring = piiOf(db);
  const rows = await collections(db)
    .households.find({ orgPath: unitCode }, { projection: { _id: 1, headName: 1, 'members.name': 1, address: 1, phone: 1 } })
    .toArray();
  const out = new Map<string, KnownPersonalData>();
  for (const h of rows) {
    out.set(h._id, {
      names: [h.headName, ...(h.members ?? []).map((m) => m.name)],
      idNumbers: [],
      phones: h.phone ? [keyring.open(h.phone, PII_FIELDS.phone)] : [],
      addresses: [h.address],
    });
  }
  return out;
}

const BY_ID_CACHE = new WeakMap<Db, Map<string, { at: number; known: Promise<Map<string, KnownPersonalData>> }>>();

/**
 * The known data of the households under a unit, leaving out `except` (the households a viewer sees by need,
 * whose names they are shown): what is redacted in free text for that viewer. Cached as unitKnownPersonalData.
 */
export async function unitKnownPersonalDataExcept(db: Db, unitCode: string, except: readonly string[]): Promise<KnownPersonalData | undefined> {
  let cache = BY_ID_CACHE.get(db);
  if (!cache) BY_ID_CACHE.set(db, (cache = new Map()));
  const now = Date.now();
  let hit = cache.get(unitCode);
  if (!hit || now - hit.at >= KNOWN_TTL_MS) {
    hit = { at: now, known: readUnitKnownById(db, unitCode) };
    cache.set(unitCode, hit);
    hit.known.catch(() => cache.delete(unitCode));
  }
  const skip = new Set(except);
  return mergeKnownPersonalData([...(await hit.known).entries()].flatMap(([id, k]) => (skip.has(id) ? [] : [k])));
}

/** Forgets the cached known personal data (unitKnownPersonalData) on this database: called when a household is registered or corrected, so the next read sees it at once. */
export function forgetKnownPersonalData(db: Db): void {
  BY_ID_CACHE.delete(db);
}
