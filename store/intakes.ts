import { randomBytes } from 'node:crypto';
import type { Db } from 'mongodb';
import type { IntakeApplicant, IntakeView } from '../domain/intake';
import { collections, type CaseDoc } from './collections';
import { PII_FIELDS, piiOf } from './pii';

/**
 * What application intakes (申请受理, issue 14) keep outside their workflows (collections: store/collections.ts):
 * - `intake_applicants`: the applicant's name, ID number, phone and address — personal data kept out of
 *   workflow histories, the audit trail and the `cases` read model, sealed at rest (store/pii.ts) and masked by
 *   the API by role (domain/privacy.ts);
 * - the receipt (`report_receipts`, kind `application`: one namespace with reports and wishes, store/reports.ts).
 * And the town's queue read.
 */

/** A new intake id (its workflow id and case id): `intake-<16 hex>`, random. Ours. */
export const newIntakeId = (): string => `intake-${randomBytes(8).toString('hex')}`;

/** Stores an intake's applicant (sealed), before its workflow starts. */
export async function saveApplicant(db: Db, intakeId: string, a: IntakeApplicant): Promise<void> {
  const pii = piiOf(db);
  await collections(db).intakeApplicants.replaceOne(
    { _id: intakeId },
    {
      applicantName: pii.seal(a.applicantName, PII_FIELDS.contact),
      idNumber: pii.seal(a.idNumber, PII_FIELDS.idNumber),
      phone: pii.seal(a.phone, PII_FIELDS.phone),
      address: pii.seal(a.address, PII_FIELDS.contact),
      createdAt: new Date(),
    },
    { upsert: true },
  );
}

/** Undoes saveApplicant when the intake's workflow could not be started. */
export async function dropApplicant(db: Db, intakeId: string): Promise<void> {
  await collections(db).intakeApplicants.deleteOne({ _id: intakeId });
}

/** An intake's applicant, opened, or null. Personal data: the caller masks it. */
export async function applicantOf(db: Db, intakeId: string): Promise<IntakeApplicant | null> {
  const found = await collections(db).intakeApplicants.findOne({ _id: intakeId });
  if (!found) return null;
  const pii = piiOf(db);
  return { applicantName: pii.open(found.applicantName, PII_FIELDS.contact), idNumber: pii.open(found.idNumber, PII_FIELDS.idNumber), phone: pii.open(found.phone, PII_FIELDS.phone), address: pii.open(found.address, PII_FIELDS.contact) };
}

/**
 * The intakes in a unit's subtree (the town's queue, 申请受理): of a status, overdue first, then by due time
 * (earliest first), urgent before normal at the same time, then by id; at most `limit`. Ours.
 */
export async function intakeQueue(db: Db, q: { org: string; status: 'open' | 'closed'; limit: number }): Promise<CaseDoc<IntakeView>[]> {
  const docs = (await collections(db).cases.find({ orgPath: q.org, status: q.status, kind: 'intake' }).toArray()) as unknown as CaseDoc<IntakeView>[];
  const due = (d: CaseDoc<IntakeView>) => d.dueAt?.getTime() ?? Number.MAX_SAFE_INTEGER;
  return docs.sort((a, b) => Number(b.overdue) - Number(a.overdue) || due(a) - due(b) || Number(b.view.urgent) - Number(a.view.urgent) || a._id.localeCompare(b._id)).slice(0, q.limit);
}
