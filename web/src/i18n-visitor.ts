// The workspace's text for the alert's assigned visitor on the case page (web/src/screens/case.tsx) (issue 14), Chinese first; the type makes both languages
// required. Beside web/src/i18n.ts rather than in it, as web/src/i18n-lifecycles.ts: only these screens' chunks
// load it, so the first load (the board, the task list, the sign-in screen) stays small (docs/benchmarks.md).

import { useApp } from './state';

type Fn<A extends unknown[] = [string]> = (...args: A) => string;

export interface VisitorMessages {
  assign: string;
  current: Fn<[string, string]>;
  userId: string;
  userIdHint: string;
  role: string;
  unitCode: string;
  unitCodeHint: string;
  note: string;
}

const VISITOR_ZH: VisitorMessages = {
  assign: '指派走访人',
  current: (who, role) => `走访人：${who}（${role}）`,
  userId: '走访人登录名',
  userIdHint: '本村(社区)或其网格的网格员、党员或工作人员的登录名',
  role: '走访人身份',
  unitCode: '走访人所在单位代码',
  unitCodeHint: '本村(社区)或其下网格的代码',
  note: '说明（可选）',
};

const VISITOR_EN: VisitorMessages = {
  assign: 'Assign the visitor',
  current: (who, role) => `Visitor: ${who} (${role})`,
  userId: 'Visitor’s login',
  userIdHint: 'The login of a grid worker, party member or staff member of this village or one of its grids',
  role: 'Visitor’s role',
  unitCode: 'Visitor’s unit code',
  unitCodeHint: 'The code of this village or one of its grids',
  note: 'Note (optional)',
};

/** The visitor assignment's text in the language the user chose. */
export const useVisitorText = (): VisitorMessages => (useApp().lang === 'en' ? VISITOR_EN : VISITOR_ZH);
