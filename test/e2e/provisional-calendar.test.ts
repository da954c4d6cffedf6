import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workingDaysBetween } from '../../domain/calendar';
import { localDay, startOfLocalDay } from '../../domain/china-time';
import { authz, createTestContext, registerHousehold, UNITS, type TestContext } from '../helpers/context';

/**
 * A due time counted on a provisional (estimated) holiday calendar year carries `provisional: true` through
 * the API: in the application's `due` and `deadlines[]` (the read model's view) and as `dueProvisional` in
 * the case lists (the board and the task list). Issue 11: dates counted on the provisional 2027 calendar
 * were shown with no marker.
 *
 * The calendar is set through `PUT /v1/calendar/{year}` (plain Mon–Fri, so the count is known): this year
 * published, next year provisional. The acceptance deadline is made long enough to end in next year's
 * January, so the application's deadline crosses into the provisional year. In the first days of January
 * next January is out of reach (the policy allows at most 250 working days): then this year is the
 * provisional one, and the deadline lies in it.
 */
const now = Date.now();
const thisYear = Number(localDay(now).slice(0, 4));
const plain = { region: 'CN-mainland', years: {} };
/** Working days from today to the 5th of next January, plus one: a deadline counted so far ends in next year. */
const toNextYear = workingDaysBetween(now, startOfLocalDay(`${thisYear + 1}-01-05`), plain) + 1;
const crossing = toNextYear <= 250;
const provisionalYear = crossing ? thisYear + 1 : thisYear;
const days = crossing ? toNextYear : 20;
const POLICY = { version: 'e2e-provisional', applications: { acceptanceWorkingDays: days } };

let ctx: TestContext;
let admin: string;
let village: string;
beforeAll(async () => {
  ctx = await createTestContext('provisional_e2e', { policy: POLICY });
  await ctx.startWorker();
  admin = await ctx.token('admin', UNITS.city);
  village = await ctx.token('village_staff', UNITS.haigang);
});
afterAll(async () => ctx?.close());

const get = (url: string, token: string) => ctx.app.inject({ method: 'GET', url, headers: authz(token) });
const send = (method: 'POST' | 'PUT', url: string, token: string, payload: unknown) => ctx.app.inject({ method, url, headers: authz(token), payload: payload as object });

/** Replaces the calendar years around today: plain Mon–Fri, `provisional` only for the given year. */
async function setCalendar(provisional: number | null): Promise<void> {
  for (const year of [thisYear, thisYear + 1]) {
    const res = await send('PUT', `/v1/calendar/${year}`, admin, { holidays: [], workdays: [], provisional: year === provisional, source: 'test' });
    expect(res.statusCode, res.body).toBe(200);
  }
}

async function file(seq: number): Promise<string> {
  const hh = await registerHousehold(ctx, village, seq);
  const res = await send('POST', '/v1/applications', village, { householdId: hh, category: 'minimum_subsistence', source: 'on_behalf', labourCapacity: 'no_labour_capacity' });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().caseId as string;
}

describe('dates counted on a provisional holiday calendar', () => {
  it('an application whose deadline is counted across a provisional year says so: due, deadlines and list rows; one counted on published years does not', async () => {
    await setCalendar(provisionalYear);
    const estimated = await file(1);
    const view = (await get(`/v1/applications/${estimated}`, village)).json();
    expect(view.due).toMatchObject({ key: 'acceptance#1', provisional: true });
    expect(view.due.dueAt.slice(0, 4)).toBe(String(provisionalYear));
    if (crossing) expect(localDay(Date.parse(view.due.dueAt) - 1).slice(0, 4)).toBe(String(thisYear + 1));
    expect(view.deadlines).toEqual([expect.objectContaining({ key: 'acceptance#1', provisional: true })]);
    // The generic case view (the workspace's case page) reads the same stored view.
    expect((await get(`/v1/cases/${estimated}`, village)).json().due).toMatchObject({ provisional: true });
    // The calendar route says the same of the same count.
    const count = (await get(`/v1/calendar/${thisYear}/working-days?from=${encodeURIComponent(view.due.opensAt)}&days=${days}`, village)).json();
    expect(count.dueAt).toBe(view.due.dueAt);
    expect(count.warnings).toContain(`${provisionalYear} is a provisional (estimated) calendar`);

    // The year is published (not provisional any more): a new application is not an estimate, while the
    // first keeps the calendar it started with, and its marker.
    await setCalendar(null);
    const published = await file(2);
    const firm = (await get(`/v1/applications/${published}`, village)).json();
    expect(firm.due.key).toBe('acceptance#1');
    expect(firm.due.provisional).toBeUndefined();
    expect(firm.deadlines[0].provisional).toBeUndefined();
    expect((await get(`/v1/applications/${estimated}`, village)).json().due.provisional).toBe(true);

    // The task list (rows of the small `due` collection) and the plain list both carry dueProvisional.
    for (const url of ['/v1/cases?kind=application&sort=due', '/v1/cases?kind=application']) {
      const rows = (await get(url, village)).json().items as Array<{ caseId: string; dueProvisional: boolean }>;
      expect(rows.find((r) => r.caseId === estimated)?.dueProvisional, url).toBe(true);
      expect(rows.find((r) => r.caseId === published)?.dueProvisional, url).toBe(false);
    }
  });
});
