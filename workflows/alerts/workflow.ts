import { continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  acknowledge,
  addReasons,
  advanceAlert,
  alertView,
  alertWakeAt,
  changeLevel,
  checkAcknowledge,
  checkChangeLevel,
  checkClose,
  checkReassign,
  checkVisit,
  close,
  openAlert,
  reassign,
  recordVisit,
  repolicy,
  zChangeLevelInput,
  zCloseInput,
  zReasons,
  zVisitInput,
  RuleViolation,
  type AlertState,
  type AlertView,
  type Outcome,
} from '../../domain/alert';
import { CaseRuntime } from '../lib/case-runtime';
import { enforce } from '../lib/projector';
import {
  acknowledgeUpdate,
  alertQuery,
  changeLevelUpdate,
  closeUpdate,
  reassignUpdate,
  recordVisitUpdate,
  repolicyUpdate,
  reportUpdate,
  type AlertInput,
  type ReportResult,
} from './contract';

/**
 * The alert id: the workflow id plus its start time to the millisecond (UTC), e.g.
 * alert-hh-0123456789ab-20261129T033512345. Readable, sortable, and distinct for a household's
 * successive alerts (a close and a reopen never share a millisecond: each is a round trip).
 */
function stamp(t: Date): string {
  return t.toISOString().replace(/[-:.Z]/g, '');
}

/**
 * One household alert (三色预警), from opening to closure: deadlines by level, warnings, escalation up
 * the org tree, staff actions as validated updates. Yellow alerts run for months and continue as new,
 * carrying their state and whole escalation history.
 */
export async function alertWorkflow(input: AlertInput): Promise<AlertView> {
  let state: AlertState;
  let opening: Outcome | undefined;
  if (input.carried) {
    state = input.carried;
  } else {
    const opened = openAlert(
      {
        alertId: `${workflowInfo().workflowId}-${stamp(workflowInfo().startTime)}`,
        householdId: input.householdId,
        level: input.level,
        reasons: input.reasons,
        unit: input.unit,
        ladder: input.ladder,
        policy: input.policy,
        actor: input.actor,
      },
      Date.now(),
    );
    state = opened.state;
    opening = opened;
  }
  const runtime = new CaseRuntime('alert', state, alertView, input.continueAsNewAfterEvents);
  const now = () => runtime.now();
  const commit = (outcome: Outcome) => runtime.commit(outcome);
  const openingCommitted = opening ? commit(opening) : Promise.resolve(runtime.current());

  setHandler(alertQuery, () => runtime.current());

  setHandler(
    reportUpdate,
    async ({ requestId, level, reasons, actor }): Promise<ReportResult> => {
      await openingCommitted;
      if (requestId === input.openingRequestId && !input.carried) {
        return { created: true, changed: false, alert: runtime.current() };
      }
      if (state.level !== level) {
        const out = changeLevel(state, level, reasons.join('；') || '重新预警', actor, now());
        addReasons(state, reasons);
        return { created: false, changed: true, alert: await commit(out) };
      }
      addReasons(state, reasons);
      const alert = await commit({ events: [{ type: 'reported', at: now(), actor, data: { level, reasons } }], notices: [] });
      return { created: false, changed: false, alert };
    },
    {
      validator: ({ requestId, reasons }) =>
        enforce(() => {
          zReasons.parse(reasons);
          if (state.status !== 'open' && requestId !== input.openingRequestId) throw new RuleViolation('conflict', `alert ${state.alertId} is closed`);
        }),
    },
  );

  /** An action addressed to another alert of this household (an older, closed one) is refused. */
  const sameAlert = (caseId: string) => {
    if (caseId !== state.alertId) throw new RuleViolation('conflict', `alert ${caseId} is closed; the household's current alert is ${state.alertId}`);
  };

  setHandler(acknowledgeUpdate, async ({ note, actor }) => commit(acknowledge(state, { note }, actor, now())), {
    validator: ({ caseId }) =>
      enforce(() => {
        sameAlert(caseId);
        checkAcknowledge(state);
      }),
  });

  setHandler(recordVisitUpdate, async ({ visit, actor }) => commit(recordVisit(state, zVisitInput.parse(visit), actor, now())), {
    validator: ({ caseId, visit }) =>
      enforce(() => {
        sameAlert(caseId);
        const parsed = zVisitInput.safeParse(visit);
        if (!parsed.success) throw new RuleViolation('unprocessable', `visit: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
        checkVisit(state, parsed.data, now());
      }),
  });

  setHandler(changeLevelUpdate, async ({ level, reason, actor }) => commit(changeLevel(state, level, reason, actor, now())), {
    validator: (args) =>
      enforce(() => {
        sameAlert(args.caseId);
        const parsed = zChangeLevelInput.safeParse({ level: args.level, reason: args.reason });
        if (!parsed.success) throw new RuleViolation('unprocessable', `level: ${parsed.error.issues[0]?.message}`);
        checkChangeLevel(state, args.level);
      }),
  });

  setHandler(reassignUpdate, async ({ unit, ladder, reason, actor }) => commit(reassign(state, unit, ladder, reason, actor, now())), {
    validator: ({ caseId, unit, ladder }) =>
      enforce(() => {
        sameAlert(caseId);
        if (ladder[0]?.code !== unit.code) throw new RuleViolation('unprocessable', 'the ladder must start at the new unit');
        checkReassign(state, unit);
      }),
  });

  setHandler(closeUpdate, async ({ closure, actor }) => commit(close(state, zCloseInput.parse(closure), actor, now())), {
    validator: ({ caseId, closure }) =>
      enforce(() => {
        sameAlert(caseId);
        const parsed = zCloseInput.safeParse(closure);
        if (!parsed.success) throw new RuleViolation('unprocessable', `closure: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
        checkClose(state);
      }),
  });

  setHandler(repolicyUpdate, async ({ policy, actor }) => commit(repolicy(state, policy, actor, now())), {
    validator: ({ caseId, policy }) =>
      enforce(() => {
        sameAlert(caseId);
        if (state.status !== 'open') throw new RuleViolation('conflict', `alert ${state.alertId} is closed`);
        if (policy.version === state.policy.version) throw new RuleViolation('conflict', `alert ${state.alertId} already follows policy ${policy.version}`);
      }),
  });

  await openingCommitted;
  while (state.status === 'open') {
    await runtime.sleepUntil(alertWakeAt(state));
    const happened = advanceAlert(state, now());
    if (happened.events.length > 0) await commit(happened);
    if (runtime.shouldContinueAsNew()) {
      await runtime.settle();
      await continueAsNew<typeof alertWorkflow>({ ...input, carried: state });
    }
  }
  await runtime.settle();
  return runtime.current();
}
