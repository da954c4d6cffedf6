import { z } from 'zod';
import { RuleViolation, type Actor, type Outcome } from './case';
import { localDay } from './china-time';
import { zDay } from './dates';
import { advanceBook, bookWakeAt, meetOpen, openNext, type DeadlineBook } from './deadline-book';
import { deadlineView, isoTime } from './deadlines';
import { formatDuration, parseDuration } from './duration';
import { FOCUS_GROUPS, SEED_FOCUS_GROUPS, zFocusGroup, type FocusGroup } from './focus-groups';
import type { UnitRef } from './org';
import { PERMISSIONS } from './permissions';
import type { PatrolPolicy } from './policy';
import { zFreeText } from './text';

/**
 * Patrols (巡查), seed 三(二)三: 村(社区)党组织定期开展巡查，及时了解辖区内困难群众生活状况…将遭遇突发事件、意外事故、
 * 重大疾病的群众以及重度残疾人纳入重点巡查发现范围. A village's patrol plan (its cadence and focus groups) is a
 * Temporal Schedule (api/routes/patrols.ts); each time it fires it opens one patrol case for that cycle, whose
 * one deadline — the record (`patrol.record`) — is due when the next cycle starts (`every` after the scheduled
 * time) and climbs from the village every `policy.patrol.escalateEvery` while it is missed. Recording the patrol
 * (who patrolled, whom it visited and what it found) meets the deadline and closes the case. docs/patrols.md.
 */

/** The findings of one visit: all well, a concern to follow, a discovery reported to the town (主动发现). Ours. */
export const PATROL_FINDINGS = { ok: '正常', concern: '需关注', discovery: '发现困难（已上报）' } as const;
export type PatrolFinding = keyof typeof PATROL_FINDINGS;
export const zPatrolFinding = z.enum(Object.keys(PATROL_FINDINGS) as [PatrolFinding, ...PatrolFinding[]]);

export const PATROL_STAGES = { due: '待记录', recorded: '已记录' } as const;
export type PatrolStage = keyof typeof PATROL_STAGES;

/** A registered household's id (store/households.ts). */
export const zHouseholdRef = z.string().regex(/^hh-[0-9a-f]{12}$/, 'expected a household id such as hh-0123456789ab');
/**
 * The id of a discovery case (主动发现) a visit was reported as: `discovery-` and 16 hex digits (store/discoveries.ts
 * `discoveryIdFor`); the API checks that it is a discovery case in the patrol's village (api/guard.ts `referencedCase`).
 */
export const zDiscoveryRef = z.string().regex(/^discovery-[0-9a-f]{16}$/, 'expected a discovery case id such as discovery-0123456789abcdef');
/** Who patrolled: a login (the token's `sub`) or a party member's id (`pm-…`, resolved to its login by the API). */
export const zPatrolMember = z.string().trim().min(1).max(200).regex(/^[\w.@:+-]+$/, 'expected a login such as zhang.san@371002001001 or a member id pm-0123456789ab');

/**
 * One household the patrol visited: a registered one by id, or — not registered — a description without
 * personal data (the API refuses a name, number or address in it), with the focus group it falls in, the
 * finding and a note. A `discovery` finding may name the discovery case it was reported as.
 */
export const zPatrolVisit = z
  .object({
    householdId: zHouseholdRef.optional(),
    description: zFreeText(200).optional(),
    focusGroup: zFocusGroup,
    finding: zPatrolFinding,
    note: zFreeText(1000).optional(),
    discoveryId: zDiscoveryRef.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if ((v.householdId === undefined) === (v.description === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['householdId'], message: 'expected either householdId (a registered household) or description (one not registered), not both or neither' });
    }
    if (v.discoveryId !== undefined && v.finding !== 'discovery') ctx.addIssue({ code: 'custom', path: ['discoveryId'], message: 'only a finding "discovery" links to a discovery report' });
  });
export type PatrolVisit = z.infer<typeof zPatrolVisit>;

/** The record of a patrol (step `record`): the day, who patrolled (at least one), whom it visited (at least one), a note. */
export const zPatrolRecordInput = z
  .object({
    day: zDay,
    members: z
      .array(zPatrolMember)
      .min(1, 'name at least one member who patrolled')
      .max(50)
      .refine((m) => new Set(m).size === m.length, 'a member is named twice'),
    visited: z.array(zPatrolVisit).min(1, 'list at least one household visited').max(200),
    note: zFreeText(2000).optional(),
  })
  .strict();
export type PatrolRecordInput = z.infer<typeof zPatrolRecordInput>;

/**
 * The plan's body (PUT /v1/villages/{code}/patrol-plan), built from the policy in force: `every` an ISO-8601
 * duration within `minEvery`–`maxEvery` (default `every`), the focus groups a non-empty subset of FOCUS_GROUPS
 * (default the seed's four), a note, `paused` (absent: unchanged). Durations out of bounds are a 400 naming `every`.
 */
export const zPatrolPlanInput = (policy: Pick<PatrolPolicy, 'every' | 'minEvery' | 'maxEvery'>) =>
  z
    .object({
      every: z
        .string()
        .optional()
        .transform((text, ctx) => {
          if (text === undefined) return policy.every;
          const ms = parseDuration(text);
          if (ms === null || ms < policy.minEvery || ms > policy.maxEvery) {
            ctx.addIssue({ code: 'custom', message: `expected an ISO-8601 duration from ${formatDuration(policy.minEvery)} to ${formatDuration(policy.maxEvery)}, got "${text}"` });
            return z.NEVER;
          }
          return ms;
        }),
      focusGroups: z
        .array(zFocusGroup)
        .min(1, 'name at least one focus group')
        .max(Object.keys(FOCUS_GROUPS).length)
        .refine((g) => new Set(g).size === g.length, 'a focus group is named twice')
        .default([...SEED_FOCUS_GROUPS]),
      note: zFreeText(500).optional(),
      /** `true` stops the schedule firing, `false` resumes it; absent: as it was (a new plan fires). */
      paused: z.boolean().optional(),
    })
    .strict();
export type PatrolPlanInput = z.output<ReturnType<typeof zPatrolPlanInput>>;

/** What the plan's schedule passes each patrol it starts: the village, its ladder, the plan and the policy as of the plan's last change. */
export interface PatrolStart {
  villageCode: string;
  unit: UnitRef;
  ladder: UnitRef[];
  focusGroups: FocusGroup[];
  /** The plan's cadence, ms: the record is due this long after the cycle's start (when the next cycle starts). */
  everyMs: number;
  policy: PatrolPolicy;
  /**
   * The cycle's start (ISO), for starts outside a schedule (tests on the time-skipping server). Otherwise the
   * schedule's TemporalScheduledStartTime, else the run's start time (workflows/lib/scheduled-start.ts).
   */
  scheduledAt?: string;
}

export interface PatrolRecord {
  day: string;
  /** Logins of who patrolled. */
  members: string[];
  visited: PatrolVisit[];
  note?: string;
  at: number;
  by: Actor;
}

export interface PatrolState extends DeadlineBook {
  patrolId: string;
  villageCode: string;
  unit: UnitRef;
  ladder: UnitRef[];
  focusGroups: FocusGroup[];
  status: 'open' | 'closed';
  stage: PatrolStage;
  /** The cycle: from the scheduled time to the next fire (ms since the epoch). */
  cycleStart: number;
  cycleEnd: number;
  record?: PatrolRecord;
  policy: PatrolPolicy;
  version: number;
}

/** The compact UTC form of an instant in a patrol's id: 2026-11-30T01:10:00.000Z → 20261130T011000Z. */
const compactInstant = (t: number): string => new Date(t).toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');

/**
 * A patrol's case id from its business key, the village and the cycle's scheduled start:
 * `patrol-<village>-<YYYYMMDDTHHMMSSZ>`. One cycle, one id, whichever run opens it. Ours.
 */
export const patrolId = (villageCode: string, cycleStart: number): string => `patrol-${villageCode}-${compactInstant(cycleStart)}`;
export const zPatrolId = z.string().regex(/^patrol-\d{12}-\d{8}T\d{6}Z$/, 'expected a patrol id such as patrol-371002001001-20261130T011000Z');

const subject = (s: PatrolState) => `${s.unit.name}巡查（${localDay(s.cycleStart)}起）`;

/**
 * Opens a cycle's patrol at `now`: the record deadline runs from the scheduled time `cycleStart` to
 * `cycleStart + everyMs` (the next fire), warning at `policy.warnAt` of it, climbing from the village every
 * `policy.escalateEvery`. @throws RuleViolation when the ladder does not start at the village.
 */
export function openPatrol(start: PatrolStart, cycleStart: number, now: number): { state: PatrolState } & Outcome {
  if (start.ladder[0]?.code !== start.villageCode) throw new RuleViolation('unprocessable', 'the ladder must start at the village');
  const state: PatrolState = {
    patrolId: patrolId(start.villageCode, cycleStart),
    villageCode: start.villageCode,
    unit: start.unit,
    ladder: start.ladder,
    focusGroups: [...start.focusGroups],
    status: 'open',
    stage: 'due',
    cycleStart,
    cycleEnd: cycleStart + start.everyMs,
    deadlines: [],
    escalations: [],
    policy: start.policy,
    version: 0,
  };
  const opened = openNext(
    state,
    { prefix: 'patrol', name: 'record', label: '巡查记录', opensAt: cycleStart, dueAt: state.cycleEnd, warn: start.policy.warnAt, escalateEveryMs: start.policy.escalateEvery },
    now,
  ).events;
  return {
    state,
    events: [{ type: 'cycle_opened', at: now, data: { cycleStart: isoTime(cycleStart), cycleEnd: isoTime(state.cycleEnd), focusGroups: state.focusGroups, policyVersion: start.policy.version } }, ...opened],
    notices: [{ unit: start.unit, kind: 'opened', message: `${subject(state)}：请于${localDay(state.cycleEnd)}前完成巡查并记录（重点：${state.focusGroups.map((g) => FOCUS_GROUPS[g]).join('、')}）` }],
  };
}

/**
 * The record's rules: the patrol open (409), the day within the cycle — not before its start, not after today
 * (China time; 422 `date_out_of_range`) —, and a party member who records it among those who patrolled (422).
 */
export function checkRecord(s: PatrolState, input: PatrolRecordInput, actor: Actor, now: number): void {
  if (s.status !== 'open') throw new RuleViolation('conflict', `patrol ${s.patrolId} is already recorded`, 'case_closed');
  if (input.day < localDay(s.cycleStart)) throw new RuleViolation('unprocessable', `day: ${input.day} is before the cycle began (${localDay(s.cycleStart)})`, 'date_out_of_range');
  if (input.day > localDay(now)) throw new RuleViolation('unprocessable', `day: ${input.day} is in the future`, 'date_out_of_range');
  if (actor.role === 'party_member' && !input.members.includes(actor.userId)) throw new RuleViolation('unprocessable', `members: a party member records a patrol they took part in (${actor.userId} is not named)`);
}

/** 记录巡查: meets the record deadline (on time before the cycle's end, else late) and closes the patrol. */
export function recordPatrol(s: PatrolState, input: PatrolRecordInput, actor: Actor, now: number): Outcome {
  checkRecord(s, input, actor, now);
  const met = meetOpen(s, now, actor);
  s.record = { day: input.day, members: [...input.members], visited: input.visited.map((v) => ({ ...v })), ...(input.note ? { note: input.note } : {}), at: now, by: actor };
  s.stage = 'recorded';
  s.status = 'closed';
  const findings = Object.fromEntries(Object.keys(PATROL_FINDINGS).map((f) => [f, input.visited.filter((v) => v.finding === f).length]));
  const discoveryIds = input.visited.flatMap((v) => (v.discoveryId ? [v.discoveryId] : []));
  return {
    events: [
      { type: 'patrol_recorded', at: now, actor, data: { day: input.day, members: input.members.length, visited: input.visited.length, findings, ...(discoveryIds.length ? { discoveryIds } : {}) } },
      ...met,
      { type: 'closed', at: now, actor },
    ],
    notices: [],
  };
}

/** Brings the patrol up to `now`: the record deadline's warning and each rung it climbs while missed. */
export function advancePatrol(s: PatrolState, now: number): Outcome {
  if (s.status !== 'open') return { events: [], notices: [] };
  return advanceBook(s, { unit: s.unit, ladder: s.ladder, subject: subject(s) }, now);
}

/** The next instant `advancePatrol` has something to do (ms), or undefined. */
export function patrolWakeAt(s: PatrolState): number | undefined {
  return s.status === 'open' ? bookWakeAt(s, s.ladder.length) : undefined;
}

/** The patrol as staff and the read model see it: the cycle, the focus groups, and — once recorded — whom it visited. */
export function patrolView(s: PatrolState, now: number) {
  const r = s.record;
  return {
    caseId: s.patrolId,
    kind: 'patrol' as const,
    householdId: null,
    status: s.status,
    stage: s.stage,
    stageName: PATROL_STAGES[s.stage],
    level: null,
    unit: s.unit,
    villageCode: s.villageCode,
    orgPath: [...s.ladder].reverse().map((u) => u.code),
    focusGroups: s.focusGroups,
    focusGroupNames: s.focusGroups.map((g) => FOCUS_GROUPS[g]),
    cycleStart: isoTime(s.cycleStart)!,
    cycleEnd: isoTime(s.cycleEnd)!,
    everyIso: formatDuration(s.cycleEnd - s.cycleStart),
    record: r ? { day: r.day, members: r.members, note: r.note ?? null, at: isoTime(r.at)!, by: r.by } : null,
    visited: (r?.visited ?? []).map((v) => ({
      householdId: v.householdId ?? null,
      description: v.description ?? null,
      focusGroup: v.focusGroup,
      focusGroupName: FOCUS_GROUPS[v.focusGroup],
      finding: v.finding,
      findingName: PATROL_FINDINGS[v.finding],
      note: v.note ?? null,
      discoveryId: v.discoveryId ?? null,
    })),
    ...deadlineView(s.deadlines, s.escalations, now),
    policyVersion: s.policy.version,
    version: s.version,
  };
}
export type PatrolView = ReturnType<typeof patrolView>;

/** The patrol's one staff step, for the workflow's validator and the API's route. */
export const PATROL_STEPS = {
  record: { path: 'record', summary: '记录巡查（巡查人员、走访户及发现）', roles: PERMISSIONS.patrol.record.roles, body: zPatrolRecordInput, input: zPatrolRecordInput, check: checkRecord },
} as const;
export type PatrolStepName = keyof typeof PATROL_STEPS;
