import { z } from 'zod';
import { zPhone } from './household';
import { zOrgCode } from './org';
import { zFreeText, zPersonName } from './text';

/**
 * The party-member register (党员名册, issue 13): the members of each village/community party organisation
 * who pair with households, patrol and discover (seed 三(二)), and the in-service members of agencies who
 * register with a community (双报到, seed 三(二)四). A member signs in with a login (`userId`, the token's
 * subject); the register ties that login to the member's grid, branch and role, so "my pairings" and the
 * points ledger find them. Personal fields (the phone) are sealed at rest and masked on read like a
 * household's.
 */

/** The seed's four groups who keep pairing contact (seed 三(二)二: 村(社区)“两委”、党员、入党积极分子、村(社区)后备干部). */
export const PARTY_MEMBER_ROLES = {
  committee: '两委成员',
  member: '党员',
  activist: '入党积极分子',
  reserve_cadre: '后备干部',
} as const;
export const zPartyMemberRole = z.enum(Object.keys(PARTY_MEMBER_ROLES) as [keyof typeof PARTY_MEMBER_ROLES]);
export type PartyMemberRole = z.infer<typeof zPartyMemberRole>;

/** A resident member of the village's organisation, or an in-service member registered with the community (双报到). */
export const MEMBER_KINDS = { resident: '村(社区)党员', in_service: '在职党员(双报到)' } as const;
export const zMemberKind = z.enum(Object.keys(MEMBER_KINDS) as [keyof typeof MEMBER_KINDS]);
export type MemberKind = z.infer<typeof zMemberKind>;

/** A login as tokens carry it (`sub`). */
export const zUserId = z.string().trim().min(1).max(200).regex(/^[\w.@:+-]+$/, 'expected a login such as zhang.san@371002001001');

/** A member id: `pm-` and 12 hex digits, derived from the login (store/party-members.ts `memberIdFor`: one login, one member). */
export const zMemberId = z.string().regex(/^pm-[0-9a-f]{12}$/, 'expected a party member id such as pm-0123456789ab');

export const zPartyMemberInput = z
  .object({
    userId: zUserId,
    name: zPersonName,
    phone: zPhone,
    role: zPartyMemberRole,
    kind: zMemberKind.default('resident'),
    /** The party branch (党支部) the member belongs to; rankings are per branch. */
    branch: zFreeText(100),
    /** Resident: the grid (or village) the member belongs to, where they pair. In service: the community they registered with. */
    unitCode: zOrgCode,
    /** In service (双报到): the agency or enterprise they work at. */
    agency: zFreeText(100).optional(),
    /** In service: what they can offer (医疗, 法律, 维修 …). */
    skills: z.array(zFreeText(30)).max(10).default([]),
    /** In service: when they are available, in their words (周末, 工作日晚上 …). */
    availability: zFreeText(100).optional(),
    /** Consent to be shown on the unit's public page (三亮: 亮身份、亮行动、亮成绩). */
    publicConsent: z.boolean().default(false),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.kind === 'in_service' && m.agency === undefined) ctx.addIssue({ code: 'custom', path: ['agency'], message: 'an in-service member (双报到) names their agency' });
    if (m.kind === 'resident' && m.agency !== undefined) ctx.addIssue({ code: 'custom', path: ['agency'], message: 'only an in-service member (双报到) has an agency' });
  });
export type PartyMemberInput = z.infer<typeof zPartyMemberInput>;

/** A member as the register holds them. */
export interface PartyMember extends PartyMemberInput {
  /** `memberIdFor(userId)`. */
  id: string;
  /** The village/community: the member's organisation. */
  villageCode: string;
  /** The grid when `unitCode` is one, else null: pairing is within the grid (seed 三(二)二 以村(社区)网格为基础). */
  gridCode: string | null;
  /** Materialised path of `unitCode`: lists and jurisdiction filter by subtree. */
  orgPath: string[];
  /** `inactive` members keep their ledger and pairings' history but take no new pairing. */
  status: 'active' | 'inactive';
  createdAt: string;
  createdBy: string;
}

/** The short reference to a member that cases carry (no phone). */
export interface MemberRef {
  memberId: string;
  userId: string;
  name: string;
  role: PartyMemberRole;
  gridCode: string | null;
  villageCode: string;
}

export const memberRef = (m: PartyMember): MemberRef => ({ memberId: m.id, userId: m.userId, name: m.name, role: m.role, gridCode: m.gridCode, villageCode: m.villageCode });
