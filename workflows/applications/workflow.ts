import { continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
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
import { RuleViolation, type Outcome } from '../../domain/case';
import { DEPARTMENT_CODES, type DepartmentAnswer } from '../../domain/verification';
import { formatDuration } from '../../domain/duration';
import { CaseRuntime } from '../lib/case-runtime';
import { enforce } from '../lib/projector';
import { applicationQuery, applicationStepUpdates, openedUpdate, type ApplicationInput } from './contract';

/** application-<household>-<category>-<start, to the millisecond, UTC>: distinct per application. */
const stamp = (t: Date) => t.toISOString().replace(/[-:.Z]/g, '');

/**
 * One assistance application, from submission through acceptance, verification, investigation,
 * deliberation, the town's review, public notice and the district's approval, then — for an approved
 * benefit — periodic re-review for as long as it lasts (continuing as new). Deadlines count working days
 * on the holiday calendar it was given and escalate like alerts.
 */
export async function applicationWorkflow(input: ApplicationInput): Promise<ApplicationView> {
  let state: ApplicationState;
  let opening: Outcome | undefined;
  if (input.carried) state = input.carried;
  else {
    const submitted = submitApplication({ ...input.submit, applicationId: `${workflowInfo().workflowId}-${stamp(workflowInfo().startTime)}` }, Date.now());
    state = submitted.state;
    opening = submitted;
  }
  const runtime = new CaseRuntime('application', state, applicationView, input.continueAsNewAfterEvents);
  const now = () => runtime.now();
  const commit = (outcome: Outcome) => runtime.commit(outcome);
  const openingCommitted = opening ? commit(opening) : Promise.resolve(runtime.current());

  setHandler(applicationQuery, () => runtime.current());
  setHandler(openedUpdate, async () => {
    await openingCommitted;
    return runtime.current();
  });

  for (const name of Object.keys(APPLICATION_STEPS) as ApplicationStepName[]) {
    const step = APPLICATION_STEPS[name] as (typeof APPLICATION_STEPS)[ApplicationStepName] & {
      check(s: ApplicationState, input: unknown, actor: unknown): void;
      apply(s: ApplicationState, input: unknown, actor: unknown, now: number): Outcome;
    };
    setHandler(applicationStepUpdates[name], async ({ input: raw, actor }) => commit(step.apply(state, step.schema.parse(raw), actor, now())), {
      validator: ({ caseId, input: raw, actor }) =>
        enforce(() => {
          if (caseId !== state.applicationId) throw new RuleViolation('conflict', `application ${caseId} is closed; the current one is ${state.applicationId}`);
          const parsed = step.schema.safeParse(raw);
          if (!parsed.success) throw new RuleViolation('unprocessable', `${parsed.error.issues[0]?.path.join('.') || 'input'}: ${parsed.error.issues[0]?.message}`);
          step.check(state, parsed.data, actor);
        }),
    });
  }

  /** 家庭经济状况核对: every department at once; one that does not answer in time is recorded missing. */
  const verify = async (): Promise<DepartmentAnswer[]> => {
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
          return { department, status: 'missing', reason: `no answer within ${formatDuration(timeout)} (${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message})` };
        }
      }),
    );
  };

  await openingCommitted;
  if (state.alertConversion === 'pending') {
    const { closeAlertAsConverted } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: { maximumAttempts: 10, maximumInterval: '1 minute' } });
    try {
      const result = await closeAlertAsConverted({ alertId: state.alertId!, applicationId: state.applicationId, actor: input.submit.actor });
      await commit(alertConverted(state, result, now()));
    } catch (err) {
      await commit(alertConverted(state, 'failed', now(), (err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message));
    }
  }
  while (state.status === 'open') {
    if (state.verification.pending && state.stage === 'verification') {
      const answers = await verify();
      // An action may have closed or moved the case while the departments answered.
      if (state.status === 'open' && state.stage === 'verification') await commit(verificationCompleted(state, answers, now()));
      continue;
    }
    await runtime.sleepUntil(applicationWakeAt(state));
    const happened = advanceApplication(state, now());
    if (happened.events.length > 0) await commit(happened);
    if (!state.verification.pending && runtime.shouldContinueAsNew()) {
      await runtime.settle();
      await continueAsNew<typeof applicationWorkflow>({ ...input, carried: state });
    }
  }
  await runtime.settle();
  return runtime.current();
}
