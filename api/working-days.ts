import type { Db } from 'mongodb';
import { workingDaysLeft } from '../domain/calendar';
import { loadHolidayCalendar } from '../store/calendar';

/**
 * An application's view with `dueWorkingDaysLeft`: the working days left before its open deadline (today
 * included if a working day; 0 once passed; null when none is open), on the holiday calendar as it stands
 * (GET /v1/calendar). Added on every read path of an application's view — its own endpoint and
 * GET /v1/cases/{id} — so both show the same; any other kind's view is returned as it is. What the
 * workspace's step forms show ("还剩 n 个工作日", issue 14). Source: ours.
 */
export async function withWorkingDaysLeft<V extends object>(db: Db, kind: string, view: V): Promise<V & { dueWorkingDaysLeft?: number | null }> {
  if (kind !== 'application') return view;
  const v = view as { status?: unknown; due?: { dueAt?: unknown } | null };
  const dueAt = v.status === 'open' && typeof v.due?.dueAt === 'string' ? Date.parse(v.due.dueAt) : null;
  return { ...view, dueWorkingDaysLeft: dueAt === null ? null : workingDaysLeft(Date.now(), dueAt, await loadHolidayCalendar(db)) };
}
