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
