import type { DepartmentRecord, VerificationRequest } from '../../domain/verification';

/**
 * One department's data, behind the one interface every feed implements (file extract, HTTP API, …).
 * `query` returns the records the department holds about the request's members (only those), and
 * honours `signal` (the activity's cancellation) where it can.
 *
 * Throw DepartmentUnavailable when the department has no feed here at all: the verification records it
 * as missing at once. Any other error is a failure worth retrying (timeout, 5xx, a malformed extract
 * that someone may fix).
 */
export interface DepartmentSource {
  code: string;
  query(req: VerificationRequest, signal?: AbortSignal): Promise<DepartmentRecord[]>;
}

/** This department has no feed here (no extract, no API configured): not worth retrying. */
export class DepartmentUnavailable extends Error {
  override name = 'DepartmentUnavailable';
}
