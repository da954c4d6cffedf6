import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDay } from '../../domain/china-time';
import { memberIdFor } from '../../store/party-members';
import { authz, createUsers, UNITS, type TestContext } from '../helpers/context';
import { screenshot, unlabelledControls } from './browser';
import { closeWebStack, startWebStack } from './stack';

/**
 * The branch ranking screen (支部积分排名, issue 13) in headless Chromium at a phone's width (375 px), against
 * the API on a real port: members registered and awarded through the API, the village's ranking by month
 * and by year, ties sharing a rank, nothing wider than the screen.
 */

let ctx: TestContext;
let browser: Browser;
let base: string;
const problems: string[] = [];

beforeAll(async () => {
  ({ ctx, base, browser } = await startWebStack('web_ranking'));
}, 120_000);
afterAll(() => closeWebStack(browser, ctx));

describe('the ranking screen at 375 px', () => {
  it('shows each branch’s members by points, ties sharing a rank, by month and by year', async () => {
    const village = await ctx.token('village_staff', UNITS.haigang, { user: 'village.li' });
    const members = [
      { userId: 'pm.r1', name: '王一', branch: '海港社区第一党支部', rule: 'party_day_attendance' },
      { userId: 'pm.r2', name: '李二', branch: '海港社区第一党支部', rule: 'show_identity' },
      { userId: 'pm.r3', name: '赵三', branch: '海港社区第一党支部', rule: 'show_action' },
    ];
    await createUsers(ctx, members.map((m) => ({ login: m.userId, role: 'party_member' as const, unitCode: UNITS.haigang, name: m.name })));
    for (const m of members) {
      const reg = await ctx.app.inject({ method: 'POST', url: '/v1/party-members', headers: authz(village), payload: { userId: m.userId, name: m.name, phone: '13900000000', role: 'member', branch: m.branch, unitCode: UNITS.haigang } });
      expect(reg.statusCode, reg.body).toBe(201);
      const award = await ctx.app.inject({ method: 'POST', url: '/v1/points', headers: authz(village), payload: { memberId: memberIdFor(m.userId), rule: m.rule, on: localDay(Date.now()), note: '测试', key: `k-${m.userId}` } });
      expect(award.statusCode, award.body).toBe(201);
    }

    const page = await (await browser.newContext({ viewport: { width: 375, height: 812 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', isMobile: true, hasTouch: true })).newPage();
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    await page.goto(`${base}/app/signin`);
    await page.evaluate(`sessionStorage.setItem('jiuzhu.token', ${JSON.stringify(village)})`);
    await page.goto(`${base}/app/ranking`);
    await page.getByRole('heading', { name: '支部积分排名', level: 1 }).waitFor();
    const table = page.getByRole('table', { name: '海港社区第一党支部积分排名' });
    await table.waitFor();
    const rows = async () => (await table.locator('tbody tr').allTextContents()).map((r) => r.replace(/\s+/g, ''));
    // 王一 2 points; 李二 and 赵三 1 each: ranks 1, 2, 2 (a tie listed by member id).
    const expected = ['1王一2', ...['2李二1', '2赵三1'].sort((a, b) => (memberIdFor(a.includes('李') ? 'pm.r2' : 'pm.r3') < memberIdFor(b.includes('李') ? 'pm.r2' : 'pm.r3') ? -1 : 1))];
    expect(await rows()).toEqual(expected);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    expect(await unlabelledControls(page)).toEqual([]);
    await screenshot(page, 'ranking-375');

    await page.getByLabel('按年').check();
    await page.getByLabel('年份').waitFor();
    await expect.poll(rows, { timeout: 10_000 }).toEqual(expected);
    await page.getByLabel('年份').fill('2001');
    await page.getByLabel('年份').dispatchEvent('change');
    await page.getByText('该周期尚无积分。').waitFor();
    expect(problems).toEqual([]);
  });
});
