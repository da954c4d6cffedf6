import { z } from 'zod';
import type { Role } from './roles';
import { zPlainPersonName } from './text';

/**
 * Staff accounts (issue 14 item 2; docs/accounts.md): the login's form, the password rules, the lockout
 * rule. Pure: the store keeps the state, the API applies the rules.
 */

/**
 * A login: 2–64 characters, lowercase letters, digits and `. _ @ -`, starting with a letter or digit. Logins
 * made by OIDC sign-in are `oidc:<sub>` (the colon keeps them apart from any login an admin creates). Ours.
 */
export const zLogin = z
  .string()
  .min(2)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._@-]{1,63}$/, 'lowercase letters, digits and . _ @ -, starting with a letter or digit');

/**
 * A staff member's name (a user's `name`: POST/PATCH /v1/users, scripts/create-user.ts, the OIDC `name` claim):
 * the person-name rule of the public forms (zPublicPersonName: normalised, no control or invisible character,
 * no `<` or `>`) and no mask character `*` (`unmasked`). The name is shown to colleagues wherever the user acts
 * (用户管理, the audit, an assigned visitor) and carried in their tokens: markup has no business there, and `王**`
 * would read as a masked name. Source: ours (the fresh-eyes pass on issue 14).
 */
export const zStaffName = zPlainPersonName;

/** A user's id as a path names it: a login an admin made, or `oidc:<sub>` for one an OIDC sign-in made. */
export const zUserId = z.union([zLogin, z.string().regex(/^oidc:[\w.@|:-]{1,60}$/, 'oidc:<subject>')]);

/** The longest password accepted (an argon2 input beyond it only costs work). Ours. */
export const PASSWORD_MAX = 128;
/** The shortest. Ours, after GB/T 22239-2019 8.1.4.1 a) (身份鉴别信息具有复杂度要求). */
export const PASSWORD_MIN = 10;

/** Why a password is refused: one code per rule. */
export type PasswordIssue = 'too_short' | 'too_long' | 'too_few_classes' | 'contains_login';

/**
 * What is wrong with a password for `login` (empty: none). Rules (ours, after GB/T 22239-2019 等保2.0
 * 8.1.4.1 a) 身份鉴别信息具有复杂度要求并定期更换): at least 10 characters (at most 128); at least three of
 * the four classes lowercase, uppercase, digit, other; not containing the login (case-insensitive, when
 * the login is 3 characters or more).
 */
export function passwordIssues(password: string, login: string): PasswordIssue[] {
  const issues: PasswordIssue[] = [];
  const length = [...password].length;
  if (length < PASSWORD_MIN) issues.push('too_short');
  if (length > PASSWORD_MAX) issues.push('too_long');
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) => re.test(password)).length;
  if (classes < 3) issues.push('too_few_classes');
  const bare = login.replace(/^oidc:/, '').toLowerCase();
  if (bare.length >= 3 && password.toLowerCase().includes(bare)) issues.push('contains_login');
  return issues;
}

/** The Chinese / English text of each password issue (the API's 422 message). */
export const PASSWORD_ISSUE_TEXT: Record<PasswordIssue, string> = {
  too_short: `at least ${PASSWORD_MIN} characters (密码至少${PASSWORD_MIN}位)`,
  too_long: `at most ${PASSWORD_MAX} characters`,
  too_few_classes: 'at least three of: lowercase, uppercase, digit, symbol (大写字母、小写字母、数字、符号中至少三类)',
  contains_login: 'must not contain the login (不得包含登录名)',
};

/**
 * The lockout rule's numbers, milliseconds (config.auth): `maxFailures` failed sign-ins of one login within
 * `windowMs` lock it for `lockoutMs`. Applied by store/users.ts `reserveSignInAttempt` (each attempt reserved
 * before its password is checked). Source: ours, after GB/T 22239-2019 8.1.4.1 b) (登录失败处理功能，应采取结束会话、
 * 限制非法登录次数…).
 */
export interface LockoutRule {
  maxFailures: number;
  windowMs: number;
  lockoutMs: number;
}

/** A user as the API shows it (no hash, no failure state). */
export interface UserView {
  login: string;
  name: string;
  role: Role;
  unitCode: string;
  unitName?: string;
  phone: string | null;
  status: 'active' | 'disabled';
  source: 'local' | 'oidc';
  mustChangePassword: boolean;
  lockedUntil: string | null;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}
