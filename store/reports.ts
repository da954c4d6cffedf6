import { randomInt } from 'node:crypto';
import type { Db } from 'mongodb';
import { z } from 'zod';
import { commonIssueId, RECEIPT_ALPHABET, RECEIPT_LENGTH, REPORT_CATEGORY_NAMES, type ReportCategory } from '../domain/report';
import type { ReportView } from '../domain/report';
import { collections, type CaseDoc, type CommonIssueDoc, type UnitProfileDoc } from './collections';
import { findCase } from './cases';
import { isDuplicateKey } from './mongo';
import { PII_FIELDS, piiOf } from './pii';

/**
 * What public reports keep outside their workflows, and the unit profiles behind the QR pages
 * (collections and document types: store/collections.ts).
 * - `report_receipts`: receipt code → report id, so the public can look up a report by its receipt only
 *   (an `_id` read: FerretDB v1 filters nothing else in SQL).
 * - `report_contacts`: report id → the reporter's contact, if given. Personal data stays here, out of
 *   workflow histories, the audit trail and the `cases` read model, and is shown by the API, masked
 *   below town level. Encrypted at rest (store/pii.ts).
 * - `unit_profiles`: per village/community, the policy text and contacts staff maintain.
 * - `common_issues`: 共性问题 per unit, category and month (the Party-day agenda reads them).
 */

/** A receipt code: 12 characters from a 31-letter alphabet (~59 bits), uniformly drawn. */
export function newReceipt(): string {
  let r = '';
  for (let i = 0; i < RECEIPT_LENGTH; i++) r += RECEIPT_ALPHABET[randomInt(RECEIPT_ALPHABET.length)];
  return r;
}

/**
 * Stores a new receipt for a report — or (issue 14, `kind`) an intake or a wish: one namespace for the public
 * channel — and a report's contact; draws again on the (astronomically unlikely) collision.
 */
export async function saveReceipt(db: Db, args: { reportId: string; unitCode: string; contact?: string; kind?: 'application' | 'wish' }): Promise<string> {
  const { receipts, contacts } = collections(db);
  for (let attempt = 0; ; attempt++) {
    const receipt = newReceipt();
    try {
      await receipts.insertOne({ _id: receipt, reportId: args.reportId, unitCode: args.unitCode, ...(args.kind ? { kind: args.kind } : {}), createdAt: new Date() });
    } catch (err) {
      if (isDuplicateKey(err) && attempt < 5) continue;
      throw err;
    }
    if (args.contact) await contacts.insertOne({ _id: args.reportId, contact: piiOf(db).seal(args.contact, PII_FIELDS.contact), createdAt: new Date() });
    return receipt;
  }
}

/** Undoes saveReceipt when the report's workflow could not be started. */
export async function dropReceipt(db: Db, receipt: string, reportId: string): Promise<void> {
  const { receipts, contacts } = collections(db);
  await receipts.deleteOne({ _id: receipt });
  await contacts.deleteOne({ _id: reportId });
}

/** The report a receipt stands for, with its receipt code, or null for a receipt nobody was given (or not yet projected). */
export async function reportByReceipt(db: Db, receipt: string): Promise<{ receipt: string; report: CaseDoc<ReportView> } | null> {
  const found = await collections(db).receipts.findOne({ _id: receipt });
  const report = found && (await findCase<ReportView>(db, found.reportId, 'report'));
  return found && report ? { receipt: found._id, report } : null;
}

/** What a receipt follows (any kind), or null for a receipt nobody was given. */
export async function receiptOf(db: Db, receipt: string): Promise<{ receipt: string; kind: 'report' | 'application' | 'wish'; caseId: string; unitCode: string } | null> {
  const found = await collections(db).receipts.findOne({ _id: receipt });
  return found ? { receipt: found._id, kind: found.kind ?? 'report', caseId: found.reportId, unitCode: found.unitCode } : null;
}

/** The reporter's contact, or null when none was given. Personal data: the caller masks it below town level. */
export async function contactOf(db: Db, reportId: string): Promise<string | null> {
  const found = await collections(db).contacts.findOne({ _id: reportId });
  return found ? piiOf(db).open(found.contact, PII_FIELDS.contact) : null;
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
    policies: z.string().max(5000).trim(),
    contacts: z.array(z.object({ role: z.string().max(30).trim().min(1), name: z.string().max(30).trim().min(1), phone: zOfficePhone }).strict()).max(20),
  })
  .strict();
export type UnitProfileInput = z.infer<typeof zUnitProfileInput>;

/** A unit's profile, or null when nobody has written one. */
export async function loadUnitProfile(db: Db, unitCode: string): Promise<UnitProfileDoc | null> {
  return collections(db).unitProfiles.findOne({ _id: unitCode });
}

/** Replaces a unit's profile (already checked with zUnitProfileInput), recording who changed it. */
export async function saveUnitProfile(db: Db, unitCode: string, profile: UnitProfileInput, user: string): Promise<UnitProfileDoc> {
  const doc: UnitProfileDoc = { _id: unitCode, ...profile, updatedAt: new Date(), updatedBy: user };
  await collections(db).unitProfiles.replaceOne({ _id: unitCode }, doc, { upsert: true });
  return doc;
}

// ── Common issues (共性问题) ─────────────────────────────────────────────────────────────────────

const defaultTitle = (category: string) => `${REPORT_CATEGORY_NAMES[category as ReportCategory] ?? category}（群众集中反映）`;

async function upsertIssue(db: Db, key: { unitCode: string; category: string; month: string }, reportIds: string[], set: Partial<CommonIssueDoc>, insert: Partial<CommonIssueDoc>): Promise<void> {
  const _id = commonIssueId(key.unitCode, key.category, key.month);
  const issues = collections(db).commonIssues;
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
  const docs = await collections(db)
    .cases.find({ kind: 'report', unitCode: args.unitCode, category: args.category, 'view.receivedAt': { $gte: from, $lte: to } }, { projection: { _id: 1 } })
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
  await upsertIssue(db, { unitCode: args.unitCode, category: args.category, month: args.month }, [args.reportId], args.title ? { title: args.title } : {}, { ...(args.title ? {} : { title: defaultTitle(args.category) }), status: 'confirmed' });
  await collections(db).commonIssues.updateOne({ _id, status: 'proposed' }, { $set: { status: 'confirmed' } });
  return _id;
}

/** The common issues of the given units, optionally of one status and month; newest month first, then by id. */
export async function listCommonIssues(db: Db, filter: { unitCodes: string[]; status?: CommonIssueDoc['status']; month?: string }): Promise<CommonIssueDoc[]> {
  const query: Record<string, unknown> = { unitCode: { $in: filter.unitCodes } };
  if (filter.status) query.status = filter.status;
  if (filter.month) query.month = filter.month;
  const docs = await collections(db).commonIssues.find(query).toArray();
  return docs.sort((a, b) => b.month.localeCompare(a.month) || a._id.localeCompare(b._id));
}

/** The common issues a report belongs to. */
export async function commonIssuesOfReport(db: Db, reportId: string): Promise<CommonIssueDoc[]> {
  return collections(db).commonIssues.find({ reportIds: reportId }).toArray();
}

/**
 * What a unit's Party-day agenda draws on: its common issues still to answer (oldest month first) and its
 * open reports (oldest first), reduced to ids, categories, the issues' titles and report ids — never a
 * report's text.
 */
export async function agendaSourcesOf(
  db: Db,
  unitCode: string,
): Promise<{ issues: Pick<CommonIssueDoc, '_id' | 'category' | 'title' | 'reportIds' | 'month'>[]; reports: { _id: string; category: string | null }[] }> {
  const { commonIssues, cases } = collections(db);
  const issues = await commonIssues
    .find({ unitCode, status: { $in: ['proposed', 'confirmed'] } }, { projection: { _id: 1, category: 1, title: 1, reportIds: 1, month: 1 } })
    .toArray();
  const reports = await cases.find({ kind: 'report', status: 'open', unitCode }, { projection: { _id: 1, category: 1, 'view.receivedAt': 1 } }).toArray();
  const receivedAt = (r: CaseDoc) => (r.view?.receivedAt as string | undefined) ?? '';
  issues.sort((a, b) => a.month.localeCompare(b.month) || a._id.localeCompare(b._id));
  reports.sort((a, b) => receivedAt(a).localeCompare(receivedAt(b)) || a._id.localeCompare(b._id));
  return { issues, reports: reports.map((r) => ({ _id: r._id, category: r.category })) };
}

/**
 * A common issue answered at a Party day: marked answered with the answer (once: an issue already
 * answered keeps its first answer). Returns the issue as it was before, or null if there is none.
 */
export async function answerCommonIssue(
  db: Db,
  issueId: string,
  args: { answer: string; answeredBy: { role: string; name: string }; partyDayId: string },
): Promise<CommonIssueDoc | null> {
  const issues = collections(db).commonIssues;
  const issue = await issues.findOne({ _id: issueId });
  if (issue && issue.status !== 'answered') {
    await issues.updateOne({ _id: issueId }, { $set: { status: 'answered', answer: args.answer, answeredBy: args.answeredBy, answeredAt: new Date(), partyDayId: args.partyDayId } });
  }
  return issue;
}
