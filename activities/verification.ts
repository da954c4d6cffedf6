import { Context } from '@temporalio/activity';
import { DEPARTMENTS, isDepartmentCode, type DepartmentAnswer, type VerificationRequest } from '../domain/verification';
import { type DepartmentSource, DepartmentUnavailable } from './departments/source';

/**
 * The economic-verification activities: one `queryDepartment` per department, which the workflow fans
 * out with its own timeouts and retry policy.
 *
 * - An unknown department, or one with no feed here (DepartmentUnavailable), is answered `missing` at
 *   once: there is nothing to retry.
 * - Any other error is thrown, so Temporal retries the activity; the workflow decides when to stop and
 *   record the department missing.
 */
export function createVerificationActivities({ sources }: { sources: DepartmentSource[] }) {
  const byCode = new Map<string, DepartmentSource>();
  for (const source of sources) {
    if (byCode.has(source.code)) throw new Error(`two department sources for ${source.code}`);
    byCode.set(source.code, source);
  }

  return {
    async queryDepartment(department: string, req: VerificationRequest): Promise<DepartmentAnswer> {
      if (!isDepartmentCode(department)) {
        return { department, status: 'missing', reason: `unknown department "${department}" (known: ${Object.keys(DEPARTMENTS).join(', ')})` };
      }
      const source = byCode.get(department);
      if (!source) return { department, status: 'missing', reason: `no data source is configured for ${department} (${DEPARTMENTS[department]})` };

      let records;
      try {
        records = await source.query(req, activitySignal());
      } catch (err) {
        if (err instanceof DepartmentUnavailable) return { department, status: 'missing', reason: err.message };
        throw err;
      }
      // Whatever a source returns, only the members' records enter the case.
      const members = new Set(req.members.map((m) => m.idNumber.trim().toUpperCase()));
      return { department, status: 'answered', records: records.filter((r) => members.has(r.idNumber.trim().toUpperCase())), answeredAt: Date.now() };
    },
  };
}

export type VerificationActivities = ReturnType<typeof createVerificationActivities>;

/** The activity's cancellation signal when running as an activity; none when called directly. */
function activitySignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined; // not inside an activity (e.g. a test calling the function directly)
  }
}
