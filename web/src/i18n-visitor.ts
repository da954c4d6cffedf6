// The workspace's text for the alert's assigned visitor on the case page (web/src/screens/case.tsx) (issue 14), Chinese first; the type makes both languages
// required. Beside web/src/i18n.ts rather than in it, as web/src/i18n-lifecycles.ts: only these screens' chunks
// load it, so the first load (the board, the task list, the sign-in screen) stays small (docs/benchmarks.md).

import { useApp } from './state';

type Fn<A extends unknown[] = [string]> = (...args: A) => string;

export interface VisitorMessages {
  assign: string;
  current: Fn<[string, string]>;
  /** The select of who may be named (GET /v1/alerts/{id}/visitor-candidates). */
  userId: string;
  userIdHint: string;
  choose: string;
  /** One candidate: name, role's name, unit's name, login. */
  candidate: Fn<[string, string, string, string]>;
  none: string;
  note: string;
}

const VISITOR_ZH: VisitorMessages = {
  assign: '指派走访人',
  current: (who, role) => `走访人：${who}（${role}）`,
  userId: '走访人',
  userIdHint: '本村(社区)及其网格在册的网格员、党员和村(社区)工作人员',
  choose: '请选择走访人',
  candidate: (name, role, unit, login) => `${name}（${role}，${unit}，${login}）`,
  none: '本村(社区)及其网格暂无可指派的在册人员，请先由管理员建立账号',
  note: '说明（可选）',
};

const VISITOR_EN: VisitorMessages = {
  assign: 'Assign the visitor',
  current: (who, role) => `Visitor: ${who} (${role})`,
  userId: 'Visitor',
  userIdHint: 'The grid workers, party members and staff of this village and its grids who have an account',
  choose: 'Choose the visitor',
  candidate: (name, role, unit, login) => `${name} (${role}, ${unit}, ${login})`,
  none: 'No one of this village or its grids has an account to be named: ask an admin to create one',
  note: 'Note (optional)',
};

/** The visitor assignment's text in the language the user chose. */
export const useVisitorText = (): VisitorMessages => (useApp().lang === 'en' ? VISITOR_EN : VISITOR_ZH);
