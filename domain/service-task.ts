import { z } from 'zod';
import { zDay } from './dates';
import { zFreeText } from './text';

/**
 * Community service tasks for in-service party members (双报到, seed 三(二)四: 在职党员…到居住地社区报到,
 * 鼓励其利用自身特长，参与到困难群众救助帮扶活动之中; issue 13 item 4). A community (village) posts a task;
 * in-service members registered with that community claim it (one claim per member, no more claims than
 * slots); the member (or staff) records the hours served; the community confirms them and the member's
 * points follow (`service_hour` × hours, domain/point-rules.ts). No household data: a task says what is to
 * be done, not for whom by name.
 */

/** The most hours one claim records for one day (a day has 24). Source: ours. */
export const MAX_HOURS_PER_DAY = 24;

/** An idempotency key as a client chooses it: retrying a post with the same key and body returns the same task. */
export const zIdempotencyKey = z.string().trim().min(1).max(100).regex(/^[\w.:-]+$/, 'expected letters, digits, . _ : -');

export const zServiceTaskInput = z
  .object({
    /** The community (village) posting it; the caller's own unit when absent (a village token). */
    unitCode: z.string().min(1).max(64).optional(),
    title: zFreeText(100),
    description: zFreeText(2000),
    /** The day the service is wanted (China time). */
    day: zDay,
    /** Hours expected, in half hours at least. */
    hoursExpected: z.number().positive().max(MAX_HOURS_PER_DAY).multipleOf(0.5),
    slots: z.number().int().min(1).max(100),
    skills: z.array(zFreeText(30)).max(10).default([]),
    key: zIdempotencyKey,
  })
  .strict();
export type ServiceTaskInput = z.infer<typeof zServiceTaskInput>;

export interface ServiceTask {
  /** `task-<12 hex>` from the community and the key. */
  id: string;
  key: string;
  unitCode: string;
  orgPath: string[];
  title: string;
  description: string;
  day: string;
  hoursExpected: number;
  slots: number;
  skills: string[];
  postedBy: string;
  postedAt: string;
}

/** The hours a claim records: how many, on which day (not in the future), with an optional note. */
export const zServiceHoursInput = z
  .object({
    hours: z.number().positive().max(MAX_HOURS_PER_DAY).multipleOf(0.5),
    day: zDay,
    note: zFreeText(500).optional(),
  })
  .strict();
export type ServiceHoursInput = z.infer<typeof zServiceHoursInput>;

export interface ServiceClaim {
  /** `<taskId>:<memberId>`. */
  id: string;
  taskId: string;
  memberId: string;
  userId: string;
  name: string;
  orgPath: string[];
  /** The slot held (1…slots); null while the claim is being taken (a claim without a slot holds nothing). */
  slot: number | null;
  claimedAt: string;
  hours: { hours: number; day: string; note?: string; by: string; at: string } | null;
  confirmed: { by: string; at: string; entryId: string } | null;
}

/** The fields of a post a retry under the same key must repeat (else 409 `key_reused`). Ours, as orders. */
export function taskDifferences(t: Pick<ServiceTask, 'title' | 'description' | 'day' | 'hoursExpected' | 'slots' | 'skills'>, input: Pick<ServiceTaskInput, 'title' | 'description' | 'day' | 'hoursExpected' | 'slots' | 'skills'>): string[] {
  const out: string[] = [];
  for (const f of ['title', 'description', 'day', 'hoursExpected', 'slots'] as const) if (t[f] !== input[f]) out.push(f);
  if (JSON.stringify(t.skills) !== JSON.stringify(input.skills)) out.push('skills');
  return out;
}
