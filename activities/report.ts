import type { Client } from '@temporalio/client';
import type { Db } from 'mongodb';
import { confirmCommonIssue, proposeCommonIssue } from '../store/reports';

/**
 * The public-report workflow's activities: common issues (共性问题) in the store. Both are idempotent
 * (one issue per unit, category and month; report ids added with $addToSet), so retries are harmless.
 */
export function createReportsActivities(deps: { db: Db; temporal?: Client }) {
  return {
    /** At receipt: propose the month's common issue once the threshold is reached. */
    async proposeReportCommonIssue(args: {
      reportId: string;
      unitCode: string;
      category: string;
      receivedAt: number;
      month: string;
      threshold: number;
      windowMs: number;
    }): Promise<{ issueId: string; reports: number } | null> {
      return proposeCommonIssue(deps.db, args);
    },

    /** Staff marked a report as a common issue: create or confirm the issue and add the report. */
    async confirmReportCommonIssue(args: { reportId: string; unitCode: string; category: string; month: string; title?: string }): Promise<string> {
      return confirmCommonIssue(deps.db, args);
    },
  };
}
