import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authz, createUsers, idNumber, UNITS, type TestContext } from '../helpers/context';
import { horizontalOverflow, screenshot } from './browser';
import { startWebStack } from './stack';

/**
 * Privacy by need in the task list (issue 14 item 4), in headless Chromium at a phone viewport (375×667)
 * against the API on a real port and the real servers: village staff see where to go — the household's name
 * and address in full; a grid worker of another grid, assigned as the alert's visitor, finds it in their task
 * list marked 指派我走访, with the name and address; an ID number shows on neither.
 */

let ctx: TestContext;
let browser: Browser;
let base: string;
const problems: string[] = [];
const PHONE = { width: 375, height: 667 };
const G02 = `${UNITS.haigang}-G02`;
const HEAD = '孙桂芝';
const ADDRESS = '威海市环翠区海港路77号1单元';
const HEAD_ID = idNumber(9601);
let alertId: string;
let discoveryId: string;

beforeAll(async () => {
  ({ ctx, base, browser } = await startWebStack('web_tasks_need', {}, { worker: true }));
  // The visitors are real users (fresh-eyes on issue 14); the assignment form offers them, and only them.
  await createUsers(ctx, [
    { login: 'grid.b', role: 'grid_worker', unitCode: G02, name: '网格员乙' },
    { login: 'pm.zhao', role: 'party_member', unitCode: UNITS.haigangGrid, name: '赵党员' },
    { login: 'grid.gone', role: 'grid_worker', unitCode: UNITS.haigangGrid, name: '停用员', status: 'disabled' },
    { login: 'far.grid', role: 'party_member', unitCode: '371002002001', name: '远方党员' },
  ]);
  const village = await ctx.token('village_staff', UNITS.haigang, { user: 'village.li' });
  const registered = await ctx.app.inject({ method: 'POST', url: '/v1/households', headers: authz(village), payload: { headName: HEAD, headIdNumber: HEAD_ID, address: ADDRESS, phone: '13912347777', unitCode: UNITS.haigangGrid, categories: [] } });
  expect(registered.statusCode, registered.body).toBe(201);
  const alert = await ctx.app.inject({ method: 'POST', url: '/v1/alerts', headers: authz(village), payload: { householdId: registered.json().id, level: 'orange', reasons: ['突发疾病'] } });
  expect(alert.statusCode, alert.body).toBe(201);
  alertId = alert.json().caseId;
  const assigned = await ctx.app.inject({ method: 'POST', url: `/v1/alerts/${alertId}/visitor`, headers: authz(village), payload: { userId: 'grid.b', role: 'grid_worker', unitCode: G02 } });
  expect(assigned.statusCode, assigned.body).toBe(200);
  // A discovery awaiting the town's assessment in the village's subtree: the town's task, never the village's.
  const member = await ctx.token('party_member', UNITS.haigang, { user: 'member.tasks' });
  const reported = await ctx.app.inject({ method: 'POST', url: '/v1/discoveries', headers: authz(member), payload: { key: 'tasks-need-1', householdId: registered.json().id, focusGroup: 'major_illness', situation: '户主突发重病', urgency: 'urgent' } });
  expect(reported.statusCode, reported.body).toBe(201);
  discoveryId = reported.json().caseId;
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await ctx?.close();
  expect(problems).toEqual([]);
});

async function signedIn(role: Parameters<TestContext['token']>[0], unit: string, user: string): Promise<Page> {
  const token = await ctx.token(role, unit, { user });
  const page = await (await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })).newPage();
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  await page.goto(`${base}/app/signin`);
  await page.evaluate(`sessionStorage.setItem('jiuzhu.token', ${JSON.stringify(token)})`);
  return page;
}

/** The task row of the alert, once the list shows it (the read model may lag the start by a moment). */
async function taskRow(page: Page) {
  const row = page.locator(`li[data-case-id="${alertId}"]`);
  for (let i = 0; i < 20 && (await row.count()) === 0; i++) {
    await page.goto(`${base}/app/tasks`);
    await page.getByRole('heading', { name: '我的任务', level: 1 }).waitFor();
    await page.waitForTimeout(300);
  }
  await row.waitFor();
  return row;
}

describe('the task list at 375×667 (privacy by need)', () => {
  it('village staff see their household’s name and address in full, never its ID number', async () => {
    const page = await signedIn('village_staff', UNITS.haigang, 'village.li');
    // The discovery is in the village's subtree with a pending deadline (its row written), yet not its task: only the town assesses (fresh-eyes on issue 14).
    await expect.poll(async () => JSON.stringify((await ctx.app.inject({ method: 'GET', url: '/v1/cases?sort=due&limit=200', headers: authz(await ctx.token('village_staff', UNITS.haigang)) })).json()), { timeout: 10_000 }).toContain(discoveryId);
    const row = await taskRow(page);
    expect(await page.locator(`li[data-case-id="${discoveryId}"]`).count()).toBe(0);
    expect(await row.locator('.task-title a').textContent()).toBe(HEAD);
    expect(await row.textContent()).toContain(ADDRESS);
    // The phone, in full by need, as a tel: link (fresh-eyes on issue 14: staff call the household).
    expect(await row.getByTestId('phone').getAttribute('href')).toBe('tel:13912347777');
    expect(await page.content()).not.toContain(HEAD_ID);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'tasks-village-need-phone');
    // The main navigation at 375 px: folded to one line behind 菜单 (it took 370 of 667 px), every link in the page; unfolded in place.
    const nav = page.getByRole('navigation', { name: '主导航' });
    const links = await nav.getByRole('link').count();
    expect(links).toBeGreaterThanOrEqual(10);
    expect((await nav.boundingBox())!.height).toBeLessThan(80);
    const menu = nav.getByRole('button', { name: '菜单' });
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    await menu.click();
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    for (let i = 0; i < links; i++) expect(await nav.getByRole('link').nth(i).isVisible()).toBe(true);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'tasks-village-menu-open-phone');
    await menu.click();
    // The case page names the assigned visitor, and offers village staff the assignment form (every control labelled).
    await row.locator('.task-title a').click();
    await page.getByTestId('visitor').waitFor();
    expect(await page.getByTestId('visitor').textContent()).toMatch(/^走访人：grid\.b（网格员）$/);
    // The case page: the phone as a tel: link and a link to the household's page (住户档案).
    await page.getByTestId('phone').waitFor();
    expect(await page.getByTestId('phone').getAttribute('href')).toBe('tel:13912347777');
    // No Temporal UI link for village staff on a phone (an operator's tool: district and above).
    expect(await page.getByText('在 Temporal UI 中查看该工作流').count()).toBe(0);
    expect(await page.locator('#main').getByRole('link', { name: '住户档案' }).getAttribute('href')).toMatch(/\/app\/households\/hh-[0-9a-f]{12}$/);
    await page.getByRole('button', { name: '指派走访人' }).click();
    // The visitor is picked from the village's active visitors (GET /v1/alerts/{id}/visitor-candidates), not typed.
    const pick = page.getByLabel('走访人', { exact: true });
    await pick.locator('option[value="pm.zhao"]').waitFor({ state: 'attached' });
    const options = await pick.locator('option').allTextContents();
    expect(options[0]).toBe('请选择走访人');
    expect(options.slice(1)).toEqual([expect.stringMatching(/^网格员乙（网格员，.+，grid\.b）$/), expect.stringMatching(/^赵党员（党员，.+，pm\.zhao）$/)]);
    expect(options.join()).not.toMatch(/停用员|远方党员/);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'case-visitor-pick-phone');
    await pick.selectOption('pm.zhao');
    await page.locator('#action-panel').getByRole('button', { name: '指派走访人' }).click();
    await expect.poll(async () => page.getByTestId('visitor').textContent(), { timeout: 15_000 }).toMatch(/pm\.zhao（党员）/);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  });

  it('the assigned grid worker of another grid finds the alert marked 指派我走访, with the name and address', async () => {
    // The first test re-assigned it: back to grid.b (through the API).
    const village = await ctx.token('village_staff', UNITS.haigang, { user: 'village.li' });
    expect((await ctx.app.inject({ method: 'POST', url: `/v1/alerts/${alertId}/visitor`, headers: authz(village), payload: { userId: 'grid.b', role: 'grid_worker', unitCode: G02 } })).statusCode).toBe(200);
    const page = await signedIn('grid_worker', G02, 'grid.b');
    const row = await taskRow(page);
    expect(await row.locator('.task-title a').textContent()).toBe(HEAD);
    expect(await row.locator('.task-title .badge-assigned').textContent()).toBe('指派我走访');
    expect(await row.textContent()).toContain(ADDRESS);
    expect(await row.getByRole('button', { name: '记录走访' }).count()).toBe(1);
    expect(await row.getByTestId('phone').getAttribute('href')).toBe('tel:13912347777');
    expect(await page.content()).not.toContain(HEAD_ID);
    await screenshot(page, 'tasks-assigned-visitor-phone');
  });

  it('a party member of the household’s grid, neither paired with it nor assigned, sees no such task', async () => {
    const other = await signedIn('party_member', UNITS.haigangGrid, 'pm.none');
    await other.goto(`${base}/app/tasks`);
    await other.getByRole('heading', { name: '我的任务', level: 1 }).waitFor();
    await other.waitForTimeout(500);
    expect(await other.locator(`li[data-case-id="${alertId}"]`).count()).toBe(0);
    expect(await other.content()).not.toContain(ADDRESS);
  });
});
