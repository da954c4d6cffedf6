import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from 'mongodb';
import type { Actor } from '../domain/case';
import type { AgendaSources, AnsweredElsewhere, AnswererRole, CarriedItem, ItemOrigin, PartyDayRecord } from '../domain/party-day';
import { REPORT_CATEGORY_NAMES, type ReportCategory } from '../domain/report';
import { findCase, findCaseListDocs } from '../store/cases';
import type { PartyDayDoc } from '../store/collections';
import { claimPartyDayRun, getPartyDay, partyDaysOf, savePartyDayDoc, toPartyDayDoc } from '../store/party-days';
import { agendaSourcesOf, answerCommonIssue, commonIssuesOfReport } from '../store/reports';
import { handOverUpdate, itemsAnsweredElsewhereSignal } from '../workflows/party-day/contract';
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

  /** A record's carried-over items nobody has answered or ended since. */
  const openCarried = (d: PartyDayDoc) => d.items.filter((i) => d.carriedOver.includes(i.itemId) && i.answer === undefined && i.ended === undefined);

  /** One earlier month's open items: its workflow hands them over, or its record says what is left. */
  async function takeFrom(d: PartyDayDoc, to: string): Promise<CarriedItem[]> {
    try {
      return await temporal().workflow.getHandle(d.workflowId).executeUpdate(handOverUpdate, { args: [{ to }] });
    } catch (err) {
      // Finished (all answered, or handed over already): its record says what, if anything, is left.
      if (!alreadySettled(err)) throw err;
    }
    const latest = (await getPartyDay(deps.db, d._id)) ?? d;
    if (latest.handedOverTo && latest.handedOverTo !== to) return [];
    return openCarried(latest).map((i) => ({ itemId: i.itemId, origin: i.origin, refId: i.refId, category: i.category, title: i.title, carriedFrom: latest._id }));
  }

  /** Which of these report items are answered meanwhile (closed in the read model), as `report:<refId>`. */
  async function answeredRefs(items: CarriedItem[]): Promise<Set<string>> {
    const answered = new Set<string>();
    const reports = await findCaseListDocs(deps.db, items.filter((i) => i.origin === 'report').map((i) => i.refId));
    for (const [id, r] of reports) if (r.kind === 'report' && r.status === 'closed') answered.add(`report:${id}`);
    return answered;
  }

  return {
    /** One run per unit and month: answers with the workflow that holds it. */
    async claimPartyDay(args: { partyDayId: string; workflowId: string }): Promise<{ workflowId: string }> {
      return claimPartyDayRun(deps.db, args.partyDayId, args.workflowId);
    },

    /**
     * Takes over every earlier month's open items, not only last month's: a month skipped (a paused
     * schedule) or held late must not lose what came before it (ours; the seed asks that every report is
     * answered). For each earlier month of the unit that has not handed over to another Q&A, oldest first,
     * asks its workflow (which records the hand-over and closes) or — if it has finished — reads what its
     * record carried over and nobody answered. An item already taken from an older month is not taken
     * twice, and one whose report has been answered meanwhile through its own path is dropped.
     * `from` (last month, as runs before this change named it) is read too, whatever its position.
     */
    async takeOverPreviousMonth(args: { from: string; to: string }): Promise<CarriedItem[]> {
      const [unitCode, month] = args.to.split(':') as [string, string];
      const earlier = (await partyDaysOf(deps.db, unitCode))
        .filter((d) => d.month < month && (d.handedOverTo === undefined || d.handedOverTo === args.to))
        // Nothing to ask a month that is over and left nothing open.
        .filter((d) => d.status !== 'closed' || openCarried(d).length > 0 || d.handedOverTo === args.to)
        .sort((a, b) => a.month.localeCompare(b.month));
      const taken = new Map<string, CarriedItem>();
      for (const d of earlier) for (const item of await takeFrom(d, args.to)) if (!taken.has(`${item.origin}:${item.refId}`)) taken.set(`${item.origin}:${item.refId}`, item);
      const items = [...taken.values()];
      const answered = await answeredRefs(items);
      return items.filter((i) => !answered.has(`${i.origin}:${i.refId}`));
    },

    /**
     * A report was answered through its own path (the report workflow calls this once it closes): every
     * Q&A of its unit that still has it open on its agenda — as a report item, or as a common issue whose
     * reports are now all answered — is told (`itemsAnsweredElsewhereSignal`), and ends those items.
     * A Q&A that has finished meanwhile is skipped. Returns the Q&As told. Idempotent.
     */
    async settlePartyDayItems(args: { reportId: string; unitCode: string }): Promise<string[]> {
      const refs: AnsweredElsewhere['refs'] = [{ origin: 'report', refId: args.reportId }];
      for (const issue of await commonIssuesOfReport(deps.db, args.reportId)) {
        const reports = await findCaseListDocs(deps.db, issue.reportIds ?? []);
        if ([...reports.values()].every((r) => r.status === 'closed')) refs.push({ origin: 'common_issue', refId: issue._id });
      }
      const wanted = new Set(refs.map((r) => `${r.origin}:${r.refId}`));
      const told: string[] = [];
      for (const d of await partyDaysOf(deps.db, args.unitCode)) {
        if (d.handedOverTo !== undefined) continue;
        if (!d.items.some((i) => i.answer === undefined && i.ended === undefined && wanted.has(`${i.origin}:${i.refId}`))) continue;
        try {
          await temporal().workflow.getHandle(d.workflowId).signal(itemsAnsweredElsewhereSignal, { refs });
          told.push(d._id);
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }
      }
      return told;
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
