/**
 * The audit record's rules that are not storage (store/audit.ts) nor the API hook (api/audit.ts).
 * Pure, no I/O.
 */

/**
 * The shortest retention of audit records allowed, in days: six months at their longest (Jul–Dec: 184
 * days), so no record is purged before six calendar months have passed. Source: 网络安全法 Art. 21(3)
 * (采取监测、记录网络运行状态、网络安全事件的技术措施，并按照规定留存相关的网络日志不少于六个月).
 */
export const MIN_AUDIT_RETENTION_DAYS = 184;

/** HTTP methods that change something: every request with one is audited, whatever its outcome. Source: issue 11. */
export const MUTATING_METHODS: readonly string[] = ['POST', 'PUT', 'PATCH', 'DELETE'];
