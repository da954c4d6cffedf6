import type { Db } from 'mongodb';
import { collections } from './collections';
import { openHousehold, sealHousehold } from './households';
import { PII_FIELDS, SEALED_VIEW_PATHS, isSealed, mapStringsAt, openView, piiOf, sealView, sealedKid, type PiiKeyring } from './pii';

/**
 * Brings every encrypted value of the read model to the configured keys (store/pii.ts): values written in
 * plain (before encryption) or under another key than the active one are sealed again with the active
 * key, and every blind index is recomputed with the index key in force. Idempotent and resumable: what
 * is already current is left alone, so a run cut short is finished by the next. Run once by the
 * migration `2026-11-pii-at-rest` and by `npm run rekey` after a key change (docs/security.md).
 * @returns how many documents each collection had changed.
 * @throws PiiError when a value was sealed with a key that is no longer configured.
 */
export async function rekeyReadModel(db: Db): Promise<{ households: number; contacts: number; helpers: number; cases: number; discoveryHouseholds: number; intakeApplicants: number }> {
  const keyring = piiOf(db);
  const { households, contacts, helpers, cases, discoveryHouseholds, intakeApplicants } = collections(db);
  const current = (v: string) => isSealed(v) && sealedKid(v) === keyring.activeKid;
  const counts = { households: 0, contacts: 0, helpers: 0, cases: 0, discoveryHouseholds: 0, intakeApplicants: 0 };

  for await (const stored of households.find({})) {
    const plain = openHousehold(keyring, stored);
    const fresh = sealHousehold(keyring, plain);
    const stale =
      ![stored.headIdNumber, stored.phone, ...stored.members.map((m) => m.idNumber)].every(current) ||
      stored.headIdKey !== fresh.headIdKey ||
      JSON.stringify(stored.idKeys) !== JSON.stringify(fresh.idKeys);
    if (!stale) continue;
    await households.replaceOne({ _id: stored._id }, fresh);
    await reclaimIdNumbers(db, stored._id, stored.idKeys ?? [], fresh.idKeys);
    counts.households += 1;
  }
  for await (const c of contacts.find({})) {
    if (current(c.contact)) continue;
    await contacts.updateOne({ _id: c._id }, { $set: { contact: keyring.seal(keyring.open(c.contact, PII_FIELDS.contact), PII_FIELDS.contact) } });
    counts.contacts += 1;
  }
  for await (const h of helpers.find({})) {
    if (current(h.contact)) continue;
    await helpers.updateOne({ _id: h._id }, { $set: { contact: keyring.seal(keyring.open(h.contact, PII_FIELDS.contact), PII_FIELDS.contact) } });
    counts.helpers += 1;
  }
  // A discovery's new household (issue 13, store/discoveries.ts): name and address under `contact`, the phone under `phone`.
  for await (const d of discoveryHouseholds.find({})) {
    if (current(d.name) && current(d.address) && (d.phone === null || current(d.phone))) continue;
    const again = (v: string, field: string) => keyring.seal(keyring.open(v, field), field);
    await discoveryHouseholds.updateOne(
      { _id: d._id },
      { $set: { name: again(d.name, PII_FIELDS.contact), address: again(d.address, PII_FIELDS.contact), phone: d.phone === null ? null : again(d.phone, PII_FIELDS.phone) } },
    );
    counts.discoveryHouseholds += 1;
  }
  // An intake's applicant (issue 14, store/intakes.ts): name and address under `contact`, the ID number and phone under their own.
  for await (const a of intakeApplicants.find({})) {
    if ([a.applicantName, a.idNumber, a.phone, a.address].every(current)) continue;
    const again = (v: string, field: string) => keyring.seal(keyring.open(v, field), field);
    await intakeApplicants.updateOne(
      { _id: a._id },
      { $set: { applicantName: again(a.applicantName, PII_FIELDS.contact), idNumber: again(a.idNumber, PII_FIELDS.idNumber), phone: again(a.phone, PII_FIELDS.phone), address: again(a.address, PII_FIELDS.contact) } },
    );
    counts.intakeApplicants += 1;
  }
  for (const kind of Object.keys(SEALED_VIEW_PATHS)) {
    for await (const c of cases.find({ kind: kind as never }, { projection: { kind: 1, version: 1, view: 1 } })) {
      if (!viewIsCurrent(keyring, kind, c.view)) {
        // Only the version read: a newer projection meanwhile wrote a view sealed with the active key.
        await cases.updateOne({ _id: c._id, version: c.version }, { $set: { view: sealView(keyring, kind, openView(keyring, kind, c.view)) } });
        counts.cases += 1;
      }
    }
  }
  return counts;
}

/**
 * Moves a household's ID-number claims (store/households.ts) to its new blind indexes after an index-key
 * change: claims the new keys (a claim already there is kept), then withdraws the old ones it held.
 * @throws what the database throws; a rerun finishes what a cut-short run left.
 */
async function reclaimIdNumbers(db: Db, householdId: string, oldKeys: readonly string[], newKeys: readonly string[]): Promise<void> {
  const { idNumberClaims } = collections(db);
  for (const key of newKeys) {
    await idNumberClaims.updateOne({ _id: key }, { $setOnInsert: { householdId, at: new Date() } }, { upsert: true });
  }
  const gone = oldKeys.filter((k) => !newKeys.includes(k));
  if (gone.length) await idNumberClaims.deleteMany({ _id: { $in: gone }, householdId });
}

/** Whether every sealed path of a stored view holds a value sealed with the active key. */
function viewIsCurrent(keyring: PiiKeyring, kind: string, view: unknown): boolean {
  let ok = true;
  for (const path of SEALED_VIEW_PATHS[kind] ?? []) {
    mapStringsAt(view, path, (s) => {
      if (!isSealed(s) || sealedKid(s) !== keyring.activeKid) ok = false;
      return s;
    });
  }
  return ok;
}
