import { z } from 'zod';
import { zFreeText } from './text';
import { zDay, zDayWithinYears, zInstant } from './dates';
import { localDateTime, localDay, parseLocalDay } from './china-time';
import { RuleViolation, type Actor, type CaseEvent, type Outcome } from './case';
import { advanceBook, bookWakeAt, earliest, endOpen, meetOpen, openDeadline as openOf, openNext } from './deadline-book';
import { deadlineView, isoTime, type Deadline, type Escalation } from './deadlines';
import type { UnitRef } from './org';
import type { WishesPolicy } from './policy';
import { PERMISSIONS } from './permissions';
import { PERSONAL_DATA_NAMES, personalDataIn, type KnownPersonalData } from './privacy';
import type { Role } from './roles';

/**
 * The wishing tree (许愿树, ../shared/DOMAIN.md lifecycle 4) as pure functions over one wish's state: a
 * household's need, posted by staff on its behalf, screened by the town, claimed by one registered helper,
 * fulfilled with evidence and confirmed by the household — or by staff after the household's silence. Its
 * deadlines escalate up the org tree through the shared mechanism, like alerts and applications.
 */

export const WISH_CATEGORIES = ['material', 'service', 'companionship', 'other'] as const;
export type WishCategory = (typeof WISH_CATEGORIES)[number];
export const WISH_CATEGORY_NAMES: Record<WishCategory, string> = { material: '物质帮扶', service: '服务帮扶', companionship: '陪伴关爱', other: '其他' };

export const HELPER_KINDS = ['volunteer', 'social_worker', 'organisation', 'party_member'] as const;
export type HelperKind = (typeof HELPER_KINDS)[number];
export const HELPER_KIND_NAMES: Record<HelperKind, string> = { volunteer: '志愿者', social_worker: '社工', organisation: '社会组织', party_member: '党员' };

export const WISH_STAGES = ['screening', 'open', 'claimed', 'fulfilled', 'closed'] as const;
export type WishStage = (typeof WISH_STAGES)[number];
export const WISH_STAGE_NAMES: Record<WishStage, string> = {
  screening: '待审核',
  open: '待认领',
  claimed: '已认领，待实现',
  fulfilled: '已实现，待确认',
  closed: '已结束',
};
export const WISH_OUTCOMES = ['fulfilled', 'rejected', 'withdrawn'] as const;
export type WishOutcome = (typeof WISH_OUTCOMES)[number];
export const WISH_OUTCOME_NAMES: Record<WishOutcome, string> = { fulfilled: '心愿已实现', rejected: '未通过审核', withdrawn: '已撤回' };

/**
 * The flat figure the wish workflow hands its points activity (kept so recorded histories replay
 * unchanged). What is recorded is the policy's `points.rules.wish_fulfilled` (activities/wish.ts): in the
 * helper ledger for every helper, and for a helper whose login is a registered party member also in the
 * members' points ledger (domain/points.ts `awardsOf`, issue 13).
 */
export const POINTS_PER_FULFILMENT = 10;

const zText = (max: number) => zFreeText(max);
export const zHelperId = z.string().regex(/^helper-[0-9a-f]{12}$/, 'expected a helper id such as helper-0123456789ab');
/** The public title is shown to anyone: short, and screened for personal data. */
export const PUBLIC_TITLE_MAX = 40;

/** How far ahead a wish's neededBy may lie, years (ours: a wish is a near need, not a plan). */
export const WISH_NEEDED_BY_YEARS = 1;

export const zPostWishInput = z
  .object({
    householdId: z.string().regex(/^hh-[0-9a-f]{12}$/, 'expected a household id such as hh-0123456789ab'),
    title: zText(PUBLIC_TITLE_MAX),
    description: zText(2000),
    category: z.enum(WISH_CATEGORIES),
    /** When the household needs it: from today to WISH_NEEDED_BY_YEARS ahead (China time). */
    neededBy: zDayWithinYears(WISH_NEEDED_BY_YEARS).optional(),
    /** Who expressed the wish: the household itself (recorded by staff — households have no login) or staff on its behalf. */
    postedBy: z.enum(['household', 'staff']),
  })
  .strict();
export type PostWishInput = z.infer<typeof zPostWishInput>;

export const zScreeningInput = z.discriminatedUnion('decision', [
  z
    .object({
      decision: z.literal('approve'),
      /** The title the public list shows; the posted title when absent. Must contain no personal data. */
      publicTitle: zText(PUBLIC_TITLE_MAX).optional(),
      note: z.string().max(1000).optional(),
    })
    .strict(),
  z.object({ decision: z.literal('reject'), reason: zText(1000) }).strict(),
]);
/** A date (the end of that day in Weihai) or an instant; at most `fulfilWithin` after the claim. */
export const zFulfilBy = z.union([zDay, zInstant], 'expected a date YYYY-MM-DD or an ISO date-time with offset');
export const zClaimInput = z.object({ helperId: zHelperId, fulfilBy: zFulfilBy.optional() }).strict();
export const zReleaseInput = z.object({ reason: zText(1000) }).strict();
export const zFulfilmentInput = z
  .object({
    text: zText(2000),
    photos: z.array(z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' })).max(9).default([]),
  })
  .strict();
export const zConfirmationInput = z
  .object({ confirmedBy: z.literal('household', 'staff record the household’s own confirmation: confirmedBy must be "household"'), note: z.string().max(1000).optional() })
  .strict();
export const zWithdrawalInput = z.object({ reason: zText(1000) }).strict();

/** The registered helper a claim names, as the API resolved it from the helper register. */
export interface HelperRef {
  helperId: string;
  name: string;
  kind: HelperKind;
  unitCode: string;
  /** The login of a party member who registered themselves (or was linked): they act on their own claims. */
  userId: string | null;
}

export interface Claim {
  helper: HelperRef;
  claimedAt: number;
  fulfilBy: number;
  by: Actor;
  releasedAt?: number;
  release?: { reason: 'helper_gave_up' | 'overdue' | 'withdrawn'; note: string; by?: Actor };
}

export interface WishState {
  /** The case id, which is also the workflow id: wish-<12 hex digits>. */
  wishId: string;
  householdId: string;
  status: 'open' | 'closed';
  stage: WishStage;
  outcome?: WishOutcome;
  category: WishCategory;
  /** As posted: seen by staff only. */
  title: string;
  description: string;
  neededBy?: string;
  postedBy: 'household' | 'staff';
  postedAt: number;
  poster: Actor;
  /** Set by the screener at approval: the only text the public list shows. */
  publicTitle?: string;
  unit: UnitRef;
  ladder: UnitRef[];
  /**
   * The household's materialised path, down to its grid when it has one: a grid's party members and grid
   * workers act on their grid's wishes, the village and everyone above on all of them.
   */
  orgPath: string[];
  screening?: { decision: 'approve' | 'reject'; at: number; by: Actor; note?: string; reason?: string; publicTitle?: string; titleEdited?: boolean };
  claims: Claim[];
  fulfilment?: { text: string; photos: string[]; at: number; by: Actor; helperId: string };
  /** When the household's silence counts as confirmation (set at fulfilment). */
  autoConfirmAt?: number;
  confirmation?: { confirmedBy: 'household' | 'staff'; automatic: boolean; at: number; by?: Actor; note?: string };
  withdrawal?: { reason: string; at: number; by: Actor };
  points?: { helperId: string; points: number; recordedAt: number; alreadyRecorded: boolean };
  deadlines: Deadline[];
  escalations: Escalation[];
  policy: WishesPolicy;
  version: number;
}

export { RuleViolation, type Actor, type CaseEvent, type Notice, type Outcome } from './case';

const LABELS = {
  screening: '心愿审核：镇(街道)审核并确定公开标题',
  claim: '心愿认领：审核通过后待认领，逾期由镇(街道)动员帮扶力量',
  reclaim: '心愿重新认领：原认领人逾期未实现，由镇(街道)动员帮扶力量',
  fulfilment: '心愿实现：认领人承诺的完成日期',
} as const;

export function currentDeadline(s: WishState): Deadline | undefined {
  return openOf(s);
}

export function currentClaim(s: WishState): Claim | undefined {
  const last = s.claims.at(-1);
  return last && last.releasedAt === undefined ? last : undefined;
}

/** Opens the wish's next deadline (the book ends one still open); its `deadline_opened` event. */
function openDeadline(s: WishState, name: 'screening' | 'claim' | 'fulfilment', label: string, opensAt: number, dueAt: number, now: number, actor?: Actor): CaseEvent[] {
  return openNext(s, { prefix: 'wish', name, label, opensAt, dueAt, warn: s.policy.warnAt, escalateEveryMs: s.policy.escalateEvery }, now, actor).events;
}

const subject = (s: WishState) => `心愿 ${s.wishId}`;
/** Where the wish's deadlines escalate: from its village up the ladder. */
const escalationPath = (s: WishState) => ({ unit: s.unit, ladder: s.ladder, subject: subject(s) });

export interface PostArgs {
  wishId: string;
  householdId: string;
  title: string;
  description: string;
  category: WishCategory;
  neededBy?: string;
  postedBy: 'household' | 'staff';
  unit: UnitRef;
  ladder: UnitRef[];
  orgPath: string[];
  policy: WishesPolicy;
  actor: Actor;
}

export function postWish(a: PostArgs, now: number): { state: WishState } & Outcome {
  const state: WishState = {
    wishId: a.wishId,
    householdId: a.householdId,
    status: 'open',
    stage: 'screening',
    category: a.category,
    title: a.title,
    description: a.description,
    ...(a.neededBy ? { neededBy: a.neededBy } : {}),
    postedBy: a.postedBy,
    postedAt: now,
    poster: a.actor,
    unit: a.unit,
    ladder: a.ladder,
    orgPath: a.orgPath,
    claims: [],
    deadlines: [],
    escalations: [],
    policy: a.policy,
    version: 0,
  };
  const opened = openDeadline(state, 'screening', LABELS.screening, now, now + a.policy.screenWithin, now, a.actor);
  const town = a.ladder[1] ?? a.unit;
  return {
    state,
    events: [{ type: 'posted', at: now, actor: a.actor, data: { category: a.category, postedBy: a.postedBy, neededBy: a.neededBy ?? null, policyVersion: a.policy.version } }, ...opened],
    notices: [{ unit: town, kind: 'opened', message: `新的心愿待审核（${a.unit.name}，${WISH_CATEGORY_NAMES[a.category]}，${subject(state)}）` }],
  };
}

function expectStage(s: WishState, ...stages: WishStage[]): void {
  if (s.status !== 'open') throw new RuleViolation('conflict', `wish ${s.wishId} is closed (${WISH_OUTCOME_NAMES[s.outcome!]})`);
  if (!stages.includes(s.stage)) throw new RuleViolation('conflict', `wish ${s.wishId} is ${s.stage} (${WISH_STAGE_NAMES[s.stage]}), not ${stages.join(' or ')}`);
}

/** A party member acts as their own registered helper only; staff record for any helper. */
function ownHelperOnly(actor: Actor, helper: HelperRef, what: string): void {
  if (actor.role !== 'party_member') return;
  if (helper.userId !== actor.userId) throw new RuleViolation('forbidden', `a party member may ${what} only as their own registered helper`);
}

// ——— Personal data (个人信息) in text that leaves the staff's hands (detection: domain/privacy.ts) ———

function assertNoPersonalData(title: string, known?: KnownPersonalData): void {
  const found = personalDataIn(title, known);
  if (found.length > 0) {
    throw new RuleViolation('unprocessable', `publicTitle: the public title contains personal data (${found.map((k) => PERSONAL_DATA_NAMES[k]).join('、')}); give a publicTitle without it`);
  }
}

// ——— Steps ———

export function checkScreening(s: WishState, input: z.infer<typeof zScreeningInput>, known?: KnownPersonalData): void {
  expectStage(s, 'screening');
  if (input.decision === 'approve') assertNoPersonalData(input.publicTitle ?? s.title, known);
}

/** The town approves (with the public title) or rejects (with its reason, told to the village). */
export function screening(s: WishState, input: z.infer<typeof zScreeningInput>, actor: Actor, now: number): Outcome {
  checkScreening(s, input);
  const met = meetOpen(s, now, actor);
  if (input.decision === 'reject') {
    s.screening = { decision: 'reject', at: now, by: actor, reason: input.reason };
    const closed = close(s, 'rejected', now, actor);
    return {
      events: [{ type: 'rejected', at: now, actor, data: { reason: input.reason } }, ...met, ...closed, stageEvent(s, now)],
      notices: [{ unit: s.unit, kind: 'decided', message: `心愿未通过审核（${subject(s)}）` }],
    };
  }
  const publicTitle = input.publicTitle ?? s.title;
  s.publicTitle = publicTitle;
  s.screening = { decision: 'approve', at: now, by: actor, publicTitle, titleEdited: publicTitle !== s.title, ...(input.note ? { note: input.note } : {}) };
  s.stage = 'open';
  const opened = openDeadline(s, 'claim', LABELS.claim, now, now + s.policy.claimWithin, now, actor);
  return {
    events: [{ type: 'approved', at: now, actor, data: { publicTitle, titleEdited: publicTitle !== s.title } }, ...met, ...opened, stageEvent(s, now)],
    notices: [{ unit: s.unit, kind: 'decided', message: `心愿已审核通过，开放认领（${subject(s)}）` }],
  };
}

/**
 * The fulfilment due date a claim proposes: at most `fulfilWithin` after the claim, the maximum when none is
 * given. A date means the end of that day, clamped to the maximum on the last allowed day.
 */
export function fulfilDueAt(s: WishState, fulfilBy: string | undefined, now: number): number {
  const max = now + s.policy.fulfilWithin;
  if (fulfilBy === undefined) return max;
  if (/^\d{4}-\d{2}-\d{2}$/.test(fulfilBy)) {
    if (fulfilBy > localDay(max)) throw new RuleViolation('unprocessable', `fulfilBy: at most ${localDay(max)} (fulfilWithin after the claim)`);
    const day = parseLocalDay(fulfilBy);
    if (!day.ok) throw new RuleViolation('unprocessable', `fulfilBy: ${day.error}`);
    const at = Math.min(day.value.end - 1, max);
    if (at <= now) throw new RuleViolation('unprocessable', 'fulfilBy: must be in the future');
    return at;
  }
  const at = Date.parse(fulfilBy);
  if (Number.isNaN(at)) throw new RuleViolation('unprocessable', `fulfilBy: ${fulfilBy} is not a date-time`);
  if (at <= now) throw new RuleViolation('unprocessable', 'fulfilBy: must be in the future');
  if (at > max) throw new RuleViolation('unprocessable', `fulfilBy: at most ${new Date(max).toISOString()} (fulfilWithin after the claim)`);
  return at;
}

export function checkClaim(s: WishState, input: z.infer<typeof zClaimInput>, actor: Actor, helper: HelperRef | undefined, now: number): void {
  if (s.status === 'open' && (s.stage === 'claimed' || s.stage === 'fulfilled')) {
    // One need, one helper.
    throw new RuleViolation('conflict', `wish ${s.wishId} is already claimed by ${currentClaim(s)?.helper.name ?? 'another helper'}`);
  }
  expectStage(s, 'open');
  if (!helper || helper.helperId !== input.helperId) throw new RuleViolation('unprocessable', 'helperId: the claim must name a registered helper');
  ownHelperOnly(actor, helper, 'claim');
  fulfilDueAt(s, input.fulfilBy, now);
}

export function claim(s: WishState, input: z.infer<typeof zClaimInput>, actor: Actor, now: number, helper: HelperRef | undefined): Outcome {
  checkClaim(s, input, actor, helper, now);
  const fulfilBy = fulfilDueAt(s, input.fulfilBy, now);
  const met = meetOpen(s, now, actor);
  s.claims.push({ helper: helper!, claimedAt: now, fulfilBy, by: actor });
  s.stage = 'claimed';
  const opened = openDeadline(s, 'fulfilment', LABELS.fulfilment, now, fulfilBy, now, actor);
  return {
    events: [{ type: 'claimed', at: now, actor, data: { helperId: helper!.helperId, helperKind: helper!.kind, fulfilBy } }, ...met, ...opened, stageEvent(s, now)],
    notices: [{ unit: s.unit, kind: 'stage', message: `心愿已被认领（${subject(s)}）：${HELPER_KIND_NAMES[helper!.kind]}，承诺${localDay(fulfilBy)}前实现` }],
  };
}

/** Records a claim's release; the wish is open for claims again. */
function releaseClaim(s: WishState, reason: NonNullable<Claim['release']>['reason'], note: string, now: number, by?: Actor): CaseEvent {
  const c = currentClaim(s)!;
  c.releasedAt = now;
  c.release = { reason, note, ...(by ? { by } : {}) };
  return { type: 'claim_released', at: now, ...(by ? { actor: by } : {}), data: { helperId: c.helper.helperId, reason, note, fulfilBy: c.fulfilBy } };
}

export function checkRelease(s: WishState, actor: Actor): void {
  expectStage(s, 'claimed');
  ownHelperOnly(actor, currentClaim(s)!.helper, 'give up a claim');
}

/** The helper gives up: the claim is released (recorded) and a new claim deadline runs from now. */
export function release(s: WishState, input: z.infer<typeof zReleaseInput>, actor: Actor, now: number): Outcome {
  checkRelease(s, actor);
  const ended = endOpen(s, now, 'closed', actor);
  const released = releaseClaim(s, 'helper_gave_up', input.reason, now, actor);
  s.stage = 'open';
  const opened = openDeadline(s, 'claim', LABELS.claim, now, now + s.policy.claimWithin, now, actor);
  return { events: [released, ...ended, ...opened, stageEvent(s, now)], notices: [{ unit: s.unit, kind: 'stage', message: `认领人放弃认领，心愿重新开放认领（${subject(s)}）` }] };
}

export function checkFulfilment(s: WishState, actor: Actor): void {
  expectStage(s, 'claimed');
  ownHelperOnly(actor, currentClaim(s)!.helper, 'record a fulfilment');
}

/** Fulfilled with evidence; the household then has `confirmWithin` to confirm before staff confirm for it. */
export function fulfilment(s: WishState, input: z.infer<typeof zFulfilmentInput>, actor: Actor, now: number): Outcome {
  checkFulfilment(s, actor);
  const met = meetOpen(s, now, actor);
  const c = currentClaim(s)!;
  s.fulfilment = { text: input.text, photos: input.photos, at: now, by: actor, helperId: c.helper.helperId };
  s.autoConfirmAt = now + s.policy.confirmWithin;
  s.stage = 'fulfilled';
  return {
    events: [{ type: 'fulfilled', at: now, actor, data: { helperId: c.helper.helperId, photos: input.photos.length, autoConfirmAt: s.autoConfirmAt } }, ...met, stageEvent(s, now)],
    notices: [{ unit: s.unit, kind: 'stage', message: `心愿已实现，请向群众确认（${subject(s)}）；${localDay(s.autoConfirmAt)}前未反馈视为确认` }],
  };
}

export function checkConfirmation(s: WishState): void {
  expectStage(s, 'fulfilled');
}

/** The household confirms (staff record it); the wish closes as fulfilled and the helper's points follow. */
export function confirmation(s: WishState, input: z.infer<typeof zConfirmationInput>, actor: Actor, now: number): Outcome {
  checkConfirmation(s);
  s.confirmation = { confirmedBy: 'household', automatic: false, at: now, by: actor, ...(input.note ? { note: input.note } : {}) };
  const closed = close(s, 'fulfilled', now, actor);
  return { events: [{ type: 'confirmed', at: now, actor, data: { confirmedBy: 'household', automatic: false } }, ...closed, stageEvent(s, now)], notices: [] };
}

/** The household stayed silent for `confirmWithin`: staff confirmation, automatically. */
export function autoConfirm(s: WishState, now: number): Outcome {
  s.confirmation = { confirmedBy: 'staff', automatic: true, at: now };
  const closed = close(s, 'fulfilled', now);
  return {
    events: [{ type: 'confirmed', at: now, data: { confirmedBy: 'staff', automatic: true, silentSince: s.fulfilment!.at } }, ...closed, stageEvent(s, now)],
    notices: [{ unit: s.unit, kind: 'decided', message: `群众未在期限内反馈，心愿视为已实现并办结（${subject(s)}）` }],
  };
}

export function checkWithdrawal(s: WishState): void {
  expectStage(s, 'screening', 'open', 'claimed');
}

/** The household no longer needs it (staff record why); a claim in progress is released. */
export function withdrawal(s: WishState, input: z.infer<typeof zWithdrawalInput>, actor: Actor, now: number): Outcome {
  checkWithdrawal(s);
  const events: CaseEvent[] = endOpen(s, now, 'closed', actor);
  if (currentClaim(s)) events.push(releaseClaim(s, 'withdrawn', input.reason, now, actor));
  s.withdrawal = { reason: input.reason, at: now, by: actor };
  events.push(...close(s, 'withdrawn', now, actor));
  return { events: [{ type: 'withdrawn', at: now, actor, data: { reason: input.reason } }, ...events, stageEvent(s, now)], notices: [] };
}

/** The fulfilment's points are in the helper's ledger (or were already: the ledger is keyed by wish). */
export function pointsRecorded(s: WishState, result: { points: number; alreadyRecorded: boolean }, now: number): Outcome {
  const c = s.claims.at(-1)!;
  s.points = { helperId: c.helper.helperId, points: result.points, recordedAt: now, alreadyRecorded: result.alreadyRecorded };
  return { events: [{ type: 'points_recorded', at: now, data: { helperId: c.helper.helperId, points: result.points, alreadyRecorded: result.alreadyRecorded } }], notices: [] };
}

/** What the helper-points ledger needs from a fulfilled wish, or undefined while none is due. */
export function pointsEntry(s: WishState): { wishId: string; helper: HelperRef; points: number; publicTitle: string; category: WishCategory; unit: UnitRef; orgPath: string[]; fulfilledAt: number; confirmedAt: number; confirmedBy: 'household' | 'staff' } | undefined {
  if (s.outcome !== 'fulfilled' || s.points || !s.fulfilment || !s.confirmation) return undefined;
  const c = s.claims.at(-1)!;
  return {
    wishId: s.wishId,
    helper: c.helper,
    points: POINTS_PER_FULFILMENT,
    publicTitle: s.publicTitle ?? '',
    category: s.category,
    unit: s.unit,
    orgPath: s.orgPath,
    fulfilledAt: s.fulfilment.at,
    confirmedAt: s.confirmation.at,
    confirmedBy: s.confirmation.confirmedBy,
  };
}

/** Closes the wish; a deadline still open ends (`deadline_ended` is returned, every path that closes has met or ended it first). */
function close(s: WishState, outcome: WishOutcome, now: number, actor?: Actor): CaseEvent[] {
  const ended = endOpen(s, now, 'closed', actor);
  s.status = 'closed';
  s.stage = 'closed';
  s.outcome = outcome;
  return ended;
}

const stageEvent = (s: WishState, now: number): CaseEvent => ({ type: 'stage_entered', at: now, data: { stage: s.stage } });

/**
 * Claimed but not fulfilled by the date the helper gave: the claim is released (recorded), the wish is
 * open for claims again, and — the need now being late — it is overdue at once: the first rung (the town,
 * to mobilise help) at the missed date, one more rung per `escalateEvery` until someone claims it.
 */
function reopenOverdue(s: WishState, d: Deadline, now: number): Outcome {
  d.breachedAt ??= now;
  const ended = endOpen(s, now, 'closed');
  const released = releaseClaim(s, 'overdue', `逾期未实现（应于${localDateTime(d.dueAt)}（北京时间）前实现）`, now);
  s.stage = 'open';
  // The reclaim deadline is due at the missed date itself: the need is already late when it opens.
  const opened = openDeadline(s, 'claim', LABELS.reclaim, d.dueAt, d.dueAt, now);
  const escalated = advanceBook(s, escalationPath(s), now);
  return {
    events: [released, ...ended, ...opened, stageEvent(s, now), ...escalated.events],
    notices: [{ unit: s.unit, kind: 'stage', message: `认领人逾期未实现心愿，认领已释放并重新开放认领（${subject(s)}）` }, ...escalated.notices],
  };
}

/** Brings the wish up to `now`: warnings and escalations, an overdue fulfilment, the household's silence. */
export function advanceWish(s: WishState, now: number): Outcome {
  if (s.status !== 'open') return { events: [], notices: [] };
  if (s.stage === 'fulfilled') return s.autoConfirmAt !== undefined && now >= s.autoConfirmAt ? autoConfirm(s, now) : { events: [], notices: [] };
  const d = currentDeadline(s);
  if (!d) return { events: [], notices: [] };
  if (s.stage === 'claimed' && d.kind === 'wish.fulfilment' && now >= d.dueAt) return reopenOverdue(s, d, now);
  return advanceBook(s, escalationPath(s), now);
}

/** The next instant something is due to happen by itself. */
export function wishWakeAt(s: WishState): number | undefined {
  if (s.status !== 'open') return undefined;
  return earliest(s.stage === 'fulfilled' ? s.autoConfirmAt : undefined, bookWakeAt(s, s.ladder.length));
}

const iso = isoTime;

/** The wish as staff see it through the API and the read model (times as ISO strings). */
export function wishView(s: WishState, now: number) {
  const c = currentClaim(s);
  const claimView = (x: Claim) => ({
    helper: x.helper,
    claimedAt: iso(x.claimedAt)!,
    fulfilBy: iso(x.fulfilBy)!,
    by: x.by,
    releasedAt: iso(x.releasedAt),
    release: x.release ?? null,
  });
  return {
    caseId: s.wishId,
    kind: 'wish' as const,
    householdId: s.householdId,
    status: s.status,
    stage: s.stage,
    stageName: WISH_STAGE_NAMES[s.stage],
    level: null,
    outcome: s.outcome ?? null,
    outcomeName: s.outcome ? WISH_OUTCOME_NAMES[s.outcome] : null,
    category: s.category,
    categoryName: WISH_CATEGORY_NAMES[s.category],
    title: s.title,
    publicTitle: s.publicTitle ?? null,
    description: s.description,
    neededBy: s.neededBy ?? null,
    postedBy: s.postedBy,
    postedAt: iso(s.postedAt)!,
    poster: s.poster,
    unit: s.unit,
    orgPath: s.orgPath,
    screening: s.screening ? { ...s.screening, at: iso(s.screening.at)! } : null,
    claim: c ? claimView(c) : null,
    claims: s.claims.map(claimView),
    fulfilment: s.fulfilment ? { ...s.fulfilment, at: iso(s.fulfilment.at)! } : null,
    autoConfirmAt: s.stage === 'fulfilled' ? iso(s.autoConfirmAt) : null,
    confirmation: s.confirmation ? { ...s.confirmation, at: iso(s.confirmation.at)! } : null,
    withdrawal: s.withdrawal ? { ...s.withdrawal, at: iso(s.withdrawal.at)! } : null,
    points: s.points ? { ...s.points, recordedAt: iso(s.points.recordedAt)! } : null,
    ...deadlineView(s.deadlines, s.escalations, now),
    policyVersion: s.policy.version,
    version: s.version,
  };
}
export type WishView = ReturnType<typeof wishView>;

/**
 * Every step after posting, in one table that drives the workflow's update handlers and the API's routes
 * and role checks. `check` is what the update validator runs; `apply` the change. A party member acts
 * only as their own registered helper (claim, release, fulfilment); the rest is staff recording.
 */
export interface StepContext {
  /** claim: the helper the claim names, resolved from the register by the API. */
  helper?: HelperRef;
}
interface Step<S extends z.ZodType> {
  path: string;
  summary: string;
  schema: S;
  roles: readonly Role[];
  check(s: WishState, input: z.output<S>, actor: Actor, now: number, ctx: StepContext): void;
  apply(s: WishState, input: z.output<S>, actor: Actor, now: number, ctx: StepContext): Outcome;
}
const step = <S extends z.ZodType>(x: Step<S>) => x;

/** Who takes a step: the permission matrix (domain/permissions.ts). */
const rolesOf = (action: keyof typeof PERMISSIONS.wish) => PERMISSIONS.wish[action].roles;

export const WISH_STEPS = {
  screening: step({
    path: 'screening',
    summary: '镇(街道)审核：通过（确定不含个人信息的公开标题）或不通过（说明理由）',
    schema: zScreeningInput,
    roles: rolesOf('screening'),
    // The register's names, numbers and address never enter the workflow: the API checks the title against
    // them before the update; the workflow checks the patterns.
    check: (s, i) => checkScreening(s, i),
    apply: screening,
  }),
  claim: step({
    path: 'claim',
    summary: '认领：登记的帮扶力量认领心愿（一个心愿一位认领人），承诺完成日期',
    schema: zClaimInput,
    roles: rolesOf('claim'),
    check: (s, i, a, n, ctx) => checkClaim(s, i, a, ctx.helper, n),
    apply: (s, i, a, n, ctx) => claim(s, i, a, n, ctx.helper),
  }),
  release: step({ path: 'release', summary: '认领人放弃认领，心愿重新开放认领', schema: zReleaseInput, roles: rolesOf('release'), check: (s, _i, a) => checkRelease(s, a), apply: release }),
  fulfilment: step({ path: 'fulfilment', summary: '心愿已实现：文字说明和照片链接', schema: zFulfilmentInput, roles: rolesOf('fulfilment'), check: (s, _i, a) => checkFulfilment(s, a), apply: fulfilment }),
  confirmation: step({ path: 'confirmation', summary: '群众确认心愿已实现（工作人员代为记录）', schema: zConfirmationInput, roles: rolesOf('confirmation'), check: (s) => checkConfirmation(s), apply: confirmation }),
  withdrawal: step({ path: 'withdrawal', summary: '撤回心愿（实现前）', schema: zWithdrawalInput, roles: rolesOf('withdrawal'), check: (s) => checkWithdrawal(s), apply: withdrawal }),
};
export type WishStepName = keyof typeof WISH_STEPS;
