// The workspace's text for the household register screens (web/src/screens/households.tsx, intake-register.tsx) (issue 14), Chinese first; the type makes both languages
// required. Beside web/src/i18n.ts rather than in it, as web/src/i18n-lifecycles.ts: only these screens' chunks
// load it, so the first load (the board, the task list, the sign-in screen) stays small (docs/benchmarks.md).

import { useApp } from './state';

type Fn<A extends unknown[] = [string]> = (...args: A) => string;

export interface RegisterMessages {
  title: string;
  registerNew: string;
  searchName: string;
  searchNameHint: string;
  searchIdNumber: string;
  searchIdNumberHint: string;
  category: string;
  search: string;
  noneFound: string;
  noCategory: string;
  registerTitle: string;
  headName: string;
  headIdNumber: string;
  phone: string;
  address: string;
  unitCode: string;
  unitCodeHint: string;
  categories: string;
  members: string;
  noMembers: string;
  memberN: Fn<[number]>;
  memberName: string;
  memberIdNumber: string;
  memberRelation: string;
  removeMember: Fn<[number]>;
  addMember: string;
  submit: string;
  householdTitle: string;
  householdOf: Fn;
  registered: Fn;
  registeredAt: string;
  openCases: string;
  noOpenCases: string;
  saveCategories: string;
  categoriesSaved: string;
  edit: string;
  saveEdit: string;
  edited: string;
  maskedHint: string;
}

const REGISTER_ZH: RegisterMessages = {
  title: '住户档案',
  registerNew: '登记新户',
  searchName: '户主姓名',
  searchNameHint: '可只输入姓氏',
  searchIdNumber: '身份证号码',
  searchIdNumberHint: '户内任一成员的完整号码（号码加密存储，不支持部分匹配）',
  category: '救助对象类别',
  search: '查找',
  noneFound: '没有符合条件的住户。',
  noCategory: '未登记类别',
  registerTitle: '户籍登记',
  headName: '户主姓名',
  headIdNumber: '户主身份证号码',
  phone: '联系电话',
  address: '住址',
  unitCode: '所属村(社区)或网格代码',
  unitCodeHint: '默认为本人所在单位；网格代码亦可',
  categories: '救助对象类别',
  members: '家庭成员',
  noMembers: '暂无其他成员',
  memberN: (n) => `成员 ${n}`,
  memberName: '姓名',
  memberIdNumber: '身份证号码',
  memberRelation: '与户主关系',
  removeMember: (n) => `删除成员 ${n}`,
  addMember: '添加成员',
  submit: '登记',
  householdTitle: '住户',
  householdOf: (name) => `住户：${name}`,
  registered: (id) => `已登记，户编号 ${id}。`,
  registeredAt: '登记时间',
  openCases: '在办事项',
  noOpenCases: '暂无在办事项',
  saveCategories: '保存类别',
  categoriesSaved: '类别已保存。',
  edit: '修改地址、电话和家庭成员',
  saveEdit: '保存修改',
  edited: '已保存修改。',
  maskedHint: '带 * 的号码已按您的权限遮挡；修改时须重新输入完整号码',
};

const REGISTER_EN: RegisterMessages = {
  title: 'Household register',
  registerNew: 'Register a household',
  searchName: 'Head of household',
  searchNameHint: 'The surname alone will do',
  searchIdNumber: 'ID number',
  searchIdNumberHint: 'The full number of any member (numbers are encrypted at rest: no partial match)',
  category: 'Recipient category',
  search: 'Search',
  noneFound: 'No household matches.',
  noCategory: 'No category',
  registerTitle: 'Register a household',
  headName: 'Head of household',
  headIdNumber: 'Head’s ID number',
  phone: 'Phone',
  address: 'Address',
  unitCode: 'Village/community or grid code',
  unitCodeHint: 'Your own unit by default; a grid code works too',
  categories: 'Recipient categories',
  members: 'Household members',
  noMembers: 'No other members',
  memberN: (n) => `Member ${n}`,
  memberName: 'Name',
  memberIdNumber: 'ID number',
  memberRelation: 'Relation to the head',
  removeMember: (n) => `Remove member ${n}`,
  addMember: 'Add a member',
  submit: 'Register',
  householdTitle: 'Household',
  householdOf: (name) => `Household: ${name}`,
  registered: (id) => `Registered as ${id}.`,
  registeredAt: 'Registered',
  openCases: 'Open cases',
  noOpenCases: 'No open case',
  saveCategories: 'Save categories',
  categoriesSaved: 'Categories saved.',
  edit: 'Correct the address, phone and members',
  saveEdit: 'Save the corrections',
  edited: 'Corrections saved.',
  maskedHint: 'Numbers with * are masked for your role; enter them in full to change them',
};

/** The household register screens' text in the language the user chose. */
export const useRegisterText = (): RegisterMessages => (useApp().lang === 'en' ? REGISTER_EN : REGISTER_ZH);
