import { randomBytes } from 'node:crypto';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { Actor } from '../../../domain/case';
import type { PairingStepName, PairingView } from '../../../domain/pairing';
import type { MemberRef } from '../../../domain/party-member';
import { resolvePolicy } from '../../../domain/policy';
import { pairingWorkflow } from '../../../workflows';
import { pairingQuery, pairingStepUpdates, pairingWorkflowId, type PairingInput } from '../../../workflows/pairing/contract';
import { CITY, DISTRICT, eventually, LADDER, TOWN, VILLAGE, type TimeSkippingHarness } from '../time-skipping';

/** Drives the pairing workflow as the API does (scenarios shared by test/workflows/pairing.test.ts and scripts/record-histories.ts). */

export const GRID = `${VILLAGE.code}-G01`;
export const PAIRING_VILLAGE_STAFF: Actor = { userId: 'village.li', role: 'village_staff', unitCode: VILLAGE.code };
/** The paired member's own login, scoped to the grid (as `npm run token -- --role party_member --org <grid>`). */
export const MEMBER_ACTOR: Actor = { userId: 'pm.zhang', role: 'party_member', unitCode: GRID };
export const MEMBER: MemberRef = { memberId: 'pm-00000000000a', userId: MEMBER_ACTOR.userId, name: '张党员', role: 'member', gridCode: GRID, villageCode: VILLAGE.code };
export const OTHER_MEMBER: MemberRef = { memberId: 'pm-00000000000b', userId: 'pm.liu', name: '刘党员', role: 'committee', gridCode: GRID, villageCode: VILLAGE.code };
/** The default pairing policy (assign within 7 days, a contact every 30, one rung every 3 days). */
export const PAIRING_POLICY = resolvePolicy(undefined, 'default').pairing;

export type PairingHandle = WorkflowHandleWithFirstExecutionRunId<typeof pairingWorkflow>;

let seq = 0;
/** Opens the pairing of a 低保 household of 海港社区's grid G01 (tracked by the harness); waits until it answers queries. */
export async function openPairing(h: TimeSkippingHarness, householdId = `hh-${randomBytes(6).toString('hex')}`): Promise<{ handle: PairingHandle; caseId: string; openedAt: number; householdId: string }> {
  const input: PairingInput = {
    start: {
      openingRequestId: `req-${++seq}`,
      open: { householdId, categories: ['minimum_subsistence'], unit: VILLAGE, ladder: LADDER, orgPath: [CITY.code, DISTRICT.code, TOWN.code, VILLAGE.code, GRID], policy: PAIRING_POLICY, trigger: 'registered', actor: PAIRING_VILLAGE_STAFF },
    },
  };
  const handle = await h.env.client.workflow.start(pairingWorkflow, { workflowId: pairingWorkflowId(householdId), taskQueue: h.taskQueue, args: [input] });
  h.track(handle);
  const view = await eventually(() => handle.query(pairingQuery));
  return { handle, caseId: view.caseId, openedAt: Date.parse(view.openedAt), householdId };
}

/** One pairing step, as the API sends it (an assignment names the member the API resolved from the register). */
export const pairingStep = (handle: PairingHandle, caseId: string, name: PairingStepName, actor: Actor, input: unknown, member?: MemberRef): Promise<PairingView> =>
  handle.executeUpdate(pairingStepUpdates[name], { args: [{ caseId, actor, input, ...(member ? { member } : {}) }] });
