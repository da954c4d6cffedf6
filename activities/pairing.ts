import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from 'mongodb';
import type { Actor } from '../domain/case';
import { qualifyingCategories } from '../domain/pairing';
import type { MemberRef } from '../domain/party-member';
import type { PairingPolicy } from '../domain/policy';
import { openCaseOf } from '../store/cases';
import type { OrgDirectory } from '../store/org-directory';
import { householdsNeedingPairing, type QualifyingHousehold } from '../store/pairings';
import { recordVisitUpdate } from '../workflows/alert/contract';
import { PAIRING_WORKFLOW_TYPE, pairingWorkflowId, type PairingStart } from '../workflows/pairing/contract';

/**
 * Opens a household's pairing unless it has one running: starts `pairing-<householdId>` with `USE_EXISTING`,
 * so a repeat (a retried request, the sweep meeting a pairing the API opened) starts nothing — idempotent.
 * It does not wait for a worker to open it (the register's answer does not depend on the pairing; the
 * pairing's `opened` event is its own). A pairing that has ended but whose run is still settling is taken
 * as existing; the sweep opens the next one once it has finished (`householdsNeedingPairing`). Returns
 * `running` (started now, or already running), or `not_qualifying` when the household's categories do not
 * qualify under the policy.
 * @throws what Temporal throws (the sweep catches it later). Source: ours (issue 13 item 2).
 */
export async function ensurePairing(
  deps: { temporal: Client; orgs: OrgDirectory; taskQueue: string; policy: PairingPolicy },
  household: QualifyingHousehold,
  trigger: PairingStart['open']['trigger'],
  actor?: Actor,
): Promise<'running' | 'not_qualifying'> {
  const categories = qualifyingCategories(household.categories, deps.policy);
  if (categories.length === 0) return 'not_qualifying';
  const ladder = await deps.orgs.ladder(household.villageCode);
  const start: PairingStart = {
    openingRequestId: randomUUID(),
    open: { householdId: household._id, categories, unit: ladder[0]!, ladder, orgPath: household.orgPath, policy: deps.policy, trigger, ...(actor ? { actor } : {}) },
  };
  await deps.temporal.workflow.start(PAIRING_WORKFLOW_TYPE, { workflowId: pairingWorkflowId(household._id), taskQueue: deps.taskQueue, args: [{ start }], workflowIdConflictPolicy: 'USE_EXISTING' });
  return 'running';
}

/**
 * The safety net behind opening (like the notices' delivery sweep): every qualifying household without an
 * open pairing (none recorded, or the last ended because it stopped qualifying and it qualifies again) gets
 * one. Catches a crash between the register's write and the start, and households registered before pairing
 * existed. The worker runs it every PAIRING_SWEEP_SECONDS. A household whose pairing has ended and is still
 * settling is met again by the next run. `org` limits it to a subtree (default: the whole register). @returns the pairings opened. Source: ours.
 */
export async function sweepPairings(deps: { db: Db; temporal: Client; orgs: OrgDirectory; taskQueue: string; policy: PairingPolicy }, org?: string): Promise<number> {
  let opened = 0;
  for (const h of await householdsNeedingPairing(deps.db, org, deps.policy.categories)) {
    if ((await ensurePairing(deps, h, 'sweep')) === 'running') opened += 1;
  }
  return opened;
}

export type ForwardedVisitResult =
  | { status: 'no_alert' }
  | { status: 'recorded'; alertId: string; level: string | null; stage: string | null }
  | { status: 'refused'; alertId: string; reason: string };

/** The pairing's activities: its contacts' visits forwarded to the household's open alert. */
export function createPairingActivities(deps: { db: Db; temporal?: Client }) {
  return {
    /**
     * A paired member's visit (a pairing contact on the `visit` channel) recorded on the household's open alert
     * as its visit, which may meet the alert's visit deadline. It runs as the system on the member's behalf:
     * the actor is the member (`party_member`, whom the matrix lets record an alert's visit) at the pairing's
     * village, since the member's grid token does not reach alerts (their orgPath stops at the village) — sound
     * because the pairing proves the member is the household's (docs/pairing.md). The alert's own rules still
     * apply: a refusal (a visit before it opened, the alert moved beyond the village) comes back as `refused`
     * with its reason; the contact stands. No open alert: `no_alert`.
     */
    async forwardPairingVisit(a: { pairingId: string; householdId: string; n: number; member: MemberRef; villageCode: string; visitedAt: string; outcome: 'stable' | 'needs_assistance' | 'referred'; note: string }): Promise<ForwardedVisitResult> {
      if (!deps.temporal) throw ApplicationFailure.nonRetryable('this worker has no Temporal client to reach the alert', 'configuration');
      const open = await openCaseOf(deps.db, a.householdId, 'alert');
      if (!open) return { status: 'no_alert' };
      const actor = { userId: a.member.userId, role: 'party_member' as const, unitCode: a.villageCode, onBehalfOf: { pairingId: a.pairingId, memberId: a.member.memberId } };
      try {
        const view = await deps.temporal.workflow.getHandle(open.workflowId).executeUpdate(recordVisitUpdate, {
          args: [{ caseId: open._id, actor, visit: { visitors: [a.member.name], visitedAt: a.visitedAt, outcome: a.outcome, notes: `党员帮包走访（${a.pairingId}，第${a.n}次联系）：${a.note}` } }],
        });
        const v = view as unknown as { level?: string | null; stage?: string | null };
        return { status: 'recorded', alertId: open._id, level: v.level ?? null, stage: v.stage ?? null };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return { status: 'no_alert' };
        if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) return { status: 'refused', alertId: open._id, reason: err.cause.message };
        throw err;
      }
    },
  };
}

