import { z } from 'zod';
import { zFreeText, zPersonName } from './text';
import { addWorkingDays, provisionalYears, type HolidayCalendar } from './calendar';
import { CLOCK_SKEW_MS, checkWithin, zDay, zInstant } from './dates';
import { localDay, startOfLocalDay } from './china-time';
import { RuleViolation, type Actor, type CaseEvent, type Outcome } from './case';
import { advanceBook, bookWakeAt, earliest, endOpen, meetOpen, mergeOutcome, moveOpen, openDeadline as openOf, openNext } from './deadline-book';
import { deadlineView, isoTime, type Deadline, type Escalation } from './deadlines';
import type { UnitRef } from './org';
import { PERMISSIONS } from './permissions';
import type { Role } from './roles';
import { reaches, type ApplicationPolicy, type Fraction } from './policy';
import { summarise, zDepartmentCode, zDepartmentRecord, zYuan, type DepartmentAnswer } from './verification';

/**
 * The rules of one assistance application (救助申请, 一门受理、协同办理) as pure functions over its
 * state, from submission to decision and then periodic re-review. Deadlines count working days on the
 * holiday calendar the workflow receives as data; they escalate through the same mechanism as alerts.
 */

export const APPLICATION_STAGES = [
  'submitted',
  'returned',
  'verification',
  'investigation',
  'deliberation',
  'town_review',
  'notice',
  'district_approval',
  'in_benefit',
  're_review',
  'closed',
] as const;
export type ApplicationStage = (typeof APPLICATION_STAGES)[number];

export const STAGE_NAMES: Record<ApplicationStage, string> = {
  submitted: '待受理',
  returned: '退回补正',
  verification: '家庭经济状况核对',
  investigation: '入户调查',
  deliberation: '民主评议',
  town_review: '镇(街道)审核',
  notice: '公示',
  district_approval: '区市审批确认',
  in_benefit: '享受救助',
  re_review: '定期复核',
  closed: '已办结',
};

export const APPLICATION_SOURCES = ['one_door', 'on_behalf', 'alert', 'public_qr'] as const;
export const LABOUR_CAPACITY = ['no_labour_capacity', 'illness_or_disability', 'labour_capacity'] as const;
export type LabourCapacity = (typeof LABOUR_CAPACITY)[number];

const zText = (max: number) => zFreeText(max);

export const zAcceptanceInput = z.discriminatedUnion('decision', [
  z.object({ decision: z.literal('accept'), note: z.string().max(1000).optional() }).strict(),
  // 一次性告知: the complete list of what is missing, at once.
  z.object({ decision: z.literal('return'), missing: z.array(zText(200)).min(1, 'list every missing material').max(50), note: z.string().max(1000).optional() }).strict(),
]);
export const zSupplementsInput = z.object({ supplied: z.array(zText(200)).min(1).max(50), note: z.string().max(1000).optional() }).strict();
export const zVerificationResultInput = z
  .object({ department: zDepartmentCode, records: z.array(zDepartmentRecord).max(200), note: z.string().max(1000).optional() })
  .strict();
export const zInvestigationInput = z
  .object({
    investigators: z.array(zPersonName).min(1).max(10),
    visitedAt: zInstant,
    findings: zText(5000),
  })
  .strict();
export const zDeliberationInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('schedule'), scheduledAt: zInstant, place: zText(200) }).strict(),
  z
    .object({
      kind: z.literal('record'),
      heldAt: zInstant,
      members: z.number().int().min(1).max(500),
      attendees: z.number().int().min(0).max(500),
      votesFor: z.number().int().min(0),
      votesAgainst: z.number().int().min(0),
      minutes: z.string().max(10_000).default(''),
    })
    .strict()
    .refine((m) => m.attendees <= m.members, { path: ['attendees'], message: 'more attendees than members' })
    .refine((m) => m.votesFor + m.votesAgainst <= m.attendees, { path: ['votesFor'], message: 'more votes than attendees' }),
]);
export const zReviewInput = z
  .object({ opinion: z.enum(['approve', 'reject']), reason: zText(2000), noticeText: z.string().max(5000).optional() })
  .strict()
  .refine((r) => r.opinion === 'approve' || r.noticeText, { path: ['noticeText'], message: 'a rejection needs its written notice' });
export const zObjectionInput = z.object({ text: zText(5000), from: z.string().max(100).optional() }).strict();
export const zApprovalInput = z.discriminatedUnion('decision', [
  z
    .object({
      decision: z.literal('approve'),
      category: zText(50),
      monthlyAmount: zYuan(100_000).positive('a benefit is more than 0 yuan'),
      startDate: zDay,
      reason: zText(2000),
    })
    .strict(),
  z
    .object({
      decision: z.literal('reject'),
      reason: zText(2000),
      noticeText: zText(5000),
      appealInformed: z.literal(true, 'the household must be told of its right to appeal'),
    })
    .strict(),
]);
export const zExtensionInput = z
  .object({ stage: z.enum(['town_review', 'district_approval']), workingDays: z.number().int().min(1).max(60), reason: zText(1000) })
  .strict();
export const zWithdrawalInput = z.object({ reason: zText(1000) }).strict();
export const zReReviewInput = z
  .object({
    outcome: z.enum(['renew', 'change', 'stop']),
    reason: zText(2000),
    monthlyAmount: zYuan(100_000).positive('a benefit is more than 0 yuan').optional(),
    labourCapacity: z.enum(LABOUR_CAPACITY).optional(),
  })
  .strict()
  .refine((r) => r.outcome !== 'change' || r.monthlyAmount !== undefined || r.labourCapacity !== undefined, {
    path: ['monthlyAmount'],
    message: 'a change needs a new amount or labour capacity',
  });

/** Every decision is kept as an append-only record: who, when, what, why. */
export interface DecisionRecord {
  act: string;
  at: number;
  by: Actor;
  what: Record<string, unknown>;
  why: string;
}

export interface ApplicationState {
  applicationId: string;
  householdId: string;
  category: string;
  source: (typeof APPLICATION_SOURCES)[number];
  alertId?: string;
  /** For an application filed from an alert: whether that alert was closed as converted. */
  alertConversion?: 'pending' | 'closed' | 'already_closed' | 'failed';
  labourCapacity: LabourCapacity;
  status: 'open' | 'closed';
  stage: ApplicationStage;
  unit: UnitRef;
  ladder: UnitRef[];
  /** A staff member declared a close relative in this household (近亲属备案). */
  flagged: boolean;
  /** Users who may not investigate, deliberate, review, approve or re-review it. */
  conflictedUsers: string[];
  submittedAt: number;
  acceptedAt?: number;
  materials: { missing: string[]; returnedAt: number; suppliedAt?: number }[];
  verification: { rounds: number; answers: DepartmentAnswer[]; pending: boolean };
  investigations: { investigators: string[]; visitedAt: number; findings: string; at: number; by: Actor }[];
  meetings: { scheduledAt?: number; place?: string; heldAt?: number; members?: number; attendees?: number; votesFor?: number; votesAgainst?: number; quorate?: boolean; approved?: boolean; minutes?: string }[];
  notices: { startedAt: number; endsAt: number; objections: { at: number; text: string; from?: string; by: Actor }[]; endedAt?: number }[];
  /** Set by an objection: the decision is then due within N working days, whatever the stage. */
  objectionDecisionDue?: number;
  extensions: { stage: 'town_review' | 'district_approval'; workingDays: number; reason: string; at: number; by: Actor }[];
  decisions: DecisionRecord[];
  outcome?: 'approved' | 'rejected' | 'withdrawn' | 'stopped';
  benefit?: { category: string; monthlyAmount: number; startDate: string; nextReReviewAt: number; reReviews: number };
  deadlines: Deadline[];
  escalations: Escalation[];
  policy: ApplicationPolicy;
  calendar: HolidayCalendar;
  version: number;
}

const LABELS = {
  acceptance: '受理：收到申请后作出受理决定',
  supplements: '补正材料：一次性告知后补齐',
  town_review: '镇(街道)审核意见：受理后15个工作日内（不含公示）',
  district_approval: '区市审批确认：公示结束后10个工作日内',
  objection: '异议处理：复核并作出决定',
  re_review: '定期复核',
} as const;
type DeadlineName = keyof typeof LABELS;

/** The deadline the application is working towards, or undefined. */
export function currentDeadline(s: ApplicationState): Deadline | undefined {
  return openOf(s);
}

/** Opens the application's next deadline, from now until `dueAt` (the book ends one still open); its `deadline_opened` event. */
function openDeadline(s: ApplicationState, name: DeadlineName, now: number, dueAt: number, actor?: Actor, label: string = LABELS[name]): CaseEvent[] {
  return openNext(s, { prefix: 'application', name, label, opensAt: now, dueAt, warn: s.policy.warnAt, escalateEveryMs: s.policy.escalateEveryMs }, now, actor).events;
}

const subject = (s: ApplicationState) => `申请 ${s.applicationId}`;
/** Where the application's deadlines escalate: from its village up the ladder. */
const escalationPath = (s: ApplicationState) => ({ unit: s.unit, ladder: s.ladder, subject: subject(s) });

const wd = (s: ApplicationState, from: number, n: number) => addWorkingDays(from, n, s.calendar);

export interface SubmitArgs {
  applicationId: string;
  householdId: string;
  category: string;
  source: ApplicationState['source'];
  alertId?: string;
  labourCapacity: LabourCapacity;
  unit: UnitRef;
  ladder: UnitRef[];
  conflictedUsers: string[];
  policy: ApplicationPolicy;
  calendar: HolidayCalendar;
  actor: Actor;
  /**
   * Opened already accepted (受理), by `actor`: a public intake the town accepted (domain/intake.ts) — the town's
   * acceptance of the intake IS the application's 受理 (民发〔2021〕57号: 乡镇…予以受理), so it is not accepted twice
   * and its town-review deadline runs from then. `intakeId` names the intake; `note` the accept form's note.
   */
  accepted?: { intakeId: string; note?: string };
}

/**
 * Opens an application at 待受理 with its acceptance deadline and tells the town; with `a.accepted` (a public
 * intake the town accepted) the acceptance step is applied at once, as part of opening (see SubmitArgs).
 */
export function submitApplication(a: SubmitArgs, now: number): { state: ApplicationState } & Outcome {
  const state: ApplicationState = {
    applicationId: a.applicationId,
    householdId: a.householdId,
    category: a.category,
    source: a.source,
    ...(a.alertId ? { alertId: a.alertId, alertConversion: 'pending' as const } : {}),
    labourCapacity: a.labourCapacity,
    status: 'open',
    stage: 'submitted',
    unit: a.unit,
    ladder: a.ladder,
    flagged: a.conflictedUsers.length > 0,
    conflictedUsers: a.conflictedUsers,
    submittedAt: now,
    materials: [],
    verification: { rounds: 0, answers: [], pending: false },
    investigations: [],
    meetings: [],
    notices: [],
    extensions: [],
    decisions: [],
    deadlines: [],
    escalations: [],
    policy: a.policy,
    calendar: a.calendar,
    version: 0,
  };
  const opened = openDeadline(state, 'acceptance', now, wd(state, now, a.policy.acceptanceWorkingDays), a.actor);
  const submitted: CaseEvent = { type: 'submitted', at: now, actor: a.actor, data: { category: a.category, source: a.source, flagged: state.flagged, ...(a.alertId ? { alertId: a.alertId } : {}), ...(a.accepted ? { intakeId: a.accepted.intakeId } : {}) } };
  const flaggedNote = state.flagged ? '；申请人为工作人员近亲属，需全面调查' : '';
  if (a.accepted) {
    const note = `镇(街道)受理公众申请 ${a.accepted.intakeId}${a.accepted.note ? `：${a.accepted.note}` : ''}`;
    const accepted = acceptance(state, { decision: 'accept', note }, a.actor, now);
    return {
      state,
      events: [submitted, ...opened, ...accepted.events],
      notices: [{ unit: a.ladder[1] ?? a.unit, kind: 'opened', message: `新的救助申请（${a.householdId}，${a.category}）已受理，进入家庭经济状况核对${flaggedNote}` }],
    };
  }
  return {
    state,
    events: [submitted, ...opened],
    notices: [{ unit: a.ladder[1] ?? a.unit, kind: 'opened', message: `新的救助申请（${a.householdId}，${a.category}）待受理${flaggedNote}` }],
  };
}

function expectStage(s: ApplicationState, ...stages: ApplicationStage[]): void {
  if (s.status !== 'open') throw new RuleViolation('conflict', `application ${s.applicationId} is closed`);
  if (!stages.includes(s.stage)) throw new RuleViolation('conflict', `application ${s.applicationId} is at ${s.stage} (${STAGE_NAMES[s.stage]}), not ${stages.join(' or ')}`);
}

/** Close relatives of the household may not take part in its investigation, deliberation, review or approval. */
function notConflicted(s: ApplicationState, actor: Actor): void {
  if (s.conflictedUsers.includes(actor.userId)) {
    throw new RuleViolation('forbidden', `${actor.userId} declared a close relative in this household and may not act on its application`);
  }
}

function decide(s: ApplicationState, act: string, by: Actor, now: number, what: Record<string, unknown>, why: string): CaseEvent {
  s.decisions.push({ act, at: now, by, what, why });
  return { type: act, at: now, actor: by, data: { ...what, reason: why } };
}

const stageEvent = (s: ApplicationState, now: number): CaseEvent => ({ type: 'stage_entered', at: now, data: { stage: s.stage } });

/** The town's deadline runs from acceptance over verification, investigation, deliberation and review. */
function townDeadlineDue(s: ApplicationState): number {
  const extra = s.extensions.filter((e) => e.stage === 'town_review').reduce((n, e) => n + e.workingDays, 0);
  return wd(s, s.acceptedAt!, s.policy.townReview.workingDays + extra);
}

export function checkAcceptance(s: ApplicationState): void {
  expectStage(s, 'submitted');
}

export function acceptance(s: ApplicationState, input: z.infer<typeof zAcceptanceInput>, actor: Actor, now: number): Outcome {
  checkAcceptance(s);
  const met = meetOpen(s, now, actor);
  if (input.decision === 'return') {
    s.stage = 'returned';
    s.materials.push({ missing: input.missing, returnedAt: now });
    const opened = openDeadline(s, 'supplements', now, wd(s, now, s.policy.supplementsWorkingDays), actor);
    return { events: [decide(s, 'returned_for_materials', actor, now, { missing: input.missing }, input.note ?? '材料不全，一次性告知'), ...met, ...opened, stageEvent(s, now)], notices: [] };
  }
  s.stage = 'verification';
  s.acceptedAt = now;
  s.verification.pending = true;
  const opened = openDeadline(s, 'town_review', now, townDeadlineDue(s), actor);
  return { events: [decide(s, 'accepted', actor, now, {}, input.note ?? '受理'), ...met, ...opened, stageEvent(s, now)], notices: [] };
}

export function checkSupplements(s: ApplicationState, input: z.infer<typeof zSupplementsInput>): void {
  expectStage(s, 'returned');
  const missing = s.materials.at(-1)!.missing.filter((m) => !input.supplied.includes(m));
  if (missing.length) throw new RuleViolation('unprocessable', `still missing: ${missing.join('、')}`);
}

export function supplements(s: ApplicationState, input: z.infer<typeof zSupplementsInput>, actor: Actor, now: number): Outcome {
  checkSupplements(s, input);
  const met = meetOpen(s, now, actor);
  s.materials.at(-1)!.suppliedAt = now;
  s.stage = 'submitted';
  const opened = openDeadline(s, 'acceptance', now, wd(s, now, s.policy.acceptanceWorkingDays), actor);
  return { events: [{ type: 'materials_supplied', at: now, actor, data: { supplied: input.supplied } }, ...met, ...opened, stageEvent(s, now)], notices: [] };
}

/** The alert the application came from was closed as converted (or had been closed already). */
export function alertConverted(s: ApplicationState, result: 'closed' | 'already_closed' | 'failed', now: number, reason?: string): Outcome {
  s.alertConversion = result;
  return { events: [{ type: 'alert_converted', at: now, data: { alertId: s.alertId, result, ...(reason ? { reason } : {}) } }], notices: [] };
}

/** The fan-out's answers arrive (automatic, from the workflow): on to investigation, or back to review after an objection. */
export function verificationCompleted(s: ApplicationState, answers: DepartmentAnswer[], now: number): Outcome {
  s.verification = { rounds: s.verification.rounds + 1, answers, pending: false };
  const summary = summarise(answers);
  s.stage = s.objectionDecisionDue !== undefined ? 'town_review' : 'investigation';
  return {
    events: [{ type: 'verification_completed', at: now, data: { round: s.verification.rounds, answered: summary.answered, missing: summary.missing, monthlyIncome: summary.monthlyIncome, assetValue: summary.assetValue } }, stageEvent(s, now)],
    notices: summary.missing.length ? [{ unit: s.ladder[1] ?? s.unit, kind: 'stage', message: `核对未获回复的部门：${summary.missing.join('、')}（${s.applicationId}），可手工录入` }] : [],
  };
}

export function checkVerificationResult(s: ApplicationState): void {
  expectStage(s, 'investigation', 'deliberation', 'town_review', 'notice', 'district_approval');
}

/** Manual entry where a department has no feed: replaces that department's answer. */
export function verificationResult(s: ApplicationState, input: z.infer<typeof zVerificationResultInput>, actor: Actor, now: number): Outcome {
  checkVerificationResult(s);
  const answer: DepartmentAnswer = { department: input.department, status: 'answered', records: input.records, answeredAt: now };
  s.verification.answers = [...s.verification.answers.filter((a) => a.department !== input.department), answer];
  return { events: [{ type: 'verification_result_entered', at: now, actor, data: { department: input.department, records: input.records.length, manual: true } }], notices: [] };
}

export function checkInvestigation(s: ApplicationState, input: z.infer<typeof zInvestigationInput>, actor: Actor): void {
  expectStage(s, 'investigation');
  notConflicted(s, actor);
  const people = new Set(input.investigators);
  if (people.size < s.policy.minInvestigators) throw new RuleViolation('unprocessable', `an investigation needs at least ${s.policy.minInvestigators} different investigators`, undefined, { path: 'body.investigators', code: 'too_few_investigators' });
  const conflicted = input.investigators.filter((i) => s.conflictedUsers.includes(i));
  if (conflicted.length) throw new RuleViolation('forbidden', `close relatives of the household may not investigate: ${conflicted.join(', ')}`);
}

export function investigation(s: ApplicationState, input: z.infer<typeof zInvestigationInput>, actor: Actor, now: number): Outcome {
  checkInvestigation(s, input, actor);
  s.investigations.push({ investigators: input.investigators, visitedAt: Date.parse(input.visitedAt), findings: input.findings, at: now, by: actor });
  s.stage = 'deliberation';
  return { events: [{ type: 'investigated', at: now, actor, data: { investigators: input.investigators.length } }, stageEvent(s, now)], notices: [] };
}

export function checkDeliberation(s: ApplicationState, actor: Actor): void {
  expectStage(s, 'deliberation');
  notConflicted(s, actor);
}

/**
 * 民主评议: a meeting is scheduled, then held. It counts only with the policy's attendance (default 2/3
 * of members); it approves with the policy's share of those present. Without quorum the case stays in
 * deliberation for another meeting; with quorum the result goes to the town's review either way.
 */
export function deliberation(s: ApplicationState, input: z.infer<typeof zDeliberationInput>, actor: Actor, now: number): Outcome {
  checkDeliberation(s, actor);
  if (input.kind === 'schedule') {
    s.meetings.push({ scheduledAt: Date.parse(input.scheduledAt), place: input.place });
    return { events: [{ type: 'deliberation_scheduled', at: now, actor, data: { scheduledAt: Date.parse(input.scheduledAt), place: input.place } }], notices: [] };
  }
  const { attendance, approval } = s.policy.deliberation;
  const quorate = reaches(input.attendees, input.members, attendance);
  const approved = quorate && input.attendees > 0 && reaches(input.votesFor, input.attendees, approval);
  const scheduled = s.meetings.at(-1);
  const meeting = { heldAt: Date.parse(input.heldAt), members: input.members, attendees: input.attendees, votesFor: input.votesFor, votesAgainst: input.votesAgainst, quorate, approved, minutes: input.minutes };
  if (scheduled && scheduled.heldAt === undefined) Object.assign(scheduled, meeting);
  else s.meetings.push(meeting);
  const events: CaseEvent[] = [{ type: 'deliberated', at: now, actor, data: { members: input.members, attendees: input.attendees, votesFor: input.votesFor, votesAgainst: input.votesAgainst, quorate, approved } }];
  if (quorate) {
    s.stage = 'town_review';
    events.push(stageEvent(s, now));
  }
  return { events, notices: [] };
}

export function checkReview(s: ApplicationState, actor: Actor): void {
  expectStage(s, 'town_review');
  notConflicted(s, actor);
}

/** The town's opinion: approval goes to public notice; a rejection decides the case with its written notice. */
export function review(s: ApplicationState, input: z.infer<typeof zReviewInput>, actor: Actor, now: number): Outcome {
  checkReview(s, actor);
  const events: CaseEvent[] = [decide(s, 'town_opinion', actor, now, { opinion: input.opinion }, input.reason)];
  if (input.opinion === 'reject') {
    events.push(...meetOpen(s, now, actor));
    events.push(decide(s, 'rejected', actor, now, { by: 'town', noticeText: input.noticeText, appealInformed: true }, input.reason));
    return { ...close(s, 'rejected', now, events), notices: [{ unit: s.unit, kind: 'decided', message: `救助申请未通过审核（${s.applicationId}）` }] };
  }
  if (s.objectionDecisionDue === undefined) events.push(...meetOpen(s, now, actor));
  s.stage = 'notice';
  s.notices.push({ startedAt: now, endsAt: now + s.policy.noticeMs, objections: [] });
  events.push(stageEvent(s, now));
  return { events, notices: [] };
}

export function checkObjection(s: ApplicationState): void {
  expectStage(s, 'notice');
}

/** 异议: back to verification; the decision is now due within the objection period (20 working days). */
export function objection(s: ApplicationState, input: z.infer<typeof zObjectionInput>, actor: Actor, now: number): Outcome {
  checkObjection(s);
  const notice = s.notices.at(-1)!;
  notice.objections.push({ at: now, text: input.text, by: actor, ...(input.from ? { from: input.from } : {}) });
  notice.endedAt = now;
  const deadlines: CaseEvent[] = [];
  if (s.objectionDecisionDue === undefined) {
    deadlines.push(...endOpen(s, now, 'closed', actor));
    s.objectionDecisionDue = wd(s, now, s.policy.objectionDecisionWorkingDays);
    deadlines.push(...openDeadline(s, 'objection', now, s.objectionDecisionDue, actor));
  }
  s.stage = 'verification';
  s.verification.pending = true;
  return {
    events: [{ type: 'objection_received', at: now, actor, data: { decisionDueAt: s.objectionDecisionDue } }, ...deadlines, stageEvent(s, now)],
    notices: [{ unit: s.ladder[1] ?? s.unit, kind: 'stage', message: `公示期间收到异议（${s.applicationId}），重新核对` }],
  };
}

/** The notice ran its days without an objection: on to the district, whose 10 working days start now. */
export function noticeEnded(s: ApplicationState, now: number): Outcome {
  const notice = s.notices.at(-1)!;
  notice.endedAt = now;
  s.stage = 'district_approval';
  const opened = s.objectionDecisionDue === undefined ? openDeadline(s, 'district_approval', now, districtDeadlineDue(s, now)) : [];
  return { events: [{ type: 'notice_ended', at: now, data: { objections: 0 } }, ...opened, stageEvent(s, now)], notices: [] };
}

function districtDeadlineDue(s: ApplicationState, from: number): number {
  const extra = s.extensions.filter((e) => e.stage === 'district_approval').reduce((n, e) => n + e.workingDays, 0);
  return wd(s, from, s.policy.districtApproval.workingDays + extra);
}

export function checkExtension(s: ApplicationState, input: z.infer<typeof zExtensionInput>, actor: Actor): void {
  const stages: ApplicationStage[] = input.stage === 'town_review' ? ['verification', 'investigation', 'deliberation', 'town_review'] : ['district_approval'];
  expectStage(s, ...stages);
  notConflicted(s, actor);
  const grantors: readonly string[] = input.stage === 'town_review' ? ['town_supervisor', 'admin'] : ['district_staff', 'admin'];
  if (!grantors.includes(actor.role)) throw new RuleViolation('forbidden', `an extension of the ${input.stage} deadline is granted by ${grantors[0]}`);
  if (s.objectionDecisionDue !== undefined) throw new RuleViolation('unprocessable', 'after an objection the decision deadline cannot be extended');
  if (s.extensions.some((e) => e.stage === input.stage)) throw new RuleViolation('conflict', `the ${input.stage} deadline was already extended once`);
  const max = input.stage === 'town_review' ? s.policy.townReview.extensionWorkingDays : s.policy.districtApproval.extensionWorkingDays;
  if (input.workingDays > max) throw new RuleViolation('unprocessable', `an extension of the ${input.stage} deadline is at most ${max} working days`);
  const d = currentDeadline(s);
  if (!d || d.breachedAt !== undefined) throw new RuleViolation('unprocessable', 'the deadline has already passed; an extension must be granted before it');
}

/** One extension per deadline, with its reason, granted before the deadline passes. */
export function extension(s: ApplicationState, input: z.infer<typeof zExtensionInput>, actor: Actor, now: number): Outcome {
  checkExtension(s, input, actor);
  s.extensions.push({ stage: input.stage, workingDays: input.workingDays, reason: input.reason, at: now, by: actor });
  const d = currentDeadline(s)!;
  const due = input.stage === 'town_review' ? townDeadlineDue(s) : districtDeadlineDue(s, d.opensAt);
  // The at-risk warning comes again before the new due date.
  moveOpen(s, { dueAt: due, warn: s.policy.warnAt, rewarn: true });
  return { events: [decide(s, 'extended', actor, now, { stage: input.stage, workingDays: input.workingDays, dueAt: d.dueAt }, input.reason)], notices: [] };
}

export function checkApproval(s: ApplicationState, actor: Actor): void {
  expectStage(s, 'district_approval');
  notConflicted(s, actor);
}

/** Adds whole months to a local (UTC+8) date, clamping to the month's end: 01-31 + 1 month = 02-28. */
export function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = total % 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return `${year}-${String(month + 1).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

export function approval(s: ApplicationState, input: z.infer<typeof zApprovalInput>, actor: Actor, now: number): Outcome {
  checkApproval(s, actor);
  const met = meetOpen(s, now, actor);
  if (input.decision === 'reject') {
    const events = [decide(s, 'rejected', actor, now, { by: 'district', noticeText: input.noticeText, appealInformed: true }, input.reason), ...met];
    return { ...close(s, 'rejected', now, events), notices: [{ unit: s.unit, kind: 'decided', message: `救助申请未获批准（${s.applicationId}）` }] };
  }
  const months = s.policy.reReview.months[s.labourCapacity];
  s.benefit = { category: input.category, monthlyAmount: input.monthlyAmount, startDate: input.startDate, nextReReviewAt: startOfLocalDay(addMonths(input.startDate, months)), reReviews: 0 };
  s.outcome = 'approved';
  s.stage = 'in_benefit';
  delete s.objectionDecisionDue;
  return {
    events: [decide(s, 'approved', actor, now, { category: input.category, monthlyAmount: input.monthlyAmount, startDate: input.startDate }, input.reason), ...met, stageEvent(s, now)],
    notices: [{ unit: s.unit, kind: 'decided', message: `救助申请已批准（${s.applicationId}）：${input.category}，每月${input.monthlyAmount}元，自${input.startDate}起` }],
  };
}

/** The re-review date came: the benefit is reviewed again within the policy's working days. */
export function reReviewDue(s: ApplicationState, now: number): Outcome {
  s.stage = 're_review';
  const opened = openDeadline(s, 're_review', now, wd(s, now, s.policy.reReview.workingDays), undefined, `${LABELS.re_review}（第${s.benefit!.reReviews + 1}次）`);
  return { events: [...opened, stageEvent(s, now)], notices: [{ unit: s.unit, kind: 'stage', message: `救助对象定期复核到期（${s.applicationId}）` }] };
}

export function checkReReview(s: ApplicationState, actor: Actor): void {
  expectStage(s, 're_review');
  notConflicted(s, actor);
}

export function reReview(s: ApplicationState, input: z.infer<typeof zReReviewInput>, actor: Actor, now: number): Outcome {
  checkReReview(s, actor);
  const met = meetOpen(s, now, actor);
  const b = s.benefit!;
  b.reReviews += 1;
  const event = decide(s, `re_review_${input.outcome}`, actor, now, { monthlyAmount: input.monthlyAmount ?? b.monthlyAmount, labourCapacity: input.labourCapacity ?? s.labourCapacity }, input.reason);
  if (input.outcome === 'stop') return { ...close(s, 'stopped', now, [event, ...met]), notices: [{ unit: s.unit, kind: 'decided', message: `救助已停止（${s.applicationId}）` }] };
  if (input.monthlyAmount !== undefined) b.monthlyAmount = input.monthlyAmount;
  if (input.labourCapacity) s.labourCapacity = input.labourCapacity;
  // The next date follows the schedule from the start date — whole months after it — so re-reviews drift
  // neither with late handling nor with month-end clamping (12-31 → 03-31, 06-30, 09-30, 12-31, not 12-30).
  const last = localDay(b.nextReReviewAt);
  const monthIndex = (day: string) => Number(day.slice(0, 4)) * 12 + Number(day.slice(5, 7)) - 1;
  const monthsSoFar = monthIndex(last) - monthIndex(b.startDate);
  b.nextReReviewAt = startOfLocalDay(addMonths(b.startDate, monthsSoFar + s.policy.reReview.months[s.labourCapacity]));
  s.stage = 'in_benefit';
  return { events: [event, ...met, stageEvent(s, now)], notices: [] };
}

export function checkWithdrawal(s: ApplicationState): void {
  expectStage(s, 'submitted', 'returned', 'verification', 'investigation', 'deliberation', 'town_review', 'notice', 'district_approval');
}

export function withdrawal(s: ApplicationState, input: z.infer<typeof zWithdrawalInput>, actor: Actor, now: number): Outcome {
  checkWithdrawal(s);
  return close(s, 'withdrawn', now, [decide(s, 'withdrawn', actor, now, {}, input.reason)], actor);
}

/** Closes the application after `events`; a deadline still open ends as `closed` (its `deadline_ended` follows them). */
function close(s: ApplicationState, outcome: NonNullable<ApplicationState['outcome']>, now: number, events: CaseEvent[], actor?: Actor): Outcome {
  const ended = endOpen(s, now, 'closed', actor);
  s.status = 'closed';
  s.stage = 'closed';
  s.outcome = outcome;
  return { events: [...events, ...ended, stageEvent(s, now)], notices: [] };
}

/** Brings the application up to `now`: deadline warnings and escalations, the end of a notice, a re-review date. */
export function advanceApplication(s: ApplicationState, now: number): Outcome {
  if (s.status !== 'open') return { events: [], notices: [] };
  const out: Outcome = { events: [], notices: [] };
  const notice = s.notices.at(-1);
  if (s.stage === 'notice' && notice && now >= notice.endsAt) mergeOutcome(out, noticeEnded(s, now));
  if (s.stage === 'in_benefit' && s.benefit && now >= s.benefit.nextReReviewAt) mergeOutcome(out, reReviewDue(s, now));
  return mergeOutcome(out, advanceBook(s, escalationPath(s), now));
}

/** The next instant something is due to happen by itself: the book's next wake, the end of a notice, a re-review date. */
export function applicationWakeAt(s: ApplicationState): number | undefined {
  if (s.status !== 'open') return undefined;
  return earliest(
    bookWakeAt(s, s.ladder.length),
    s.stage === 'notice' ? s.notices.at(-1)!.endsAt : undefined,
    s.stage === 'in_benefit' && s.benefit ? s.benefit.nextReReviewAt : undefined,
  );
}

const iso = isoTime;

/**
 * Whether a deadline of the application was counted across a provisional calendar year: every application
 * deadline is counted in working days on the calendar the application keeps (`s.calendar`), from its
 * opening to its due day, so its due time is an estimate while any such year is.
 */
const countedOnProvisional = (s: ApplicationState) => (d: Deadline) => provisionalYears(s.calendar, d.opensAt, d.dueAt - 1).length > 0;

/**
 * The application as the API and the read model show it. A due time counted on a provisional calendar
 * year carries `provisional: true` (in `due` and `deadlines[]`).
 */
export function applicationView(s: ApplicationState, now: number) {
  return {
    caseId: s.applicationId,
    kind: 'application' as const,
    householdId: s.householdId,
    category: s.category,
    source: s.source,
    alertId: s.alertId ?? null,
    alertConversion: s.alertConversion ?? null,
    status: s.status,
    stage: s.stage,
    stageName: STAGE_NAMES[s.stage],
    level: null,
    outcome: s.outcome ?? null,
    flagged: s.flagged,
    labourCapacity: s.labourCapacity,
    unit: s.unit,
    orgPath: [...s.ladder].reverse().map((u) => u.code),
    submittedAt: iso(s.submittedAt)!,
    acceptedAt: iso(s.acceptedAt),
    ...deadlineView(s.deadlines, s.escalations, now, countedOnProvisional(s)),
    materials: s.materials.map((m) => ({ ...m, returnedAt: iso(m.returnedAt)!, suppliedAt: iso(m.suppliedAt) })),
    verification: { rounds: s.verification.rounds, pending: s.verification.pending, answers: s.verification.answers, summary: summarise(s.verification.answers) },
    investigations: s.investigations.map((i) => ({ ...i, visitedAt: iso(i.visitedAt)!, at: iso(i.at)! })),
    meetings: s.meetings.map((m) => ({ ...m, scheduledAt: iso(m.scheduledAt), heldAt: iso(m.heldAt) })),
    notices: s.notices.map((n) => ({ startedAt: iso(n.startedAt)!, endsAt: iso(n.endsAt)!, endedAt: iso(n.endedAt), objections: n.objections.map((o) => ({ ...o, at: iso(o.at)! })) })),
    objectionDecisionDueAt: iso(s.objectionDecisionDue),
    extensions: s.extensions.map((e) => ({ ...e, at: iso(e.at)! })),
    decisions: s.decisions.map((x) => ({ ...x, at: iso(x.at)! })),
    benefit: s.benefit ? { ...s.benefit, nextReReviewAt: iso(s.benefit.nextReReviewAt)! } : null,
    policyVersion: s.policy.version,
    version: s.version,
  };
}
export type ApplicationView = ReturnType<typeof applicationView>;

/**
 * Every staff step of an application, in one table that drives the workflow's update handlers, the
 * API's routes and their role checks: input schema, the roles that may take it, the check a validator
 * runs, and the change itself.
 */
interface Step<S extends z.ZodType> {
  path: string;
  summary: string;
  schema: S;
  roles: readonly Role[];
  check(s: ApplicationState, input: z.output<S>, actor: Actor): void;
  /** Rules only the workflow's validator applies (case-workflow.ts `gate`): dates against the case. */
  gate?(s: ApplicationState, input: z.output<S>, actor: Actor, now: number): void;
  apply(s: ApplicationState, input: z.output<S>, actor: Actor, now: number): Outcome;
}
const step = <S extends z.ZodType>(x: Step<S>) => x;

/** How far ahead a meeting may be scheduled, or a benefit start, ms (ours: one year). */
const SCHEDULE_AHEAD_MS = 366 * 86_400_000;

/** The start of the day the application was submitted (China time): nothing it records happened before. */
const submittedDay = (s: ApplicationState) => ({ at: startOfLocalDay(localDay(s.submittedAt)), what: 'the day the application was submitted' });
const rightNow = (now: number) => ({ at: now + CLOCK_SKEW_MS, what: 'now' });

/**
 * The dates a step declares, against the case: an investigation or a meeting held not in the future and
 * not before the application's day; a meeting scheduled from that day to a year ahead; a benefit starting
 * from that day to a year ahead. @throws RuleViolation 'date_out_of_range' naming the field. Source: ours.
 */
export function checkApplicationDates(s: ApplicationState, dates: object, now: number): void {
  const input = dates as { visitedAt?: string; heldAt?: string; scheduledAt?: string; startDate?: string };
  const ahead = { at: now + SCHEDULE_AHEAD_MS, what: 'a year from now' };
  if (input.visitedAt !== undefined) checkWithin('visitedAt', Date.parse(input.visitedAt), { notBefore: submittedDay(s), notAfter: rightNow(now) });
  if (input.heldAt !== undefined) checkWithin('heldAt', Date.parse(input.heldAt), { notBefore: submittedDay(s), notAfter: rightNow(now) });
  if (input.scheduledAt !== undefined) checkWithin('scheduledAt', Date.parse(input.scheduledAt), { notBefore: submittedDay(s), notAfter: ahead });
  if (input.startDate !== undefined) checkWithin('startDate', startOfLocalDay(input.startDate), { notBefore: submittedDay(s), notAfter: ahead });
}

/** Who takes a step: the permission matrix (domain/permissions.ts). */
const rolesOf = (action: keyof typeof PERMISSIONS.application) => PERMISSIONS.application[action].roles;

export const APPLICATION_STEPS = {
  acceptance: step({ path: 'acceptance', summary: '受理，或一次性告知所缺材料并退回', schema: zAcceptanceInput, roles: rolesOf('acceptance'), check: (s) => checkAcceptance(s), apply: acceptance }),
  supplements: step({ path: 'supplements', summary: '补齐材料', schema: zSupplementsInput, roles: rolesOf('supplements'), check: (s, i) => checkSupplements(s, i), apply: supplements }),
  verificationResult: step({ path: 'verification-results', summary: '手工录入部门核对结果（无数据接口的部门）', schema: zVerificationResultInput, roles: rolesOf('verificationResult'), check: (s) => checkVerificationResult(s), apply: verificationResult }),
  investigation: step({ path: 'investigation', summary: '入户调查（至少2名调查人员）', schema: zInvestigationInput, roles: rolesOf('investigation'), check: checkInvestigation, gate: (s, i, _a, now) => checkApplicationDates(s, i, now), apply: investigation }),
  deliberation: step({ path: 'deliberation', summary: '民主评议：安排会议或记录到会与表决', schema: zDeliberationInput, roles: rolesOf('deliberation'), check: (s, _i, a) => checkDeliberation(s, a), gate: (s, i, _a, now) => checkApplicationDates(s, i, now), apply: deliberation }),
  review: step({ path: 'review', summary: '镇(街道)审核意见', schema: zReviewInput, roles: rolesOf('review'), check: (s, _i, a) => checkReview(s, a), apply: review }),
  objection: step({ path: 'objections', summary: '公示期间的异议', schema: zObjectionInput, roles: rolesOf('objection'), check: (s) => checkObjection(s), apply: objection }),
  approval: step({ path: 'approval', summary: '区市审批确认：批准或不予批准', schema: zApprovalInput, roles: rolesOf('approval'), check: (s, _i, a) => checkApproval(s, a), gate: (s, i, _a, now) => checkApplicationDates(s, i, now), apply: approval }),
  extension: step({ path: 'extensions', summary: '延长审核或审批期限（各一次）', schema: zExtensionInput, roles: rolesOf('extension'), check: checkExtension, apply: extension }),
  withdrawal: step({ path: 'withdrawal', summary: '撤回申请（决定前）', schema: zWithdrawalInput, roles: rolesOf('withdrawal'), check: (s) => checkWithdrawal(s), apply: withdrawal }),
  reReview: step({ path: 're-review', summary: '定期复核：续保、变更或停保', schema: zReReviewInput, roles: rolesOf('reReview'), check: (s, _i, a) => checkReReview(s, a), apply: reReview }),
};
export type ApplicationStepName = keyof typeof APPLICATION_STEPS;

/** One rule a step enforces, in words, with where it comes from. */
export interface StepRule {
  text: string;
  source: string;
}

/** What the workspace shows on a step's form: which stages it is taken in, who takes it, and the rules it enforces. */
export interface ApplicationStepRules {
  step: ApplicationStepName;
  /** The endpoint under /v1/applications/{id}/. */
  path: string;
  summary: string;
  /** The stages in which the step can be taken (its check refuses it in any other). */
  stages: readonly ApplicationStage[];
  roles: readonly Role[];
  rules: StepRule[];
}

/**
 * The sources the rules below cite, as users read them (the seed and DOMAIN.md as domain/policy.ts and
 * domain/permissions.ts name them; a repository file is not cited to users: fresh-eyes on issue 14).
 */
const SRC = {
  national: '民发〔2021〕57号（国家做法）',
  ours: '本市政策设定（非法规规定）',
} as const;

const fraction = (f: Fraction) => `${f.num}/${f.den}`;

/**
 * The rules each application step enforces, in Chinese, as the given policy sets them (so a city's own
 * numbers show, and a policy change shows at once), each with its source; read by the workspace's step
 * forms through `GET /v1/applications/rules`. Stages are those the step's check accepts; roles are the
 * permission matrix's (domain/permissions.ts `application.<step>`). Sources: as domain/policy.ts names them
 * for each number (national practice, the seed, or ours).
 */
export function applicationStepRules(p: ApplicationPolicy): ApplicationStepRules[] {
  const days = Math.round(p.noticeMs / 86_400_000);
  const r = (text: string, source: string): StepRule => ({ text, source });
  const rules: Record<ApplicationStepName, { stages: readonly ApplicationStage[]; rules: StepRule[] }> = {
    acceptance: {
      stages: ['submitted'],
      rules: [r(`收到申请后${p.acceptanceWorkingDays}个工作日内作出受理决定`, SRC.ours), r('材料不全的，一次性告知所缺的全部材料并退回补正', SRC.ours)],
    },
    supplements: { stages: ['returned'], rules: [r(`退回后${p.supplementsWorkingDays}个工作日内补齐一次性告知的全部材料，缺一项即不能提交`, SRC.ours)] },
    verificationResult: {
      stages: ['investigation', 'deliberation', 'town_review', 'notice', 'district_approval'],
      rules: [r('无数据接口的部门，由镇(街道)手工录入其核对结果，替换该部门原有答复', SRC.ours)],
    },
    investigation: {
      stages: ['investigation'],
      rules: [r(`入户调查不少于${p.minInvestigators}人`, SRC.national), r('已备案的申请人近亲属不得参与调查', SRC.national), r('调查时间不得早于申请当日、不得晚于现在', SRC.ours)],
    },
    deliberation: {
      stages: ['deliberation'],
      rules: [
        r(`民主评议到会人数不少于应到人数的${fraction(p.deliberation.attendance)}方为有效，否则另行安排`, SRC.national),
        r(`同意票不少于到会人数的${fraction(p.deliberation.approval)}为评议通过`, SRC.national),
      ],
    },
    review: {
      stages: ['town_review'],
      rules: [
        r(`镇(街道)自受理之日起${p.townReview.workingDays}个工作日内提出审核意见（公示期不计入）`, SRC.national),
        r('同意的进入公示；不同意的须附书面告知', SRC.national),
      ],
    },
    objection: {
      stages: ['notice'],
      rules: [r(`公示期${days}天`, SRC.national), r(`公示期间有异议的，重新核查，${p.objectionDecisionWorkingDays}个工作日内作出决定`, SRC.national)],
    },
    approval: {
      stages: ['district_approval'],
      rules: [
        r(`区市自公示结束起${p.districtApproval.workingDays}个工作日内作出审批确认`, SRC.national),
        r('不予批准的，须书面说明理由，并告知申请人申请行政复议或提起行政诉讼的权利', SRC.national),
      ],
    },
    extension: {
      stages: ['verification', 'investigation', 'deliberation', 'town_review', 'district_approval'],
      rules: [
        r(`审核期限可延长一次，不超过${p.townReview.extensionWorkingDays}个工作日（镇(街道)主管）；审批期限可延长一次，不超过${p.districtApproval.extensionWorkingDays}个工作日（区市）`, SRC.national),
        r('须在期限届满前延长；异议后的决定期限不得延长', SRC.ours),
      ],
    },
    withdrawal: { stages: ['submitted', 'returned', 'verification', 'investigation', 'deliberation', 'town_review', 'notice', 'district_approval'], rules: [r('作出审批决定前可撤回申请，须说明理由', SRC.ours)] },
    reReview: {
      stages: ['re_review'],
      rules: [
        r(`定期复核：无劳动能力每${p.reReview.months.no_labour_capacity}个月、因病因残每${p.reReview.months.illness_or_disability}个月、有劳动能力每${p.reReview.months.labour_capacity}个月`, '国家做法（年审或半年审）' /* as DOMAIN.md states it */),
        r(`复核到期后${p.reReview.workingDays}个工作日内完成`, SRC.ours),
      ],
    },
  };
  return (Object.keys(APPLICATION_STEPS) as ApplicationStepName[]).map((step) => ({
    step,
    path: APPLICATION_STEPS[step].path,
    summary: APPLICATION_STEPS[step].summary,
    roles: APPLICATION_STEPS[step].roles,
    ...rules[step],
  }));
}
