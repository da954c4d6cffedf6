import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { parse } from 'acorn';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicUnitUrl } from '../../api/routes/public';
import { PUBLIC_PAGE_HEADERS, publicPageRoutes } from '../../api/routes/public-page';
import { authz, idNumber, registerHousehold, UNITS, type TestContext } from '../helpers/context';
import { horizontalOverflow, screenshot, unlabelledControls } from './browser';
import { firstScreenFiles } from '../../scripts/size-public';
import { startWebStack } from './stack';

/**
 * The public phone page behind the QR code (`/q/{code}`, issue 14 item 1) in headless Chromium at 375×667,
 * zh-CN, against the API on a real port, the Temporal dev server and the Mongo-compatible server: the scan
 * target shows the unit, its contacts and policies; a report is filed (a wrong entry named beside its field),
 * tracked by its receipt, answered by staff through the API, and the answer shows on the phone; an unknown
 * code gets a Chinese not-found page.
 */

let ctx: TestContext;
let browser: Browser;
let base: string;
const problems: string[] = [];
const PHONE = { width: 375, height: 667 };
const PROFILE = {
  policies: '低保、特困、临时救助等政策可到社区服务站咨询，每周一至周五 8:30-17:00。',
  contacts: [
    { role: '社区党委书记', name: '刘建华', phone: '0631-5201234' },
    { role: '民政协理员', name: '孙丽', phone: '0631-5201235' },
  ],
};

beforeAll(async () => {
  ({ ctx, base, browser } = await startWebStack('web_public_page', {}, { worker: true }));
  const village = await ctx.token('village_staff', UNITS.haigang);
  const saved = await ctx.app.inject({ method: 'PUT', url: `/v1/units/${UNITS.haigang}/profile`, headers: authz(village), payload: PROFILE });
  expect(saved.statusCode).toBe(200);
});
afterAll(async () => {
  await browser?.close();
  await ctx?.close();
  expect(problems).toEqual([]);
});

/** A fresh phone (its own localStorage), as a resident's WeChat opens the code. */
async function phone(): Promise<Page> {
  const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('dialog', (d) => problems.push(`a dialog was opened: ${d.message()}`));
  page.on('popup', () => problems.push('a new window was opened'));
  return page;
}

/** Visible controls lower than a finger (44 CSS px, WCAG 2.5.5): buttons, fields, links to call. */
async function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(`(() => {
    const out = [];
    for (const el of document.querySelectorAll('button, input, select, textarea, a.call, .field.check label')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (el.type === 'checkbox') continue; // its label is the target (checked below)
      if (r.height < 44) out.push((el.textContent || el.name || el.tagName).trim().slice(0, 30) + ' ' + Math.round(r.height));
    }
    return out;
  })()`);
}

/**
 * Text below WCAG AA contrast (4.5:1; 3:1 for large text, ≥ 24 px or bold ≥ 18.66 px): every element with its
 * own visible text, its colour against the first opaque background up its ancestors (white at the top).
 */
async function lowContrast(page: Page): Promise<string[]> {
  return page.evaluate(`(() => {
    const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length >= 3 && (c.length < 4 || c[3] === 1)) return c;
      }
      return [255, 255, 255];
    };
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
      const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      if (!own || !el.getClientRects().length) continue;
      const st = getComputedStyle(el);
      if (st.visibility === 'hidden' || el.closest('[hidden]') || el.closest('button:disabled')) continue;
      const a = lum(rgb(st.color)), b = lum(background(el));
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      const size = parseFloat(st.fontSize), bold = Number(st.fontWeight) >= 700;
      const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
      if (ratio < need) out.push(el.tagName + ' ' + el.textContent.trim().slice(0, 20) + ' ' + ratio.toFixed(2));
    }
    return out;
  })()`);
}

/** Style rules that only a hover would apply: on a phone there is none. */
async function hoverRules(page: Page): Promise<string[]> {
  return page.evaluate(`[...document.styleSheets].flatMap((s) => [...s.cssRules]).map((r) => r.selectorText || '').filter((t) => t.includes(':hover'))`);
}

/** The page's own script and sheet: nothing of the workspace's bundle is loaded. */
function loadedScripts(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (r) => {
    if (['script', 'stylesheet'].includes(r.resourceType())) urls.push(new URL(r.url()).pathname);
  });
  return urls;
}

describe('the public phone page in Chromium at 375×667', () => {
  it('the QR code opens /q/{code}: the unit, its contacts to call, its policies with their date; no workspace bundle', async () => {
    expect(publicUnitUrl(ctx.config.publicBaseUrl, UNITS.haigang)).toBe(`${ctx.config.publicBaseUrl}/q/${UNITS.haigang}`);
    const res = await fetch(`${base}/q/${UNITS.haigang}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(PUBLIC_PAGE_HEADERS['content-security-policy']);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toContain('lang="zh-CN"');
    expect(html).not.toMatch(/assets\/index-/); // not the workspace's entry

    const page = await phone();
    const assets = loadedScripts(page);
    await page.goto(`${base}/q/${UNITS.haigang}`);
    await page.getByRole('heading', { name: '海港社区居委会', level: 1 }).waitFor();
    expect(await page.locator('.path').textContent()).toBe('威海市 › 环翠区 › 鲸园街道');
    const call = page.getByRole('link', { name: '拨打民政协理员孙丽电话 0631-5201235' });
    expect(await call.getAttribute('href')).toBe('tel:06315201235');
    expect(await page.locator('#policies').textContent()).toContain(PROFILE.policies);
    expect(await page.locator('#policies').textContent()).toContain('最低生活保障对象');
    expect(await page.getByTestId('updated-at').textContent()).toMatch(/^更新于 \d{4}\/\d{2}\/\d{2} \d{2}:\d{2}$/);
    expect(assets.length).toBeGreaterThan(0);
    expect(assets.filter((a) => /\/assets\/(index|jsxRuntime|chart)-/.test(a))).toEqual([]);
    expect(await page.title()).toBe('海港社区居委会 · 社会救助服务');
    expect(await hoverRules(page)).toEqual([]);
    for (const name of ['反映问题', '申请救助', '发布微心愿', '查询进度']) {
      await page.getByRole('button', { name, exact: true }).click();
      expect(await unlabelledControls(page)).toEqual([]);
      expect(await lowContrast(page)).toEqual([]);
      expect(await smallTargets(page)).toEqual([]);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    }
    await screenshot(page, 'public-page-phone');
  });

  it('a report is filed (errors beside their fields), its receipt shown large and kept; staff answer it; the answer shows on the phone', async () => {
    const page = await phone();
    await page.goto(`${base}/q/${UNITS.haigang}`);
    await page.getByRole('button', { name: '反映问题', exact: true }).click();
    const form = page.locator('form#report');
    await form.getByRole('button', { name: '提交反映' }).click();
    await form.locator('[data-field="category"] .field-error').waitFor();
    expect(await form.locator('[data-field="category"] .field-error').textContent()).toBe('请从选项中选择一项');
    expect(await form.locator('[data-field="text"] .field-error').textContent()).toBe('请填写此项');
    expect(await form.getByLabel('反映内容').getAttribute('aria-invalid')).toBe('true');
    expect(await form.getByLabel('反映内容').getAttribute('aria-describedby')).toContain('report-text-error');
    await screenshot(page, 'public-report-errors-phone');

    await form.getByLabel('反映类别').selectOption('benefit_problem');
    // Markup in the text is text: the page never parses what it shows as HTML.
    await form.getByLabel('反映内容').fill('本月低保金还没到账 <img src=x onerror=alert(1)>');
    const [created] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/v1/public/reports') && r.request().method() === 'POST'), form.getByRole('button', { name: '提交反映' }).click()]);
    expect(created.status()).toBe(201);
    const reportId = ((await created.json()) as { reportId: string }).reportId;
    const box = page.getByTestId('receipt-box');
    await box.waitFor();
    const receipt = (await page.getByTestId('receipt').textContent())!;
    expect(receipt).toMatch(/^[0-9A-Z]{8,}$/);
    expect(await page.getByTestId('receipt').evaluate('parseFloat(getComputedStyle(document.querySelector("[data-testid=receipt]")).fontSize)')).toBeGreaterThanOrEqual(28);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    await box.getByRole('button', { name: '复制回执码' }).click();
    await expect.poll(() => box.locator('.copied').textContent()).toBe('已复制');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(receipt);
    await screenshot(page, 'public-report-receipt-phone');

    // Tracked at once: received, due by the answer deadline, no result yet.
    await box.getByRole('button', { name: '查询进度' }).click();
    const tracking = page.getByTestId('tracking');
    await tracking.waitFor();
    expect(await tracking.getAttribute('data-receipt')).toBe(receipt);
    expect(await tracking.getByTestId('status').textContent()).toBe('已收到，待受理');
    expect(await tracking.getByTestId('result').count()).toBe(0);

    // Staff acknowledge and answer through the API.
    const village = await ctx.token('village_staff', UNITS.haigang);
    expect((await ctx.app.inject({ method: 'POST', url: `/v1/reports/${reportId}/acknowledgement`, headers: authz(village), payload: {} })).statusCode).toBe(200);
    const answer = '经核实系银行代发延迟，已于今日补发到账。';
    expect((await ctx.app.inject({ method: 'POST', url: `/v1/reports/${reportId}/answer`, headers: authz(village), payload: { answer, answeredBy: { name: '孙丽', role: 'civil_affairs_assistant' } } })).statusCode).toBe(200);

    // Later, on the same phone: one tap on the remembered receipt.
    await page.reload();
    await page.getByRole('heading', { name: '我提交的' }).waitFor();
    await page.getByRole('button', { name: `查询 反映 ${receipt}` }).click();
    await page.getByTestId('result').waitFor();
    expect(await page.getByTestId('status').textContent()).toBe('已答复');
    expect(await page.getByTestId('result').textContent()).toContain(answer);
    expect(await lowContrast(page)).toEqual([]);
    expect(await page.locator('img').count()).toBe(0);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'public-report-answered-phone');

    // A receipt that does not exist is said beside the receipt field.
    const error = page.locator('form#track [data-field="receipt"] .field-error');
    await page.getByLabel('回执码').fill('ZZZZ-ZZZZ-ZZZZ');
    await page.locator('form#track').getByRole('button', { name: '查询' }).click();
    await error.waitFor();
    expect(await error.textContent()).toBe('没有这个回执码，请核对');
    // A malformed one (a letter the alphabet leaves out, too short) likewise.
    await page.getByLabel('回执码').fill('O1I0');
    await page.locator('form#track').getByRole('button', { name: '查询' }).click();
    await expect.poll(() => error.textContent()).toBe('回执码是 12 位字母和数字，请核对');
  });

  it('a staff-conduct complaint (工作作风) lands with the town above: the receipt and its progress name the town; the village cannot read it', async () => {
    const page = await phone();
    await page.goto(`${base}/q/${UNITS.haigang}`);
    await page.getByRole('button', { name: '反映问题', exact: true }).click();
    const form = page.locator('form#report');
    await form.getByLabel('反映类别').selectOption('staff_conduct');
    expect(await form.locator('[data-field="category"] .hint').textContent()).toContain('由上级镇(街道)受理');
    await form.getByLabel('反映内容').fill('村里办事人员态度恶劣，材料交了三次还不受理');
    const [created] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/v1/public/reports') && r.request().method() === 'POST'), form.getByRole('button', { name: '提交反映' }).click()]);
    const { reportId, handledBy } = (await created.json()) as { reportId: string; handledBy: { code: string } };
    expect(handledBy.code).toBe(UNITS.jingyuan);
    await page.getByTestId('receipt-box').waitFor();
    expect(await page.getByTestId('handled-by').textContent()).toBe('受理单位：鲸园街道');
    await page.getByTestId('receipt-box').getByRole('button', { name: '查询进度' }).click();
    await page.getByTestId('tracking').waitFor();
    expect(await page.getByTestId('tracking-handled-by').textContent()).toBe('受理单位：鲸园街道');
    await screenshot(page, 'public-conduct-complaint-phone');
    // Not the village's to read; the town's.
    const read = (role: 'village_staff' | 'town_staff', unit: string) => ctx.token(role, unit).then((t) => ctx.app.inject({ method: 'GET', url: `/v1/reports/${reportId}`, headers: authz(t) }));
    expect((await read('village_staff', UNITS.haigang)).statusCode).not.toBe(200);
    expect((await read('town_staff', UNITS.jingyuan)).statusCode).toBe(200);
  });

  it('an application intake is filed (a wrong ID number named beside its field), accepted by the town, and its status shows on the phone', async () => {
    const page = await phone();
    await page.goto(`${base}/q/${UNITS.haigang}`);
    await page.getByRole('button', { name: '申请救助', exact: true }).click();
    const form = page.locator('form#application');
    await form.getByLabel('申请类别').selectOption('temporary_hardship');
    // A name with < or >: its rule beside the name, not the general line (fresh-eyes on issue 14).
    await form.getByLabel('申请人姓名').fill('王<秀英>');
    const good = idNumber(424_242);
    const bad = good.slice(0, 17) + (good.endsWith('0') ? '1' : '0');
    await form.getByLabel('身份证号码').fill(bad);
    await form.getByLabel('手机号码').fill('13912345678');
    await form.getByLabel('居住地址').fill('威海市环翠区海港路66号2单元');
    await form.getByLabel('家庭人口数').fill('3');
    await form.getByLabel('困难情况').fill('丈夫突发脑梗住院，家中无其他收入');
    await form.getByLabel('情况紧急（如突发重病、灾害、断炊）').check();
    await form.getByRole('button', { name: '提交申请' }).click();
    const idError = form.locator('[data-field="idNumber"] .field-error');
    await idError.waitFor();
    expect(await idError.textContent()).toContain('身份证号码有误');
    expect(await form.locator('[data-field="applicantName"] .field-error').textContent()).toBe('姓名中不能有 < 或 > 符号，请删去');
    await form.getByLabel('申请人姓名').fill('王秀英');
    expect(await form.getByLabel('申请人姓名').evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    expect(await unlabelledControls(page)).toEqual([]);
    await screenshot(page, 'public-application-errors-phone');

    await form.getByLabel('身份证号码').fill(good);
    const [created] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/v1/public/applications') && r.request().method() === 'POST'), form.getByRole('button', { name: '提交申请' }).click()]);
    expect(created.status()).toBe(201);
    const { intakeId, receipt } = (await created.json()) as { intakeId: string; receipt: string };
    await page.getByTestId('receipt-box').waitFor();
    expect(await page.getByTestId('receipt').textContent()).toBe(receipt);
    expect(await page.getByTestId('handled-by').textContent()).toBe('受理单位：鲸园街道');
    expect(await page.getByTestId('receipt-box').textContent()).toMatch(/镇\(街道\)将在 \d{4}\/\d{2}\/\d{2}( \d{2}:\d{2} 前| 前（含）)受理或退回/);
    await page.getByTestId('receipt-box').getByRole('button', { name: '查询进度' }).click();
    await page.getByTestId('tracking').waitFor();
    expect(await page.getByTestId('status').textContent()).toBe('已提交，待镇(街道)受理');
    // What the phone shows carries no personal data back.
    expect(await page.getByTestId('tracking').textContent()).not.toContain('王秀英');

    // The town accepts it (its intake queue's step, through the API).
    const town = await ctx.token('town_staff', UNITS.jingyuan);
    const accepted = await ctx.app.inject({ method: 'POST', url: `/v1/intakes/${intakeId}/accept`, headers: authz(town), payload: { labourCapacity: 'illness_or_disability' } });
    expect(accepted.statusCode, accepted.body).toBe(200);

    await page.reload();
    await page.getByRole('button', { name: `查询 救助申请 ${receipt}` }).click();
    // The receipt follows the application the acceptance opened (already past 受理): its stage, not 已受理 alone.
    await expect.poll(() => page.getByTestId('status').textContent()).toMatch(/^(家庭经济状况核对|入户调查)$/);
    expect(await page.locator('.steps li').allTextContents()).toEqual([expect.stringContaining('已提交'), expect.stringContaining('已受理')]);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'public-application-accepted-phone');
  });

  it('a registered household posts its own wish; ID number and phone must both match (said beside the ID number)', async () => {
    await registerHousehold(ctx, await ctx.token('village_staff', UNITS.haigang), 31);
    const page = await phone();
    await page.goto(`${base}/q/${UNITS.haigang}`);
    await page.getByRole('button', { name: '发布微心愿', exact: true }).click();
    const form = page.locator('form#wish');
    await form.getByLabel('户主身份证号码').fill(idNumber(31));
    await form.getByLabel('登记的联系电话').fill('13900000000');
    await form.getByLabel('心愿', { exact: true }).fill('一台助听器');
    await form.getByLabel('心愿类别').selectOption('material');
    await form.getByRole('button', { name: '发布心愿' }).click();
    const error = form.locator('[data-field="headIdNumber"] .field-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('未找到与该身份证号码和电话都相符的登记户');

    await form.getByLabel('登记的联系电话').fill('13800000000');
    await form.getByRole('button', { name: '发布心愿' }).click();
    await page.getByTestId('receipt-box').waitFor();
    const receipt = (await page.getByTestId('receipt').textContent())!;
    // The town screens wishes (PERMISSIONS.wish.screening): the receipt names it and says so (fresh-eyes on issue 14: it said 村(社区)).
    expect(await page.getByTestId('handled-by').textContent()).toBe('受理单位：鲸园街道');
    expect(await page.getByTestId('receipt-box').textContent()).toContain('镇(街道)审核后公布');
    await page.getByTestId('receipt-box').getByRole('button', { name: '查询进度' }).click();
    await page.getByTestId('tracking').waitFor();
    expect(await page.getByTestId('tracking').getAttribute('data-receipt')).toBe(receipt);
    expect(await page.getByTestId('tracking-handled-by').textContent()).toBe('受理单位：鲸园街道');
    expect(await page.getByTestId('tracking').textContent()).toContain('微心愿');
    await screenshot(page, 'public-wish-phone');
  });

  it('renders what the API returns as text, never as markup: 公示, Party-day answers, 三亮 members (the page alone, its JSON given)', async () => {
    const MARKUP = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>';
    const real = (await ctx.app.inject({ method: 'GET', url: `/v1/public/units/${UNITS.haigang}` })).json();
    const given = {
      ...real,
      policies: { ...real.policies, text: `政策说明${MARKUP}` },
      contacts: [{ role: `书记${MARKUP}`, name: '刘建华', phone: '0631-5201234' }],
      notices: [{ caseId: 'application-1', title: `张** 申请最低生活保障${MARKUP}`, from: '2026-11-25T00:00:00.000Z', until: '2026-12-02T00:00:00.000Z' }],
      partyDays: [{ month: '2026-10', publishedAt: '2026-10-15T01:00:00.000Z', items: [{ category: 'other', categoryName: '其他', title: `问题${MARKUP}`, answer: `答复${MARKUP}`, answeredBy: { role: 'staff', roleName: '工作人员', name: '孙丽' } }] }],
      members: { year: 2026, members: [{ name: `李明${MARKUP}`, role: 'secretary', roleName: '党支部书记', branch: '海港社区党委', actions: { visits: 1, contacts: 0, discoveries: 0, wishes: 0, serviceHours: 0 }, points: 12 }] },
    };
    const page = await phone();
    await page.route(`**/v1/public/units/${UNITS.haigang}`, (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(given) }));
    await page.goto(`${base}/q/${UNITS.haigang}`);
    await page.getByRole('heading', { name: '公示' }).waitFor();
    expect(await page.locator('#notices li').textContent()).toContain(`张** 申请最低生活保障${MARKUP}`);
    expect(await page.locator('#notices li').textContent()).toContain('公示期 2026/11/25 至 2026/12/02');
    expect(await page.locator('#answers').textContent()).toContain(`答复${MARKUP}`);
    expect(await page.locator('#members').textContent()).toContain('党支部书记');
    expect(await page.locator('#policies').textContent()).toContain(`政策说明${MARKUP}`);
    expect(await page.locator('main img, main script').count()).toBe(0);
    expect(await page.evaluate('window.pwned')).toBeUndefined();
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  });

  it('the page opens on older phones: its scripts are ES2019 (iOS 12–14.0 Safari has no class fields — a syntax error there is a blank page)', () => {
    const dist = join(import.meta.dirname, '..', '..', 'web', 'dist');
    const scripts = firstScreenFiles(dist).filter((f) => f.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    for (const file of scripts) expect(() => parse(readFileSync(join(dist, file), 'utf8'), { ecmaVersion: 2019, sourceType: 'module' }), file).not.toThrow();
  });

  it('an unknown code, or a unit that is not a village, gets a Chinese not-found page (404) with no script', async () => {
    for (const path of ['/q/371002009999', `/q/${UNITS.jingyuan}`, '/q/not-a-code', '/q/', '/q/371002009999/', '/q/not-a-code/', `/q/${UNITS.haigang}/x`]) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-security-policy')).toBe(PUBLIC_PAGE_HEADERS['content-security-policy']);
      const html = await res.text();
      expect(html).toContain('未找到该服务页');
      expect(html).not.toContain('<script');
      expect(html).not.toContain('not-a-code');
    }
    // A village's code with a trailing slash goes to its canonical address.
    const slash = await fetch(`${base}/q/${UNITS.haigang}/`, { redirect: 'manual' });
    expect(slash.status).toBe(308);
    expect(slash.headers.get('location')).toBe(`/q/${UNITS.haigang}`);
    const page = await phone();
    const res = await page.goto(`${base}/q/371002009999`);
    expect(res?.status()).toBe(404);
    await page.getByRole('heading', { name: '未找到该服务页', level: 1 }).waitFor();
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'public-not-found-phone');
  });

  it('answers one line saying how to build it when web/dist has no public page', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'jiuzhu-no-public-page-'));
    const app = Fastify();
    app.decorate('deps', ctx.app.deps);
    await app.register(publicPageRoutes, { root: empty });
    try {
      for (const url of [`/q/${UNITS.haigang}`, '/q/']) {
        const res = await app.inject({ method: 'GET', url });
        expect(res.statusCode, url).toBe(503);
        expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
        expect(res.body.trim().split('\n')).toHaveLength(1);
        expect(res.body).toContain('服务页尚未构建');
        expect(res.body).toContain('npm run build:web');
      }
    } finally {
      await app.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('limits each client\'s requests to /q as the public channel does (429 in the one error shape)', async () => {
    const reports = ctx.config.policy.reports;
    const app = Fastify();
    app.decorate('deps', { ...ctx.app.deps, config: { ...ctx.config, policy: { ...ctx.config.policy, reports: { ...reports, rateLimit: { ...reports.rateLimit, perClientRequests: { max: 2, window: 60_000 } } } } } });
    await app.register(publicPageRoutes);
    try {
      expect((await app.inject({ method: 'GET', url: `/q/${UNITS.haigang}` })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/q/371002009999' })).statusCode).toBe(404);
      const refused = await app.inject({ method: 'GET', url: `/q/${UNITS.haigang}` });
      expect(refused.statusCode).toBe(429);
      expect(refused.json()).toMatchObject({ error: { code: 'too_many_requests' } });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  });
});
