/**
 * Why a workflow refuses a staff action. Workflows throw ApplicationFailure with one of these types
 * (non-retryable); the API maps each to its HTTP status. One list, shared by both sides.
 */
export const REJECTION_STATUS = {
  /** The case is closed or the action does not fit its current state. */
  conflict: 409,
  /** The action is well-formed but breaks a rule (a visit in the future, reassigning outside the ladder…). */
  unprocessable: 422,
  forbidden: 403,
} as const;
export type RejectionType = keyof typeof REJECTION_STATUS;

/**
 * The rules a refusal can name, as a stable machine `reason` beside its English message: the API sends it
 * as `error.reason`, and clients translate by it (web/src/i18n.ts `reasons`). A refusal without one is
 * shown by its message. Source: ours.
 */
export const REFUSAL_REASONS = [
  /** The case is closed: nothing more can be done on it (409). */
  'case_closed',
  /** The alert was acknowledged already: 受理 happens once (409). */
  'already_acknowledged',
  /** A level change to the level the alert already has (409). */
  'level_unchanged',
  /** A visit dated in the future (422). */
  'visit_in_future',
  /** A visit dated before the alert was opened (422). */
  'visit_before_opening',
  /** A date or time a step declares outside what its case allows: in the future, before the case began, too far ahead (422; domain/dates.ts checkWithin). */
  'date_out_of_range',
  /** Lowering an alert, or closing it before its requirement is met, needs the town's approval: request it (403; issue 12). */
  'approval_required',
  /** The alert has a request awaiting the town's decision: decide it first (409). */
  'request_pending',
  /** A request for what needs no approval: do it directly (409). */
  'approval_not_needed',
  /** No request awaits a decision (409). */
  'no_pending_request',
  /** The decision names another request than the pending one, or the alert has moved since it was made (409). */
  'request_stale',
  /** A disposition (处置) before the alert was acknowledged (受理): 受理 first (409; ours, alert.ts checkDisposeOrder). */
  'not_acknowledged',
  /** A disposition (处置) before any visit assessed the household: visit first (409; ours, alert.ts checkDisposeOrder). */
  'not_visited',
  /** A pairing contact while its paired member is inactive: re-assign the pairing first (403 for the member, 422 for staff; ours, docs/pairing.md). */
  'member_inactive',
  /** An alert's visitor whose unit is not the alert's village nor a grid in it (422; issue 14, alert.ts checkAssignVisitor). */
  'visitor_outside_village',
  /** A login named as someone to act for (an alert's visitor, a party member) that is no staff user (422; fresh-eyes on issue 14). */
  'user_unknown',
  /** A login named as someone to act for whose user is disabled (422). */
  'user_disabled',
  /** A login named as a party member whose user lies outside the caller's jurisdiction (422; docs/party-members.md). */
  'user_out_of_reach',
  /** An alert's visitor whose user's role does not visit (not a grid worker, party member or village staff; 422; alert.ts visitorRefusal). */
  'visitor_role_invalid',
  /** An alert's visitor named with a role other than their user's (422). */
  'visitor_role_mismatch',
  /** An alert's visitor named with a unit other than their user's (422). */
  'visitor_unit_mismatch',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/**
 * The options of the ApplicationFailure a refused action travels as (`ApplicationFailure.create(refusalOf(err))`):
 * its type (the HTTP status), its message, non-retryable, and its reason and field at fault, if any, as
 * `details[0].reason` and `details[0].field`.
 */
export function refusalOf(refused: { type: RejectionType; message: string; reason?: RefusalReason; field?: { path: string; code: string } }) {
  const detail = { ...(refused.reason ? { reason: refused.reason } : {}), ...(refused.field ? { field: refused.field } : {}) };
  return { type: refused.type, message: refused.message, nonRetryable: true, ...(Object.keys(detail).length ? { details: [detail] } : {}) };
}

/** The field a refusal's failure details name (see refusalOf: `details[0].field`, `{ path, code }`), or undefined. */
export function fieldOfRefusal(details: readonly unknown[] | null | undefined): { path: string; code: string } | undefined {
  const field = (details?.[0] as { field?: { path?: unknown; code?: unknown } } | null | undefined)?.field;
  return typeof field?.path === 'string' && typeof field.code === 'string' ? { path: field.path, code: field.code } : undefined;
}

/** The reason a refusal's failure details carry (see refusalOf), or undefined — also for a string that is no REFUSAL_REASONS entry. */
export function reasonOfRefusal(details: readonly unknown[] | null | undefined): RefusalReason | undefined {
  const reason = (details?.[0] as { reason?: unknown } | null | undefined)?.reason;
  return typeof reason === 'string' && (REFUSAL_REASONS as readonly string[]).includes(reason) ? (reason as RefusalReason) : undefined;
}
