import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { ApplicationFailure, type Workflow } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import type { Db } from 'mongodb';
import type { Opening, OpenedOutcome } from '../domain/discovery';
import { linkCases } from '../store/discoveries';
import { APPLICATION_WORKFLOW_TYPE, applicationQuery, openedUpdate as applicationOpenedUpdate } from '../workflows/application/contract';
import { ALERT_WORKFLOW_TYPE, reportUpdate, type ReportArgs } from '../workflows/alert/contract';

export interface DiscoveryActivityDeps {
  db: Db;
  temporal?: Client;
}

/**
 * Active discovery's activities (主动发现, issue 13): opening the alert or application a town's decision
 * names, and linking it to the discovery, both ways (store/discoveries.ts `linkCases`).
 */
/** The other case's rules refused (an ApplicationFailure from its validator): no retry makes it pass. Else null. */
export function refusalOf(err: unknown): { failed: string; refused: true } | null {
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof ApplicationFailure && cause.nonRetryable ? { failed: cause.message, refused: true } : null;
}

/**
 * Opens an application (update-with-start with its `opened` update, conflict FAIL): a household's open
 * application of the category is answered instead of a second (`created: false`), one that has just closed as
 * `{ failed }` (try again). Shared by a discovery's decision and an intake's acceptance (activities/intake.ts).
 * @throws what Temporal throws (a refusal of the application's own rules: see `refusalOf`).
 */
export async function openApplication(client: Client, o: { workflowId: string; start: unknown; requestId: string; taskQueue: string }): Promise<{ caseId: string; created: boolean } | { failed: string }> {
  try {
    const view = await client.workflow.executeUpdateWithStart(applicationOpenedUpdate, {
      args: [{ requestId: o.requestId }],
      startWorkflowOperation: new WithStartWorkflowOperation<Workflow>(APPLICATION_WORKFLOW_TYPE, { workflowId: o.workflowId, taskQueue: o.taskQueue, args: [{ start: o.start }], workflowIdConflictPolicy: 'FAIL' }),
    });
    return { caseId: view.caseId, created: true };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    // The household's open application of this category (or this activity's own, retried).
    const view = await client.workflow.getHandle(o.workflowId).query(applicationQuery);
    if (view.status !== 'open') return { failed: `the household's application ${view.caseId} has just closed: try again` };
    return { caseId: view.caseId, created: false };
  }
}

export function createDiscoveryActivities(deps: DiscoveryActivityDeps) {
  const temporal = (): Client => {
    if (!deps.temporal) throw ApplicationFailure.nonRetryable('this worker has no Temporal client to reach other workflows', 'configuration');
    return deps.temporal;
  };
  return {
    /**
     * Opens the decision's case before the decision commits (the step's prepare): an alert (update-with-start
     * with the alert's `report`: a household with an open alert has it raised, as `POST /v1/alerts` does) or
     * an application (a household's open application of the category is linked instead of a second). The
     * update id is the discovery's, so a retried activity answers with the first opening. Then links both ways.
     * A refusal of the other case (its rules) comes back as `{ failed }`; other errors are retried.
     */
    async openDiscoveryOutcome(a: { discoveryId: string; outcome: 'alert' | 'application'; opening: Opening }): Promise<OpenedOutcome> {
      const client = temporal();
      const requestId = `${a.discoveryId}:decide`;
      // The opened case runs on the discovery's own task queue (a worker serves every kind).
      const taskQueue = Context.current().info.taskQueue;
      const start = { ...a.opening.start, openingRequestId: requestId };
      let opened: { caseId: string; kind: 'alert' | 'application'; created: boolean };
      try {
        if (a.outcome === 'alert') {
          const args = { ...(a.opening.args as Omit<ReportArgs, 'requestId'>), requestId };
          const result = await client.workflow.executeUpdateWithStart(reportUpdate, {
            args: [args],
            updateId: requestId,
            startWorkflowOperation: new WithStartWorkflowOperation<Workflow>(ALERT_WORKFLOW_TYPE, { workflowId: a.opening.workflowId, taskQueue, args: [{ start }], workflowIdConflictPolicy: 'USE_EXISTING' }),
          });
          opened = { caseId: result.alert.caseId, kind: 'alert', created: result.created };
        } else {
          const app = await openApplication(client, { workflowId: a.opening.workflowId, start, requestId, taskQueue });
          if ('failed' in app) return app;
          opened = { ...app, kind: 'application' };
        }
      } catch (err) {
        const refused = refusalOf(err);
        if (refused) return refused;
        throw err;
      }
      await linkCases(deps.db, { from: a.discoveryId, fromKind: 'discovery', to: opened.caseId, toKind: opened.kind, relation: 'outcome' });
      return opened;
    },
  };
}
