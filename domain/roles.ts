import { z } from 'zod';

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
