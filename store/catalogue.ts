import type { Db, Filter } from 'mongodb';
import { z } from 'zod';
import { collections, type StoredHouseholdDoc } from './collections';

/**
 * The editable "9+N+1" catalogue (分层分类救助): recipient categories, assistance items, and social
 * forces. Shipped with our reading of the Weihai plan; each city edits it through the API.
 */
const CATALOGUE_ID = 'assistance';

const zEntry = z.object({ code: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'expected a lowercase code such as minimum_subsistence'), name: z.string().max(50).trim().min(1) }).strict();
export const zCatalogue = z
  .object({ categories: z.array(zEntry).min(1).max(50), items: z.array(zEntry).max(100), socialForces: z.array(zEntry).max(50) })
  .strict()
  .superRefine((c, ctx) => {
    for (const key of ['categories', 'items', 'socialForces'] as const) {
      const seen = new Set<string>();
      c[key].forEach((e, i) => {
        if (seen.has(e.code)) ctx.addIssue({ code: 'custom', path: [key, i, 'code'], message: `code ${e.code} appears twice` });
        seen.add(e.code);
      });
    }
  });
export type Catalogue = z.infer<typeof zCatalogue>;

export const DEFAULT_CATALOGUE: Catalogue = {
  categories: [
    { code: 'minimum_subsistence', name: '最低生活保障对象' },
    { code: 'extreme_poverty', name: '特困人员' },
    { code: 'low_income_marginal', name: '低保边缘家庭' },
    { code: 'expenditure_hardship', name: '刚性支出困难家庭' },
    { code: 'relapse_monitoring', name: '防止返贫监测对象' },
    { code: 'temporary_hardship', name: '临时遇困人员' },
    { code: 'disaster_victims', name: '受灾人员' },
    { code: 'severe_disability', name: '重度残疾人' },
    { code: 'children_in_difficulty', name: '困境儿童' },
  ],
  items: [
    { code: 'medical', name: '医疗救助' },
    { code: 'education', name: '教育救助' },
    { code: 'housing', name: '住房救助' },
    { code: 'employment', name: '就业救助' },
    { code: 'temporary', name: '临时救助' },
    { code: 'disaster', name: '受灾人员救助' },
    { code: 'heating', name: '取暖救助' },
  ],
  socialForces: [{ code: 'social_forces', name: '社会力量参与' }],
};

/**
 * The catalogue in force, exactly the shape `zCatalogue` documents (`{ categories, items, socialForces }`):
 * the stored one without what the store keeps beside it (`updatedAt`, `updatedBy`), or DEFAULT_CATALOGUE
 * before anyone edits it. (Returning the stored document whole made every GET /v1/catalogue a 500 after
 * the first PUT: the strict response schema refused the bookkeeping fields; issue 11.)
 */
export async function loadCatalogue(db: Db): Promise<Catalogue> {
  const doc = await collections(db).catalogue.findOne({ _id: CATALOGUE_ID }, { projection: { _id: 0, categories: 1, items: 1, socialForces: 1 } });
  return doc ? { categories: doc.categories, items: doc.items, socialForces: doc.socialForces } : DEFAULT_CATALOGUE;
}

/** Replaces the catalogue (already checked with zCatalogue), recording who changed it. */
export async function saveCatalogue(db: Db, catalogue: Catalogue, user: string): Promise<void> {
  await collections(db).catalogue.replaceOne({ _id: CATALOGUE_ID }, { ...catalogue, updatedAt: new Date(), updatedBy: user }, { upsert: true });
}

/**
 * Which of these recipient-category codes are in use: held by a household of the register, or the category of
 * an open case (an application, an intake). A catalogue edit may not drop one (PUT /v1/catalogue answers 409):
 * new applications of it would fail city-wide (fresh-eyes on issue 14). Two small reads per code.
 */
export async function categoriesInUse(db: Db, codes: readonly string[]): Promise<string[]> {
  const c = collections(db);
  const used = await Promise.all(
    codes.map(async (code) => (await c.households.findOne({ categories: code } as Filter<StoredHouseholdDoc>, { projection: { _id: 1 } })) !== null || (await c.cases.findOne({ status: 'open', category: code }, { projection: { _id: 1 } })) !== null),
  );
  return codes.filter((_, i) => used[i]);
}
