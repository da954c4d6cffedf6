import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartyMember } from '../../domain/party-member';
import { memberIdFor, registerMember } from '../../store/party-members';
import { authz, registerHousehold, UNITS, type TestContext } from '../helpers/context';
import { horizontalOverflow, screenshot, unlabelledControls } from './browser';
import { closeWebStack, startWebStack } from './stack';

/**
 * The pairing screens (党员帮包, issue 13) in headless Chromium, against the API on a real port, the Temporal
 * dev server and the Mongo-compatible server: 帮包覆盖 lists the village's unpaired households (names in full for its staff, issue 14)
 * and village staff pair one from it; at a phone viewport (375×667) the paired member opens 我的帮包 and
 * records a contact with the big 记录联系 button.
 */

let ctx: TestContext;
let browser: Browser;
let base: string;
const problems: string[] = [];
const G01 = UNITS.haigangGrid;

const member = (userId: string, name: string): PartyMember => ({
  id: memberIdFor(userId),
  userId,
  name,
  phone: '13900000000',
  role: 'member',
  kind: 'resident',
  branch: '海港社区党支部',
  unitCode: G01,
  skills: [],
  publicConsent: false,
  villageCode: UNITS.haigang,
  gridCode: G01,
  orgPath: ['371000', '371002', '371002001', UNITS.haigang, G01],
  status: 'active',
  createdAt: new Date().toISOString(),
  createdBy: 'test',
});

beforeAll(async () => {
  ({ ctx, base, browser } = await startWebStack('web_pairings', {}, { worker: true }));
  await registerMember(ctx.mongo.db, member('pm.zhang', '张党员'));
});
afterAll(() => closeWebStack(browser, ctx));

/** A page signed in with `token` (the session holds it as the sign-in screen would). */
async function signedIn(token: string, viewport: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  await context.addInitScript(`sessionStorage.setItem('jiuzhu.token', ${JSON.stringify(token)})`);
  const page = await context.newPage();
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) problems.push(`console: ${msg.text()}`);
  });
  return page;
}

const pairing = async (hh: string, token: string, stage: string) =>
  expect
    .poll(async () => {
      const res = await ctx.app.inject({ method: 'GET', url: `/v1/pairings/pairing-${hh}`, headers: authz(token) });
      return res.statusCode === 200 ? res.json().stage : res.statusCode;
    }, { timeout: 15_000 })
    .toBe(stage);

describe('pairing screens in Chromium', () => {
  it('帮包覆盖 lists the unpaired households (in full for the village’s staff); village staff pair one; at 375×667 the member records a contact from 我的帮包', async () => {
    const village = await ctx.token('village_staff', UNITS.haigang, { user: 'village.li' });
    const first = await registerHousehold(ctx, village, 501, G01, ['minimum_subsistence']);
    const second = await registerHousehold(ctx, village, 502, G01, ['extreme_poverty']);
    await pairing(first, village, 'unpaired');
    await pairing(second, village, 'unpaired');

    // Coverage, as the village sees it: both unpaired, names in full for the household's village staff (issue 14, privacy by need).
    const staff = await signedIn(village, { width: 1366, height: 768 });
    await staff.goto(`${base}/app/coverage`);
    const cov = staff.getByTestId('coverage');
    await cov.waitFor();
    expect(await cov.locator(`tr[data-unit="${G01}"] td`).allTextContents()).toEqual(['2', '0', '2', '0/0', '—']);
    expect(await cov.locator('tr[data-unit="total"] td').first().textContent()).toBe('2');
    // The village's own households (no grid) have their row, so the rows sum to the total.
    expect(await cov.locator('tr[data-unit="direct"] th').textContent()).toContain('（村(社区)直属）');
    expect(await cov.locator('tr[data-unit="direct"] td').allTextContents()).toEqual(['0', '0', '0', '0/0', '—']);
    const unpaired = staff.getByTestId('unpaired');
    await unpaired.waitFor();
    expect(await unpaired.locator('tbody tr').count()).toBe(2);
    const row = unpaired.locator(`tr[data-case="pairing-${first}"]`);
    expect(await row.locator('th').textContent()).toBe('张501');
    expect(await unlabelledControls(staff)).toEqual([]);
    await screenshot(staff, 'pairing-coverage');

    // Pair the first household with the grid's member, from the list.
    await row.getByLabel('帮包党员').selectOption({ label: '张党员' });
    await row.getByRole('button', { name: '确定结对' }).click();
    await staff.getByText('已与张党员结对。').waitFor();
    await expect.poll(async () => unpaired.locator('tbody tr').count()).toBe(1);
    await expect.poll(async () => cov.locator(`tr[data-unit="${G01}"] td`).allTextContents()).toEqual(['2', '1', '1', '0/0', '—']);

    // The member, on a phone: 我的帮包 → 记录联系 → the form → saved.
    const phone = await signedIn(await ctx.token('party_member', G01, { user: 'pm.zhang' }), { width: 375, height: 667 });
    await phone.goto(`${base}/app/pairings`);
    await phone.getByRole('heading', { name: '我的帮包', level: 1 }).waitFor();
    const card = phone.locator(`li.card[data-case="pairing-${first}"]`);
    await card.waitFor();
    expect(await card.textContent()).toContain('下次联系');
    // The paired member sees the household's name and address in full (privacy by need, issue 14).
    expect(await card.locator('h2').textContent()).toBe('张501');
    expect(await card.locator('.pairing-address').textContent()).toBe('威海市环翠区海港路501号');
    expect(await horizontalOverflow(phone)).toBeLessThanOrEqual(0);
    const button = card.getByRole('button', { name: '记录联系' });
    const box = await button.boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(44);
    await button.click();
    await card.getByLabel('电话联系').check();
    // A note left empty: the API's message shows by its field.
    await card.getByRole('button', { name: '保存联系记录' }).click();
    await card.locator('[data-field="note"] .field-error').waitFor();
    await card.getByLabel('情况记录').fill('电话问候，老人身体尚好');
    expect(await unlabelledControls(phone)).toEqual([]);
    await screenshot(phone, 'pairing-contact-form-phone');
    await card.getByRole('button', { name: '保存联系记录' }).click();
    await phone.getByTestId('contact-done').waitFor();
    expect(await phone.getByTestId('contact-done').textContent()).toContain('已记录第 1 次联系');
    await expect.poll(async () => (await phone.locator(`li.card[data-case="pairing-${first}"]`).textContent()) ?? '').toContain('上次联系');
    expect(await horizontalOverflow(phone)).toBeLessThanOrEqual(0);
    await screenshot(phone, 'pairing-mine-phone');

    const view = (await ctx.app.inject({ method: 'GET', url: `/v1/pairings/pairing-${first}`, headers: authz(village) })).json();
    expect(view.lastContact).toMatchObject({ n: 1, channel: 'phone', onTime: true, by: { userId: 'pm.zhang' } });
    expect(problems).toEqual([]);
  });
});
