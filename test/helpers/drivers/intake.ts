import { randomBytes } from 'node:crypto';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { Actor } from '../../../domain/case';
import type { AcceptIntakeInput } from '../../../domain/intake';
import { resolvePolicy } from '../../../domain/policy';
import { shippedHolidayCalendar } from '../../../store/calendar';
import { intakeWorkflow } from '../../../workflows';
import { applicationWorkflowId } from '../../../workflows/application/contract';
import { acceptIntakeUpdate, intakeQuery, returnIntakeUpdate, type IntakeInput } from '../../../workflows/intake/contract';
import { CITY, DISTRICT, eventually, LADDER, TOWN, VILLAGE, type TimeSkippingHarness } from '../time-skipping';

/** Drives the application-intake workflow as the API does (test/workflows/intake.test.ts, the property test, the history recorder). */

/** The town's staff accept or return. */
export const INTAKE_TOWN: Actor = { userId: 'town.staff', role: 'town_staff', unitCode: TOWN.code };
/** The default intake policy (3 working days, a rung every day from the town) and the shipped holiday calendar. */
export const INTAKE_POLICY = resolvePolicy(undefined, 'default').intake;
export const INTAKE_CALENDAR = shippedHolidayCalendar();
export const INTAKE_HOUSEHOLD = 'hh-0123456789ab';

export type IntakeHandle = WorkflowHandleWithFirstExecutionRunId<typeof intakeWorkflow>;

/** The acceptance as the API sends it: the household and the opening of its application, built as api/routes/intakes.ts builds it. */
export function acceptInput(householdId = INTAKE_HOUSEHOLD, category = 'minimum_subsistence'): AcceptIntakeInput {
  const applications = resolvePolicy(undefined, 'default').applications;
  return {
    labourCapacity: 'no_labour_capacity',
    householdId,
    opening: {
      workflowId: applicationWorkflowId(householdId, category),
      start: { submit: { householdId, category, source: 'public_qr', labourCapacity: 'no_labour_capacity', unit: VILLAGE, ladder: LADDER, conflictedUsers: [], policy: applications, calendar: INTAKE_CALENDAR, actor: INTAKE_TOWN } },
    },
  };
}

/** The opening as the API builds it: the application opens already accepted by this intake (SubmitArgs.accepted). */
const acceptedBy = (input: AcceptIntakeInput, intakeId: string): AcceptIntakeInput => {
  const start = input.opening.start as { submit?: Record<string, unknown> };
  if (!start.submit || 'accepted' in start.submit) return input;
  return { ...input, opening: { ...input.opening, start: { ...start, submit: { ...start.submit, accepted: { intakeId } } } } };
};

export const accept = (handle: IntakeHandle, caseId: string, input: AcceptIntakeInput = acceptInput(), actor: Actor = INTAKE_TOWN) =>
  handle.executeUpdate(acceptIntakeUpdate, { args: [{ caseId, actor, input: acceptedBy(input, caseId) }] });
export const returnIt = (handle: IntakeHandle, caseId: string, reason: string, actor: Actor = INTAKE_TOWN) => handle.executeUpdate(returnIntakeUpdate, { args: [{ caseId, actor, input: { reason } }] });

/** Files an intake at the village (the town accepts); waits until it answers queries. */
export async function startIntake(h: TimeSkippingHarness, o: { urgent?: boolean } = {}): Promise<{ handle: IntakeHandle; caseId: string; filedAt: number }> {
  const intakeId = `intake-${randomBytes(8).toString('hex')}`;
  const input: IntakeInput = {
    start: {
      openingRequestId: `req-${intakeId}`,
      file: {
        intakeId,
        category: 'minimum_subsistence',
        categoryName: '最低生活保障对象',
        householdSize: 3,
        situation: '丈夫病故，本人无固定收入',
        urgent: o.urgent === true,
        village: VILLAGE,
        town: TOWN,
        ladder: [TOWN, DISTRICT, CITY],
        policy: INTAKE_POLICY,
        calendar: INTAKE_CALENDAR,
      },
    },
  };
  const handle = await h.env.client.workflow.start(intakeWorkflow, { workflowId: intakeId, taskQueue: h.taskQueue, args: [input] });
  h.track(handle);
  const view = await eventually(() => handle.query(intakeQuery));
  return { handle, caseId: view.caseId, filedAt: Date.parse(view.filedAt) };
}
