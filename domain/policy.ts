import { z } from 'zod';
import type { AlertLevel } from './alert-levels';
import { zDuration } from './duration';
import { zRecipientCategory } from './household';
import { DEFAULT_NOTICE_POLICY, zNoticePolicy, type NoticeRule } from './notice-policy';
import { POINT_RULES, type PointRule } from './point-rules';

/**
 * Deadlines are policy, not code. The file (JSON or YAML, named by POLICY_FILE) is merged over these
 * defaults and validated; durations are ISO-8601.
 *
 * From the seed (威民发〔2023〕25号): red is accepted and handled within 24 hours, orange visited within
 * 72 hours, yellow visited every week. NOT from the seed — our defaults, to be set by each city:
 * every `escalateEvery` (how long a missed deadline waits at one rung before climbing to the next unit)
 * and `warnAt` (the share of the time after which a case is marked at risk).
 */
export const DEFAULT_POLICY_SOURCE = {
  alerts: {
    warnAt: 0.75,
    red: { due: 'PT24H', escalateEvery: 'PT24H' },
    orange: { due: 'PT72H', escalateEvery: 'PT48H' },
    yellow: { every: 'P7D', escalateEvery: 'P3D' },
    /**
     * OURS (issue 12). `approval`: how long the town has to approve or refuse a request to lower a red or orange
     * alert or to close one before its requirement is met (no quiet defusing), climbing from the town up.
     * `revisit`: after an orange alert's 72 h visit, the household stays under key attention (重点关注) with a
     * visit every `every` until it is lowered or closed. `decision`: after a visit finds the household needs
     * assistance, a disposition (处置: application, referral, temporary assistance, or no further action with
     * a reason) is due within `due`.
     */
    approval: { due: 'PT24H', escalateEvery: 'PT24H' },
    revisit: { every: 'P15D', escalateEvery: 'P3D' },
    decision: { due: 'P3D', escalateEvery: 'P2D' },
  },
  /**
   * Assistance applications (../shared/DOMAIN.md, lifecycle 2). National practice, not the seed:
   * ≥ 2 investigators; deliberation valid with 2/3 attendance, approving with 2/3 of those present; the
   * town's opinion within 15 working days of acceptance (notice not counted), one extension of ≤ 15;
   * notice ≥ 7 days; after an objection a decision within 20 working days; district approval within 10
   * working days, one extension of ≤ 10; re-review yearly / half-yearly / quarterly.
   * OURS: acceptance and supplements deadlines, the department timeout, escalateEvery, the re-review's
   * own deadline.
   */
  applications: {
    warnAt: 0.75,
    escalateEvery: 'P2D',
    acceptanceWorkingDays: 3,
    supplementsWorkingDays: 10,
    departmentTimeout: 'PT30M',
    minInvestigators: 2,
    deliberation: { attendance: '2/3', approval: '2/3' },
    townReview: { workingDays: 15, extensionWorkingDays: 15 },
    notice: 'P7D',
    objectionDecisionWorkingDays: 20,
    districtApproval: { workingDays: 10, extensionWorkingDays: 10 },
    reReview: { months: { no_labour_capacity: 12, illness_or_disability: 6, labour_capacity: 3 }, workingDays: 20 },
  },
  /**
   * Public reports through the social-assistance QR code (社会救助二维码). The seed says reports must be
   * investigated and answered; every number here is OURS.
   */
  reports: {
    warnAt: 0.75,
    escalateEvery: 'P2D',
    acknowledgeWithin: 'PT48H',
    answerWithin: 'P10D',
    /** Reports of one category in one unit within `commonIssueWindow` that make a common issue (共性问题). */
    commonIssueThreshold: 3,
    commonIssueWindow: 'P30D',
    maxTextLength: 2000,
    /**
     * OURS (docs/reports.md "Rate limits"). `perClientRequests`: every request one client sends to the public
     * channel (/v1/public/*), valid or not, counted before validation. `perClient`: submissions (reports,
     * applications, wishes) accepted from one client — 30 an hour, not 5: carrier-grade NAT puts many residents
     * of a village behind one address, and valid submissions are not the risk. `perClientMismatch`: a household's
     * wish whose head's ID number and phone match no household (422 household_not_matched) — the enumeration
     * risk — counted apart and tighter (5 an hour); past it the address's wishes are refused (429) before any
     * lookup, and failed matches never use the valid budget. `perUnit`: a village's allowance; once it is used within the window, only clients with fewer than
     * `sharePerClient` accepted reports there are accepted, so a flood costs its senders, not the village's
     * next genuine reporter; `ceiling` (default 10 × max) caps all reports to one village per window.
     */
    rateLimit: {
      perClientRequests: { max: 120, window: 'PT10M' },
      perClient: { max: 30, window: 'PT1H' },
      perClientMismatch: { max: 5, window: 'PT1H' },
      perUnit: { max: 60, window: 'PT1H', sharePerClient: 1 },
    },
  },
  /** The monthly Party-day Q&A (每月党员活动日集中答疑). OURS: the default day, start time and grace. */
  partyDay: {
    dayOfMonth: 15,
    startsAt: '09:00',
    /** After the end of the party day, how long answers may still be recorded before carry-over. */
    grace: 'P1D',
  },
  /** The wishing tree (许愿树). Every number OURS. */
  wishes: {
    warnAt: 0.75,
    escalateEvery: 'P7D',
    screenWithin: 'P3D',
    /** An approved wish nobody claims within this escalates to the town to mobilise help. */
    claimWithin: 'P14D',
    /** The longest a claimer may give themselves to fulfil it. */
    fulfilWithin: 'P30D',
    /** After fulfilment, silence from the household this long counts as confirmation by staff. */
    confirmWithin: 'P7D',
  },
  /**
   * Supervision orders (督办单, seed 四(二) 督导检查、跟踪问效; issue 12). The reply deadline is the issuer's
   * choice within these bounds; every number OURS.
   */
  /**
   * The weights of the yearly assessment's score (考核, domain/assessment.ts; docs/assessment.md): OURS, to be
   * revised with the city. Each is a whole number ≥ 0; they need not sum to 100 (the score divides by their sum).
   */
  assessment: { weights: { onTime: 40, redOnTime: 15, orderReplies: 15, reports: 10, handled: 10, notEscalated: 10 } },
  /** Who is told of a case's notices beyond their addressee (domain/notice-policy.ts); a file's list replaces this one. */
  notices: DEFAULT_NOTICE_POLICY,
  /**
   * Pairing (党员帮包, 党员联四邻; seed 三(二)二: 以村(社区)网格为基础…主动联系帮扶辖区内低保、特困、残疾人等困难群体).
   * The categories are the seed's (低保, 特困, 残疾人 — read as 重度残疾, the register's disability category); every
   * duration is OURS: a household that newly qualifies is paired within `assignWithin`, and its paired member
   * contacts it every `contactEvery` (a visit, a phone call, help given); a missed one climbs from the village.
   */
  pairing: {
    warnAt: 0.75,
    categories: ['minimum_subsistence', 'extreme_poverty', 'severe_disability'],
    assignWithin: 'P7D',
    contactEvery: 'P30D',
    escalateEvery: 'P3D',
  },
  /**
   * Active discovery (主动发现, seed 三(二)三: 一旦发现群众发生基本生活困难的情形，主动上报镇(街道)). The focus
   * groups are the seed's (遭遇突发事件、意外事故、重大疾病的群众以及重度残疾人). OURS: the town assesses a report
   * within `assess.normal`, or `assess.urgent` when the reporter marks it urgent; a missed one climbs from the town.
   */
  discovery: {
    warnAt: 0.75,
    assess: { normal: 'P3D', urgent: 'PT24H' },
    escalateEvery: 'P1D',
  },
  /**
   * Application intake (申请受理, issue 14): a resident applies through the village's QR page and the town accepts
   * (材料齐备的，予以受理) or returns, telling at once what is missing (材料不齐备的，应当一次性告知) — 最低生活保障审核确认办法
   * (民发〔2021〕57号). No national or Shandong text found names the days: `acceptWorkingDays` (3, as the
   * applications' own acceptance) is OURS, and so is `escalateEvery` (a missed one climbs from the town every day)
   * and `maxSituation` (the longest description of the situation).
   */
  intake: {
    warnAt: 0.75,
    acceptWorkingDays: 3,
    escalateEvery: 'P1D',
    maxSituation: 2000,
  },
  /**
   * Patrols (巡查, seed 三(二)三: 村(社区)党组织定期开展巡查). OURS: a village's plan fires every `every` unless the
   * plan names its own cadence (between `minEvery` and `maxEvery`); each cycle's patrol is recorded within the
   * cycle (the next one's start), or it climbs from the village every `escalateEvery`.
   */
  patrol: {
    warnAt: 0.75,
    every: 'P7D',
    minEvery: 'P1D',
    maxEvery: 'P90D',
    escalateEvery: 'P3D',
  },
  /**
   * Party-member points (党员积分制, seed 三(二)一: 把党员帮扶困难群众列入“党员积分制”管理范围; 三亮行动). Which
   * actions earn is the seed's; every number is OURS, to be set by the city's organisation department.
   * `service_hour` is per confirmed hour of dual-registration service (双报到).
   */
  points: {
    rules: {
      visit: 2,
      contact_on_time: 1,
      discovery_confirmed: 5,
      wish_fulfilled: 10,
      party_day_attendance: 2,
      show_identity: 1,
      show_action: 1,
      show_result: 1,
      service_hour: 1,
    },
  },
  orders: {
    warnAt: 0.75,
    /** A missed reply climbs one rung up from the ordered unit this often. */
    escalateEvery: 'P2D',
    /** The shortest and the longest reply deadline an issuer may set, counted from the issue (or a return). */
    minReplyWithin: 'PT1H',
    maxReplyWithin: 'P90D',
  },
} as const;

const zShare = z.number().gt(0).lt(1);

const zDeadlineLevel = z
  .object({ due: zDuration, escalateEvery: zDuration, warnAt: zShare.optional() })
  .strict();
const zCycleLevel = z
  .object({ every: zDuration, escalateEvery: zDuration, warnAt: zShare.optional() })
  .strict();

const zWorkingDays = z.number().int().min(1).max(250);
/**
 * A share written as a fraction ("2/3") or a decimal (0.75), kept as an exact fraction: 6 of 9 members
 * is two thirds, which no decimal literal says exactly.
 */
export interface Fraction {
  num: number;
  den: number;
}
const zRatio = z.union([
  z
    .string()
    .regex(/^\d+\/\d+$/, 'expected a fraction such as 2/3')
    .transform((t, ctx) => {
      const [num, den] = t.split('/').map(Number) as [number, number];
      if (den === 0 || num === 0 || num > den) {
        ctx.addIssue({ code: 'custom', message: `expected a fraction between 0 and 1, got ${t}` });
        return z.NEVER;
      }
      return { num, den };
    }),
  z.number().gt(0).max(1).transform((x): Fraction => ({ num: Math.round(x * 1_000_000), den: 1_000_000 })),
]);
/** count/total reaches the fraction, compared exactly. */
export const reaches = (count: number, total: number, f: Fraction): boolean => count * f.den >= total * f.num;

const zApplicationsPolicy = z
  .object({
    warnAt: zShare,
    escalateEvery: zDuration,
    acceptanceWorkingDays: zWorkingDays,
    supplementsWorkingDays: zWorkingDays,
    departmentTimeout: zDuration,
    minInvestigators: z.number().int().min(1).max(10),
    deliberation: z.object({ attendance: zRatio, approval: zRatio }).strict(),
    townReview: z.object({ workingDays: zWorkingDays, extensionWorkingDays: zWorkingDays }).strict(),
    notice: zDuration,
    objectionDecisionWorkingDays: zWorkingDays,
    districtApproval: z.object({ workingDays: zWorkingDays, extensionWorkingDays: zWorkingDays }).strict(),
    reReview: z
      .object({
        months: z.object({ no_labour_capacity: z.number().int().min(1).max(36), illness_or_disability: z.number().int().min(1).max(36), labour_capacity: z.number().int().min(1).max(36) }).strict(),
        workingDays: zWorkingDays,
      })
      .strict(),
  })
  .strict();
export type ApplicationPolicyFile = z.infer<typeof zApplicationsPolicy>;

const zWindowLimit = z.object({ max: z.number().int().min(1).max(100_000), window: zDuration }).strict();
const zReportsPolicy = z
  .object({
    warnAt: zShare,
    escalateEvery: zDuration,
    acknowledgeWithin: zDuration,
    answerWithin: zDuration,
    commonIssueThreshold: z.number().int().min(2).max(1000),
    commonIssueWindow: zDuration,
    maxTextLength: z.number().int().min(100).max(20_000),
    rateLimit: z
      .object({
        perClientRequests: zWindowLimit,
        perClient: zWindowLimit,
        perClientMismatch: zWindowLimit,
        perUnit: zWindowLimit
          .extend({ sharePerClient: z.number().int().min(1).max(1000), ceiling: z.number().int().min(1).max(1_000_000).optional() })
          .strict()
          .refine((u) => u.ceiling === undefined || u.ceiling >= u.max, { path: ['ceiling'], message: 'expected a ceiling at least max' }),
      })
      .strict(),
  })
  .strict();
const zPartyDayPolicy = z
  .object({
    dayOfMonth: z.number().int().min(1).max(28),
    startsAt: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a local time HH:MM'),
    grace: zDuration,
  })
  .strict();
const zWishesPolicy = z
  .object({
    warnAt: zShare,
    escalateEvery: zDuration,
    screenWithin: zDuration,
    claimWithin: zDuration,
    fulfilWithin: zDuration,
    confirmWithin: zDuration,
  })
  .strict();
const zOrdersPolicy = z
  .object({
    warnAt: zShare,
    escalateEvery: zDuration,
    minReplyWithin: zDuration,
    maxReplyWithin: zDuration,
  })
  .strict()
  .refine((o) => o.minReplyWithin <= o.maxReplyWithin, { path: ['maxReplyWithin'], message: 'expected maxReplyWithin at least minReplyWithin' });
const zPairingPolicy = z
  .object({
    warnAt: zShare,
    categories: z.array(zRecipientCategory).min(1).max(10),
    assignWithin: zDuration,
    contactEvery: zDuration,
    escalateEvery: zDuration,
  })
  .strict();
const zDiscoveryPolicy = z
  .object({
    warnAt: zShare,
    assess: z.object({ normal: zDuration, urgent: zDuration }).strict(),
    escalateEvery: zDuration,
  })
  .strict()
  .refine((d) => d.assess.urgent <= d.assess.normal, { path: ['assess', 'urgent'], message: 'expected an urgent assessment no longer than a normal one' });
const zIntakePolicy = z
  .object({
    warnAt: zShare,
    acceptWorkingDays: z.number().int().min(1).max(60),
    escalateEvery: zDuration,
    maxSituation: z.number().int().min(100).max(10000),
  })
  .strict();
const zPatrolPolicy = z
  .object({
    warnAt: zShare,
    every: zDuration,
    minEvery: zDuration,
    maxEvery: zDuration,
    escalateEvery: zDuration,
  })
  .strict()
  .refine((p) => p.minEvery <= p.every && p.every <= p.maxEvery, { path: ['every'], message: 'expected every between minEvery and maxEvery' });
const zPoints = z.number().int().min(0).max(1000);
const zPointsPolicy = z
  .object({
    rules: z.object(Object.fromEntries(POINT_RULES.map((r) => [r, zPoints])) as Record<PointRule, typeof zPoints>).strict(),
  })
  .strict();
/** Durations in the community sections arrive in workflows as milliseconds (the zod transform). */
export type ReportsPolicy = z.output<typeof zReportsPolicy> & { version: string };
export type PartyDayPolicy = z.output<typeof zPartyDayPolicy> & { version: string };
export type WishesPolicy = z.output<typeof zWishesPolicy> & { version: string };
export type OrdersPolicy = z.output<typeof zOrdersPolicy> & { version: string };
/** Pairing (帮包): durations in ms. */
export type PairingPolicy = z.output<typeof zPairingPolicy> & { version: string };
/** Active discovery (主动发现): durations in ms. */
export type DiscoveryPolicy = z.output<typeof zDiscoveryPolicy> & { version: string };
/** Application intake (申请受理): working days, durations in ms. */
export type IntakePolicy = z.output<typeof zIntakePolicy> & { version: string };
/** Patrols (巡查): durations in ms. */
export type PatrolPolicy = z.output<typeof zPatrolPolicy> & { version: string };
/** Points per rule (党员积分制), whole points. */
export type PointsPolicy = z.output<typeof zPointsPolicy>;

const zWeight = z.number().int().min(0).max(1000);
/** The assessment's weights by part (domain/assessment.ts ASSESSMENT_PARTS names the parts). */
const zAssessmentPolicy = z
  .object({
    weights: z
      .object({ onTime: zWeight, redOnTime: zWeight, orderReplies: zWeight, reports: zWeight, handled: zWeight, notEscalated: zWeight })
      .strict()
      .refine((w) => Object.values(w).some((v) => v > 0), { message: 'at least one weight above 0' }),
  })
  .strict();
export type AssessmentPolicy = z.output<typeof zAssessmentPolicy>;
/** A part of the assessment's score (a key of the policy's weights). */
export type AssessmentPart = keyof AssessmentPolicy['weights'];

export const zPolicyFile = z
  .object({
    version: z.string().min(1).max(64).optional(),
    reports: zReportsPolicy,
    partyDay: zPartyDayPolicy,
    wishes: zWishesPolicy,
    orders: zOrdersPolicy,
    pairing: zPairingPolicy,
    discovery: zDiscoveryPolicy,
    patrol: zPatrolPolicy,
    intake: zIntakePolicy,
    points: zPointsPolicy,
    notices: zNoticePolicy,
    assessment: zAssessmentPolicy,
    alerts: z
      .object({ warnAt: zShare, red: zDeadlineLevel, orange: zDeadlineLevel, yellow: zCycleLevel, approval: zDeadlineLevel, revisit: zCycleLevel, decision: zDeadlineLevel })
      .strict(),
    applications: zApplicationsPolicy,
  })
  .strict();

export { ALERT_LEVELS, ALERT_LEVEL_NAMES, zAlertLevel, type AlertLevel } from './alert-levels';

/** What one level asks for, resolved to milliseconds: the form workflows receive. */
export interface LevelPolicy {
  /** red/orange: time from the level being set to the deadline; yellow: the length of one visit cycle. */
  dueMs: number;
  escalateEveryMs: number;
  warnAt: number;
}

/** The follow-up deadlines of an alert (issue 12, ours): the town's approval, orange's revisit cycle, the decision after `needs_assistance`. */
export interface AlertFollowUpPolicy {
  approval: LevelPolicy;
  /** dueMs: the length of one revisit cycle. */
  revisit: LevelPolicy;
  decision: LevelPolicy;
}

export interface AlertPolicy {
  version: string;
  levels: Record<AlertLevel, LevelPolicy>;
  /** Absent in policies resolved before issue 12 (states carried over from older runs): the defaults apply. */
  followUp?: AlertFollowUpPolicy;
}

/** Application deadlines: counts of working days (or calendar days / months where named), durations in ms. */
export type ApplicationPolicy = Omit<ApplicationPolicyFile, 'escalateEvery' | 'departmentTimeout' | 'notice'> & {
  version: string;
  escalateEveryMs: number;
  departmentTimeoutMs: number;
  /** 公示: how long the notice runs (at least 7 days by statute). */
  noticeMs: number;
};

export interface Policy {
  version: string;
  alerts: AlertPolicy;
  applications: ApplicationPolicy;
  reports: ReportsPolicy;
  partyDay: PartyDayPolicy;
  wishes: WishesPolicy;
  orders: OrdersPolicy;
  pairing: PairingPolicy;
  discovery: DiscoveryPolicy;
  patrol: PatrolPolicy;
  intake: IntakePolicy;
  points: PointsPolicy;
  /** Who is told (domain/notice-policy.ts). */
  notices: readonly NoticeRule[];
  /** The assessment's score weights (domain/assessment.ts). */
  assessment: AssessmentPolicy;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge of a policy file over the defaults: objects merge, anything else replaces. */
export function mergeOverDefaults(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = mergeOverDefaults(base[key], value);
  return out;
}

/**
 * Validates a parsed policy file (or undefined for the defaults) and resolves it. `fallbackVersion`
 * names the policy when the file does not (the config module passes a content hash).
 */
export function resolvePolicy(file: unknown, fallbackVersion: string): Policy {
  const parsed = zPolicyFile.parse(mergeOverDefaults(DEFAULT_POLICY_SOURCE, file ?? {}));
  const version = parsed.version ?? fallbackVersion;
  const a = parsed.alerts;
  const level = (p: { escalateEvery: number; warnAt?: number | undefined }, dueMs: number): LevelPolicy => ({
    dueMs,
    escalateEveryMs: p.escalateEvery,
    warnAt: p.warnAt ?? a.warnAt,
  });
  const { escalateEvery, departmentTimeout, notice, ...applications } = parsed.applications;
  return {
    version,
    reports: { ...parsed.reports, version },
    partyDay: { ...parsed.partyDay, version },
    wishes: { ...parsed.wishes, version },
    orders: { ...parsed.orders, version },
    pairing: { ...parsed.pairing, version },
    discovery: { ...parsed.discovery, version },
    patrol: { ...parsed.patrol, version },
    intake: { ...parsed.intake, version },
    points: parsed.points,
    notices: parsed.notices,
    assessment: parsed.assessment,
    applications: { ...applications, version, escalateEveryMs: escalateEvery, departmentTimeoutMs: departmentTimeout, noticeMs: notice },
    alerts: {
      version,
      levels: { red: level(a.red, a.red.due), orange: level(a.orange, a.orange.due), yellow: level(a.yellow, a.yellow.every) },
      followUp: { approval: level(a.approval, a.approval.due), revisit: level(a.revisit, a.revisit.every), decision: level(a.decision, a.decision.due) },
    },
  };
}
