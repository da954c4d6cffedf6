import type { Db } from 'mongodb';
import type { CaseProjection } from '../domain/projection';
import { linkCases } from '../store/discoveries';
import { claimPatrolCycle } from '../store/patrols';

/** The patrol workflow's activity: its claim on the village's cycle (store/patrols.ts). Idempotent: a retry finds its own claim. */
export function createPatrolActivities(deps: { db: Db }) {
  return {
    /** Claims a patrol cycle for a run; answers with the run that holds it. */
    async claimPatrolCycle(args: { patrolId: string; workflowId: string; runId: string }): Promise<{ workflowId: string; runId: string }> {
      return claimPatrolCycle(deps.db, args);
    },
  };
}

/**
 * The projection's patrol-link hook (issue 13; ours): a patrol and a discovery it found are linked, both ways
 * (`case_links`, relation `patrol_finding`, from the patrol; read both ways by `GET /v1/cases/{id}`) — when
 * the patrol's record names the discovery (`patrol_recorded` `data.discoveryIds`) and when a discovery is
 * reported from a patrol (`reported` `data.patrolId`). Idempotent: one document per pair
 * (store/discoveries.ts `linkCases`), whichever side wrote it first. Written by the projection, so a record
 * or a report never stands without its link (the activity is retried until it is written).
 */
export async function projectPatrolLinks(db: Db, p: Pick<CaseProjection, 'caseId' | 'kind' | 'events'>): Promise<void> {
  const pairs: { patrolId: string; discoveryId: string }[] = [];
  for (const e of p.events) {
    const data = (e.data ?? {}) as { discoveryIds?: unknown; patrolId?: unknown };
    if (p.kind === 'patrol' && e.type === 'patrol_recorded' && Array.isArray(data.discoveryIds)) {
      for (const id of data.discoveryIds) if (typeof id === 'string') pairs.push({ patrolId: p.caseId, discoveryId: id });
    }
    if (p.kind === 'discovery' && e.type === 'reported' && typeof data.patrolId === 'string') pairs.push({ patrolId: data.patrolId, discoveryId: p.caseId });
  }
  for (const l of pairs) await linkCases(db, { from: l.patrolId, fromKind: 'patrol', to: l.discoveryId, toKind: 'discovery', relation: 'patrol_finding' });
}
