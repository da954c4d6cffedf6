import type { CaseEvent, Notice } from './case';
import { outcomeOf, type Deadline, type Escalation } from './deadlines';
import type { UnitRef } from './org';
import { dueTaskKey } from './permissions';

/**
 * What a case workflow hands the projection activity after each change: the case as people see it,
 * plus what happened. Every case kind (alert, application, …) projects through this one shape.
 */
/**
 * Issue 13 adds the party-member kinds: `pairing` (帮包, one per qualifying household: paired within a deadline,
 * then contacted on a cadence), `discovery` (主动发现, a report assessed by the town), `patrol` (巡查, one per
 * cycle of a village's patrol plan, fired by its Temporal Schedule).
 */
export const CASE_KINDS = ['alert', 'application', 'report', 'wish', 'party_day', 'order', 'pairing', 'discovery', 'patrol', 'intake'] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

export interface CaseProjection {
  caseId: string;
  kind: CaseKind;
  workflowId: string;
  firstRunId: string;
  version: number;
  /**
   * Which workflow task computed this projection, as a string that sorts in task order: the run's start
   * (ms, 15 digits) and the history length when the task started (10 digits). A task that runs again
   * after its worker died has a longer history than the dead attempt, so its writes win over the dead
   * attempt's, whatever versions each gave its changes (store/projection.ts `reproject`). Optional: runs
   * recorded before it project without one. Source: ours (npm run chaos, docs/chaos.md).
   */
  fence?: string;
  /** The case document; must carry the fields the lists query (see CaseSummary). */
  view: CaseSummary & Record<string, unknown>;
  events: CaseEvent[];
  notices: Notice[];
  /**
   * The deadlines that changed since the previous projection of this run, with their outcome so far, for
   * the on-time figures; every deadline on a run's first projection (after a start or continue-as-new).
   */
  deadlines: DeadlineRecord[];
  /**
   * What the previous projection of this run wrote, so the activity writes only what changed (the board
   * row, the household's name and address); null on a run's first projection: the activity then writes all.
   */
  previous: { overdue: boolean; householdId: string | null; task: string | null } | null;
}

/**
 * What a case's task-list row holds (`due`: open cases with a pending deadline), as a comparable key; null
 * when the case has no pending deadline and so no row. The projection rewrites the row when this changes.
 */
export function taskKeyOf(view: Pick<CaseSummary, 'status' | 'dueAt' | 'level' | 'orgPath' | 'due' | 'deadlines' | 'stage'>): string | null {
  if (view.status !== 'open' || view.dueAt === null) return null;
  return JSON.stringify([view.dueAt, view.level, view.orgPath, openDeadlineKinds(view)]);
}

/**
 * The task keys of a case's open deadlines (every track: an alert's visit and its approval), sorted, each once: what
 * its task-list row is filtered by (domain/permissions.ts DEADLINE_ACTIONS). From the view's `deadlines` (neither
 * met nor ended); a view without them, its `due`'s kind. A deadline that spans several steps is keyed by the case's
 * stage (`dueTaskKey`: an application's town review at `investigation` is the village's). Ours.
 */
export function openDeadlineKinds(view: Pick<CaseSummary, 'due' | 'deadlines' | 'stage'>): string[] {
  const open = view.deadlines ? view.deadlines.filter((d) => !d.metAt && !d.endedAt).map((d) => d.kind) : view.due ? [view.due.kind] : [];
  return [...new Set(open.map((kind) => dueTaskKey(kind, view.stage)))].sort();
}

export interface CaseSummary {
  caseId: string;
  kind: CaseKind;
  status: 'open' | 'closed';
  /** The household the case concerns; null for cases about none (a public report, a Party-day). */
  householdId: string | null;
  /** Alerts: yellow/orange/red; null for other kinds. */
  level: string | null;
  /** Applications: the stage; absent for alerts. */
  stage?: string;
  unit: UnitRef;
  orgPath: string[];
  dueAt: string | null;
  overdue: boolean;
  atRisk: boolean;
  rung: number;
  escalatedTo: UnitRef | null;
  /**
   * The open deadline: its key, its kind (`alert.red`, `wish.claim`, …: what clients key labels by), label and
   * due time; `provisional: true` when the due time was counted on a provisional (estimated) calendar year.
   */
  due: { key: string; kind: string; label: string; dueAt: string; provisional?: true } | null;
  /** Every deadline so far (domain/deadlines.ts deadlineView): the open ones are neither met nor ended. */
  deadlines?: { kind: string; metAt: string | null; endedAt: string | null }[];
}

export interface DeadlineRecord {
  key: string;
  kind: string;
  label: string;
  dueAt: number;
  metAt: number | null;
  /**
   * When it ended unmet (lowered, closed, raised, superseded: Deadline.endedAt), or null. With outcome `late`
   * and no metAt it ended overdue, never handled: its days overdue run to here (domain/on-time.ts). Ours.
   */
  endedAt: number | null;
  /**
   * `late`: past its due time when it stopped running — met late (metAt), or ended unmet (endedAt: the standing
   * `overdue_closed`, domain/on-time.ts); `unhandled`: ended before it was due without its requirement met — closed or lowered early (issue 12: a
   * deadline ended early is "closed without handling", never "not due"); `not_due`: superseded before it was
   * due by the case's own next step (a yellow cycle ended by a level change the town approved counts as unhandled).
   */
  outcome: 'pending' | 'on_time' | 'late' | 'not_due' | 'unhandled';
  escalations: number;
  /** Whose deadline it is, as a rung of the case's ladder (Deadline.ownerRung); absent: the case's unit. */
  ownerRung?: number;
}

/** A deadline as the read model records it: its outcome so far and how many escalations it caused. */
export function deadlineRecordOf(d: Deadline, escalations: readonly Escalation[]): DeadlineRecord {
  return {
    key: d.key,
    kind: d.kind,
    label: d.label,
    dueAt: d.dueAt,
    metAt: d.metAt ?? null,
    endedAt: d.endedAt ?? null,
    outcome: outcomeOf(d),
    escalations: escalations.filter((e) => e.deadlineKey === d.key).length,
    ...(d.ownerRung ? { ownerRung: d.ownerRung } : {}),
  };
}

/**
 * The activity every case workflow calls after each change: writes the projection to the read model,
 * idempotently by case and version (activities/index.ts implements it over store/projection.ts). Declared
 * here so that workflow code names it without importing the activities (no import cycle).
 */
export interface ProjectionActivities {
  projectCase(projection: CaseProjection): Promise<void>;
}
