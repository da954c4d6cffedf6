import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { RuleViolation } from '../../domain/case';
import { acceptIntake, advanceIntake, fileIntake, INTAKE_STEPS, intakeView, intakeWakeAt, returnIntake, type AcceptIntakeInput, type IntakeOpened, type IntakeState, type IntakeView } from '../../domain/intake';
import { applicationWorkflowId } from '../application/contract';
import { failureMessage, kindStep, runCase, type CaseKindRules } from '../lib/case-workflow';
import { acceptIntakeUpdate, intakeOpenedUpdate, intakeQuery, returnIntakeUpdate, type AcceptIntakeArgs, type IntakeInput, type IntakeStart, type ReturnIntakeArgs } from './contract';

const { openIntakeApplication } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', backoffCoefficient: 2, maximumAttempts: 5 },
});

/** Opens the application before the acceptance commits (the step's prepare); a failure comes back as `{ failed }`. */
async function openApplicationFor(s: IntakeState, input: AcceptIntakeInput): Promise<IntakeOpened> {
  try {
    return await openIntakeApplication({ intakeId: s.intakeId, opening: input.opening });
  } catch (err) {
    return { failed: failureMessage(err) };
  }
}

/**
 * The gate (validator only): the opening is the application of the household the acceptance names, of the
 * intake's category, filed at the intake's village with source `public_qr`, opened already accepted by this
 * intake (the town's acceptance is the application's 受理) — no update, by whatever path,
 * opens another household's or another category's application. Ours. @throws RuleViolation('unprocessable').
 */
function openingMatches(s: IntakeState, input: AcceptIntakeInput): void {
  const start = input.opening.start as { submit?: { householdId?: unknown; category?: unknown; source?: unknown; unit?: { code?: unknown }; accepted?: { intakeId?: unknown } } };
  const ok =
    input.opening.workflowId === applicationWorkflowId(input.householdId, s.category) &&
    start.submit?.householdId === input.householdId &&
    start.submit.category === s.category &&
    start.submit.source === 'public_qr' &&
    start.submit.unit?.code === s.village.code &&
    // Opened already accepted by this intake's acceptance: never a second 受理 (ours).
    start.submit.accepted?.intakeId === s.intakeId;
  if (!ok) throw new RuleViolation('unprocessable', `opening: not the ${s.category} application of household ${input.householdId} in ${s.village.code} this acceptance names`);
}

/** The intake kind for the case skeleton: its rules (domain/intake.ts) and its two steps. */
const INTAKE: CaseKindRules<IntakeState, IntakeView, IntakeStart> = {
  kind: 'intake',
  open: (start, now) => fileIntake(start.file, now),
  view: intakeView,
  caseIdOf: (s) => s.intakeId,
  advance: advanceIntake,
  wakeAt: intakeWakeAt,
  query: intakeQuery,
  opened: intakeOpenedUpdate,
  steps: [
    kindStep<IntakeState, AcceptIntakeArgs, IntakeView>({
      update: acceptIntakeUpdate,
      action: 'accept',
      schema: INTAKE_STEPS.accept.schema,
      check: INTAKE_STEPS.accept.check,
      gate: openingMatches,
      prepare: openApplicationFor,
      apply: (s: IntakeState, input: AcceptIntakeInput, actor, now, ctx: { prepared?: IntakeOpened | null }) => acceptIntake(s, input, actor, now, ctx.prepared ?? null),
    }),
    kindStep<IntakeState, ReturnIntakeArgs, IntakeView>({
      update: returnIntakeUpdate,
      action: 'return',
      schema: INTAKE_STEPS.return.schema,
      check: INTAKE_STEPS.return.check,
      apply: returnIntake,
    }),
  ],
};

/**
 * One application intake (申请受理): filed by the public → accepted (an application opens) or returned by the
 * town, which closes it. The deadline (`intake.accept`) climbs from the town when missed.
 */
export async function intakeWorkflow(input: IntakeInput): Promise<IntakeView> {
  return (await runCase(INTAKE, input as Parameters<typeof runCase<IntakeState, IntakeView, IntakeStart>>[1])) as IntakeView;
}
