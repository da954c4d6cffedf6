import { z } from 'zod';
import { RuleViolation, type Actor, type Notice, type Outcome } from './case';
import { advanceBook, bookWakeAt, meetOpen, openNext } from './deadline-book';
import { deadlineView, isoTime, type Deadline, type Escalation } from './deadlines';
import { FOCUS_GROUPS, zFocusGroup, type FocusGroup } from './focus-groups';
import { zPhone } from './household';
import { zOrgCode, type UnitRef } from './org';
import type { AwardClaim } from './point-rules';
import { ALERT_LEVEL_NAMES, zAlertLevel, type AlertLevel, type DiscoveryPolicy } from './policy';
import { PERMISSIONS } from './permissions';
import { zFreeText, zPlainPersonName } from './text';

/**
 * The rules of one active discovery (主动发现) as pure functions over its state. A party member, grid worker
 * or staff member who finds a household in difficulty reports it (seed 三(二)三: 使每一名党员都成为…“瞭望员”和
 * “吹哨人”，一旦发现群众发生基本生活困难的情形，主动上报镇(街道)); the report reaches the town at once (a
 * notice addressed to the town); the town assesses it within `assess.urgent` or `assess.normal` (policy
 * `discovery`, ours) and decides — raise an alert, open an application (临时救助 by default when urgent), refer
 * to a department or organisation, or no action with a reason (seed: 符合条件的，应及时予以救助; the four
 * outcomes are issue 13's). The decision closes the discovery and tells the reporter; a missed assessment
 * climbs from the town (town → district → city), one rung per `escalateEvery`.
 */

export const DISCOVERY_URGENCIES = ['urgent', 'normal'] as const;
export type DiscoveryUrgency = (typeof DISCOVERY_URGENCIES)[number];
export const URGENCY_NAMES: Record<DiscoveryUrgency, string> = { urgent: '紧急', normal: '一般' };

export const DISCOVERY_OUTCOMES = ['alert', 'application', 'referral', 'no_action'] as const;
export type DiscoveryOutcome = (typeof DISCOVERY_OUTCOMES)[number];
export const OUTCOME_NAMES: Record<DiscoveryOutcome, string> = { alert: '启动预警', application: '启动救助申请', referral: '转介', no_action: '暂不处置' };

export const DISCOVERY_STAGES = ['reported', 'decided'] as const;
export type DiscoveryStage = (typeof DISCOVERY_STAGES)[number];
export const DISCOVERY_STAGE_NAMES: Record<DiscoveryStage, string> = { reported: '已上报，待镇(街道)研判', decided: '已研判' };

/**
 * The application category an urgent discovery opens when the town names none: 临时遇困人员, whose
 * assistance is 临时救助 (issue 13: "temporary assistance when urgent"; the catalogue's category code,
 * store/catalogue.ts — an application's category is a catalogue category, not an item).
 */
export const URGENT_APPLICATION_CATEGORY = 'temporary_hardship';

/** The client's key that makes a report idempotent (as an order's key): 1–64 letters, digits, - or _. */
export const zDiscoveryKey = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected 1–64 letters, digits, - or _');

/** A household not yet in the register: personal data, kept out of the workflow (store/discoveries.ts seals it). */
export const zNewHousehold = z.object({ name: zPlainPersonName, address: zFreeText(200), phone: zPhone.optional() }).strict();
export type NewHousehold = z.infer<typeof zNewHousehold>;

/**
 * What a reporter sends (`POST /v1/discoveries`): a registered household (`householdId`) or a new one
 * (`newHousehold` with the village it is in, `villageCode`), the focus group, the situation, the urgency,
 * optionally the patrol it came from.
 */
export const zDiscoveryReportBody = z
  .object({
    key: zDiscoveryKey,
    householdId: z.string().min(1).max(64).optional(),
    newHousehold: zNewHousehold.optional(),
    villageCode: zOrgCode.optional(),
    focusGroup: zFocusGroup,
    situation: zFreeText(2000),
    urgency: z.enum(DISCOVERY_URGENCIES),
    patrolId: z.string().regex(/^patrol-[A-Za-z0-9:_-]{1,200}$/, 'expected a patrol case id such as patrol-…').optional(),
  })
  .strict()
  .refine((b) => (b.householdId === undefined) !== (b.newHousehold === undefined), { path: ['householdId'], message: 'name a registered household (householdId) or a new one (newHousehold), not both' })
  .refine((b) => b.newHousehold === undefined || b.villageCode !== undefined, { path: ['villageCode'], message: 'required for a new household: the village/community it is in' });
export type DiscoveryReportBody = z.infer<typeof zDiscoveryReportBody>;

const zNote = zFreeText(2000).optional();
/** A household the town names when the report was of a new one (registered meanwhile); else the report's. */
const zHouseholdRef = z.string().min(1).max(64).optional();

/** The town's decision (研判) as the API takes it. */
export const zDecideBody = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('alert'), level: zAlertLevel, householdId: zHouseholdRef, note: zNote }).strict(),
  z
    .object({
      outcome: z.literal('application'),
      /** A catalogue category (store/catalogue.ts); urgent discoveries default to 临时遇困人员 (临时救助, `temporary_hardship`). */
      category: z.string().min(1).max(64).optional(),
      labourCapacity: z.enum(['no_labour_capacity', 'illness_or_disability', 'labour_capacity']),
      householdId: zHouseholdRef,
      note: zNote,
    })
    .strict(),
  z.object({ outcome: z.literal('referral'), referredTo: zFreeText(100), note: zNote }).strict(),
  z.object({ outcome: z.literal('no_action'), reason: zFreeText(2000) }).strict(),
]);
export type DecideBody = z.infer<typeof zDecideBody>;

/**
 * What the API prepares for an alert or application outcome: the other case's workflow id and start (built
 * with the policy, ladder and calendar the API holds), opened by the step's `prepare` activity before the
 * decision commits. Opaque to the rules.
 */
export const zOpening = z.looseObject({ workflowId: z.string().min(1).max(300), start: z.looseObject({}) });
export type Opening = z.infer<typeof zOpening>;

/** The decision as the workflow validates it: the API's body, with the opening for alert and application. */
export const zDecideInput = z.discriminatedUnion('outcome', [
  zDecideBody.options[0].extend({ opening: zOpening.optional() }).strict(),
  zDecideBody.options[1].extend({ opening: zOpening.optional() }).strict(),
  zDecideBody.options[2],
  zDecideBody.options[3],
]);
export type DecideInput = z.infer<typeof zDecideInput>;

/**
 * What opening the other case gave (activities/discovery.ts): its id, or why it could not be opened —
 * `refused` when the other case's own rules refused it (a lowering of the household's open alert needs the
 * town supervisor's approval, say), so that trying again as it is cannot help.
 */
export type OpenedOutcome = { caseId: string; kind: 'alert' | 'application'; created: boolean } | { failed: string; refused?: boolean };

export interface DiscoveryDecision {
  outcome: DiscoveryOutcome;
  at: number;
  by: Actor;
  level?: AlertLevel;
  category?: string;
  referredTo?: string;
  note?: string;
  reason?: string;
  /** The case the outcome opened or raised (an alert or application), both ways linked (store/case-links.ts). */
  caseId?: string;
  householdId?: string;
}

export interface ReportDiscoveryArgs {
  discoveryId: string;
  /** The reporter (a member's login is the token's `sub`) and the unit they act from. */
  reporter: Actor;
  reporterUnit: UnitRef;
  /** A registered household, or null (a new one: its details are in the store, never here). */
  householdId: string | null;
  focusGroup: FocusGroup;
  situation: string;
  urgency: DiscoveryUrgency;
  patrolId: string | null;
  /** The village/community the household is in. */
  village: UnitRef;
  /** The town that assesses: the first rung of the assessment's ladder. */
  town: UnitRef;
  /** The town up to the city. */
  ladder: UnitRef[];
  /** The household's place, root first (the village's or its grid's path): who reads the discovery. */
  orgPath: string[];
  policy: DiscoveryPolicy;
}

export interface DiscoveryState extends Omit<ReportDiscoveryArgs, 'policy'> {
  status: 'open' | 'closed';
  stage: DiscoveryStage;
  reportedAt: number;
  decision?: DiscoveryDecision;
  /** Attempts to open the outcome's case that failed (the decision was not made; it can be retried). */
  openFailures: number;
  /** The last such failure: why, and whether the other case's rules refused it. */
  lastOpenFailure?: { at: number; outcome: DiscoveryOutcome; message: string; refused: boolean };
  deadlines: Deadline[];
  escalations: Escalation[];
  policy: DiscoveryPolicy;
  version: number;
}

const LABEL = '主动发现：镇(街道)研判';
const subject = (s: Pick<DiscoveryState, 'discoveryId' | 'focusGroup' | 'urgency' | 'village'>) => `主动发现 ${s.discoveryId}（${s.village.name}，${FOCUS_GROUPS[s.focusGroup]}，${URGENCY_NAMES[s.urgency]}）`;
/** The assessment climbs from the town: the town is its first rung (as an alert's approval track). */
const path = (s: DiscoveryState) => ({ unit: s.town, ladder: s.ladder, subject: subject(s) });

/** When the assessment is due (ms): `assess.urgent` or `assess.normal` after the report. Source: ours (policy `discovery`). */
export const assessDueAt = (s: Pick<DiscoveryState, 'urgency' | 'reportedAt' | 'policy'>): number => s.reportedAt + s.policy.assess[s.urgency];

/**
 * The report: the assessment deadline opens (`discovery.assess`) and the town is told at once — it is the
 * addressee, not an escalation (seed 三(二)三 主动上报镇(街道)). The reporter is the event's actor.
 * @throws RuleViolation('unprocessable') when the ladder does not start at the town.
 */
export function reportDiscovery(a: ReportDiscoveryArgs, now: number): { state: DiscoveryState } & Outcome {
  if (a.ladder[0]?.code !== a.town.code) throw new RuleViolation('unprocessable', 'the ladder must start at the town');
  const { policy, ...rest } = a;
  const state: DiscoveryState = { ...rest, status: 'open', stage: 'reported', reportedAt: now, openFailures: 0, deadlines: [], escalations: [], policy, version: 0 };
  // Whose deadline it is: the town's, so the figures count it against the town (store/projection.ts ownerOf
  // files it that many rungs above the household's place: 1 from a village, 2 from a grid).
  const townAt = a.orgPath.indexOf(a.town.code);
  const ownerRung = townAt >= 0 ? a.orgPath.length - 1 - townAt : 0;
  const opened = openNext(
    state,
    { prefix: 'discovery', name: 'assess', label: LABEL, opensAt: now, dueAt: assessDueAt(state), warn: policy.warnAt, escalateEveryMs: policy.escalateEvery, ...(ownerRung > 0 ? { ownerRung } : {}) },
    now,
    a.reporter,
  ).events;
  return {
    state,
    events: [
      {
        type: 'reported',
        at: now,
        actor: a.reporter,
        data: { focusGroup: a.focusGroup, urgency: a.urgency, householdId: a.householdId, newHousehold: a.householdId === null, villageCode: a.village.code, patrolId: a.patrolId, policyVersion: policy.version },
      },
      ...opened,
    ],
    notices: [{ unit: a.town, kind: 'discovery_reported', message: `${a.urgency === 'urgent' ? '【紧急】' : ''}新的主动发现上报（${subject(state)}）：请及时研判` }],
  };
}

/**
 * The decision's household: the one it names, else the report's. An alert or application needs one (a new
 * household is registered first). @throws RuleViolation('unprocessable', 'householdId: …').
 */
export function decisionHousehold(s: DiscoveryState, input: { householdId?: string | undefined }): string {
  const id = input.householdId ?? s.householdId;
  if (!id) throw new RuleViolation('unprocessable', 'householdId: the discovery is of a household not yet registered: register it (POST /v1/households) and name it');
  return id;
}

/** The application category a decision opens: the one named, else 临时救助 for an urgent report. @throws RuleViolation('unprocessable', 'category: …'). */
export function decisionCategory(s: DiscoveryState, input: { category?: string | undefined }): string {
  const category = input.category ?? (s.urgency === 'urgent' ? URGENT_APPLICATION_CATEGORY : undefined);
  if (!category) throw new RuleViolation('unprocessable', 'category: name the application’s category (only an urgent discovery defaults to 临时救助)');
  return category;
}

/**
 * The town may decide while the discovery is open and undecided; an alert or application needs a household
 * and the opening the API prepared. @throws RuleViolation conflict (`case_closed`) or unprocessable.
 */
export function checkDecide(s: DiscoveryState, input: DecideInput): void {
  if (s.status !== 'open') throw new RuleViolation('conflict', `discovery ${s.discoveryId} was already decided`, 'case_closed');
  if (input.outcome === 'alert' || input.outcome === 'application') {
    decisionHousehold(s, input);
    if (input.outcome === 'application') decisionCategory(s, input);
    if (!input.opening) throw new RuleViolation('unprocessable', 'opening: the outcome’s case is prepared by the API (POST /v1/discoveries/{id}/decide)');
  }
}

/**
 * 研判: the decision. For an alert or application the other case was opened first (`opened`, by the
 * step's prepare); if that failed, the failure is recorded and nothing is decided (the town retries). Else
 * the assessment deadline is met (late when after it), the discovery closes, the reporter is told
 * (`Notice.userId`), and any outcome but no action carries the reporter's award claim (`discovery_confirmed`,
 * issue 13: a confirmed discovery earns points).
 */
export function decideDiscovery(s: DiscoveryState, input: DecideInput, actor: Actor, now: number, opened?: OpenedOutcome | null): Outcome {
  checkDecide(s, input);
  if (opened && 'failed' in opened) {
    s.openFailures += 1;
    s.lastOpenFailure = { at: now, outcome: input.outcome, message: opened.failed, refused: opened.refused === true };
    return { events: [{ type: 'outcome_open_failed', at: now, actor, data: { outcome: input.outcome, reason: opened.failed, refused: opened.refused === true } }], notices: [] };
  }
  const decision: DiscoveryDecision = { outcome: input.outcome, at: now, by: actor };
  if (input.outcome === 'alert') Object.assign(decision, { level: input.level, householdId: decisionHousehold(s, input) });
  if (input.outcome === 'application') Object.assign(decision, { category: decisionCategory(s, input), householdId: decisionHousehold(s, input) });
  if (input.outcome === 'referral') decision.referredTo = input.referredTo;
  if (input.outcome === 'no_action') decision.reason = input.reason;
  if ('note' in input && input.note) decision.note = input.note;
  if (opened) decision.caseId = opened.caseId;
  const met = meetOpen(s, now, actor);
  s.decision = decision;
  s.stage = 'decided';
  s.status = 'closed';
  const awards: AwardClaim[] = input.outcome === 'no_action' ? [] : [{ userId: s.reporter.userId, rule: 'discovery_confirmed', key: `${s.discoveryId}:confirmed` }];
  const what = OUTCOME_NAMES[input.outcome] + (decision.level ? `（${ALERT_LEVEL_NAMES[decision.level]}）` : '') + (decision.caseId ? `，${decision.caseId}` : '') + (decision.referredTo ? `：${decision.referredTo}` : '');
  const told: Notice = { unit: s.reporterUnit, userId: s.reporter.userId, kind: 'decided', message: `您上报的${subject(s)}已由${s.town.name}研判：${what}` };
  return {
    events: [
      {
        type: 'decided',
        at: now,
        actor,
        data: {
          outcome: input.outcome,
          ...(decision.level ? { level: decision.level } : {}),
          ...(decision.category ? { category: decision.category } : {}),
          ...(decision.caseId ? { caseId: decision.caseId } : {}),
          ...(decision.householdId ? { householdId: decision.householdId } : {}),
          ...(decision.referredTo ? { referredTo: decision.referredTo } : {}),
          ...(decision.reason ? { reason: decision.reason } : {}),
          ...(awards.length ? { awards } : {}),
        },
      },
      ...met,
      { type: 'closed', at: now, actor },
    ],
    notices: [told],
  };
}

/** Brings the discovery up to `now`: the assessment's warning, overdue mark and climb from the town. */
export function advanceDiscovery(s: DiscoveryState, now: number): Outcome {
  if (s.status !== 'open') return { events: [], notices: [] };
  return advanceBook(s, path(s), now);
}

/** The next instant `advanceDiscovery` has something to do (ms), or undefined. */
export function discoveryWakeAt(s: DiscoveryState): number | undefined {
  return s.status === 'open' ? bookWakeAt(s, s.ladder.length) : undefined;
}

const iso = isoTime;

/** The discovery as staff, the reporter and the read model see it (a new household's details are added by the API). */
export function discoveryView(s: DiscoveryState, now: number) {
  const d = s.decision;
  return {
    caseId: s.discoveryId,
    kind: 'discovery' as const,
    householdId: s.householdId ?? d?.householdId ?? null,
    status: s.status,
    stage: s.stage,
    stageName: DISCOVERY_STAGE_NAMES[s.stage],
    level: null,
    category: s.focusGroup,
    focusGroup: s.focusGroup,
    focusGroupName: FOCUS_GROUPS[s.focusGroup],
    urgency: s.urgency,
    urgent: s.urgency === 'urgent',
    situation: s.situation,
    newHousehold: s.householdId === null,
    patrolId: s.patrolId,
    reporterUserId: s.reporter.userId,
    reporter: s.reporter,
    reporterUnit: s.reporterUnit,
    village: s.village,
    town: s.town,
    unit: s.town,
    orgPath: s.orgPath,
    reportedAt: iso(s.reportedAt)!,
    assessBy: iso(assessDueAt(s))!,
    openFailures: s.openFailures,
    lastOpenFailure: s.lastOpenFailure ? { ...s.lastOpenFailure, at: iso(s.lastOpenFailure.at)! } : null,
    decision: d
      ? {
          outcome: d.outcome,
          outcomeName: OUTCOME_NAMES[d.outcome],
          at: iso(d.at)!,
          by: d.by,
          level: d.level ?? null,
          category: d.category ?? null,
          referredTo: d.referredTo ?? null,
          note: d.note ?? null,
          reason: d.reason ?? null,
          caseId: d.caseId ?? null,
          householdId: d.householdId ?? null,
        }
      : null,
    /** The case the decision led to (an alert or application), or null. */
    outcomeCaseId: d?.caseId ?? null,
    ...deadlineView(s.deadlines, s.escalations, now),
    policyVersion: s.policy.version,
    version: s.version,
  };
}
export type DiscoveryView = ReturnType<typeof discoveryView>;

/** The town's step, one table for the workflow's validator and the API's route (the report itself is the start). */
export const DISCOVERY_STEPS = {
  decide: { path: 'decide', summary: '镇(街道)研判主动发现：启动预警、救助申请、转介或暂不处置', roles: PERMISSIONS.discovery.decide.roles, body: zDecideBody, schema: zDecideInput, check: checkDecide },
} as const;
export type DiscoveryStepName = keyof typeof DISCOVERY_STEPS;
