import { z } from 'zod';
import { zFreeText, zPersonName } from './text';
import { RuleViolation, type Actor, type CaseEvent, type Outcome } from './case';
import { advanceBook, bookWakeAt, meetOpen, openDeadline as openOf, openNext } from './deadline-book';
import { deadlineView, isoTime, type Deadline, type Escalation } from './deadlines';
import { localMonth } from './china-time';
import { zOrgCode, type UnitRef } from './org';
import type { ReportsPolicy } from './policy';
import { PERMISSIONS } from './permissions';

/**
 * The rules of one public report (群众反映) made through a village's social-assistance QR code
 * (社会救助二维码), as pure functions over its state: received → acknowledged (受理) within
 * `acknowledgeWithin` → answered within `answerWithin` of receipt, which closes it. Missed deadlines
 * escalate up the org tree through the mechanism alerts use; the responsible unit is the village.
 */

export const REPORT_CATEGORIES = ['assistance_policy', 'missed_household', 'benefit_problem', 'staff_conduct', 'other'] as const;
export type ReportCategory = (typeof REPORT_CATEGORIES)[number];
export const zReportCategory = z.enum(REPORT_CATEGORIES);
export const REPORT_CATEGORY_NAMES: Record<ReportCategory, string> = {
  assistance_policy: '救助政策咨询',
  missed_household: '应救未救',
  benefit_problem: '待遇发放问题',
  staff_conduct: '工作作风',
  other: '其他',
};

export const REPORT_STAGES = ['received', 'acknowledged', 'answered'] as const;
export type ReportStage = (typeof REPORT_STAGES)[number];
export const REPORT_STAGE_NAMES: Record<ReportStage, string> = {
  received: '已收到，待受理',
  acknowledged: '已受理，待答复',
  answered: '已答复',
};

/** Who answered, as the public sees it: a role, never a person's details beyond the name staff give. */
export const ANSWERER_ROLES = ['committee_member', 'civil_affairs_assistant', 'staff'] as const;
export type AnswererRole = (typeof ANSWERER_ROLES)[number];
export const ANSWERER_ROLE_NAMES: Record<AnswererRole, string> = {
  committee_member: '村(社区)两委成员',
  civil_affairs_assistant: '民政协理员',
  staff: '工作人员',
};
/** Where an answer was given: by staff through the API, or on site at the monthly Party day (党员活动日). */
export const ANSWER_CHANNELS = ['staff', 'party_day'] as const;
export type AnswerChannel = (typeof ANSWER_CHANNELS)[number];

const zText = (max: number) => zFreeText(max);

/**
 * What a member of the public sends. The text is kept as plain text exactly as given (trimmed): it is
 * never interpreted, and every response carrying it is JSON. Its length limit is policy, so the schema
 * is built from the policy in force.
 */
export const zPublicReportInput = (maxTextLength: number) =>
  z
    .object({
      unitCode: zOrgCode,
      category: zReportCategory,
      text: z.string().trim().min(1, 'say what the report is about').max(maxTextLength, `at most ${maxTextLength} characters`),
      /** How to reach the reporter, if they want an answer in person. Seen by staff only, masked below town level. */
      contact: z
        .string()
        .trim()
        .max(100)
        .optional()
        .transform((c) => (c ? c : undefined)),
    })
    .strict();

export const zAcknowledgeReportInput = z.object({ note: z.string().trim().max(1000).optional() }).strict();
export const zAnsweredBy = z.object({ name: zPersonName, role: z.enum(ANSWERER_ROLES) }).strict();
/** The answer step as staff post it; the channel is the API's ('staff') or the Party day's. */
export const zAnswerReportBody = z.object({ answer: zText(5000), answeredBy: zAnsweredBy }).strict();
export const zAnswerReportInput = zAnswerReportBody.extend({ channel: z.enum(ANSWER_CHANNELS) }).strict();
export const zCommonIssueInput = z.object({ title: zText(100).optional() }).strict();
export type AcknowledgeReportInput = z.infer<typeof zAcknowledgeReportInput>;
export type AnswerReportInput = z.infer<typeof zAnswerReportInput>;
export type CommonIssueInput = z.infer<typeof zCommonIssueInput>;

/** Receipt codes: 12 characters from an alphabet without look-alikes (no 0/O, 1/I/L). */
export const RECEIPT_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const RECEIPT_LENGTH = 12;
export const zReceipt = z
  .string()
  .transform((r) => r.toUpperCase().replace(/[\s-]/g, ''))
  .pipe(z.string().regex(new RegExp(`^[${RECEIPT_ALPHABET}]{${RECEIPT_LENGTH}}$`), `expected the ${RECEIPT_LENGTH}-character receipt code`));

/** The local (UTC+8) calendar month of an instant, 'YYYY-MM': common issues are counted per month. */
export function reportMonth(t: number): string {
  return localMonth(t);
}

/** The id of the common issue (共性问题) of one unit, category and month: one per triple, by construction. */
export const commonIssueId = (unitCode: string, category: string, month: string): string => `ci-${unitCode}-${category}-${month}`;

export interface ReportAnswer {
  text: string;
  answeredBy: { name: string; role: AnswererRole };
  channel: AnswerChannel;
  at: number;
  by: Actor;
}

export interface ReportState {
  reportId: string;
  category: ReportCategory;
  /** Plain text as the reporter wrote it (trimmed). The contact is not here: it stays in the report store. */
  text: string;
  status: 'open' | 'closed';
  stage: ReportStage;
  unit: UnitRef;
  ladder: UnitRef[];
  receivedAt: number;
  acknowledgement?: { at: number; by: Actor; note?: string };
  answer?: ReportAnswer;
  /** The common issue this report was proposed into (automatically) or marked as (by staff). */
  commonIssue?: { issueId: string; status: 'proposed' | 'confirmed'; at: number; by?: Actor; title?: string };
  deadlines: Deadline[];
  escalations: Escalation[];
  policy: ReportsPolicy;
  version: number;
}

export { RuleViolation, type Actor, type CaseEvent, type Outcome } from './case';

const LABELS = {
  acknowledge: '群众反映：受理',
  answer: '群众反映：答复',
} as const;
type DeadlineName = keyof typeof LABELS;

/** The deadline the report is working towards (受理, then 答复), or undefined once it is answered. */
export function currentDeadline(s: ReportState): Deadline | undefined {
  return openOf(s);
}

/**
 * Opens the report's next deadline (the book ends one still open); its `deadline_opened` event. Both
 * deadlines count from receipt; the answer's opens when the acknowledgement is met.
 */
function openDeadline(s: ReportState, name: DeadlineName, opensAt: number, actor?: Actor): CaseEvent[] {
  const within = name === 'acknowledge' ? s.policy.acknowledgeWithin : s.policy.answerWithin;
  return openNext(s, { prefix: 'report', name, label: LABELS[name], opensAt, dueAt: s.receivedAt + within, warn: s.policy.warnAt, escalateEveryMs: s.policy.escalateEvery }, opensAt, actor).events;
}

const subject = (s: ReportState) => `群众反映 ${s.reportId}，${REPORT_CATEGORY_NAMES[s.category]}`;
/** Where the report's deadlines escalate: from its village up the whole ladder. */
const escalationPath = (s: ReportState) => ({ unit: s.unit, ladder: s.ladder, subject: subject(s) });

export interface ReceiveArgs {
  reportId: string;
  category: ReportCategory;
  text: string;
  unit: UnitRef;
  ladder: UnitRef[];
  policy: ReportsPolicy;
}

export function receiveReport(a: ReceiveArgs, now: number): { state: ReportState } & Outcome {
  if (a.ladder[0]?.code !== a.unit.code) throw new RuleViolation('unprocessable', 'the ladder must start at the responsible unit');
  const state: ReportState = {
    reportId: a.reportId,
    category: a.category,
    text: a.text,
    status: 'open',
    stage: 'received',
    unit: a.unit,
    ladder: a.ladder,
    receivedAt: now,
    deadlines: [],
    escalations: [],
    policy: a.policy,
    version: 0,
  };
  const opened = openDeadline(state, 'acknowledge', now);
  return {
    state,
    // No actor: the reporter is anonymous to the system; nothing about them enters the audit trail.
    events: [{ type: 'received', at: now, data: { category: a.category, policyVersion: a.policy.version } }, ...opened],
    notices: [{ unit: a.unit, kind: 'opened', message: `新的群众反映（${subject(state)}）：请于受理期限内受理` }],
  };
}

function assertOpen(s: ReportState): void {
  if (s.status !== 'open') throw new RuleViolation('conflict', `report ${s.reportId} is closed`);
}

export function checkAcknowledge(s: ReportState): void {
  assertOpen(s);
  if (s.acknowledgement) throw new RuleViolation('conflict', `report ${s.reportId} was already acknowledged`);
}

/** 受理: meets the acknowledgement deadline (late if after it) and opens the answer's. */
export function acknowledgeReport(s: ReportState, input: AcknowledgeReportInput, actor: Actor, now: number): Outcome {
  checkAcknowledge(s);
  const met = meetOpen(s, now, actor);
  s.acknowledgement = { at: now, by: actor, ...(input.note ? { note: input.note } : {}) };
  s.stage = 'acknowledged';
  const opened = openDeadline(s, 'answer', now, actor);
  return { events: [{ type: 'acknowledged', at: now, actor }, ...met, ...opened], notices: [] };
}

export function checkAnswer(s: ReportState): void {
  assertOpen(s);
}

/**
 * The answer closes the report. An answer given before any 受理 (on site at a Party day, say) is also the
 * acknowledgement: the acknowledgement deadline is met then, and the answer's is met in the same instant,
 * each on time or late against its own due time.
 */
export function answerReport(s: ReportState, input: AnswerReportInput, actor: Actor, now: number): Outcome {
  checkAnswer(s);
  const events: CaseEvent[] = [];
  if (!s.acknowledgement) {
    events.push(...meetOpen(s, now, actor));
    s.acknowledgement = { at: now, by: actor, note: '答复即受理' };
    events.push(...openDeadline(s, 'answer', now, actor));
  }
  events.push(...meetOpen(s, now, actor));
  s.answer = { text: input.answer, answeredBy: input.answeredBy, channel: input.channel, at: now, by: actor };
  s.stage = 'answered';
  s.status = 'closed';
  return {
    events: [{ type: 'answered', at: now, actor, data: { channel: input.channel, answeredByRole: input.answeredBy.role } }, ...events, { type: 'closed', at: now, actor }],
    notices: [],
  };
}

export function checkCommonIssue(s: ReportState): void {
  assertOpen(s);
  if (s.commonIssue?.status === 'confirmed') throw new RuleViolation('conflict', `report ${s.reportId} is already marked as common issue ${s.commonIssue.issueId}`);
}

/** Staff mark the report as a common issue (共性问题), confirming it; `issueId` is the store's. */
export function markCommonIssue(s: ReportState, input: CommonIssueInput, issueId: string, actor: Actor, now: number): Outcome {
  checkCommonIssue(s);
  s.commonIssue = { issueId, status: 'confirmed', at: now, by: actor, ...(input.title ? { title: input.title } : {}) };
  return { events: [{ type: 'common_issue_confirmed', at: now, actor, data: { issueId } }], notices: [] };
}

/** The report reached the policy's threshold with others of its category and unit: a proposal was made. */
export function commonIssueProposed(s: ReportState, issueId: string, reports: number, now: number): Outcome {
  if (!s.commonIssue) s.commonIssue = { issueId, status: 'proposed', at: now };
  return {
    events: [{ type: 'common_issue_proposed', at: now, data: { issueId, reports } }],
    notices: [{ unit: s.unit, kind: 'stage', message: `${REPORT_CATEGORY_NAMES[s.category]}类群众反映已达${reports}件，建议作为共性问题在党员活动日集中答复（${issueId}）` }],
  };
}

/** Brings the report up to `now`: warnings and escalations whose time has come. */
export function advanceReport(s: ReportState, now: number): Outcome {
  if (s.status !== 'open') return { events: [], notices: [] };
  return advanceBook(s, escalationPath(s), now);
}

/** The next instant `advanceReport` has something to do (ms since the epoch), or undefined. */
export function reportWakeAt(s: ReportState): number | undefined {
  return s.status === 'open' ? bookWakeAt(s, s.ladder.length) : undefined;
}

const iso = isoTime;

/** The report as staff and the read model see it (the contact is added, masked as needed, by the API). */
export function reportView(s: ReportState, now: number) {
  return {
    caseId: s.reportId,
    kind: 'report' as const,
    householdId: null,
    status: s.status,
    stage: s.stage,
    stageName: REPORT_STAGE_NAMES[s.stage],
    level: null,
    category: s.category,
    categoryName: REPORT_CATEGORY_NAMES[s.category],
    text: s.text,
    unit: s.unit,
    orgPath: [...s.ladder].reverse().map((u) => u.code),
    receivedAt: iso(s.receivedAt)!,
    acknowledgeBy: iso(s.receivedAt + s.policy.acknowledgeWithin)!,
    answerBy: iso(s.receivedAt + s.policy.answerWithin)!,
    acknowledgedAt: iso(s.acknowledgement?.at),
    acknowledgement: s.acknowledgement ? { ...s.acknowledgement, at: iso(s.acknowledgement.at)! } : null,
    answer: s.answer
      ? { text: s.answer.text, answeredBy: s.answer.answeredBy, answeredByRoleName: ANSWERER_ROLE_NAMES[s.answer.answeredBy.role], channel: s.answer.channel, at: iso(s.answer.at)!, by: s.answer.by }
      : null,
    answeredAt: iso(s.answer?.at),
    commonIssue: s.commonIssue ? { ...s.commonIssue, at: iso(s.commonIssue.at)! } : null,
    ...deadlineView(s.deadlines, s.escalations, now),
    policyVersion: s.policy.version,
    version: s.version,
  };
}
export type ReportView = ReturnType<typeof reportView>;

/**
 * The staff steps of a report, one table for the workflow's update validators and the API's routes:
 * path, roles, the body the API takes, the input the workflow validates, the check. The changes
 * themselves are applied by the workflow (marking a common issue also writes the store, via an activity).
 */
export const REPORT_STEPS = {
  acknowledgement: { path: 'acknowledgement', summary: '受理群众反映', roles: PERMISSIONS.report.acknowledgement.roles, body: zAcknowledgeReportInput, input: zAcknowledgeReportInput, check: checkAcknowledge },
  answer: { path: 'answer', summary: '答复群众反映（答复即办结）', roles: PERMISSIONS.report.answer.roles, body: zAnswerReportBody, input: zAnswerReportInput, check: checkAnswer },
  commonIssue: { path: 'common-issue', summary: '标记为共性问题（党员活动日集中答复）', roles: PERMISSIONS.report.commonIssue.roles, body: zCommonIssueInput, input: zCommonIssueInput, check: checkCommonIssue },
} as const;
export type ReportStepName = keyof typeof REPORT_STEPS;
