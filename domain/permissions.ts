import { isWithin, ORG_LEVELS } from './org';
import { ROLES, type Role } from './roles';

/**
 * Who may do what: one matrix `subject × action → roles`, for the five case kinds and the other resources
 * the API guards. The workflows' step tables (domain/application.ts, report.ts, wish.ts) take their
 * `roles` from here; the API's route guard (api/guard.ts) checks every route against it; the OpenAPI
 * summaries name its roles; `GET /v1/me` lists the caller's actions from it, so the web asks instead of
 * copying.
 *
 * Rules around the matrix (ours unless a source is named):
 * - `admin` may do every action (the system administrator stands in for any role). An action whose
 *   `roles` is empty is therefore admin-only.
 * - `read` is the one reading action; every other action writes. A role with no writing action outside
 *   supervision (SUPERVISION_SUBJECTS) is read-only: the city monitor reads every case and acts on none; its
 *   one writing power is supervision — it issues supervision orders (督办单) and records summons (约谈) and
 *   circulars (通报), since the seed gives the city 督导检查、跟踪问效 and 约谈、通报 (四(二); issue 12).
 * - Jurisdiction (see `inJurisdiction`) applies on top of the roles: a user acts within the subtree of their
 *   own unit (DOMAIN.md, organisation tree); a city monitor reads everywhere (seed 四(二) 市级加强督导检查).
 * - A writing action on a case needs the case open (the route guard answers 409 on a closed one).
 * - Jurisdiction follows the target's *current* unit on every path that reaches it: a case reassigned to
 *   another town is out of the first town's reach through its own routes and through a start that lands on
 *   it (update-with-start); the workflows' validators check the actor's reach against the case's unit too.
 * - A cell with `scope: 'city'` acts on something the whole city shares (the catalogue, the holiday
 *   calendar): the role is not enough, the caller's unit must be the city itself — an admin scoped to a
 *   village administers its village, not the city's reference data. Ours: a write never reaches wider than
 *   the caller's unit (`scopedTargetOf`).
 *
 * The step names of the step tables are the action names here; test/domain/permissions.test.ts checks
 * that every step has its entry and that the tables hold these very lists.
 */

/** One cell of the matrix: the roles allowed besides admin, and where the rule comes from. */
export interface Permission {
  roles: readonly Role[];
  /** "seed 三(三)一 …" (the Weihai plan, ../shared/seed), a national text, or "ours". */
  source: string;
  /** `city`: the action's target is city-wide (see the module comment); absent: the route names its target. */
  scope?: 'city';
}

const allow = (roles: readonly Role[], source: string, scope?: 'city'): Permission => ({ roles, source, ...(scope ? { scope } : {}) });

/** Every role (admin is implied) reads within its reach. */
const EVERYONE: readonly Role[] = ROLES.filter((role) => role !== 'admin');
/** Staff who work cases from the grid to the district (no party members, no monitor). */
const CASE_WORKERS: readonly Role[] = ['grid_worker', 'village_staff', 'town_staff', 'town_supervisor', 'district_staff'];
/** Village staff and above, up to the district. */
const VILLAGE_UP: readonly Role[] = ['village_staff', 'town_staff', 'town_supervisor', 'district_staff'];
const VILLAGE_AND_TOWN: readonly Role[] = ['village_staff', 'town_staff', 'town_supervisor'];
const TOWN: readonly Role[] = ['town_staff', 'town_supervisor'];
/** Staff from the grid to the town: those who post and record a wish's steps. */
const WISH_STAFF: readonly Role[] = ['grid_worker', 'village_staff', 'town_staff', 'town_supervisor'];
const ADMIN_ONLY: readonly Role[] = [];

const READ = allow(EVERYONE, 'DOMAIN.md: every user reads within their subtree; seed 四(二): the city reviews everything');

export const PERMISSIONS = {
  alert: {
    read: READ,
    start: allow(CASE_WORKERS, 'seed 三(三)一: monitoring raises alerts that the village and town act on; ours: grid workers and staff up to the district'),
    acknowledge: allow(CASE_WORKERS, 'seed 三(三)一: 红色预警24小时受理处置; ours: grid workers and staff up to the district'),
    recordVisit: allow([...CASE_WORKERS, 'party_member'], 'seed 三(三)一: 橙色预警72小时走访慰问, 黄色预警每周探访; seed 三(二): party members (党员) visit households in difficulty (issue 12)'),
    changeLevel: allow(CASE_WORKERS, 'seed 三(三)一: the colour follows the household’s profile; ours: changed by those who work the alert; issue 12: lowering a red or orange alert is for the town supervisor and above, others request it (domain/alert.ts checkDirect)'),
    close: allow(CASE_WORKERS, 'ours: whoever works the alert closes it with a reason; issue 12: before its requirement is met only the town supervisor and above, others request it (domain/alert.ts checkDirect)'),
    request: allow(CASE_WORKERS, 'ours (issue 12, no quiet defusing): those who work the alert request a lowering or an early closure'),
    decide: allow(['town_supervisor', 'district_staff'], 'ours (issue 12): the town approves or refuses (seed 三(三)一 督导镇(街道)及时介入); ours: the town supervisor, and the district above it'),
    dispose: allow(CASE_WORKERS, 'seed 三(三)一: 红色预警24小时受理处置 (the disposition, issue 12); ours: those who work the alert'),
    reassign: allow(['town_staff', 'town_supervisor', 'district_staff'], 'ours: moving responsibility is supervisory (town and district, seed 三(三)一 督导镇(街道))'),
    repolicy: allow(ADMIN_ONLY, 'ours: applying a new policy to a running case is an audited admin act'),
    assignVisitor: allow(VILLAGE_UP, 'ours (issue 14): the village and those above it name who visits the household (a grid worker, party member or village staff of its village)'),
  },
  application: {
    read: READ,
    start: allow(VILLAGE_AND_TOWN, 'seed 三(一)二: the town accepts at one door (一门受理); the village files on a household’s behalf (帮办代办)'),
    acceptance: allow(TOWN, 'seed 三(一)二: 镇(街道)…申请受理'),
    supplements: allow(VILLAGE_AND_TOWN, 'seed 三(一)二: the village helps (帮办代办), the town accepts'),
    verificationResult: allow(TOWN, 'ours: the town records a department’s answer where there is no data feed'),
    investigation: allow(VILLAGE_AND_TOWN, 'seed 三(一)二: 镇(街道)入户调查; 村(社区)调查评议'),
    deliberation: allow(VILLAGE_AND_TOWN, 'seed 三(一)二: 村(社区)调查评议'),
    review: allow(TOWN, 'seed 三(一)二: 镇(街道)审核确认'),
    objection: allow(CASE_WORKERS, 'ours: anyone working cases records an objection raised during the notice (公示)'),
    approval: allow(['district_staff'], '民发〔2021〕57号 as DOMAIN.md states it: the district approves or confirms'),
    extension: allow(['town_supervisor', 'district_staff'], 'DOMAIN.md (older provincial scheme): the town supervisor extends the review, the district its approval'),
    withdrawal: allow(VILLAGE_AND_TOWN, 'ours: recorded by the staff who filed or accepted it'),
    reReview: allow(TOWN, 'DOMAIN.md: recipients are reviewed again yearly or half-yearly, by the town (seed 三(一)二 日常监督管理)'),
  },
  report: {
    read: READ,
    acknowledgement: allow(VILLAGE_UP, 'seed 三(三)三: 对于群众发现问题或举报事项…积极调查回应; ours: village staff and above'),
    answer: allow(VILLAGE_UP, 'seed 三(三)三: 积极调查回应'),
    commonIssue: allow(['town_staff', 'village_staff'], 'seed 三(三)三: common issues are answered on the Party day; the village and its town mark them'),
  },
  wish: {
    read: READ,
    post: allow(WISH_STAFF, 'seed 三(三)二: 可由镇(街道)、村(社区)民政工作人员协助申请; ours: grid workers too'),
    screening: allow(TOWN, 'seed 三(三)二: 镇(街道)…对帮扶活动全程监督负责'),
    claim: allow([...WISH_STAFF, 'party_member'], 'seed 三(三)二: 党员、志愿者…认领帮扶需求 (a party member as their own helper; staff for the others)'),
    release: allow([...WISH_STAFF, 'party_member'], 'ours: the claimant, or staff for them'),
    fulfilment: allow([...WISH_STAFF, 'party_member'], 'ours: the claimant, or staff for them'),
    confirmation: allow(WISH_STAFF, 'ours: staff record the household’s confirmation (households have no login)'),
    withdrawal: allow(WISH_STAFF, 'ours: staff withdraw for the household'),
  },
  party_day: {
    read: READ,
    schedule: allow(VILLAGE_AND_TOWN, 'seed 三(三)三: 每月党员活动日; ours: the village and its town set, pause and resume the day'),
    answer: allow(['village_staff', 'town_staff'], 'seed 三(三)三: 由村(社区)“两委”成员和民政协理员现场…做出答复 (recorded by village or town staff)'),
  },
  /**
   * Supervision orders (督办单, issue 12). The district makes towns step in (seed 四(二) 区市…督导镇(街道)及时介入),
   * the city inspects and follows up (市级…督导检查、跟踪问效): district staff and the city monitor issue and
   * decide on replies — only the issuing unit decides (domain/order.ts). The ordered unit's staff reply.
   */
  order: {
    read: READ,
    issue: allow(['district_staff', 'city_monitor'], 'seed 四(二): 区市督导镇(街道)及时介入; 市级督导检查、跟踪问效 (the city monitor’s writing power is supervision: ours)'),
    reply: allow(['village_staff', 'town_staff', 'town_supervisor', 'district_staff'], 'seed 四(二): the supervised unit answers (反馈); ours: its staff and supervisor, village to district'),
    accept: allow(['district_staff', 'city_monitor'], 'seed 四(二) 跟踪问效; ours: the issuing unit accepts the reply'),
    sendBack: allow(['district_staff', 'city_monitor'], 'seed 四(二) 跟踪问效; ours: the issuing unit returns a reply for more'),
  },
  /** Summons (约谈) recorded by the city against units, with their follow-up orders. */
  summons: {
    read: READ,
    record: allow(['city_monitor'], 'seed 四(二): 对工作不力的…约谈、通报 by the city; ours: recorded by the city monitor at the city', 'city'),
  },
  /** Circulars (通报) the city publishes to the units they name. */
  circular: {
    read: READ,
    record: allow(['city_monitor'], 'seed 四(二): 对工作不力的…约谈、通报 by the city; ours: recorded by the city monitor at the city', 'city'),
  },
  /**
   * The party-member register (党员名册, issue 13; seed 三(二)). The village's organisation keeps its members;
   * the community registers in-service members (双报到). A member sets their own public consent (三亮).
   */
  party_member: {
    read: READ,
    register: allow(VILLAGE_UP, 'seed 三(二)二: 村(社区)“两委”、党员、入党积极分子、后备干部 (the village’s organisation keeps its register); seed 三(二)四 双报到: the community registers in-service members; ours: village staff and above'),
    edit: allow(VILLAGE_UP, 'ours: the register’s keepers correct it'),
    consent: allow(['party_member', ...VILLAGE_UP], 'ours (PIPL Art. 14: consent to be shown publicly): the member themselves, or staff recording it'),
  },
  /** The points ledger (党员积分制, seed 三(二)一): awards from events are written by the system; staff record the rest and reverse with a reason. */
  points: {
    read: READ,
    award: allow(VILLAGE_AND_TOWN, 'seed 三(二)一 党员积分制、三亮行动: recorded by the village’s organisation; ours: village and town staff'),
    reverse: allow(VILLAGE_AND_TOWN, 'ours: a counter-entry with a reason, by the staff who keep the ledger'),
  },
  /** Community tasks for in-service members (双报到, seed 三(二)四): posted by the community, claimed, hours confirmed. */
  service_task: {
    read: READ,
    post: allow(VILLAGE_AND_TOWN, 'seed 三(二)四: 镇(街道)要全面整合在职党员力量; ours: the community and its town post tasks'),
    claim: allow(['party_member'], 'seed 三(二)四: 鼓励其利用自身特长，参与到困难群众救助帮扶活动之中 (the member claims for themselves)'),
    hours: allow(['party_member', ...VILLAGE_AND_TOWN], 'ours: the member records their hours, or staff for them'),
    confirm: allow(VILLAGE_AND_TOWN, 'issue 13: hours are confirmed by the community; ours: its town too'),
  },
  /** Pairing (党员帮包, 党员联四邻, seed 三(二)二), one case per qualifying household. */
  pairing: {
    read: READ,
    assign: allow(VILLAGE_AND_TOWN, 'seed 三(二)二: 以村(社区)网格为基础…建立帮包制度 (the village pairs; ours: its town too)'),
    contact: allow(['party_member', 'grid_worker', ...VILLAGE_AND_TOWN], 'seed 三(二)二: 点对点、面对面的救助帮扶联系 (the paired member; ours: staff record for them)'),
    end: allow(VILLAGE_AND_TOWN, 'ours: the village ends a pairing when the household no longer qualifies or leaves'),
  },
  /** Active discovery (主动发现, seed 三(二)三): anyone in the field reports; the town assesses and decides. */
  discovery: {
    read: READ,
    report: allow([...CASE_WORKERS, 'party_member'], 'seed 三(二)三: 使每一名党员都成为…“瞭望员”和“吹哨人”; 一旦发现…主动上报镇(街道) (members, grid workers, staff)'),
    decide: allow(TOWN, 'seed 三(二)三: 主动上报镇(街道)，符合条件的，应及时予以救助 (the town decides)'),
  },
  /** Application intake (申请受理, issue 14): filed by the public through a village's QR page; the town accepts or returns it. */
  intake: {
    read: READ,
    accept: allow(TOWN, '最低生活保障审核确认办法 (民发〔2021〕57号): 乡镇人民政府(街道办事处)…材料齐备的，予以受理 (the town accepts)'),
    return: allow(TOWN, '最低生活保障审核确认办法 (民发〔2021〕57号): 材料不齐备的，应当一次性告知申请人…补齐所有规定材料 (the town returns, saying what is missing)'),
  },
  /** Patrols (巡查, seed 三(二)三 村(社区)党组织定期开展巡查): a village's plan and each cycle's record. */
  patrol: {
    read: READ,
    plan: allow(VILLAGE_AND_TOWN, 'seed 三(二)三: 村(社区)党组织定期开展巡查 (the village plans; ours: its town too)'),
    record: allow(['party_member', 'grid_worker', ...VILLAGE_AND_TOWN], 'seed 三(二)三: 定期开展巡查 (who patrolled records it)'),
  },
  /** The lists of cases of every kind: the board, the task list, the case and its escalations. */
  cases: { read: READ },
  households: {
    read: READ,
    register: allow(CASE_WORKERS, 'ours: those who find households register them'),
    /** A household's recipient categories (低保, 特困 …): whether it is paired (党员帮包) follows them (issue 13). */
    categories: allow(VILLAGE_AND_TOWN, 'ours: the village records the categories as decided (a household that stops qualifying ends its pairing, so the same roles as pairing.end)'),
    /** Corrections to a registered household: its address, phone and members (issue 14). */
    edit: allow(VILLAGE_AND_TOWN, 'ours: the village that registers and visits its households keeps them current, and its town'),
  },
  /**
   * Close-relative declarations (近亲属备案): one's own, of a household within one's jurisdiction — the steps
   * a declaration bars (investigate, deliberate, review, approve …) are steps the declarer can take only
   * there, and a declaration flags the household's later applications, which nobody outside may do.
   */
  relatives: {
    read: READ,
    declare: allow(
      ['grid_worker', 'party_member', 'village_staff', 'town_staff', 'town_supervisor', 'district_staff'],
      'DOMAIN.md: the county visits cases of staff’s relatives (近亲属备案), the recusal (回避) of staff with close relatives; ours: a monitor acts on no case, and one declares only households within one’s jurisdiction',
    ),
  },
  helpers: {
    read: READ,
    register: allow(['party_member', ...VILLAGE_UP], 'seed 三(三)二: 广泛发动…社会力量参与; ours: village staff and above register helpers, a party member themselves'),
  },
  catalogue: { read: READ, edit: allow(ADMIN_ONLY, 'ours: the city-wide "9+N+1" catalogue (DOMAIN.md) is kept by a city admin', 'city') },
  calendar: { read: READ, edit: allow(ADMIN_ONLY, 'ours: the city-wide holiday calendar (State Council notice) is kept by a city admin', 'city') },
  /** The profile behind a village's public QR page. */
  unit_profile: { read: READ, edit: allow(VILLAGE_UP, 'seed 三(三)三: 各区市…定期更新公开内容, 各镇(街道)…维护; ours: village staff and above') },
  /** The org tree and who one is. */
  org: {
    read: READ,
    /** Add a unit below one in reach, rename one (docs/admin.md); codes never change. */
    edit: allow(ADMIN_ONLY, 'ours: the org tree is kept by an admin, within the admin’s own subtree (a new grid, a renamed community)'),
  },
  /** On-time figures (考核). */
  stats: { read: READ },
  /**
   * The yearly assessment (考核) and the monthly progress report (定期调度) with their exports and drill-down
   * (docs/assessment.md): the district and the city assess the units below them, a town reads its own villages'.
   */
  assessment: {
    read: allow(
      [...TOWN, 'district_staff', 'city_monitor'],
      'seed 三(一)三: 定期调度工作进展，年底对相关工作情况进行考核; seed 四(二): the city inspects and follows up (督导检查、跟踪问效); ours: the town reads its own villages’ figures, the village and the grid do not assess',
    ),
  },
  /**
   * Notices (docs/notifications.md): each user reads their unit's inbox and the notices addressed to them —
   * never another unit's, not even below (a supervisor sees what reached its own unit). Marking one's own
   * notices read changes only one's own read state, no case or record: it is part of reading, so the
   * read-only city monitor marks its inbox too. Where a unit's notices are delivered is an admin's setting.
   */
  notification: {
    read: allow(EVERYONE, 'ours: one’s own unit’s inbox and one’s own notices (issue 12: notices that arrive)'),
    channels: allow(ADMIN_ONLY, 'ours: a unit’s delivery channels (webhook, SMS) are set by an admin whose unit reaches it'),
  },
  /** The audit record (docs/audit.md): who did what, and who read unmasked personal data. */
  audit: { read: allow(['city_monitor'], '网络安全法 Art. 21(3) and PIPL Art. 51 (records kept and reviewed); ours: the city monitor (seed 四(二) 市级加强督导检查) and admins read it') },
  /**
   * The codec server (api/routes/codec.ts): decoding Temporal payloads shows personal data unmasked, so only
   * the district and the city monitor (and admins, who run the Temporal UI) — `read` covers /decode and /encode.
   */
  temporal_payloads: { read: allow(['district_staff', 'city_monitor'], 'ours: decoded workflow payloads hold unmasked personal data (PIPL Art. 28/51); operators at district level and above') },
  /**
   * Staff users (issue 14 item 2, docs/accounts.md): an admin creates, reads, edits (role, unit, name, phone,
   * disable/enable) and resets the password of the users of their own unit's subtree.
   */
  user: {
    read: allow(ADMIN_ONLY, 'ours: accounts are kept by an admin; GB/T 22239-2019 8.1.4.2 访问控制 (应对登录的用户分配账户和权限)'),
    create: allow(ADMIN_ONLY, 'ours: GB/T 22239-2019 8.1.4.2 a) (应对登录的用户分配账户和权限)'),
    edit: allow(ADMIN_ONLY, 'ours: GB/T 22239-2019 8.1.4.2 c) (应及时删除或停用多余的、过期的账户)'),
    reset: allow(ADMIN_ONLY, 'ours: an admin sets a temporary password the user must change (GB/T 22239-2019 8.1.4.1 a)'),
  },
  /** One's own account: everyone signed in changes their own password. */
  account: { password: allow(EVERYONE, 'ours: GB/T 22239-2019 8.1.4.1 a) 身份鉴别信息…定期更换 (everyone changes their own)') },
} as const satisfies Record<string, Record<string, Permission>>;

export type Subject = keyof typeof PERMISSIONS;
export type ActionOf<S extends Subject> = keyof (typeof PERMISSIONS)[S] & string;
export const SUBJECTS = Object.keys(PERMISSIONS) as Subject[];

/** The matrix cell of `subject.action`, or undefined when the matrix has no such action. */
export function permissionOf(subject: string, action: string): Permission | undefined {
  const row = (PERMISSIONS as Record<string, Record<string, Permission>>)[subject];
  return row && Object.hasOwn(row, action) ? row[action] : undefined;
}

/** Whether `role` may take `action` on `subject` (false for an action the matrix does not have). */
export function can(role: Role, subject: string, action: string): boolean {
  const cell = permissionOf(subject, action);
  if (!cell) return false;
  return role === 'admin' || cell.roles.includes(role);
}

/** The roles that may take an action, admin included, in the order of ROLES; empty for an unknown action. */
export function rolesFor(subject: string, action: string): Role[] {
  return ROLES.filter((role) => can(role, subject, action));
}

/** Every action a role may take, per subject (subjects where it may do nothing are left out). */
export function actionsFor(role: Role): Partial<Record<Subject, string[]>> {
  const out: Partial<Record<Subject, string[]>> = {};
  for (const subject of SUBJECTS) {
    const actions = Object.keys(PERMISSIONS[subject]).filter((action) => can(role, subject, action));
    if (actions.length > 0) out[subject] = actions;
  }
  return out;
}

/**
 * The matrix cells whose steps meet each kind of deadline (`<case kind>.<name>`, domain/deadline-book.ts): who
 * can work towards it. A deadline that spans several steps lists each (an application's town review runs
 * through the village's investigation and deliberation to the town's opinion). The task list shows a case to
 * those who may take one of the steps its open deadlines wait for (`deadlineKindsFor`), so that no one is
 * given a task only another level may do (a village is not tasked with the town's screening). Source: ours,
 * from each kind's rules (docs/<kind>.md); test/domain/permissions.test.ts holds it to the matrix and to every
 * deadline kind.
 */
export const DEADLINE_ACTIONS: Readonly<Record<string, readonly (readonly [Subject, string])[]>> = {
  // Red: 受理, a visit and a disposition; orange and yellow: visits (domain/alert.ts requirementMet).
  'alert.red': [['alert', 'acknowledge'], ['alert', 'recordVisit'], ['alert', 'dispose']],
  'alert.orange': [['alert', 'recordVisit']],
  'alert.yellow': [['alert', 'recordVisit']],
  'alert.revisit': [['alert', 'recordVisit']],
  'alert.decision': [['alert', 'dispose']],
  'alert.approval': [['alert', 'decide']],
  'application.acceptance': [['application', 'acceptance']],
  'application.supplements': [['application', 'supplements']],
  'application.town_review': [['application', 'verificationResult'], ['application', 'investigation'], ['application', 'deliberation'], ['application', 'review']],
  'application.district_approval': [['application', 'approval']],
  'application.objection': [['application', 'verificationResult'], ['application', 'review'], ['application', 'approval']],
  'application.re_review': [['application', 'reReview']],
  'report.acknowledge': [['report', 'acknowledgement']],
  'report.answer': [['report', 'answer']],
  'wish.screening': [['wish', 'screening']],
  'wish.claim': [['wish', 'claim']],
  'wish.fulfilment': [['wish', 'fulfilment']],
  'party_day.answers': [['party_day', 'answer']],
  'order.reply': [['order', 'reply']],
  'pairing.assign': [['pairing', 'assign']],
  'pairing.contact': [['pairing', 'contact']],
  'discovery.assess': [['discovery', 'decide']],
  'intake.accept': [['intake', 'accept'], ['intake', 'return']],
  'patrol.record': [['patrol', 'record']],
};

/**
 * A deadline that spans several steps, by the stage its case is at: the one step open then (`<kind>@<stage>`).
 * An application's town-review deadline runs from acceptance through the check, the village's investigation and
 * deliberation to the town's opinion (domain/application.ts); at `town_review` only the town can meet it, so the
 * village is not tasked with it then (fresh-eyes on issue 14). A stage not listed keeps the kind's whole list.
 * Source: ours, from docs/applications.md.
 */
export const STAGE_DEADLINE_ACTIONS: Readonly<Record<string, readonly (readonly [Subject, string])[]>> = {
  'application.town_review@verification': [['application', 'verificationResult']],
  'application.town_review@investigation': [['application', 'investigation']],
  'application.town_review@deliberation': [['application', 'deliberation']],
  'application.town_review@town_review': [['application', 'review']],
};

/** The key a task row carries for an open deadline of `kind` on a case at `stage`: `<kind>@<stage>` when STAGE_DEADLINE_ACTIONS names it, else the kind. */
export function dueTaskKey(kind: string, stage: string | undefined): string {
  const qualified = stage === undefined ? undefined : `${kind}@${stage}`;
  return qualified !== undefined && qualified in STAGE_DEADLINE_ACTIONS ? qualified : kind;
}

/**
 * The task keys `role` may work towards (DEADLINE_ACTIONS and STAGE_DEADLINE_ACTIONS, by `can`): what its task
 * list shows; null for a role that may take every step (admin), whose list is not narrowed.
 */
export function deadlineKindsFor(role: Role): string[] | null {
  const table = { ...DEADLINE_ACTIONS, ...STAGE_DEADLINE_ACTIONS };
  const kinds = Object.keys(table);
  const mine = kinds.filter((kind) => table[kind]!.some(([subject, action]) => can(role, subject, action)));
  return mine.length === kinds.length ? null : mine;
}

/** `read` reads; every other action writes. */
export const isWriting = (action: string): boolean => action !== 'read';

/** The subjects of supervision (issue 12): a role whose only writing actions are here is still read-only on cases. */
export const SUPERVISION_SUBJECTS: readonly Subject[] = ['order', 'summons', 'circular'];

/**
 * A role with no writing action in the matrix outside supervision (SUPERVISION_SUBJECTS) and its own account
 * (OWN_ACCOUNT_SUBJECTS): it reads the whole
 * city and acts on no case (the city monitor; its supervision is the one exception, see the module comment).
 */
export function isReadOnly(role: Role): boolean {
  return Object.entries(actionsFor(role)).every(([subject, actions]) => SUPERVISION_SUBJECTS.includes(subject as Subject) || OWN_ACCOUNT_SUBJECTS.includes(subject as Subject) || actions.every((a) => !isWriting(a)));
}

/** One's own account (issue 14): changing one's own password writes nothing of the work, so a read-only role keeps it. */
export const OWN_ACCOUNT_SUBJECTS: readonly Subject[] = ['account'];

/**
 * Whether a target (its materialised org path, root first) lies in the caller's jurisdiction for an
 * action: within the subtree of the caller's unit; for reading, a city monitor's reach is the whole tree.
 * Source: DOMAIN.md ("a user acts within the subtree of their own unit"); seed 四(二) for the monitor.
 */
export function inJurisdiction(role: Role, unitCode: string, targetPath: readonly string[], action: string): boolean {
  if (role === 'city_monitor' && !isWriting(action)) return true;
  return isWithin(targetPath, unitCode);
}

/**
 * The org path of what `subject.action` acts on when its cell has a scope (`city`: the root of the tree,
 * `cityPath` the caller's city — the first code of their unit's path), else undefined (the route names
 * its target). Checked with `inJurisdiction` like any target, so only a caller at the city reaches it.
 * Source: ours (see the module comment).
 */
/**
 * Issue 14: an alert reached beyond the caller's subtree — by its assigned visitor (to read it and record its
 * visit), and for reading by a grid worker whose grid holds the household (`householdPath`: the household's
 * org path, or null when not read). An alert's path stops at the village, so a grid-scoped token does not
 * reach it otherwise. Source: ours, issue 14.
 */
export function reachesAlertByNeed(actor: { userId: string; role: Role; unitCode: string; unitPath?: readonly string[] }, alert: { visitorUserId: string | null; householdPath: readonly string[] | null }, action: string): boolean {
  if (alert.visitorUserId !== null && alert.visitorUserId === actor.userId && (action === 'read' || action === 'recordVisit')) return true;
  return actor.role === 'grid_worker' && action === 'read' && ((alert.householdPath?.includes(actor.unitCode) ?? false) || gridWorkerReachesVillageHousehold(actor, alert.householdPath));
}

/**
 * Issue 14 (its fresh-eyes pass): a household registered at the village itself (no grid: its org path ends at
 * the village, 市 → 区市 → 镇 → 村) is read by a grid worker of that village — a grid in it — as privacy by need
 * shows it to them (domain/privacy.ts disclosureFor: someone must visit it; the same fallback as a pairing's
 * member). `actor.unitPath`: the grid worker's unit path, root first. Source: ours.
 */
export function gridWorkerReachesVillageHousehold(actor: { role: Role; unitPath?: readonly string[] }, householdPath: readonly string[] | null): boolean {
  if (actor.role !== 'grid_worker' || !actor.unitPath || householdPath === null || householdPath.length !== VILLAGE_DEPTH) return false;
  return actor.unitPath.includes(householdPath[VILLAGE_DEPTH - 1]!);
}
/** The length of a village's org path (市, 区市, 镇(街道), 村(社区)). */
const VILLAGE_DEPTH = ORG_LEVELS.indexOf('village') + 1;

export function scopedTargetOf(subject: string, action: string, cityCode: string): string[] | undefined {
  return permissionOf(subject, action)?.scope === 'city' ? [cityCode] : undefined;
}
