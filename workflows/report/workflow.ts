import { log, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import {
  acknowledgeReport,
  advanceReport,
  answerReport,
  commonIssueProposed,
  markCommonIssue,
  receiveReport,
  reportMonth,
  reportView,
  reportWakeAt,
  REPORT_STEPS,
  type ReportState,
  type ReportView,
} from '../../domain/report';
import { failureMessage, kindStep, runCase, type CaseKindRules } from '../lib/case-workflow';
import { acknowledgeReportUpdate, answerReportUpdate, markCommonIssueUpdate, reportOpenedUpdate, reportQuery, type ReportInput, type ReportStart } from './contract';

const { proposeReportCommonIssue, confirmReportCommonIssue, settlePartyDayItems } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', backoffCoefficient: 2, maximumAttempts: 10 },
});

/**
 * The patch under which an answered report tells the Party-day Q&A that has it on its agenda (issue 11):
 * reports answered before it (recorded histories) completed without the activity and still replay.
 */
export const PARTY_DAY_LINK_PATCH = 'report-answer-ends-party-day-item';

/** The report kind for the case skeleton: its rules (domain/report.ts) and its step table. */
const REPORT: CaseKindRules<ReportState, ReportView, ReportStart> = {
  kind: 'report',
  open: (start, now) => receiveReport(start.receive, now),
  view: reportView,
  caseIdOf: (s) => s.reportId,
  otherCase: (s, caseId) => `this workflow holds report ${s.reportId}, not ${caseId}`,
  advance: advanceReport,
  wakeAt: reportWakeAt,
  query: reportQuery,
  opened: reportOpenedUpdate,
  // The updates carry their fields beside caseId and actor (no `input`): each step picks its own.
  steps: [
    kindStep({
      update: acknowledgeReportUpdate,
      action: 'acknowledgement',
      schema: REPORT_STEPS.acknowledgement.input,
      input: ({ note }) => (note === undefined ? {} : { note }),
      check: REPORT_STEPS.acknowledgement.check,
      apply: acknowledgeReport,
    }),
    kindStep({
      update: answerReportUpdate,
      action: 'answer',
      schema: REPORT_STEPS.answer.input,
      input: ({ answer, answeredBy, channel }) => ({ answer, answeredBy, channel }),
      check: REPORT_STEPS.answer.check,
      apply: answerReport,
    }),
    kindStep({
      update: markCommonIssueUpdate,
      action: 'commonIssue',
      schema: REPORT_STEPS.commonIssue.input,
      input: ({ title }) => (title === undefined ? {} : { title }),
      check: REPORT_STEPS.commonIssue.check,
      // The store confirms the unit's issue of the report's category and month first; its id goes on the report.
      prepare: (s: ReportState, input: { title?: string }) =>
        confirmReportCommonIssue({ reportId: s.reportId, unitCode: s.unit.code, category: s.category, month: reportMonth(s.receivedAt), ...(input.title ? { title: input.title } : {}) }),
      apply: (s: ReportState, input: { title?: string }, actor, now, ctx: { prepared: string }) => markCommonIssue(s, input, ctx.prepared, actor, now),
    }),
  ],
};

/**
 * One public report (群众反映) from the QR code: received → acknowledged (受理) → answered, which closes
 * it. Each missed deadline escalates up the org tree from the village/community, like alerts. At receipt
 * it checks whether the unit's reports of its category make a common issue (共性问题) to propose.
 */
export async function reportWorkflow(input: ReportInput): Promise<ReportView> {
  let proposing: Promise<void> = Promise.resolve();
  // receiveReport always opens: the skeleton's null (declined to open) never comes back for a report.
  return (await runCase(REPORT, input, {
    // The common-issue check runs beside the deadlines, which must not wait for the database.
    // Synchronous (it only starts the check): the loop's first sleep follows the opening at once.
    afterOpen: (run, start) => {
      if (!start) return;
      const s = run.state;
      proposing = proposeReportCommonIssue({
        reportId: s.reportId,
        unitCode: s.unit.code,
        category: s.category,
        receivedAt: s.receivedAt,
        month: reportMonth(s.receivedAt),
        threshold: s.policy.commonIssueThreshold,
        windowMs: s.policy.commonIssueWindow,
      }).then(
        async (proposal) => {
          if (proposal) await run.commit(commonIssueProposed(s, proposal.issueId, proposal.reports, run.now()));
        },
        async (err) => {
          await run.commit({ events: [{ type: 'common_issue_check_failed', at: run.now(), data: { reason: failureMessage(err) } }], notices: [] });
        },
      );
    },
    beforeSettle: () => proposing,
    // Answered through its own endpoints (or on site): a Party-day agenda item still holding it ends, so
    // it neither stays overdue on the town's board nor is carried over to next month.
    onClosed: async (run) => {
      if (!patched(PARTY_DAY_LINK_PATCH)) return;
      try {
        await settlePartyDayItems({ reportId: run.state.reportId, unitCode: run.state.unit.code });
      } catch (err) {
        // The answer stands; next month's hand-over drops an answered report anyway (activities/party-day.ts).
        await run.commit({ events: [{ type: 'party_day_link_failed', at: run.now(), data: { reason: failureMessage(err) } }], notices: [] });
        log.warn('could not reach the Party day holding an answered report', { reportId: run.state.reportId, error: failureMessage(err) });
      }
    },
  })) as ReportView;
}
