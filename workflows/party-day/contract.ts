import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CaseInput } from '../lib/case-workflow';
import type { Actor } from '../../domain/case';
import type { UnitRef } from '../../domain/org';
import type { AnsweredElsewhere, AnswerInput, CarriedItem, PartyDayState, PartyDayView } from '../../domain/party-day';
import type { PartyDayPolicy } from '../../domain/policy';

/**
 * The contract of the monthly Party-day Q&A (每月党员活动日集中答疑): the schedule and workflow ids, the
 * input the schedule's action passes, the updates and the query. Imported by the workflow, the API, the
 * activities and the tests alike.
 */
export const PARTY_DAY_WORKFLOW_TYPE = 'partyDayWorkflow';

/** One Temporal Schedule per village/community. */
export const partyDayScheduleId = (unitCode: string): string => `party-day-${unitCode}`;

/**
 * The workflow id the schedule's action names; Temporal appends the scheduled time to it
 * (`party-day-371002001001-2026-11-15T01:00:00Z`), so each month's run has its own id.
 */
export const partyDayWorkflowId = (unitCode: string): string => `party-day-${unitCode}`;

/** How long after a missed fire time (Temporal unavailable) the schedule still starts that month's Q&A. */
export const PARTY_DAY_CATCHUP_WINDOW = '7 days';

export interface PartyDayStart {
  unitCode: string;
  /** The unit and its ladder to the city, as the API resolved them when the schedule was last written. */
  unit: UnitRef;
  ladder: UnitRef[];
  /** The policy snapshot with this unit's day and start time; refreshed on every schedule update. */
  policy: PartyDayPolicy;
  /**
   * The party day's instant (ISO), for starts outside a schedule (tests on the time-skipping server, a
   * manual rerun). Otherwise the schedule's TemporalScheduledStartTime, else the workflow's start time.
   */
  scheduledAt?: string;
}
/**
 * `{ start }`, or `{ carried }` over continue-as-new. The schedule's action passes the start's fields at
 * the top level (the form runs before the kit took, and schedules already written still hold).
 */
export type PartyDayInput = CaseInput<PartyDayStart, PartyDayState>;

/** An answer given on site, naming the Q&A it is for (a workflow id of another month must not take it). */
export interface AnswerArgs extends AnswerInput {
  partyDayId: string;
  actor: Actor;
}

export const answerUpdate = defineUpdate<PartyDayView, [AnswerArgs]>('answer');
/**
 * Next month's Q&A asks this one for what it left open (carried over): returns those items and closes.
 * Asking twice with the same `to` returns the same items.
 */
export const handOverUpdate = defineUpdate<CarriedItem[], [{ to: string }]>('handOver');

/**
 * The reports behind some agenda items were answered through their own path (the report workflow's
 * `settlePartyDayItems` activity signals the Q&A that holds them): those items end, and the case closes
 * when none is left open. A signal, not an update: the report does not wait for the Q&A, and a repeat is harmless.
 */
export const itemsAnsweredElsewhereSignal = defineSignal<[AnsweredElsewhere]>('itemsAnsweredElsewhere');

export const partyDayQuery = defineQuery<PartyDayView>('partyDay');
