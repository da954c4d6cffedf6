import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { Actor } from '../../domain/case';
import {
  advancePairing,
  openPairing,
  PAIRING_STEPS,
  pairingView,
  pairingWakeAt,
  visitForwarded,
  visitedAtOf,
  type ContactInput,
  type PairingState,
  type PairingStepName,
  type PairingView,
} from '../../domain/pairing';
import { failureMessage, kindStep, runCase, type CaseKindRules } from '../lib/case-workflow';
import { pairingOpenedUpdate, pairingQuery, pairingStepUpdates, type PairingInput, type PairingStart, type PairingStepArgs } from './contract';

const { forwardPairingVisit } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', backoffCoefficient: 2, maximumAttempts: 10 },
});

/**
 * A contact's visit, once committed, goes to the household's open alert as its visit (activities/pairing.ts):
 * the pairing records what the alert made of it — recorded (with the alert's level and stage) or refused
 * (with its reason). No open alert: nothing to record. The contact stands whatever the alert says.
 */
async function forwardVisit(s: PairingState, input: ContactInput, _actor: Actor, now: () => number) {
  const c = s.contacts.at(-1);
  if (input.channel !== 'visit' || !c || !s.member) return { events: [], notices: [] };
  try {
    const result = await forwardPairingVisit({
      pairingId: s.pairingId,
      householdId: s.householdId,
      n: c.n,
      member: s.member,
      villageCode: s.unit.code,
      visitedAt: new Date(visitedAtOf(c.day, c.at)).toISOString(),
      outcome: c.outcome ?? 'stable',
      note: c.note,
    });
    if (result.status === 'no_alert') return { events: [], notices: [] };
    return visitForwarded(s, c.n, { ...result, at: now() });
  } catch (err) {
    return { events: [{ type: 'visit_forward_failed', at: now(), data: { n: c.n, reason: failureMessage(err) } }], notices: [] };
  }
}

/** The pairing kind for the case skeleton: its rules (domain/pairing.ts) and its step table. */
const PAIRING: CaseKindRules<PairingState, PairingView, PairingStart> = {
  kind: 'pairing',
  open: (start, now) => openPairing(start.open, now),
  view: pairingView,
  caseIdOf: (s) => s.pairingId,
  advance: advancePairing,
  wakeAt: pairingWakeAt,
  query: pairingQuery,
  opened: pairingOpenedUpdate,
  steps: (Object.keys(PAIRING_STEPS) as PairingStepName[]).map((name) =>
    kindStep<PairingState, PairingStepArgs, PairingView>({
      ...PAIRING_STEPS[name],
      action: name,
      update: pairingStepUpdates[name],
      // An assignment names its registered member, resolved by the API from the register.
      context: (args) => (args.member ? { member: args.member } : {}),
      ...(name === 'contact' ? { after: forwardVisit } : {}),
    }),
  ),
};

/**
 * One household's pairing (党员帮包): unpaired → a member of its grid assigned within `assignWithin` →
 * contacts every `contactEvery`, each missed deadline climbing from the village; ended when the household
 * no longer qualifies, moves away or dies. docs/pairing.md.
 */
export async function pairingWorkflow(input: PairingInput): Promise<PairingView> {
  // openPairing always opens: the skeleton's null never comes back for a pairing.
  return (await runCase(PAIRING, input)) as PairingView;
}
