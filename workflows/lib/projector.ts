import { patched, proxyActivities, proxyLocalActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Outcome } from '../../domain/case';
import type { Deadline, Escalation } from '../../domain/deadlines';
import { deadlineRecordOf, taskKeyOf, type CaseProjection, type CaseSummary, type ProjectionActivities } from '../../domain/projection';
import { AlertLevel, CaseKind, EscalationRung, NextDeadline, OrgUnits, Overdue } from '../search-attributes';

// The read model must catch up eventually: retry for as long as it takes, backing off to a minute.
const retry = { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 } as const;
/**
 * The projection runs as a local activity: inside the workflow task that made the change, on the worker
 * that holds the workflow, with no activity task to schedule, poll and complete through the server — two
 * round trips and a workflow task fewer per change, which is most of what a change cost on top of the
 * update itself (docs/benchmarks.md). It is short and idempotent, what local activities are for. Runs that
 * began before this (their histories schedule `projectCase` as an activity) keep doing so (patched).
 */
const LOCAL_PROJECTION = 'projection-as-local-activity';
const { projectCase: projectLocally } = proxyLocalActivities<ProjectionActivities>({ startToCloseTimeout: '30 seconds', retry });
const { projectCase: projectAsActivity } = proxyActivities<ProjectionActivities>({ startToCloseTimeout: '30 seconds', retry });

/** The task-order fence of a projection (CaseProjection.fence): run start (ms) and history length, zero-padded. */
export function projectionFence(runStartMs: number, historyLength: number): string {
  return `${String(runStartMs).padStart(15, '0')}:${String(historyLength).padStart(10, '0')}`;
}

/**
 * Projects a case after each change, one projection at a time and in version order, so the read model
 * never sees version n+1 before n (the activity also refuses older versions, for retries).
 * Shared by every case workflow.
 */
export class Projector {
  private chain: Promise<void> = Promise.resolve();
  /** What this run last handed the activity: the board state, the household, each deadline's record. */
  private last: { overdue: boolean; householdId: string | null; task: string | null; deadlines: Map<string, string> } | null = null;

  constructor(private readonly kind: CaseProjection['kind']) {}

  project(args: {
    version: number;
    view: CaseSummary & Record<string, unknown>;
    outcome: Outcome;
    deadlines: Deadline[];
    escalations: Escalation[];
  }): Promise<void> {
    const info = workflowInfo();
    const { view } = args;
    upsertSearchAttributes([
      { key: CaseKind, value: this.kind },
      { key: AlertLevel, value: view.level },
      { key: OrgUnits, value: view.orgPath },
      { key: Overdue, value: view.overdue },
      { key: NextDeadline, value: view.dueAt ? new Date(view.dueAt) : null },
      { key: EscalationRung, value: view.rung },
    ]);
    const projection: CaseProjection = {
      caseId: view.caseId,
      kind: this.kind,
      workflowId: info.workflowId,
      firstRunId: info.firstExecutionRunId,
      version: args.version,
      fence: projectionFence(info.runStartTime.getTime(), info.historyLength),
      view,
      events: args.outcome.events,
      notices: args.outcome.notices,
      deadlines: [],
      previous: this.last && { overdue: this.last.overdue, householdId: this.last.householdId, task: this.last.task },
    };
    // Only the deadlines whose record changed: a case keeps every past deadline, most of them settled.
    const sent = new Map<string, string>();
    for (const d of args.deadlines) {
      const record = deadlineRecordOf(d, args.escalations);
      const fingerprint = JSON.stringify(record);
      sent.set(d.key, fingerprint);
      if (this.last?.deadlines.get(d.key) !== fingerprint) projection.deadlines.push(record);
    }
    this.last = { overdue: view.overdue, householdId: view.householdId, task: taskKeyOf(view), deadlines: sent };
    const projectCase = patched(LOCAL_PROJECTION) ? projectLocally : projectAsActivity;
    const next = this.chain.then(() => projectCase(projection));
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Resolves when every projection asked for so far is written. */
  drained(): Promise<void> {
    return this.chain;
  }
}
