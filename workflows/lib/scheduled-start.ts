import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { workflowInfo } from '@temporalio/workflow';

/** Set by Temporal on every run a schedule starts: the time the run was scheduled for (a backfill's past time too). */
const TemporalScheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/**
 * The instant a scheduled run is for (ms): `explicit` (an ISO time a start outside a schedule names: tests, a
 * manual rerun), else the schedule's TemporalScheduledStartTime, else the run's start time. Deterministic: it
 * reads only the run's own start information. Used by the Party day and the patrol. Ours.
 */
export function scheduledStartOf(explicit: string | undefined): number {
  if (explicit) return Date.parse(explicit);
  const info = workflowInfo();
  const typed = info.typedSearchAttributes.get(TemporalScheduledStartTime);
  if (typed) return typed.getTime();
  // Older servers set it without the type metadata the typed decoder needs.
  const raw = info.searchAttributes?.TemporalScheduledStartTime?.[0];
  const t = raw === undefined ? NaN : new Date(raw as string | Date).getTime();
  return Number.isNaN(t) ? info.startTime.getTime() : t;
}
