import { ApplicationFailure, continueAsNew, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { RuleViolation, type Outcome } from '../../domain/case';
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
import { CaseRuntime } from '../lib/case-runtime';
import { enforce } from '../lib/projector';
import { acknowledgeReportUpdate, answerReportUpdate, markCommonIssueUpdate, reportOpenedUpdate, reportQuery, type ReportInput } from './contract';

const { proposeReportCommonIssue, confirmReportCommonIssue } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', backoffCoefficient: 2, maximumAttempts: 10 },
});

/** A RuleViolation thrown inside a handler (the state moved since its validator ran) refuses the update. */
function refusing<T>(work: () => T): T {
  try {
    return work();
  } catch (err) {
    if (err instanceof RuleViolation) throw ApplicationFailure.create({ type: err.type, message: err.message, nonRetryable: true });
    throw err;
  }
}

const reason = (err: unknown) => ((err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message);

/**
 * One public report (群众反映) from the QR code: received → acknowledged (受理) → answered, which closes
 * it. Each missed deadline escalates up the org tree from the village/community, like alerts. At receipt
 * it checks whether the unit's reports of its category make a common issue (共性问题) to propose.
 */
export async function reportWorkflow(input: ReportInput): Promise<ReportView> {
  let state: ReportState;
  let opening: Outcome | undefined;
  if (input.carried) state = input.carried;
  else {
    const received = receiveReport(input.receive, Date.now());
    state = received.state;
    opening = received;
  }
  const runtime = new CaseRuntime('report', state, reportView, input.continueAsNewAfterEvents);
  const now = () => runtime.now();
  const commit = (outcome: Outcome) => runtime.commit(outcome);
  const openingCommitted = opening ? commit(opening) : Promise.resolve(runtime.current());

  setHandler(reportQuery, () => runtime.current());
  setHandler(reportOpenedUpdate, async () => {
    await openingCommitted;
    return runtime.current();
  });

  /** The common checks of every staff step: the right report, a well-formed input, the step's rule. */
  const validate = (caseId: string, step: (typeof REPORT_STEPS)[keyof typeof REPORT_STEPS], raw: unknown) =>
    enforce(() => {
      if (caseId !== state.reportId) throw new RuleViolation('conflict', `this workflow holds report ${state.reportId}, not ${caseId}`);
      const parsed = step.input.safeParse(raw);
      if (!parsed.success) throw new RuleViolation('unprocessable', `${parsed.error.issues[0]?.path.join('.') || 'input'}: ${parsed.error.issues[0]?.message}`);
      step.check(state);
    });

  setHandler(
    acknowledgeReportUpdate,
    async ({ actor, note }) => {
      await openingCommitted;
      return commit(refusing(() => acknowledgeReport(state, REPORT_STEPS.acknowledgement.input.parse({ note }), actor, now())));
    },
    { validator: ({ caseId, note }) => validate(caseId, REPORT_STEPS.acknowledgement, note === undefined ? {} : { note }) },
  );

  setHandler(
    answerReportUpdate,
    async ({ actor, answer, answeredBy, channel }) => {
      await openingCommitted;
      return commit(refusing(() => answerReport(state, REPORT_STEPS.answer.input.parse({ answer, answeredBy, channel }), actor, now())));
    },
    { validator: ({ caseId, answer, answeredBy, channel }) => validate(caseId, REPORT_STEPS.answer, { answer, answeredBy, channel }) },
  );

  setHandler(
    markCommonIssueUpdate,
    async ({ actor, title }) => {
      await openingCommitted;
      const input = REPORT_STEPS.commonIssue.input.parse(title === undefined ? {} : { title });
      const issueId = await confirmReportCommonIssue({
        reportId: state.reportId,
        unitCode: state.unit.code,
        category: state.category,
        month: reportMonth(state.receivedAt),
        ...(input.title ? { title: input.title } : {}),
      });
      return commit(refusing(() => markCommonIssue(state, input, issueId, actor, now())));
    },
    { validator: ({ caseId, title }) => validate(caseId, REPORT_STEPS.commonIssue, title === undefined ? {} : { title }) },
  );

  await openingCommitted;

  // The common-issue check runs beside the deadlines, which must not wait for the database.
  const proposing = opening
    ? proposeReportCommonIssue({
        reportId: state.reportId,
        unitCode: state.unit.code,
        category: state.category,
        receivedAt: state.receivedAt,
        month: reportMonth(state.receivedAt),
        threshold: state.policy.commonIssueThreshold,
        windowMs: state.policy.commonIssueWindow,
      }).then(
        async (proposal) => {
          if (proposal) await commit(commonIssueProposed(state, proposal.issueId, proposal.reports, now()));
        },
        async (err) => {
          await commit({ events: [{ type: 'common_issue_check_failed', at: now(), data: { reason: reason(err) } }], notices: [] });
        },
      )
    : Promise.resolve();

  while (state.status === 'open') {
    await runtime.sleepUntil(reportWakeAt(state));
    const happened = advanceReport(state, now());
    if (happened.events.length > 0) await commit(happened);
    if (runtime.shouldContinueAsNew()) {
      await proposing;
      await runtime.settle();
      await continueAsNew<typeof reportWorkflow>({ ...input, carried: state });
    }
  }
  await proposing;
  await runtime.settle();
  return runtime.current();
}
