import { createHash } from 'node:crypto';
import type { Db } from 'mongodb';
import type { DiscoveryView, NewHousehold } from '../domain/discovery';
import type { CaseKind } from '../domain/projection';
import { collections, type CaseDoc, type CaseLinkDoc } from './collections';
import { PII_FIELDS, piiOf } from './pii';

/**
 * What active discoveries (主动发现, issue 13) keep outside their workflows (collections: store/collections.ts):
 * - `discovery_households`: a discovery's household not yet in the register — name, address, phone —
 *   personal data kept out of workflow histories, the audit trail and the `cases` read model (as a public
 *   report's contact, store/reports.ts), encrypted at rest (store/pii.ts) and masked by the API below town
 *   level (domain/privacy.ts).
 * - `case_links`: a discovery and the alert or application its decision led to, read both ways.
 * And the reads of the discovery lists (the reporter's, the town's queue).
 */

/**
 * A discovery's id (its workflow id) from its business key, the reporter's login and the client's key:
 * `discovery-<16 hex of sha256>` — the same key from the same reporter names the same discovery, and a
 * login never shows in an id. Ours.
 */
export function discoveryIdFor(userId: string, key: string): string {
  return `discovery-${createHash('sha256').update(`${userId}\n${key}`).digest('hex').slice(0, 16)}`;
}

/**
 * Stores a discovery's new household (sealed), before its workflow starts. The caller has found no discovery
 * under the id: a document left by an attempt whose start failed is replaced by this one.
 */
export async function saveNewHousehold(db: Db, discoveryId: string, h: NewHousehold): Promise<void> {
  const pii = piiOf(db);
  await collections(db).discoveryHouseholds.replaceOne(
    { _id: discoveryId },
    { name: pii.seal(h.name, PII_FIELDS.contact), address: pii.seal(h.address, PII_FIELDS.contact), phone: h.phone ? pii.seal(h.phone, PII_FIELDS.phone) : null, createdAt: new Date() },
    { upsert: true },
  );
}

/** A discovery's new household, opened, or null when it named a registered one. Personal data: the caller masks it. */
export async function newHouseholdOf(db: Db, discoveryId: string): Promise<NewHousehold | null> {
  return (await newHouseholdsOf(db, [discoveryId])).get(discoveryId) ?? null;
}

/**
 * The new households of these discoveries, opened, in one query (a list's page: the town's queue, 我的上报), by
 * discovery id; a discovery that named a registered household is absent. Personal data: the caller masks it.
 */
export async function newHouseholdsOf(db: Db, discoveryIds: readonly string[]): Promise<Map<string, NewHousehold>> {
  const out = new Map<string, NewHousehold>();
  if (discoveryIds.length === 0) return out;
  const pii = piiOf(db);
  for (const found of await collections(db).discoveryHouseholds.find({ _id: { $in: [...new Set(discoveryIds)] } }).toArray()) {
    out.set(found._id, { name: pii.open(found.name, PII_FIELDS.contact), address: pii.open(found.address, PII_FIELDS.contact), ...(found.phone ? { phone: pii.open(found.phone, PII_FIELDS.phone) } : {}) });
  }
  return out;
}

/** Links two cases (idempotent: a retried activity writes the same document). */
export async function linkCases(db: Db, link: { from: string; fromKind: CaseKind; to: string; toKind: CaseKind; relation: CaseLinkDoc['relation'] }): Promise<void> {
  await collections(db).caseLinks.updateOne({ _id: `${link.from}>${link.to}` }, { $setOnInsert: { ...link, at: new Date() } }, { upsert: true });
}

/** A case's links, both ways, oldest first: `direction` 'to' (it led to the other case) or 'from' (it came from it). */
export async function linksOf(db: Db, caseId: string): Promise<{ caseId: string; kind: CaseKind; relation: CaseLinkDoc['relation']; direction: 'to' | 'from'; at: string }[]> {
  const { caseLinks } = collections(db);
  const [out, into] = await Promise.all([caseLinks.find({ from: caseId }).toArray(), caseLinks.find({ to: caseId }).toArray()]);
  return [
    ...out.map((l) => ({ caseId: l.to, kind: l.toKind, relation: l.relation, direction: 'to' as const, at: l.at.toISOString() })),
    ...into.map((l) => ({ caseId: l.from, kind: l.fromKind, relation: l.relation, direction: 'from' as const, at: l.at.toISOString() })),
  ].sort((a, b) => a.at.localeCompare(b.at));
}

/** A position in a reporter's list (newest first): the report's time (ISO) and the discovery's id. */
export interface ReportedPosition {
  reportedAt: string;
  id: string;
}

/**
 * A reporter's discoveries (by login), newest first (by `view.reportedAt`, then id, both descending), at most
 * `limit`, after `after` (a keyset position: api/pagination.ts).
 */
export async function discoveriesOfReporter(db: Db, userId: string, limit: number, after?: ReportedPosition): Promise<CaseDoc<DiscoveryView>[]> {
  const past = after ? { $or: [{ 'view.reportedAt': { $lt: after.reportedAt } }, { 'view.reportedAt': after.reportedAt, _id: { $lt: after.id } }] } : {};
  const docs = await collections(db)
    .cases.find({ kind: 'discovery', 'view.reporterUserId': userId, ...past })
    .sort({ 'view.reportedAt': -1, _id: -1 })
    .limit(limit)
    .toArray();
  return docs as unknown as CaseDoc<DiscoveryView>[];
}

/**
 * The discoveries in a unit's subtree (the town's queue, 发现待研判): of a status, urgent first, then by due
 * time (earliest first), then by id; at most `limit`. Ours.
 */
export async function discoveryQueue(db: Db, q: { org: string; status: 'open' | 'closed'; limit: number }): Promise<CaseDoc<DiscoveryView>[]> {
  const docs = (await collections(db).cases.find({ orgPath: q.org, status: q.status, kind: 'discovery' }).toArray()) as unknown as CaseDoc<DiscoveryView>[];
  const due = (d: CaseDoc<DiscoveryView>) => d.dueAt?.getTime() ?? Number.MAX_SAFE_INTEGER;
  return docs.sort((a, b) => Number(b.view.urgent) - Number(a.view.urgent) || due(a) - due(b) || a._id.localeCompare(b._id)).slice(0, q.limit);
}
