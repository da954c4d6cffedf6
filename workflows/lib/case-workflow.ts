import type { QueryDefinition, UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure, continueAsNew, setHandler } from '@temporalio/workflow';
import type { z } from 'zod';
import { RuleViolation, zActor, type Actor, type Outcome } from '../../domain/case';
import { can, inJurisdiction, rolesFor } from '../../domain/permissions';
import { unsafeCharacterAt, UNSAFE_CHARACTER_MESSAGE } from '../../domain/text';
import type { CaseProjection } from '../../domain/projection';
import { refusalOf } from '../../domain/rejections';
import { CaseRuntime, type CaseState, type Sink } from './case-runtime';

/**
 * The one skeleton every case workflow runs (issue 10's case kit): open the case or take the state carried
 * over continue-as-new, register its steps as validated updates, then loop — sleep until the next deadline
 * or change, advance, commit — continuing as new when the history grows, and settle when it closes. A kind
 * supplies its rules (domain/<kind>.ts) and a step table; docs/architecture.md shows how a kind is made.
 */

/**
 * A case workflow's input: a start, or the state carried over continue-as-new (and nothing else: a carried
 * run does not drag its start input along). Runs started before the kit passed the start's fields at the
 * top level, with `carried` beside them on continue-as-new; their histories still replay (`startOf`).
 */
export type CaseInput<Start, S> =
  | { start: Start; carried?: undefined; continueAsNewAfterEvents?: number }
  | { carried: S; start?: undefined; continueAsNewAfterEvents?: number }
  | (Start & { start?: undefined; carried?: S; continueAsNewAfterEvents?: number });

/** The start or the carried state of an input, whichever form it came in. */
export function startOf<Start, S>(input: CaseInput<Start, S>): { start: Start; carried?: undefined } | { carried: S; start?: undefined } {
  if (input.carried !== undefined) return { carried: input.carried };
  if (input.start !== undefined) return { start: input.start as Start };
  const { carried: _c, start: _s, continueAsNewAfterEvents: _n, ...legacy } = input as Start & Record<string, unknown>;
  return { start: legacy as Start };
}

/** A zod error as the API shows it: the first issue's field path (or `fallback`) and message. */
export function zodMessage(error: z.ZodError, fallback = 'input'): string {
  const issue = error.issues[0];
  const path = issue?.path.join('.');
  return `${path ? (fallback === 'input' ? path : `${fallback}.${path}`) : fallback}: ${issue?.message ?? 'invalid'}`;
}

/** A rule refused: the non-retryable failure the API maps to 403/409/422 (with the rule's reason), which never fails a workflow task. */
export function refusal(err: RuleViolation): ApplicationFailure {
  return ApplicationFailure.create(refusalOf(err));
}

/** Runs `work`, turning a RuleViolation into a refusal: in a validator (nothing enters history) or in a handler (the update fails, the workflow goes on). */
export function refusing<T>(work: () => T): T {
  try {
    return work();
  } catch (err) {
    if (err instanceof RuleViolation) throw refusal(err);
    throw err;
  }
}

/** Why an activity failed, for the audit trail: its cause's message (the activity's own error), else its own. */
export function failureMessage(err: unknown): string {
  const e = err as Error;
  return e.cause instanceof Error ? e.cause.message : e.message;
}

/**
 * Refuses an actor whose unit does not reach the case's current unit (its view's `orgPath`), as the API's
 * guard does from the read model (domain/permissions.ts `inJurisdiction`). Called only from validators
 * (the gate), which do not run on replay: a history recorded before this check still replays. It covers
 * every path to a case — an update-with-start landing on an open case, a read model lagging behind a
 * reassignment (issue 11, item 1). @throws RuleViolation('forbidden').
 */
export function refuseOutside(actor: Actor, orgPath: readonly string[]): void {
  if (!inJurisdiction(actor.role, actor.unitCode, orgPath, 'act')) throw new RuleViolation('forbidden', `outside your jurisdiction (${actor.unitCode}): the case is with ${orgPath.at(-1) ?? 'another unit'}`);
}

/** The arguments every staff step carries: which case it means and who acts. */
export interface StepArgs {
  caseId: string;
  actor: Actor;
}

/**
 * One staff step as the workflow runs it. The validator parses the input and runs `check`; the handler
 * parses again (validators do not run on replay), runs `prepare` (work outside the workflow), checks again
 * (the state may have moved while it waited), applies and commits, then runs `after` and commits what it
 * returns. A refusal at any point before the first commit fails the update, never the workflow task:
 * `check` must cover every input `apply` cannot take.
 */
export interface WorkflowStep<S, A extends Pick<StepArgs, 'actor'>, R> {
  update: UpdateDefinition<R, [A]>;
  /** The step's action in the permission matrix (domain/permissions.ts), under the kind: who may take it. */
  action: string;
  schema: z.ZodType;
  /** Which case the arguments name; `args.caseId` by default (a Party-day answer names its `partyDayId`). */
  caseIdIn?: (args: A) => string;
  /** The step's input within the update's arguments; `args.input` by default. */
  input?: (args: A) => unknown;
  /** What a failed parse names when the issue has no path (`visit`, `closure`); `input` by default. */
  inputName?: string;
  /** Extra context the step needs beside its input (a wish claim's helper), from the arguments. */
  context?: (args: A) => unknown;
  check(s: S, input: never, actor: Actor, now: number, ctx: never): void;
  /**
   * Checks run only by the validator (the gate), after `check`: new strictness that a recorded history
   * must not meet on replay, since validators do not run on replay (a reassignment's new unit within the
   * actor's reach; a date not before the case began). `now` is the workflow's time, ms. Throws RuleViolation.
   */
  gate?(s: S, input: never, actor: Actor, now: number): void;
  /**
   * Whether the actor may take the step from outside the case's unit (checked by the validator only, in place
   * of the jurisdiction check): an alert's assigned visitor recording the visit (issue 14). Loosens only.
   */
  reachBeyond?(s: S, actor: Actor): boolean;
  apply(s: S, input: never, actor: Actor, now: number, ctx: never): Outcome;
  /** Work outside the workflow before applying (an activity); its result is passed to `apply` as `ctx.prepared`. */
  prepare?(s: S, input: never, actor: Actor): Promise<unknown>;
  /**
   * Work outside the workflow once the change is committed (an activity: Party day forwards an answer to
   * its report); the outcome it returns is committed too. It must not throw: it records a failure as an event.
   */
  after?(s: S, input: never, actor: Actor, now: () => number): Promise<Outcome>;
}

/** A step with its argument and result types erased, as a kind lists its steps (see `kindStep`). */
export type KindStep<S> = WorkflowStep<S, StepArgs, unknown>;
/** Lists a step in a kind's table; the skeleton hands it the arguments its update was defined with. */
export const kindStep = <S, A extends Pick<StepArgs, 'actor'>, R>(step: WorkflowStep<S, A, R>): KindStep<S> => step as unknown as KindStep<S>;

/** A kind's rules, as the skeleton needs them. */
export interface CaseKindRules<S extends CaseState, V, Start> {
  kind: CaseProjection['kind'];
  /**
   * Opens the case from its start (may call activities first, as Party day does); `null` ends the run at
   * once (this Party day is already held by another run).
   */
  open(start: Start, now: number): Promise<({ state: S } & Outcome) | null> | ({ state: S } & Outcome);
  view(s: S, now: number): V;
  caseIdOf(s: S): string;
  /** The message refusing an action addressed to another case than the one this run holds. */
  otherCase?(s: S, caseId: string): string;
  /** Brings the case up to `now`: its own timers, then its deadline book. */
  advance(s: S, now: number): Outcome;
  /** The next instant `advance` has something to do, or undefined. */
  wakeAt(s: S): number | undefined;
  query: QueryDefinition<V>;
  /** An update answering with the case once its opening is projected (the API's "created" answer). */
  opened?: UpdateDefinition<V, [{ requestId: string }]>;
  steps: readonly KindStep<S>[];
  /** Kind-specific read models written after each change, in order (Party day's public record). */
  sinks?: Sink<S>[];
}

/** What a kind may add around the skeleton's loop. */
export interface CaseHooks<S extends CaseState, V, Start> {
  /** Extra handlers (the alert's `report`), registered with the steps. */
  handlers?(run: CaseRun<S, V>, start: Start | undefined): void;
  /** Runs once after the opening is committed (and on every carried run, with no start): background work, one-off activities. */
  afterOpen?(run: CaseRun<S, V>, start: Start | undefined): Promise<void> | void;
  /** Work the loop must do before sleeping (an application's verification); true to loop again at once. */
  beforeSleep?(run: CaseRun<S, V>): Promise<boolean>;
  /** Whether the run may continue as new now (not while verification is out). */
  mayContinue?(s: S): boolean;
  /** Work that must finish before continue-as-new or completion (a report's common-issue check). */
  beforeSettle?(): Promise<void>;
  /** Runs when the case has closed, before the run completes (a wish's helper points). */
  onClosed?(run: CaseRun<S, V>): Promise<void>;
}

/** The running case, as hooks see it. */
export interface CaseRun<S extends CaseState, V> {
  state: S;
  now(): number;
  current(): V;
  commit(outcome: Outcome): Promise<V>;
  /** Resolves with the view once the opening is projected. */
  opened: Promise<V>;
  /** Whether `opened` has resolved (a step arriving later applies at once, in the activation it arrived in). */
  isOpened(): boolean;
}

/** Registers one step's update with its validator; see WorkflowStep. */
function registerStep<S extends CaseState, V extends { orgPath: readonly string[] }>(rules: CaseKindRules<S, V, unknown>, run: CaseRun<S, V>, step: WorkflowStep<S, StepArgs, unknown>): void {
  const raw = (args: StepArgs) => (step.input ? step.input(args) : (args as StepArgs & { input?: unknown }).input);
  const ctxOf = (args: StepArgs, prepared?: unknown) => ({ ...(step.context ? (step.context(args) as object) : {}), ...(prepared === undefined ? {} : { prepared }) });
  const parse = (args: StepArgs): unknown => {
    const parsed = step.schema.safeParse(raw(args));
    if (!parsed.success) throw new RuleViolation('unprocessable', zodMessage(parsed.error, step.inputName));
    return parsed.data;
  };
  /**
   * `gate`: the validator's run, which alone checks the role — validators do not run on replay, so a rule
   * added to the gate never refuses an update a recorded history accepted (the role is the same in the handler).
   */
  const validate = (args: StepArgs, gate = false): unknown => {
    const id = rules.caseIdOf(run.state);
    const named = step.caseIdIn ? step.caseIdIn(args) : args.caseId;
    // The workflow id is reused by the next case of its key: a case it no longer holds has closed.
    if (named !== id) throw new RuleViolation('conflict', rules.otherCase?.(run.state, named) ?? `this workflow holds ${id}, not ${named}`, gate ? 'case_closed' : undefined);
    // Text the read model cannot store would fail every projection of the case, and bidi controls are
    // never meant (domain/text.ts): refused at the gate, as the API refuses them.
    const bad = gate ? unsafeCharacterAt(raw(args)) : undefined;
    if (bad !== undefined) throw new RuleViolation('unprocessable', `${step.inputName ?? 'input'}.${bad}: ${UNSAFE_CHARACTER_MESSAGE}`);
    const actor = zActor.safeParse(args.actor);
    if (!actor.success) throw new RuleViolation('unprocessable', zodMessage(actor.error, 'actor'));
    // The matrix holds here too, whatever path the update came by (the API's guard checks it first).
    if (gate && !can(actor.data.role, rules.kind, step.action)) throw new RuleViolation('forbidden', `role ${actor.data.role} may not do this (${rules.kind}.${step.action}); allowed: ${rolesFor(rules.kind, step.action).join(', ')}`);
    if (gate && !step.reachBeyond?.(run.state, actor.data)) refuseOutside(actor.data, run.current().orgPath);
    const input = parse(args);
    (step.check as (s: S, i: unknown, a: Actor, n: number, c: unknown) => void)(run.state, input, args.actor, run.now(), ctxOf(args));
    if (gate) (step.gate as ((s: S, i: unknown, a: Actor, n: number) => void) | undefined)?.(run.state, input, args.actor, run.now());
    return input;
  };
  setHandler(
    step.update as UpdateDefinition<unknown, [StepArgs]>,
    async (args) => {
      if (!run.isOpened()) await run.opened;
      let prepared: unknown;
      if (step.prepare) {
        const input = refusing(() => validate(args));
        prepared = await (step.prepare as (s: S, i: unknown, a: Actor) => Promise<unknown>)(run.state, input, args.actor);
      }
      let input: unknown;
      const outcome = refusing(() => {
        input = validate(args);
        return (step.apply as (s: S, i: unknown, a: Actor, n: number, c: unknown) => Outcome)(run.state, input, args.actor, run.now(), ctxOf(args, prepared));
      });
      let view = await run.commit(outcome);
      if (step.after) view = await run.commit(await (step.after as (s: S, i: unknown, a: Actor, n: () => number) => Promise<Outcome>)(run.state, input, args.actor, run.now));
      return view;
    },
    { validator: (args) => void refusing(() => validate(args, true)) },
  );
}

/**
 * Runs one case from its input to its end: see the module comment. Returns the final view, or null when
 * `open` declined to open (the run had nothing to do).
 */
export async function runCase<S extends CaseState, V extends CaseProjection['view'], Start>(
  rules: CaseKindRules<S, V, Start>,
  input: CaseInput<Start, S>,
  hooks: CaseHooks<S, V, Start> = {},
): Promise<V | null> {
  const from = startOf(input);
  let state: S;
  let opening: Outcome | undefined;
  if (from.carried !== undefined) state = from.carried;
  else {
    const opened = await rules.open(from.start as Start, Date.now());
    if (!opened) return null;
    state = opened.state;
    opening = opened;
  }
  const runtime = new CaseRuntime(rules.kind, state, rules.view, input.continueAsNewAfterEvents, rules.sinks);
  let openedDone = opening === undefined;
  const run: CaseRun<S, V> = {
    state,
    now: () => runtime.now(),
    current: () => runtime.current(),
    commit: (outcome) => runtime.commit(outcome),
    opened: opening ? runtime.commit(opening).then((v) => ((openedDone = true), v)) : Promise.resolve(runtime.current()),
    isOpened: () => openedDone,
  };

  setHandler(rules.query, () => runtime.current());
  if (rules.opened) {
    setHandler(rules.opened, async () => {
      await run.opened;
      return runtime.current();
    });
  }
  for (const step of rules.steps) registerStep(rules as CaseKindRules<S, V, unknown>, run, step);
  hooks.handlers?.(run, from.start);

  await run.opened;
  // Awaited only when it returns a promise: an extra await here would let a step that waited for the
  // opening commit before the loop first sleeps, and so start the loop's timers in another order than
  // the runs recorded before the kit (their histories must replay).
  const afterOpen = hooks.afterOpen?.(run, from.start);
  if (afterOpen) await afterOpen;
  while (state.status === 'open') {
    if (hooks.beforeSleep && (await hooks.beforeSleep(run))) continue;
    await runtime.sleepUntil(rules.wakeAt(state));
    const happened = rules.advance(state, runtime.now());
    if (happened.events.length > 0) await runtime.commit(happened);
    if ((hooks.mayContinue?.(state) ?? true) && runtime.shouldContinueAsNew()) {
      await hooks.beforeSettle?.();
      await runtime.settle();
      await continueAsNew<(input: CaseInput<Start, S>) => Promise<V | null>>({ carried: state, ...(input.continueAsNewAfterEvents !== undefined ? { continueAsNewAfterEvents: input.continueAsNewAfterEvents } : {}) });
    }
  }
  await hooks.onClosed?.(run);
  await hooks.beforeSettle?.();
  await runtime.settle();
  return runtime.current();
}
