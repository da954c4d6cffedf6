import { type AssessmentReport, type DeadlineCounts, type Figure, type UnitFigures } from '../../domain/assessment';

/**
 * The columns of the 汇总 (summary) table, once for the XLSX and the PDF: a Chinese header,
 * the value of a unit's figures, and the drill-down figure behind it (none for a rate or a score). The workspace shows a subset with its own bilingual labels (web/src/screens/assessment.tsx
 * COLUMNS): importing these would bring the domain's runtime (zod, the policy) into the browser bundle.
 * Source: ours (docs/assessment.md).
 */
export interface SummaryColumn {
  header: string;
  /** A number or a rate (0–1, shown as a percentage). */
  value(f: UnitFigures): number | string | null;
  kind: 'count' | 'rate' | 'days' | 'score';
  figure?: Figure;
}

export const SUMMARY_COLUMNS: readonly SummaryColumn[] = [
  { header: '得分', kind: 'score', value: (f) => f.score },
  { header: '到期期限', kind: 'count', value: (f) => f.deadlines.due, figure: 'due' },
  { header: '按时办理', kind: 'count', value: (f) => f.deadlines.onTime, figure: 'onTime' },
  { header: '逾期办理', kind: 'count', value: (f) => f.deadlines.late, figure: 'late' },
  { header: '逾期未办', kind: 'count', value: (f) => f.deadlines.overdueOpen, figure: 'overdueOpen' },
  { header: '逾期未办结束', kind: 'count', value: (f) => f.deadlines.overdueClosed, figure: 'overdueClosed' },
  { header: '未经处置关闭', kind: 'count', value: (f) => f.unhandled, figure: 'unhandled' },
  { header: '按时办理率', kind: 'rate', value: (f) => f.deadlines.onTimeRate },
  { header: '逾期件数', kind: 'count', value: (f) => f.overdue.count, figure: 'overdue' },
  { header: '逾期天数合计', kind: 'days', value: (f) => f.overdue.days },
  { header: '最长逾期天数', kind: 'days', value: (f) => f.overdue.maxDays },
  { header: '升级次数', kind: 'count', value: (f) => f.escalations.total },
  { header: '升级期限数', kind: 'count', value: (f) => f.escalations.deadlines, figure: 'escalated' },
  { header: '升至第1级', kind: 'count', value: (f) => f.escalations.byRung[0] ?? 0, figure: 'rung1' },
  { header: '升至第2级', kind: 'count', value: (f) => f.escalations.byRung[1] ?? 0, figure: 'rung2' },
  { header: '升至第3级及以上', kind: 'count', value: (f) => f.escalations.byRung[2] ?? 0, figure: 'rung3' },
  { header: '督办单', kind: 'count', value: (f) => f.orders.count, figure: 'orders' },
  { header: '督办反馈到期', kind: 'count', value: (f) => f.orders.replies.due, figure: 'orderReplies' },
  { header: '督办按时反馈', kind: 'count', value: (f) => f.orders.replies.onTime, figure: 'orderRepliesOnTime' },
  { header: '督办按时反馈率', kind: 'rate', value: (f) => f.orders.replies.onTimeRate },
  { header: '群众反映答复到期', kind: 'count', value: (f) => f.reports.due, figure: 'reports' },
  { header: '群众反映按时答复', kind: 'count', value: (f) => f.reports.onTime, figure: 'reportsOnTime' },
  { header: '按时答复率', kind: 'rate', value: (f) => f.reports.onTimeRate },
  { header: '心愿实现', kind: 'count', value: (f) => f.wishes.fulfilled, figure: 'wishesFulfilled' },
  { header: '心愿按期实现', kind: 'count', value: (f) => f.wishes.fulfilledOnTime },
  { header: '主动发现研判到期', kind: 'count', value: (f) => f.discoveries.due, figure: 'discoveries' },
  { header: '主动发现按时研判', kind: 'count', value: (f) => f.discoveries.onTime, figure: 'discoveriesOnTime' },
  { header: '主动发现按时研判率', kind: 'rate', value: (f) => f.discoveries.onTimeRate },
  { header: '帮包结对到期', kind: 'count', value: (f) => f.pairing.assignments.due, figure: 'pairingAssignments' },
  { header: '帮包按时结对', kind: 'count', value: (f) => f.pairing.assignments.onTime, figure: 'pairingAssignmentsOnTime' },
  { header: '帮包联系到期', kind: 'count', value: (f) => f.pairing.contacts.due, figure: 'pairingContacts' },
  { header: '帮包按时联系', kind: 'count', value: (f) => f.pairing.contacts.onTime, figure: 'pairingContactsOnTime' },
  { header: '帮包联系按时率', kind: 'rate', value: (f) => f.pairing.contacts.onTimeRate },
  { header: '巡查记录到期', kind: 'count', value: (f) => f.patrols.due, figure: 'patrols' },
  { header: '巡查按时记录', kind: 'count', value: (f) => f.patrols.onTime, figure: 'patrolsOnTime' },
  { header: '巡查按时记录率', kind: 'rate', value: (f) => f.patrols.onTimeRate },
];

/** The columns of the 明细 (per deadline kind) table. */
export const DETAIL_COLUMNS: readonly { header: string; kind: 'count' | 'rate'; value(c: DeadlineCounts): number | null; figure?: Figure }[] = [
  { header: '到期', kind: 'count', value: (c) => c.due, figure: 'due' },
  { header: '按时', kind: 'count', value: (c) => c.onTime, figure: 'onTime' },
  { header: '逾期办理', kind: 'count', value: (c) => c.late, figure: 'late' },
  { header: '逾期未办', kind: 'count', value: (c) => c.overdueOpen, figure: 'overdueOpen' },
  { header: '逾期未办结束', kind: 'count', value: (c) => c.overdueClosed, figure: 'overdueClosed' },
  { header: '未经处置关闭', kind: 'count', value: (c) => c.unhandled, figure: 'unhandled' },
  { header: '未到期', kind: 'count', value: (c) => c.pending, figure: 'pending' },
  { header: '按时办理率', kind: 'rate', value: (c) => c.onTimeRate },
];

/** A rate as a percentage with one decimal (`95.0%`), `—` when there is none. */
export const percent = (r: number | null): string => (r === null ? '—' : `${(Math.round(r * 1000) / 10).toFixed(1)}%`);

/** The period in Chinese: `2026年度` or `2026年3月`. */
export function periodTitle(r: AssessmentReport): string {
  if (r.period.kind === 'year') return `${r.period.label}年度考核`;
  const [y, m] = r.period.label.split('-');
  return `${y}年${Number(m)}月工作调度`;
}

/** The 说明 lines: period, unit, generated at, how the figures and the score are counted. */
export function explanation(r: AssessmentReport): [string, string][] {
  const at = new Date(r.generatedAt);
  const local = new Date(at.getTime() + 8 * 3_600_000).toISOString().replace('T', ' ').slice(0, 16);
  return [
    ['报表', periodTitle(r)],
    ['单位', `${r.org.name}（${r.org.code}）`],
    ['期间', `${new Date(r.period.from + 8 * 3_600_000).toISOString().slice(0, 10)} 至 ${new Date(r.period.to - 1 + 8 * 3_600_000).toISOString().slice(0, 10)}（北京时间，按期限到期日计）`],
    ['生成时间', `${local}（北京时间）`],
    ['依据', '威民发〔2023〕25号 三(一)三：定期调度工作进展，年底对相关工作情况进行考核；四(二)：加强督导检查，跟踪问效'],
    ['到期期限', '按时办理 + 逾期办理 + 逾期未办 + 逾期未办结束 + 未经处置关闭；未到期和因流程推进而取代的期限不计'],
    ['逾期未办结束', '期限届满后仍未办理、随后因降级、关闭或流程推进而结束的期限：计为到期、逾期且未按时，不计为逾期办理'],
    ['未经处置关闭', '期限届满前关闭或降级、其要求未满足的期限，计为到期且未按时'],
    ['逾期天数', '逾期办理：办理时间 − 期限；逾期未办：生成时间 − 期限；逾期未办结束：结束时间 − 期限'],
    ['升级', '每升一级记一次；升至第k级 = 该期限的升级次数 ≥ k'],
    ['得分', '100 × Σ(权重 × 比率) ÷ Σ权重，只计有数据的部分；无到期期限时为空'],
    ['合计与各行', '合计含本单位自身的期限（如镇(街道)对降级、销号申请的审批期限），这些期限不属于任何下级单位的行，故各行之和可小于合计'],
    ...r.weights.map((w): [string, string] => [`权重：${w.name}`, `${w.weight}（${w.rule}）`]),
    ['主动发现', '镇(街道)对主动发现报告的研判期限（discovery.assess）：按时、逾期，计法同上'],
    ['党员帮包', '帮包结对期限（pairing.assign，新符合条件的家庭按期结对）与帮包联系期限（pairing.contact，按周期联系）'],
    ['巡查', '每一巡查周期的巡查记录期限（patrol.record，下一周期开始前记录）'],
  ];
}
