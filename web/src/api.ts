// The API as the workspace uses it: same origin, Bearer token from this tab's session, the one error
// shape `{ error: { code, message, reason?, details? } }` (api/errors.ts) turned into ApiError.

/** One field at fault in a 400: its path, its machine code, the API's (English) message and what it speaks of. */
export interface FieldIssue {
  path: string;
  code?: string;
  message: string;
  params?: Record<string, unknown>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** A refused action's rule, as a machine code (domain/rejections.ts REFUSAL_REASONS). */
    readonly reason?: string,
  ) {
    super(message);
  }

  /**
   * A 400's or 422's details by field name: `body.visitors.0` → `visitors`; with `wholePath`, by the whole
   * path inside the body (`body.holidays.3` → `holidays.3`), for forms whose fields are rows of a list.
   */
  fieldIssues(wholePath = false): Map<string, FieldIssue[]> {
    const out = new Map<string, FieldIssue[]>();
    if (!Array.isArray(this.details)) return out;
    for (const d of this.details as FieldIssue[]) {
      if (typeof d?.path !== 'string' || typeof d.message !== 'string') continue;
      const inside = d.path.replace(/^(body|querystring|params)\.?/, '');
      const field = wholePath ? inside : inside.split('.')[0] || '';
      out.set(field, [...(out.get(field) ?? []), d]);
    }
    return out;
  }
}

const TOKEN_KEY = 'jiuzhu.token';

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** Called on any 401: the session is over (expired or revoked token). */
/** Why the workspace's session ended here: its tokens refused, or the user idle past the session's idle expiry. */
export type SessionEnd = 'expired' | 'idle';
let onUnauthorized: ((why: SessionEnd) => void) | undefined;
export function whenUnauthorized(fn: (why: SessionEnd) => void): void {
  onUnauthorized = fn;
}

/**
 * A password or OIDC sign-in (issue 14): the access token is short-lived and renewed from the HttpOnly
 * refresh cookie (POST /v1/auth/refresh) a minute before it expires if the user was active since the last
 * renewal, and otherwise once on a 401, before the session is given up. (The timer keeps no idle tab signed
 * in; a visible tab's polls — the inbox badge, the board, the task list — renew on their 401 only while the
 * user's last input in any of this browser's tabs lies within the session's idle expiry (`idleSeconds` of the
 * sign-in's answer), so a workspace left open on screen signs out after it as a hidden one does: 等保2.0 8.1.4.1,
 * docs/accounts.md.) Tabs refresh one at a time (navigator.locks). A token put into sessionStorage by hand
 * (the picker, tests) is not renewed.
 */
const REFRESHABLE_KEY = 'jiuzhu.refreshable';
const MUST_CHANGE_KEY = 'jiuzhu.mustChange';
/** The session's idle expiry, seconds, as the last sign-in or refresh said (sessionStorage: per tab). */
const IDLE_KEY = 'jiuzhu.idleSeconds';
/** When the user last pressed a key or touched any tab of this browser, ms (localStorage: shared by the tabs). */
const LAST_INPUT_KEY = 'jiuzhu.lastInput';

/** What sign-in, refresh and the password change answer. */
export interface SignedIn {
  accessToken: string;
  expiresIn: number;
  /** The session's idle expiry, seconds (absent from an older API: renewal then does not look at input). */
  idleSeconds?: number;
  user: UserView;
}

let refreshTimer: number | undefined;
let refreshing: Promise<SignedIn | null> | undefined;
/** Whether the user pressed a key or touched the page since the last renewal: an idle tab is not kept signed in by the timer. */
let activeSinceRenewal = false;
let inputStoredAt = 0;
/** Notes the user's input: for this tab's timer, and (at most every 5 s) for every tab's idle check. */
function noteInput(force = false): void {
  activeSinceRenewal = true;
  const now = Date.now();
  if (!force && now - inputStoredAt < 5000) return;
  inputStoredAt = now;
  try {
    localStorage.setItem(LAST_INPUT_KEY, String(now));
  } catch {
    // Storage refused (a private mode): this tab's own record stands in.
  }
}
/** Whether the user's last input, in any tab, lies within the session's idle expiry (true when the API did not say it). */
function inputWithinIdle(): boolean {
  const idleSeconds = Number(sessionStorage.getItem(IDLE_KEY));
  if (!idleSeconds) return true;
  let last = inputStoredAt;
  try {
    last = Math.max(last, Number(localStorage.getItem(LAST_INPUT_KEY)) || 0);
  } catch {
    // as above
  }
  return Date.now() - last < idleSeconds * 1000;
}
if (typeof window !== 'undefined') {
  for (const type of ['pointerdown', 'keydown']) window.addEventListener(type, () => noteInput(), { capture: true, passive: true });
}

export const auth = {
  /** Whether the user must change their password before anything else (an admin's reset). */
  mustChange: (): boolean => sessionStorage.getItem(MUST_CHANGE_KEY) === '1',
  /** Keeps a signed-in answer: the token, the renewal, the must-change flag. */
  accept(result: SignedIn): void {
    session.set(result.accessToken);
    sessionStorage.setItem(REFRESHABLE_KEY, '1');
    if (result.idleSeconds) sessionStorage.setItem(IDLE_KEY, String(result.idleSeconds));
    if (result.user.mustChangePassword) sessionStorage.setItem(MUST_CHANGE_KEY, '1');
    else sessionStorage.removeItem(MUST_CHANGE_KEY);
    window.clearTimeout(refreshTimer);
    activeSinceRenewal = false;
    // Renewed ahead of expiry only when the user was active meanwhile; otherwise the next request's 401 renews it (once).
    refreshTimer = window.setTimeout(() => {
      if (activeSinceRenewal) void auth.refresh();
    }, Math.max(5, result.expiresIn - 60) * 1000);
  },
  /** A new access token from the refresh cookie, or null when there is no live session. */
  refresh(): Promise<SignedIn | null> {
    const post = () => request<SignedIn>('POST', '/v1/auth/refresh', undefined, null);
    // One refresh at a time across this browser's tabs (Web Locks API): the next tab then presents the successor
    // the first one's answer set, instead of the token just rotated away (the API's grace window covers browsers without it).
    refreshing ??= (typeof navigator !== 'undefined' && navigator.locks ? navigator.locks.request('jiuzhu.refresh', post) : post())
      .then(
        (r) => {
          auth.accept(r);
          return r;
        },
        () => null,
      )
      .finally(() => {
        refreshing = undefined;
      });
    return refreshing;
  },
  signIn: (login: string, password: string) => request<SignedIn>('POST', '/v1/auth/sign-in', { login, password }, null).then((r) => (noteInput(true), auth.accept(r), r)),
  changePassword: (currentPassword: string, newPassword: string) => request<SignedIn>('POST', '/v1/auth/password', { currentPassword, newPassword }).then((r) => (noteInput(true), auth.accept(r), r)),
  /** Ends the session at the API (its tokens refused at once) and here. */
  async signOut(): Promise<void> {
    window.clearTimeout(refreshTimer);
    const token = session.token();
    session.clear();
    sessionStorage.removeItem(REFRESHABLE_KEY);
    sessionStorage.removeItem(MUST_CHANGE_KEY);
    sessionStorage.removeItem(IDLE_KEY);
    await fetch('/v1/auth/sign-out', { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {} }).catch(() => undefined);
  },
  options: () => request<{ password: boolean; oidc: boolean; devTokens: boolean }>('GET', '/v1/auth/options', undefined, null),
};

async function request<T>(method: string, path: string, body?: unknown, token = session.token(), retried = false): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  } catch {
    throw new ApiError(0, 'network', 'network');
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string; reason?: string; details?: unknown } } | undefined)?.error;
    const err = new ApiError(res.status, e?.code ?? `http_${res.status}`, e?.message ?? res.statusText, e?.details, e?.reason);
    // A signed-in session's token that expired: renewed once from the refresh cookie, and the request sent again —
    // unless the user has been idle past the session's idle expiry (the request is then a poll nobody watches).
    let idle = false;
    if (res.status === 401 && token && token === session.token() && !retried && sessionStorage.getItem(REFRESHABLE_KEY) === '1' && !path.startsWith('/v1/auth/')) {
      idle = !inputWithinIdle();
      const renewed = idle ? null : await auth.refresh();
      if (renewed) return request<T>(method, path, body, renewed.accessToken, true);
    }
    // Only the session's own token expiring ends the session; a token being tried at sign-in does not.
    if (res.status === 401 && token && token === session.token() && onUnauthorized) onUnauthorized(idle ? 'idle' : 'expired');
    throw err;
  }
  return json as T;
}

export const api = {
  get: <T>(path: string, token?: string) => request<T>('GET', path, undefined, token ?? session.token()),
  post: <T>(path: string, body: unknown) => request<T>('POST', path, body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
};

export const qs = (params: Record<string, string | number | undefined | null>): string => {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
};

// ---- Shapes the workspace reads (see api/routes/*.ts) ----------------------------------------------

export interface UnitRef {
  code: string;
  name: string;
  level: string;
}

export interface Me {
  userId: string;
  name?: string;
  role: string;
  roleName: string;
  unit: UnitRef & { levelName: string };
  path: Array<{ code: string; name: string }>;
  /** Per case kind or resource (alert, application, …, households), the actions the role may take. */
  actions: Record<string, string[]>;
}

/** A staff user (api/routes/auth.ts zUserView). */
export interface UserView {
  login: string;
  name: string;
  role: string;
  unitCode: string;
  unitName?: string;
  phone: string | null;
  status: 'active' | 'disabled';
  source: 'local' | 'oidc';
  mustChangePassword: boolean;
  lockedUntil: string | null;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

export interface DevToken {
  userId: string;
  name: string;
  role: string;
  roleName: string;
  org: string;
  orgName: string;
  token: string;
}

export interface CaseRow {
  caseId: string;
  kind: string;
  status: 'open' | 'closed';
  level: string | null;
  unit: UnitRef;
  householdId: string | null;
  household: { headName: string; address: string; phone?: string } | null;
  /** The deadline's kind (`alert.red`, …), which labels are keyed by; null for rows stored before kinds were sent. */
  dueKind: string | null;
  dueLabel: string | null;
  dueAt: string | null;
  /** True when dueAt was counted on a provisional (estimated) holiday calendar year. */
  dueProvisional?: boolean;
  overdue: boolean;
  overdueByMs: number;
  atRisk: boolean;
  rung: number;
  escalatedTo: UnitRef | null;
  /** An application's stage and category (null for other kinds). */
  stage?: string | null;
  category?: string | null;
  /** Issue 14: an alert's assigned visitor, or null (absent on rows from an older API). */
  visitor?: { userId: string; role: string; unitCode: string } | null;
}

/** An open alert assigned to the caller to visit (GET /v1/alerts/assigned, issue 14). */
export interface AssignedAlert {
  caseId: string;
  householdId: string;
  household: { headName: string; address: string; phone?: string } | null;
  level: string;
  unit: UnitRef;
  dueAt: string | null;
  dueLabel: string | null;
  overdue: boolean;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface OrgUnitView extends UnitRef {
  levelName: string;
  parent: string | null;
  path: string[];
  children: Array<UnitRef & { levelName: string }>;
}

export interface Escalation {
  rung: number;
  from: UnitRef;
  to: UnitRef;
  at: string;
  deadlineKey: string;
  deadlineLabel: string;
  dueAt: string;
  lateByMs: number;
  resolvedAt: string | null;
  resolution?: 'met' | 'level_changed' | 'closed';
}

export interface CaseView {
  caseId: string;
  /** Issue 14: an alert's assigned visitor, or null. */
  visitor?: { userId: string; role: string; unitCode: string } | null;
  kind: string;
  status: 'open' | 'closed';
  level?: string | null;
  householdId?: string | null;
  reasons?: string[];
  unit: UnitRef;
  openedAt?: string;
  acknowledgedAt?: string | null;
  due: { key: string; kind?: string; label: string; dueAt: string; provisional?: boolean } | null;
  dueAt: string | null;
  overdue: boolean;
  atRisk: boolean;
  rung: number;
  escalatedTo: UnitRef | null;
  escalations?: Escalation[];
  deadlines?: Array<{ key: string; kind: string; label: string; opensAt: string; dueAt: string; metAt: string | null; endedAt: string | null; endReason?: string; track?: string; provisional?: boolean }>;
  /** The Temporal UI's page of the workflow; the cases it is linked with, both ways (a discovery and the alert or application it led to). */
  links?: { temporal: string | null; cases?: Array<{ caseId: string; kind: string; relation: string; direction: 'to' | 'from' }> };
  /** A discovery's situation as reported (主动发现). */
  situation?: string;
  /** Alerts (issue 12): the request awaiting the town's decision, every request, the dispositions (处置). */
  pendingRequest?: ChangeRequest | null;
  requests?: ChangeRequest[];
  dispositions?: Array<{ kind: string; applicationId?: string; to?: string; amount?: number; reason?: string; note?: string; recordedAt: string; by: { userId: string; role: string; unitCode: string } }>;
}

/** A request to lower an alert or close it early, and the town's decision once made (issue 12). */
export interface ChangeRequest {
  id: string;
  change: 'lower' | 'close';
  from: string;
  level?: string;
  closure?: { reason: string; date?: string; applicationId?: string };
  reason: string;
  at: string;
  by: { userId: string; role: string; unitCode: string };
  decision: { decision: 'approve' | 'refuse'; reason: string; at: string } | null;
}

/** A row of the town's 待审批 queue (GET /v1/alerts/approvals). */
export interface ApprovalRow {
  caseId: string;
  householdId: string;
  level: string;
  unit: UnitRef;
  dueAt: string | null;
  request: ChangeRequest;
  approvalDueAt: string | null;
}

export interface CaseHistory {
  caseId: string;
  kind: string;
  workflowId: string;
  escalations: Escalation[];
  /** The case's events and, in time order, those of its supervision orders (each naming its order in `caseId`). */
  events: Array<{ version: number; type: string; at: string; actor: { userId: string; role: string; unitCode: string } | null; data: Record<string, unknown>; caseId?: string }>;
}

export interface Counts {
  due: number;
  onTime: number;
  late: number;
  open: number;
  escalations: number;
  onTimeRate: number | null;
}

export interface MonthlyStats {
  org: { code: string; name: string };
  months: string[];
  total: Array<Counts & { month: string }>;
  units: Array<{ code: string; name: string; series: Array<Counts & { month: string }> }>;
}

/** A notice of the inbox (api/routes/notifications.ts). */
export interface Notice {
  id: string;
  caseId: string;
  caseKind: string | null;
  unit: { code: string; name: string };
  userId: string | null;
  kind: string;
  message: string;
  at: string;
  read: boolean;
  deliveredAt: string | null;
  deliveries: Record<string, { status: string; attempts: number; lastError: string | null; at: string }>;
}
