import type { Collection, Db } from 'mongodb';
import type { Actor, Notice } from '../domain/case';
import type { Household } from '../domain/household';
import type { OrgUnit, UnitRef } from '../domain/org';
import type { PartyDayRecord } from '../domain/party-day';
import type { PartyMember } from '../domain/party-member';
import type { LedgerEntry } from '../domain/points';
import type { ServiceClaim, ServiceTask } from '../domain/service-task';
import type { CaseKind, CaseSummary, DeadlineRecord } from '../domain/projection';
import type { HelperKind, WishCategory } from '../domain/wish';
import type { Role } from '../domain/roles';

/**
 * Every collection of the read model, reference data, audit and outbox: its name and the type of its
 * documents, in one place. Code reaches a collection only through `collections(db)` (typed) — and only
 * code in store/: activities/ and api/ call the store's functions, named by what they do. Indexes:
 * store/indexes.ts. Written by activities (and by the reference-data endpoints and seed); read by the API.
 * Every write is an idempotent upsert or an insert with a deterministic _id, so retries are harmless and
 * no multi-document transaction is needed (FerretDB v1 has none). Source: ours.
 */
export const COLLECTIONS = {
  // ── Reference data ──
  /** The org tree (store/org-directory.ts), seeded from scripts/seed/weihai-org.json. */
  orgUnits: 'org_units',
  /** The household register (户籍登记). */
  households: 'households',
  /** One document per resident ID number registered in any household, head or member: its `_id` is the number's key (store/households.ts `idNumberKey`), so one person is in one household. */
  idNumberClaims: 'id_number_claims',
  /** The holiday calendar, one document per region and year (store/calendar.ts). */
  calendars: 'calendars',
  /** The editable "9+N+1" catalogue, one document (store/catalogue.ts). */
  catalogue: 'catalogue',
  /** Close-relative declarations (近亲属备案, store/relatives.ts). */
  relatives: 'relatives',

  // ── The case read model, written by the projection (store/projection.ts) ──
  cases: 'cases',
  /** Only the cases that are overdue right now: the board reads this small set, not all cases. */
  overdue: 'overdue',
  /** Open cases with a pending deadline, one small row each: a worker's task list reads this, not all cases. */
  due: 'due',
  /** The audit trail: every event of every case. */
  events: 'events',
  /** Every deadline of every case with its outcome: the on-time figures (store/deadlines.ts). */
  deadlines: 'deadlines',
  /** The outbox and the inboxes: notices for units (and users), their read state and delivery status (store/notifications.ts). */
  notifications: 'notifications',
  /** Per unit: the channels its notices are delivered through (a webhook, SMS), set by an admin (store/notifications.ts). */
  unitChannels: 'unit_channels',
  /** One document per notice and channel: its delivery status, written only by that delivery (store/notifications.ts). */
  noticeDeliveries: 'notice_deliveries',
  /** One document per user and notice read: read state, written only by that user (store/notifications.ts). */
  noticeReads: 'notice_reads',
  /** One document per user and unit: everything up to `upTo` is read (mark-all), written only by that user. */
  noticeReadMarks: 'notice_read_marks',

  // ── Public reports (store/reports.ts) ──
  /** Receipt code → report id, so the public can follow a report by its receipt only. */
  receipts: 'report_receipts',
  /** Report id → the reporter's contact: personal data kept out of histories and the read model. */
  contacts: 'report_contacts',
  /** Per village/community: the policy text and office contacts of its public QR page. */
  unitProfiles: 'unit_profiles',

  // ── Application intake (store/intakes.ts, issue 14) ──
  /** Intake id → the applicant's name, ID number, phone and address (sealed): personal data kept out of histories and the read model. */
  intakeApplicants: 'intake_applicants',

  // ── Active discovery (store/discoveries.ts, issue 13) ──
  /** Discovery id → a household not yet registered (name, address, phone, sealed): personal data kept out of histories and the read model. */
  discoveryHouseholds: 'discovery_households',
  /** Links between cases (a discovery and the alert or application it led to), both ways: `_id` `<from>><to>`. */
  caseLinks: 'case_links',
  /** 共性问题 per unit, category and month. */
  commonIssues: 'common_issues',

  // ── The wishing tree (store/wishes.ts) ──
  /** The party-member register (党员名册, store/party-members.ts), keyed by the member's login (issue 13). */
  partyMembers: 'party_members',
  /** The points ledger (党员积分, store/points.ts): append-only, corrected only by a counter-entry (issue 13). */
  pointsLedger: 'points_ledger',
  /** Community service tasks for in-service members (双报到, store/service-tasks.ts; issue 13). */
  serviceTasks: 'service_tasks',
  /** One per task and member: the claim, its hours and their confirmation. */
  serviceClaims: 'service_claims',
  /** One per task and slot (`<taskId>#<n>`): a claim holds a slot by inserting it, so no task is oversubscribed. */
  serviceSlots: 'service_slots',
  /** The register of helpers who may claim wishes. */
  helpers: 'helpers',
  /** The helper-points ledger: one entry per fulfilled wish. */
  helperPoints: 'helper_points',

  // ── Party days (store/party-days.ts) ──
  /** One record per unit and month: agenda and minutes, nothing personal. */
  partyDays: 'party_days',
  /** Which workflow run owns a unit's month. */
  partyDayRuns: 'party_day_runs',

  // ── Patrols (store/patrols.ts, issue 13) ──
  /** Which workflow run opened a village's patrol cycle: one patrol per cycle, whatever starts it twice. */
  patrolRuns: 'patrol_runs',

  // ── Supervision (store/supervision.ts, issue 12) ──
  /** Summons (约谈) and circulars (通报): append-only records; a correction is a new record naming the old. */
  supervisionRecords: 'supervision_records',

  /** The one-time read-model migrations run so far (store/migrations.ts). */
  migrations: 'migrations',

  /** The audit record: one per mutating request and per read of unmasked personal data; append-only (store/audit.ts, docs/audit.md). */
  audit: 'audit',

  // ── Staff accounts (store/users.ts, issue 14) ──
  /** Staff users: `_id` the login; the phone sealed, the password an argon2id hash. */
  users: 'users',
  /** Sign-in sessions: `_id` the session id (`sid` of access tokens); the refresh token kept only as its hash. */
  sessions: 'sessions',
  /** Reserved sign-in attempts and locks per normalised login, known or not (store/users.ts `reserveSignInAttempt`). */
  signInAttempts: 'signInAttempts',
  /** One document per refresh token rotated away, `_id` its hash: the unique key lets one rotation of a token win (store/sessions.ts `claimRotation`). */
  refreshClaims: 'refreshClaims',
} as const satisfies Record<keyof Documents, string>;

/** A collection's key in COLLECTIONS (`cases`, `helperPoints` …). */
export type CollectionKey = keyof typeof COLLECTIONS;
/** A collection's name in the database (`cases`, `helper_points` …). */
export type CollectionName = (typeof COLLECTIONS)[CollectionKey];

// ── Reference data ──────────────────────────────────────────────────────────────────────────────

export interface OrgUnitDoc extends Omit<OrgUnit, 'code'> {
  _id: string;
  /** Set when an admin added or renamed the unit through the API (store/org-units.ts): the seed then leaves it as it is. */
  editedAt?: Date;
  editedBy?: string;
  /** The names it had before each rename, oldest first. */
  formerNames?: Array<{ name: string; until: Date; by: string }>;
}

/** A household as store/ hands it out and takes it in: plain. */
export type HouseholdDoc = Omit<Household, 'id'> & { _id: string };

/**
 * A household as stored (store/households.ts): `headIdNumber`, each member's `idNumber` and `phone` are
 * sealed envelopes (`pii1.<kid>.…`, store/pii.ts); `headIdKey` is the head's ID number's blind index
 * (unique), `idKeys` every member's (head first), for look-up.
 */
export type StoredHouseholdDoc = HouseholdDoc & { headIdKey: string; idKeys: string[] };

/** A resident ID number's place in the register: `_id` its key (`idNumberKey`), the household holding it. */
export interface IdNumberClaimDoc {
  _id: string;
  householdId: string;
  at: Date;
}

/** One stored year of a region's holiday calendar: `{ _id: 'CN-mainland:2026', … }`. Edited by admins. */
export interface CalendarYearDoc {
  _id: string;
  region: string;
  year: number;
  holidays: string[];
  workdays: string[];
  provisional: boolean;
  source?: string;
  /** ISO-8601 instant. */
  updatedAt: string;
  /** userId of the admin, or 'seed'. */
  updatedBy: string;
}

/** One entry of the catalogue: a lowercase code and its Chinese name. */
export interface CatalogueEntry {
  code: string;
  name: string;
}
/** The stored catalogue (its input is checked by zCatalogue in store/catalogue.ts). */
export interface CatalogueDoc {
  _id: string;
  categories: CatalogueEntry[];
  items: CatalogueEntry[];
  socialForces: CatalogueEntry[];
  updatedAt: Date;
  updatedBy: string;
}

/** The relations a close-relative declaration may name. */
export const RELATIONS = ['self', 'spouse', 'parent', 'child', 'sibling', 'grandparent', 'grandchild', 'in_law', 'other'] as const;

/** A declaration, keyed `<userId>:<householdId>` so "may this user act on this household?" is one _id read. */
export interface RelativeDoc {
  _id: string;
  userId: string;
  householdId: string;
  relation: (typeof RELATIONS)[number];
  declaredAt: Date;
}

// ── The case read model ─────────────────────────────────────────────────────────────────────────

/** A household's name and address as the lists show them (masked below town level). */
export type HouseholdShown = { headName: string; address: string } | null;

/**
 * A case as the projection stores it in `cases` (store/projection.ts readModelDocs): what the lists filter,
 * sort and show, and `view`, the kind's whole view.
 */
export interface CaseDoc<V = Record<string, unknown>> {
  _id: string;
  kind: CaseKind;
  status: 'open' | 'closed';
  householdId: string | null;
  /** Present once the projection has read the household (or null for a case about none). */
  household?: HouseholdShown;
  /** Issue 14: an alert's assigned visitor (login, role, unit), from its view; absent for other kinds and before one is assigned. */
  visitor?: { userId: string; role: string; unitCode: string } | null;
  level: string | null;
  stage: string | null;
  category: string | null;
  unit: UnitRef;
  unitCode: string;
  orgPath: string[];
  dueAt: Date | null;
  due: CaseSummary['due'];
  overdue: boolean;
  atRisk: boolean;
  rung: number;
  escalatedTo: UnitRef | null;
  version: number;
  updatedAt: Date;
  workflowId: string;
  firstRunId: string;
  /** The workflow task that wrote this document (CaseProjection.fence); absent on documents written before it. */
  fence?: string;
  view: V;
}

/** A case document without its view: what a list shows. */
export type CaseListDoc = Omit<CaseDoc, 'view'>;

/**
 * A row of the supervisors' board (`overdue`: one per case overdue now) or of the task list (`due`: one per
 * open case with a pending deadline), with only what they filter and sort by; they show the case document
 * (`cases`, same `_id`). Small rows keep the read cheap on FerretDB, which decodes and sorts every row of
 * the unit before it limits (docs/read-model.md).
 */
export interface BoardRow {
  _id: string;
  kind: CaseKind;
  level: string | null;
  orgPath: string[];
  dueAt: Date;
  /**
   * The kinds of the case's open deadlines (domain/projection.ts openDeadlineKinds): a task list shows the row to
   * those who may work towards one of them (domain/permissions.ts deadlineKindsFor). Absent on rows written before
   * it (the migration `2026-11-task-rows-due-kinds` fills them).
   */
  dueKinds?: string[];
  version: number;
}

/** One event of a case's audit trail; `_id` is `<caseId>:<version>:<index>`. */
export interface EventDoc {
  _id: string;
  caseId: string;
  kind: CaseKind;
  version: number;
  orgPath: string[];
  type: string;
  at: Date;
  actor: Actor | null;
  data: Record<string, unknown>;
}

/**
 * A notice in the outbox and its unit's inbox; `_id` is `<caseId>:<version>:n<index>` for a case's notices.
 * Written once (inserted; a retried projection writes the same fields again) and never updated after:
 * its delivery status and read state live in documents of their own (`notice_deliveries`, `notice_reads`,
 * `notice_read_marks`), each with one writer, because FerretDB v1 applies an update as read-modify-write
 * and two concurrent updates of one document can lose one another (issue 12 fix: a delivered notice shown
 * "pending" forever when its unit had a webhook and SMS).
 */
export interface NoticeDoc {
  _id: string;
  caseId: string;
  unitCode: string;
  unitName: string;
  kind: Notice['kind'];
  message: string;
  at: Date;
  /** Unused since deliveries have their own documents (kept: stored notices and writers carry it as null). */
  deliveredAt: Date | null;
  /** The one user of the unit it is for; absent: the whole unit. */
  userId?: string;
  /** The case's kind, for the inbox's link (absent on notices inserted without it). */
  caseKind?: string;
  /** Before the fix: read state and delivery on the notice (moved by the migration `2026-11-notice-state`). */
  readBy?: string[];
  deliveries?: Partial<Record<ChannelKind, DeliveryStatus>>;
}

/** One notice's delivery through one channel; `_id` `<noticeId>:<channel>`. Written only by that delivery. */
export interface NoticeDeliveryDoc extends DeliveryStatus {
  _id: string;
  noticeId: string;
  channel: ChannelKind;
  unitCode: string;
}

/** One user's having read one notice of their inbox; `_id` `<noticeId>|<unitCode>|<userId>`. Inserted only. */
export interface NoticeReadDoc {
  _id: string;
  noticeId: string;
  userId: string;
  unitCode: string;
  noticeAt: Date;
  at: Date;
}

/** One user's "all read" in one unit's inbox: notices at or before `upTo` are read; `_id` `<unitCode>|<userId>`. */
export interface NoticeReadMarkDoc {
  _id: string;
  upTo: Date;
}

/** The channels a notice is delivered through (activities/notify.ts). */
export const CHANNEL_KINDS = ['webhook', 'sms'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** One notice's delivery through one channel: `pending` while attempts go on, then `delivered` or `failed`. */
export interface DeliveryStatus {
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastError: string | null;
  /** When the status last changed. */
  at: Date;
}

/** A unit's channels, `_id` the unit code: a webhook URL, SMS numbers (staff's work phones). */
export interface UnitChannelsDoc {
  _id: string;
  webhook?: { url: string };
  sms?: { phones: string[] };
  updatedAt: Date;
  updatedBy: string;
}

/** A deadline as the projection stores it in `deadlines`: one per case deadline, `_id` `<caseId>:<key>`. */
export interface DeadlineDoc {
  _id: string;
  caseId: string;
  kind: CaseKind;
  deadlineKind: string;
  label: string;
  orgPath: string[];
  unitCode: string;
  dueAt: Date;
  /** The Asia/Shanghai month of dueAt, 'YYYY-MM': the equality key that bounds what a period's stats read. */
  dueMonth: string;
  metAt: Date | null;
  /** When it ended unmet (DeadlineRecord.endedAt); absent on documents written before it was kept. */
  endedAt?: Date | null;
  outcome: DeadlineRecord['outcome'];
  escalations: number;
  version: number;
}

// ── Public reports ──────────────────────────────────────────────────────────────────────────────

export interface ReceiptDoc {
  _id: string;
  /** The case the receipt follows: a report's id, or (issue 14) an intake's or a wish's, as `kind` says. */
  reportId: string;
  /** The village where it was filed (the QR code's). */
  unitCode: string;
  /** What the receipt follows (issue 14: one namespace for the public channel); absent: a report. */
  kind?: 'report' | 'application' | 'wish';
  createdAt: Date;
}

/** `_id` is the report id. */
export interface ContactDoc {
  _id: string;
  /** Sealed (store/pii.ts): a reporter's contact is personal data. */
  contact: string;
  createdAt: Date;
}

/** `_id` is the unit code (its input is checked by zUnitProfileInput in store/reports.ts). */
export interface UnitProfileDoc {
  _id: string;
  policies: string;
  contacts: { role: string; name: string; phone: string }[];
  updatedAt: Date;
  updatedBy: string;
}

/** A common issue (共性问题); `_id` from commonIssueId(unit, category, month). The Party-day agenda reads it. */
export interface CommonIssueDoc {
  _id: string;
  unitCode: string;
  category: string;
  month: string;
  title: string;
  reportIds: string[];
  status: 'proposed' | 'confirmed' | 'answered';
  createdAt: Date;
  answeredAt?: Date;
  /** Set when answered at a Party day. */
  answer?: string;
  answeredBy?: { role: string; name: string };
  partyDayId?: string;
}

// ── The wishing tree ────────────────────────────────────────────────────────────────────────────

export interface HelperDoc {
  _id: string;
  kind: HelperKind;
  name: string;
  unitCode: string;
  /** Materialised path of the unit the helper is registered with: lists filter by subtree. */
  orgPath: string[];
  /** A phone or other contact; sealed at rest (store/pii.ts), opened by store/wishes.ts. */
  contact: string;
  /** The login of a party member who registered themselves (or whom staff linked): they claim as this helper. */
  userId: string | null;
  createdAt: Date;
  createdBy: string;
}

/** A registered party member (domain/party-member.ts); `phone` sealed at rest. */
export interface PartyMemberDoc extends Omit<PartyMember, 'id'> {
  _id: string;
}

/** One entry of the points ledger (domain/points.ts `LedgerEntry`: append-only, `_id` the award's key; store/points.ts). */
export type PointsEntryDoc = LedgerEntry;

/** A community service task (双报到; domain/service-task.ts). */
export interface ServiceTaskDoc extends Omit<ServiceTask, 'id'> {
  _id: string;
}
/**
 * A member's claim of a task (`_id` `<taskId>:<memberId>`): `attempt` is the claim request that wrote it (a
 * random id; store/service-tasks.ts `claimSlot` filters its own writes on it), `attemptAt` when (ISO 8601).
 */
export interface ServiceClaimDoc extends Omit<ServiceClaim, 'id'> {
  _id: string;
  attempt?: string;
  attemptAt?: string;
}
/**
 * A slot of a task held by a claim (`_id` `<taskId>#<n>`, n from 1 to the task's slots): `claimId` names the
 * claim that holds it, `attempt` the claim request that holds it (a random id: only that request ever deletes
 * it; a retry taking over a crashed request's claim takes its slot over by compare-and-set), `at` when (ISO 8601).
 */
export interface ServiceSlotDoc {
  _id: string;
  taskId: string;
  memberId: string;
  claimId?: string;
  attempt?: string;
  at?: string;
}

export interface HelperPointsDoc {
  /** The wish id: one entry per fulfilled wish, so recording twice changes nothing. */
  _id: string;
  helperId: string;
  helperName: string;
  helperKind: HelperKind;
  points: number;
  wishId: string;
  publicTitle: string;
  category: WishCategory;
  unit: UnitRef;
  orgPath: string[];
  fulfilledAt: Date;
  confirmedAt: Date;
  confirmedBy: 'household' | 'staff';
  recordedAt: Date;
}

// ── Party days ──────────────────────────────────────────────────────────────────────────────────

type PartyDayItem = PartyDayRecord['items'][number];

/** A month's Party-day record as stored: times as dates, plus the workflow that owns the month. */
export interface PartyDayDoc extends Omit<PartyDayRecord, 'items' | 'scheduledAt' | 'publishedAt' | 'closedAt'> {
  items: (Omit<PartyDayItem, 'answeredAt'> & { answeredAt?: Date })[];
  scheduledAt: Date;
  publishedAt: Date;
  closedAt?: Date;
  workflowId: string;
  updatedAt: Date;
}

/** `_id` is the party-day id (`<unitCode>:<YYYY-MM>`). */
export interface PartyDayRunDoc {
  _id: string;
  workflowId: string;
  claimedAt: Date;
}

/** The run that holds a patrol cycle (`_id`: the patrol's id, domain/patrol.ts `patrolId`). */
export interface PatrolRunDoc {
  _id: string;
  workflowId: string;
  runId: string;
  claimedAt: Date;
}

export interface MigrationDoc {
  _id: string;
  description: string;
  changed: number;
  at: Date;
}

// ── The audit record (store/audit.ts) ──────────────────────────────────────────────────────────

/**
 * One audited request: a mutating request (POST/PUT/PATCH/DELETE, whatever its outcome) or a read whose
 * answer held unmasked personal data. `_id` is `<ISO time>~<random>`, so id order is time order.
 */
export interface AuditDoc {
  _id: string;
  at: Date;
  /** The request's x-request-id. */
  requestId: string;
  /** Who: null when the request carried no valid token (a public route, a 401). */
  user: { id: string; role: string; unit: string; unitPath: string[] } | null;
  /** The client's address as the API saw it (TRUST_PROXY applied). */
  ip: string;
  method: string;
  /** The route's pattern, `POST /v1/alerts/:id/visits` (the path without query when no route matched). */
  route: string;
  /** The matrix cell the route names (`alert.recordVisit`), or `public` / `none` for an unguarded route. */
  action: string;
  /** Why it is audited. */
  reason: 'mutation' | 'personal_data_read';
  /** Whether the answer held unmasked personal data. */
  personalData: boolean;
  caseIds: string[];
  householdIds: string[];
  /**
   * Issue 14 (privacy by need): for a caller below town level, each household whose personal fields the answer
   * showed in full, which fields (`name`, `address`, `phone`; never `id_number`) and why (`village_staff`,
   * `grid_worker`, `paired_member`, `assigned_visitor`). Absent when none (and on records from before).
   */
  disclosures?: { householdId: string; fields: string[]; basis: string }[];
  /** A sign-in without a principal (a failure): the login attempted, as normalised (trimmed, lowercased; never the password). Absent otherwise. */
  attemptedLogin?: string;
  /**
   * A register search by a person (GET /v1/households?name=…/idNumber=…): the name as queried, the ID number
   * masked with its blind index (store/pii.ts idNumberKey: matched against the register, never stored plain).
   * Absent for other requests. Ours (the fresh-eyes pass on issue 14).
   */
  search?: { name?: string; idNumberMasked?: string; idNumberKey?: string };
  outcome: { status: number; code: string | null };
}

/** An intake's applicant (store/intakes.ts): each field sealed (store/pii.ts). `_id` is the intake id. */
export interface IntakeApplicantDoc {
  _id: string;
  applicantName: string;
  idNumber: string;
  phone: string;
  address: string;
  createdAt: Date;
}

/** A discovery's household not yet in the register (store/discoveries.ts): each field sealed (store/pii.ts). */
export interface DiscoveryHouseholdDoc {
  _id: string;
  name: string;
  address: string;
  phone: string | null;
  createdAt: Date;
}

/** One link between two cases (issue 13: a discovery and the case its decision opened or raised; a patrol and a discovery it found). */
export interface CaseLinkDoc {
  _id: string;
  from: string;
  fromKind: CaseKind;
  to: string;
  toKind: CaseKind;
  /**
   * What the link means, from `from`'s side: `outcome` (the case the decision led to); `patrol_finding` (a
   * patrol → a discovery its record cited, or that was reported from it).
   */
  relation: 'outcome' | 'patrol_finding';
  at: Date;
}

/**
 * A staff user (store/users.ts): `_id` the login. `phone` sealed (store/pii.ts); `passwordHash` argon2id
 * (null for a user who signs in only through OIDC). The lockout's state is in `signInAttempts`
 * (store/users.ts `reserveSignInAttempt`): `lockedUntil` here is a copy for the admin's screen, and `failures`
 * is no longer written (always emptied).
 */
export interface UserDoc {
  _id: string;
  name: string;
  role: Role;
  unitCode: string;
  orgPath: string[];
  phone: string | null;
  status: 'active' | 'disabled';
  source: 'local' | 'oidc';
  passwordHash: string | null;
  mustChangePassword: boolean;
  passwordChangedAt: Date | null;
  failures: Date[];
  lockedUntil: Date | null;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  updatedBy: string;
}

/**
 * A sign-in session (store/sessions.ts): `_id` the session id. `refreshHash` the SHA-256 of the current
 * refresh token; `usedHashes` the ones rotated away (presenting one again revokes the session).
 */
export interface SessionDoc {
  _id: string;
  userId: string;
  via: 'password' | 'oidc';
  refreshHash: string;
  usedHashes: string[];
  createdAt: Date;
  lastUsedAt: Date;
  idleExpiresAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  revokedReason: string | null;
  /** The refresh token rotated away last (its hash) and when: answered within the grace window (api/accounts.ts `rotateSession`). Absent on sessions from before. */
  previousHash?: string | null;
  rotatedAt?: Date | null;
}

/** A refresh token rotated away (`_id` its SHA-256) by session `sid` at `at`; kept until the session's `expiresAt`. */
export interface RefreshClaimDoc {
  _id: string;
  sid: string;
  at: Date;
  expiresAt: Date;
}

/**
 * One reserved sign-in attempt of a login (`_id` `<login>|<slot>`, slot 0 … maxFailures − 1), or its lock
 * (`_id` `<login>|lock`): store/users.ts `reserveSignInAttempt`. `expiresAt` the end of the slot's window
 * or of the lock.
 */
export interface SignInAttemptDoc {
  _id: string;
  login: string;
  kind: 'slot' | 'lock';
  at: Date;
  expiresAt: Date;
}

/** The document type of each collection, by its key in COLLECTIONS. */
interface Documents {
  orgUnits: OrgUnitDoc;
  households: StoredHouseholdDoc;
  idNumberClaims: IdNumberClaimDoc;
  calendars: CalendarYearDoc;
  catalogue: CatalogueDoc;
  relatives: RelativeDoc;
  cases: CaseDoc;
  overdue: BoardRow;
  due: BoardRow;
  events: EventDoc;
  deadlines: DeadlineDoc;
  notifications: NoticeDoc;
  unitChannels: UnitChannelsDoc;
  noticeDeliveries: NoticeDeliveryDoc;
  noticeReads: NoticeReadDoc;
  noticeReadMarks: NoticeReadMarkDoc;
  receipts: ReceiptDoc;
  contacts: ContactDoc;
  unitProfiles: UnitProfileDoc;
  discoveryHouseholds: DiscoveryHouseholdDoc;
  intakeApplicants: IntakeApplicantDoc;
  caseLinks: CaseLinkDoc;
  commonIssues: CommonIssueDoc;
  helpers: HelperDoc;
  helperPoints: HelperPointsDoc;
  partyMembers: PartyMemberDoc;
  pointsLedger: PointsEntryDoc;
  serviceTasks: ServiceTaskDoc;
  serviceClaims: ServiceClaimDoc;
  serviceSlots: ServiceSlotDoc;
  partyDays: PartyDayDoc;
  partyDayRuns: PartyDayRunDoc;
  patrolRuns: PatrolRunDoc;
  supervisionRecords: SupervisionRecordDoc;
  migrations: MigrationDoc;
  audit: AuditDoc;
  users: UserDoc;
  sessions: SessionDoc;
  signInAttempts: SignInAttemptDoc;
  refreshClaims: RefreshClaimDoc;
}

// ── Supervision ─────────────────────────────────────────────────────────────────────────────────

/**
 * A unit's figures at one moment, from the deadlines of its subtree due in a period (store/supervision.ts
 * `unitFigures`): what a summons or circular records as it stood then.
 */
export interface UnitFigures {
  unitCode: string;
  unitName: string;
  /** The period, [from, to) as ISO instants. */
  from: string;
  to: string;
  /**
   * Deadlines due in the period that count as due at the moment (domain/on-time.ts): met, open past due, ended
   * past due, or ended early without handling; not those open and not yet due, nor those superseded before due.
   */
  due: number;
  onTime: number;
  late: number;
  /** Ended early without their requirement (closed without handling). */
  unhandled: number;
  /** Still pending after their due time at the moment. */
  openOverdue: number;
  /** Ended past their due time without being met (逾期未办结束); absent on records made before it was counted. */
  overdueClosed?: number;
  /** Escalations the period's deadlines caused. */
  escalations: number;
  asOf: string;
}

/** A summons (约谈) or a circular (通报), `_id` `<kind>-<city>-<key>`: append-only, never updated. */
export interface SupervisionRecordDoc {
  _id: string;
  kind: 'summons' | 'circular';
  /** The units it names (summoned, or named in the circular), with their paths for jurisdiction. */
  units: { code: string; name: string; level: string; path: string[] }[];
  /** Every code on the units' paths: a unit reads the records naming it or a unit below it. */
  orgPaths: string[];
  reason: string;
  linkedCaseIds: string[];
  linkedOrderIds: string[];
  figures: UnitFigures[];
  /** The follow-up actions, each a supervision order (督办单) to one named unit. */
  actions: { unitCode: string; requirement: string; replyBy: Date; orderId: string }[];
  /** The record this one corrects, if any. */
  corrects: string | null;
  createdAt: Date;
  createdBy: Actor;
}

/** Every collection, typed: `collections(db).cases` is a `Collection<CaseDoc>`. */
export type Collections = { readonly [K in CollectionKey]: Collection<Documents[K]> };

const byDb = new WeakMap<Db, Collections>();

/**
 * The typed collections of a database (made once per Db; a Collection is a cheap handle that opens
 * nothing). For store/ only.
 */
export function collections(db: Db): Collections {
  let found = byDb.get(db);
  if (!found) {
    found = Object.fromEntries(Object.entries(COLLECTIONS).map(([key, name]) => [key, db.collection(name)])) as unknown as Collections;
    byDb.set(db, found);
  }
  return found;
}
