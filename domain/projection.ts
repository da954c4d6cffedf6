import type { CaseEvent, Notice } from './case';
import type { UnitRef } from './org';

/**
 * What a case workflow hands the projection activity after each change: the case as people see it,
 * plus what happened. Every case kind (alert, application, …) projects through this one shape.
 */
export type CaseKind = 'alert' | 'application' | 'report' | 'wish' | 'party_day';

export interface CaseProjection {
  caseId: string;
  kind: CaseKind;
  workflowId: string;
  firstRunId: string;
  version: number;
  /** The case document; must carry the fields the lists query (see CaseSummary). */
  view: CaseSummary & Record<string, unknown>;
  events: CaseEvent[];
  notices: Notice[];
  /** Every deadline of the case with its outcome so far, for the on-time figures. */
  deadlines: DeadlineRecord[];
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
  due: { key: string; label: string; dueAt: string } | null;
}

export interface DeadlineRecord {
  key: string;
  kind: string;
  label: string;
  dueAt: number;
  metAt: number | null;
  outcome: 'pending' | 'on_time' | 'late' | 'not_due';
  escalations: number;
}
