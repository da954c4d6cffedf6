import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedHolidayCalendar } from '../../store/calendar';
import { COLLECTIONS } from '../../store/collections';
import { authz, createTestContext, UNITS, type TestContext } from '../helpers/context';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext('calendar');
  await seedHolidayCalendar(ctx.mongo.db);
});
afterAll(async () => ctx?.close());

const get = async (url: string, token?: string) => ctx.app.inject({ method: 'GET', url, headers: token ? authz(token) : {} });
const put = async (url: string, token: string, payload: unknown) => ctx.app.inject({ method: 'PUT', url, headers: authz(token), payload: payload as object });

describe('GET /v1/calendar/:year', () => {
  it('any signed-in role reads a year', async () => {
    const t = await ctx.token('grid_worker', UNITS.haigangGrid);
    const res = await get('/v1/calendar/2026', t);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ region: 'CN-mainland', year: 2026, provisional: false, updatedBy: 'seed' });
    expect(body.holidays).toContain('2026-10-01');
    expect(body.workdays).toEqual(['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']);
    expect((await get('/v1/calendar/2027', t)).json().provisional).toBe(true);
  });

  it('404 for a year not in the calendar; 401 without a token', async () => {
    const t = await ctx.token('town_staff', UNITS.jingyuan);
    const res = await get('/v1/calendar/2031', t);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
    expect((await get('/v1/calendar/2026')).statusCode).toBe(401);
  });
});

describe('PUT /v1/calendar/:year', () => {
  const entry2028 = {
    holidays: ['2028-01-01', '2028-01-02', '2028-01-03'],
    workdays: ['2028-01-29'],
    provisional: true,
    source: 'test entry',
  };

  it('an admin replaces a year; GET then shows it', async () => {
    const admin = await ctx.token('admin', UNITS.city, { user: 'admin.zhang' });
    const res = await put('/v1/calendar/2028', admin, entry2028);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ year: 2028, ...entry2028, updatedBy: 'admin.zhang' });
    const back = (await get('/v1/calendar/2028', await ctx.token('town_staff', UNITS.jingyuan))).json();
    expect(back).toMatchObject({ region: 'CN-mainland', year: 2028, ...entry2028, updatedBy: 'admin.zhang' });
    expect(Date.parse(back.updatedAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('re-seeding never overwrites an admin’s edit', async () => {
    const admin = await ctx.token('admin', UNITS.city, { user: 'admin.li' });
    const published = { holidays: ['2027-01-01', '2027-01-02', '2027-01-03'], workdays: [], provisional: false, source: 'published' };
    expect((await put('/v1/calendar/2027', admin, published)).statusCode).toBe(200);
    expect(await seedHolidayCalendar(ctx.mongo.db)).toEqual([]);
    const back = (await get('/v1/calendar/2027', admin)).json();
    expect(back).toMatchObject({ ...published, updatedBy: 'admin.li' });
  });

  it('403 for any other role, the year unchanged', async () => {
    for (const [role, org] of [['district_staff', UNITS.huancui], ['city_monitor', UNITS.city], ['town_supervisor', UNITS.jingyuan]] as const) {
      const t = await ctx.token(role, org);
      const res = await put('/v1/calendar/2026', t, { holidays: [], workdays: [] });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
    }
    const doc = await ctx.mongo.db.collection(COLLECTIONS.calendars).findOne({ _id: 'CN-mainland:2026' as never });
    expect(doc?.holidays).toHaveLength(33);
    expect(doc?.updatedBy).toBe('seed');
  });

  it('400 naming the date: a weekday as make-up workday, a date of another year, a malformed date', async () => {
    const admin = await ctx.token('admin', UNITS.city);
    const weekday = await put('/v1/calendar/2028', admin, { holidays: ['2028-01-03'], workdays: ['2028-01-05'] });
    expect(weekday.statusCode).toBe(400);
    expect(weekday.json().error).toMatchObject({
      code: 'bad_request',
      message: expect.stringContaining('2028-01-05'),
      details: [{ path: 'body.workdays.0', message: expect.stringMatching(/^2028-01-05 is a Wednesday/) }],
    });

    const otherYear = await put('/v1/calendar/2028', admin, { holidays: ['2028-01-01', '2027-12-31'], workdays: [] });
    expect(otherYear.statusCode).toBe(400);
    expect(otherYear.json().error.details).toEqual([{ path: 'body.holidays.1', code: 'not_in_year', message: '2027-12-31 is not in 2028' }]);

    const malformed = await put('/v1/calendar/2028', admin, { holidays: ['2028-02-30'], workdays: [] });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.details).toEqual([{ path: 'body.holidays.0', code: 'invalid_date', message: expect.stringContaining('2028-02-30') }]);

    // Nothing of the refused bodies was stored.
    const back = (await get('/v1/calendar/2028', admin)).json();
    expect(back.workdays).not.toContain('2028-01-05');
    expect(back.holidays).not.toContain('2027-12-31');
  });
});

describe('GET /v1/calendar/:year/working-days', () => {
  it('15 working days across National Day 2026', async () => {
    const t = await ctx.token('town_staff', UNITS.jingyuan);
    const res = await get(`/v1/calendar/2026/working-days?from=${encodeURIComponent('2026-09-28T10:00:00+08:00')}&days=15`, t);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      from: '2026-09-28T02:00:00.000Z',
      days: 15,
      dueAt: '2026-10-23T16:00:00.000Z', // 2026-10-24 00:00 Beijing time: the end of Fri 23 Oct
      lastWorkingDay: '2026-10-23',
      warnings: [],
    });
  });

  it('a Beijing date means that day; a late-evening acceptance counts from the next day', async () => {
    const t = await ctx.token('town_staff', UNITS.jingyuan);
    const byDate = (await get('/v1/calendar/2026/working-days?from=2026-09-30&days=1', t)).json();
    expect(byDate.lastWorkingDay).toBe('2026-10-08');
    const late = (await get(`/v1/calendar/2026/working-days?from=${encodeURIComponent('2026-10-09T15:30:00Z')}&days=1`, t)).json();
    // 15:30Z on Fri 9 Oct is 23:30 Beijing time: the next day is Sat 10 Oct, a make-up workday.
    expect(late).toMatchObject({ lastWorkingDay: '2026-10-10', dueAt: '2026-10-10T16:00:00.000Z' });
  });

  it('warns when the count runs into a year the calendar lacks', async () => {
    const t = await ctx.token('town_staff', UNITS.jingyuan);
    const res = (await get('/v1/calendar/2030/working-days?from=2030-12-20&days=10', t)).json();
    expect(res.warnings).toEqual(['2030 is not in the holiday calendar: counted as plain Mon–Fri', '2031 is not in the holiday calendar: counted as plain Mon–Fri']);
  });

  it('400 for a from outside the year or a bad count', async () => {
    const t = await ctx.token('town_staff', UNITS.jingyuan);
    expect((await get('/v1/calendar/2026/working-days?from=2027-01-04&days=5', t)).statusCode).toBe(400);
    expect((await get('/v1/calendar/2026/working-days?from=2026-03-02&days=0', t)).statusCode).toBe(400);
    expect((await get('/v1/calendar/2026/working-days?from=yesterday&days=3', t)).statusCode).toBe(400);
  });
});
