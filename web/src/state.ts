import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Me } from './api';
import { MESSAGES, type Lang, type Messages } from './i18n';

export interface AppState {
  lang: Lang;
  t: Messages;
  setLang(lang: Lang): void;
  me: Me | null;
  signIn(token: string): Promise<void>;
  signOut(): void;
}

export const AppContext = createContext<AppState>({
  lang: 'zh',
  t: MESSAGES.zh,
  setLang: () => undefined,
  me: null,
  signIn: async () => undefined,
  signOut: () => undefined,
});

export const useApp = (): AppState => useContext(AppContext);

/** Which screens a role works in, and where it starts. */
export type Screen =
  | 'board'
  | 'tasks'
  | 'monitor'
  | 'approvals'
  | 'orders'
  | 'supervision'
  | 'patrols'
  | 'pairings'
  | 'coverage'
  | 'discover'
  | 'my-discoveries'
  | 'discoveries'
  | 'members'
  | 'points'
  | 'ranking'
  | 'service'
  | 'org'
  | 'calendar'
  | 'catalogue'
  | 'wishes'
  | 'reports'
  | 'party-days'
  | 'intakes'
  | 'households'
  | 'applications'
  | 'users';
const SCREENS: Record<string, Screen[]> = {
  grid_worker: ['tasks', 'discover', 'my-discoveries', 'patrols', 'wishes'],
  party_member: ['tasks', 'pairings', 'discover', 'patrols', 'my-discoveries', 'points', 'ranking', 'service'],
  village_staff: ['tasks', 'orders', 'coverage', 'discover', 'my-discoveries', 'patrols', 'members', 'ranking', 'service', 'reports', 'party-days', 'wishes', 'households', 'applications'],
  town_staff: ['board', 'tasks', 'monitor', 'orders', 'discoveries', 'coverage', 'patrols', 'members', 'ranking', 'service', 'wishes', 'reports', 'party-days', 'intakes', 'households', 'applications'],
  town_supervisor: ['board', 'approvals', 'tasks', 'monitor', 'orders', 'discoveries', 'coverage', 'patrols', 'members', 'ranking', 'wishes', 'reports', 'party-days', 'intakes', 'households', 'applications'],
  district_staff: ['board', 'monitor', 'approvals', 'tasks', 'orders', 'coverage', 'ranking', 'wishes', 'reports', 'households', 'applications'],
  city_monitor: ['monitor', 'board', 'orders', 'supervision'],
  admin: ['board', 'monitor', 'approvals', 'tasks', 'orders', 'supervision', 'coverage', 'org', 'calendar', 'catalogue', 'users'],
};
/**
 * The screens of a role at a unit of a level (`me.unit.level`). A user whose unit is a grid (a grid-scoped
 * party member, a grid worker at a grid) has no 巡查 tab: a patrol is the village's (its plan and each
 * cycle's case sit at the village), and a grid token does not reach the village — both panels would answer
 * 403. Issue 14 decided to keep it so: privacy by need widens a grid token's reach only to the alerts of its
 * grid's households and the alerts it is assigned to visit (domain/permissions.ts reachesAlertByNeed), not to
 * the village's patrols — those who patrol record through the village's plan, and a grid member joins a
 * patrol by being named in its record. So the tab stays hidden, not shown broken. Ours (the fresh-eyes pass on
 * issue 13; issue 14).
 */
export const screensOf = (role: string, unitLevel?: string): Screen[] => {
  const screens = SCREENS[role] ?? ['tasks'];
  return unitLevel === 'grid' ? screens.filter((s) => s !== 'patrols') : screens;
};
export const homeOf = (role: string): string => `/${screensOf(role)[0]}`;

/**
 * Whether the signed-in user may take an action on a case kind or resource, as `GET /v1/me` lists it
 * (the API's permission matrix, domain/permissions.ts); the API still decides, case by case (jurisdiction,
 * open status).
 */
export const may = (me: Me | null, subject: string, action: string): boolean => me?.actions[subject]?.includes(action) ?? false;
