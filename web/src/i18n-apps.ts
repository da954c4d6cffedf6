// The workspace's text for the applications screens (web/src/screens/applications.tsx, households.tsx); the stages stay in
// web/src/i18n.ts, where the case timeline's events name them (issue 14), Chinese first; the type makes both languages
// required. Beside web/src/i18n.ts rather than in it, as web/src/i18n-lifecycles.ts: only these screens' chunks
// load it, so the first load (the board, the task list, the sign-in screen) stays small (docs/benchmarks.md).

import { MESSAGES, type Lang, type Messages } from './i18n';
import { useApp } from './state';

type Fn<A extends unknown[] = [string]> = (...args: A) => string;

export interface AppsMessages {
  title: string;
  intro: string;
  stage: string;
  none: string;
  start: string;
  category: string;
  choose: string;
  source: string;
  sources: Record<string, string>;
  labourCapacity: string;
  labour: { no_labour_capacity: string; illness_or_disability: string; labour_capacity: string };
  startSubmit: string;
  stepsTitle: Fn;
  categoryIs: Fn;
  policyDiffers: Fn<[string, string]>;
  noStepsForYou: string;
  /** A step form's field labels: by `step.field`, else by `field`. */
  fields: Record<string, string>;
  /** A choice's label, by `field.value`. */
  options: Record<string, string>;
  listHint: string;
  steps: Record<string, string>;
  rulesTitle: string;
  deadline: Fn<[string, string]>;
  noWorkingDaysLeft: string;
  workingDaysLeft: Fn<[number]>;
  submitStep: Fn;
}

const APPS_ZH: AppsMessages = {
  title: '救助申请',
  intro: '本辖区在办的救助申请，逾期的在前，其次按期限先后。新申请从住户档案的住户页面发起。',
  stage: '环节',
  none: '没有在办的救助申请。',
  start: '发起救助申请',
  category: '申请类别',
  choose: '请选择',
  source: '申请方式',
  sources: { on_behalf: '村(社区)帮办代办', one_door: '镇(街道)一门受理', alert: '由预警转入', public_qr: '群众扫码申请' },
  labourCapacity: '劳动能力',
  labour: { no_labour_capacity: '无劳动能力', illness_or_disability: '因病因残', labour_capacity: '有劳动能力' },
  startSubmit: '提交申请',
  stepsTitle: (stage) => `当前环节：${stage}`,
  categoryIs: (c) => `申请类别 ${c}`,
  policyDiffers: (a, b) => `本件按政策版本 ${a} 办理，下列规则为现行版本 ${b}`,
  noStepsForYou: '当前环节没有您可办理的步骤。',
  fields: {
    decision: '决定',
    missing: '所缺材料（一次性告知全部）',
    note: '备注',
    supplied: '已补齐的材料',
    department: '部门',
    investigators: '调查人员',
    visitedAt: '入户时间',
    findings: '调查情况',
    kind: '事项',
    scheduledAt: '评议时间',
    place: '评议地点',
    heldAt: '召开时间',
    members: '应到人数',
    attendees: '实到人数',
    votesFor: '同意票',
    votesAgainst: '反对票',
    minutes: '会议记录',
    opinion: '审核意见',
    reason: '理由',
    noticeText: '书面告知内容',
    text: '异议内容',
    from: '异议人（可不填）',
    category: '救助类别',
    monthlyAmount: '月救助金额（元）',
    startDate: '起始日期',
    appealInformed: '救济权利告知',
    'appealInformed.yes': '已告知申请人可申请行政复议或提起行政诉讼',
    stage: '延长的期限',
    workingDays: '延长工作日数',
    outcome: '复核结果',
    labourCapacity: '劳动能力（变更时）',
    'reReview.monthlyAmount': '新的月救助金额（变更时，元）',
  },
  options: {
    'decision.accept': '受理',
    'decision.return': '退回补正',
    'decision.approve': '批准',
    'decision.reject': '不予批准',
    'kind.schedule': '安排评议会议',
    'kind.record': '记录评议结果',
    'opinion.approve': '同意',
    'opinion.reject': '不同意',
    'outcome.renew': '继续享受',
    'outcome.change': '变更',
    'outcome.stop': '停止',
  },
  listHint: '每行一项，或用顿号、逗号分隔',
  steps: {
    acceptance: '受理',
    supplements: '补正材料',
    verificationResult: '录入部门核对结果',
    investigation: '入户调查',
    deliberation: '民主评议',
    review: '镇(街道)审核',
    objection: '公示异议',
    approval: '区市审批确认',
    extension: '延长期限',
    withdrawal: '撤回申请',
    reReview: '定期复核',
  },
  rulesTitle: '本步骤执行的规则：',
  deadline: (label, at) => `期限：${label}，${at} 前`,
  noWorkingDaysLeft: '已到期',
  workingDaysLeft: (n) => `还剩 ${n} 个工作日`,
  submitStep: (s) => `提交：${s}`,
};

const APPS_EN: AppsMessages = {
  title: 'Applications',
  intro: 'Open assistance applications in your jurisdiction, overdue first, then by deadline. A new application is started from the household’s page in the register.',
  stage: 'Stage',
  none: 'No open application.',
  start: 'Start an application',
  category: 'Category applied for',
  choose: 'Choose…',
  source: 'How it was filed',
  sources: { on_behalf: 'Filed by the village on the household’s behalf', one_door: 'At the town’s one-door window', alert: 'From an alert', public_qr: 'By the public QR page' },
  labourCapacity: 'Labour capacity',
  labour: { no_labour_capacity: 'No labour capacity', illness_or_disability: 'Illness or disability', labour_capacity: 'Able to work' },
  startSubmit: 'File the application',
  stepsTitle: (stage) => `Current stage: ${stage}`,
  categoryIs: (c) => `Category ${c}`,
  policyDiffers: (a, b) => `this case runs on policy ${a}; the rules below are the current ${b}`,
  noStepsForYou: 'Nothing at this stage is yours to do.',
  fields: {
    decision: 'Decision',
    missing: 'Missing materials (all of them, at once)',
    note: 'Note',
    supplied: 'Materials supplied',
    department: 'Department',
    investigators: 'Investigators',
    visitedAt: 'Visited at',
    findings: 'Findings',
    kind: 'What to record',
    scheduledAt: 'Meeting time',
    place: 'Place',
    heldAt: 'Held at',
    members: 'Members',
    attendees: 'Present',
    votesFor: 'Votes for',
    votesAgainst: 'Votes against',
    minutes: 'Minutes',
    opinion: 'Opinion',
    reason: 'Reason',
    noticeText: 'Written notice',
    text: 'Objection',
    from: 'Raised by (optional)',
    category: 'Benefit category',
    monthlyAmount: 'Monthly amount (yuan)',
    startDate: 'Starts on',
    appealInformed: 'Right of appeal',
    'appealInformed.yes': 'The applicant was told of the right to administrative review or suit',
    stage: 'Deadline to extend',
    workingDays: 'Working days',
    outcome: 'Outcome',
    labourCapacity: 'Labour capacity (on a change)',
    'reReview.monthlyAmount': 'New monthly amount (on a change, yuan)',
  },
  options: {
    'decision.accept': 'Accept',
    'decision.return': 'Return for materials',
    'decision.approve': 'Approve',
    'decision.reject': 'Refuse',
    'kind.schedule': 'Schedule the meeting',
    'kind.record': 'Record the result',
    'opinion.approve': 'Approve',
    'opinion.reject': 'Reject',
    'outcome.renew': 'Renew',
    'outcome.change': 'Change',
    'outcome.stop': 'Stop',
  },
  listHint: 'One per line, or separated by commas',
  steps: {
    acceptance: 'Acceptance',
    supplements: 'Supplements',
    verificationResult: 'Enter a department’s answer',
    investigation: 'Home investigation',
    deliberation: 'Community deliberation',
    review: 'Town review',
    objection: 'Objection during the notice',
    approval: 'District approval',
    extension: 'Extend a deadline',
    withdrawal: 'Withdraw',
    reReview: 'Periodic re-review',
  },
  rulesTitle: 'The rules this step enforces (policy text, in Chinese):',
  deadline: (label, at) => `Deadline: ${label}, before ${at}`,
  noWorkingDaysLeft: 'Due now',
  workingDaysLeft: (n) => `${n} working day${n === 1 ? '' : 's'} left`,
  submitStep: (s) => `Submit: ${s}`,
};

/** With the stages, which stay in web/src/i18n.ts because the case timeline's events name them. */
const APPS: Record<Lang, AppsMessages & Messages['apps']> = { zh: { ...MESSAGES.zh.apps, ...APPS_ZH }, en: { ...MESSAGES.en.apps, ...APPS_EN } };

/** The applications screens' text (and the stages) in the language the user chose. */
export const useAppsText = (): AppsMessages & Messages['apps'] => APPS[useApp().lang];
