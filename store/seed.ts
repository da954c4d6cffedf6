import type { Db } from 'mongodb';
import { z } from 'zod';
import { withPaths, zOrgCode, zOrgLevel, type OrgUnit } from '../domain/org';
import weihai from '../scripts/seed/weihai-org.json' with { type: 'json' };
import { seedHolidayCalendar } from './calendar';
import { collections } from './collections';
import { bulkWriteInBatches } from './mongo';

const zSeedUnits = z.array(
  z.object({ code: zOrgCode, name: z.string().min(1), level: zOrgLevel, parent: zOrgCode.nullable(), officialCode: z.boolean().optional() }),
);

/** The Weihai tree shipped in scripts/seed/weihai-org.json, with materialised paths. */
export function weihaiOrgUnits(): OrgUnit[] {
  return withPaths(zSeedUnits.parse(weihai).map(({ officialCode: _unused, ...u }) => u));
}

/** Reference data a fresh database needs: the org tree and the holiday calendar (never overwriting edits). Indexes: store/indexes.ts. */
export async function seedReferenceData(db: Db): Promise<{ units: number; calendarYears: number[] }> {
  const units = await seedOrgUnits(db);
  const calendarYears = await seedHolidayCalendar(db);
  return { units, calendarYears };
}

/**
 * Loads org units idempotently: a second run changes nothing, a name edited in the seed file is updated.
 * A unit an admin added or renamed through the API (`editedAt`, store/org-units.ts) is left as it is, so
 * `npm start`'s seeding never undoes the admin's work.
 */
export async function seedOrgUnits(db: Db, units: OrgUnit[] = weihaiOrgUnits()): Promise<number> {
  if (units.length === 0) return 0;
  const edited = new Set((await collections(db).orgUnits.find({ editedAt: { $exists: true } }, { projection: { _id: 1 } }).toArray()).map((d) => d._id));
  await bulkWriteInBatches(
    collections(db).orgUnits,
    units.filter((u) => !edited.has(u.code)).map(({ code, ...rest }) => ({ replaceOne: { filter: { _id: code }, replacement: rest, upsert: true } })),
  );
  return units.length;
}
