import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import {
  advanceApplication,
  alertConverted,
  APPLICATION_STEPS,
  applicationView,
  applicationWakeAt,
  submitApplication,
  verificationCompleted,
  type ApplicationState,
  type ApplicationStepName,
  type ApplicationView,
} from '../../domain/application';
import { DEPARTMENT_CODES, type DepartmentAnswer } from '../../domain/verification';
import { formatDuration } from '../../domain/duration';
import { failureMessage, kindStep, runCase, type CaseKindRules, type CaseRun } from '../lib/case-workflow';
import { applicationQuery, applicationStepUpdates, openedUpdate, type ApplicationInput, type ApplicationStart, type StepArgs } from './contract';

/** application-<household>-<category>-<start, to the millisecond, UTC>: distinct per application. */
const stamp = (t: Date) => t.toISOString().replace(/[-:.Z]/g, '');

/** The application kind for the case skeleton: its rules (domain/application.ts) and its step table. */
const APPLICATION: CaseKindRules<ApplicationState, ApplicationView, ApplicationStart> = {
  kind: 'application',
  open: (start, now) => submitApplication({ ...start.submit, applicationId: `${workflowInfo().workflowId}-${stamp(workflowInfo().startTime)}` }, now),
  view: applicationView,
  caseIdOf: (s) => s.applicationId,
  // The workflow id outlives an application (one per household and category): a step naming an earlier one is refused.
  otherCase: (s, caseId) => `application ${caseId} is closed; the current one is ${s.applicationId}`,
  advance: advanceApplication,
  wakeAt: applicationWakeAt,
  query: applicationQuery,
  opened: openedUpdate,
  steps: (Object.keys(APPLICATION_STEPS) as ApplicationStepName[]).map((name) =>
    kindStep<ApplicationState, StepArgs, ApplicationView>({ ...APPLICATION_STEPS[name], action: name, update: applicationStepUpdates[name] }),
  ),
};

/** 家庭经济状况核对: every department at once; one that does not answer in time is recorded missing. */
async function verify(state: ApplicationState): Promise<DepartmentAnswer[]> {
  const timeout = state.policy.departmentTimeoutMs;
  const { verifyWithDepartment } = proxyActivities<Activities>({
    scheduleToCloseTimeout: timeout,
    startToCloseTimeout: Math.min(timeout, 60_000),
    retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', backoffCoefficient: 2 },
  });
  return Promise.all(
    DEPARTMENT_CODES.map(async (department): Promise<DepartmentAnswer> => {
      try {
        return await verifyWithDepartment(department, { applicationId: state.applicationId, householdId: state.householdId });
      } catch (err) {
        return { department, status: 'missing', reason: `no answer within ${formatDuration(timeout)} (${failureMessage(err)})` };
      }
    }),
  );
}

/** An application filed from an alert closes that alert as converted, once, right after it opens. */
async function convertAlert(run: CaseRun<ApplicationState, ApplicationView>, actor: ApplicationStart['submit']['actor']): Promise<void> {
  const state = run.state;
  const { closeAlertAsConverted } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: { maximumAttempts: 10, maximumInterval: '1 minute' } });
  try {
    const result = await closeAlertAsConverted({ alertId: state.alertId!, applicationId: state.applicationId, actor });
    await run.commit(alertConverted(state, result, run.now()));
  } catch (err) {
    await run.commit(alertConverted(state, 'failed', run.now(), failureMessage(err)));
  }
}

/**
 * One assistance application, from submission through acceptance, verification, investigation,
 * deliberation, the town's review, public notice and the district's approval, then — for an approved
 * benefit — periodic re-review for as long as it lasts (continuing as new). Deadlines count working days
 * on the holiday calendar it was given and escalate like alerts.
 */
export async function applicationWorkflow(input: ApplicationInput): Promise<ApplicationView> {
  // submitApplication always opens: the skeleton's null (declined to open) never comes back for an application.
  return (await runCase(APPLICATION, input, {
    // The conversion is settled before the loop, so only the run that opened the case (which has the submitting actor) finds it pending.
    // Nothing to await otherwise: the loop then starts in the same activation, as runs recorded before the kit did.
    afterOpen: (run, start) => (run.state.alertConversion === 'pending' && start ? convertAlert(run, start.submit.actor) : undefined),
    // The departments are asked while the case waits in verification; an action may close or move it meanwhile.
    beforeSleep: async (run) => {
      const state = run.state;
      if (!(state.verification.pending && state.stage === 'verification')) return false;
      const answers = await verify(state);
      if (state.status === 'open' && state.stage === 'verification') await run.commit(verificationCompleted(state, answers, run.now()));
      return true;
    },
    // Not while the departments are still being asked: their answers belong to this run.
    mayContinue: (s) => !s.verification.pending,
  })) as ApplicationView;
}
