// Every string the workspace shows, in Chinese (the default: the people who use it read Chinese) and in
// English. Names the API sends (org units, households) are shown as they are. What the API says in its own
// words is translated by its machine code, never by its text: deadline labels by the deadline's kind
// (`alert.red`, `wish.claim`, …), refusals by their reason, field issues by their code (api/errors.ts);
// anything without a translation is shown as the API wrote it.

import { CHINA_TIME_ZONE } from '../../domain/china-time';
import { DEPARTMENTS } from '../../domain/departments';

export type Lang = 'zh' | 'en';
export const HTML_LANG: Record<Lang, string> = { zh: 'zh-CN', en: 'en' };

type Fn<A extends unknown[] = [string]> = (...args: A) => string;

export interface Messages {
  appName: string;
  /** The logo's one character (decorative). */
  brandMark: string;
  /** Between items of a list in running text. */
  listSeparator: string;
  skipToContent: string;
  mainNav: string;
  switchLanguage: string;
  /** The other language's name, in that language: the switch button's text. */
  otherLanguage: string;
  otherLanguageLang: string;
  nav: { board: string; tasks: string; monitor: string; approvals: string; orders: string; supervision: string; patrols: string; pairings: string; coverage: string; discover: string; 'my-discoveries': string; discoveries: string; members: string; points: string; ranking: string; service: string; org: string; calendar: string; catalogue: string; wishes: string; reports: string; 'party-days': string; intakes: string; households: string; applications: string; users: string };
  common: {
    loading: string;
    retry: string;
    all: string;
    none: string;
    back: string;
    error: Fn;
    network: string;
    sessionExpired: string;
    /** The workspace stopped renewing after the session's idle expiry without input (等保 登录连接超时自动退出). */
    sessionIdle: string;
    forbidden: string;
    notFound: string;
    submit: string;
    saving: string;
    cancel: string;
    close: string;
    updatedAt: Fn;
    loadMore: string;
    shown: Fn<[number]>;
    openCase: string;
    openCaseOf: Fn;
    pageNotFound: string;
    home: string;
    /** The main navigation's disclosure button at phone widths. */
    menu: string;
    menuHint: string;
    /** The badge beside a due time counted on a provisional (estimated) holiday calendar year, and its explanation. */
    provisional: string;
    provisionalHint: string;
  };
  duration: { seconds: Fn<[number]>; minutes: Fn<[number]>; hours: Fn<[number]>; days: Fn<[number]>; lessThanSecond: string; join: string };
  signIn: {
    title: string;
    intro: string;
    tokenLabel: string;
    tokenHint: string;
    submit: string;
    pickTitle: string;
    pickHint: string;
    pickAs: Fn<[string, string, string]>;
    invalid: Fn;
    empty: string;
    signedInAs: Fn<[string, string, string]>;
    signOut: string;
  };
  roles: Record<string, string>;
  orgLevels: Record<string, string>;
  /** Admin screens (issue 14): the org tree, the holiday calendar, the "9+N+1" catalogue (web/src/screens/admin.tsx). */
  kinds: Record<string, string>;
  levels: Record<string, string>;
  outcomes: Record<string, string>;
  closeReasons: Record<string, string>;
  /**
   * Issue 12 (no quiet defusing, follow-up): requests to lower or close early and the town's decision, the
   * 待审批 queue, dispositions (处置).
   */
  /** Issue 14: an alert's assigned visitor (指派走访人). */
  followUp: {
    pendingTitle: string;
    pendingText: Fn<[string, string, string]>;
    lowerTo: Fn;
    closeAs: Fn;
    requestedBy: Fn<[string, string]>;
    approvalDue: Fn;
    approve: string;
    refuse: string;
    decisionReason: string;
    awaiting: string;
    request: string;
    change: string;
    changes: { lower: string; close: string };
    requestReason: string;
    requestHint: string;
    closeDate: string;
    dispose: string;
    dispositionKind: string;
    dispositionKinds: Record<string, string>;
    referralTo: string;
    amount: string;
    noActionReason: string;
    dispositions: string;
    approvalsTitle: string;
    approvalsIntro: string;
    approvalsEmpty: string;
    approvalsCaption: string;
    cols: { household: string; unit: string; request: string; reason: string; requestedAt: string; due: string };
    decisions: { approve: string; refuse: string };
  };
  resolutions: Record<string, string>;
  /** Deadline labels by the deadline's kind (`alert.red`, `application.town_review`, …); absent: the API's label. */
  deadlineLabels: Record<string, string>;
  /** Active discovery (主动发现, issue 13): the report form, 我的上报, the town's queue and decision. */
  discovery: {
    formTitle: string;
    formIntro: string;
    householdKind: string;
    kinds: { registered: string; new: string };
    householdId: string;
    householdIdHint: string;
    /** A party member's hint: their pairings to pick from (they have no 户籍登记 screen). */
    householdIdHintMember: string;
    name: string;
    address: string;
    phone: string;
    villageCode: string;
    villageCodeHint: string;
    focusGroup: string;
    focusGroups: Record<string, string>;
    situation: string;
    situationHint: string;
    urgency: string;
    urgencies: Record<string, string>;
    /** The queue's urgency with the policy's assessment time, read from the report's own deadline (hours or whole days). */
    urgencyWithin: Fn<[string, number, 'hours' | 'days']>;
    submit: string;
    sent: Fn;
    another: string;
    mineTitle: string;
    mineIntro: string;
    mineEmpty: string;
    queueTitle: string;
    queueIntro: string;
    queueEmpty: string;
    statuses: Record<string, string>;
    outcomes: Record<string, string>;
    due: Fn;
    overdue: string;
    reportedAt: Fn;
    newHousehold: string;
    outcomeCase: string;
    decideLegend: Fn;
    outcome: string;
    level: string;
    category: string;
    categoryHint: string;
    labourCapacity: string;
    labourCapacities: Record<string, string>;
    referredTo: string;
    reason: string;
    note: string;
    decideHouseholdId: string;
    decideHouseholdHint: string;
    decideSubmit: string;
    decided: Fn;
  };
  /** Supervision orders (督办单), summons (约谈) and circulars (通报): screens/orders.tsx. */
  orders: {
    title: string;
    received: string;
    issued: string;
    overdue: string;
    none: string;
    stages: Record<string, string>;
    cols: { order: string; unit: string; stage: string; due: string };
    issue: string;
    issueOnCase: string;
    onCase: string;
    unitCode: string;
    unitHint: string;
    requirement: string;
    replyBy: string;
    issuer: string;
    target: string;
    origin: Fn<[string, string]>;
    replies: string;
    replyText: string;
    evidence: string;
    attachments: string;
    attachmentsHint: string;
    reply: string;
    accept: string;
    note: string;
    sendBack: string;
    reason: string;
    newReplyBy: string;
    decided: Record<string, string>;
    supervision: string;
    summonses: string;
    circulars: string;
    record: Fn;
    units: string;
    unitsHint: string;
    linkedCases: string;
    actionRequirement: string;
    actionReplyBy: string;
    figures: string;
    figureCols: { unit: string; due: string; onTime: string; late: string; unhandled: string; openOverdue: string; overdueClosed: string; escalations: string };
    print: string;
    created: Fn;
  };
  board: {
    title: string;
    intro: string;
    filters: string;
    kind: string;
    level: string;
    unit: string;
    caption: string;
    household: string;
    matter: string;
    due: string;
    late: string;
    rung: string;
    responsible: string;
    empty: string;
    rungTo: Fn<[number, string]>;
    notEscalated: string;
    overdueBy: Fn;
    autoRefresh: string;
  };
  tasks: {
    title: string;
    intro: string;
    empty: string;
    overdue: Fn;
    atRisk: Fn;
    upcoming: Fn;
    dueAt: Fn;
    recordVisit: string;
    visitSaved: string;
    visitSavedDone: string;
    caption: string;
    scope: Fn;
    /** Issue 14: an alert whose visitor the caller was assigned as (GET /v1/alerts/assigned). */
    assignedToMe: string;
  };
  visit: {
    legend: Fn;
    visitors: string;
    visitorsHint: string;
    visitedAt: string;
    outcome: string;
    notes: string;
    submit: string;
  };
  caseView: {
    pageTitle: string;
    title: Fn<[string, string]>;
    dueEntry: Fn;
    /** The prefix of an event of a supervision order on the case, in its timeline. */
    fromOrder: Fn;
    resolvedAt: Fn<[string, string]>;
    status: Record<string, string>;
    household: string;
    unit: string;
    opened: string;
    level: string;
    reasons: string;
    current: string;
    noDeadline: string;
    deadlines: string;
    deadlineCols: { label: string; opens: string; due: string; result: string };
    deadlineResult: { onTime: string; late: Fn; overdue: Fn; pending: Fn; ended: string };
    escalations: string;
    escalationCols: { rung: string; path: string; at: string; late: string; resolved: string };
    rungN: Fn<[number]>;
    unresolved: string;
    noEscalations: string;
    timeline: string;
    timelineIntro: string;
    by: Fn<[string, string]>;
    system: string;
    temporal: string;
    /** The household's phone (issue 14 fresh-eyes: staff call the household from the case and the task list). */
    phone: string;
    /** The link from a case to its household's page. */
    householdPage: string;
    /** The cases a case is linked with (a discovery and the alert or application it led to). */
    linked: string;
    linkedTo: Fn;
    linkedFrom: Fn;
    actions: string;
    readOnly: string;
    notAlertActions: string;
    closed: string;
    acknowledge: string;
    ackNote: string;
    acknowledged: Fn;
    visit: string;
    changeLevel: string;
    newLevel: string;
    reason: string;
    closeCase: string;
    closeReason: string;
    applicationId: string;
    note: string;
    done: string;
  };
  /**
   * The API's field issues (400 details) by their machine code, looked up as `<field>.<code>`, then
   * `<code>.<format>`, `<code>.<origin>`, then `<code>`: a text, or a function of the issue's params (`maximum` …).
   * An issue none of these names is shown as the API wrote it.
   */
  issues: Record<string, string | ((params: Record<string, unknown>) => string)>;
  /** Refused actions by their machine reason (domain/rejections.ts REFUSAL_REASONS); others as the API wrote them. */
  reasons: Record<string, string>;
  events: Record<string, Fn<[Record<string, unknown>, (code: string) => string]>>;
  unknownEvent: Fn;
  /** Party members (issue 13): the register, my points, the branch ranking, 双报到 service tasks. */
  members: {
    registerTitle: string;
    registerIntro: string;
    noMembers: string;
    inactive: string;
    consentYes: string;
    consentNo: string;
    consentLabel: string;
    add: string;
    added: Fn;
    roles: Record<string, string>;
    kinds: Record<string, string>;
    rules: Record<string, string>;
    fields: {
      userId: string;
      userIdHint: string;
      name: string;
      phone: string;
      role: string;
      kind: string;
      branch: string;
      unitCode: string;
      unitCodeHint: string;
      agency: string;
      skills: string;
      skillsHint: string;
      title: string;
      description: string;
      day: string;
      hoursExpected: string;
      slots: string;
      hours: string;
    };
    myPointsTitle: string;
    totalOfYear: Fn<[number, number]>;
    noEntries: string;
    pointsOf: Fn<[number]>;
    reversal: Fn;
    reversed: string;
    rankingTitle: string;
    period: string;
    byMonth: string;
    byYear: string;
    month: string;
    year: string;
    noRanking: string;
    rankingOf: Fn;
    cols: { rank: string; name: string; points: string };
    tasksTitle: string;
    tasksIntro: string;
    noTasks: string;
    slotsOf: Fn<[number, number]>;
    hoursExpected: Fn<[number]>;
    claim: string;
    claimed: string;
    recordHours: string;
    hoursRecorded: Fn<[number, string]>;
    noHours: string;
    confirmed: string;
    confirm: Fn;
    confirmedDone: Fn;
    post: string;
  };
  /** The inbox (docs/notifications.md): the header's unread badge and the list of notices. */
  inbox: {
    title: string;
    intro: string;
    badge: Fn<[number]>;
    badgeNone: string;
    unreadOnly: string;
    markRead: string;
    markAllRead: string;
    markedAll: Fn<[number]>;
    unread: string;
    read: string;
    empty: string;
    openCase: string;
    /** The link of a summons' or circular's notice to its record (the supervision page). */
    openRecord: Fn<['summons' | 'circular']>;
    /** A circular's printable page. */
    printCircular: string;
    caption: string;
    cols: { kind: string; message: string; unit: string; at: string; delivery: string; action: string };
    kinds: Record<string, string>;
    channels: Record<string, string>;
    delivery: Record<string, string>;
    deliveryOf: Fn<[string, string, number]>;
    noChannel: string;
  };
  monitor: {
    title: string;
    intro: Fn;
    chart: string;
    chartSummary: Fn<[string, number]>;
    /** The table's heading, naming its months (first, last: `YYYY-MM`). */
    table: Fn<[string, string]>;
    /** What the table counts against what the yearly assessment below counts (they cover different periods). */
    tablePeriod: string;
    tableCaption: Fn;
    cols: { unit: string; due: string; onTime: string; late: string; rate: string; escalations: string; drill: string };
    drill: Fn;
    cases: Fn;
    casesTitle: Fn;
    casesEmpty: string;
    up: Fn;
    noRate: string;
    month: string;
    rate: string;
  };
  /** The yearly assessment and the monthly progress report (web/src/screens/assessment.tsx). */
  assessment: {
    yearTitle: string;
    monthTitle: string;
    year: string;
    month: string;
    downloadXlsx: string;
    downloadPdf: string;
    caption: Fn<[string, string]>;
    total: Fn;
    cols: { score: string; due: string; onTime: string; late: string; overdueOpen: string; overdueClosed: string; unhandled: string; rate: string; overdueDays: string; escalated: string; orders: string; orderRate: string; reportsOnTime: string; wishes: string; discoveries: string; pairingRate: string; patrolsOnTime: string };
    drill: Fn<[string, string]>;
    drillTitle: Fn<[string, string, number]>;
    lateBy: Fn<[number]>;
    more: string;
  };
  /** Patrols (巡查): the village's plan and this cycle's record (web/src/screens/patrols.tsx). */
  patrols: {
    title: string;
    village: string;
    planTitle: string;
    noPlan: string;
    planSummary: Fn<[string, string]>;
    paused: string;
    nextFire: Fn;
    every: string;
    cadences: Record<string, string>;
    focus: string;
    focusNeeded: string;
    focusGroups: Record<string, string>;
    note: string;
    pause: string;
    savePlan: string;
    saved: string;
    recordTitle: string;
    noPatrol: string;
    /** The picker of the village's open patrols (the overdue first). */
    pickPatrol: string;
    overdueTag: string;
    cycle: Fn<[string, string]>;
    recorded: Fn<[string, string]>;
    day: string;
    members: string;
    membersHint: string;
    visited: string;
    who: Fn<[number]>;
    whoHint: string;
    focusGroup: string;
    finding: string;
    findings: Record<string, string>;
    visitNote: string;
    discoveryId: string;
    discoveryIdHint: string;
    addVisit: string;
    removeVisit: string;
    submit: string;
    recordHere: string;
  };
  /** Pairing (党员帮包, issue 13): my pairings with the contact form, and coverage per unit (web/src/screens/pairings.tsx). */
  pairing: {
    mineTitle: string;
    mineIntro: string;
    mineEmpty: string;
    nextDue: Fn;
    overdue: string;
    lastContact: Fn<[string, string]>;
    noContact: string;
    record: string;
    legend: Fn;
    channel: string;
    channels: Record<string, string>;
    day: string;
    note: string;
    help: string;
    outcome: string;
    submit: string;
    recorded: Fn<[number]>;
    forwarded: string;
    forwardRefused: Fn;
    coverageTitle: string;
    coverageIntro: string;
    coverageCaption: Fn;
    cols: { unit: string; qualifying: string; paired: string; unpaired: string; contacts: string; rate: string };
    total: string;
    drill: Fn;
    /** The coverage row of the unit's own households (a village's with no grid). */
    direct: Fn;
    /** A pairing whose member has been made inactive, listed with the unpaired; and the reason sent with its re-assignment. */
    needsReassign: string;
    reassignReason: string;
    up: string;
    unpairedTitle: Fn;
    unpairedEmpty: string;
    cols2: { household: string; categories: string; unit: string; due: string; assign: string };
    member: string;
    assign: string;
    noCandidates: string;
    assigned: Fn;
  };
  /** 申请受理 (issue 14): the town's queue of applications filed through the QR pages. */
  /** The acceptance form's check of the register (fresh-eyes on issue 14: web/src/screens/intake-register.tsx). */
  /** 住户档案 (issue 14): the household register's screens. */
  /** 救助申请 (issue 14): the applications list, the start form and each step's form. */
  /** Staff accounts (issue 14 item 2): password sign-in, OIDC, the password change, the admin's 用户管理. */
  apps: { stages: Record<string, string> };
  accounts: {
    passwordTitle: string;
    required: string;
    login: string;
    password: string;
    signIn: string;
    oidc: string;
    or: string;
    tokenTitle: string;
    invalidCredentials: string;
    locked: Fn<[number]>;
    disabled: string;
    tooMany: Fn<[number]>;
    changeTitle: string;
  };
}

const zhDuration = (n: number, unit: string) => `${n} ${unit}`;

/** Why a named login (an assigned visitor, a registered party member) is refused: both a field's issue and the 422's reason. */
const ZH_LOGIN_REFUSALS = {
  visitor_outside_village: '走访人须是本村(社区)或其网格的人员',
  user_unknown: '没有该登录名的账号，请先由管理员建立账号',
  user_disabled: '该账号已停用',
  user_out_of_reach: '该账号不在您的管辖范围内',
  visitor_role_invalid: '走访人须是网格员、党员或村(社区)工作人员',
  visitor_role_mismatch: '所选身份与该账号的角色不符',
  visitor_unit_mismatch: '所填单位与该账号所在单位不符',
} as const;

const zh: Messages = {
  appName: '社会救助工作台',
  brandMark: '救',
  listSeparator: '、',
  skipToContent: '跳到正文',
  mainNav: '主导航',
  switchLanguage: '切换语言',
  otherLanguage: 'English',
  otherLanguageLang: 'en',
  nav: { board: '逾期督办', tasks: '我的任务', monitor: '监督考核', approvals: '待审批', orders: '督办单', supervision: '约谈通报', patrols: '巡查', pairings: '我的帮包', coverage: '帮包覆盖', discover: '主动发现上报', 'my-discoveries': '我的上报', discoveries: '发现待研判', members: '党员名册', points: '我的积分', ranking: '积分排名', service: '双报到', org: '组织机构', calendar: '节假日日历', catalogue: '救助目录', wishes: '微心愿', reports: '群众反映', 'party-days': '党员活动日', intakes: '申请受理', households: '住户档案', applications: '救助申请', users: '用户管理' },
  common: {
    loading: '正在加载…',
    retry: '重试',
    all: '全部',
    none: '无',
    back: '返回',
    error: (m) => `出错了：${m}`,
    network: '无法连接服务器，请检查网络后重试。',
    sessionExpired: '登录已失效，请重新登录。',
    sessionIdle: '长时间未操作，已自动退出，请重新登录。',
    forbidden: '无权查看：该内容不在您的管辖范围内。',
    notFound: '未找到。',
    submit: '提交',
    saving: '正在提交…',
    cancel: '取消',
    close: '关闭',
    updatedAt: (t) => `更新于 ${t}`,
    loadMore: '加载更多',
    shown: (n) => `已显示 ${n} 件`,
    openCase: '查看详情',
    openCaseOf: (s) => `查看详情：${s}`,
    pageNotFound: '页面不存在',
    home: '返回首页',
    menu: '菜单',
    menuHint: '展开全部功能',
    provisional: '预计',
    provisionalHint: '按预估的节假日安排计算（当年安排尚未公布），公布后可能调整',
  },
  duration: {
    seconds: (n) => zhDuration(n, '秒'),
    minutes: (n) => zhDuration(n, '分钟'),
    hours: (n) => zhDuration(n, '小时'),
    days: (n) => zhDuration(n, '天'),
    lessThanSecond: '不到 1 秒',
    join: ' ',
  },
  signIn: {
    title: '登录',
    intro: '粘贴发给您的令牌，或在本地环境中选择一个测试身份。',
    tokenLabel: '令牌（JWT）',
    tokenHint: '令牌只保存在本浏览器标签页中，关闭标签页即失效。',
    submit: '使用令牌登录',
    pickTitle: '本地测试身份',
    pickHint: '仅在非生产环境提供。',
    pickAs: (role, name, unit) => `${role} · ${name}（${unit}）`,
    invalid: (m) => `无法登录：${m}`,
    empty: '请先粘贴令牌。',
    signedInAs: (name, role, unit) => `${name} · ${role} · ${unit}`,
    signOut: '退出登录',
  },
  roles: {
    grid_worker: '网格员',
    party_member: '党员',
    village_staff: '村(社区)工作人员',
    town_staff: '镇(街道)工作人员',
    town_supervisor: '镇(街道)督办负责人',
    district_staff: '区市民政局工作人员',
    city_monitor: '市级监督',
    admin: '系统管理员',
  },
  orgLevels: { city: '市', district: '区市', town: '镇(街道)', village: '村(社区)', grid: '网格' },
  kinds: { alert: '三色预警', application: '救助申请', report: '群众反映', wish: '心愿', party_day: '党员活动日答疑', order: '督办单', patrol: '巡查', pairing: '党员帮包', discovery: '主动发现', intake: '申请受理' },
  levels: { red: '红色', orange: '橙色', yellow: '黄色' },
  outcomes: { stable: '情况稳定', needs_assistance: '需要救助', referred: '已转介' },
  closeReasons: { resolved: '已解决', not_eligible: '不符合条件', moved_away: '已迁出', deceased: '已去世', converted_to_application: '转为救助申请', no_longer_qualifies: '不再属于帮包对象' },
  resolutions: { met: '已办结', level_changed: '等级已调整', closed: '已结案', superseded: '由新期限接替', unhandled: '未处置即结案' },
  followUp: {
    pendingTitle: '待镇(街道)审批的申请',
    pendingText: (what, who, reason) => `${who}申请${what}：${reason}`,
    lowerTo: (level) => `降为${level}`,
    closeAs: (reason) => `销号（${reason}）`,
    requestedBy: (who, at) => `${who} 于 ${at} 提出`,
    approvalDue: (at) => `审批期限：${at}`,
    approve: '同意',
    refuse: '不同意',
    decisionReason: '审批意见',
    awaiting: '等待镇(街道)督办负责人审批。审批前预警期限照常计算、照常升级。',
    request: '申请降级/销号',
    change: '申请事项',
    changes: { lower: '降低预警等级', close: '销号（结案）' },
    requestReason: '申请理由',
    requestHint: '降低红色、橙色预警等级，或在规定要求完成前销号，须经镇(街道)审批。',
    closeDate: '去世或迁出日期',
    dispose: '处置',
    dispositionKind: '处置方式',
    dispositionKinds: { application: '申请救助', referral: '转介', temporary_assistance: '临时救助', no_further_action: '无需进一步处置' },
    referralTo: '转介至',
    amount: '金额（元）',
    noActionReason: '理由',
    dispositions: '处置记录',
    approvalsTitle: '待审批',
    approvalsIntro: '本辖区内等待审批的预警降级、销号申请，最早提出的在前。',
    approvalsEmpty: '目前没有待审批的申请。',
    approvalsCaption: '待审批的申请（最早提出的在前）',
    cols: { household: '户', unit: '责任单位', request: '申请事项', reason: '理由', requestedAt: '提出时间', due: '审批期限' },
    decisions: { approve: '同意', refuse: '不同意' },
  },
  deadlineLabels: {},
  discovery: {
    formTitle: '主动发现上报',
    formIntro: '发现群众遭遇突发事件、意外事故、重大疾病或重度残疾等基本生活困难，请立即上报镇(街道)。',
    householdKind: '困难户',
    kinds: { registered: '已登记户', new: '未登记的新发现户' },
    householdId: '户编号',
    householdIdHint: '可从列表中选择本单位已登记的户（输入姓名可筛选），或填写户编号（如 hh-0123456789ab）；不知道户编号的，请选“未登记的新发现户”，填写户主姓名和住址，由镇(街道)研判时核对户籍',
    householdIdHintMember: '可从列表中选择您帮包的户（输入姓名可筛选），或填写户编号（如 hh-0123456789ab）；其他户不知道户编号的，请选“未登记的新发现户”，填写户主姓名和住址，由镇(街道)研判时核对户籍',
    name: '户主姓名',
    address: '住址',
    phone: '联系电话（可不填）',
    villageCode: '所在村(社区)代码',
    villageCodeHint: '默认为您所在的村(社区)或网格；可填村(社区)的 12 位代码（如 371002001001）或网格代码（如 371002001001-G01）',
    focusGroup: '发现类别',
    focusGroups: { sudden_event: '突发事件', accident: '意外事故', major_illness: '重大疾病', severe_disability: '重度残疾', other: '其他' },
    situation: '情况说明',
    situationHint: '写清困难情形和发现经过，不超过 2000 字',
    urgency: '紧急程度',
    urgencies: { urgent: '紧急（24 小时内研判）', normal: '一般（3 日内研判）' },
    urgencyWithin: (u, n, unit) => `${u === 'urgent' ? '紧急' : u === 'normal' ? '一般' : u}（${n} ${unit === 'days' ? '日' : '小时'}内研判）`,
    submit: '上报镇(街道)',
    sent: (id) => `已上报（${id}），镇(街道)将及时研判。`,
    another: '再报一户',
    mineTitle: '我的上报',
    mineIntro: '您上报的主动发现和镇(街道)的研判结果，最新的在前。',
    mineEmpty: '您还没有上报过。',
    queueTitle: '发现待研判',
    queueIntro: '本辖区上报的主动发现：紧急的在前，其次按研判期限。',
    queueEmpty: '目前没有待研判的主动发现。',
    statuses: { open: '待研判', closed: '已研判' },
    outcomes: { alert: '启动预警', application: '启动救助申请', referral: '转介', no_action: '暂不处置' },
    due: (at) => `研判期限：${at}`,
    overdue: '已逾期',
    reportedAt: (at) => `上报于 ${at}`,
    newHousehold: '新发现户（未登记）',
    outcomeCase: '关联案件',
    decideLegend: (name) => `研判 ${name} 的上报`,
    outcome: '研判结果',
    level: '预警等级',
    category: '救助类别',
    categoryHint: '紧急上报不填时为临时遇困人员（临时救助）',
    labourCapacity: '劳动能力',
    labourCapacities: { no_labour_capacity: '无劳动能力', illness_or_disability: '因病因残劳动能力受限', labour_capacity: '有劳动能力' },
    referredTo: '转介至',
    reason: '理由',
    note: '说明（可不填）',
    decideHouseholdId: '户编号',
    decideHouseholdHint: '新发现户须先登记，再填写户编号',
    decideSubmit: '提交研判',
    decided: (outcome) => `已研判：${outcome}`,
  },
  orders: {
    title: '督办单',
    received: '待反馈（下达给本单位）',
    issued: '本单位下达的',
    overdue: '只看逾期未反馈',
    none: '没有督办单。',
    stages: { issued: '已下达，待反馈', replied: '已反馈，待审核', returned: '已退回，待补充反馈', accepted: '已办结' },
    cols: { order: '督办单', unit: '被督办单位', stage: '状态', due: '反馈期限' },
    issue: '下达督办单',
    issueOnCase: '对本案件下达督办单',
    onCase: '督办单',
    unitCode: '被督办单位代码',
    unitHint: '本辖区内下级单位的行政区划代码，如 371002001',
    requirement: '督办要求',
    replyBy: '反馈期限',
    issuer: '下达单位',
    target: '督办对象',
    origin: (kind, id) => `来自${kind === 'summons' ? '约谈' : '通报'} ${id}`,
    replies: '反馈与审核',
    replyText: '办理情况',
    evidence: '佐证材料说明',
    attachments: '附件编号',
    attachmentsHint: '多个附件用逗号分隔',
    reply: '提交反馈',
    accept: '审核通过（办结）',
    note: '审核意见',
    sendBack: '退回补充',
    reason: '退回理由',
    newReplyBy: '新的反馈期限',
    decided: { accepted: '已通过', returned: '已退回' },
    supervision: '约谈与通报',
    summonses: '约谈记录',
    circulars: '通报',
    record: (kind) => (kind === 'summons' ? '记录约谈' : '发布通报'),
    units: '涉及单位代码',
    unitsHint: '多个单位用逗号分隔',
    linkedCases: '相关案件编号（逗号分隔）',
    actionRequirement: '整改要求（将作为督办单下达给每个涉及单位）',
    actionReplyBy: '整改反馈期限',
    figures: '当时的工作情况',
    figureCols: { unit: '单位', due: '到期事项', onTime: '按时', late: '逾期办结', unhandled: '未处置关闭', openOverdue: '逾期未办', overdueClosed: '逾期未办结束', escalations: '升级' },
    print: '打印版',
    created: (at) => `记录于 ${at}`,
  },
  board: {
    title: '逾期督办',
    intro: '本辖区内所有逾期案件，逾期最久的排在最前。每 10 秒自动刷新。',
    filters: '筛选',
    kind: '类型',
    level: '等级',
    unit: '下级单位',
    caption: '逾期案件（逾期最久的在前）',
    household: '户主 / 住址',
    matter: '类型',
    due: '应办事项',
    late: '逾期',
    rung: '督办',
    responsible: '责任单位',
    empty: '目前没有逾期案件。',
    rungTo: (n, unit) => `第 ${n} 级 → ${unit}`,
    notEscalated: '尚未升级',
    overdueBy: (d) => `逾期 ${d}`,
    autoRefresh: '每 10 秒自动刷新',
  },
  tasks: {
    title: '我的任务',
    intro: '需要我办理的事项，最早到期的排在最前。红色为已逾期，橙色为即将到期。',
    empty: '没有待办事项。',
    overdue: (d) => `已逾期 ${d}`,
    atRisk: (d) => `即将到期 · 剩 ${d}`,
    upcoming: (d) => `剩 ${d}`,
    dueAt: (t) => `期限 ${t}`,
    recordVisit: '记录走访',
    visitSaved: '已记录走访，任务已更新。',
    visitSavedDone: '已记录走访，该事项已办结。',
    caption: '待办事项',
    scope: (u) => `范围：${u}（含下级）`,
    assignedToMe: '指派我走访',
  },
  visit: {
    legend: (h) => `记录走访：${h}`,
    visitors: '走访人员',
    visitorsHint: '多人请用顿号或逗号分隔，例如：李网格、王协理',
    visitedAt: '走访时间',
    outcome: '走访结果',
    notes: '备注',
    submit: '提交走访记录',
  },
  caseView: {
    pageTitle: '案件',
    title: (kind, level) => `${kind}${level ? `（${level}）` : ''}`,
    dueEntry: (label) => `期限届满：${label}`,
    fromOrder: (id) => `督办单 ${id}：`,
    resolvedAt: (at, how) => `${at}（${how}）`,
    status: { open: '办理中', closed: '已结案' },
    household: '户主 / 住址',
    unit: '责任单位',
    opened: '开启时间',
    level: '等级',
    reasons: '原因',
    current: '当前应办',
    noDeadline: '当前没有待办期限',
    deadlines: '期限',
    deadlineCols: { label: '事项', opens: '起算', due: '期限', result: '结果' },
    deadlineResult: {
      onTime: '按时完成',
      late: (d) => `逾期完成（晚 ${d}）`,
      overdue: (d) => `已逾期 ${d}`,
      pending: (d) => `进行中 · 剩 ${d}`,
      ended: '已终止',
    },
    escalations: '督办记录',
    escalationCols: { rung: '级别', path: '升级路径', at: '时间', late: '逾期时长', resolved: '解除' },
    rungN: (n) => `第 ${n} 级`,
    unresolved: '未解除',
    noEscalations: '没有督办记录。',
    timeline: '全过程',
    timelineIntro: '每一步：谁、何时、做了什么。',
    by: (who, unit) => `${who}（${unit}）`,
    system: '系统',
    temporal: '在 Temporal UI 中查看该工作流',
    phone: '电话',
    householdPage: '住户档案',
    linked: '关联案件',
    linkedTo: (kind) => `由此启动的${kind}：`,
    linkedFrom: (kind) => `来自${kind}：`,
    actions: '可办理的操作',
    readOnly: '市级监督只能查看，不能办理。',
    notAlertActions: '该类案件请在对应的办理流程中操作。',
    closed: '案件已结案，不能再办理。',
    acknowledge: '受理',
    ackNote: '受理说明（可选）',
    acknowledged: (t) => `已于 ${t} 受理`,
    visit: '走访',
    changeLevel: '调整等级',
    newLevel: '新等级',
    reason: '原因',
    closeCase: '结案',
    closeReason: '结案原因',
    applicationId: '救助申请编号',
    note: '说明（可选）',
    done: '已提交。',
  },
  issues: {
    'villageCode.invalid_format': '请填写村(社区)的行政区划代码，如 371002001001',
    'householdId.invalid': '只能为本次上报所涉及的户启动预警或救助申请（新发现户须为在上报的村(社区)登记的户）',
    'visitors.too_small': '请至少填写一名走访人员',
    'applicationId.required': '转为救助申请时必须填写申请编号',
    'applicationId.unknown_reference': '未找到本户在您辖区内的该救助申请',
    unknown_reference: '引用的记录不存在、不属于本户或不在您的辖区内',
    masked_value: '这是按权限遮挡后的显示值（带 *），请重新输入完整内容',
    required: '此项必填',
    'invalid_format.datetime': '请填写有效的日期和时间',
    invalid_date: '请填写有效的日期',
    date_out_of_range: '日期超出允许范围',
    contradictory_filters: '筛选条件相互矛盾',
    invalid_cursor: '翻页标记无效，请从第一页重新查询',
    invalid_character: '含有控制字符、方向控制符或不可见字符，请删除后重试',
    invalid_name: '姓名间隔符“·”只能用在姓名中间',
    invalid_id_number: '请填写有效的居民身份证号码',
    invalid_value: '请从选项中选择一项',
    'too_small.string': (p) => (p.minimum === 1 ? '此项不能为空' : `至少 ${p.minimum} 个字`),
    'too_big.string': (p) => `不能超过 ${p.maximum} 个字`,
    'too_big.array': (p) => `最多 ${p.maximum} 项`,
    'orgCode.invalid_format': '代码为 6–12 位数字，网格另加 -G 和两三位数字，如 371002001001-G03',
    code_not_under_parent: '代码须在上级单位代码后续写（区市 6 位、镇街 9 位、村居 12 位、网格加 -G01）',
    no_children: '网格下不能再设单位',
    duplicate_name: '同一上级下已有同名单位',
    duplicate_code: '该代码已被使用',
    'entryCode.invalid_format': '代码须以小写字母开头，只含小写字母、数字和下划线（2–40 个字符）',
    'entryCode.invalid': '本列表中已有相同代码',
    not_in_year: '日期不在本年度内',
    duplicate_day: '该日期重复填写',
    holiday_and_workday: '同一天不能既放假又调休上班',
    workday_not_weekend: '调休上班日须为周六或周日',
    password_too_short: '密码至少10位',
    password_too_long: '密码不能超过128位',
    password_too_few_classes: '须包含大写字母、小写字母、数字、符号中的至少三类',
    password_contains_login: '密码不得包含登录名',
    password_unchanged: '新密码不能与当前密码相同',
    wrong_password: '当前密码错误',
    'login.invalid_format': '登录名只能使用小写字母、数字和 . _ @ -，以字母或数字开头',
    'unitCode.invalid_format': '单位代码为 6–12 位数字（行政区划代码），如 371002001001',
    set_by_identity_service: '由统一身份认证维护，请在该系统修改',
    already_exists: '该登录名已存在',
    unknown_unit: '单位代码不存在',
    // Fresh-eyes on issue 14: every message a workspace form shows beside a field, in Chinese.
    already_registered: '该身份证号已登记在其他住户中，请核对；同一身份证号只能登记在一户',
    duplicate_id_number: '该身份证号在本户中重复填写',
    too_few_investigators: '入户调查须由至少两名不同的工作人员进行（同一人不能重复填写）',
    'visitedAt.date_out_of_range': '入户时间须在申请提交之后、且不晚于现在',
    invalid_union: '请选择一项',
    'decision.invalid_union': '请选择处理决定',
    'phone.invalid_format': '请填写11位手机号，或带区号的固定电话，如 0631-5201234',
    personal_data: '含有个人信息（姓名、身份证号、电话或住址），公示标题中请删去',
    'dayOfMonth.too_small': '请填写每月的第 1–28 日',
    'dayOfMonth.too_big': '请填写每月的第 1–28 日（每个月都有的日子）',
    'dayOfMonth.invalid_type': '请填写每月的第 1–28 日',
    'startsAt.invalid_format': '请按“时:分”填写时间，如 09:30（00:00–23:59）',
    ...ZH_LOGIN_REFUSALS,
    category_in_use: (p) => `救助对象类别「${String(p.name ?? p.code)}」已有住户或未结案件在用，不能删除`,
    // A staff account's role at a unit of the wrong level (api/routes/users.ts; params: role, levels, level).
    role_unit_mismatch: (p) => roleUnitMismatch(zh, p, (role, levels, level) => `${role}须设在${levels.join('或')}一级的单位，所选单位是${level}`, '该角色不能设在此级单位'),
  },
  reasons: {
    case_closed: '该案件已结案',
    already_acknowledged: '该预警已受理',
    level_unchanged: '预警已是该等级',
    visit_in_future: '走访时间不能晚于现在',
    date_out_of_range: '日期或时间超出允许范围',
    visit_before_opening: '走访时间早于预警开启时间',
    approval_required: '降级或提前销号须经镇(街道)审批，请提交申请',
    request_pending: '已有待审批的申请，请先审批',
    outcome_not_opened: '未能启动关联的预警或救助申请，本次研判未生效，请重试',
    registered_elsewhere: '申请人的身份证号已在其他村(社区)登记：请退回，并告知申请人向户籍所在地申请',
    approval_not_needed: '无需审批，可直接办理',
    no_pending_request: '没有待审批的申请',
    request_stale: '申请已过时（预警已变化），请重新申请',
    not_acknowledged: '请先受理，再记录处置',
    not_visited: '请先入户走访，再记录处置',
    member_inactive: '帮包党员已不在册（停用），请先改派帮包党员',
    ...ZH_LOGIN_REFUSALS,
    // Why a token is refused (api/auth.ts TOKEN_REASONS).
    token_missing: '缺少登录凭证',
    token_malformed: '登录凭证格式不正确',
    token_signature_invalid: '登录凭证签名无效',
    token_expired: '登录凭证已过期，请重新获取',
    token_no_expiry: '登录凭证没有有效期，不予接受',
    token_no_issued_at: '登录凭证缺少签发时间',
    token_lifetime_too_long: '登录凭证有效期过长，请重新获取',
    token_issued_in_future: '登录凭证的签发时间晚于当前时间，请检查时钟',
    token_not_yet_valid: '登录凭证尚未生效',
    token_wrong_issuer: '登录凭证的签发方不正确',
    token_wrong_audience: '登录凭证不是签发给本系统的',
    token_claims_invalid: '登录凭证内容不正确',
    token_unknown_unit: '登录凭证中的单位不存在',
    token_session_ended: '登录已结束（已退出、已被撤销或已过期），请重新登录',
    token_no_session: '生产环境只接受登录获得的凭证，请用账号密码或统一身份认证登录',
    // Staff sign-in (issue 14).
    invalid_credentials: '登录名或密码错误',
    account_locked: '登录失败次数过多，账号已锁定',
    account_disabled: '账号已停用，请联系管理员',
    client_sign_in_limit: '本机登录失败次数过多，请稍后再试',
    password_change_required: '请先修改密码',
    own_account: '不能停用自己或修改自己的角色、单位，请由其他管理员操作',
    oidc_role_invalid: '统一身份认证提供的角色无效',
    oidc_unit_unknown: '统一身份认证提供的单位不存在',
    oidc_unit_invalid: '统一身份认证提供的角色与单位级别不符',
    oidc_no_flow: '统一身份认证登录已过期或未在本浏览器发起，请重新登录',
    oidc_refused: '统一身份认证拒绝了本次登录',
    oidc_failed: '统一身份认证登录失败，请重试',
    oidc_unavailable: '暂时无法连接统一身份认证，请稍后再试',
    oidc_subject_invalid: '统一身份认证提供的用户标识无法使用',
    oidc_name_invalid: '统一身份认证提供的姓名无效（含有尖括号、星号或不可见字符等），请联系统一身份认证管理员更正',
    oidc_bad_callback: '统一身份认证返回的登录信息格式不正确，请重新登录',
    oidc_account: '该账号由统一身份认证维护，相关信息请在该系统修改',
    role_unit_mismatch: '该角色不能设在此级单位，请选择与角色相符的单位',
    refresh_missing: '登录已失效，请重新登录',
    refresh_invalid: '登录凭证无效，请重新登录',
    refresh_expired: '登录已过期，请重新登录',
    refresh_reused: '该登录凭证已被使用过，为安全起见本次登录已注销，请重新登录',
    outcome_refused: '关联的预警或救助申请不符合其办理规则，未能启动，本次未生效',
    task_full: '该任务名额已满',
    already_claimed: '您已认领过该任务',
    counter_entry: '冲正记录本身不能再冲正',
  },
  events: {
    opened: (d) => `开启预警（${zh.levels[String(d.level)] ?? d.level}）${Array.isArray(d.reasons) && d.reasons.length ? `：${d.reasons.join('、')}` : ''}`,
    submitted: () => '提交救助申请',
    issued: (d, unit) => `下达督办单：${unit(String(d.issuer))} → ${unit(String(d.unit))}，${fmtTime('zh', Number(d.replyBy))}前反馈`,
    replied: (d) => `反馈督办单（第 ${d.reply} 次${d.late ? '，已逾期' : ''}）`,
    reply_accepted: () => '反馈审核通过',
    reply_returned: (d) => `反馈被退回，${fmtTime('zh', Number(d.replyBy))}前补充`,
    at_risk: () => '即将到期，已提醒责任单位',
    overdue: () => '已逾期',
    escalated: (d, unit) => `第 ${d.rung} 级督办：${unit(String(d.from))} → ${unit(String(d.to))}（逾期 ${fmtDuration(zh, Number(d.lateByMs))}）`,
    acknowledged: () => '受理',
    visit_recorded: (d) => `记录走访（${zh.outcomes[String(d.outcome)] ?? d.outcome}，${d.visitors} 人）`,
    pairing_opened: () => '列为帮包户，待结对',
    member_assigned: () => '确定帮包党员（结对）',
    member_reassigned: (d) => `改派帮包党员${d.reason ? `：${String(d.reason)}` : ''}`,
    contact_recorded: (d) => `记录第 ${d.n} 次联系（${zh.pairing.channels[String(d.channel)] ?? d.channel}，${d.day}）${d.onTime ? '，按时' : d.extra ? '，本期已联系过（额外联系，不计按时、不计积分）' : ''}`,
    visit_forwarded: () => '走访已记入该户预警',
    visit_forward_refused: (d) => `走访未能记入该户预警：${String(d.reason ?? '')}`,
    visit_forward_failed: () => '走访转入预警失败',
    ended: (d) => `结束帮包：${zh.closeReasons[String(d.reason)] ?? d.reason}`,
    deadline_opened: (d) => `期限开始：${deadlineLabel(zh, String(d.kind ?? ''), String(d.label ?? d.deadline))}，${fmtTime('zh', Number(d.dueAt))}前完成`,
    deadline_met: (d) => (Number(d.lateByMs) > 0 ? `期限完成，逾期 ${fmtDuration(zh, Number(d.lateByMs))}` : '期限按时完成'),
    deadline_ended: (d) => `期限终止（${zh.resolutions[String(d.reason)] ?? d.reason}）${d.late ? '，终止时已逾期' : ''}`,
    level_changed: (d) => `等级调整：${zh.levels[String(d.from)] ?? d.from} → ${zh.levels[String(d.to)] ?? d.to}（${d.reason}）`,
    reassigned: (d, unit) => `改派：${unit(String(d.from))} → ${unit(String(d.to))}（${d.reason}）`,
    closed: (d) => (d.reason === undefined ? '办结' : `结案：${zh.closeReasons[String(d.reason)] ?? d.reason}`),
    repolicied: (d) => `适用新规则：${d.from} → ${d.to}`,
    approval_requested: (d) => `申请${d.change === 'lower' ? `降为${zh.levels[String(d.level)] ?? d.level}` : `销号（${zh.closeReasons[String(d.closeReason)] ?? d.closeReason}）`}，待审批：${d.reason}`,
    approval_decided: (d) => `审批${d.decision === 'approve' ? '同意' : '不同意'}：${d.reason}`,
    visitor_assigned: (d) => `指派走访人：${d.userId}`,
    disposed: (d) => `处置：${zh.followUp.dispositionKinds[String(d.kind)] ?? d.kind}${d.amount !== undefined ? ` ${d.amount} 元` : ''}${d.referredTo ? ` → ${d.referredTo}` : ''}${d.reason ? `（${d.reason}）` : ''}`,
    stage_entered: (d) => `进入阶段：${zh.apps.stages[String(d.stage)] ?? d.stage}`,
    returned_for_materials: (d) => `退回补正，一次性告知所缺材料：${Array.isArray(d.missing) ? d.missing.join('、') : ''}`,
    materials_supplied: () => '补齐材料',
    verification_completed: (d) => `家庭经济状况核对完成${Array.isArray(d.missing) && d.missing.length ? `（未回复：${d.missing.map((c: unknown) => DEPARTMENTS[c as keyof typeof DEPARTMENTS] ?? String(c)).join('、')}）` : ''}`,
    verification_result_entered: (d) => `录入部门核对结果：${d.department}`,
    investigated: (d) => `入户调查（${d.investigators} 人）`,
    deliberation_scheduled: () => '安排民主评议',
    deliberated: () => '记录民主评议结果',
    town_opinion: (d) => `镇(街道)审核意见：${d.opinion === 'approve' ? '同意' : '不同意'}（${d.reason}）`,
    notice_ended: () => '公示结束',
    objection_received: () => '收到公示异议',
    extended: (d) => `延长期限 ${d.workingDays} 个工作日（${d.reason}）`,
    re_review_renew: () => '定期复核：继续享受',
    re_review_change: () => '定期复核：变更',
    re_review_stop: () => '定期复核：停止',
    cycle_opened: (d) => `巡查周期开始，${fmtTime('zh', String(d.cycleEnd))}前记录`,
    patrol_recorded: (d) => `记录巡查（${d.members} 人，走访 ${d.visited} 户）`,
    reported: (d) => `主动发现上报（${zh.discovery.focusGroups[String(d.focusGroup)] ?? d.focusGroup}，${zh.discovery.urgencies[String(d.urgency)] ?? d.urgency}）`,
    decided: (d) => `镇(街道)研判：${zh.discovery.outcomes[String(d.outcome)] ?? d.outcome}${d.caseId ? `（${d.caseId}）` : ''}`,
    filed: (d) => `群众通过二维码提交救助申请（共同生活 ${d.householdSize} 人${d.urgent ? '，紧急' : ''}）`,
    // An intake's acceptance names the application it opened; an application's own acceptance names none.
    accepted: (d) => (d.caseId ? `镇(街道)受理，开启救助申请（${d.caseId}）` : `受理申请${d.reason && d.reason !== '受理' ? `：${d.reason}` : ''}`),
    returned: (d) => `镇(街道)退回：${d.reason}`,
    outcome_open_failed: (d) => `研判未完成：${zh.discovery.outcomes[String(d.outcome)] ?? d.outcome}未能启动，请重新研判`,
    posted: () => '登记心愿',
    // An application's approval carries its amount; a wish's screening does not.
    approved: (d) => (d.monthlyAmount !== undefined ? `批准，月救助 ${d.monthlyAmount} 元` : '镇(街道)审核通过，公开待认领'),
    // An application's refusal names who refused it (town or district); a wish's screening does not.
    rejected: (d) => (d.by ? `不予批准：${String(d.reason ?? '')}` : `审核不通过：${String(d.reason ?? '')}`),
    claimed: () => '心愿已认领',
    claim_released: (d) => `认领已释放${d.note ? `：${String(d.note)}` : ''}`,
    fulfilled: () => '登记心愿已实现',
    confirmed: (d) => (d.automatic ? '群众未反馈，视为确认' : '群众确认心愿已实现'),
    // A wish's and an application's withdrawal carry the same data: the text names neither.
    withdrawn: (d) => `撤回：${String(d.reason ?? '')}`,
    points_recorded: (d) => `记入帮扶积分 ${d.points} 分`,
    received: () => '收到群众反映',
    answered: () => '答复群众反映',
    common_issue_confirmed: () => '标记为共性问题',
    common_issue_proposed: (d) => `同类反映已达 ${d.reports} 件，建议列为共性问题`,
  },
  unknownEvent: (type) => `事件：${type}`,
  members: {
    registerTitle: '党员名册',
    registerIntro: '本单位及下级网格登记的党员（含双报到在职党员）。电话按权限脱敏显示。',
    noMembers: '尚无登记的党员。',
    inactive: '已停用',
    consentYes: '同意在公开页“三亮”展示',
    consentNo: '未同意公开展示',
    consentLabel: '同意在本村(社区)公开页“三亮”展示我的姓名、身份、支部、行动和积分（不含电话）',
    add: '登记党员',
    added: (name) => `已登记：${name}`,
    roles: { committee: '两委成员', member: '党员', activist: '入党积极分子', reserve_cadre: '后备干部' },
    kinds: { resident: '村(社区)党员', in_service: '在职党员(双报到)' },
    rules: { visit: '走访困难群众', contact_on_time: '帮包联系按时', discovery_confirmed: '主动发现经核实', wish_fulfilled: '认领心愿已实现', party_day_attendance: '参加党员活动日', show_identity: '亮身份', show_action: '亮行动', show_result: '亮成绩', service_hour: '双报到服务时长' },
    fields: {
      userId: '登录账号',
      userIdHint: '党员登录系统所用的账号（须是管理员已建立、在本辖区内的在用账号），一人一号，登记后不可更改',
      name: '姓名',
      phone: '电话',
      role: '身份',
      kind: '类别',
      branch: '所在党支部',
      unitCode: '所在村(社区)或网格代码',
      unitCodeHint: '双报到党员填写报到的社区',
      agency: '工作单位',
      skills: '特长',
      skillsHint: '多项用逗号或顿号分隔',
      title: '任务名称',
      description: '任务内容',
      day: '日期',
      hoursExpected: '预计时长（小时）',
      slots: '名额',
      hours: '服务时长（小时）',
    },
    myPointsTitle: '我的积分',
    totalOfYear: (year, total) => `${year} 年累计 ${total} 分`,
    noEntries: '本年度尚无积分记录。',
    pointsOf: (n) => `${n > 0 ? '+' : ''}${n} 分`,
    reversal: (reason) => `冲正：${reason}`,
    reversed: '已冲正',
    rankingTitle: '支部积分排名',
    period: '统计周期',
    byMonth: '按月',
    byYear: '按年',
    month: '月份',
    year: '年份',
    noRanking: '该周期尚无积分。',
    rankingOf: (branch) => `${branch}积分排名`,
    cols: { rank: '名次', name: '姓名', points: '积分' },
    tasksTitle: '双报到服务任务',
    tasksIntro: '社区发布服务任务，在职党员认领并登记服务时长，社区确认后计入积分。',
    noTasks: '暂无服务任务。',
    slotsOf: (claimed, slots) => `已认领 ${claimed}/${slots}`,
    hoursExpected: (h) => `预计 ${h} 小时`,
    claim: '认领',
    claimed: '已认领',
    recordHours: '登记服务时长',
    hoursRecorded: (h, day) => `${day} 服务 ${h} 小时`,
    noHours: '未登记时长',
    confirmed: '已确认',
    confirm: (name) => `确认${name}的时长`,
    confirmedDone: (name) => `已确认${name}的服务时长`,
    post: '发布服务任务',
  },
  inbox: {
    title: '通知',
    intro: '本单位收到的通知和发给您本人的通知，最新的在前。已读状态只对您本人有效。',
    badge: (n) => `通知：${n} 条未读`,
    badgeNone: '通知：没有未读',
    unreadOnly: '只看未读',
    markRead: '标为已读',
    markAllRead: '全部标为已读',
    markedAll: (n) => `已将 ${n} 条通知标为已读。`,
    unread: '未读',
    read: '已读',
    empty: '没有通知。',
    openCase: '查看案件',
    openRecord: (kind) => (kind === 'summons' ? '查看约谈记录' : '查看通报'),
    printCircular: '打印通报',
    caption: '通知列表：类型、内容、接收单位、时间、送达情况',
    cols: { kind: '类型', message: '内容', unit: '接收单位', at: '时间', delivery: '送达', action: '操作' },
    kinds: {
      at_risk: '即将到期',
      escalated: '逾期督办',
      opened: '新预警',
      level_raised: '预警升级',
      decided: '决定',
      stage: '进入新阶段',
      approval_requested: '待审批',
      approval_decided: '审批结果',
      order_issued: '督办单',
      order_replied: '督办反馈',
      summons: '约谈',
      circular: '通报',
      delivery_failed: '通知未送达',
      discovery_reported: '主动发现上报',
      intake_filed: '救助申请待受理',
      visit_assigned: '指派走访',
    },
    channels: { webhook: '接口推送', sms: '短信' },
    delivery: { pending: '发送中', delivered: '已送达', failed: '送达失败' },
    deliveryOf: (channel, status, attempts) => `${channel}：${status}（${attempts} 次）`,
    noChannel: '仅站内',
  },
  monitor: {
    title: '监督考核',
    intro: (unit) => `${unit}下各单位近 12 个月的按时办结率与督办次数。点击单位可逐级查看。`,
    chart: '按时办结率（按月）',
    chartSummary: (unit, n) => `折线图：${unit}下 ${n} 个单位近 12 个月的按时办结率。数据见下表。`,
    table: (first, last) => `各单位汇总（近 12 个月：${first} 至 ${last}，按期限到期月份）`,
    tablePeriod: '本表统计近 12 个月内到期的期限；下方年度考核统计所选年度（1 月 1 日至 12 月 31 日）内到期的期限。两者期间不同，数字可以不同。',
    tableCaption: (unit) => `${unit}下各单位：到期事项、按时、逾期、按时率与督办次数`,
    cols: { unit: '单位', due: '到期事项', onTime: '按时', late: '逾期', rate: '按时率', escalations: '督办次数', drill: '查看' },
    drill: (unit) => `查看${unit}下级`,
    cases: (unit) => `${unit}的案件`,
    casesTitle: (unit) => `${unit}的在办案件（最早到期在前）`,
    casesEmpty: '没有在办的限期案件。',
    up: (unit) => `返回${unit}`,
    noRate: '—',
    month: '月份',
    rate: '按时率',
  },
  assessment: {
    yearTitle: '年度考核',
    monthTitle: '月度调度',
    year: '年度',
    month: '月份',
    downloadXlsx: '下载 Excel',
    downloadPdf: '下载 PDF',
    caption: (unit, period) => `${unit}下各单位 ${period} 考核数据；点击数字查看对应案件`,
    total: (unit) => `合计（${unit}）`,
    cols: { score: '得分', due: '到期', onTime: '按时', late: '逾期办理', overdueOpen: '逾期未办', overdueClosed: '逾期未办结束', unhandled: '未经处置关闭', rate: '按时率', overdueDays: '逾期天数', escalated: '升级', orders: '督办单', orderRate: '督办按时反馈率', reportsOnTime: '群众反映按时答复', wishes: '心愿实现', discoveries: '主动发现研判', pairingRate: '帮包联系按时率', patrolsOnTime: '巡查按时记录' },
    drill: (unit, what) => `查看${unit}“${what}”的案件`,
    drillTitle: (unit, what, n) => `${unit} · ${what}：${n} 项`,
    lateBy: (days) => `逾期 ${days} 天`,
    more: '加载更多',
  },
  patrols: {
    title: '巡查',
    village: '村(社区)代码',
    planTitle: '巡查计划',
    noPlan: '本村(社区)尚未制定巡查计划。',
    planSummary: (every, groups) => `${every}巡查一次，重点：${groups}`,
    paused: '已暂停',
    nextFire: (at) => `下次巡查：${at}`,
    every: '巡查周期',
    cadences: { P1D: '每天', P7D: '每周', P14D: '每两周', P30D: '每30天' },
    focus: '重点巡查对象',
    focusNeeded: '请至少选择一类重点巡查对象',
    focusGroups: { sudden_event: '突发事件', accident: '意外事故', major_illness: '重大疾病', severe_disability: '重度残疾', other: '其他' },
    note: '备注',
    pause: '暂停巡查',
    savePlan: '保存巡查计划',
    saved: '已保存',
    recordTitle: '巡查记录',
    noPatrol: '当前没有待记录的巡查。',
    pickPatrol: '待记录的巡查（逾期的在前）',
    overdueTag: '（已逾期）',
    cycle: (from, to) => `本周期：${from} 至 ${to}`,
    recorded: (day, members) => `已记录：${day}，巡查人员 ${members}`,
    day: '巡查日期',
    members: '巡查人员',
    membersHint: '登录名或党员编号，多人用逗号分隔；党员本人记录时须包括自己',
    visited: '走访户',
    who: (n) => `走访户 ${n}`,
    whoHint: '户编号（hh-…），或未登记户的描述（不含姓名、电话、住址）',
    focusGroup: '重点对象类别',
    finding: '巡查发现',
    findings: { ok: '正常', concern: '需关注', discovery: '发现困难（已上报）' },
    visitNote: '情况说明',
    discoveryId: '对应的主动发现上报',
    discoveryIdHint: '从本村(社区)待研判的上报中选择，或填写上报编号（discovery-…）；须是关于此户的上报',
    addVisit: '添加走访户',
    removeVisit: '删除此户',
    submit: '提交巡查记录',
    recordHere: '到“巡查记录”记录本周期巡查',
  },
  pairing: {
    mineTitle: '我的帮包',
    mineIntro: '与您结对的帮包户，按期联系：入户走访、电话联系或给予帮助。',
    mineEmpty: '您目前没有结对的帮包户。',
    nextDue: (at) => `下次联系：${at}前`,
    overdue: '已逾期',
    lastContact: (day, channel) => `上次联系：${day}（${channel}）`,
    noContact: '尚未联系',
    record: '记录联系',
    legend: (who) => `记录联系：${who}`,
    channel: '联系方式',
    channels: { visit: '入户走访', phone: '电话联系', help: '帮扶（给予帮助）' },
    day: '联系日期',
    note: '情况记录',
    help: '给予的帮助',
    outcome: '走访情况',
    submit: '保存联系记录',
    recorded: (n) => `已记录第 ${n} 次联系。`,
    forwarded: '本次走访已同时记入该户的预警走访。',
    forwardRefused: (reason) => `本次走访未能记入该户的预警：${reason}`,
    coverageTitle: '帮包覆盖',
    coverageIntro: '低保、特困、重度残疾等帮包户的结对情况和按时联系情况（按下一级单位）。',
    coverageCaption: (unit) => `${unit}下属单位的帮包覆盖`,
    cols: { unit: '单位', qualifying: '帮包户', paired: '已结对', unpaired: '待结对', contacts: '按时联系/到期', rate: '按时率' },
    total: '合计',
    drill: (unit) => `查看${unit}`,
    direct: (unit) => `${unit}（村(社区)直属）`,
    needsReassign: '帮包党员已停用，待改派',
    reassignReason: '原帮包党员已停用',
    up: '返回上一级',
    unpairedTitle: (unit) => `${unit}待结对的帮包户`,
    unpairedEmpty: '没有待结对的帮包户。',
    cols2: { household: '户主', categories: '类别', unit: '所在单位', due: '结对期限', assign: '结对' },
    member: '帮包党员',
    assign: '确定结对',
    noCandidates: '本网格暂无登记在册的党员',
    assigned: (name) => `已与${name}结对。`,
  },
  apps: { stages: { submitted: '待受理', returned: '退回补正', verification: '家庭经济状况核对', investigation: '入户调查', deliberation: '民主评议', town_review: '镇(街道)审核', notice: '公示', district_approval: '区市审批确认', in_benefit: '享受救助', re_review: '定期复核', closed: '已办结' } },
  accounts: {
    passwordTitle: '账号密码登录',
    required: '此项必填',
    login: '登录名',
    password: '密码',
    signIn: '登录',
    oidc: '使用统一身份认证登录',
    or: '或',
    tokenTitle: '使用令牌登录',
    invalidCredentials: '登录名或密码错误',
    locked: (s) => `登录失败次数过多，账号已锁定，请 ${Math.ceil(s / 60)} 分钟后再试`,
    disabled: '账号已停用，请联系管理员',
    tooMany: (s) => `本机登录失败次数过多，请 ${Math.ceil(s / 60)} 分钟后再试`,
    changeTitle: '修改密码',
  },
};

const en: Messages = {
  appName: 'Social assistance workspace',
  brandMark: '救',
  listSeparator: ', ',
  skipToContent: 'Skip to content',
  mainNav: 'Main',
  switchLanguage: 'Switch language',
  otherLanguage: '中文',
  otherLanguageLang: 'zh-CN',
  nav: { board: 'Overdue board', tasks: 'My tasks', monitor: 'Monitoring', approvals: 'Approvals', orders: 'Orders', supervision: 'Summons & circulars', patrols: 'Patrols', pairings: 'My pairings', coverage: 'Pairing coverage', discover: 'Report a discovery', 'my-discoveries': 'My reports', discoveries: 'Discoveries to assess', members: 'Party members', points: 'My points', ranking: 'Ranking', service: 'Dual registration', org: 'Org tree', calendar: 'Holiday calendar', catalogue: 'Catalogue', wishes: 'Wishes', reports: 'Public reports', 'party-days': 'Party days', intakes: 'Application intake', households: 'Household register', applications: 'Applications', users: 'Users' },
  common: {
    loading: 'Loading…',
    retry: 'Retry',
    all: 'All',
    none: 'None',
    back: 'Back',
    error: (m) => `Something went wrong: ${m}`,
    network: 'Cannot reach the server. Check the connection and retry.',
    sessionExpired: 'Your session has expired. Please sign in again.',
    sessionIdle: 'You were signed out after a long time without activity. Please sign in again.',
    forbidden: 'Not allowed: this is outside your jurisdiction.',
    notFound: 'Not found.',
    submit: 'Submit',
    saving: 'Saving…',
    cancel: 'Cancel',
    close: 'Close',
    updatedAt: (t) => `Updated ${t}`,
    loadMore: 'Load more',
    shown: (n) => `${n} shown`,
    openCase: 'Open',
    openCaseOf: (s) => `Open: ${s}`,
    pageNotFound: 'Page not found',
    home: 'Go to the start page',
    menu: 'Menu',
    menuHint: 'Show every screen',
    provisional: 'estimated',
    provisionalHint: 'Counted on an estimated holiday calendar (the year’s arrangement is not yet published); it may change',
  },
  duration: {
    seconds: (n) => `${n} s`,
    minutes: (n) => `${n} min`,
    hours: (n) => `${n} h`,
    days: (n) => `${n} ${n === 1 ? 'day' : 'days'}`,
    lessThanSecond: 'under a second',
    join: ' ',
  },
  signIn: {
    title: 'Sign in',
    intro: 'Paste the token you were given, or pick a test identity on a local setup.',
    tokenLabel: 'Token (JWT)',
    tokenHint: 'The token is kept in this browser tab only and is gone when the tab closes.',
    submit: 'Sign in with the token',
    pickTitle: 'Local test identities',
    pickHint: 'Offered outside production only.',
    pickAs: (role, name, unit) => `${role} · ${name} (${unit})`,
    invalid: (m) => `Cannot sign in: ${m}`,
    empty: 'Paste a token first.',
    signedInAs: (name, role, unit) => `${name} · ${role} · ${unit}`,
    signOut: 'Sign out',
  },
  roles: {
    grid_worker: 'Grid worker',
    party_member: 'Party member',
    village_staff: 'Village/community staff',
    town_staff: 'Town/street staff',
    town_supervisor: 'Town/street supervisor',
    district_staff: 'District civil-affairs staff',
    city_monitor: 'City monitor',
    admin: 'Administrator',
  },
  orgLevels: { city: 'City', district: 'District', town: 'Town/street', village: 'Village/community', grid: 'Grid' },
  kinds: { alert: 'Household alert', application: 'Application', report: 'Public report', wish: 'Wish', party_day: 'Party-day Q&A', order: 'Supervision order', patrol: 'Patrol', pairing: 'Pairing', discovery: 'Active discovery', intake: 'Application intake' },
  levels: { red: 'Red', orange: 'Orange', yellow: 'Yellow' },
  outcomes: { stable: 'Stable', needs_assistance: 'Needs assistance', referred: 'Referred' },
  closeReasons: { resolved: 'Resolved', not_eligible: 'Not eligible', moved_away: 'Moved away', deceased: 'Deceased', converted_to_application: 'Converted to an application', no_longer_qualifies: 'No longer to be paired' },
  resolutions: { met: 'met', level_changed: 'level changed', closed: 'closed', superseded: 'superseded by the next deadline', unhandled: 'closed without handling' },
  followUp: {
    pendingTitle: 'Request awaiting the town’s approval',
    pendingText: (what, who, reason) => `${who} asks to ${what}: ${reason}`,
    lowerTo: (level) => `lower it to ${level}`,
    closeAs: (reason) => `close it (${reason})`,
    requestedBy: (who, at) => `by ${who} at ${at}`,
    approvalDue: (at) => `Decision due ${at}`,
    approve: 'Approve',
    refuse: 'Refuse',
    decisionReason: 'Reason for the decision',
    awaiting: 'Awaiting the town supervisor’s decision. The alert’s deadline keeps running and escalating meanwhile.',
    request: 'Request lowering / closure',
    change: 'Request',
    changes: { lower: 'Lower the level', close: 'Close the alert' },
    requestReason: 'Reason',
    requestHint: 'Lowering a red or orange alert, or closing one before its requirement is met, needs the town’s approval.',
    closeDate: 'Date of death or move',
    dispose: 'Disposition',
    dispositionKind: 'Disposition',
    dispositionKinds: { application: 'Application for assistance', referral: 'Referral', temporary_assistance: 'Temporary assistance', no_further_action: 'No further action' },
    referralTo: 'Referred to',
    amount: 'Amount (yuan)',
    noActionReason: 'Reason',
    dispositions: 'Dispositions',
    approvalsTitle: 'Pending approvals',
    approvalsIntro: 'Requests to lower or close alerts in your jurisdiction, oldest first.',
    approvalsEmpty: 'No requests are awaiting a decision.',
    approvalsCaption: 'Requests awaiting a decision (oldest first)',
    cols: { household: 'Household', unit: 'Responsible unit', request: 'Request', reason: 'Reason', requestedAt: 'Requested', due: 'Decision due' },
    decisions: { approve: 'approved', refuse: 'refused' },
  },
  discovery: {
    formTitle: 'Report a discovery',
    formIntro: 'Found a household in difficulty (a sudden event, an accident, a major illness, a severe disability)? Report it to the town at once.',
    householdKind: 'Household',
    kinds: { registered: 'Registered household', new: 'New household (not registered)' },
    householdId: 'Household id',
    householdIdHint: 'Pick one of your unit’s registered households from the list (type a name to narrow it) or type its id (such as hh-0123456789ab); without the id, choose “New household”, give the head’s name and address, and the town checks the register when it assesses',
    householdIdHintMember: 'Pick one of the households you are paired with (type a name to narrow it) or type its id (such as hh-0123456789ab); for another household without its id, choose “New household”, give the head’s name and address, and the town checks the register when it assesses',
    name: 'Head of household',
    address: 'Address',
    phone: 'Phone (optional)',
    villageCode: 'Village/community code',
    villageCodeHint: 'Your own village/community or grid by default; a village’s 12-digit code (such as 371002001001) or a grid’s code (such as 371002001001-G01)',
    focusGroup: 'Focus group',
    focusGroups: { sudden_event: 'Sudden event', accident: 'Accident', major_illness: 'Major illness', severe_disability: 'Severe disability', other: 'Other' },
    situation: 'Situation',
    situationHint: 'What the difficulty is and how you found it; at most 2000 characters',
    urgency: 'Urgency',
    urgencies: { urgent: 'Urgent (assessed within 24 hours)', normal: 'Normal (assessed within 3 days)' },
    urgencyWithin: (u, n, unit) => `${u === 'urgent' ? 'Urgent' : u === 'normal' ? 'Normal' : u} (assessed within ${n} ${unit === 'days' ? (n === 1 ? 'day' : 'days') : n === 1 ? 'hour' : 'hours'})`,
    submit: 'Report to the town',
    sent: (id) => `Reported (${id}); the town will assess it.`,
    another: 'Report another',
    mineTitle: 'My reports',
    mineIntro: 'Your discoveries and the town’s decisions, newest first.',
    mineEmpty: 'You have not reported any yet.',
    queueTitle: 'Discoveries to assess',
    queueIntro: 'Discoveries in your jurisdiction: urgent first, then by assessment due time.',
    queueEmpty: 'No discoveries await assessment.',
    statuses: { open: 'Awaiting assessment', closed: 'Assessed' },
    outcomes: { alert: 'Alert raised', application: 'Application opened', referral: 'Referred', no_action: 'No action' },
    due: (at) => `Assess by ${at}`,
    overdue: 'Overdue',
    reportedAt: (at) => `Reported ${at}`,
    newHousehold: 'New household (not registered)',
    outcomeCase: 'Linked case',
    decideLegend: (name) => `Assess the report on ${name}`,
    outcome: 'Decision',
    level: 'Alert level',
    category: 'Assistance category',
    categoryHint: 'Left empty for an urgent report: temporary hardship (temporary assistance)',
    labourCapacity: 'Labour capacity',
    labourCapacities: { no_labour_capacity: 'No labour capacity', illness_or_disability: 'Limited by illness or disability', labour_capacity: 'Able to work' },
    referredTo: 'Referred to',
    reason: 'Reason',
    note: 'Note (optional)',
    decideHouseholdId: 'Household id',
    decideHouseholdHint: 'A new household is registered first; then give its id',
    decideSubmit: 'Submit decision',
    decided: (outcome) => `Decided: ${outcome}`,
  },
  deadlineLabels: {
    'discovery.assess': 'Active discovery: town assessment',
    'intake.accept': 'Application intake: accept or return',
    'order.reply': 'Supervision order: reply',
    'alert.red': 'Red alert: accept and handle',
    'alert.orange': 'Orange alert: visit',
    'alert.yellow': 'Yellow alert: weekly visit',
    'alert.approval': 'Approval of a lowering or closure',
    'alert.revisit': 'Orange alert: revisit under key attention',
    'alert.decision': 'Needs assistance: decide a disposition',
    'application.acceptance': 'Acceptance decision',
    'application.supplements': 'Supplementary materials',
    'application.town_review': 'Town review (15 working days)',
    'application.district_approval': 'District approval (10 working days)',
    'application.objection': 'Objection decision',
    'application.re_review': 'Periodic re-review',
    'report.acknowledge': 'Public report: acknowledge',
    'report.answer': 'Public report: answer',
    'wish.screening': 'Wish: town screening and public title',
    'wish.claim': 'Wish: to be claimed',
    'wish.fulfilment': 'Wish: fulfilment by the promised date',
    'party_day.answers': 'Party-day Q&A: answers on the day',
    'patrol.record': 'Patrol: record this cycle’s patrol',
    'pairing.assign': 'Pairing: assign a party member',
    'pairing.contact': 'Pairing: keep in touch on time',
  },
  orders: {
    title: 'Supervision orders',
    received: 'To answer (ordered to this unit)',
    issued: 'Issued by this unit',
    overdue: 'Overdue replies only',
    none: 'No orders.',
    stages: { issued: 'Issued, awaiting reply', replied: 'Replied, awaiting review', returned: 'Returned for more', accepted: 'Closed' },
    cols: { order: 'Order', unit: 'Ordered unit', stage: 'Stage', due: 'Reply by' },
    issue: 'Issue an order',
    issueOnCase: 'Issue an order on this case',
    onCase: 'Supervision orders',
    unitCode: 'Ordered unit code',
    unitHint: 'The division code of a unit below yours, e.g. 371002001',
    requirement: 'What is required',
    replyBy: 'Reply by',
    issuer: 'Issued by',
    target: 'About',
    origin: (kind, id) => `From ${kind === 'summons' ? 'summons' : 'circular'} ${id}`,
    replies: 'Replies and decisions',
    replyText: 'What was done',
    evidence: 'Evidence',
    attachments: 'Attachment ids',
    attachmentsHint: 'Separate several with commas',
    reply: 'Send reply',
    accept: 'Accept (close)',
    note: 'Note',
    sendBack: 'Return for more',
    reason: 'Why',
    newReplyBy: 'New reply deadline',
    decided: { accepted: 'Accepted', returned: 'Returned' },
    supervision: 'Summons and circulars',
    summonses: 'Summons',
    circulars: 'Circulars',
    record: (kind) => (kind === 'summons' ? 'Record a summons' : 'Publish a circular'),
    units: 'Unit codes',
    unitsHint: 'Separate several with commas',
    linkedCases: 'Linked case ids (comma-separated)',
    actionRequirement: 'Follow-up requirement (issued as an order to each unit)',
    actionReplyBy: 'Follow-up reply deadline',
    figures: 'Figures at the time',
    figureCols: { unit: 'Unit', due: 'Due', onTime: 'On time', late: 'Late', unhandled: 'Closed unhandled', openOverdue: 'Open overdue', overdueClosed: 'Overdue, ended unmet', escalations: 'Escalations' },
    print: 'Printable page',
    created: (at) => `Recorded ${at}`,
  },
  board: {
    title: 'Overdue board',
    intro: 'Every overdue case in your jurisdiction, most overdue first. Refreshes every 10 seconds.',
    filters: 'Filters',
    kind: 'Kind',
    level: 'Level',
    unit: 'Unit',
    caption: 'Overdue cases, most overdue first',
    household: 'Household',
    matter: 'Kind',
    due: 'What is due',
    late: 'Late',
    rung: 'Escalation',
    responsible: 'Responsible unit',
    empty: 'No overdue cases right now.',
    rungTo: (n, unit) => `Rung ${n} → ${unit}`,
    notEscalated: 'Not escalated yet',
    overdueBy: (d) => `${d} overdue`,
    autoRefresh: 'Refreshes every 10 s',
  },
  tasks: {
    title: 'My tasks',
    intro: 'What you must do, soonest first. Red: overdue; orange: due soon.',
    empty: 'Nothing to do.',
    overdue: (d) => `Overdue by ${d}`,
    atRisk: (d) => `Due soon · ${d} left`,
    upcoming: (d) => `${d} left`,
    dueAt: (t) => `Due ${t}`,
    recordVisit: 'Record a visit',
    visitSaved: 'Visit recorded; the task is updated.',
    visitSavedDone: 'Visit recorded; this task is done.',
    caption: 'Tasks',
    scope: (u) => `Scope: ${u} and below`,
    assignedToMe: 'Assigned to me to visit',
  },
  visit: {
    legend: (h) => `Record a visit: ${h}`,
    visitors: 'Visitors',
    visitorsHint: 'Separate names with commas, e.g. Li, Wang',
    visitedAt: 'Visited at',
    outcome: 'Outcome',
    notes: 'Notes',
    submit: 'Record visit',
  },
  caseView: {
    pageTitle: 'Case',
    title: (kind, level) => `${kind}${level ? ` (${level})` : ''}`,
    dueEntry: (label) => `Due: ${label}`,
    fromOrder: (id) => `Order ${id}: `,
    resolvedAt: (at, how) => `${at} (${how})`,
    status: { open: 'Open', closed: 'Closed' },
    household: 'Household',
    unit: 'Responsible unit',
    opened: 'Opened',
    level: 'Level',
    reasons: 'Reasons',
    current: 'Due now',
    noDeadline: 'No pending deadline',
    deadlines: 'Deadlines',
    deadlineCols: { label: 'What', opens: 'From', due: 'Due', result: 'Result' },
    deadlineResult: {
      onTime: 'Met on time',
      late: (d) => `Met late (by ${d})`,
      overdue: (d) => `Overdue by ${d}`,
      pending: (d) => `Pending · ${d} left`,
      ended: 'Ended',
    },
    escalations: 'Escalations',
    escalationCols: { rung: 'Rung', path: 'From → to', at: 'When', late: 'Late by', resolved: 'Resolved' },
    rungN: (n) => `Rung ${n}`,
    unresolved: 'Unresolved',
    noEscalations: 'No escalations.',
    timeline: 'Timeline',
    timelineIntro: 'Every step: who, when, what.',
    by: (who, unit) => `${who} (${unit})`,
    system: 'System',
    temporal: 'Open this workflow in the Temporal UI',
    phone: 'Phone',
    householdPage: 'Household record',
    linked: 'Linked cases',
    linkedTo: (kind) => `Led to ${kind}: `,
    linkedFrom: (kind) => `From ${kind}: `,
    actions: 'Actions',
    readOnly: 'City monitors read; they do not act on cases.',
    notAlertActions: 'Act on this kind of case in its own procedure.',
    closed: 'The case is closed.',
    acknowledge: 'Acknowledge',
    ackNote: 'Note (optional)',
    acknowledged: (t) => `Acknowledged ${t}`,
    visit: 'Visit',
    changeLevel: 'Change level',
    newLevel: 'New level',
    reason: 'Reason',
    closeCase: 'Close',
    closeReason: 'Reason for closing',
    applicationId: 'Application id',
    note: 'Note (optional)',
    done: 'Done.',
  },
  issues: {
    role_unit_mismatch: (p) => roleUnitMismatch(en, p, (role, levels, level) => `${role} is held at a unit of level ${levels.join(' or ')}; the unit chosen is a ${level}`, 'This role cannot be held at a unit of this level'),
  },
  reasons: {
    role_unit_mismatch: 'This role cannot be held at a unit of this level: choose a unit that fits the role',
    // The OIDC sign-in's refusals come back as ?oidc_error=<reason>, with no message to fall back on.
    oidc_role_invalid: 'The identity service gave a role jiuzhu does not know',
    oidc_unit_unknown: 'The identity service gave a unit that does not exist',
    oidc_unit_invalid: 'The identity service gave a role that cannot be held at its unit’s level',
    oidc_no_flow: 'The unified sign-in expired or was not started in this browser: please sign in again',
    oidc_refused: 'The identity service refused this sign-in',
    oidc_failed: 'The unified sign-in failed: please try again',
    oidc_unavailable: 'The identity service cannot be reached just now: please try again later',
    oidc_subject_invalid: 'The identity service gave a user id jiuzhu cannot use',
    oidc_name_invalid: 'The identity service gave a name that is not valid (angle brackets, asterisks or invisible characters): ask its administrator to correct it',
    oidc_bad_callback: 'The identity service’s answer was malformed: please sign in again',
    account_disabled: 'This account is disabled: please contact an administrator',
  },
  events: {
    opened: (d) => `Alert opened (${en.levels[String(d.level)] ?? d.level})${Array.isArray(d.reasons) && d.reasons.length ? `: ${d.reasons.join(', ')}` : ''}`,
    submitted: () => 'Application submitted',
    issued: (d, unit) => `Order issued: ${unit(String(d.issuer))} → ${unit(String(d.unit))}, reply by ${fmtTime('en', Number(d.replyBy))}`,
    replied: (d) => `Order replied (reply ${d.reply}${d.late ? ', late' : ''})`,
    reply_accepted: () => 'Reply accepted',
    reply_returned: (d) => `Reply returned; more due by ${fmtTime('en', Number(d.replyBy))}`,
    at_risk: () => 'Due soon; the responsible unit was warned',
    overdue: () => 'Overdue',
    escalated: (d, unit) => `Escalation rung ${d.rung}: ${unit(String(d.from))} → ${unit(String(d.to))} (${fmtDuration(en, Number(d.lateByMs))} late)`,
    acknowledged: () => 'Acknowledged',
    pairing_opened: () => 'To be paired with a party member',
    member_assigned: () => 'Party member assigned (paired)',
    member_reassigned: (d) => `Party member re-assigned${d.reason ? `: ${String(d.reason)}` : ''}`,
    contact_recorded: (d) => `Contact ${d.n} recorded (${en.pairing.channels[String(d.channel)] ?? d.channel}, ${d.day})${d.onTime ? ', on time' : d.extra ? ', an extra contact in this period (not counted, no points)' : ''}`,
    visit_forwarded: () => 'Visit recorded on the household’s alert',
    visit_forward_refused: (d) => `Visit not recorded on the household’s alert: ${String(d.reason ?? '')}`,
    visit_forward_failed: () => 'Could not pass the visit to the alert',
    ended: (d) => `Pairing ended: ${en.closeReasons[String(d.reason)] ?? d.reason}`,
    visit_recorded: (d) => `Visit recorded (${en.outcomes[String(d.outcome)] ?? d.outcome}, ${d.visitors} visitor${d.visitors === 1 ? '' : 's'})`,
    deadline_opened: (d) => `Deadline set: ${deadlineLabel(en, String(d.kind ?? ''), String(d.label ?? d.deadline))}, due ${fmtTime('en', Number(d.dueAt))}`,
    deadline_met: (d) => (Number(d.lateByMs) > 0 ? `Deadline met, ${fmtDuration(en, Number(d.lateByMs))} late` : 'Deadline met on time'),
    deadline_ended: (d) => `Deadline ended (${en.resolutions[String(d.reason)] ?? d.reason})${d.late ? ', already late' : ''}`,
    level_changed: (d) => `Level changed: ${en.levels[String(d.from)] ?? d.from} → ${en.levels[String(d.to)] ?? d.to} (${d.reason})`,
    reassigned: (d, unit) => `Reassigned: ${unit(String(d.from))} → ${unit(String(d.to))} (${d.reason})`,
    closed: (d) => (d.reason === undefined ? 'Closed' : `Closed: ${en.closeReasons[String(d.reason)] ?? d.reason}`),
    approval_requested: (d) => `Requested to ${d.change === 'lower' ? `lower to ${en.levels[String(d.level)] ?? d.level}` : `close (${en.closeReasons[String(d.closeReason)] ?? d.closeReason})`}: ${d.reason}`,
    approval_decided: (d) => `Request ${d.decision === 'approve' ? 'approved' : 'refused'}: ${d.reason}`,
    visitor_assigned: (d) => `Visitor assigned: ${d.userId}`,
    disposed: (d) => `Disposition: ${en.followUp.dispositionKinds[String(d.kind)] ?? d.kind}${d.amount !== undefined ? ` ${d.amount} yuan` : ''}${d.referredTo ? ` → ${d.referredTo}` : ''}${d.reason ? ` (${d.reason})` : ''}`,
    repolicied: (d) => `Policy applied: ${d.from} → ${d.to}`,
    stage_entered: (d) => `Stage: ${en.apps.stages[String(d.stage)] ?? d.stage}`,
    returned_for_materials: (d) => `Returned for materials, all listed at once: ${Array.isArray(d.missing) ? d.missing.join(', ') : ''}`,
    materials_supplied: () => 'Materials supplied',
    verification_completed: (d) => `Economic verification done${Array.isArray(d.missing) && d.missing.length ? ` (no answer: ${d.missing.join(', ')})` : ''}`,
    verification_result_entered: (d) => `Department answer entered: ${d.department}`,
    investigated: (d) => `Home investigation (${d.investigators} people)`,
    deliberation_scheduled: () => 'Deliberation scheduled',
    deliberated: () => 'Deliberation recorded',
    town_opinion: (d) => `Town opinion: ${d.opinion === 'approve' ? 'approve' : 'reject'} (${d.reason})`,
    notice_ended: () => 'Public notice ended',
    objection_received: () => 'Objection received',
    extended: (d) => `Deadline extended by ${d.workingDays} working days (${d.reason})`,
    re_review_renew: () => 'Re-review: renewed',
    re_review_change: () => 'Re-review: changed',
    re_review_stop: () => 'Re-review: stopped',
    cycle_opened: (d) => `Patrol cycle began; record it by ${fmtTime('en', String(d.cycleEnd))}`,
    patrol_recorded: (d) => `Patrol recorded (${d.members} on patrol, ${d.visited} households visited)`,
    reported: (d) => `Discovery reported (${en.discovery.focusGroups[String(d.focusGroup)] ?? d.focusGroup}, ${en.discovery.urgencies[String(d.urgency)] ?? d.urgency})`,
    decided: (d) => `Town decision: ${en.discovery.outcomes[String(d.outcome)] ?? d.outcome}${d.caseId ? ` (${d.caseId})` : ''}`,
    filed: (d) => `Application filed through the QR code (${d.householdSize} in the household${d.urgent ? ', urgent' : ''})`,
    accepted: (d) => (d.caseId ? `Accepted by the town; application opened (${d.caseId})` : 'Application accepted'),
    returned: (d) => `Returned by the town: ${d.reason}`,
    outcome_open_failed: (d) => `Not decided: the ${en.discovery.outcomes[String(d.outcome)] ?? d.outcome} could not be opened; decide again`,
    posted: () => 'Wish posted',
    approved: (d) => (d.monthlyAmount !== undefined ? `Approved, ${d.monthlyAmount} yuan a month` : 'Approved by the town, open for claims'),
    rejected: (d) => (d.by ? `Refused: ${String(d.reason ?? '')}` : `Rejected at screening: ${String(d.reason ?? '')}`),
    claimed: () => 'Wish claimed',
    claim_released: (d) => `Claim released${d.note ? `: ${String(d.note)}` : ''}`,
    fulfilled: () => 'Fulfilment recorded',
    confirmed: (d) => (d.automatic ? 'No word from the household: counted as confirmed' : 'The household confirmed the fulfilment'),
    withdrawn: (d) => `Withdrawn: ${String(d.reason ?? '')}`,
    points_recorded: (d) => `${d.points} helper points recorded`,
    received: () => 'Report received',
    answered: () => 'Report answered',
    common_issue_confirmed: () => 'Marked as a common issue',
    common_issue_proposed: (d) => `${d.reports} reports of this kind: proposed as a common issue`,
  },
  unknownEvent: (type) => `Event: ${type}`,
  members: {
    registerTitle: 'Party-member register',
    registerIntro: 'Party members registered with this unit and its grids (including in-service members under dual registration). Phones are masked by role.',
    noMembers: 'No party members registered yet.',
    inactive: 'inactive',
    consentYes: 'Consents to be shown on the public page',
    consentNo: 'Not shown publicly',
    consentLabel: 'Show my name, role, branch, actions and points on my community’s public page (三亮; never my phone)',
    add: 'Register a member',
    added: (name) => `Registered: ${name}`,
    roles: { committee: 'Committee member', member: 'Party member', activist: 'Activist', reserve_cadre: 'Reserve cadre' },
    kinds: { resident: 'Resident member', in_service: 'In-service member (dual registration)' },
    rules: { visit: 'Visit to a household', contact_on_time: 'Pairing contact on time', discovery_confirmed: 'Confirmed discovery', wish_fulfilled: 'Wish fulfilled', party_day_attendance: 'Party day attendance', show_identity: 'Show identity', show_action: 'Show action', show_result: 'Show result', service_hour: 'Service hours' },
    fields: {
      userId: 'Login',
      userIdHint: 'The login the member signs in with: an active account an admin created, within your jurisdiction; one per member, never changed',
      name: 'Name',
      phone: 'Phone',
      role: 'Role',
      kind: 'Kind',
      branch: 'Party branch',
      unitCode: 'Village/community or grid code',
      unitCodeHint: 'In-service members: the community they register with',
      agency: 'Employer',
      skills: 'Skills',
      skillsHint: 'Separate several with commas',
      title: 'Task',
      description: 'What is to be done',
      day: 'Day',
      hoursExpected: 'Hours expected',
      slots: 'Slots',
      hours: 'Hours served',
    },
    myPointsTitle: 'My points',
    totalOfYear: (year, total) => `${total} points in ${year}`,
    noEntries: 'No points this year yet.',
    pointsOf: (n) => `${n > 0 ? '+' : ''}${n} pts`,
    reversal: (reason) => `reversal: ${reason}`,
    reversed: 'reversed',
    rankingTitle: 'Branch ranking',
    period: 'Period',
    byMonth: 'By month',
    byYear: 'By year',
    month: 'Month',
    year: 'Year',
    noRanking: 'No points in this period.',
    rankingOf: (branch) => `Ranking of ${branch}`,
    cols: { rank: 'Rank', name: 'Name', points: 'Points' },
    tasksTitle: 'Dual-registration service tasks',
    tasksIntro: 'The community posts service tasks; in-service members claim them and record their hours; once the community confirms, the points follow.',
    noTasks: 'No service tasks.',
    slotsOf: (claimed, slots) => `${claimed}/${slots} claimed`,
    hoursExpected: (h) => `${h} h expected`,
    claim: 'Claim',
    claimed: 'Claimed',
    recordHours: 'Record hours',
    hoursRecorded: (h, day) => `${h} h on ${day}`,
    noHours: 'no hours yet',
    confirmed: 'confirmed',
    confirm: (name) => `Confirm ${name}’s hours`,
    confirmedDone: (name) => `Confirmed ${name}’s hours`,
    post: 'Post a service task',
  },
  inbox: {
    title: 'Notices',
    intro: 'Notices to your unit and to you, newest first. Read marks are yours alone.',
    badge: (n) => `Notices: ${n} unread`,
    badgeNone: 'Notices: none unread',
    unreadOnly: 'Unread only',
    markRead: 'Mark read',
    markAllRead: 'Mark all read',
    markedAll: (n) => `${n} notices marked read.`,
    unread: 'Unread',
    read: 'Read',
    empty: 'No notices.',
    openCase: 'Open case',
    openRecord: (kind) => (kind === 'summons' ? 'Open the summons' : 'Open the circular'),
    printCircular: 'Print the circular',
    caption: 'Notices: kind, message, unit, time, delivery',
    cols: { kind: 'Kind', message: 'Message', unit: 'To', at: 'Time', delivery: 'Delivery', action: 'Action' },
    kinds: {
      at_risk: 'Due soon',
      escalated: 'Escalated',
      opened: 'New alert',
      level_raised: 'Alert raised',
      decided: 'Decision',
      stage: 'New stage',
      approval_requested: 'Approval requested',
      approval_decided: 'Approval decided',
      order_issued: 'Supervision order',
      order_replied: 'Order reply',
      summons: 'Summons',
      circular: 'Circular',
      delivery_failed: 'Delivery failed',
      discovery_reported: 'Discovery reported',
      intake_filed: 'Application to accept',
      visit_assigned: 'Visit assigned to you',
    },
    channels: { webhook: 'Webhook', sms: 'SMS' },
    delivery: { pending: 'sending', delivered: 'delivered', failed: 'failed' },
    deliveryOf: (channel, status, attempts) => `${channel}: ${status} (${attempts} attempts)`,
    noChannel: 'In-app only',
  },
  monitor: {
    title: 'Monitoring',
    intro: (unit) => `On-time rate and escalations of the units under ${unit}, last 12 months. Pick a unit to drill down.`,
    chart: 'On-time rate by month',
    chartSummary: (unit, n) => `Line chart: on-time rate of ${n} units under ${unit} over the last 12 months. The table below has the figures.`,
    table: (first, last) => `Per unit, last 12 months: ${first} to ${last}, by the month a deadline fell due`,
    tablePeriod: 'This table counts the deadlines due in the last 12 months; the yearly assessment below counts those due in the year chosen there (1 January to 31 December). The periods differ, so the numbers can.',
    tableCaption: (unit) => `Units under ${unit}: deadlines due, on time, late, on-time rate, escalations`,
    cols: { unit: 'Unit', due: 'Due', onTime: 'On time', late: 'Late', rate: 'On-time rate', escalations: 'Escalations', drill: 'Open' },
    drill: (unit) => `Units under ${unit}`,
    cases: (unit) => `Cases of ${unit}`,
    casesTitle: (unit) => `Open cases of ${unit} (soonest due first)`,
    casesEmpty: 'No open cases with a deadline.',
    up: (unit) => `Back to ${unit}`,
    noRate: '—',
    month: 'Month',
    rate: 'On-time rate',
  },
  assessment: {
    yearTitle: 'Yearly assessment',
    monthTitle: 'Monthly progress',
    year: 'Year',
    month: 'Month',
    downloadXlsx: 'Download Excel',
    downloadPdf: 'Download PDF',
    caption: (unit, period) => `Units under ${unit}, ${period}; pick a number to see its cases`,
    total: (unit) => `Total (${unit})`,
    cols: { score: 'Score', due: 'Due', onTime: 'On time', late: 'Met late', overdueOpen: 'Overdue, open', overdueClosed: 'Overdue, ended unmet', unhandled: 'Closed unhandled', rate: 'On-time rate', overdueDays: 'Days overdue', escalated: 'Escalated', orders: 'Orders', orderRate: 'Orders replied on time', reportsOnTime: 'Reports answered on time', wishes: 'Wishes fulfilled', discoveries: 'Discoveries assessed', pairingRate: 'Pairing contacts on time', patrolsOnTime: 'Patrols recorded on time' },
    drill: (unit, what) => `Cases behind “${what}” of ${unit}`,
    drillTitle: (unit, what, n) => `${unit} · ${what}: ${n}`,
    lateBy: (days) => `${days} days late`,
    more: 'More',
  },
  patrols: {
    title: 'Patrols',
    village: 'Village/community code',
    planTitle: 'Patrol plan',
    noPlan: 'This village has no patrol plan yet.',
    planSummary: (every, groups) => `${every}; focus: ${groups}`,
    paused: 'paused',
    nextFire: (at) => `next patrol ${at}`,
    every: 'Cadence',
    cadences: { P1D: 'Daily', P7D: 'Weekly', P14D: 'Every two weeks', P30D: 'Every 30 days' },
    focus: 'Focus groups',
    focusNeeded: 'Choose at least one focus group',
    focusGroups: { sudden_event: 'Sudden event', accident: 'Accident', major_illness: 'Major illness', severe_disability: 'Severe disability', other: 'Other' },
    note: 'Note',
    pause: 'Pause patrols',
    savePlan: 'Save the plan',
    saved: 'Saved',
    recordTitle: 'Patrol record',
    noPatrol: 'No patrol is waiting to be recorded.',
    pickPatrol: 'Open patrols (overdue first)',
    overdueTag: ' (overdue)',
    cycle: (from, to) => `This cycle: ${from} to ${to}`,
    recorded: (day, members) => `Recorded: ${day}, by ${members}`,
    day: 'Day of the patrol',
    members: 'Who patrolled',
    membersHint: 'Logins or member ids, separated by commas; a party member recording includes themselves',
    visited: 'Households visited',
    who: (n) => `Household ${n}`,
    whoHint: 'Household id (hh-…), or a description of an unregistered one (no name, phone or address)',
    focusGroup: 'Focus group',
    finding: 'Finding',
    findings: { ok: 'All well', concern: 'Needs attention', discovery: 'Difficulty found (reported)' },
    visitNote: 'Note on the visit',
    discoveryId: 'The discovery report it was reported as',
    discoveryIdHint: 'Pick one of the village’s open reports, or enter its id (discovery-…); it must be about this household',
    addVisit: 'Add a household',
    removeVisit: 'Remove',
    submit: 'Submit the patrol record',
    recordHere: 'Record this cycle’s patrol on “Patrol record”',
  },
  pairing: {
    mineTitle: 'My pairings',
    mineIntro: 'The households paired with you: keep in touch on time — a visit, a phone call or help given.',
    mineEmpty: 'You have no paired households at present.',
    nextDue: (at) => `Next contact due ${at}`,
    overdue: 'Overdue',
    lastContact: (day, channel) => `Last contact: ${day} (${channel})`,
    noContact: 'Not contacted yet',
    record: 'Record a contact',
    legend: (who) => `Record a contact: ${who}`,
    channel: 'How',
    channels: { visit: 'Home visit', phone: 'Phone call', help: 'Help given' },
    day: 'Day',
    note: 'Notes',
    help: 'Help given',
    outcome: 'How the household was found',
    submit: 'Save the contact',
    recorded: (n) => `Contact ${n} recorded.`,
    forwarded: 'This visit was also recorded on the household’s alert.',
    forwardRefused: (reason) => `This visit could not be recorded on the household’s alert: ${reason}`,
    coverageTitle: 'Pairing coverage',
    coverageIntro: 'Households to pair (subsistence, extreme poverty, severe disability …): paired, unpaired and contacts on time, by the unit below.',
    coverageCaption: (unit) => `Pairing coverage of the units under ${unit}`,
    cols: { unit: 'Unit', qualifying: 'Households', paired: 'Paired', unpaired: 'Unpaired', contacts: 'Contacts on time / due', rate: 'On-time rate' },
    total: 'Total',
    drill: (unit) => `Open ${unit}`,
    direct: (unit) => `${unit} (no grid)`,
    needsReassign: 'Member inactive: re-assign',
    reassignReason: 'The paired member is inactive',
    up: 'Up one level',
    unpairedTitle: (unit) => `Unpaired households of ${unit}`,
    unpairedEmpty: 'No household waits to be paired.',
    cols2: { household: 'Head of household', categories: 'Categories', unit: 'Unit', due: 'Pair by', assign: 'Pair' },
    member: 'Party member',
    assign: 'Pair',
    noCandidates: 'No registered member in this grid yet',
    assigned: (name) => `Paired with ${name}.`,
  },
  apps: { stages: { submitted: 'Awaiting acceptance', returned: 'Returned for materials', verification: 'Economic verification', investigation: 'Home investigation', deliberation: 'Community deliberation', town_review: 'Town review', notice: 'Public notice', district_approval: 'District approval', in_benefit: 'Receiving assistance', re_review: 'Periodic re-review', closed: 'Closed' } },
  accounts: {
    passwordTitle: 'Sign in with your account',
    required: 'Required',
    login: 'Login',
    password: 'Password',
    signIn: 'Sign in',
    oidc: 'Sign in with the unified identity service',
    or: 'or',
    tokenTitle: 'Sign in with a token',
    invalidCredentials: 'Wrong login or password',
    locked: (s) => `Too many failed sign-ins: the account is locked; try again in ${Math.ceil(s / 60)} min`,
    disabled: 'This account is disabled: ask your administrator',
    tooMany: (s) => `Too many failed sign-ins from this device; try again in ${Math.ceil(s / 60)} min`,
    changeTitle: 'Change password',
  },
};

export const MESSAGES: Record<Lang, Messages> = { zh, en };

/** A duration as people say it: the largest unit, with the next one when it matters (“1 天 3 小时”). */
export function fmtDuration(m: Messages, ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (!Number.isFinite(ms)) return '';
  if (s < 1) return m.duration.lessThanSecond;
  if (s < 60) return m.duration.seconds(s);
  const min = Math.floor(s / 60);
  if (min < 60) return m.duration.minutes(min);
  const h = Math.floor(min / 60);
  if (h < 24) return h < 6 && min % 60 ? [m.duration.hours(h), m.duration.minutes(min % 60)].join(m.duration.join) : m.duration.hours(h);
  const d = Math.floor(h / 24);
  return d < 7 && h % 24 ? [m.duration.days(d), m.duration.hours(h % 24)].join(m.duration.join) : m.duration.days(d);
}

/**
 * One field issue of a 400 (web/src/api.ts FieldIssue) in the current language, by its code (see
 * Messages.issues); the API's message when this language has no text for it.
 */
export function issueMessage(m: Messages, field: string, issue: { code?: string; message: string; params?: Record<string, unknown> }): string {
  if (!issue.code) return issue.message;
  const params = issue.params ?? {};
  const details = [params.format, params.origin].filter((d): d is string => typeof d === 'string');
  const keys = [`${field}.${issue.code}`, ...details.map((d) => `${issue.code}.${d}`), issue.code];
  for (const key of keys) {
    const text = m.issues[key];
    if (text !== undefined) return typeof text === 'function' ? text(params) : text;
  }
  return issue.message;
}

/**
 * The field issue `role_unit_mismatch` (a staff account's role at a unit of a level it is not held at) from its params
 * `role`, `levels` and `level` (api/routes/users.ts), the role and levels by their names in `m`; `plain` without them.
 */
function roleUnitMismatch(m: Messages, p: Record<string, unknown>, say: (role: string, levels: string[], level: string) => string, plain: string): string {
  if (typeof p.role !== 'string' || !Array.isArray(p.levels) || typeof p.level !== 'string') return plain;
  const level = (l: unknown) => m.orgLevels[String(l)] ?? String(l);
  return say(m.roles[p.role] ?? p.role, p.levels.map(level), level(p.level));
}

/** An API failure's message in the current language: a refusal by its reason (Messages.reasons), else as the API wrote it. */
export const errorMessage = (m: Messages, error: { reason?: string; message: string }): string => (error.reason && m.reasons[error.reason]) || error.message;

/** A deadline's label in the current language, by its kind (Messages.deadlineLabels); the API's label when there is none. */
export const deadlineLabel = (m: Messages, kind: string | null | undefined, label: string | null | undefined): string => (kind && m.deadlineLabels[kind]) || label || '';

/**
 * Dates and times in China time, whatever the device's time zone: the deadlines are Weihai's. Hours run
 * 00–23 (`hourCycle: 'h23'`: with `hour12: false`, English showed midnight as 24:00 of the next day).
 */
export function fmtTime(lang: Lang, iso: string | number | null | undefined, withSeconds = false): string {
  if (iso === null || iso === undefined) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(HTML_LANG[lang], {
    timeZone: CHINA_TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    ...(withSeconds ? { second: '2-digit' } : {}),
    hourCycle: 'h23',
  }).format(d);
}

export function fmtClock(lang: Lang, at: number): string {
  return new Intl.DateTimeFormat(HTML_LANG[lang], { timeZone: CHINA_TIME_ZONE, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(at);
}

export const fmtPercent = (lang: Lang, rate: number | null): string =>
  rate === null ? MESSAGES[lang].monitor.noRate : new Intl.NumberFormat(HTML_LANG[lang], { style: 'percent', maximumFractionDigits: 1 }).format(rate);
