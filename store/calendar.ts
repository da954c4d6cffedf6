import type { Db } from 'mongodb';
import { zHolidayCalendarFile, zHolidayYear, type HolidayCalendar, type HolidayYear } from '../domain/calendar';
import shipped from '../scripts/seed/holidays-cn-mainland.json' with { type: 'json' };
import { collections, type CalendarYearDoc } from './collections';
import { isDuplicateKey } from './mongo';

/** The region whose calendar the deadlines count in (`calendars` holds one document per region and year). */
export const DEFAULT_REGION = 'CN-mainland';

/** A stored year's `_id`: `CN-mainland:2026`. */
export const calendarDocId = (region: string, year: number) => `${region}:${year}`;

const calendars = (db: Db) => collections(db).calendars;

/** The calendar shipped in scripts/seed/holidays-cn-mainland.json, validated. */
export function shippedHolidayCalendar(): HolidayCalendar {
  return zHolidayCalendarFile.parse(shipped);
}

function toDoc(region: string, year: number, entry: HolidayYear, user: string, at: Date): CalendarYearDoc {
  const checked = zHolidayYear(year).parse(entry);
  return {
    _id: calendarDocId(region, year),
    region,
    year,
    holidays: [...checked.holidays].sort(),
    workdays: [...checked.workdays].sort(),
    provisional: checked.provisional ?? false,
    ...(checked.source !== undefined ? { source: checked.source } : {}),
    updatedAt: at.toISOString(),
    updatedBy: user,
  };
}

/**
 * Inserts each shipped year whose document does not exist yet; a stored year is never touched, so an
 * admin's edits (or the published arrangement replacing an estimate) survive every re-seed. Returns the
 * years inserted.
 */
export async function seedHolidayCalendar(db: Db, cal: HolidayCalendar = shippedHolidayCalendar()): Promise<number[]> {
  const now = new Date();
  const inserted: number[] = [];
  for (const [y, entry] of Object.entries(cal.years)) {
    const year = Number(y);
    const { _id, ...fields } = toDoc(cal.region, year, entry, 'seed', now);
    try {
      const res = await calendars(db).updateOne({ _id }, { $setOnInsert: fields }, { upsert: true });
      if (res.upsertedCount > 0) inserted.push(year);
    } catch (err) {
      // Two seeders racing for the same new year: the other one inserted it.
      if (!isDuplicateKey(err)) throw err;
    }
  }
  return inserted;
}

/** One stored year, or null. */
export async function findHolidayYear(db: Db, region: string, year: number): Promise<CalendarYearDoc | null> {
  return calendars(db).findOne({ _id: calendarDocId(region, year) });
}

/** Every stored year of a region as a HolidayCalendar (years not stored count as plain Mon–Fri). */
export async function loadHolidayCalendar(db: Db, region: string = DEFAULT_REGION): Promise<HolidayCalendar> {
  const docs = await calendars(db).find({ region }).toArray();
  const years: HolidayCalendar['years'] = {};
  for (const d of docs) {
    years[String(d.year)] = {
      holidays: d.holidays,
      workdays: d.workdays,
      provisional: d.provisional,
      ...(d.source !== undefined ? { source: d.source } : {}),
    };
  }
  return { region, years };
}

/** Replaces one year (validated with zHolidayYear; throws its ZodError when invalid). Returns the stored doc. */
export async function saveHolidayYear(db: Db, region: string, year: number, entry: HolidayYear, user: string): Promise<CalendarYearDoc> {
  const doc = toDoc(region, year, entry, user, new Date());
  await calendars(db).replaceOne({ _id: doc._id }, doc, { upsert: true });
  return doc;
}
