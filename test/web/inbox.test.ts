import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authz, registerHousehold, UNITS, type TestContext } from '../helpers/context';
import { publishSupervisionNotices } from '../../store/supervision';
import { horizontalOverflow, screenshot, unlabelledControls } from './browser';
import { closeWebStack, startWebStack } from './stack';

/**
 * The inbox in headless Chromium (issue 12, item 1), against the API on a real port, the Temporal dev server
 * and the Mongo-compatible server: the header's unread badge goes up, without a reload, when a new red alert
 * is raised in the signed-in town user's town (the who-is-told policy tells the town at once), and the inbox
 * lists it with a link to the case and a mark-read that brings the badge down.
 */
const POLICY = {
  version: 'web-inbox',
  alerts: { warnAt: 0.9, red: { due: 'PT1H', escalateEvery: 'PT1H' }, orange: { due: 'PT2H', escalateEvery: 'PT1H' }, yellow: { every: 'P7D', escalateEvery: 'PT1H' } },
};

let ctx: TestContext;
let browser: Browser;
let base: string;
const problems: string[] = [];

beforeAll(async () => {
  ({ ctx, base, browser } = await startWebStack('web_inbox', { policy: POLICY }, { worker: true }));
});
afterAll(() => closeWebStack(browser, ctx));

async function openPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) problems.push(`console: ${msg.text()}`);
  });
  return page;
}

const badgeCount = async (page: Page) => Number(await page.getByTestId('inbox-badge').getAttribute('data-count'));

describe('the inbox badge in Chromium', () => {
  it('goes up live when a new red alert is raised for the signed-in town user, and down when it is read', async () => {
    const page = await openPage();
    await page.goto(`${base}/app/`);
    await page.waitForURL('**/app/signin');
    await page.getByRole('button', { name: /^镇\(街道\)督办负责人/ }).click();
    await page.waitForURL('**/app/board');
    await page.getByTestId('inbox-badge').waitFor();
    await expect.poll(() => badgeCount(page)).toBe(0);
    expect(await page.getByRole('link', { name: '通知：没有未读' }).count()).toBe(1);

    // A village of the town raises a red alert: no reload, the badge polls.
    const village = await ctx.token('village_staff', UNITS.haigang);
    const hh = await registerHousehold(ctx, village, 1);
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/alerts', headers: authz(village), payload: { householdId: hh, level: 'red', reasons: ['重病住院'] } });
    expect(res.statusCode).toBe(201);
    const caseId = res.json().caseId as string;
    await expect.poll(() => badgeCount(page), { timeout: 15_000 }).toBe(1);
    expect(await page.getByRole('link', { name: '通知：1 条未读' }).count()).toBe(1);

    await page.getByRole('link', { name: '通知：1 条未读' }).click();
    await page.waitForURL('**/app/inbox');
    await page.getByRole('heading', { name: '通知', level: 1 }).waitFor();
    const item = page.locator('li.notice-item.unread').first();
    await item.waitFor();
    expect(await item.textContent()).toContain('新预警');
    expect(await item.textContent()).toContain(hh);
    expect(await item.getByRole('link', { name: '查看案件' }).getAttribute('href')).toBe(`/app/cases/${encodeURIComponent(caseId)}`);
    expect(await unlabelledControls(page)).toEqual([]);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'inbox');

    await item.getByRole('button', { name: '标为已读' }).click();
    await expect.poll(() => badgeCount(page), { timeout: 10_000 }).toBe(0);
    expect(await page.locator('li.notice-item.unread').count()).toBe(0);

    // A circular published to the town: its notice links the record on the supervision page and its printable page.
    await publishSupervisionNotices(ctx.mongo.db, 'circular-371000-web1', [{ unit: { code: UNITS.jingyuan, name: '鲸园街道', level: 'town' }, kind: 'circular', message: '威海市通报（circular-371000-web1）：请查阅' }], new Date());
    await expect.poll(() => badgeCount(page), { timeout: 10_000 }).toBe(1);
    await page.reload();
    const circular = page.locator('li.notice-item[data-notice-id="circular-371000-web1:0:n0"]');
    await circular.waitFor();
    expect(await circular.getByRole('link', { name: '查看通报' }).getAttribute('href')).toBe('/app/supervision#record-circular-371000-web1');
    expect(await circular.getByRole('button', { name: '打印通报' }).count()).toBe(1);
    expect(problems).toEqual([]);
  });
});
