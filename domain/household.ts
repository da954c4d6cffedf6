import { z } from 'zod';
import { unmasked, zPersonName } from './text';
import { zIdNumber } from './id-number';
import { zOrgCode } from './org';

/** Recipient categories (救助对象类别) a household can be registered under. */
export const RECIPIENT_CATEGORIES = {
  minimum_subsistence: '低保',
  extreme_poverty: '特困',
  low_income_marginal: '低保边缘',
  expenditure_hardship: '支出型困难',
  relapse_monitoring: '防止返贫监测对象',
  severe_disability: '重度残疾',
  other: '其他',
} as const;
export const zRecipientCategory = z.enum(Object.keys(RECIPIENT_CATEGORIES) as [keyof typeof RECIPIENT_CATEGORIES]);

export const zPhone = z.string().trim().regex(/^(1\d{10}|0\d{2,3}-?\d{7,8})$/, 'expected a mobile number (11 digits) or a landline such as 0631-5201234');

/**
 * An ID number that is not a masked one sent back (`3710**********1234`): refused as `masked_value` before
 * the number's own checks, so the caller learns what is wrong (not `invalid_id_number`). Ours (issue 14).
 */
export const zUnmaskedIdNumber = unmasked(z.string(), { abort: true }).pipe(zIdNumber);

export const zHouseholdInput = z
  .object({
    headName: unmasked(zPersonName),
    headIdNumber: zUnmaskedIdNumber,
    members: z
      .array(z.object({ name: unmasked(zPersonName), idNumber: zUnmaskedIdNumber, relation: unmasked(z.string().max(20).trim().min(1)) }).strict())
      .max(30)
      .default([]),
    address: unmasked(z.string().max(200).trim().min(1)),
    phone: zPhone,
    /** The village/community (or a grid in it) the household belongs to. */
    unitCode: zOrgCode,
    categories: z.array(zRecipientCategory).max(10).default([]),
  })
  .strict()
  .superRefine((h, ctx) => {
    const seen = new Set([h.headIdNumber]);
    h.members.forEach((m, i) => {
      if (seen.has(m.idNumber)) ctx.addIssue({ code: 'custom', path: ['members', i, 'idNumber'], message: 'ID number appears twice in the household', params: { code: 'duplicate_id_number' } });
      seen.add(m.idNumber);
    });
  });
export type HouseholdInput = z.infer<typeof zHouseholdInput>;

/**
 * What staff may correct on a registered household (PATCH /v1/households/{id}): its address, its phone, its
 * members (the whole list, as it is now). The head and the head's ID number are the household's identity and
 * are not edited here; categories have their own route (they drive pairing). At least one field. A member's
 * ID number twice in the list, or equal to the head's, is refused by the route (it knows the head's). Source:
 * ours (issue 14).
 */
export const zHouseholdPatch = z
  .object({
    address: zHouseholdInput.shape.address.optional(),
    phone: zPhone.optional(),
    members: z
      .array(z.object({ name: unmasked(zPersonName), idNumber: zUnmaskedIdNumber, relation: unmasked(z.string().max(20).trim().min(1)) }).strict())
      .max(30)
      .optional(),
  })
  .strict()
  .refine((p) => p.address !== undefined || p.phone !== undefined || p.members !== undefined, { message: 'expected at least one of address, phone, members' });
export type HouseholdPatch = z.infer<typeof zHouseholdPatch>;

export interface Household extends HouseholdInput {
  id: string;
  /** The responsible village/community: the first rung of every escalation. */
  villageCode: string;
  orgPath: string[];
  createdAt: string;
  createdBy: string;
}
