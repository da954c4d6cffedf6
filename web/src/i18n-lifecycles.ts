// The workspace's text for the wishes (微心愿), public reports (群众反映) and Party days (党员活动日) screens
// (issue 14 item 3), Chinese first; the type makes both languages required. Beside web/src/i18n.ts (which
// holds the nav entries and the timeline's events) rather than in it: only these screens' chunks load it, so
// the first load of the board or the task list stays as small as it was.

import { useApp } from './state';

type Fn<A extends unknown[] = [string]> = (...args: A) => string;

export interface LifecycleMessages {
  stage: string;
  unit: string;
  due: Fn;
  overdue: string;
  openCase: Fn;
  empty: string;
  village: string;
  villageHint: string;
  wishes: {
    title: string;
    intro: string;
    stages: Record<string, string>;
    outcomes: Record<string, string>;
    categories: Record<string, string>;
    postedBy: Record<string, string>;
    post: string;
    postTitle: string;
    householdId: string;
    householdIdHint: string;
    wishTitle: string;
    wishTitleHint: string;
    description: string;
    category: string;
    neededBy: string;
    postedByLabel: string;
    posted: Fn;
    postedAt: Fn;
    helper: Fn;
    publicTitle: string;
    publicTitleHint: string;
    screen: string;
    decision: string;
    decisions: { approve: string; reject: string };
    note: string;
    rejectReason: string;
    claim: string;
    helperLabel: string;
    helperHint: string;
    noHelpers: string;
    fulfilBy: string;
    fulfilByHint: string;
    fulfil: string;
    evidence: string;
    photos: string;
    photosHint: string;
    photoN: Fn<[number]>;
    release: string;
    confirm: string;
    confirmHint: string;
    withdraw: string;
    reason: string;
    done: string;
    details: string;
    claimInfo: Fn<[string, string]>;
    fulfilment: string;
    confirmation: Fn<[string]>;
    autoConfirmAt: Fn;
    screening: Fn<[string, string]>;
    registerHelper: string;
    helperKind: string;
    helperKinds: Record<string, string>;
    helperName: string;
    helperContact: string;
    helperRegistered: Fn;
  };
  reports: {
    title: string;
    intro: string;
    stages: Record<string, string>;
    categories: Record<string, string>;
    received: Fn;
    common: Record<string, string>;
    acknowledge: string;
    ackNote: string;
    answer: string;
    answerText: string;
    answeredByName: string;
    answeredByRole: string;
    answererRoles: Record<string, string>;
    markCommon: string;
    commonTitle: string;
    commonTitleHint: string;
    text: string;
    contact: string;
    acknowledged: Fn;
    answered: Fn<[string, string, string]>;
    profileTitle: string;
    profileIntro: string;
    policies: string;
    contacts: string;
    contactRole: string;
    contactName: string;
    contactPhone: string;
    contactPhoneHint: string;
    addContact: string;
    removeContact: Fn<[number]>;
    contactN: Fn<[number]>;
    saveProfile: string;
    profileSaved: string;
    profileUpdated: Fn<[string, string]>;
    profileNever: string;
    commonIssues: string;
    commonIssuesEmpty: string;
  };
  partyDays: {
    title: string;
    intro: string;
    schedule: string;
    noSchedule: string;
    dayOfMonth: string;
    dayOfMonthHint: string;
    startsAt: string;
    scheduleNote: string;
    saveSchedule: string;
    scheduleSaved: string;
    nextTimes: Fn;
    paused: string;
    pause: string;
    resume: string;
    pauseReason: string;
    months: string;
    noMonths: string;
    month: Fn;
    statuses: Record<string, string>;
    items: Fn<[number, number]>;
    agenda: string;
    itemKinds: Record<string, string>;
    carriedFrom: Fn;
    ended: string;
    answerItem: Fn;
    answer: string;
    answeredByName: string;
    answeredByRole: string;
    answererRoles: Record<string, string>;
    record: string;
    answered: Fn<[string, string, string]>;
    answersDue: Fn;
    handedOver: Fn;
    minutes: string;
    minutesEmpty: string;
    minutesOf: Fn<[string, string]>;
    print: string;
    question: string;
  };
}

export const LIFECYCLE_ZH: LifecycleMessages = {
  stage: '阶段',
  unit: '所属单位',
  due: (at) => `${at}前`,
  overdue: '已逾期',
  openCase: (id) => `查看 ${id}`,
  empty: '此阶段暂无记录。',
  village: '村(社区)',
  villageHint: '本镇(街道)下的村(社区)',
  wishes: {
    title: '微心愿',
    intro: '按阶段查看本单位的心愿：登记、镇(街道)审核、认领、实现、确认。点开一项办理下一步。',
    stages: { screening: '待审核', open: '待认领', claimed: '已认领，待实现', fulfilled: '已实现，待确认', closed: '已结束' },
    outcomes: { fulfilled: '心愿已实现', rejected: '未通过审核', withdrawn: '已撤回' },
    categories: { material: '物质帮扶', service: '服务帮扶', companionship: '陪伴关爱', other: '其他' },
    postedBy: { household: '群众本人提出（工作人员代为登记）', staff: '工作人员代为提出' },
    post: '登记心愿',
    postTitle: '登记新心愿',
    householdId: '户编号',
    householdIdHint: '户籍登记中的编号，如 hh-0123456789ab',
    wishTitle: '心愿标题',
    wishTitleHint: '40 字以内；公开展示前由镇(街道)审核',
    description: '心愿说明',
    category: '心愿类别',
    neededBy: '希望实现日期（可不填）',
    postedByLabel: '由谁提出',
    posted: (id) => `已登记心愿 ${id}，等待镇(街道)审核。`,
    postedAt: (at) => `${at}登记`,
    helper: (name) => `认领人：${name}`,
    publicTitle: '公开标题',
    publicTitleHint: '向社会公开展示，不得含姓名、电话、身份证号、住址等个人信息',
    screen: '审核',
    decision: '审核结果',
    decisions: { approve: '通过', reject: '不通过' },
    note: '备注（可不填）',
    rejectReason: '不通过的理由',
    claim: '登记认领',
    helperLabel: '认领的帮扶力量',
    helperHint: '已登记的志愿者、社工、社会组织或党员',
    noHelpers: '本单位尚无登记的帮扶力量，请先登记。',
    fulfilBy: '承诺完成日期（可不填）',
    fulfilByHint: '不填则为最长期限',
    fulfil: '登记已实现',
    evidence: '实现情况说明',
    photos: '照片链接（可不填）',
    photosHint: '每行一个 http(s) 链接，最多 9 个',
    photoN: (n) => `照片 ${n}`,
    release: '放弃认领',
    confirm: '登记群众确认',
    confirmHint: '记录群众本人对心愿已实现的确认',
    withdraw: '撤回心愿',
    reason: '理由',
    done: '已保存。',
    details: '心愿详情',
    claimInfo: (name, by) => `认领人：${name}，承诺${by}前完成`,
    fulfilment: '实现情况',
    confirmation: (how) => `确认：${how}`,
    autoConfirmAt: (at) => `群众${at}前未反馈视为确认`,
    screening: (decision, at) => `审核${decision}（${at}）`,
    registerHelper: '登记帮扶力量',
    helperKind: '类型',
    helperKinds: { volunteer: '志愿者', social_worker: '社工', organisation: '社会组织', party_member: '党员' },
    helperName: '名称或姓名',
    helperContact: '联系方式',
    helperRegistered: (name) => `已登记帮扶力量：${name}`,
  },
  reports: {
    title: '群众反映',
    intro: '本单位收到的群众反映，按阶段查看，逾期的排在最前。点开一项受理、答复或标记为共性问题。',
    stages: { received: '待受理', acknowledged: '已受理，待答复', answered: '已答复' },
    categories: { assistance_policy: '救助政策咨询', missed_household: '应救未救', benefit_problem: '待遇发放问题', staff_conduct: '工作作风', other: '其他' },
    received: (at) => `${at}收到`,
    common: { proposed: '建议列为共性问题', confirmed: '共性问题', answered: '共性问题（已集中答复）' },
    acknowledge: '受理',
    ackNote: '受理说明（可不填）',
    answer: '答复',
    answerText: '答复内容',
    answeredByName: '答复人姓名',
    answeredByRole: '答复人身份',
    answererRoles: { committee_member: '村(社区)两委成员', civil_affairs_assistant: '民政协理员', staff: '工作人员' },
    markCommon: '标记为共性问题',
    commonTitle: '共性问题标题（可不填）',
    commonTitleHint: '在党员活动日集中答复；向社会公开，不得含个人信息',
    text: '反映内容',
    contact: '联系方式',
    acknowledged: (at) => `${at}已受理`,
    answered: (at, who, text) => `${at} ${who}答复：${text}`,
    profileTitle: '公开信息（扫码页）',
    profileIntro: '群众扫描社会救助二维码看到的政策说明和联系电话。只公开办公电话，不公开个人手机。',
    policies: '政策说明',
    contacts: '联系人',
    contactRole: '职务',
    contactName: '姓名',
    contactPhone: '办公电话',
    contactPhoneHint: '如 0631-5201234 或 12345',
    addContact: '添加联系人',
    removeContact: (n) => `删除联系人 ${n}`,
    contactN: (n) => `联系人 ${n}`,
    saveProfile: '保存公开信息',
    profileSaved: '公开信息已保存。',
    profileUpdated: (at, by) => `${at}由 ${by} 更新`,
    profileNever: '尚未填写。',
    commonIssues: '共性问题',
    commonIssuesEmpty: '暂无共性问题。',
  },
  partyDays: {
    title: '党员活动日',
    intro: '每月党员活动日集中答复群众反映的共性问题：设定日期，查看议题，现场记录答复，形成会议纪要。',
    schedule: '活动日安排',
    noSchedule: '尚未设定活动日。',
    dayOfMonth: '每月几日',
    dayOfMonthHint: '1–28 日',
    startsAt: '开始时间',
    scheduleNote: '说明（可不填）',
    saveSchedule: '保存安排',
    scheduleSaved: '活动日安排已保存。',
    nextTimes: (at) => `下次：${at}`,
    paused: '已暂停',
    pause: '暂停活动日',
    resume: '恢复活动日',
    pauseReason: '暂停原因',
    months: '各月答疑',
    noMonths: '暂无活动日记录。',
    month: (m) => `${m} 党员活动日`,
    statuses: { agenda_published: '议题已公布', held: '已召开', closed: '已结束' },
    items: (answered, total) => `已答复 ${answered}/${total} 项`,
    agenda: '议题',
    itemKinds: { common_issue: '共性问题', report: '群众反映', carried_over: '上月结转' },
    carriedFrom: (id) => `由 ${id} 结转`,
    ended: '已通过群众反映渠道答复',
    answerItem: (id) => `记录 ${id} 的现场答复`,
    answer: '答复内容',
    answeredByName: '答复人姓名',
    answeredByRole: '答复人身份',
    answererRoles: { committee_member: '村(社区)两委成员', civil_affairs_assistant: '民政协理员' },
    record: '保存答复',
    answered: (who, name, at) => `${who} ${name}（${at}）`,
    answersDue: (at) => `答复期限：${at}`,
    handedOver: (id) => `未答复事项已转入 ${id}`,
    minutes: '会议纪要',
    minutesEmpty: '尚无答复。',
    minutesOf: (unit, month) => `${unit} ${month} 党员活动日集中答疑纪要`,
    print: '打印纪要',
    question: '问题',
  },
};

export const LIFECYCLE_EN: LifecycleMessages = {
  stage: 'Stage',
  unit: 'Unit',
  due: (at) => `due ${at}`,
  overdue: 'Overdue',
  openCase: (id) => `Open ${id}`,
  empty: 'Nothing at this stage.',
  village: 'Village/community',
  villageHint: 'A village or community of this town',
  wishes: {
    title: 'Wishes',
    intro: 'The unit’s wishes by stage: posted, screened by the town, claimed, fulfilled, confirmed. Open one to take its next step.',
    stages: { screening: 'To screen', open: 'To claim', claimed: 'Claimed, to fulfil', fulfilled: 'Fulfilled, to confirm', closed: 'Closed' },
    outcomes: { fulfilled: 'Fulfilled', rejected: 'Rejected at screening', withdrawn: 'Withdrawn' },
    categories: { material: 'Material help', service: 'Service', companionship: 'Companionship', other: 'Other' },
    postedBy: { household: 'The household itself (recorded by staff)', staff: 'Staff on the household’s behalf' },
    post: 'Post a wish',
    postTitle: 'Post a new wish',
    householdId: 'Household id',
    householdIdHint: 'The register’s id, e.g. hh-0123456789ab',
    wishTitle: 'Title',
    wishTitleHint: 'At most 40 characters; the town screens it before it is shown publicly',
    description: 'Description',
    category: 'Category',
    neededBy: 'Needed by (optional)',
    postedByLabel: 'Expressed by',
    posted: (id) => `Wish ${id} posted; the town will screen it.`,
    postedAt: (at) => `posted ${at}`,
    helper: (name) => `Helper: ${name}`,
    publicTitle: 'Public title',
    publicTitleHint: 'Shown publicly: no name, phone, ID number or address',
    screen: 'Screen',
    decision: 'Decision',
    decisions: { approve: 'Approve', reject: 'Reject' },
    note: 'Note (optional)',
    rejectReason: 'Reason for rejecting',
    claim: 'Record a claim',
    helperLabel: 'Helper claiming it',
    helperHint: 'A registered volunteer, social worker, organisation or party member',
    noHelpers: 'No helper is registered in this unit yet: register one first.',
    fulfilBy: 'Promised date (optional)',
    fulfilByHint: 'The longest allowed when empty',
    fulfil: 'Record fulfilment',
    evidence: 'What was done',
    photos: 'Photo links (optional)',
    photosHint: 'One http(s) link per line, at most 9',
    photoN: (n) => `Photo ${n}`,
    release: 'Give up the claim',
    confirm: 'Record the household’s confirmation',
    confirmHint: 'The household itself confirms the wish was fulfilled',
    withdraw: 'Withdraw the wish',
    reason: 'Reason',
    done: 'Saved.',
    details: 'The wish',
    claimInfo: (name, by) => `Claimed by ${name}, to fulfil by ${by}`,
    fulfilment: 'Fulfilment',
    confirmation: (how) => `Confirmed: ${how}`,
    autoConfirmAt: (at) => `Counts as confirmed if the household says nothing by ${at}`,
    screening: (decision, at) => `Screening: ${decision} (${at})`,
    registerHelper: 'Register a helper',
    helperKind: 'Kind',
    helperKinds: { volunteer: 'Volunteer', social_worker: 'Social worker', organisation: 'Organisation', party_member: 'Party member' },
    helperName: 'Name',
    helperContact: 'Contact',
    helperRegistered: (name) => `Helper registered: ${name}`,
  },
  reports: {
    title: 'Public reports',
    intro: 'Reports the unit received, by stage, overdue first. Open one to acknowledge, answer or mark it as a common issue.',
    stages: { received: 'To acknowledge', acknowledged: 'Acknowledged, to answer', answered: 'Answered' },
    categories: { assistance_policy: 'Assistance policy question', missed_household: 'Household missed', benefit_problem: 'Benefit payment problem', staff_conduct: 'Staff conduct', other: 'Other' },
    received: (at) => `received ${at}`,
    common: { proposed: 'Proposed common issue', confirmed: 'Common issue', answered: 'Common issue (answered)' },
    acknowledge: 'Acknowledge',
    ackNote: 'Note (optional)',
    answer: 'Answer',
    answerText: 'Answer',
    answeredByName: 'Answered by (name)',
    answeredByRole: 'Answered by (office)',
    answererRoles: { committee_member: 'Village committee member', civil_affairs_assistant: 'Civil-affairs assistant', staff: 'Staff' },
    markCommon: 'Mark as common issue',
    commonTitle: 'Common issue title (optional)',
    commonTitleHint: 'Answered on the Party day; shown publicly, no personal data',
    text: 'Report',
    contact: 'Contact',
    acknowledged: (at) => `acknowledged ${at}`,
    answered: (at, who, text) => `${at} ${who} answered: ${text}`,
    profileTitle: 'Public profile (QR page)',
    profileIntro: 'What people see when they scan the social-assistance QR code: policy text and office phones. No personal mobiles.',
    policies: 'Policy text',
    contacts: 'Contacts',
    contactRole: 'Position',
    contactName: 'Name',
    contactPhone: 'Office phone',
    contactPhoneHint: 'e.g. 0631-5201234 or 12345',
    addContact: 'Add a contact',
    removeContact: (n) => `Remove contact ${n}`,
    contactN: (n) => `Contact ${n}`,
    saveProfile: 'Save the profile',
    profileSaved: 'Profile saved.',
    profileUpdated: (at, by) => `updated ${at} by ${by}`,
    profileNever: 'Not written yet.',
    commonIssues: 'Common issues',
    commonIssuesEmpty: 'No common issues.',
  },
  partyDays: {
    title: 'Party days',
    intro: 'The monthly Party day answers common issues on site: set the day, see the agenda, record the answers, keep the minutes.',
    schedule: 'Schedule',
    noSchedule: 'No Party day is scheduled yet.',
    dayOfMonth: 'Day of the month',
    dayOfMonthHint: '1–28',
    startsAt: 'Start time',
    scheduleNote: 'Note (optional)',
    saveSchedule: 'Save the schedule',
    scheduleSaved: 'Schedule saved.',
    nextTimes: (at) => `Next: ${at}`,
    paused: 'Paused',
    pause: 'Pause the Party day',
    resume: 'Resume the Party day',
    pauseReason: 'Why it is paused',
    months: 'Months',
    noMonths: 'No Party day yet.',
    month: (m) => `Party day ${m}`,
    statuses: { agenda_published: 'Agenda published', held: 'Held', closed: 'Closed' },
    items: (answered, total) => `${answered} of ${total} answered`,
    agenda: 'Agenda',
    itemKinds: { common_issue: 'Common issue', report: 'Report', carried_over: 'Carried over' },
    carriedFrom: (id) => `carried over from ${id}`,
    ended: 'Answered through the report itself',
    answerItem: (id) => `Record the answer to ${id}`,
    answer: 'Answer',
    answeredByName: 'Answered by (name)',
    answeredByRole: 'Answered by (office)',
    answererRoles: { committee_member: 'Village committee member', civil_affairs_assistant: 'Civil-affairs assistant' },
    record: 'Save the answer',
    answered: (who, name, at) => `${who} ${name} (${at})`,
    answersDue: (at) => `Answers due ${at}`,
    handedOver: (id) => `Open items handed over to ${id}`,
    minutes: 'Minutes',
    minutesEmpty: 'No answers yet.',
    minutesOf: (unit, month) => `${unit}: minutes of the Party day, ${month}`,
    print: 'Print the minutes',
    question: 'Question',
  },
};

/** The screens' text in the language the user chose. */
export const useLifecycleText = (): LifecycleMessages => (useApp().lang === 'en' ? LIFECYCLE_EN : LIFECYCLE_ZH);
