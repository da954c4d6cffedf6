import { randomBytes } from 'node:crypto';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { Actor } from '../../../domain/case';
import type { PartyDayView } from '../../../domain/party-day';
import { resolvePolicy } from '../../../domain/policy';
import { COLLECTIONS } from '../../../store/collections';
import { partyDayWorkflow } from '../../../workflows';
import { answerUpdate, partyDayWorkflowId, type PartyDayInput } from '../../../workflows/party-day/contract';
import { LADDER, VILLAGE, type TimeSkippingHarness } from '../time-skipping';

/** Drives the Party-day workflow as its Schedule and the API do (scenarios shared by test/workflows/party-day.test.ts and scripts/record-histories.ts). */

export const PARTY_DAY_STAFF: Actor = { userId: 'u-village', role: 'village_staff', unitCode: VILLAGE.code };
/** The default Party-day policy (grace one day). */
export const PARTY_DAY_POLICY = resolvePolicy(undefined, 'default').partyDay;

export type PartyDayHandle = WorkflowHandleWithFirstExecutionRunId<typeof partyDayWorkflow>;

/**
 * One confirmed common issue of 海港社区, as the reports side writes it, and (unless `reportId` names a
 * real one) an open report whose workflow is gone (closed and purged): answering it is "already settled".
 */
export async function seedAgenda(h: TimeSkippingHarness, tag: string, opts: { reportId?: string } = {}): Promise<{ issueId: string; reportId: string }> {
  const issueId = `ci-${VILLAGE.code}-assistance_policy-${tag}`;
  await h.mongo.db.collection(COLLECTIONS.commonIssues).insertOne({
    _id: issueId as never,
    unitCode: VILLAGE.code,
    category: 'assistance_policy',
    month: tag,
    title: '救助政策咨询（群众集中反映）',
    reportIds: [],
    status: 'confirmed',
    createdAt: new Date(),
  });
  if (opts.reportId) return { issueId, reportId: opts.reportId };
  const reportId = `rp-${randomBytes(8).toString('hex')}`;
  await h.mongo.db.collection(COLLECTIONS.cases).insertOne({ _id: reportId as never, kind: 'report', status: 'open', unitCode: VILLAGE.code, category: 'benefit_problem', workflowId: `report-${reportId}`, view: { text: '张三 13900000000 家里断粮' } });
  return { issueId, reportId };
}

/** Starts 海港社区's Q&A as its Schedule would, for the party day at `scheduledAt` (ms; undefined: its start time). */
export async function startPartyDay(h: TimeSkippingHarness, scheduledAt: number | undefined): Promise<PartyDayHandle> {
  const input: PartyDayInput = { unitCode: VILLAGE.code, unit: VILLAGE, ladder: LADDER, policy: PARTY_DAY_POLICY, ...(scheduledAt === undefined ? {} : { scheduledAt: new Date(scheduledAt).toISOString() }) };
  const at = new Date(scheduledAt ?? (await h.env.currentTimeMs())).toISOString().replace(/\.\d+Z$/, 'Z');
  const handle = await h.env.client.workflow.start(partyDayWorkflow, { workflowId: `${partyDayWorkflowId(VILLAGE.code)}-${at}`, taskQueue: h.taskQueue, args: [input] });
  h.track(handle);
  return handle;
}

/** Records the answer given on site to item `itemId`. */
export const answerItem = (handle: PartyDayHandle, partyDayId: string, itemId: string): Promise<PartyDayView> =>
  handle.executeUpdate(answerUpdate, { args: [{ partyDayId, itemId, answer: '已现场答复。', answeredBy: { role: 'committee_member', name: '王书记' }, actor: PARTY_DAY_STAFF }] });
