import { log, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { localMonth, shiftMonth } from '../../domain/china-time';
import {
  advancePartyDay,
  checkAnswer,
  checkHandOver,
  carriedItemsOf,
  endAnsweredItems,
  handOver,
  openPartyDay,
  partyDayId,
  partyDayRecord,
  partyDayView,
  partyDayWakeAt,
  recordAnswer,
  zAnswerInput,
  type Actor,
  type AnswerInput,
  type CarriedItem,
  type Outcome,
  type PartyDayState,
  type PartyDayView,
} from '../../domain/party-day';
import { scheduledStartOf } from '../lib/scheduled-start';
import { failureMessage, kindStep, refusing, runCase, type CaseKindRules, type CaseRun } from '../lib/case-workflow';
import { answerUpdate, handOverUpdate, itemsAnsweredElsewhereSignal, partyDayQuery, type PartyDayInput, type PartyDayStart } from './contract';

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

/**
 * Takes over what last month left open, gathers and publishes the agenda; null when this month's Q&A is
 * already held by another run. The opening is timed after the activities (workflow time has moved on).
 */
async function openMonth(start: PartyDayStart): Promise<ReturnType<typeof openPartyDay> | null> {
  const workflowId = workflowInfo().workflowId;
  const scheduledAt = scheduledStartOf(start.scheduledAt);
  const month = localMonth(scheduledAt);
  const id = partyDayId(start.unitCode, month);
  // One Q&A per unit and month, whatever starts it twice (a manual trigger on the party day, a backfill).
  const claim = await claimPartyDay({ partyDayId: id, workflowId });
  if (claim.workflowId !== workflowId) {
    log.warn('party day already held by another run', { partyDayId: id, holder: claim.workflowId });
    return null;
  }
  const previous = partyDayId(start.unitCode, shiftMonth(month, -1));
  let carried: CarriedItem[] = [];
  let handOverFailure: string | undefined;
  try {
    carried = await takeOverPreviousMonth({ from: previous, to: id });
  } catch (err) {
    handOverFailure = failureMessage(err);
  }
  const found = await gatherPartyDayAgenda({ unitCode: start.unitCode });
  const opened = openPartyDay({ unitCode: start.unitCode, unit: start.unit, ladder: start.ladder, policy: start.policy, scheduledAt, sources: { ...found, carried } }, Date.now());
  if (handOverFailure) opened.events.push({ type: 'hand_over_failed', at: Date.now(), data: { from: previous, error: handOverFailure } });
  return opened;
}

/** The answer also answers what the item stands for: the report through its workflow, or the common issue. */
async function forward(s: PartyDayState, input: AnswerInput, actor: Actor, now: () => number): Promise<Outcome> {
  const item = s.items.find((i) => i.itemId === input.itemId)!;
  try {
    const result = await forwardPartyDayAnswer({ partyDayId: s.partyDayId, origin: item.origin, refId: item.refId, answer: input.answer, answeredBy: input.answeredBy, actor });
    return { events: [{ type: 'answer_forwarded', at: now(), actor, data: { itemId: item.itemId, ...result } }], notices: [] };
  } catch (err) {
    return { events: [{ type: 'answer_forward_failed', at: now(), actor, data: { itemId: item.itemId, origin: item.origin, refId: item.refId, error: failureMessage(err) } }], notices: [] };
  }
}

/** The Party-day kind for the case skeleton: its rules (domain/party-day.ts) and its step table. */
const PARTY_DAY: CaseKindRules<PartyDayState, PartyDayView, PartyDayStart> = {
  kind: 'party_day',
  open: (start) => openMonth(start),
  view: partyDayView,
  caseIdOf: (s) => s.partyDayId,
  otherCase: (s, id) => `this run holds ${s.partyDayId}, not ${id}`,
  advance: advancePartyDay,
  wakeAt: partyDayWakeAt,
  query: partyDayQuery,
  steps: [
    kindStep({
      update: answerUpdate,
      action: 'answer',
      schema: zAnswerInput,
      // An answer names its Q&A by id (unit:month) and carries its fields beside it.
      caseIdIn: (args) => args.partyDayId,
      input: (args) => ({ itemId: args.itemId, answer: args.answer, answeredBy: args.answeredBy }),
      check: (s: PartyDayState, input: AnswerInput) => void checkAnswer(s, input),
      apply: recordAnswer,
      after: forward,
    }),
  ],
  // Every change goes to the case read model, then to the `party_days` record the public page reads.
  sinks: [(s) => savePartyDay({ record: partyDayRecord(s), workflowId: workflowInfo().workflowId })],
};

/**
 * The handlers beside the steps (neither names a case nor an actor). Next month's Q&A asks for what this
 * one left open: the deadline is brought up to now first, so a Q&A past its grace is recorded late and
 * escalated. A report answered through its own path ends its item (`itemsAnsweredElsewhereSignal`).
 */
function handOverHandler(run: CaseRun<PartyDayState, PartyDayView>): void {
  const s = run.state;
  // A report on the agenda answered through its own path ends its item (and the case when none is left).
  setHandler(itemsAnsweredElsewhereSignal, async (answered) => {
    await run.opened;
    const ended = endAnsweredItems(s, answered, run.now());
    if (ended.events.length > 0) await run.commit(ended);
  });
  setHandler(
    handOverUpdate,
    async ({ to }) => {
      await run.opened;
      if (s.handedOverTo === to) return carriedItemsOf(s);
      if (s.status !== 'open') return [];
      const happened = advancePartyDay(s, run.now());
      if (happened.events.length > 0) await run.commit(happened);
      if (s.status !== 'open') return [];
      const handed = refusing(() => handOver(s, to, run.now()));
      await run.commit(handed);
      return handed.items;
    },
    { validator: ({ to }) => refusing(() => checkHandOver(s, to)) },
  );
}

/**
 * One unit's monthly Party-day Q&A, started by the unit's Temporal Schedule on its party day: takes over
 * what last month left open, gathers and publishes the agenda, records the answers given on site (each
 * also answers its report or common issue), and at the end of the day plus grace carries the rest over
 * and escalates it to the town. Returns null when this month's Q&A already runs under another id.
 */
export async function partyDayWorkflow(input: PartyDayInput): Promise<PartyDayView | null> {
  return runCase(PARTY_DAY, input, { handlers: handOverHandler });
}
