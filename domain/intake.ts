import { z } from 'zod';
import { RuleViolation, type Actor, type Outcome } from './case';
import { addWorkingDays, type HolidayCalendar } from './calendar';
import { advanceBook, bookWakeAt, meetOpen, openNext } from './deadline-book';
import { deadlineView, isoTime, type Deadline, type Escalation } from './deadlines';
import { zPhone } from './household';
import { zIdNumber } from './id-number';
import { zOrgCode, type UnitRef } from './org';
import type { IntakePolicy } from './policy';
import { PERMISSIONS } from './permissions';
import { zFreeText, zPublicPersonName } from './text';
import { LABOUR_CAPACITY, STAGE_NAMES, type ApplicationView } from './application';

/**
 * The rules of one application intake (申请受理, issue 14) as pure functions over its state. A resident applies
 * through their village's QR page (`POST /v1/public/applications`); the intake is the town's to accept or
 * return: 最低生活保障审核确认办法 (民政部 民发〔2021〕57号) — 乡镇人民政府(街道办事处)应当对申请人…提交的材料进行审查，
 * 材料齐备的，予以受理；材料不齐备的，应当一次性告知申请人…补齐所有规定材料. The number of working days within which
 * the town accepts or returns (policy `intake.acceptWorkingDays`, 3) is OURS: no national or Shandong text found
 * names one. The town is told at once (a notice addressed to it, `intake_filed`); a missed deadline climbs from
 * the town (town → district → city) every `intake.escalateEvery` (ours). Acceptance opens an application case
 * (source `public_qr`) for the applicant's household — registered in the village first when it is not — before
 * the acceptance commits, and links both ways (as a discovery's outcome); a return closes the intake with the
 * reason the applicant reads on their receipt.
 *
 * The applicant's personal data (name, ID number, phone, address) never enters the workflow: it is sealed in
 * the store (store/intakes.ts) and the state holds only what the rules need.
 */

export const INTAKE_STAGES = ['filed', 'accepted', 'returned'] as const;
export type IntakeStage = (typeof INTAKE_STAGES)[number];
export const INTAKE_STAGE_NAMES: Record<IntakeStage, string> = { filed: '已提交，待镇(街道)受理', accepted: '已受理', returned: '已退回' };

/** The most people a household applying through the public page may count (ours). */
export const MAX_HOUSEHOLD_SIZE = 20;
/** The longest description of the situation (ours; the policy may not lower it below 100). */
export const zSituation = (max: number) => zFreeText(max);

/**
 * What a resident sends (`POST /v1/public/applications`, the public channel's contract). The category is a
 * catalogue category code (checked against the catalogue by the API).
 */
export const zPublicApplicationInput = (maxSituation: number) =>
  z
    .object({
      unitCode: zOrgCode,
      category: z.string().trim().min(1).max(64),
      applicantName: zPublicPersonName,
      idNumber: zIdNumber,
      phone: z.string().trim().regex(/^1\d{10}$/, 'expected an 11-digit mobile number'),
      address: zFreeText(200),
      householdSize: z.number().int().min(1).max(MAX_HOUSEHOLD_SIZE),
      situation: zSituation(maxSituation),
      urgent: z.boolean().optional(),
    })
    .strict();
export type PublicApplicationInput = z.infer<ReturnType<typeof zPublicApplicationInput>>;

/** The applicant's details as the store keeps them (sealed), out of the workflow. */
export interface IntakeApplicant {
  applicantName: string;
  idNumber: string;
  phone: string;
  address: string;
}
export { zPhone };

/** The town's acceptance as the API takes it: the application's labour capacity (its re-review cadence), a note. */
export const zAcceptIntakeBody = z.object({ labourCapacity: z.enum(LABOUR_CAPACITY), note: zFreeText(2000).optional() }).strict();
export type AcceptIntakeBody = z.infer<typeof zAcceptIntakeBody>;
/** What the API prepares: the application's workflow id and start (opaque to the rules), opened before the acceptance commits. */
export const zIntakeOpening = z.looseObject({ workflowId: z.string().min(1).max(300), start: z.looseObject({}) });
export type IntakeOpening = z.infer<typeof zIntakeOpening>;
/** The acceptance as the workflow validates it: the body, the household (registered by the API when new), the opening. */
export const zAcceptIntakeInput = zAcceptIntakeBody.extend({ householdId: z.string().regex(/^hh-[0-9a-f]{12}$/, 'expected a household id'), opening: zIntakeOpening }).strict();
export type AcceptIntakeInput = z.infer<typeof zAcceptIntakeInput>;
/** 退回: the reason, shown to the applicant on their receipt (screened by publicTextFor). */
export const zReturnIntakeInput = z.object({ reason: zFreeText(1000) }).strict();
export type ReturnIntakeInput = z.infer<typeof zReturnIntakeInput>;

/** What opening the application gave: its id, or why not (`refused` when the application's own rules refused). */
export type IntakeOpened = { caseId: string; created: boolean } | { failed: string; refused?: boolean };

export interface FileIntakeArgs {
  intakeId: string;
  /** A catalogue category code and its name (the name as the catalogue had it when filed). */
  category: string;
  categoryName: string;
  householdSize: number;
  situation: string;
  urgent: boolean;
  /** Where it was filed (the QR code's village). */
  village: UnitRef;
  /** The town that accepts: the first rung of the ladder. */
  town: UnitRef;
  /** The town up to the city. */
  ladder: UnitRef[];
  policy: IntakePolicy;
  calendar: HolidayCalendar;
}

export interface IntakeDecision {
  outcome: 'accepted' | 'returned';
  at: number;
  by: Actor;
  reason?: string;
  note?: string;
  labourCapacity?: string;
  householdId?: string;
  applicationId?: string;
  /** Accepted into the household's application already open (the acceptance did not open it): the receipt does not follow it. */
  joined?: boolean;
}

export interface IntakeState extends Omit<FileIntakeArgs, 'policy' | 'calendar'> {
  status: 'open' | 'closed';
  stage: IntakeStage;
  filedAt: number;
  acceptBy: number;
  decision?: IntakeDecision;
  openFailures: number;
  lastOpenFailure?: { at: number; message: string; refused: boolean };
  deadlines: Deadline[];
  escalations: Escalation[];
  policy: IntakePolicy;
  version: number;
}

const LABEL = '申请受理：镇(街道)受理或退回';
const subject = (s: Pick<IntakeState, 'intakeId' | 'village' | 'categoryName' | 'urgent'>) => `救助申请受理 ${s.intakeId}（${s.village.name}，${s.categoryName}${s.urgent ? '，紧急' : ''}）`;
const path = (s: IntakeState) => ({ unit: s.town, ladder: s.ladder, subject: subject(s) });

/**
 * When the town must accept or return: `acceptWorkingDays` working days after filing (policy `intake`, ours),
 * counted on the holiday calendar (domain/calendar.ts addWorkingDays).
 */
export const acceptDueAt = (filedAt: number, policy: IntakePolicy, calendar: HolidayCalendar): number => addWorkingDays(filedAt, policy.acceptWorkingDays, calendar);

/**
 * Files the intake: the acceptance deadline (`intake.accept`) opens and the town is told at once (`intake_filed`).
 * @throws RuleViolation('unprocessable') when the ladder does not start at the town.
 */
export function fileIntake(a: FileIntakeArgs, now: number): { state: IntakeState } & Outcome {
  if (a.ladder[0]?.code !== a.town.code) throw new RuleViolation('unprocessable', 'the ladder must start at the town');
  const { policy, calendar, ...rest } = a;
  const acceptBy = acceptDueAt(now, policy, calendar);
  const state: IntakeState = { ...rest, status: 'open', stage: 'filed', filedAt: now, acceptBy, openFailures: 0, deadlines: [], escalations: [], policy, version: 0 };
  const opened = openNext(state, { prefix: 'intake', name: 'accept', label: LABEL, opensAt: now, dueAt: acceptBy, warn: policy.warnAt, escalateEveryMs: policy.escalateEvery }, now).events;
  return {
    state,
    // No actor: the applicant is not a user; their details stay in the store.
    events: [{ type: 'filed', at: now, data: { category: a.category, householdSize: a.householdSize, urgent: a.urgent, villageCode: a.village.code, policyVersion: policy.version } }, ...opened],
    notices: [{ unit: a.town, kind: 'intake_filed', message: `${a.urgent ? '【紧急】' : ''}新的救助申请（${subject(state)}）：请于受理期限内受理或一次性告知退回` }],
  };
}

function assertOpen(s: IntakeState): void {
  if (s.status !== 'open') throw new RuleViolation('conflict', `intake ${s.intakeId} was already ${s.stage === 'accepted' ? 'accepted' : 'returned'}`, 'case_closed');
}

/** The town may accept while the intake is open. @throws RuleViolation conflict (`case_closed`). */
export function checkAccept(s: IntakeState): void {
  assertOpen(s);
}

/** The town may return while the intake is open. @throws RuleViolation conflict (`case_closed`). */
export function checkReturn(s: IntakeState): void {
  assertOpen(s);
}

/**
 * 受理: the application was opened first (the step's prepare); when that failed the failure is recorded and
 * nothing is decided (the town tries again). Else the deadline is met (late when after it) and the intake closes.
 */
export function acceptIntake(s: IntakeState, input: AcceptIntakeInput, actor: Actor, now: number, opened: IntakeOpened | null): Outcome {
  checkAccept(s);
  if (!opened || 'failed' in opened) {
    const message = opened ? opened.failed : 'the application was not opened';
    s.openFailures += 1;
    s.lastOpenFailure = { at: now, message, refused: opened ? opened.refused === true : false };
    return { events: [{ type: 'outcome_open_failed', at: now, actor, data: { reason: message, refused: s.lastOpenFailure.refused } }], notices: [] };
  }
  const met = meetOpen(s, now, actor);
  s.decision = { outcome: 'accepted', at: now, by: actor, householdId: input.householdId, applicationId: opened.caseId, ...(opened.created ? {} : { joined: true }), labourCapacity: input.labourCapacity, ...(input.note ? { note: input.note } : {}) };
  s.stage = 'accepted';
  s.status = 'closed';
  return {
    events: [{ type: 'accepted', at: now, actor, data: { householdId: input.householdId, caseId: opened.caseId, created: opened.created } }, ...met, { type: 'closed', at: now, actor }],
    notices: [],
  };
}

/** 退回: meets the deadline (a return is an answer within it), closes the intake with its reason. */
export function returnIntake(s: IntakeState, input: ReturnIntakeInput, actor: Actor, now: number): Outcome {
  checkReturn(s);
  const met = meetOpen(s, now, actor);
  s.decision = { outcome: 'returned', at: now, by: actor, reason: input.reason };
  s.stage = 'returned';
  s.status = 'closed';
  return { events: [{ type: 'returned', at: now, actor, data: { reason: input.reason } }, ...met, { type: 'closed', at: now, actor }], notices: [] };
}

/** Brings the intake up to `now`: the deadline's warning, overdue mark and climb from the town. */
export function advanceIntake(s: IntakeState, now: number): Outcome {
  if (s.status !== 'open') return { events: [], notices: [] };
  return advanceBook(s, path(s), now);
}

/** The next instant `advanceIntake` has something to do (ms), or undefined. */
export function intakeWakeAt(s: IntakeState): number | undefined {
  return s.status === 'open' ? bookWakeAt(s, s.ladder.length) : undefined;
}

const iso = isoTime;

/** The intake as staff and the read model see it (the applicant's details are added by the API, masked by role). */
export function intakeView(s: IntakeState, now: number) {
  const d = s.decision;
  return {
    caseId: s.intakeId,
    kind: 'intake' as const,
    householdId: d?.householdId ?? null,
    status: s.status,
    stage: s.stage,
    stageName: INTAKE_STAGE_NAMES[s.stage],
    level: null,
    category: s.category,
    categoryName: s.categoryName,
    householdSize: s.householdSize,
    situation: s.situation,
    urgent: s.urgent,
    village: s.village,
    town: s.town,
    unit: s.town,
    /** Who reads it: the town and above (root first); the village does not (the town accepts). */
    orgPath: [...s.ladder].reverse().map((u) => u.code),
    filedAt: iso(s.filedAt)!,
    acceptBy: iso(s.acceptBy)!,
    openFailures: s.openFailures,
    lastOpenFailure: s.lastOpenFailure ? { ...s.lastOpenFailure, at: iso(s.lastOpenFailure.at)! } : null,
    decision: d ? { outcome: d.outcome, at: iso(d.at)!, by: d.by, reason: d.reason ?? null, note: d.note ?? null, householdId: d.householdId ?? null, applicationId: d.applicationId ?? null, joined: d.joined === true } : null,
    /** The application the acceptance opened, or null. */
    applicationId: d?.applicationId ?? null,
    ...deadlineView(s.deadlines, s.escalations, now),
    policyVersion: s.policy.version,
    version: s.version,
  };
}
export type IntakeView = ReturnType<typeof intakeView>;

/** The town's steps, one table for the workflow's validators and the API's routes (filing is the start). */
export const INTAKE_STEPS = {
  accept: { path: 'accept', summary: '镇(街道)受理救助申请：为申请人家庭（未登记的先登记）开启救助申请', roles: PERMISSIONS.intake.accept.roles, body: zAcceptIntakeBody, schema: zAcceptIntakeInput, check: checkAccept },
  return: { path: 'return', summary: '镇(街道)退回救助申请（一次性告知理由，如材料不齐）', roles: PERMISSIONS.intake.return.roles, body: zReturnIntakeInput, schema: zReturnIntakeInput, check: checkReturn },
} as const;
export type IntakeStepName = keyof typeof INTAKE_STEPS;

/** One step on a public receipt: its name and when (ISO). */
export interface ReceiptStep {
  name: string;
  at: string;
}

/** What a receipt shows of an application intake and the application it opened (api/routes/public.ts). */
export interface IntakeReceipt {
  status: string;
  statusName: string;
  dueBy: string | null;
  steps: ReceiptStep[];
  result: { text: string; at: string } | null;
}

const OUTCOME_NAMES: Record<NonNullable<ApplicationView['outcome']>, string> = { approved: '已批准', rejected: '不予批准', withdrawn: '已撤回', stopped: '已停止救助' };

/**
 * The receipt of an application intake (issue 14): filed, then accepted or returned; once accepted it follows
 * the application the acceptance opened — its steps (入户调查, 审核确认, 公示, 审批确认, 不予批准 with the written
 * notice), its stage and its current due date — so the applicant sees the whole way, not just 已受理. No
 * personal data: names, ids and numbers of the case are not shown, and free text passes `text` (the caller's
 * redaction, domain/privacy.ts). `app` null: not opened, or not in the read model yet (the intake's own
 * answer is shown). Which steps are shown is ours, after 民发〔2021〕57号's sequence.
 */
export function intakeReceipt(v: IntakeView, app: ApplicationView | null, text: (s: string) => string): IntakeReceipt {
  const d = v.decision;
  const filed: ReceiptStep[] = [{ name: '已提交', at: v.filedAt }];
  if (!d) return { status: v.stage, statusName: INTAKE_STAGE_NAMES[v.stage], dueBy: v.status === 'open' ? v.acceptBy : null, steps: filed, result: null };
  if (d.outcome === 'returned') return { status: v.stage, statusName: INTAKE_STAGE_NAMES[v.stage], dueBy: null, steps: [...filed, { name: '已退回', at: d.at }], result: { text: text(d.reason ?? ''), at: d.at } };
  // Joined to an application another filing (or the village) opened: only its own steps, nothing of that case.
  if (d.joined) return { status: v.stage, statusName: INTAKE_STAGE_NAMES[v.stage], dueBy: null, steps: [...filed, { name: '已受理（并入已有申请）', at: d.at }], result: { text: '已受理，并入该户已有的救助申请', at: d.at } };
  const accepted: ReceiptStep[] = [...filed, { name: '已受理', at: d.at }];
  const openResult = { text: '已受理，转入救助申请审核确认', at: d.at };
  if (!app) return { status: v.stage, statusName: INTAKE_STAGE_NAMES[v.stage], dueBy: null, steps: accepted, result: openResult };
  const steps = [...accepted];
  const investigated = app.investigations.at(-1);
  if (investigated) steps.push({ name: '入户调查', at: investigated.at });
  const opinion = app.decisions.find((x) => x.act === 'town_opinion' && (x.what as { opinion?: string }).opinion === 'approve');
  if (opinion) steps.push({ name: '审核确认', at: opinion.at });
  const notice = app.notices[0];
  if (notice) steps.push({ name: '公示', at: notice.startedAt });
  const approved = app.decisions.find((x) => x.act === 'approved');
  if (approved) steps.push({ name: '审批确认', at: approved.at });
  const rejected = app.decisions.find((x) => x.act === 'rejected');
  if (rejected) steps.push({ name: '不予批准', at: rejected.at });
  const withdrawn = app.decisions.find((x) => x.act === 'withdrawn');
  if (withdrawn) steps.push({ name: '已撤回', at: withdrawn.at });
  steps.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const statusName = app.status === 'closed' && app.outcome ? OUTCOME_NAMES[app.outcome] : STAGE_NAMES[app.stage];
  let result: IntakeReceipt['result'] = openResult;
  if (rejected) {
    const why = String((rejected.what as { noticeText?: unknown }).noticeText ?? '') || rejected.why;
    result = { text: `不予批准：${text(why)}`, at: rejected.at };
  } else if (approved) result = { text: '已批准，享受救助', at: approved.at };
  else if (withdrawn) result = { text: '已撤回', at: withdrawn.at };
  return { status: app.status === 'closed' && app.outcome ? app.outcome : app.stage, statusName, dueBy: app.status === 'open' ? app.dueAt : null, steps, result };
}
