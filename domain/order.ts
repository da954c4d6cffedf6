import { z } from 'zod';
import { RuleViolation, type Actor, type CaseEvent, type Notice, type Outcome } from './case';
import { advanceBook, bookWakeAt, meetOpen, openNext } from './deadline-book';
import { deadlineView, isoTime, type Deadline, type Escalation } from './deadlines';
import { zInstant } from './dates';
import { localDateTime } from './china-time';
import type { UnitRef } from './org';
import type { OrdersPolicy } from './policy';
import { PERMISSIONS } from './permissions';
import { zFreeText } from './text';
import type { CaseKind } from './projection';

/**
 * The rules of one supervision order (督办单) as pure functions over its state. A district or city user
 * issues it to a unit — on one of its cases or on the unit itself — saying what is required (要求) and by
 * when the unit must reply; the unit replies (反馈) with what it did and its evidence; the issuer accepts
 * the reply, which closes the order, or returns it for more with a new reply deadline (ours). A reply not
 * given in time escalates up the tree from the ordered unit, one rung per `escalateEvery` (the deadline book).
 * Source: seed 四(二) 区市督导镇(街道)及时介入, 市级督导检查、跟踪问效; the reply/accept/return cycle and every
 * number are ours (domain/policy.ts `orders`).
 */

export const ORDER_STAGES = ['issued', 'replied', 'returned', 'accepted'] as const;
export type OrderStage = (typeof ORDER_STAGES)[number];
export const ORDER_STAGE_NAMES: Record<OrderStage, string> = {
  issued: '已下达，待反馈',
  replied: '已反馈，待审核',
  returned: '已退回，待补充反馈',
  accepted: '已办结',
};

/** What an order may come from besides a single decision: a summons (约谈) or a circular (通报) whose follow-up action it is. */
export const ORDER_ORIGIN_KINDS = ['summons', 'circular'] as const;
export type OrderOriginKind = (typeof ORDER_ORIGIN_KINDS)[number];

/** The client's key that makes an issue idempotent: the same key from the same unit on the same target is the same order. */
export const zOrderKey = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected 1–64 letters, digits, - or _');

/**
 * The workflow id (and case id) of an order, from its business key: the issuing unit, the target (a case id
 * or a unit code) and the client's key. Issuing twice with the same key names the same order (ours).
 */
export const orderWorkflowId = (issuerUnit: string, target: string, key: string): string => `order-${issuerUnit}-${target}-${key}`;

/** What the issuer writes: the requirement (要求), ≤ 2000 characters. */
export const zRequirement = zFreeText(2000);
/** References to the evidence (an attachment's id or address), each ≤ 500 characters, at most 20. */
export const zAttachments = z.array(zFreeText(500)).max(20);

/** The reply (反馈): what the unit did, its evidence in words, and references to attachments. */
export const zReplyInput = z.object({ text: zFreeText(5000), evidence: zFreeText(5000).optional(), attachments: zAttachments.optional() }).strict();
/** Accepting the reply (办结), with an optional note. */
export const zAcceptInput = z.object({ note: zFreeText(2000).optional() }).strict();
/** Returning the reply for more (退回补充): why, and the new reply deadline (an instant, bounded by policy). */
export const zReturnInput = z.object({ reason: zFreeText(2000), replyBy: zInstant }).strict();
export type ReplyInput = z.infer<typeof zReplyInput>;
export type AcceptInput = z.infer<typeof zAcceptInput>;
export type ReturnInput = z.infer<typeof zReturnInput>;

export interface OrderTarget {
  /** The case the order is about, or null for an order on the unit itself. */
  caseId: string | null;
  caseKind: CaseKind | null;
}

export interface OrderReply {
  text: string;
  evidence?: string;
  attachments?: string[];
  at: number;
  by: Actor;
  /** The issuer's decision on this reply, once taken. */
  decision?: { outcome: 'accepted' | 'returned'; at: number; by: Actor; note?: string; reason?: string; replyBy?: number };
}

export interface IssueArgs {
  orderId: string;
  issuer: { unit: UnitRef; actor: Actor };
  /** The unit ordered to act and reply. */
  unit: UnitRef;
  /** The ordered unit first, then each ancestor a late reply climbs to. */
  ladder: UnitRef[];
  /** The ordered unit's path, root first (its jurisdiction). */
  orgPath: string[];
  target: OrderTarget;
  /** The household of the target case (for masking its names in the order's text), or null. */
  householdId: string | null;
  requirement: string;
  /** ms since the epoch. */
  replyBy: number;
  linkedCaseIds: string[];
  origin: { kind: OrderOriginKind; id: string } | null;
  policy: OrdersPolicy;
}

export interface OrderState {
  orderId: string;
  status: 'open' | 'closed';
  stage: OrderStage;
  issuer: { unit: UnitRef; actor: Actor };
  unit: UnitRef;
  ladder: UnitRef[];
  orgPath: string[];
  target: OrderTarget;
  householdId: string | null;
  requirement: string;
  issuedAt: number;
  /** The reply deadline now in force (ms). */
  replyBy: number;
  linkedCaseIds: string[];
  origin: { kind: OrderOriginKind; id: string } | null;
  replies: OrderReply[];
  closedAt?: number;
  deadlines: Deadline[];
  escalations: Escalation[];
  policy: OrdersPolicy;
  version: number;
}

const LABEL = '督办单：反馈';
const subject = (s: OrderState) => `督办单 ${s.orderId}${s.target.caseId ? `（${s.target.caseId}）` : ''}`;
const path = (s: OrderState) => ({ unit: s.unit, ladder: s.ladder, subject: subject(s) });

function openReply(s: OrderState, opensAt: number, dueAt: number, actor?: Actor): CaseEvent[] {
  return openNext(s, { prefix: 'order', name: 'reply', label: LABEL, opensAt, dueAt, warn: s.policy.warnAt, escalateEveryMs: s.policy.escalateEvery }, opensAt, actor).events;
}

/**
 * The bounds of a reply deadline set at `now` (ms): from `now + minReplyWithin` to `now + maxReplyWithin`.
 * @throws RuleViolation('unprocessable', 'replyBy: …', 'date_out_of_range') outside them. Source: ours (policy `orders`).
 */
export function checkReplyBy(policy: OrdersPolicy, replyBy: number, now: number, field = 'replyBy'): void {
  const first = now + policy.minReplyWithin;
  const last = now + policy.maxReplyWithin;
  if (!(replyBy >= first && replyBy <= last)) {
    throw new RuleViolation('unprocessable', `${field}: must be from ${new Date(first).toISOString()} to ${new Date(last).toISOString()} (policy orders.minReplyWithin/maxReplyWithin)`, 'date_out_of_range');
  }
}

/**
 * Issues the order (下达): the reply deadline opens at once, due at `replyBy` (a deadline already past when
 * the workflow starts is due now: the API has checked the bounds, and opening must not throw). The ordered
 * unit is told (`order_issued`).
 */
export function issueOrder(a: IssueArgs, now: number): { state: OrderState } & Outcome {
  const state: OrderState = {
    orderId: a.orderId,
    status: 'open',
    stage: 'issued',
    issuer: a.issuer,
    unit: a.unit,
    ladder: a.ladder,
    orgPath: a.orgPath,
    target: a.target,
    householdId: a.householdId,
    requirement: a.requirement,
    issuedAt: now,
    replyBy: Math.max(a.replyBy, now),
    linkedCaseIds: a.linkedCaseIds,
    origin: a.origin,
    replies: [],
    deadlines: [],
    escalations: [],
    policy: a.policy,
    version: 0,
  };
  const opened = openReply(state, now, state.replyBy, a.issuer.actor);
  return {
    state,
    events: [
      {
        type: 'issued',
        at: now,
        actor: a.issuer.actor,
        data: { issuer: a.issuer.unit.code, unit: a.unit.code, targetCaseId: a.target.caseId, replyBy: state.replyBy, linkedCaseIds: a.linkedCaseIds, origin: a.origin, policyVersion: a.policy.version },
      },
      ...opened,
    ],
    notices: [{ unit: a.unit, kind: 'order_issued', message: `${a.issuer.unit.name}下达督办单（${subject(state)}）：请于${localDateTime(state.replyBy)}（北京时间）前反馈` }],
  };
}

function expectStage(s: OrderState, ...stages: OrderStage[]): void {
  if (s.status !== 'open') throw new RuleViolation('conflict', `order ${s.orderId} is closed`, 'case_closed');
  if (!stages.includes(s.stage)) throw new RuleViolation('conflict', `order ${s.orderId} is ${s.stage} (${ORDER_STAGE_NAMES[s.stage]}), not ${stages.join(' or ')}`);
}

/** The ordered unit replies, no unit above it (ours: the order is addressed to that unit); admin stands in for any. */
function orderedUnitOnly(s: OrderState, actor: Actor): void {
  if (actor.role !== 'admin' && actor.unitCode !== s.unit.code) throw new RuleViolation('forbidden', `only ${s.unit.name} (${s.unit.code}), the ordered unit, replies to order ${s.orderId}`);
}

/** The issuing unit decides on a reply (ours); admin stands in for any. */
function issuerOnly(s: OrderState, actor: Actor): void {
  if (actor.role !== 'admin' && actor.unitCode !== s.issuer.unit.code) throw new RuleViolation('forbidden', `only ${s.issuer.unit.name} (${s.issuer.unit.code}), the issuer, decides on order ${s.orderId}`);
}

export function checkReply(s: OrderState, _input: ReplyInput, actor: Actor): void {
  // Who may act first (403), then whether the order is at that step (409): ours, so a unit that may never
  // act is told so rather than that the order is not ready yet.
  orderedUnitOnly(s, actor);
  expectStage(s, 'issued', 'returned');
}

/** 反馈: meets the reply deadline (late when after it) and tells the issuer (`order_replied`). */
export function replyToOrder(s: OrderState, input: ReplyInput, actor: Actor, now: number): Outcome {
  checkReply(s, input, actor);
  const met = meetOpen(s, now, actor);
  s.replies.push({ text: input.text, ...(input.evidence ? { evidence: input.evidence } : {}), ...(input.attachments?.length ? { attachments: input.attachments } : {}), at: now, by: actor });
  s.stage = 'replied';
  return {
    events: [{ type: 'replied', at: now, actor, data: { reply: s.replies.length, late: now > s.replyBy, attachments: input.attachments?.length ?? 0 } }, ...met],
    notices: [{ unit: s.issuer.unit, kind: 'order_replied', message: `${s.unit.name}已反馈督办单（${subject(s)}），请审核` }],
  };
}

export function checkAccept(s: OrderState, _input: AcceptInput, actor: Actor): void {
  issuerOnly(s, actor);
  expectStage(s, 'replied');
}

/** 办结: the issuer accepts the last reply, which closes the order; the ordered unit is told. */
export function acceptReply(s: OrderState, input: AcceptInput, actor: Actor, now: number): Outcome {
  checkAccept(s, input, actor);
  s.replies.at(-1)!.decision = { outcome: 'accepted', at: now, by: actor, ...(input.note ? { note: input.note } : {}) };
  s.stage = 'accepted';
  s.status = 'closed';
  s.closedAt = now;
  return {
    events: [{ type: 'reply_accepted', at: now, actor, data: { reply: s.replies.length } }, { type: 'closed', at: now, actor }],
    notices: [{ unit: s.unit, kind: 'decided', message: `督办单已办结（${subject(s)}）` }],
  };
}

export function checkReturn(s: OrderState, input: ReturnInput, actor: Actor, now: number): void {
  issuerOnly(s, actor);
  expectStage(s, 'replied');
  checkReplyBy(s.policy, Date.parse(input.replyBy), now);
}

/** 退回补充: the issuer returns the last reply; a new reply deadline opens, due at `replyBy`; the unit is told. */
export function returnReply(s: OrderState, input: ReturnInput, actor: Actor, now: number): Outcome {
  checkReturn(s, input, actor, now);
  const replyBy = Date.parse(input.replyBy);
  s.replies.at(-1)!.decision = { outcome: 'returned', at: now, by: actor, reason: input.reason, replyBy };
  s.stage = 'returned';
  s.replyBy = replyBy;
  const opened = openReply(s, now, replyBy, actor);
  const notice: Notice = { unit: s.unit, kind: 'order_issued', message: `督办单反馈被退回，请补充后于${localDateTime(replyBy)}（北京时间）前再次反馈（${subject(s)}）` };
  return { events: [{ type: 'reply_returned', at: now, actor, data: { reply: s.replies.length, replyBy } }, ...opened], notices: [notice] };
}

/** Brings the order up to `now`: the reply deadline's warning, overdue mark and escalations up the ordered unit's ladder. */
export function advanceOrder(s: OrderState, now: number): Outcome {
  if (s.status !== 'open') return { events: [], notices: [] };
  return advanceBook(s, path(s), now);
}

/** The next instant `advanceOrder` has something to do (ms), or undefined. */
export function orderWakeAt(s: OrderState): number | undefined {
  return s.status === 'open' ? bookWakeAt(s, s.ladder.length) : undefined;
}

const iso = isoTime;

/** The order as staff and the read model see it; `targetCaseId` is what a case's page finds its orders by. */
export function orderView(s: OrderState, now: number) {
  return {
    caseId: s.orderId,
    kind: 'order' as const,
    householdId: s.householdId,
    status: s.status,
    stage: s.stage,
    stageName: ORDER_STAGE_NAMES[s.stage],
    level: null,
    unit: s.unit,
    orgPath: s.orgPath,
    issuer: { unit: s.issuer.unit, userId: s.issuer.actor.userId, role: s.issuer.actor.role },
    issuerUnitCode: s.issuer.unit.code,
    targetCaseId: s.target.caseId,
    targetCaseKind: s.target.caseKind,
    requirement: s.requirement,
    issuedAt: iso(s.issuedAt)!,
    replyBy: iso(s.replyBy)!,
    linkedCaseIds: s.linkedCaseIds,
    origin: s.origin,
    replies: s.replies.map((r) => ({
      text: r.text,
      evidence: r.evidence ?? null,
      attachments: r.attachments ?? [],
      at: iso(r.at)!,
      by: r.by,
      decision: r.decision ? { ...r.decision, at: iso(r.decision.at)!, replyBy: iso(r.decision.replyBy) } : null,
    })),
    closedAt: iso(s.closedAt),
    ...deadlineView(s.deadlines, s.escalations, now),
    policyVersion: s.policy.version,
    version: s.version,
  };
}
export type OrderView = ReturnType<typeof orderView>;

/**
 * The steps of an order, one table for the workflow's validators and the API's routes (path, summary,
 * roles from the matrix, the input schema, the check). The issue itself is the start (`order.issue`).
 */
export const ORDER_STEPS = {
  reply: { path: 'reply', summary: '反馈督办单（被督办单位）', roles: PERMISSIONS.order.reply.roles, schema: zReplyInput, check: checkReply, apply: replyToOrder },
  accept: { path: 'accept', summary: '督办单反馈审核通过（办结）', roles: PERMISSIONS.order.accept.roles, schema: zAcceptInput, check: checkAccept, apply: acceptReply },
  sendBack: { path: 'return', summary: '退回督办单反馈，要求补充（新的反馈期限）', roles: PERMISSIONS.order.sendBack.roles, schema: zReturnInput, check: checkReturn, apply: returnReply },
} as const;
export type OrderStepName = keyof typeof ORDER_STEPS;
