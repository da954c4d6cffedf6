import { allHandlersFinished, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
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
import { enforce, Projector } from '../lib/projector';
import { applicationQuery, applicationStepUpdates, openedUpdate, type ApplicationInput } from './contract';

const DEFAULT_CONTINUE_AS_NEW_AFTER = 2000;

/** application-<household>-<category>-<start, to the millisecond, UTC>: distinct per application. */
const stamp = (t: Date) => t.toISOString().replace(/[-:.Z]/g, '');

/**
 * One assistance application, from submission through acceptance, verification, investigation,
 * deliberation, the town's review, public notice and the district's approval, then — for an approved
 * benefit — periodic re-review for as long as it lasts (continuing as new). Deadlines count working days
 * on the holiday calendar it was given and escalate like alerts.
 */
export async function applicationWorkflow(input: ApplicationInput): Promise<ApplicationView> {
  const now = () => Date.now();
  const projector = new Projector('application');
  let state: ApplicationState;
  let opening: Outcome | undefined;
  if (input.carried) state = input.carried;
  else {
    const submitted = submitApplication({ ...input.submit, applicationId: `${workflowInfo().workflowId}-${stamp(workflowInfo().startTime)}` }, now());
    state = submitted.state;
    opening = submitted;
  }

  let changed = false;
  const commit = async (outcome: Outcome): Promise<ApplicationView> => {
    state.version += 1;
    changed = true;
    const view = applicationView(state, now());
    await projector.project({ version: state.version, view, outcome, deadlines: state.deadlines, escalations: state.escalations });
    return view;
  };
  const openingCommitted = opening ? commit(opening) : Promise.resolve(applicationView(state, now()));

  setHandler(applicationQuery, () => applicationView(state, now()));
  setHandler(openedUpdate, async () => {
    await openingCommitted;
    return applicationView(state, now());
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
  const limit = input.continueAsNewAfterEvents ?? DEFAULT_CONTINUE_AS_NEW_AFTER;
  while (state.status === 'open') {
    if (state.verification.pending && state.stage === 'verification') {
      const answers = await verify();
      // An action may have closed or moved the case while the departments answered.
      if (state.status === 'open' && state.stage === 'verification') await commit(verificationCompleted(state, answers, now()));
      continue;
    }
    const wakeAt = applicationWakeAt(state);
    changed = false;
    if (wakeAt === undefined) await condition(() => changed);
    else if (wakeAt > now()) await condition(() => changed, wakeAt - now());
    const happened = advanceApplication(state, now());
    if (happened.events.length > 0) await commit(happened);
    const info = workflowInfo();
    if (state.status === 'open' && !state.verification.pending && (info.continueAsNewSuggested || info.historyLength > limit)) {
      await condition(allHandlersFinished);
      await projector.drained();
      await continueAsNew<typeof applicationWorkflow>({ ...input, carried: state });
    }
  }
  await condition(allHandlersFinished);
  await projector.drained();
  return applicationView(state, now());
}
