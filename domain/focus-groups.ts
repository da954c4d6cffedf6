import { z } from 'zod';

/**
 * The focus groups of patrols and active discovery (重点巡查发现范围), seed 三(二)三: 将遭遇突发事件、意外事故、
 * 重大疾病的群众以及重度残疾人纳入重点巡查发现范围. `other` is ours: a discovery outside the four is still reported.
 */
export const FOCUS_GROUPS = {
  sudden_event: '突发事件',
  accident: '意外事故',
  major_illness: '重大疾病',
  severe_disability: '重度残疾',
  other: '其他',
} as const;
export type FocusGroup = keyof typeof FOCUS_GROUPS;
export const zFocusGroup = z.enum(Object.keys(FOCUS_GROUPS) as [FocusGroup, ...FocusGroup[]]);
/** The seed's four, the default focus of a village's patrol plan. */
export const SEED_FOCUS_GROUPS: readonly FocusGroup[] = ['sudden_event', 'accident', 'major_illness', 'severe_disability'];
