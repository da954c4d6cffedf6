import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { continueAsNew, log, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import {
  advancePartyDay,
  checkAnswer,
  checkHandOver,
  carriedItemsOf,
  handOver,
  monthOf,
  openPartyDay,
  partyDayId,
  partyDayRecord,
  partyDayView,
  partyDayWakeAt,
  previousMonth,
  recordAnswer,
  zAnswerInput,
  RuleViolation,
  type AnswerInput,
  type CarriedItem,
  type Outcome,
  type PartyDayItem,
  type PartyDayState,
  type PartyDayView,
} from '../../domain/party-day';
import type { Actor } from '../../domain/case';
import { CaseRuntime } from '../lib/case-runtime';
import { enforce } from '../lib/projector';
import { answerUpdate, handOverUpdate, partyDayQuery, type AnswerArgs, type PartyDayInput } from './contract';

/** Set by Temporal on every run a schedule starts: the time the run was scheduled for (a backfill's past time too). */
const TemporalScheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

// The read model must catch up eventually: retry for as long as it takes, backing off to a minute.
const { claimPartyDay, gatherPartyDayAgenda, savePartyDay } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});
// These reach other workflows; if one cannot be reached the Q&A goes on and records why.
const { takeOverPreviousMonth, forwardPartyDayAnswer } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 5 },
});

/** Runs a rule inside a handler: a state changed since validation (two answers at once) is refused, not a task failure. */
function checked<T>(rule: () => T): T {
  let result: T | undefined;
  enforce(() => {
    result = rule();
  });
  return result as T;
}

const messageOf = (err: unknown) => ((err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message);

/** The party day this run is for: the schedule's time, else the input's, else when the run started. */
function scheduledStart(input: PartyDayInput): number {
  if (input.scheduledAt) return Date.parse(input.scheduledAt);
  const info = workflowInfo();
  const typed = info.typedSearchAttributes.get(TemporalScheduledStartTime);
  if (typed) return typed.getTime();
  // Older servers set it without the type metadata the typed decoder needs.
  const raw = info.searchAttributes?.TemporalScheduledStartTime?.[0];
  const t = raw === undefined ? NaN : new Date(raw as string | Date).getTime();
  return Number.isNaN(t) ? info.startTime.getTime() : t;
}

/**
 * One unit's monthly Party-day Q&A, started by the unit's Temporal Schedule on its party day: takes over
 * what last month left open, gathers and publishes the agenda, records the answers given on site (each
 * also answers its report or common issue), and at the end of the day plus grace carries the rest over
 * and escalates it to the town. Returns null when this month's Q&A already runs under another id.
 */
export async function partyDayWorkflow(input: PartyDayInput): Promise<PartyDayView | null> {
  const info = workflowInfo();
  let state: PartyDayState;
  let opening: Outcome | undefined;
  if (input.carried) {
    state = input.carried;
  } else {
    const scheduledAt = scheduledStart(input);
    const month = monthOf(scheduledAt);
    const id = partyDayId(input.unitCode, month);
    // One Q&A per unit and month, whatever starts it twice (a manual trigger on the party day, a backfill).
    const claim = await claimPartyDay({ partyDayId: id, workflowId: info.workflowId });
    if (claim.workflowId !== info.workflowId) {
      log.warn('party day already held by another run', { partyDayId: id, holder: claim.workflowId });
      return null;
    }
    let carried: CarriedItem[] = [];
    let handOverFailure: string | undefined;
    try {
      carried = await takeOverPreviousMonth({ from: partyDayId(input.unitCode, previousMonth(month)), to: id });
    } catch (err) {
      handOverFailure = messageOf(err);
    }
    const found = await gatherPartyDayAgenda({ unitCode: input.unitCode });
    const opened = openPartyDay({ unitCode: input.unitCode, unit: input.unit, ladder: input.ladder, policy: input.policy, scheduledAt, sources: { ...found, carried } }, Date.now());
    if (handOverFailure) opened.events.push({ type: 'hand_over_failed', at: Date.now(), data: { from: partyDayId(input.unitCode, previousMonth(month)), error: handOverFailure } });
    state = opened.state;
    opening = opened;
  }
  const runtime = new CaseRuntime('party_day', state, partyDayView, input.continueAsNewAfterEvents);
  const now = () => runtime.now();
  /** Every change goes to the case read model, then to the `party_days` record the public page reads. */
  const change = async (outcome: Outcome): Promise<PartyDayView> => {
    const view = await runtime.commit(outcome);
    await savePartyDay({ record: partyDayRecord(state), workflowId: info.workflowId });
    return view;
  };
  const opened = opening ? change(opening) : Promise.resolve(runtime.current());

  setHandler(partyDayQuery, () => runtime.current());

  /** The answer also answers what the item stands for: the report through its workflow, or the common issue. */
  const forward = async (item: PartyDayItem, input: AnswerInput, actor: Actor): Promise<Outcome> => {
    try {
      const result = await forwardPartyDayAnswer({ partyDayId: state.partyDayId, origin: item.origin, refId: item.refId, answer: input.answer, answeredBy: input.answeredBy, actor });
      return { events: [{ type: 'answer_forwarded', at: now(), actor, data: { itemId: item.itemId, ...result } }], notices: [] };
    } catch (err) {
      return { events: [{ type: 'answer_forward_failed', at: now(), actor, data: { itemId: item.itemId, origin: item.origin, refId: item.refId, error: messageOf(err) } }], notices: [] };
    }
  };

  const answerOf = (args: AnswerArgs) => ({ itemId: args.itemId, answer: args.answer, answeredBy: args.answeredBy });

  setHandler(
    answerUpdate,
    async (args) => {
      await opened;
      const input = zAnswerInput.parse(answerOf(args));
      const item = checked(() => checkAnswer(state, input));
      await change(recordAnswer(state, input, args.actor, now()));
      return change(await forward(item, input, args.actor));
    },
    {
      validator: (args) =>
        enforce(() => {
          if (args.partyDayId !== state.partyDayId) throw new RuleViolation('conflict', `this run holds ${state.partyDayId}, not ${args.partyDayId}`);
          const parsed = zAnswerInput.safeParse(answerOf(args));
          if (!parsed.success) throw new RuleViolation('unprocessable', `${parsed.error.issues[0]?.path.join('.') || 'answer'}: ${parsed.error.issues[0]?.message}`);
          checkAnswer(state, parsed.data);
        }),
    },
  );

  setHandler(
    handOverUpdate,
    async ({ to }) => {
      await opened;
      if (state.handedOverTo === to) return carriedItemsOf(state);
      if (state.status !== 'open') return [];
      // The deadline is brought up to now first, so a Q&A past its grace is recorded late and escalated.
      const happened = advancePartyDay(state, now());
      if (happened.events.length > 0) await change(happened);
      if (state.status !== 'open') return [];
      const handed = checked(() => handOver(state, to, now()));
      await change(handed);
      return handed.items;
    },
    { validator: ({ to }) => enforce(() => checkHandOver(state, to)) },
  );

  await opened;
  while (state.status === 'open') {
    await runtime.sleepUntil(partyDayWakeAt(state));
    const happened = advancePartyDay(state, now());
    if (happened.events.length > 0) await change(happened);
    if (runtime.shouldContinueAsNew()) {
      await runtime.settle();
      await continueAsNew<typeof partyDayWorkflow>({ ...input, carried: state });
    }
  }
  await runtime.settle();
  return runtime.current();
}
