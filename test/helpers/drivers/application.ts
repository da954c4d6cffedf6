import { randomBytes } from 'node:crypto';
import { Client, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { expect } from 'vitest';
import type { ApplicationStage, ApplicationStepName, ApplicationView, LabourCapacity } from '../../../domain/application';
import type { HolidayCalendar } from '../../../domain/calendar';
import type { Actor } from '../../../domain/case';
import { resolvePolicy } from '../../../domain/policy';
import { shippedHolidayCalendar } from '../../../store/calendar';
import { sealHousehold } from '../../../store/households';
import { piiOf } from '../../../store/pii';
import { COLLECTIONS } from '../../../store/collections';
import { applicationWorkflow } from '../../../workflows';
import { applicationQuery, applicationStepUpdates, applicationWorkflowId, type ApplicationInput } from '../../../workflows/application/contract';
import { idNumber } from '../context';
import { CITY, DISTRICT, eventually, LADDER, MIN, TEST_DATA_CONVERTER, TOWN, VILLAGE, type TimeSkippingHarness } from '../time-skipping';
import { nowIso, quiet } from './common';

/**
 * Drives the application workflow as the API does (scenarios shared by test/workflows/application.test.ts
 * and scripts/record-histories.ts). The harness needs the sample department extracts as its sources.
 */

export const VILLAGE_STAFF: Actor = { userId: 'village.li', role: 'village_staff', unitCode: VILLAGE.code };
export const VILLAGE_STAFF_2: Actor = { userId: 'village.wang', role: 'village_staff', unitCode: VILLAGE.code };
/** A grid worker as the API's tokens place one (its village: a case's org path names no grid, so a grid-scoped token reaches none; api/guard.ts and the workflows' validators agree). */
export const GRID_WORKER: Actor = { userId: 'grid.chen', role: 'grid_worker', unitCode: VILLAGE.code };
export const TOWN_STAFF: Actor = { userId: 'town.zhao', role: 'town_staff', unitCode: TOWN.code };
export const TOWN_STAFF_2: Actor = { userId: 'town.qian', role: 'town_staff', unitCode: TOWN.code };
export const TOWN_SUPERVISOR: Actor = { userId: 'town.sun', role: 'town_supervisor', unitCode: TOWN.code };
export const DISTRICT_STAFF: Actor = { userId: 'district.zhou', role: 'district_staff', unitCode: DISTRICT.code };
export const DISTRICT_STAFF_2: Actor = { userId: 'district.wu', role: 'district_staff', unitCode: DISTRICT.code };

/** The default application policy and the shipped holiday calendar. */
export const APPLICATION_POLICY = resolvePolicy(undefined, 'default').applications;
export const CAL = shippedHolidayCalendar();

export type ApplicationHandle = WorkflowHandleWithFirstExecutionRunId<typeof applicationWorkflow>;

export interface Started {
  handle: ApplicationHandle;
  caseId: string;
  householdId: string;
  submittedAt: number;
}

export interface FileOptions {
  labourCapacity?: LabourCapacity;
  conflictedUsers?: string[];
  calendar?: HolidayCalendar;
  continueAsNewAfterEvents?: number;
  /** Files it from this open alert of the same household (the alert is closed as converted). */
  fromAlert?: { alertId: string; householdId: string };
}

/** Registers a household (its head has records in the sample extracts) and files an application for it (tracked by the harness). */
export async function fileApplication(h: TimeSkippingHarness, opts: FileOptions = {}): Promise<Started> {
  const householdId = opts.fromAlert?.householdId ?? `hh-${randomBytes(6).toString('hex')}`;
  // Stored as the register stores it (sealed, with its blind indexes: store/households.ts), never in plain.
  await h.mongo.db.collection(COLLECTIONS.households).insertOne(
    sealHousehold(piiOf(h.mongo.db), {
      _id: householdId,
      headName: '张一',
      headIdNumber: idNumber(1),
      members: [],
      address: '威海市环翠区海港路1号',
      phone: '13800000000',
      unitCode: VILLAGE.code,
      villageCode: VILLAGE.code,
      orgPath: [CITY.code, DISTRICT.code, TOWN.code, VILLAGE.code],
      categories: ['minimum_subsistence'],
      createdAt: new Date(0).toISOString(),
      createdBy: 'test',
    }) as never,
  );
  const input: ApplicationInput = {
    submit: {
      householdId,
      category: 'minimum_subsistence',
      source: opts.fromAlert ? 'alert' : 'one_door',
      ...(opts.fromAlert ? { alertId: opts.fromAlert.alertId } : {}),
      labourCapacity: opts.labourCapacity ?? 'no_labour_capacity',
      unit: VILLAGE,
      ladder: LADDER,
      conflictedUsers: opts.conflictedUsers ?? [],
      policy: APPLICATION_POLICY,
      calendar: opts.calendar ?? CAL,
      actor: TOWN_STAFF,
    },
    openingRequestId: `req-${householdId}`,
    ...(opts.continueAsNewAfterEvents !== undefined ? { continueAsNewAfterEvents: opts.continueAsNewAfterEvents } : {}),
  };
  const handle = await h.env.client.workflow.start(applicationWorkflow, { workflowId: applicationWorkflowId(householdId, 'minimum_subsistence'), taskQueue: h.taskQueue, args: [input] });
  h.track(handle);
  const view = await eventually(() => handle.query(applicationQuery));
  return { handle, caseId: view.caseId, householdId, submittedAt: Date.parse(view.submittedAt) };
}

/** One staff step, as the API sends it, once the workflow is quiet. */
export async function act(h: TimeSkippingHarness, a: Started, step: ApplicationStepName, actor: Actor, input: unknown): Promise<ApplicationView> {
  await quiet(h, a.handle.workflowId);
  return a.handle.executeUpdate(applicationStepUpdates[step], { args: [{ caseId: a.caseId, actor, input }] });
}

export const applicationView = (a: Started): Promise<ApplicationView> => a.handle.query(applicationQuery);

/**
 * The result of a workflow that has completed, read through a plain client: the test environment's
 * client unlocks time skipping while it waits for a result, and the server then skips to the next timer
 * it holds — a finished activity's expiry years ahead — even when the result is already there.
 */
export async function resultOf(h: TimeSkippingHarness, a: Started): Promise<ApplicationView> {
  await eventually(async () => expect((await a.handle.describe()).status.name).toBe('COMPLETED'));
  return new Client({ connection: h.env.connection, namespace: h.env.namespace ?? 'default', dataConverter: TEST_DATA_CONVERTER }).workflow.getHandle<typeof applicationWorkflow>(a.handle.workflowId).result();
}

/**
 * Waits for the workflow to reach `stage` by itself (the fan-out, the end of a notice, a re-review date):
 * up to 45 s, as the fan-out's eight activities once took more than 15 s with the whole suite on two cores.
 */
export function reaches(a: Started, stage: ApplicationStage): Promise<ApplicationView> {
  return eventually(async () => {
    const v = await applicationView(a);
    expect(v.stage).toBe(stage);
    return v;
  }, 45_000);
}

/** Accepts the application and waits for the verification fan-out to finish (no clock skipping meanwhile). */
export async function acceptAndVerify(h: TimeSkippingHarness, a: Started, actor = TOWN_STAFF): Promise<{ accepted: ApplicationView; verified: ApplicationView }> {
  const accepted = await act(h, a, 'acceptance', actor, { decision: 'accept' });
  expect(accepted.stage).toBe('verification');
  return { accepted, verified: await reaches(a, 'investigation') };
}

export async function investigate(h: TimeSkippingHarness, a: Started, actor = VILLAGE_STAFF, investigators = ['village.li', 'village.wang']): Promise<ApplicationView> {
  return act(h, a, 'investigation', actor, { investigators, visitedAt: await nowIso(h), findings: '家中无劳动力，住房简陋' });
}

/** Schedules the meeting, then records it: 7 of 9 members present, 6 for. */
export async function deliberate(h: TimeSkippingHarness, a: Started, actor = VILLAGE_STAFF): Promise<ApplicationView> {
  await act(h, a, 'deliberation', actor, { kind: 'schedule', scheduledAt: await nowIso(h), place: '海港社区会议室' });
  return act(h, a, 'deliberation', actor, { kind: 'record', heldAt: await nowIso(h), members: 9, attendees: 7, votesFor: 6, votesAgainst: 1, minutes: '同意纳入' });
}

/** Acceptance, verification, investigation and deliberation: the case waits for the town's review. */
export async function toTownReview(h: TimeSkippingHarness, a: Started): Promise<ApplicationView> {
  await acceptAndVerify(h, a);
  await investigate(h, a);
  const v = await deliberate(h, a);
  expect(v.stage).toBe('town_review');
  return v;
}

/** Lets the running notice end by itself: sleeps just past its end, waits for the district's stage. */
export async function sitOutNotice(h: TimeSkippingHarness, a: Started): Promise<ApplicationView> {
  const notice = (await applicationView(a)).notices.at(-1)!;
  await h.sleepUntil(Date.parse(notice.endsAt) + MIN);
  return reaches(a, 'district_approval');
}

/** The district's approval of a minimum-subsistence benefit from `startDate` ('YYYY-MM-DD'). */
export const approvalInput = (startDate: string, monthlyAmount = 890) => ({ decision: 'approve', category: 'minimum_subsistence', monthlyAmount, startDate, reason: '经审批确认，符合最低生活保障条件' });
