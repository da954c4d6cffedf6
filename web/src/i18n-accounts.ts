// The workspace's text for the staff accounts screens (web/src/screens/accounts.tsx: the password change, the users list);
// what the sign-in screen and the header need stays in web/src/i18n.ts (issue 14), Chinese first; the type makes both languages
// required. Beside web/src/i18n.ts rather than in it, as web/src/i18n-lifecycles.ts: only these screens' chunks
// load it, so the first load (the board, the task list, the sign-in screen) stays small (docs/benchmarks.md).

import { useApp } from './state';

type Fn<A extends unknown[] = [string]> = (...args: A) => string;

export interface AccountsMessages {
  changeForced: string;
  changeIntro: string;
  currentPassword: string;
  newPassword: string;
  confirmPassword: string;
  mismatch: string;
  passwordRules: string;
  change: string;
  changed: string;
  usersTitle: string;
  usersIntro: string;
  usersCaption: string;
  create: string;
  createTitle: string;
  name: string;
  role: string;
  unitCode: string;
  phone: string;
  status: string;
  statuses: Record<string, string>;
  locked2: string;
  mustChange: string;
  edit: string;
  save: string;
  cancel: string;
  disable: string;
  enable: string;
  reset: string;
  resetConfirm: Fn;
  temporary: Fn<[string, string]>;
  temporaryHint: string;
  created: Fn;
  saved: Fn;
  empty: string;
  more: string;
  filterRole: string;
  allRoles: string;
  cols: { login: string; name: string; role: string; unit: string; phone: string; status: string; actions: string };
}

const ACCOUNTS_ZH: AccountsMessages = {
  changeForced: '您正在使用管理员设置的临时密码（新开账号或密码已被重置），请先设置自己的新密码再继续使用。',
  changeIntro: '修改后，您在其他设备上的登录将失效。',
  currentPassword: '当前密码',
  newPassword: '新密码',
  confirmPassword: '再次输入新密码',
  mismatch: '两次输入的新密码不一致',
  passwordRules: '至少10位，包含大写字母、小写字母、数字、符号中的至少三类，不得包含登录名。',
  change: '修改密码',
  changed: '密码已修改。',
  usersTitle: '用户管理',
  usersIntro: '创建和管理本单位及下级单位的用户：角色、所在单位、停用启用、重置密码。',
  usersCaption: '用户列表',
  create: '新建用户',
  createTitle: '新建用户',
  name: '姓名',
  role: '角色',
  unitCode: '所在单位代码',
  phone: '手机号（可选）',
  status: '状态',
  statuses: { active: '正常', disabled: '已停用' },
  locked2: '已锁定',
  mustChange: '待改密',
  edit: '编辑',
  save: '保存',
  cancel: '取消',
  disable: '停用',
  enable: '启用',
  reset: '重置密码',
  resetConfirm: (login) => `重置 ${login} 的密码？其当前登录将失效。`,
  temporary: (login, password) => `${login} 的临时密码：${password}`,
  temporaryHint: '请当面或通过安全渠道告知本人；首次登录时须修改。此密码只显示一次。',
  created: (login) => `已创建用户 ${login}。`,
  saved: (login) => `已保存 ${login}。`,
  empty: '没有用户。',
  more: '加载更多',
  filterRole: '按角色筛选',
  allRoles: '全部角色',
  cols: { login: '登录名', name: '姓名', role: '角色', unit: '单位', phone: '手机号', status: '状态', actions: '操作' },
};

const ACCOUNTS_EN: AccountsMessages = {
  changeForced: 'You are signed in with a temporary password an administrator set (a new account, or a reset): set your own to go on.',
  changeIntro: 'Your sign-ins on other devices end when you change it.',
  currentPassword: 'Current password',
  newPassword: 'New password',
  confirmPassword: 'New password again',
  mismatch: 'The two new passwords differ',
  passwordRules: 'At least 10 characters, three of: uppercase, lowercase, digit, symbol; not containing the login.',
  change: 'Change password',
  changed: 'Password changed.',
  usersTitle: 'Users',
  usersIntro: 'Create and manage the users of your unit and the units below: role, unit, disable or enable, reset the password.',
  usersCaption: 'Users',
  create: 'New user',
  createTitle: 'New user',
  name: 'Name',
  role: 'Role',
  unitCode: 'Unit code',
  phone: 'Mobile (optional)',
  status: 'Status',
  statuses: { active: 'Active', disabled: 'Disabled' },
  locked2: 'Locked',
  mustChange: 'Must change password',
  edit: 'Edit',
  save: 'Save',
  cancel: 'Cancel',
  disable: 'Disable',
  enable: 'Enable',
  reset: 'Reset password',
  resetConfirm: (login) => `Reset the password of ${login}? Their sign-ins end.`,
  temporary: (login, password) => `Temporary password of ${login}: ${password}`,
  temporaryHint: 'Tell them in person or through a safe channel; they must change it at first sign-in. Shown once only.',
  created: (login) => `User ${login} created.`,
  saved: (login) => `${login} saved.`,
  empty: 'No users.',
  more: 'Load more',
  filterRole: 'Filter by role',
  allRoles: 'All roles',
  cols: { login: 'Login', name: 'Name', role: 'Role', unit: 'Unit', phone: 'Mobile', status: 'Status', actions: 'Actions' },
};

/** The staff accounts screens' text in the language the user chose. */
export const useAccountsText = (): AccountsMessages => (useApp().lang === 'en' ? ACCOUNTS_EN : ACCOUNTS_ZH);
