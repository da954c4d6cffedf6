import { patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { addReasons, advanceAlert, ALERT_STEPS, alertView, alertWakeAt, changeLevel, checkDirect, openAlert, RuleViolation, zReportArgs, type Actor, type AlertState, type AlertView } from '../../domain/alert';
import { forbiddenCharacterAt, FORBIDDEN_CHARACTER_MESSAGE } from '../../domain/text';
import { kindStep, refuseOutside, refusing, runCase, zodMessage, type CaseKindRules, type StepArgs } from '../lib/case-workflow';
import {
  acknowledgeUpdate,
  alertQuery,
  assignVisitorUpdate,
  changeLevelUpdate,
  closeUpdate,
  decideRequestUpdate,
  disposeUpdate,
  reassignUpdate,
  requestChangeUpdate,
  recordVisitUpdate,
  repolicyUpdate,
  reportUpdate,
  type AlertInput,
  type AlertStart,
  type ReportArgs,
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

/** A step's update and where its input sits in the update's arguments (the shapes the API sends). */
const step = <A extends StepArgs>(name: keyof typeof ALERT_STEPS, update: Parameters<typeof kindStep<AlertState, A, AlertView>>[0]['update'], input: (args: A) => unknown, inputName?: string) =>
  kindStep<AlertState, A, AlertView>({ ...ALERT_STEPS[name], action: name, update, input, ...(inputName ? { inputName } : {}) });

/** The report update's arguments, parsed: a refusal names the field. */
function parseReport(args: unknown): ReportArgs {
  const bad = forbiddenCharacterAt(args);
  if (bad !== undefined) throw new RuleViolation('unprocessable', `report.${bad}: ${FORBIDDEN_CHARACTER_MESSAGE}`);
  const parsed = zReportArgs.safeParse(args);
  if (!parsed.success) throw new RuleViolation('unprocessable', zodMessage(parsed.error, 'report'));
  return parsed.data as ReportArgs;
}

/** The alert kind for the case skeleton: its rules (domain/alert.ts) and its steps. */
const ALERT: CaseKindRules<AlertState, AlertView, AlertStart> = {
  kind: 'alert',
  open: ({ openingRequestId: _request, ...start }, now) => {
    const opened = openAlert({ ...start, alertId: `${workflowInfo().workflowId}-${stamp(workflowInfo().startTime)}` }, now);
    // Issue 12's follow-up rules (red's disposition, orange's revisit, the decision after needs_assistance) for
    // alerts opened from now on; a recorded history replays without them (docs/determinism.md).
    if (patched('alert-follow-up')) opened.state.followUp = true;
    return opened;
  },
  view: alertView,
  caseIdOf: (s) => s.alertId,
  // The workflow id is reused by the household's next alert: an action meant for a closed one must not land here.
  otherCase: (s, caseId) => `alert ${caseId} is closed; the household's current alert is ${s.alertId}`,
  advance: advanceAlert,
  wakeAt: alertWakeAt,
  query: alertQuery,
  steps: [
    step('acknowledge', acknowledgeUpdate, ({ note }) => (note === undefined ? {} : { note })),
    // Issue 14: the assigned visitor records the visit from beyond the village's subtree (a grid worker's token).
    { ...step('recordVisit', recordVisitUpdate, ({ visit }) => visit, 'visit'), reachBeyond: (s: AlertState, a: Actor) => s.visitor !== undefined && s.visitor.userId === a.userId },
    step('changeLevel', changeLevelUpdate, ({ level, reason }) => ({ level, reason })),
    // The new unit must lie in the actor's reach too (its ladder, from the city down, is its org path).
    {
      ...step('reassign', reassignUpdate, ({ unit, ladder, reason }) => ({ unit, ladder, reason })),
      gate: (_s: AlertState, input: { ladder: { code: string }[] }, actor: Actor) => refuseOutside(actor, [...input.ladder].reverse().map((u) => u.code)),
    },
    step('close', closeUpdate, ({ closure }) => closure, 'closure'),
    step('repolicy', repolicyUpdate, ({ policy }) => ({ policy })),
    step('request', requestChangeUpdate, ({ request }) => request, 'request'),
    step('decide', decideRequestUpdate, ({ decision }) => decision, 'decision'),
    step('dispose', disposeUpdate, ({ disposition }) => disposition, 'disposition'),
    step('assignVisitor', assignVisitorUpdate, ({ visitor }) => visitor, 'visitor'),
  ],
};

/**
 * One household alert (三色预警), from opening to closure: deadlines by level, warnings, escalation up
 * the org tree, staff actions as validated updates. Yellow alerts run for months and continue as new,
 * carrying their state and whole escalation history.
 */
export async function alertWorkflow(input: AlertInput): Promise<AlertView> {
  // openAlert always opens: the skeleton's null (declined to open) never comes back for an alert.
  return (await runCase(ALERT, input, {
    // A report on the household (the API's update-with-start): the opening request answers "created";
    // a later one at another level changes the level, at the same level adds its reasons.
    handlers: (run, start) =>
      setHandler(
        reportUpdate,
        async (args): Promise<ReportResult> => {
          await run.opened;
          const { requestId, level, reasons, actor } = refusing(() => parseReport(args));
          const state = run.state;
          if (start && requestId === start.openingRequestId) return { created: true, changed: false, alert: run.current() };
          if (state.level !== level) {
            const out = changeLevel(state, level, reasons.join('；') || '重新预警', actor, run.now());
            addReasons(state, reasons);
            return { created: false, changed: true, alert: await run.commit(out) };
          }
          addReasons(state, reasons);
          const alert = await run.commit({ events: [{ type: 'reported', at: run.now(), actor, data: { level, reasons } }], notices: [] });
          return { created: false, changed: false, alert };
        },
        {
          validator: (args) =>
            refusing(() => {
              const { requestId, actor } = parseReport(args);
              if (requestId === start?.openingRequestId) return;
              // The API waits for a closed alert's run to end and opens the next one (reason case_closed).
              if (run.state.status !== 'open') throw new RuleViolation('conflict', `alert ${run.state.alertId} is closed`, 'case_closed');
              // A report lands on the household's open alert: the actor must reach its current unit.
              refuseOutside(actor, run.current().orgPath);
              // A report at a lower level lowers the alert: no quiet defusing (issue 12), as for the changeLevel step.
              const { level } = parseReport(args);
              if (level !== run.state.level) checkDirect(run.state, actor, { lower: level }, run.now());
            }),
        },
      ),
  })) as AlertView;
}
