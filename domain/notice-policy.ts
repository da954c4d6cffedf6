import { z } from 'zod';
import { NOTICE_KINDS, type Notice } from './case';
import { ALERT_LEVELS } from './alert-levels';
import { CASE_KINDS } from './projection';
import type { UnitRef } from './org';

/**
 * Who is told: for a notice a case emits, which rungs of the case's ladder receive it — the unit the notice
 * is addressed to (`unit`), and the case's town, district or city. Policy as data, applied where notices
 * become inbox entries and deliveries (the projection activity, activities/index.ts), never in workflow
 * code: changing it needs no workflow versioning, and recorded histories replay unchanged.
 *
 * The policy file (POLICY_FILE, domain/policy.ts) may replace the whole list under `notices`.
 *
 * A rule matches on the case kind, the notice kind and (optionally) the case's level (an alert's colour);
 * the first matching rule wins. A notice no rule matches goes to its addressee only (as the workflow
 * addressed it). A rung the case's ladder lacks (a case held by a town has no village) is skipped; a unit
 * told twice (the addressee is itself the town) is told once.
 */

export const NOTICE_RUNGS = ['unit', 'town', 'district', 'city'] as const;
export type NoticeRung = (typeof NOTICE_RUNGS)[number];

export const zNoticeRule = z.strictObject({
  caseKind: z.enum(CASE_KINDS),
  noticeKind: z.enum(NOTICE_KINDS),
  /** The case's level (an alert's `red`/`orange`/`yellow`); absent: any. */
  level: z.enum(ALERT_LEVELS).optional(),
  rungs: z.array(z.enum(NOTICE_RUNGS)).min(1),
  /** Where the rule comes from: a seed section or "ours". */
  source: z.string().min(1),
});
export type NoticeRule = z.infer<typeof zNoticeRule>;
export const zNoticePolicy = z.array(zNoticeRule);

/**
 * The default: every alert's opening tells its village (the unit the alert is addressed to); a new red
 * alert, or an alert raised to red, also tells the town at once — seed 三(三)一 "督导镇（街道）及时介入" (the
 * district makes the town step in at once on red). Everything else as the workflow addressed it.
 */
export const DEFAULT_NOTICE_POLICY: readonly NoticeRule[] = [
  { caseKind: 'alert', noticeKind: 'opened', level: 'red', rungs: ['unit', 'town'], source: 'seed 三(三)一: 红色预警…督导镇（街道）及时介入 — the town hears of a new red alert at once' },
  { caseKind: 'alert', noticeKind: 'level_raised', level: 'red', rungs: ['unit', 'town'], source: 'seed 三(三)一: 督导镇（街道）及时介入 — raised to red is a new red alert for the town' },
  { caseKind: 'alert', noticeKind: 'opened', rungs: ['unit'], source: 'ours: every alert’s opening tells the village that works it' },
];

/** The first rule for a notice of a case, or undefined. */
export function ruleFor(policy: readonly NoticeRule[], caseKind: string, noticeKind: Notice['kind'], level: string | null): NoticeRule | undefined {
  return policy.find((r) => r.caseKind === caseKind && r.noticeKind === noticeKind && (r.level === undefined || r.level === level));
}

/**
 * The notices a case's notices become under the policy, in order: each notice, then its copies for the
 * other rungs its rule names (same kind, message and user-less), each once. `ladder` is the case's ladder
 * (its unit up to the city, as store/org-directory.ts `ladder` gives it); a rung's unit is the ladder's
 * unit of that level. Pure; deterministic for the same input, so a retried projection writes the same ids.
 * Source: the rules' own (DEFAULT_NOTICE_POLICY).
 */
export function noticesTold(policy: readonly NoticeRule[], c: { kind: string; level: string | null; ladder: readonly UnitRef[] }, notices: readonly Notice[]): Notice[] {
  const out: Notice[] = [];
  for (const n of notices) {
    const rule = ruleFor(policy, c.kind, n.kind, c.level);
    if (!rule) {
      out.push(n);
      continue;
    }
    const told = new Set<string>();
    for (const rung of rule.rungs) {
      const unit = rung === 'unit' ? n.unit : c.ladder.find((u) => u.level === rung);
      if (!unit || told.has(unit.code)) continue;
      told.add(unit.code);
      out.push(rung === 'unit' ? n : { unit, kind: n.kind, message: n.message });
    }
  }
  return out;
}

/** Whether any of the notices has a rule that reaches beyond its addressee (so the ladder is needed). */
export function needsLadder(policy: readonly NoticeRule[], c: { kind: string; level: string | null }, notices: readonly Notice[]): boolean {
  return notices.some((n) => ruleFor(policy, c.kind, n.kind, c.level)?.rungs.some((r) => r !== 'unit') ?? false);
}
