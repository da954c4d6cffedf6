import { z } from 'zod';
import type { CaseEvent } from './case';
import { zDayWithinYears } from './dates';
import { dayOfNumber, localDayNumber, localMonth, weekdayOfNumber } from './china-time';
import type { PartyMember } from './party-member';
import { POINT_RULES, type AwardClaim, type PointRule } from './point-rules';
import type { PointsPolicy } from './policy';

/**
 * The points ledger (党员积分制, seed 三(二)一; issue 13), pure: which events earn points, the entry an award
 * becomes, a counter-entry, totals and rankings. store/points.ts stores the entries; the projection activity
 * (activities/index.ts) writes the awards of each case change; the API records staff awards and reversals.
 *
 * The ledger is append-only: an entry is inserted once (its `_id` is the award's key, so a retry or a
 * re-projection writes nothing twice) and never updated or deleted. A wrong entry is corrected by a
 * counter-entry (`<id>:reversal`, its points negated, with a reason); a counter-entry is never reversed.
 */

/** One ledger entry (collection `points_ledger`; store/collections.ts `PointsEntryDoc` is this type). */
export interface LedgerEntry {
  _id: string;
  memberId: string;
  userId: string;
  /** The member's branch and units when the entry was written: rankings group by these. */
  branch: string;
  villageCode: string;
  orgPath: string[];
  rule: PointRule;
  /** Whole points: the rule's points in force × quantity; negative on a counter-entry. */
  points: number;
  quantity: number;
  /** When it was earned (the event's time, ms) and its China-time month (YYYY-MM) and year, for rankings. */
  at: number;
  month: string;
  year: number;
  /** What earned it: a case (its id and kind), or a record (a service task, a staff entry). */
  source: { kind: string; id: string };
  /** Who recorded it: `system` for awards from events; a staff login for recorded ones and counter-entries. */
  recordedBy: string;
  note?: string;
  /** A counter-entry: the id of the entry it reverses, and why. */
  reverses?: string;
  reason?: string;
}

/** An award with when it was earned and what earned it: what the projection turns into an entry. */
export interface DatedAward extends AwardClaim {
  at: number;
  source: { kind: string; id: string };
}

const isRule = (r: unknown): r is PointRule => typeof r === 'string' && (POINT_RULES as readonly string[]).includes(r);

/** The `data.awards` of an event, the well-formed ones (a claim the workflow wrote wrongly is skipped, not thrown). */
function claimsIn(e: CaseEvent): AwardClaim[] {
  const awards = e.data?.awards;
  if (!Array.isArray(awards)) return [];
  return awards.filter(
    (a): a is AwardClaim =>
      typeof a === 'object' && a !== null && typeof a.userId === 'string' && isRule(a.rule) && typeof a.key === 'string' && a.key.length > 0 &&
      (a.quantity === undefined || (typeof a.quantity === 'number' && Number.isFinite(a.quantity) && a.quantity > 0)),
  );
}

/**
 * The awards one case change earns, from its events:
 * - every event's `data.awards` (pairing contacts, confirmed discoveries, … — domain/point-rules.ts `AwardClaim`);
 * - an alert's `visit_recorded` whose actor is a `party_member` and that met one of the alert's deadlines (a
 *   main-track `deadline_met` among the events after it, before the next visit) → `visit` for the actor, keyed
 *   `<caseId>:visit:week-<Monday of its China-time week>`: at most one per alert and week (the seed's cadence
 *   for a household under watch, 黄色预警每周探访, seed 三(三)一), so repeated visits — and a pairing's visits
 *   forwarded to the alert — earn nothing beyond it, even where each meets a deadline (an orange alert's
 *   revisit is due 15 days after each visit, so every visit meets the one before it; issue-13 fix, ours);
 * - a wish's `points_recorded` (the fulfilment confirmed) whose helper has a login → `wish_fulfilled` for
 *   that login, keyed `<wishId>:wish_fulfilled`.
 * Whether the login is a registered member is the caller's question (an award for none is not written).
 * Source: issue 13 (the rules: domain/point-rules.ts); the mapping of the older events is ours.
 */
export function awardsOf(p: { caseId: string; kind: string; view: Record<string, unknown>; events: CaseEvent[] }): DatedAward[] {
  const source = { kind: p.kind, id: p.caseId };
  const out: DatedAward[] = [];
  p.events.forEach((e, i) => {
    for (const c of claimsIn(e)) out.push({ ...c, at: e.at, source });
    if (p.kind === 'alert' && e.type === 'visit_recorded' && e.actor?.role === 'party_member') {
      if (deadlineMetBy(p.events, i) !== undefined) out.push({ userId: e.actor.userId, rule: 'visit', key: `${p.caseId}:visit:week-${weekOf(e.at)}`, at: e.at, source });
    }
    if (p.kind === 'wish' && e.type === 'points_recorded') {
      const claim = p.view.claim as { helper?: { userId?: unknown } } | null | undefined;
      const userId = claim?.helper?.userId;
      if (typeof userId === 'string' && userId.length > 0) out.push({ userId, rule: 'wish_fulfilled', key: `${p.caseId}:wish_fulfilled`, at: e.at, source });
    }
  });
  return out;
}

/** The Monday (YYYY-MM-DD, China time) of the week of `ms`. */
function weekOf(ms: number): string {
  const day = localDayNumber(ms);
  return dayOfNumber(day - ((weekdayOfNumber(day) + 6) % 7));
}

/**
 * The key of the main-track deadline the visit at `events[i]` met: a `deadline_met` without a track among the
 * events after it, before the next `visit_recorded` (domain/alert.ts recordVisit puts the deadlines its visit
 * settled right after it), or undefined.
 */
function deadlineMetBy(events: readonly CaseEvent[], i: number): string | undefined {
  for (const e of events.slice(i + 1)) {
    if (e.type === 'visit_recorded') return undefined;
    if (e.type === 'deadline_met' && e.data?.track === undefined && typeof e.data?.deadline === 'string') return e.data.deadline;
  }
  return undefined;
}

/**
 * The entry an award becomes for `member`: the rule's points in `policy` × quantity (default 1), the
 * member's branch and units as they are now, the China-time month and year of `award.at`.
 */
export function entryOf(award: DatedAward, member: PartyMember, policy: PointsPolicy, recordedBy = 'system', note?: string): LedgerEntry {
  const quantity = award.quantity ?? 1;
  const month = localMonth(award.at);
  return {
    _id: award.key,
    memberId: member.id,
    userId: member.userId,
    branch: member.branch,
    villageCode: member.villageCode,
    orgPath: member.orgPath,
    rule: award.rule,
    points: Math.round(policy.rules[award.rule] * quantity),
    quantity,
    at: award.at,
    month,
    year: Number(month.slice(0, 4)),
    source: award.source,
    recordedBy,
    ...(note !== undefined ? { note } : {}),
  };
}

/**
 * The key of a staff award (its entry id is `award:<memberId>:<key>`): letters, digits, `.`, `_`, `-` — no
 * `:`, so that no key can reach another entry's id (`a:reversal` would be the counter-entry id of award `a`,
 * which could then never be reversed). Source: ours.
 */
export const zAwardKey = z.string().trim().min(1).max(100).regex(/^[\w.-]+$/, 'expected letters, digits, . _ - (no colon)');

/** How many days back a staff award may be dated: within the last year, so it falls in a ranking someone still reads. Ours. */
export const AWARD_PAST_DAYS = 366;
/** The day a staff award was earned: from AWARD_PAST_DAYS before today to today (China time); code `date_out_of_range`. */
export const zAwardDay = zDayWithinYears(0, AWARD_PAST_DAYS);

/** The id of an entry's counter-entry. */
export const reversalIdOf = (entryId: string): string => `${entryId}:reversal`;

/**
 * The counter-entry of `entry`: its points negated, in the same month and year as the entry it reverses
 * (so the month it was earned in is corrected, and a ranking of that month includes it), `at` the time of
 * the reversal. Source: issue 13 (reversible only by a counter-entry with reason); the month rule is ours.
 * @throws Error when `entry` is itself a counter-entry (the API answers 422 before calling this).
 */
export function counterEntryOf(entry: LedgerEntry, reason: string, by: string, at: number): LedgerEntry {
  if (entry.reverses !== undefined) throw new Error(`${entry._id} is a counter-entry and cannot be reversed`);
  const { note: _note, ...rest } = entry;
  return { ...rest, _id: reversalIdOf(entry._id), points: -entry.points, at, recordedBy: by, source: { kind: 'reversal', id: entry._id }, reverses: entry._id, reason };
}

/** A member's total over some entries (counter-entries included). */
export const totalOf = (entries: ReadonlyArray<Pick<LedgerEntry, 'points'>>): number => entries.reduce((n, e) => n + e.points, 0);

/** One row of a branch's ranking. */
export interface RankingRow {
  rank: number;
  memberId: string;
  userId: string;
  points: number;
}

/** A branch's ranking. */
export interface BranchRanking {
  /** The branch's village/community: same-named branches of two villages are two branches. */
  villageCode: string;
  branch: string;
  members: RankingRow[];
}

/**
 * Rankings per branch from a period's entries (counter-entries included): members by total, highest
 * first; equal totals share a rank and the next rank skips (1, 1, 3 — standard competition ranking);
 * equal totals are listed by member id. A branch is its village and its name (two villages' 第一党支部 are
 * two branches), ordered by village code then name. A member's branch (and village) is that of their
 * latest entry in the period. Source: issue 13 (rankings per branch by month and year); the tie rule is ours.
 */
export function rankingsOf(entries: ReadonlyArray<Pick<LedgerEntry, 'memberId' | 'userId' | 'villageCode' | 'branch' | 'points' | 'at'>>): BranchRanking[] {
  const byMember = new Map<string, { memberId: string; userId: string; villageCode: string; branch: string; at: number; points: number }>();
  for (const e of entries) {
    const m = byMember.get(e.memberId);
    if (!m) byMember.set(e.memberId, { memberId: e.memberId, userId: e.userId, villageCode: e.villageCode, branch: e.branch, at: e.at, points: e.points });
    else {
      m.points += e.points;
      if (e.at >= m.at) Object.assign(m, { villageCode: e.villageCode, branch: e.branch, at: e.at });
    }
  }
  const branches = new Map<string, { villageCode: string; branch: string; rows: RankingRow[] }>();
  for (const m of byMember.values()) {
    const key = JSON.stringify([m.villageCode, m.branch]);
    const b = branches.get(key) ?? { villageCode: m.villageCode, branch: m.branch, rows: [] };
    b.rows.push({ rank: 0, memberId: m.memberId, userId: m.userId, points: m.points });
    branches.set(key, b);
  }
  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...branches.values()]
    .sort((a, b) => order(a.villageCode, b.villageCode) || order(a.branch, b.branch))
    .map(({ villageCode, branch, rows }) => {
      rows.sort((a, b) => b.points - a.points || (a.memberId < b.memberId ? -1 : 1));
      rows.forEach((r, i) => (r.rank = i > 0 && rows[i - 1]!.points === r.points ? rows[i - 1]!.rank : i + 1));
      return { villageCode, branch, members: rows };
    });
}

/** 亮行动 and 亮成绩 of one member for a period: counts of their actions and their points (counter-entries net out). */
export interface MemberShowcase {
  actions: { visits: number; contacts: number; discoveries: number; wishes: number; serviceHours: number };
  points: number;
}

const ACTION_OF: Partial<Record<PointRule, keyof MemberShowcase['actions']>> = {
  visit: 'visits',
  contact_on_time: 'contacts',
  discovery_confirmed: 'discoveries',
  wish_fulfilled: 'wishes',
};

/**
 * Per member, the counts of their actions in `entries` (visits, contacts on time, discoveries confirmed,
 * wishes fulfilled: one each; service hours: the hours) and their points — a counter-entry takes its
 * entry's action and points back. Source: issue 13 item 3 (亮行动: counts of actions; 亮成绩: points).
 */
export function showcasesOf(entries: ReadonlyArray<Pick<LedgerEntry, 'memberId' | 'rule' | 'points' | 'quantity' | 'reverses'>>): Map<string, MemberShowcase> {
  const out = new Map<string, MemberShowcase>();
  for (const e of entries) {
    const s = out.get(e.memberId) ?? { actions: { visits: 0, contacts: 0, discoveries: 0, wishes: 0, serviceHours: 0 }, points: 0 };
    const sign = e.reverses === undefined ? 1 : -1;
    s.points += e.points;
    if (e.rule === 'service_hour') s.actions.serviceHours += sign * e.quantity;
    const action = ACTION_OF[e.rule];
    if (action) s.actions[action] += sign;
    out.set(e.memberId, s);
  }
  return out;
}
