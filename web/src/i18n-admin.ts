// The workspace's text for the org tree, holiday calendar and catalogue admin screens (web/src/screens/admin.tsx) (issue 14), Chinese first; the type makes both languages
// required. Beside web/src/i18n.ts rather than in it, as web/src/i18n-lifecycles.ts: only these screens' chunks
// load it, so the first load (the board, the task list, the sign-in screen) stays small (docs/benchmarks.md).

import { useApp } from './state';

type Fn<A extends unknown[] = [string]> = (...args: A) => string;

export interface AdminMessages {
  org: {
    title: string;
    intro: string;
    searchLabel: string;
    searchHint: string;
    search: string;
    noResults: string;
    results: string;
    children: string;
    noChildren: string;
    up: string;
    code: string;
    addTitle: Fn;
    addCode: string;
    addCodeHint: Fn;
    addName: string;
    add: string;
    added: Fn;
    renameTitle: string;
    rename: string;
    renamed: Fn;
    casesNote: string;
  };
  calendar: {
    title: string;
    intro: string;
    year: string;
    show: string;
    provisional: string;
    provisionalHint: string;
    notStored: Fn<[number]>;
    updated: Fn<[string, string]>;
    holidays: string;
    workdays: string;
    workdaysHint: string;
    day: Fn<[string, number]>;
    remove: Fn;
    addHoliday: string;
    addWorkday: string;
    none: string;
    isProvisional: string;
    source: string;
    save: string;
    saved: Fn<[number]>;
    countTitle: string;
    countFrom: string;
    countDays: string;
    count: string;
    countResult: Fn<[number, string, string]>;
  };
  catalogue: {
    title: string;
    intro: string;
    categories: string;
    items: string;
    socialForces: string;
    code: string;
    codeHint: string;
    name: string;
    entry: Fn<[string, number]>;
    remove: Fn;
    add: Fn;
    save: string;
    saved: string;
    readOnly: string;
  };
}

const ADMIN_ZH: AdminMessages = {
  org: {
    title: '组织机构',
    intro: '市 → 区市 → 镇(街道) → 村(社区) → 网格。点下级单位逐级查看，或按名称、代码查找。',
    searchLabel: '查找单位',
    searchHint: '名称中的字，或代码开头的数字',
    search: '查找',
    noResults: '没有找到符合的单位。',
    results: '查找结果',
    children: '下级单位',
    noChildren: '没有下级单位。',
    up: '上一级',
    code: '代码',
    addTitle: (level) => `新增下级单位（${level}）`,
    addCode: '单位代码',
    addCodeHint: (example) => `在上级代码后续写，如 ${example}`,
    addName: '单位名称',
    add: '新增',
    added: (name) => `已新增“${name}”。`,
    renameTitle: '更名',
    rename: '保存名称',
    renamed: (name) => `已更名为“${name}”。`,
    casesNote: '已开启的案件保留开启时的单位名称和上报层级；新增或更名只影响此后开启的案件。',
  },
  calendar: {
    title: '节假日日历',
    intro: '法定节假日与调休上班日（北京时间）。“N 个工作日内”的期限按此计算。',
    year: '年份',
    show: '查看',
    provisional: '暂定',
    provisionalHint: '本年度安排尚未公布，按估计录入',
    notStored: (y) => `${y} 年尚未录入日历：工作日按周一至周五计算。`,
    updated: (at, by) => `更新于 ${at}（${by}）`,
    holidays: '法定节假日（放假）',
    workdays: '调休上班日',
    workdaysHint: '须为周六或周日',
    day: (list, n) => `${list}第 ${n} 天`,
    remove: (what) => `删除${what}`,
    addHoliday: '添加放假日',
    addWorkday: '添加调休上班日',
    none: '无',
    isProvisional: '暂定（本年度安排尚未公布）',
    source: '依据（如国务院办公厅通知）',
    save: '保存日历',
    saved: (y) => `${y} 年日历已保存。`,
    countTitle: '工作日计算',
    countFrom: '起算日',
    countDays: '工作日数',
    count: '计算',
    countResult: (n, last, due) => `${n} 个工作日：最后一个工作日 ${last}，截止 ${due}`,
  },
  catalogue: {
    title: '救助目录',
    intro: '“9+N+1”：救助对象类别、救助项目、社会力量。全市通用，由市级管理员维护。',
    categories: '救助对象类别',
    items: '救助项目',
    socialForces: '社会力量',
    code: '代码',
    codeHint: '小写字母开头，字母、数字、下划线',
    name: '名称',
    entry: (list, n) => `${list}第 ${n} 项`,
    remove: (what) => `删除${what}`,
    add: (list) => `添加${list}`,
    save: '保存目录',
    saved: '目录已保存。',
    readOnly: '只有市级管理员可以修改目录。',
  },
};

const ADMIN_EN: AdminMessages = {
  org: {
    title: 'Org tree',
    intro: 'City → district → town/street → village/community → grid. Open a unit below to go down, or search by name or code.',
    searchLabel: 'Find a unit',
    searchHint: 'Part of the name, or the start of the code',
    search: 'Search',
    noResults: 'No unit matches.',
    results: 'Search results',
    children: 'Units below',
    noChildren: 'No units below.',
    up: 'Up one level',
    code: 'Code',
    addTitle: (level) => `Add a unit below (${level})`,
    addCode: 'Unit code',
    addCodeHint: (example) => `The parent's code continued, e.g. ${example}`,
    addName: 'Unit name',
    add: 'Add',
    added: (name) => `Added “${name}”.`,
    renameTitle: 'Rename',
    rename: 'Save name',
    renamed: (name) => `Renamed to “${name}”.`,
    casesNote: 'Open cases keep the unit name and escalation ladder they were opened with; an added or renamed unit affects cases opened afterwards.',
  },
  calendar: {
    title: 'Holiday calendar',
    intro: 'Public holidays and make-up workdays (Beijing dates). Deadlines "within n working days" count on it.',
    year: 'Year',
    show: 'Show',
    provisional: 'Provisional',
    provisionalHint: 'The year’s arrangement is not published yet: an estimate',
    notStored: (y) => `${y} is not in the calendar: working days count as plain Mon–Fri.`,
    updated: (at, by) => `Updated ${at} (${by})`,
    holidays: 'Public holidays (days off)',
    workdays: 'Make-up workdays',
    workdaysHint: 'Must be a Saturday or Sunday',
    day: (list, n) => `${list}, day ${n}`,
    remove: (what) => `Remove ${what}`,
    addHoliday: 'Add a day off',
    addWorkday: 'Add a make-up workday',
    none: 'None',
    isProvisional: 'Provisional (the arrangement is not published yet)',
    source: 'Source (e.g. the State Council notice)',
    save: 'Save calendar',
    saved: (y) => `The ${y} calendar is saved.`,
    countTitle: 'Working-day count',
    countFrom: 'From',
    countDays: 'Working days',
    count: 'Count',
    countResult: (n, last, due) => `${n} working days: last working day ${last}, due ${due}`,
  },
  catalogue: {
    title: 'Catalogue',
    intro: '"9+N+1": recipient categories, assistance items, social forces. City-wide, kept by a city admin.',
    categories: 'Recipient categories',
    items: 'Assistance items',
    socialForces: 'Social forces',
    code: 'Code',
    codeHint: 'A lowercase letter first, then letters, digits, underscores',
    name: 'Name',
    entry: (list, n) => `${list}, entry ${n}`,
    remove: (what) => `Remove ${what}`,
    add: (list) => `Add to ${list}`,
    save: 'Save catalogue',
    saved: 'The catalogue is saved.',
    readOnly: 'Only a city admin may change the catalogue.',
  },
};

/** The org tree, holiday calendar and catalogue screens' text in the language the user chose. */
export const useAdminText = (): AdminMessages => (useApp().lang === 'en' ? ADMIN_EN : ADMIN_ZH);
