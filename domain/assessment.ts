import { DAY_MS, startOfLocalMonth, shiftMonth } from './china-time';
import type { DeadlineRecord } from './projection';
import { overdueByMs, standingOf, type Standing } from './on-time';
import { DEFAULT_POLICY_SOURCE, type AssessmentPart, type AssessmentPolicy } from './policy';

/**
 * The yearly assessment (考核) of each unit and the monthly progress report (定期调度), computed from the
 * read model's deadline records (store/projection.ts DeadlineDoc) — pure: the store reads the facts, this
 * counts them and scores them, the API exports them.
 *
 * Source: seed 三(一) 三是建全考核工作机制 — "把党建引领社会救助工作作为社会救助领域年度考核的重点内容，
 * 定期调度工作进展，年底对相关工作情况进行考核"; seed 四(二) 加强督导检查 (the city follows up, 跟踪问效);
 * DOMAIN.md §7 names the measures (on-time rates, overdue cases, escalations, orders and their replies,
 * discoveries, pairing coverage, wishes fulfilled, public reports answered); issue 13's kinds are counted by
 * their deadline kinds (discovery.assess, pairing.assign, pairing.contact, patrol.record). Which figures, how each is
 * counted and the weights of the score are ours (docs/assessment.md).
 *
 * What a deadline counts as, at `now`, is the one rule of every on-time figure (domain/on-time.ts
 * `standingOf`); an `overdue_open` one also counts its overdue days so far, an `overdue_closed` one its days
 * up to when it ended (`overdueByMs`).
 * A period holds the deadlines *due* in it (China time, domain/china-time.ts).
 */

/** One deadline as the assessment reads it (the fields of a DeadlineDoc it needs; times in ms). */
export interface DeadlineFact {
  /** The deadline's own id (`<caseId>:<key>`): the drill-down's order. */
  id: string;
  caseId: string;
  /** The case kind (`alert`, `application`, `report`, `wish`, `order`, …). */
  caseKind: string;
  /** `alert.red`, `report.answer`, `order.reply`, … */
  deadlineKind: string;
  /** The deadline's label as the workflow gave it (Chinese), for the reports' 明细. */
  label?: string;
  orgPath: readonly string[];
  dueAt: number;
  metAt: number | null;
  /** When it ended unmet (DeadlineRecord.endedAt), or null (also on records that predate it). */
  endedAt: number | null;
  outcome: DeadlineRecord['outcome'];
  /** Escalations this deadline caused: one per rung climbed (domain/deadlines.ts advanceDeadline), so rung k was reached iff escalations ≥ k. */
  escalations: number;
}

export { standingOf, type Standing } from './on-time';

/** The rungs reported one by one (rung 1 is the first unit above the case's, usually the town; 3 and above together). */
export const RUNGS = [1, 2, 3] as const;

/** The order a supervision order's (督办单) reply deadline has (issue 12 item 4). */
export const ORDER_REPLY = 'order.reply';
/** A public report's answer deadline (seed 三(三)三 积极调查回应; domain/report.ts). */
export const REPORT_ANSWER = 'report.answer';
/** A wish's fulfilment deadline: met when the claimant reports it fulfilled (domain/wish.ts). */
export const WISH_FULFILMENT = 'wish.fulfilment';
/** A red alert's 24-hour deadline (seed 三(三)一 红色预警24小时受理处置). */
export const ALERT_RED = 'alert.red';
/**
 * Issue 13's deadline kinds, the contract between the party-member kinds and the assessment: the town's
 * assessment of a discovery report (主动发现, seed 三(二)三), a household paired within the deadline and each
 * contact of its paired member (党员帮包, seed 三(二)二), a cycle's patrol recorded (巡查, seed 三(二)三).
 */
export const DISCOVERY_ASSESS = 'discovery.assess';
export const PAIRING_ASSIGN = 'pairing.assign';
export const PAIRING_CONTACT = 'pairing.contact';
export const PATROL_RECORD = 'patrol.record';

/** Counts of one set of deadlines. `due` = onTime + late + overdueOpen + overdueClosed + unhandled. */
export interface DeadlineCounts {
  due: number;
  onTime: number;
  /** Met after the due time (逾期办理). */
  late: number;
  /** Open past the due time (逾期未办). */
  overdueOpen: number;
  /** Ended past the due time without being met (逾期未办结束, domain/on-time.ts `overdue_closed`). */
  overdueClosed: number;
  unhandled: number;
  /** Open and not yet due (not in `due`). */
  pending: number;
  /** onTime ÷ due; null when nothing was due. */
  onTimeRate: number | null;
}

/** Every figure of one unit (or the total) for a period. */
export interface UnitFigures {
  deadlines: DeadlineCounts;
  /** Per deadline kind present in the period, sorted by kind. */
  byKind: Record<string, DeadlineCounts>;
  overdue: {
    /** late + overdueOpen + overdueClosed. */
    count: number;
    /** Days late (met late: metAt − dueAt; still open: now − dueAt; ended unmet: endedAt − dueAt), summed; one decimal. */
    days: number;
    /** The longest of them, in days; one decimal; 0 when none. */
    maxDays: number;
  };
  escalations: {
    /** Escalations recorded (one per rung climbed). */
    total: number;
    /** Deadlines that escalated at least once. */
    deadlines: number;
    /** Deadlines that reached rung 1, 2, 3 or more (RUNGS). */
    byRung: number[];
  };
  orders: {
    /** Supervision orders (督办单: case kind `order`) with a deadline due in the period. */
    count: number;
    /** Their reply deadlines (order.reply), as DeadlineCounts. */
    replies: DeadlineCounts;
  };
  /** Deadlines closed without handling (outcome `unhandled`), all kinds. */
  unhandled: number;
  /** Public reports' answers (report.answer). */
  reports: DeadlineCounts;
  wishes: {
    /** Wishes whose fulfilment deadline was met (fulfilled), on time or late. */
    fulfilled: number;
    fulfilledOnTime: number;
  };
  /** Discovery reports' assessments by the town (主动发现研判, discovery.assess): on time, overdue, like the others. */
  discoveries: DeadlineCounts;
  pairing: {
    /** Households paired within the deadline (帮包结对, pairing.assign): the pairing's coverage of newly qualifying households. */
    assignments: DeadlineCounts;
    /** Paired members' contacts on their cadence (帮包联系, pairing.contact). */
    contacts: DeadlineCounts;
  };
  /** Each cycle's patrol recorded within its cycle (巡查记录, patrol.record). */
  patrols: DeadlineCounts;
  /** The weighted score, 0–100 with one decimal (ASSESSMENT_WEIGHTS); null when nothing was due. */
  score: number | null;
}

const emptyCounts = (): DeadlineCounts => ({ due: 0, onTime: 0, late: 0, overdueOpen: 0, overdueClosed: 0, unhandled: 0, pending: 0, onTimeRate: null });

function add(c: DeadlineCounts, s: Standing): void {
  if (s === 'on_time') c.onTime += 1;
  else if (s === 'late') c.late += 1;
  else if (s === 'overdue_open') c.overdueOpen += 1;
  else if (s === 'overdue_closed') c.overdueClosed += 1;
  else if (s === 'unhandled') c.unhandled += 1;
  else if (s === 'pending') c.pending += 1;
  if (s !== 'pending' && s !== 'not_due') c.due += 1;
}

const rate = (num: number, den: number): number | null => (den === 0 ? null : num / den);
const withRate = (c: DeadlineCounts): DeadlineCounts => ({ ...c, onTimeRate: rate(c.onTime, c.due) });
const oneDecimal = (x: number) => Math.round(x * 10) / 10;

/** A running tally of one unit; `figures` finishes it. */
export class Tally {
  private readonly deadlines = emptyCounts();
  private readonly byKind = new Map<string, DeadlineCounts>();
  private overdueCount = 0;
  private overdueMs = 0;
  private overdueMaxMs = 0;
  private escalationTotal = 0;
  private escalatedDeadlines = 0;
  private readonly byRung = RUNGS.map(() => 0);
  private readonly orderCases = new Set<string>();
  private readonly replies = emptyCounts();
  private readonly reports = emptyCounts();
  private fulfilled = 0;
  private fulfilledOnTime = 0;

  /** Adds one deadline, as it stands at `now`. */
  add(d: DeadlineFact, now: number): void {
    const s = standingOf(d, now);
    if (s === 'not_due') return;
    add(this.deadlines, s);
    let kind = this.byKind.get(d.deadlineKind);
    if (!kind) this.byKind.set(d.deadlineKind, (kind = emptyCounts()));
    add(kind, s);
    const lateBy = lateByMs(d, now);
    if (lateBy !== null) {
      this.overdueCount += 1;
      this.overdueMs += Math.max(0, lateBy);
      this.overdueMaxMs = Math.max(this.overdueMaxMs, lateBy);
    }
    if (d.escalations > 0) {
      this.escalationTotal += d.escalations;
      this.escalatedDeadlines += 1;
      RUNGS.forEach((r, i) => {
        if (d.escalations >= r) this.byRung[i]! += 1;
      });
    }
    if (d.caseKind === 'order') this.orderCases.add(d.caseId);
    if (d.deadlineKind === ORDER_REPLY) add(this.replies, s);
    if (d.deadlineKind === REPORT_ANSWER) add(this.reports, s);
    if (d.deadlineKind === WISH_FULFILMENT && (s === 'on_time' || s === 'late')) {
      this.fulfilled += 1;
      if (s === 'on_time') this.fulfilledOnTime += 1;
    }
  }

  /** The figures so far, with the score under `weights`. */
  figures(weights: readonly AssessmentWeight[] = ASSESSMENT_WEIGHTS): UnitFigures {
    const byKind = Object.fromEntries([...this.byKind.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, c]) => [k, withRate(c)]));
    const ofKind = (kind: string): DeadlineCounts => byKind[kind] ?? withRate(emptyCounts());
    const f: UnitFigures = {
      deadlines: withRate(this.deadlines),
      byKind,
      overdue: { count: this.overdueCount, days: oneDecimal(this.overdueMs / DAY_MS), maxDays: oneDecimal(this.overdueMaxMs / DAY_MS) },
      escalations: { total: this.escalationTotal, deadlines: this.escalatedDeadlines, byRung: [...this.byRung] },
      orders: { count: this.orderCases.size, replies: withRate(this.replies) },
      unhandled: this.deadlines.unhandled,
      reports: withRate(this.reports),
      wishes: { fulfilled: this.fulfilled, fulfilledOnTime: this.fulfilledOnTime },
      discoveries: ofKind(DISCOVERY_ASSESS),
      pairing: { assignments: ofKind(PAIRING_ASSIGN), contacts: ofKind(PAIRING_CONTACT) },
      patrols: ofKind(PATROL_RECORD),
      score: null,
    };
    return { ...f, score: scoreOf(f, weights) };
  }
}

/**
 * One part of the score: its weight, its name (the seed's words where it has them) and the rate (0–1) it
 * scores, or null when the unit had nothing of it in the period (the part is then left out and the others'
 * weights count in full). Policy; ours.
 */
export interface AssessmentWeight {
  id: AssessmentPart;
  name: string;
  weight: number;
  /** What the rate is, for the 说明 sheet and docs/assessment.md. */
  rule: string;
  rate(f: UnitFigures): number | null;
}

/**
 * The parts of the score and how each rate is computed; their weights are policy (domain/policy.ts
 * `assessment.weights`, POLICY_FILE). Ours (docs/assessment.md): the seed asks for the work to be assessed
 * yearly and its progress reviewed regularly (三(一)三), and names the deadlines it sets — red 24 h, orange
 * 72 h, yellow weekly (三(三)一), public reports answered (三(三)三) — so timeliness weighs most; closing
 * without handling and escalations are what issue 12 found inflating the figures.
 */
export const ASSESSMENT_PARTS: readonly Omit<AssessmentWeight, 'weight'>[] = [
  { id: 'onTime', name: '按时办理率', rule: '按时办理的期限 ÷ 到期的期限（所有种类）', rate: (f) => f.deadlines.onTimeRate },
  { id: 'redOnTime', name: '红色预警24小时处置率', rule: '按时办理的红色预警期限 ÷ 到期的红色预警期限（种子 三(三)一）', rate: (f) => f.byKind[ALERT_RED]?.onTimeRate ?? null },
  { id: 'orderReplies', name: '督办按时反馈率', rule: '按时反馈的督办单 ÷ 到期的督办单反馈期限', rate: (f) => f.orders.replies.onTimeRate },
  { id: 'reports', name: '群众反映按时答复率', rule: '按时答复的群众反映 ÷ 到期的答复期限（种子 三(三)三）', rate: (f) => f.reports.onTimeRate },
  { id: 'handled', name: '未经处置关闭控制', rule: '1 − 未经处置关闭的期限 ÷ 到期的期限', rate: (f) => (f.deadlines.due === 0 ? null : 1 - f.unhandled / f.deadlines.due) },
  { id: 'notEscalated', name: '未升级率', rule: '1 − 发生升级的期限 ÷ 到期的期限', rate: (f) => (f.deadlines.due === 0 ? null : 1 - f.escalations.deadlines / f.deadlines.due) },
];

/** The parts with the policy's weights (`assessment.weights`). Throws nothing; the policy was validated at start-up. */
export function weightsOf(policy: AssessmentPolicy): AssessmentWeight[] {
  return ASSESSMENT_PARTS.map((p) => ({ ...p, weight: policy.weights[p.id] }));
}

/** The default weights (domain/policy.ts DEFAULT_POLICY_SOURCE `assessment`). */
export const ASSESSMENT_WEIGHTS: readonly AssessmentWeight[] = weightsOf(DEFAULT_POLICY_SOURCE.assessment);

/**
 * The score: 100 × Σ weight × rate ÷ Σ weight over the parts whose rate is not null, one decimal; null when
 * no part has a rate (nothing was due). Ours (docs/assessment.md).
 */
export function scoreOf(f: UnitFigures, weights: readonly AssessmentWeight[] = ASSESSMENT_WEIGHTS): number | null {
  let sum = 0;
  let total = 0;
  for (const w of weights) {
    const r = w.rate(f);
    if (r === null) continue;
    sum += w.weight * r;
    total += w.weight;
  }
  return total === 0 ? null : oneDecimal((100 * sum) / total);
}

/** A unit as the report names it. */
export interface UnitName {
  code: string;
  name: string;
}

/** The report of a unit for a period: a row per child unit, and the total of the unit's whole subtree. */
export interface AssessmentReport {
  org: UnitName;
  period: Period;
  generatedAt: string;
  total: UnitFigures;
  units: (UnitName & { figures: UnitFigures })[];
  /** The label of each deadline kind in the period (the shortest seen), for the 明细. */
  kindLabels: Record<string, string>;
  /** The weights the scores were computed with (the policy's), for the 说明. */
  weights: { id: AssessmentPart; name: string; weight: number; rule: string }[];
}

/**
 * Counts the facts of `org`'s subtree into a row per child (by `orgPath[depth]`, depth = the org's path
 * length) and the total. A deadline of the org's own unit (a town's own application, an order on the town)
 * counts in the total only.
 */
export function assessmentOf(args: { org: UnitName; depth: number; children: readonly UnitName[]; period: Period; facts: Iterable<DeadlineFact>; now: number; weights?: readonly AssessmentWeight[] }): AssessmentReport {
  const weights = args.weights ?? ASSESSMENT_WEIGHTS;
  const total = new Tally();
  const perChild = new Map(args.children.map((c) => [c.code, new Tally()]));
  const kindLabels: Record<string, string> = {};
  for (const d of args.facts) {
    // The shortest label of the kind: the plain one where a case numbers its own (定期复核（第2次）).
    if (d.label !== undefined && (!Object.hasOwn(kindLabels, d.deadlineKind) || d.label.length < kindLabels[d.deadlineKind]!.length)) kindLabels[d.deadlineKind] = d.label;
    total.add(d, args.now);
    perChild.get(d.orgPath[args.depth] ?? '')?.add(d, args.now);
  }
  return {
    org: args.org,
    period: args.period,
    generatedAt: new Date(args.now).toISOString(),
    total: total.figures(weights),
    units: args.children.map((c) => ({ code: c.code, name: c.name, figures: perChild.get(c.code)!.figures(weights) })),
    kindLabels,
    weights: weights.map(({ id, name, weight, rule }) => ({ id, name, weight, rule })),
  };
}

// ── Periods ──────────────────────────────────────────────────────────────────────────────────────

/** A year (考核) or a month (定期调度), China time: [from, to) in ms. */
export interface Period {
  kind: 'year' | 'month';
  /** `2026` or `2026-03`. */
  label: string;
  from: number;
  to: number;
}

/** The local year `year` (Asia/Shanghai): from 1 January 00:00 to the next 1 January 00:00. */
export function yearPeriod(year: number): Period {
  return { kind: 'year', label: String(year), from: startOfLocalMonth(`${year}-01`), to: startOfLocalMonth(`${year + 1}-01`) };
}

/** The local month `YYYY-MM` (Asia/Shanghai). @throws what startOfLocalMonth throws on a malformed month. */
export function monthPeriod(month: string): Period {
  return { kind: 'month', label: month, from: startOfLocalMonth(month), to: startOfLocalMonth(shiftMonth(month, 1)) };
}

// ── Drill-down ───────────────────────────────────────────────────────────────────────────────────

/**
 * The figures a number of the report can be drilled into: the deadlines behind it. `kind` (a deadline kind)
 * narrows any of them to the 明细 row. Each counts exactly the deadlines `inFigure` selects
 * (test/domain/assessment.test.ts holds the Tally to it), except `orders`, which counts their cases.
 */
export const FIGURES = [
  'due',
  'onTime',
  'late',
  'overdueOpen',
  'overdueClosed',
  'overdue',
  'unhandled',
  'pending',
  'escalated',
  'rung1',
  'rung2',
  'rung3',
  'orders',
  'orderReplies',
  'orderRepliesOnTime',
  'reports',
  'reportsOnTime',
  'wishesFulfilled',
  'discoveries',
  'discoveriesOnTime',
  'pairingAssignments',
  'pairingAssignmentsOnTime',
  'pairingContacts',
  'pairingContactsOnTime',
  'patrols',
  'patrolsOnTime',
] as const;
export type Figure = (typeof FIGURES)[number];

/** The figures that are one deadline kind's due deadlines (and, with `OnTime`, its on-time ones): issue 13's. */
const KIND_FIGURES = { discoveries: DISCOVERY_ASSESS, pairingAssignments: PAIRING_ASSIGN, pairingContacts: PAIRING_CONTACT, patrols: PATROL_RECORD } as const;

const DUE: ReadonlySet<Standing> = new Set(['on_time', 'late', 'overdue_open', 'overdue_closed', 'unhandled']);

/** Whether deadline `d` is behind figure `figure` at `now`. */
export function inFigure(figure: Figure, d: DeadlineFact, now: number): boolean {
  const s = standingOf(d, now);
  switch (figure) {
    case 'due':
      return DUE.has(s);
    case 'onTime':
      return s === 'on_time';
    case 'late':
      return s === 'late';
    case 'overdueOpen':
      return s === 'overdue_open';
    case 'overdueClosed':
      return s === 'overdue_closed';
    case 'overdue':
      return s === 'late' || s === 'overdue_open' || s === 'overdue_closed';
    case 'unhandled':
      return s === 'unhandled';
    case 'pending':
      return s === 'pending';
    case 'escalated':
      return s !== 'not_due' && d.escalations > 0;
    case 'rung1':
    case 'rung2':
    case 'rung3':
      return s !== 'not_due' && d.escalations >= Number(figure.slice(4));
    case 'orders':
      return s !== 'not_due' && d.caseKind === 'order';
    case 'orderReplies':
      return d.deadlineKind === ORDER_REPLY && DUE.has(s);
    case 'orderRepliesOnTime':
      return d.deadlineKind === ORDER_REPLY && s === 'on_time';
    case 'reports':
      return d.deadlineKind === REPORT_ANSWER && DUE.has(s);
    case 'reportsOnTime':
      return d.deadlineKind === REPORT_ANSWER && s === 'on_time';
    case 'wishesFulfilled':
      return d.deadlineKind === WISH_FULFILMENT && (s === 'on_time' || s === 'late');
    case 'discoveries':
    case 'pairingAssignments':
    case 'pairingContacts':
    case 'patrols':
      return d.deadlineKind === KIND_FIGURES[figure] && DUE.has(s);
    case 'discoveriesOnTime':
    case 'pairingAssignmentsOnTime':
    case 'pairingContactsOnTime':
    case 'patrolsOnTime':
      return d.deadlineKind === KIND_FIGURES[figure.slice(0, -'OnTime'.length) as keyof typeof KIND_FIGURES] && s === 'on_time';
  }
}

/**
 * The deadlines behind a figure, by due time then id; for `orders` one per case (its first deadline).
 * `kind` narrows to one deadline kind.
 */
export function factsBehind(figure: Figure, facts: Iterable<DeadlineFact>, now: number, kind?: string): DeadlineFact[] {
  const out: DeadlineFact[] = [];
  for (const d of facts) if ((kind === undefined || d.deadlineKind === kind) && inFigure(figure, d, now)) out.push(d);
  out.sort((a, b) => a.dueAt - b.dueAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (figure !== 'orders') return out;
  const seen = new Set<string>();
  return out.filter((d) => !seen.has(d.caseId) && (seen.add(d.caseId), true));
}

/**
 * How late a deadline is, in ms, at `now` (met late: metAt − dueAt; open past due: now − dueAt; ended past
 * due unmet: endedAt − dueAt), else null: the one rule, domain/on-time.ts `overdueByMs`.
 */
export function lateByMs(d: Pick<DeadlineFact, 'outcome' | 'dueAt' | 'metAt' | 'endedAt'>, now: number): number | null {
  return overdueByMs(d, now);
}
