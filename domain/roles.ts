import { z } from 'zod';
import { ORG_LEVELS, type OrgLevel } from './org';

/** The roles a token can carry, lowest reach first. */
export const ROLES = [
  'grid_worker',
  'party_member',
  'village_staff',
  'town_staff',
  'town_supervisor',
  'district_staff',
  'city_monitor',
  'admin',
] as const;
export const zRole = z.enum(ROLES);
export type Role = z.infer<typeof zRole>;

/** Chinese names shown to users. */
export const ROLE_NAMES: Record<Role, string> = {
  grid_worker: '网格员',
  party_member: '党员',
  village_staff: '村(社区)工作人员',
  town_staff: '镇(街道)工作人员',
  town_supervisor: '镇(街道)督办负责人',
  district_staff: '区市民政局工作人员',
  city_monitor: '市级监督',
  admin: '系统管理员',
};

/**
 * The org-unit levels (domain/org.ts ORG_LEVELS) at which each role may be held: a town's staff sit at a town,
 * a village's staff at a village, grid workers and party members at a grid or at the village they serve, the
 * district's at a district, the city monitor at the city; an admin anywhere. Checked when a user is created or
 * edited (422 naming body.role / body.unitCode; scripts/create-user.ts alike), and at OIDC sign-in (oidc_unit_invalid): in production every
 * token comes from one of these (a session), so no token places a role where it does not belong. Ready-made tokens
 * (outside production only) are not checked: the jurisdiction tests mint every role at every unit. Source: ours (issue 14 confirmation
 * pass; the seed's and the dev identities' placements).
 */
export const ROLE_UNIT_LEVELS: Record<Role, readonly OrgLevel[]> = {
  grid_worker: ['grid', 'village'],
  party_member: ['grid', 'village'],
  village_staff: ['village'],
  town_staff: ['town'],
  town_supervisor: ['town'],
  district_staff: ['district'],
  city_monitor: ['city'],
  admin: ORG_LEVELS,
};

/** Whether `role` may be held at a unit of `level` (ROLE_UNIT_LEVELS). Source: ours. */
export function roleFitsLevel(role: Role, level: string): boolean {
  return (ROLE_UNIT_LEVELS[role] as readonly string[]).includes(level);
}

/**
 * Why `role` may not be held at `unit` (ROLE_UNIT_LEVELS), in one sentence naming the role, the levels it is held
 * at and the unit's code and level — e.g. `role village_staff is held at a unit of level village; 371000 is a city
 * (该角色不能设在此级单位)` — or null when it may. The one check behind every way a user is placed: POST and PATCH
 * /v1/users (422), OIDC sign-in (oidc_unit_invalid) and scripts/create-user.ts (exit 2). Source: ours.
 */
export function misplacedRole(role: Role, unit: { code: string; level: string }): string | null {
  if (roleFitsLevel(role, unit.level)) return null;
  return `role ${role} is held at a unit of level ${ROLE_UNIT_LEVELS[role].join(' or ')}; ${unit.code} is a ${unit.level} (该角色不能设在此级单位)`;
}
