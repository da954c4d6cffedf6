import { randomInt } from 'node:crypto';
import type { Db } from 'mongodb';
import { z } from 'zod';
import { commonIssueId, RECEIPT_ALPHABET, RECEIPT_LENGTH, REPORT_CATEGORY_NAMES, type ReportCategory } from '../domain/report';
import { COLLECTIONS, isDuplicateKey } from './mongo';

/**
 * What public reports keep outside their workflows, and the unit profiles behind the QR pages.
 * - `report_receipts`: receipt code → report id, so the public can look up a report by its receipt only
 *   (an `_id` read: FerretDB v1 filters nothing else in SQL).
 * - `report_contacts`: report id → the reporter's contact, if given. Personal data stays here, out of
 *   workflow histories, the audit trail and the `cases` read model, and is shown by the API, masked
 *   below town level.
 * - `unit_profiles`: per village/community, the policy text and contacts staff maintain.
 * - `common_issues`: 共性问题 per unit, category and month (the Party-day agenda reads them).
 */
export const REPORT_COLLECTIONS = {
  receipts: 'report_receipts',
  contacts: 'report_contacts',
  profiles: 'unit_profiles',
  commonIssues: 'common_issues',
} as const;

export interface ReceiptDoc {
  _id: string;
  reportId: string;
  unitCode: string;
  createdAt: Date;
}
export interface ContactDoc {
  _id: string;
  contact: string;
  createdAt: Date;
}

/** A receipt code: 12 characters from a 31-letter alphabet (~59 bits), uniformly drawn. */
export function newReceipt(): string {
  let r = '';
  for (let i = 0; i < RECEIPT_LENGTH; i++) r += RECEIPT_ALPHABET[randomInt(RECEIPT_ALPHABET.length)];
  return r;
}

/** Stores a new receipt for a report; draws again on the (astronomically unlikely) collision. */
export async function saveReceipt(db: Db, args: { reportId: string; unitCode: string; contact?: string }): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const receipt = newReceipt();
    try {
      await db.collection<ReceiptDoc>(REPORT_COLLECTIONS.receipts).insertOne({ _id: receipt, reportId: args.reportId, unitCode: args.unitCode, createdAt: new Date() });
    } catch (err) {
      if (isDuplicateKey(err) && attempt < 5) continue;
      throw err;
    }
    if (args.contact) await db.collection<ContactDoc>(REPORT_COLLECTIONS.contacts).insertOne({ _id: args.reportId, contact: args.contact, createdAt: new Date() });
    return receipt;
  }
}

/** Undoes saveReceipt when the report's workflow could not be started. */
export async function dropReceipt(db: Db, receipt: string, reportId: string): Promise<void> {
  await db.collection<ReceiptDoc>(REPORT_COLLECTIONS.receipts).deleteOne({ _id: receipt });
  await db.collection<ContactDoc>(REPORT_COLLECTIONS.contacts).deleteOne({ _id: reportId });
}

export async function findReceipt(db: Db, receipt: string): Promise<ReceiptDoc | null> {
  return db.collection<ReceiptDoc>(REPORT_COLLECTIONS.receipts).findOne({ _id: receipt });
}

export async function contactOf(db: Db, reportId: string): Promise<string | null> {
  return (await db.collection<ContactDoc>(REPORT_COLLECTIONS.contacts).findOne({ _id: reportId }))?.contact ?? null;
}

// ── Unit profiles ────────────────────────────────────────────────────────────────────────────────

/**
 * An office phone: a landline (0631-5201234, optionally an extension) or a short service number
 * (12345). Mobile numbers are refused: the page is public, and a mobile is usually a person's own.
 */
export const zOfficePhone = z
  .string()
  .trim()
  .regex(/^(0\d{2,3}-?\d{7,8}(-\d{1,6})?|\d{5,6})$/, 'expected an office landline such as 0631-5201234 or a service number such as 12345 (personal mobile numbers are not published)');
export const zUnitProfileInput = z
  .object({
    policies: z.string().trim().max(5000),
    contacts: z.array(z.object({ role: z.string().trim().min(1).max(30), name: z.string().trim().min(1).max(30), phone: zOfficePhone }).strict()).max(20),
  })
  .strict();
export type UnitProfileInput = z.infer<typeof zUnitProfileInput>;
export interface UnitProfileDoc extends UnitProfileInput {
  _id: string;
  updatedAt: Date;
  updatedBy: string;
}

export async function loadUnitProfile(db: Db, unitCode: string): Promise<UnitProfileDoc | null> {
  return db.collection<UnitProfileDoc>(REPORT_COLLECTIONS.profiles).findOne({ _id: unitCode });
}

export async function saveUnitProfile(db: Db, unitCode: string, profile: UnitProfileInput, user: string): Promise<UnitProfileDoc> {
  const doc: UnitProfileDoc = { _id: unitCode, ...profile, updatedAt: new Date(), updatedBy: user };
  await db.collection<UnitProfileDoc>(REPORT_COLLECTIONS.profiles).replaceOne({ _id: unitCode }, doc, { upsert: true });
  return doc;
}

// ── Common issues (共性问题) ─────────────────────────────────────────────────────────────────────

/** The shape the Party-day agenda reads: keep it exactly. */
export interface CommonIssueDoc {
  _id: string;
  unitCode: string;
  category: string;
  month: string;
  title: string;
  reportIds: string[];
  status: 'proposed' | 'confirmed' | 'answered';
  createdAt: Date;
  answeredAt?: Date;
}

const defaultTitle = (category: string) => `${REPORT_CATEGORY_NAMES[category as ReportCategory] ?? category}（群众集中反映）`;

async function upsertIssue(db: Db, key: { unitCode: string; category: string; month: string }, reportIds: string[], set: Partial<CommonIssueDoc>, insert: Partial<CommonIssueDoc>): Promise<void> {
  const _id = commonIssueId(key.unitCode, key.category, key.month);
  const issues = db.collection<CommonIssueDoc>(REPORT_COLLECTIONS.commonIssues);
  const update = { $setOnInsert: { ...key, createdAt: new Date(), ...insert }, $addToSet: { reportIds: { $each: reportIds } }, ...(Object.keys(set).length ? { $set: set } : {}) };
  try {
    await issues.updateOne({ _id }, update, { upsert: true });
  } catch (err) {
    // Two reports crossing the threshold together: both upsert, one inserts, the other retries as an update.
    if (!isDuplicateKey(err)) throw err;
    await issues.updateOne({ _id }, update);
  }
}

/**
 * At a report's receipt: when the unit has `threshold` reports of its category within `windowMs` up to
 * it, propose the month's common issue (once per unit, category and month) and add them all to it.
 * Counts what the `cases` read model holds, so it sees every report projected so far. Returns the
 * issue id and the count, or null below the threshold.
 */
export async function proposeCommonIssue(
  db: Db,
  args: { reportId: string; unitCode: string; category: string; receivedAt: number; month: string; threshold: number; windowMs: number },
): Promise<{ issueId: string; reports: number } | null> {
  const from = new Date(args.receivedAt - args.windowMs).toISOString();
  const to = new Date(args.receivedAt).toISOString();
  const docs = await db
    .collection<{ _id: string; view: { receivedAt: string } }>(COLLECTIONS.cases)
    .find({ kind: 'report', unitCode: args.unitCode, category: args.category, 'view.receivedAt': { $gte: from, $lte: to } } as never, { projection: { _id: 1 } })
    .toArray();
  const reportIds = [...new Set([...docs.map((d) => d._id), args.reportId])].sort();
  if (reportIds.length < args.threshold) return null;
  // An issue already confirmed or answered keeps its status; only a new one starts as a proposal.
  await upsertIssue(db, { unitCode: args.unitCode, category: args.category, month: args.month }, reportIds, {}, { title: defaultTitle(args.category), status: 'proposed' });
  return { issueId: commonIssueId(args.unitCode, args.category, args.month), reports: reportIds.length };
}

/**
 * Staff marked a report as a common issue: the month's issue of its unit and category is created or
 * confirmed (a proposal becomes confirmed; an answered issue stays answered) and the report added.
 */
export async function confirmCommonIssue(db: Db, args: { reportId: string; unitCode: string; category: string; month: string; title?: string }): Promise<string> {
  const _id = commonIssueId(args.unitCode, args.category, args.month);
  const issues = db.collection<CommonIssueDoc>(REPORT_COLLECTIONS.commonIssues);
  await upsertIssue(db, { unitCode: args.unitCode, category: args.category, month: args.month }, [args.reportId], args.title ? { title: args.title } : {}, { ...(args.title ? {} : { title: defaultTitle(args.category) }), status: 'confirmed' });
  await issues.updateOne({ _id, status: 'proposed' }, { $set: { status: 'confirmed' } });
  return _id;
}

export async function listCommonIssues(db: Db, filter: { unitCodes: string[]; status?: CommonIssueDoc['status']; month?: string }): Promise<CommonIssueDoc[]> {
  const query: Record<string, unknown> = { unitCode: { $in: filter.unitCodes } };
  if (filter.status) query.status = filter.status;
  if (filter.month) query.month = filter.month;
  const docs = await db.collection<CommonIssueDoc>(REPORT_COLLECTIONS.commonIssues).find(query).toArray();
  return docs.sort((a, b) => b.month.localeCompare(a.month) || a._id.localeCompare(b._id));
}

export async function commonIssuesOfReport(db: Db, reportId: string): Promise<CommonIssueDoc[]> {
  return db.collection<CommonIssueDoc>(REPORT_COLLECTIONS.commonIssues).find({ reportIds: reportId }).toArray();
}
