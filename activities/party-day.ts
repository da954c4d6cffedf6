import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from 'mongodb';
import type { Actor } from '../domain/case';
import type { AgendaSources, AnswererRole, CarriedItem, ItemOrigin, PartyDayRecord } from '../domain/party-day';
import { REPORT_CATEGORY_NAMES, type ReportCategory } from '../domain/report';
import { findCase } from '../store/cases';
import { claimPartyDayRun, getPartyDay, savePartyDayDoc, toPartyDayDoc } from '../store/party-days';
import { agendaSourcesOf, answerCommonIssue } from '../store/reports';
import { handOverUpdate } from '../workflows/party-day/contract';
import { answerReportUpdate, reportWorkflowId } from '../workflows/report/contract';

export type ForwardResult = 'answered' | 'already_answered';

/** Did the other workflow refuse because it is already answered, closed or gone? Then there is nothing to do. */
function alreadySettled(err: unknown): boolean {
  return err instanceof WorkflowNotFoundError || (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === 'conflict');
}

/**
 * The Party-day Q&A's activities: its claim on the unit's month, the agenda from the read model, the
 * public record, and reaching the workflows around it (last month's Q&A, the reports it answers).
 */
export function createPartyDayActivities(deps: { db: Db; temporal?: Client }) {
  const temporal = (): Client => {
    if (!deps.temporal) throw ApplicationFailure.nonRetryable('this worker has no Temporal client to reach other workflows', 'configuration');
    return deps.temporal;
  };

  /** Answers one report through its workflow; one already answered (by staff, or an earlier try) is fine. */
  async function answerReport(reportId: string, args: { answer: string; answeredBy: { role: AnswererRole; name: string }; actor: Actor }): Promise<ForwardResult> {
    const report = await findCase(deps.db, reportId, 'report');
    if (report?.status === 'closed') return 'already_answered';
    try {
      await temporal()
        .workflow.getHandle(report?.workflowId ?? reportWorkflowId(reportId))
        .executeUpdate(answerReportUpdate, { args: [{ caseId: reportId, actor: args.actor, answer: args.answer, answeredBy: args.answeredBy, channel: 'party_day' }] });
      return 'answered';
    } catch (err) {
      if (alreadySettled(err)) return 'already_answered';
      throw err;
    }
  }

  return {
    /** One run per unit and month: answers with the workflow that holds it. */
    async claimPartyDay(args: { partyDayId: string; workflowId: string }): Promise<{ workflowId: string }> {
      return claimPartyDayRun(deps.db, args.partyDayId, args.workflowId);
    },

    /**
     * Takes last month's open items: asks last month's workflow (which records the hand-over and closes),
     * or — if it has finished — reads what its record carried over and nobody answered.
     */
    async takeOverPreviousMonth(args: { from: string; to: string }): Promise<CarriedItem[]> {
      const previous = await getPartyDay(deps.db, args.from);
      if (!previous) return [];
      try {
        return await temporal().workflow.getHandle(previous.workflowId).executeUpdate(handOverUpdate, { args: [{ to: args.to }] });
      } catch (err) {
        // Finished (all answered, or handed over already): its record says what, if anything, is left.
        if (!alreadySettled(err)) throw err;
      }
      const latest = (await getPartyDay(deps.db, args.from)) ?? previous;
      if (latest.handedOverTo && latest.handedOverTo !== args.to) return [];
      return latest.items
        .filter((i) => latest.carriedOver.includes(i.itemId) && i.answer === undefined)
        .map((i) => ({ itemId: i.itemId, origin: i.origin, refId: i.refId, category: i.category, title: i.title, carriedFrom: latest._id }));
    },

    /**
     * The unit's common issues still to answer and its open reports, reduced to what a public agenda may
     * show: ids, categories, the issues' titles, the reports' category names — never a report's text.
     */
    async gatherPartyDayAgenda(args: { unitCode: string }): Promise<Omit<AgendaSources, 'carried'>> {
      const { issues, reports } = await agendaSourcesOf(deps.db, args.unitCode);
      return {
        commonIssues: issues.map((i) => ({ id: i._id, category: i.category, title: i.title, reportIds: i.reportIds ?? [] })),
        reports: reports.map((r) => {
          const category = r.category ?? 'other';
          return { id: r._id, category, categoryName: REPORT_CATEGORY_NAMES[category as ReportCategory] ?? '群众反映' };
        }),
      };
    },

    async savePartyDay(args: { record: PartyDayRecord; workflowId: string }): Promise<void> {
      await savePartyDayDoc(deps.db, toPartyDayDoc(args.record, args.workflowId));
    },

    /**
     * An answer given on site also answers what the item stands for: a report through its workflow
     * (channel party_day); a common issue is marked answered and each report behind it gets the answer.
     */
    async forwardPartyDayAnswer(args: {
      partyDayId: string;
      origin: ItemOrigin;
      refId: string;
      answer: string;
      answeredBy: { role: AnswererRole; name: string };
      actor: Actor;
    }): Promise<{ commonIssue?: 'answered' | 'missing'; reports: { reportId: string; result: ForwardResult }[] }> {
      if (args.origin === 'report') return { reports: [{ reportId: args.refId, result: await answerReport(args.refId, args) }] };
      const issue = await answerCommonIssue(deps.db, args.refId, { answer: args.answer, answeredBy: args.answeredBy, partyDayId: args.partyDayId });
      if (!issue) return { commonIssue: 'missing', reports: [] };
      const reports: { reportId: string; result: ForwardResult }[] = [];
      for (const reportId of issue.reportIds ?? []) reports.push({ reportId, result: await answerReport(reportId, args) });
      return { commonIssue: 'answered', reports };
    },
  };
}
