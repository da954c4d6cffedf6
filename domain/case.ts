import type { DeadlineEvent } from './deadlines';
import type { UnitRef } from './org';
import { z } from 'zod';
import type { RefusalReason } from './rejections';
import { zRole, type Role } from './roles';

/** What every case kind (alert, application, …) shares: who acted, what happened, whom to tell. */

export interface Actor {
  userId: string;
  role: Role;
  unitCode: string;
}
/** An actor as an update carries it (the API builds it from the token); checked by every step's validator. */
export const zActor = z.looseObject({ userId: z.string().min(1).max(200), role: zRole, unitCode: z.string().min(1).max(64) });

/** Something that happened, for the audit trail. */
export interface CaseEvent {
  type: string;
  at: number;
  actor?: Actor;
  data?: Record<string, unknown>;
}

/**
 * A message for a unit (and, with `userId`, for one user of it), put in the outbox; delivered to the
 * unit's inbox and its channels (issue 12). Kinds: deadline warnings and escalations; a case opened or
 * raised; a decision or stage; a request awaiting approval and its decision (no quiet defusing); a
 * supervision order (督办单) issued, replied to or overdue; a summons (约谈) or circular (通报).
 */
export const NOTICE_KINDS = [
  'at_risk',
  'escalated',
  'opened',
  'level_raised',
  'decided',
  'stage',
  'approval_requested',
  'approval_decided',
  'order_issued',
  'order_replied',
  'summons',
  'circular',
  /** A notice could not be delivered through one of its unit's channels (told to the unit's supervisor; inbox only). */
  'delivery_failed',
  /** A party member, grid worker or staff reported a household in difficulty: told to the town at once (主动发现, issue 13). */
  'discovery_reported',
  /** A resident applied through the public page: told to the town at once, which accepts or returns (申请受理, issue 14). */
  'intake_filed',
  /** Village staff named a user to visit an alert's household (指派走访人, issue 14): told to that user at once. */
  'visit_assigned',
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export interface Notice {
  unit: UnitRef;
  kind: NoticeKind;
  message: string;
  /** One user of the unit this notice is for (a requester told of the decision); absent: the whole unit. */
  userId?: string;
}

export interface Outcome {
  events: CaseEvent[];
  notices: Notice[];
}

export class RuleViolation extends Error {
  constructor(
    readonly type: 'conflict' | 'unprocessable' | 'forbidden',
    message: string,
    /** The rule's machine code, for clients to translate (domain/rejections.ts REFUSAL_REASONS). */
    readonly reason?: RefusalReason,
    /** The request field at fault (`body.memberId`) and a machine code for it: the API sends it as `error.details[0]` (api/errors.ts FieldIssue). */
    readonly field?: { path: string; code: string },
  ) {
    super(message);
  }
}


/**
 * The audit events and outbox notices for what the deadline mechanism reported: an at-risk warning to the
 * responsible unit, an overdue mark, and one notice per escalation to the unit it reaches.
 */
export function deadlineOutcome(happened: DeadlineEvent[], unit: UnitRef, subject: string): Outcome {
  const out: Outcome = { events: [], notices: [] };
  for (const e of happened) {
    if (e.type === 'warned') {
      out.events.push({ type: 'at_risk', at: e.at, data: { deadline: e.deadline.key, dueAt: e.deadline.dueAt } });
      out.notices.push({ unit, kind: 'at_risk', message: `${e.deadline.label}即将到期（${subject}）` });
    } else if (e.type === 'breached') {
      out.events.push({ type: 'overdue', at: e.at, data: { deadline: e.deadline.key, dueAt: e.deadline.dueAt } });
    } else {
      const x = e.escalation;
      out.events.push({ type: 'escalated', at: x.at, data: { rung: x.rung, from: x.from.code, to: x.to.code, deadline: x.deadlineKey, lateByMs: x.lateByMs } });
      out.notices.push({ unit: x.to, kind: 'escalated', message: `督办：${x.from.name}的${x.deadlineLabel}已逾期（${subject}），升级至${x.to.name}` });
    }
  }
  return out;
}
