import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { addWorkingDays, uncoveredYears, zHolidayEntry, zHolidayYear } from '../../domain/calendar';
import { localDay, startOfLocalDay } from '../../domain/china-time';
import { DEFAULT_REGION, findHolidayYear, loadHolidayCalendar, saveHolidayYear } from '../../store/calendar';
import type { CalendarYearDoc } from '../../store/collections';
import { principalOf } from '../auth';
import { badRequest, fieldIssues, notFound, zErrorBody } from '../errors';
import { zQuery, zQueryInt } from '../query';
import { zDay, zInstant } from '../../domain/dates';

const zYearParams = z.object({ year: zQueryInt(2000, 2100) });

const zCalendarYear = z.object({
  region: z.string(),
  year: z.number().int(),
  holidays: z.array(z.string()),
  workdays: z.array(z.string()),
  provisional: z.boolean(),
  source: z.string().optional(),
  updatedAt: z.string(),
  updatedBy: z.string(),
});

const zWorkingDays = z.object({
  from: z.string(),
  days: z.number().int(),
  /** The end of the last working day: 00:00 Beijing time of the day after it. */
  dueAt: z.string(),
  /** The last working day counted, Beijing date. */
  lastWorkingDay: z.string(),
  /** Years the count ran through that are estimates or missing (counted as plain Mon–Fri). */
  warnings: z.array(z.string()),
});

const show = ({ _id: _unused, ...rest }: CalendarYearDoc) => rest;

export const calendarRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app.deps.mongo;

  app.get(
    '/v1/calendar/:year',
    {
      config: { guard: { on: 'calendar', action: 'read' } },
      schema: {
        tags: ['calendar'],
        summary: 'One year of the holiday calendar: 法定节假日 and 调休上班 days (Beijing dates)',
        params: zYearParams,
        response: { 200: zCalendarYear, 400: zErrorBody, 404: zErrorBody },
      },
    },
    async (request) => {
      const doc = await findHolidayYear(db, DEFAULT_REGION, request.params.year);
      if (!doc) throw notFound(`no holiday calendar for ${request.params.year} (${DEFAULT_REGION}); working days in that year count as plain Mon–Fri`);
      return show(doc);
    },
  );

  app.put(
    '/v1/calendar/:year',
    {
      // The guard refuses non-admins before the body is validated: they learn nothing about the calendar's rules.
      config: { guard: { on: 'calendar', action: 'edit' } },
      schema: {
        tags: ['calendar'],
        summary: 'Replace one year of the holiday calendar: e.g. enter the State Council notice',
        params: zYearParams,
        body: zHolidayEntry,
        response: { 200: zCalendarYear, 400: zErrorBody, 403: zErrorBody },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const { year } = request.params;
      const checked = zHolidayYear(year).safeParse(request.body);
      if (!checked.success) {
        const details = fieldIssues(checked.error.issues, 'body');
        throw badRequest(`${details[0]?.path}: ${details[0]?.message}`, details);
      }
      const doc = await saveHolidayYear(db, DEFAULT_REGION, year, checked.data, p.userId);
      request.log.info({ year, holidays: doc.holidays.length, workdays: doc.workdays.length, provisional: doc.provisional }, 'holiday calendar year replaced');
      return show(doc);
    },
  );

  app.get(
    '/v1/calendar/:year/working-days',
    {
      config: { guard: { on: 'calendar', action: 'read' } },
      schema: {
        tags: ['calendar'],
        summary: 'The deadline "within n working days" of an instant: end of the n-th working day after its Beijing day',
        params: zYearParams,
        querystring: zQuery({
          /** An instant with offset, or a Beijing date (meaning that day). Its Beijing day must lie in :year. */
          from: z.union([zInstant, zDay]),
          days: zQueryInt(1, 366),
        }),
        response: { 200: zWorkingDays, 400: zErrorBody },
      },
    },
    async (request) => {
      const { year } = request.params;
      const { from, days } = request.query;
      const fromMs = from.length === 10 ? startOfLocalDay(from) : Date.parse(from);
      if (localDay(fromMs).slice(0, 4) !== String(year)) {
        throw badRequest(`from: ${from} is ${localDay(fromMs)} in Beijing time, not in ${year}`, [{ path: 'querystring.from', message: `not in ${year}` }]);
      }
      const cal = await loadHolidayCalendar(db, DEFAULT_REGION);
      const dueAt = addWorkingDays(fromMs, days, cal);
      const warnings = [
        ...uncoveredYears(cal, fromMs, dueAt - 1).map((y) => `${y} is not in the holiday calendar: counted as plain Mon–Fri`),
        ...Object.entries(cal.years)
          .filter(([y, e]) => e.provisional && y >= localDay(fromMs).slice(0, 4) && y <= localDay(dueAt - 1).slice(0, 4))
          .map(([y]) => `${y} is a provisional (estimated) calendar`),
      ];
      return {
        from: new Date(fromMs).toISOString(),
        days,
        dueAt: new Date(dueAt).toISOString(),
        lastWorkingDay: localDay(dueAt - 1),
        warnings,
      };
    },
  );
};
