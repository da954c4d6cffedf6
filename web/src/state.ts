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
export type Screen = 'board' | 'tasks' | 'monitor';
const SCREENS: Record<string, Screen[]> = {
  grid_worker: ['tasks'],
  party_member: ['tasks'],
  village_staff: ['tasks'],
  town_staff: ['board', 'tasks'],
  town_supervisor: ['board', 'tasks'],
  district_staff: ['board', 'monitor', 'tasks'],
  city_monitor: ['monitor', 'board'],
  admin: ['board', 'monitor', 'tasks'],
};
export const screensOf = (role: string): Screen[] => SCREENS[role] ?? ['tasks'];
export const homeOf = (role: string): string => `/${screensOf(role)[0]}`;

/** Roles that act on alerts (api/routes/alerts.ts ACTORS, plus admin); city monitors only read. */
const ALERT_ACTORS = new Set(['grid_worker', 'village_staff', 'town_staff', 'town_supervisor', 'district_staff', 'admin']);
export const mayActOnAlerts = (role: string): boolean => ALERT_ACTORS.has(role);
