import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Db } from 'mongodb';
import type { IntakeOpened, IntakeOpening } from '../domain/intake';
import { linkCases } from '../store/discoveries';
import { openApplication, refusalOf } from './discovery';

export interface IntakeActivityDeps {
  db: Db;
  temporal?: Client;
}

/**
 * Application intake's activity (申请受理, issue 14): opening the application the town's acceptance names,
 * before the acceptance commits (the step's prepare), and linking it to the intake both ways (`case_links`,
 * relation `outcome`), as a discovery's decision does (activities/discovery.ts `openApplication`).
 */
export function createIntakeActivities(deps: IntakeActivityDeps) {
  return {
    /**
     * Opens the application (update id the intake's, so a retried activity answers with the first opening); a
     * household's open application of the category is linked instead of a second. A refusal of the
     * application's own rules comes back as `{ failed, refused }`; other errors are retried.
     */
    async openIntakeApplication(a: { intakeId: string; opening: IntakeOpening }): Promise<IntakeOpened> {
      if (!deps.temporal) throw ApplicationFailure.nonRetryable('this worker has no Temporal client to reach other workflows', 'configuration');
      const requestId = `${a.intakeId}:accept`;
      const taskQueue = Context.current().info.taskQueue;
      let opened: { caseId: string; created: boolean } | { failed: string };
      try {
        opened = await openApplication(deps.temporal, { workflowId: a.opening.workflowId, start: { ...a.opening.start, openingRequestId: requestId }, requestId, taskQueue });
      } catch (err) {
        const refused = refusalOf(err);
        if (refused) return refused;
        throw err;
      }
      if ('failed' in opened) return opened;
      await linkCases(deps.db, { from: a.intakeId, fromKind: 'intake', to: opened.caseId, toKind: 'application', relation: 'outcome' });
      return opened;
    },
  };
}
