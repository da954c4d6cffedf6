import { localMonth } from '../../domain/china-time';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeJsonForHtml } from '../../api/public-channel';
import { clientKey, SharedAllowance, SlidingWindowLimiter, takeAll, windowGate } from '../../api/rate-limit';
import { publicUnitUrl, QR_OPTIONS } from '../../api/routes/public';
import { ConfigError, loadConfig } from '../../config';
import { RECEIPT_ALPHABET } from '../../domain/report';
import { COLLECTIONS } from '../../store/collections';
import { authz, createTestContext, idNumber, registerHousehold, UNITS, type TestContext } from '../helpers/context';
import { eventually } from '../helpers/wait';

/**
 * The QR-code channel end to end through the HTTP API: the public unit page and its QR code, public
 * reports (bad input, rate limits, plain-text handling), staff acknowledging and answering them, the
 * automatic common-issue proposal, and no personal data in any public response. Second-long deadlines.
 */
const POLICY = {
  version: 'e2e-reports',
  reports: {
    warnAt: 0.5,
    acknowledgeWithin: 'PT3S',
    answerWithin: 'PT30S',
    escalateEvery: 'PT2S',
    commonIssueThreshold: 3,
    rateLimit: { perClientRequests: { max: 100, window: 'PT10M' }, perClient: { max: 3, window: 'PT1H' }, perUnit: { max: 8, window: 'PT1H', sharePerClient: 1, ceiling: 40 } },
  },
};

const BEISHAN = '371002001003'; // 北山社区: the common-issue test's own unit
const QIGUTUAN = '371002001002'; // 戚谷疃社区: the per-client rate-limit test's
const ZHUDAO = '371002003001'; // 竹岛社区: the per-unit rate-limit test's
const WANGDAO = '371002003002'; // 望岛社区: the on-time figures test's
const GUZHAI = '371002002001'; // 古寨社区: the flood test's

let ctx: TestContext;
let village: string;
let town: string;
let siblingTown: string;
let grid: string;
let beishanStaff: string;

beforeAll(async () => {
  ctx = await createTestContext('public_e2e', { policy: POLICY });
  await ctx.startWorker();
  village = await ctx.token('village_staff', UNITS.haigang);
  town = await ctx.token('town_supervisor', UNITS.jingyuan);
  siblingTown = await ctx.token('town_staff', UNITS.huancuilou);
  grid = await ctx.token('grid_worker', UNITS.haigang);
  beishanStaff = await ctx.token('village_staff', BEISHAN);
});
afterAll(async () => ctx?.close());

/** Each test reports from its own addresses, so the per-client limit of one never touches another. */
let nextIp = 1;
const freshIp = () => `10.9.${Math.floor(nextIp / 250)}.${(nextIp++ % 250) + 1}`;

const publicGet = (url: string) => ctx.app.inject({ method: 'GET', url });
const report = (payload: unknown, ip = freshIp()) => ctx.app.inject({ method: 'POST', url: '/v1/public/reports', payload: payload as object, remoteAddress: ip });
const post = (url: string, token: string, payload: unknown = {}) => ctx.app.inject({ method: 'POST', url, headers: authz(token), payload: payload as object });
const put = (url: string, token: string, payload: unknown) => ctx.app.inject({ method: 'PUT', url, headers: authz(token), payload: payload as object });
const get = (url: string, token: string) => ctx.app.inject({ method: 'GET', url, headers: authz(token) });
const isJson = (res: { headers: Record<string, unknown> }) => expect(String(res.headers['content-type'])).toMatch(/^application\/json/);

describe('SlidingWindowLimiter (unit, injected clock)', () => {
  it('allows max hits in any window, then answers how long until the oldest leaves it', () => {
    let now = 1_000_000;
    const limiter = new SlidingWindowLimiter({ max: 3, windowMs: 60_000 }, () => now);
    for (const at of [0, 20_000, 40_000]) {
      now = 1_000_000 + at;
      expect(limiter.take('a').allowed).toBe(true);
    }
    now = 1_000_000 + 50_000;
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterMs: 10_000 });
    // Keys are counted apart.
    expect(limiter.take('b').allowed).toBe(true);
    // The window slides: each hit leaves it exactly 60 s after it was made, not at a fixed boundary.
    now = 1_000_000 + 59_999;
    expect(limiter.check('a')).toEqual({ allowed: false, retryAfterMs: 1 });
    now = 1_000_000 + 60_000;
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterMs: 20_000 });
  });

  it('a refused hit is not counted; spaced hits keep sliding', () => {
    let now = 0;
    const limiter = new SlidingWindowLimiter({ max: 2, windowMs: 100 }, () => now);
    limiter.take('k');
    now = 50;
    limiter.take('k');
    now = 60;
    for (let i = 0; i < 10; i++) expect(limiter.take('k').allowed).toBe(false);
    now = 100; // the hit at 0 has left the window (it covers (0, 100]); the one at 50 is still in it
    expect(limiter.take('k').allowed).toBe(true);
    expect(limiter.take('k')).toEqual({ allowed: false, retryAfterMs: 50 });
  });

  it('forgets idle keys and stays within its key bound', () => {
    let now = 0;
    const limiter = new SlidingWindowLimiter({ max: 1, windowMs: 10 }, () => now, 100);
    for (let i = 0; i < 500; i++) limiter.take(`ip-${i}`);
    expect(limiter.size).toBeLessThanOrEqual(101);
    now = 1000;
    limiter.take('late');
    for (let i = 0; i < 1000; i++) limiter.check('late');
    expect(limiter.take('ip-499').allowed).toBe(true);
  });

  it('takeAll records only when every limiter allows, and waits for the slowest', () => {
    let now = 0;
    const client = new SlidingWindowLimiter({ max: 1, windowMs: 1000 }, () => now);
    const unit = new SlidingWindowLimiter({ max: 5, windowMs: 5000 }, () => now);
    const both = (ip: string) => takeAll([windowGate('client', client, ip), windowGate('unit', unit, 'u')]);
    expect(both('ip').allowed).toBe(true);
    expect(both('ip')).toEqual({ allowed: false, retryAfterMs: 1000, by: 'client' });
    // The refused attempt did not use the unit's quota: four more clients fit.
    for (let i = 0; i < 4; i++) expect(both(`ip${i}`).allowed).toBe(true);
    now = 10;
    expect(both('ip9')).toEqual({ allowed: false, retryAfterMs: 4990, by: 'unit' });
  });
});

describe('SharedAllowance (unit, injected clock): a busy village still takes a client that has not yet had its share', () => {
  it('up to max anyone is taken; then only clients below their share; the ceiling bounds all', () => {
    let now = 0;
    const unit = new SharedAllowance({ max: 3, windowMs: 1000, sharePerClient: 1, ceiling: 6 }, () => now);
    const take = (client: string) => {
      const v = unit.check('v', client);
      if (v.allowed) unit.record('v', client);
      return v;
    };
    // Below max: one client may take several.
    expect(take('a').allowed).toBe(true);
    now = 100;
    expect(take('a').allowed).toBe(true);
    expect(take('b').allowed).toBe(true);
    // Busy: clients that have reported are refused, until the village is below max (the hit at 0 leaves at 1000).
    expect(take('a')).toEqual({ allowed: false, retryAfterMs: 900 });
    expect(take('b')).toEqual({ allowed: false, retryAfterMs: 900 });
    // A client that has not reported is still taken, up to the ceiling.
    now = 200;
    for (const c of ['c', 'd', 'e']) expect(take(c).allowed).toBe(true);
    expect(take('f')).toEqual({ allowed: false, retryAfterMs: 800 });
    now = 1000; // the hit at 0 has left: five in the window, below the ceiling, still busy; a's own hit leaves at 1100
    expect(take('a')).toEqual({ allowed: false, retryAfterMs: 100 });
    expect(take('f').allowed).toBe(true);
    now = 1100; // c, d, e, f remain: still busy (4 ≥ 3); a holds no hit now, so it has room for one
    expect(take('a').allowed).toBe(true);
    expect(take('a').allowed).toBe(false);
  });

  it('the ceiling defaults to ten times max', () => {
    let now = 0;
    const unit = new SharedAllowance({ max: 2, windowMs: 100, sharePerClient: 1 }, () => now, 10);
    for (let i = 0; i < 20; i++) {
      expect(unit.check('v', `c${i}`).allowed).toBe(true);
      unit.record('v', `c${i}`);
    }
    expect(unit.check('v', 'c99')).toEqual({ allowed: false, retryAfterMs: 100 });
    now = 100;
    expect(unit.check('v', 'c0').allowed).toBe(true);
  });
});

describe('clientKey', () => {
  it('counts IPv4 clients by address and IPv6 clients by their /64', () => {
    expect(clientKey('203.0.113.7')).toBe('ip4:203.0.113.7');
    expect(clientKey('::ffff:203.0.113.7')).toBe('ip4:203.0.113.7');
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('ip6:2001:db8:1:2::/64');
    expect(clientKey('2001:0db8:0001:0002:ffff:0:0:9')).toBe('ip6:2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('ip6:2001:db8:0:0::/64');
    expect(clientKey('fe80::1%eth0')).toBe('ip6:fe80:0:0:0::/64');
    expect(clientKey('::1')).toBe('ip6:0:0:0:0::/64');
  });
});

describe('the public unit page and its QR code', () => {
  it('staff keep the profile (village staff and above, in their jurisdiction; office phones only) and the page shows it, no login', async () => {
    const profile = {
      policies: '低保、特困、临时救助等政策可到社区服务站咨询，每周一至周五 8:30-17:00。',
      contacts: [
        { role: '社区党委书记', name: '刘建华', phone: '0631-5201234' },
        { role: '民政协理员', name: '孙丽', phone: '0631-5201235' },
      ],
    };
    expect((await put(`/v1/units/${UNITS.haigang}/profile`, grid, profile)).statusCode).toBe(403);
    expect((await put(`/v1/units/${UNITS.haigang}/profile`, siblingTown, profile)).statusCode).toBe(403);
    expect((await put(`/v1/units/${UNITS.jingyuan}/profile`, town, profile)).statusCode).toBe(404);
    const mobile = await put(`/v1/units/${UNITS.haigang}/profile`, village, { ...profile, contacts: [{ role: '书记', name: '刘建华', phone: '13912345678' }] });
    expect(mobile.statusCode).toBe(400);
    expect(mobile.json().error.details[0].path).toBe('body.contacts.0.phone');
    // The documented maxLength holds for the text as sent: padding does not slip 31 characters past 30 (found by schemathesis).
    const padded = await put(`/v1/units/${UNITS.haigang}/profile`, village, { ...profile, contacts: [{ ...profile.contacts[0]!, role: `${'书'.repeat(30)} ` }] });
    expect(padded.statusCode).toBe(400);
    expect(padded.json().error.details[0].path).toBe('body.contacts.0.role');
    const saved = await put(`/v1/units/${UNITS.haigang}/profile`, village, profile);
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({ unitCode: UNITS.haigang, updatedBy: `village_staff@${UNITS.haigang}` });
    expect((await get(`/v1/units/${UNITS.haigang}/profile`, town)).json()).toMatchObject(profile);

    const page = await publicGet(`/v1/public/units/${UNITS.haigang}`);
    expect(page.statusCode).toBe(200);
    isJson(page);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const body = page.json();
    expect(body.unit).toEqual({ code: UNITS.haigang, name: '海港社区居委会', level: 'village', levelName: '村(社区)' });
    expect(body.path.map((u: { name: string }) => u.name)).toEqual(['威海市', '环翠区', '鲸园街道', '海港社区居委会']);
    expect(body.policies.text).toBe(profile.policies);
    expect(body.policies.categories).toEqual(expect.arrayContaining(['最低生活保障对象', '特困人员']));
    expect(body.policies.reportCategories.map((c: { code: string }) => c.code)).toEqual(['assistance_policy', 'missed_household', 'benefit_problem', 'staff_conduct', 'other']);
    expect(body.contacts).toEqual(profile.contacts);
    expect(body.links.qrSvg).toBe(`${ctx.config.publicBaseUrl}/v1/public/units/${UNITS.haigang}/qr.svg`);
    expect(body.links.page).toBe(`${ctx.config.publicBaseUrl}/q/${UNITS.haigang}`);

    // The policies are staff's free text, published without login: personal data typed into them is masked.
    const careless = { ...profile, policies: '有困难联系王建国 13800000001，身份证371002198001011232，住海港路12号3单元' };
    expect((await put(`/v1/units/${UNITS.haigang}/profile`, village, careless)).statusCode).toBe(200);
    const shown = (await publicGet(`/v1/public/units/${UNITS.haigang}`)).json().policies.text as string;
    for (const secret of ['13800000001', '371002198001011232', '12号3单元']) expect(shown).not.toContain(secret);
    expect((await put(`/v1/units/${UNITS.haigang}/profile`, village, profile)).statusCode).toBe(200);
  });

  it('only villages/communities have a page: unknown units and towns are 404 in the one error shape', async () => {
    for (const code of ['371002001099', UNITS.jingyuan, UNITS.haigangGrid]) {
      for (const suffix of ['', '/qr.svg', '/qr.png']) {
        const res = await publicGet(`/v1/public/units/${code}${suffix}`);
        expect(res.statusCode, `${code}${suffix}`).toBe(404);
        isJson(res);
        expect(res.json().error.code).toBe('not_found');
      }
    }
    expect((await publicGet('/v1/public/units/abc')).statusCode).toBe(400);
  });

  it('shows the on-time figures of the last 12 months, counted like the stats', async () => {
    const now = Date.now();
    const day = 86_400_000;
    const deadline = (i: number, dueAt: number, outcome: string) => ({
      _id: `synthetic-${WANGDAO}:${i}` as never,
      caseId: `synthetic-${i}`,
      kind: 'alert',
      orgPath: ['371000', '371002', '371002003', WANGDAO],
      unitCode: WANGDAO,
      dueAt: new Date(dueAt),
      dueMonth: localMonth(dueAt),
      outcome,
      escalations: 0,
    });
    await ctx.mongo.db.collection(COLLECTIONS.deadlines).insertMany([
      deadline(1, now - 10 * day, 'on_time'),
      deadline(2, now - 100 * day, 'on_time'),
      deadline(3, now - 20 * day, 'late'),
      deadline(4, now - 2 * day, 'pending'), // past due, unmet: late
      deadline(5, now + 2 * day, 'pending'), // not yet due: not counted
      deadline(6, now - 400 * day, 'late'), // more than a year ago: not counted
      deadline(7, now - 5 * day, 'not_due'),
    ]);
    const body = (await publicGet(`/v1/public/units/${WANGDAO}`)).json();
    expect(body.onTime).toMatchObject({ due: 4, onTime: 2, late: 2, onTimeRate: 0.5 });
    expect(Date.parse(body.onTime.to) - Date.parse(body.onTime.from)).toBeGreaterThanOrEqual(365 * day);
    // No profile yet: empty text and contacts, the catalogue still listed.
    expect(body.policies.text).toBe('');
    expect(body.contacts).toEqual([]);
    expect(body.policies.categories.length).toBeGreaterThan(0);
  });

  it('shows the published Party-day minutes: category, title, answer, who answered — nothing else', async () => {
    await ctx.mongo.db.collection('party_days').insertMany([
      {
        _id: `pd-${UNITS.haigang}-2026-05` as never,
        unitCode: UNITS.haigang,
        month: '2026-05',
        status: 'closed',
        stage: 'closed',
        scheduledAt: new Date('2026-05-15T01:00:00Z'),
        publishedAt: new Date('2026-05-15T01:00:00Z'),
        items: [
          { kind: 'common_issue', category: 'benefit_problem', title: '低保金发放时间', answer: '每月10日前发放到账', answeredBy: { role: 'civil_affairs_assistant', name: '孙丽' }, issueId: 'ci-x', reportIds: ['rp-1'], householdId: 'hh-secret', phone: '13700001111' },
          { kind: 'report', category: 'assistance_policy', title: '临时救助怎么申请' },
        ],
      },
      // An agenda published ahead of its day is not minutes yet.
      {
        _id: `pd-${UNITS.haigang}-2099-06` as never,
        unitCode: UNITS.haigang,
        month: '2099-06',
        status: 'open',
        stage: 'agenda_published',
        scheduledAt: new Date('2099-06-15T01:00:00Z'),
        publishedAt: new Date(),
        items: [{ kind: 'report', category: 'other', title: '未开会的议题' }],
      },
      // One past its start but still open for answers shows what is answered so far.
      {
        _id: `pd-${UNITS.haigang}-2026-04` as never,
        unitCode: UNITS.haigang,
        month: '2026-04',
        status: 'open',
        stage: 'agenda_published',
        scheduledAt: new Date('2026-04-15T01:00:00Z'),
        publishedAt: new Date('2026-04-15T01:00:00Z'),
        items: [{ kind: 'report', category: 'other', title: '其他：群众反映问题（第1件）', answer: '已答复', answeredBy: { role: 'committee_member', name: '刘建华' }, recordedBy: { userId: 'u-secret', role: 'village_staff', unitCode: UNITS.haigang } }],
      },
    ]);
    const body = (await publicGet(`/v1/public/units/${UNITS.haigang}`)).json();
    expect(body.partyDays).toEqual([
      {
        month: '2026-05',
        publishedAt: '2026-05-15T01:00:00.000Z',
        items: [
          { category: 'benefit_problem', categoryName: '待遇发放问题', title: '低保金发放时间', answer: '每月10日前发放到账', answeredBy: { role: 'civil_affairs_assistant', roleName: '民政协理员', name: '孙丽' } },
          { category: 'assistance_policy', categoryName: '救助政策咨询', title: '临时救助怎么申请', answer: null, answeredBy: null },
        ],
      },
      {
        month: '2026-04',
        publishedAt: '2026-04-15T01:00:00.000Z',
        items: [{ category: 'other', categoryName: '其他', title: '其他：群众反映问题（第1件）', answer: '已答复', answeredBy: { role: 'committee_member', roleName: '村(社区)两委成员', name: '刘建华' } }],
      },
    ]);
    expect(JSON.stringify(body)).not.toContain('u-secret');
  });

  it('renders the QR code as SVG and PNG, pointing at the phone page PUBLIC_BASE_URL/q/{code}, cacheable', async () => {
    const target = publicUnitUrl(ctx.config.publicBaseUrl, UNITS.haigang);
    expect(target).toBe(`${ctx.config.publicBaseUrl}/q/${UNITS.haigang}`);
    const svg = await publicGet(`/v1/public/units/${UNITS.haigang}/qr.svg`);
    expect(svg.statusCode).toBe(200);
    expect(svg.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect(svg.headers['cache-control']).toBe('public, max-age=86400');
    expect(svg.body.startsWith('<svg')).toBe(true);
    // The same text encodes to the same symbol: the code carries exactly the unit's page address.
    expect(svg.body).toBe(await QRCode.toString(target, { ...QR_OPTIONS, type: 'svg' }));
    expect(svg.body).not.toBe(await QRCode.toString(publicUnitUrl(ctx.config.publicBaseUrl, QIGUTUAN), { ...QR_OPTIONS, type: 'svg' }));
    expect(svg.body).not.toMatch(/<script/i);

    const png = await publicGet(`/v1/public/units/${UNITS.haigang}/qr.png?width=300`);
    expect(png.statusCode).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.headers['cache-control']).toBe('public, max-age=86400');
    expect(png.rawPayload.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.rawPayload.readUInt32BE(16)).toBe(300); // IHDR width
    expect(png.rawPayload).toEqual(await QRCode.toBuffer(target, { ...QR_OPTIONS, type: 'png', width: 300 }));
    expect((await publicGet(`/v1/public/units/${UNITS.haigang}/qr.png?width=5`)).statusCode).toBe(400);
  });
});

describe('public reports: bad input', () => {
  const ok = { unitCode: UNITS.haigang, category: 'other', text: '想咨询临时救助' };

  it('an oversized body is 413, a text over maxTextLength is 400 naming body.text, both in the one error shape', async () => {
    const huge = await report({ ...ok, text: 'x'.repeat(9000) });
    expect(huge.statusCode).toBe(413);
    isJson(huge);
    expect(huge.json()).toEqual({ error: { code: 'payload_too_large', message: expect.any(String) } });

    const long = await report({ ...ok, text: '字'.repeat(2001) });
    expect(long.statusCode).toBe(400);
    expect(long.json().error.details.map((d: { path: string }) => d.path)).toEqual(['body.text']);
    const empty = await report({ ...ok, text: '   ' });
    expect(empty.json().error.details[0].path).toBe('body.text');
    const category = await report({ ...ok, category: 'gossip' });
    expect(category.statusCode).toBe(400);
    expect(category.json().error.details[0].path).toBe('body.category');
    const extra = await report({ ...ok, idNumber: idNumber(1) });
    expect(extra.statusCode).toBe(400);
  });

  it('a wrong unit is 404 naming body.unitCode: unknown, a town, a grid; a malformed code is 400', async () => {
    for (const unitCode of ['371002001099', UNITS.jingyuan, UNITS.haigangGrid]) {
      const res = await report({ ...ok, unitCode });
      expect(res.statusCode, unitCode).toBe(404);
      isJson(res);
      expect(res.json().error).toMatchObject({ code: 'not_found', details: [{ path: 'body.unitCode' }] });
    }
    const malformed = await report({ ...ok, unitCode: 'haigang' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.details[0].path).toBe('body.unitCode');
    expect(await ctx.mongo.db.collection(COLLECTIONS.receipts).countDocuments({ unitCode: { $in: ['371002001099', UNITS.jingyuan] } })).toBe(0);
  });

  it('HTML and script in the text are stored verbatim as plain text and only ever returned as JSON string data', async () => {
    const text = `<script>alert('x')</script><img src=x onerror="alert(1)"> & <b>低保</b>`;
    const created = await report({ ...ok, text: `  ${text}  ` });
    expect(created.statusCode).toBe(201);
    isJson(created);
    const { reportId, receipt } = created.json();

    const staff = await get(`/v1/reports/${reportId}`, town);
    expect(staff.statusCode).toBe(200);
    isJson(staff);
    expect(staff.json().text).toBe(text);
    const stored = await ctx.mongo.db.collection<{ _id: string; view: { text: string } }>(COLLECTIONS.cases).findOne({ _id: reportId });
    expect(stored!.view.text).toBe(text);

    const mine = await publicGet(`/v1/public/reports/${receipt}`);
    expect(mine.statusCode).toBe(200);
    isJson(mine);
    expect(mine.headers['x-content-type-options']).toBe('nosniff');
    // The public view does not echo the text at all.
    expect(mine.body).not.toContain('<script');
    expect(mine.body).not.toContain('onerror');
  });
});

describe('public reports: rate limits', () => {
  it('per client: the fourth report within the hour from one address is 429 with Retry-After; other addresses go on', async () => {
    const ip = freshIp();
    for (let i = 0; i < 3; i++) expect((await report({ unitCode: QIGUTUAN, category: 'other', text: `第${i + 1}次咨询` }, ip)).statusCode).toBe(201);
    const limited = await report({ unitCode: QIGUTUAN, category: 'other', text: '第4次咨询' }, ip);
    expect(limited.statusCode).toBe(429);
    isJson(limited);
    expect(limited.json().error.code).toBe('too_many_requests');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(3500);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    // Bad input from a limited client is still told what is wrong first.
    expect((await report({ unitCode: QIGUTUAN, category: 'gossip', text: 'x' }, ip)).statusCode).toBe(400);
    expect((await report({ unitCode: QIGUTUAN, category: 'other', text: '换个网络' })).statusCode).toBe(201);
  });

  it('per unit: once a village has had its allowance, an address that already reported there is 429, a new one is still accepted; another village is unaffected', async () => {
    const first = freshIp();
    for (let i = 0; i < 3; i++) expect((await report({ unitCode: ZHUDAO, category: 'assistance_policy', text: `咨询${i}` }, first)).statusCode).toBe(201);
    for (let i = 3; i < 8; i++) expect((await report({ unitCode: ZHUDAO, category: 'assistance_policy', text: `咨询${i}` })).statusCode).toBe(201);
    // The allowance (8) is used: an address that has reported here has had its share.
    const again = freshIp();
    expect((await report({ unitCode: WANGDAO, category: 'assistance_policy', text: '别处咨询' }, again)).statusCode).toBe(201);
    const before = await report({ unitCode: ZHUDAO, category: 'assistance_policy', text: '咨询8' }, again);
    expect(before.statusCode).toBe(201); // its report elsewhere does not count here
    const limited = await report({ unitCode: ZHUDAO, category: 'assistance_policy', text: '咨询9' }, again);
    expect(limited.statusCode).toBe(429);
    isJson(limited);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(3500);
    expect(limited.json().error).toMatchObject({ code: 'too_many_requests', reason: 'unit_allowance', details: { retryAfterSeconds: Number(limited.headers['retry-after']) } });
    // A new address is still heard.
    expect((await report({ unitCode: ZHUDAO, category: 'assistance_policy', text: '第一次反映' })).statusCode).toBe(201);
    expect((await report({ unitCode: WANGDAO, category: 'assistance_policy', text: '咨询' })).statusCode).toBe(201);
  });

  it('a flood costs the flooders, not the village: 12 addresses use up their own budgets, a genuine 13th reporter is still accepted', async () => {
    const flooders = Array.from({ length: 12 }, () => freshIp());
    const statuses: number[][] = [];
    for (const ip of flooders) {
      const mine: number[] = [];
      for (let i = 0; i < 5; i++) mine.push((await report({ unitCode: GUZHAI, category: 'other', text: `刷屏${i}` }, ip)).statusCode);
      statuses.push(mine);
    }
    // Each flooder is stopped by its own limits: its budget (3 an hour) or, once the village is busy, its share (1).
    for (const mine of statuses) {
      expect(mine[mine.length - 1]).toBe(429);
      expect(mine.filter((c) => c === 201).length).toBeGreaterThanOrEqual(1);
    }
    // The first two flooders had 3 each, the third 2 (the allowance of 8 is then used), the other nine 1 each.
    expect(statuses.flat().filter((c) => c === 201).length).toBe(8 + 9);
    // Genuine reporters who have sent nothing are still accepted.
    const genuine = await report({ unitCode: GUZHAI, category: 'benefit_problem', text: '本月低保金还没到账' });
    expect(genuine.statusCode).toBe(201);
    expect((await report({ unitCode: GUZHAI, category: 'missed_household', text: '邻居家老人无人照看' })).statusCode).toBe(201);
    // And the flooders stay refused.
    for (const ip of flooders) expect((await report({ unitCode: GUZHAI, category: 'other', text: '再刷' }, ip)).statusCode).toBe(429);
  });

  it('every request counts against the per-client request limit, valid or not: 300 empty posts are 100 × 400, then 429', async () => {
    const ip = freshIp();
    const codes: number[] = [];
    let last: Awaited<ReturnType<typeof report>> | undefined;
    for (let i = 0; i < 300; i++) {
      last = await ctx.app.inject({ method: 'POST', url: '/v1/public/reports', remoteAddress: ip, headers: { 'content-type': 'application/json' }, payload: '' });
      codes.push(last.statusCode);
    }
    expect(codes.slice(0, 100).every((c) => c === 400)).toBe(true);
    expect(codes.slice(100).every((c) => c === 429)).toBe(true);
    isJson(last!);
    expect(last!.json().error).toMatchObject({ code: 'too_many_requests', reason: 'client_request_limit' });
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(500);
    // A valid report from that address is refused too: the limit is the address's, whatever it sends.
    expect((await report({ unitCode: UNITS.haigang, category: 'other', text: '正常反映' }, ip)).statusCode).toBe(429);
    // Another address is unaffected.
    expect((await report({ unitCode: UNITS.haigang, category: 'other', text: '正常反映' })).statusCode).toBe(201);
  });

  it('receipt look-ups are limited per client: guessing receipts ends in 429; receipts carry about 59 bits', async () => {
    const { receipt } = (await report({ unitCode: UNITS.haigang, category: 'other', text: '查询回执' })).json();
    const guesser = freshIp();
    const codes: number[] = [];
    for (let i = 0; i < 110; i++) {
      const guess = Array.from({ length: 12 }, (_, j) => RECEIPT_ALPHABET[(i * 7 + j * 13) % RECEIPT_ALPHABET.length]).join('');
      codes.push((await ctx.app.inject({ method: 'GET', url: `/v1/public/reports/${guess}`, remoteAddress: guesser })).statusCode);
    }
    expect(codes.slice(0, 100).every((c) => c === 404)).toBe(true);
    expect(codes.slice(100).every((c) => c === 429)).toBe(true);
    // Even the right receipt, from the guesser, waits; from another address it is answered.
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/public/reports/${receipt}`, remoteAddress: guesser })).statusCode).toBe(429);
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/public/reports/${receipt}`, remoteAddress: freshIp() })).statusCode).toBe(200);
    expect(12 * Math.log2(RECEIPT_ALPHABET.length)).toBeGreaterThan(59);
    // The public page and the wishing tree count too: every route under /v1/public/.
    const reader = freshIp();
    for (let i = 0; i < 100; i++) await ctx.app.inject({ method: 'GET', url: `/v1/public/units/${UNITS.haigang}/qr.svg`, remoteAddress: reader });
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/public/wishes?unit=${UNITS.haigang}`, remoteAddress: reader })).statusCode).toBe(429);
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/public/no-such-route', remoteAddress: reader })).statusCode).toBe(429);
  });

  it('a percent-encoded path is the same route and counts the same: /v1/%70ublic/… is limited and gets the public headers', async () => {
    const ip = freshIp();
    const codes: number[] = [];
    for (let i = 0; i < 110; i++) {
      codes.push((await ctx.app.inject({ method: 'POST', url: '/v1/%70ublic/reports', remoteAddress: ip, headers: { 'content-type': 'application/json' }, payload: '' })).statusCode);
    }
    expect(codes.slice(0, 100).every((c) => c === 400)).toBe(true);
    expect(codes.slice(100).every((c) => c === 429)).toBe(true);
    const tree = await ctx.app.inject({ method: 'GET', url: `/v1/%70ublic/wishes?unit=${UNITS.haigang}`, remoteAddress: freshIp() });
    expect(tree.statusCode).toBe(200);
    expect(tree.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
  });
});

describe('HTML in public output', () => {
  const MARKUP = `</script><img src=x onerror=f()>&轮椅`; // within the public title's 40 characters
  const noMarkup = (res: { body: string; headers: Record<string, unknown> }) => {
    expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.body).not.toMatch(/[<>&\u2028]/);
  };

  it('escapeJsonForHtml: the same JSON value, with no <, >, & or line separator in its text', () => {
    const value = { title: MARKUP, n: 1, list: ['a&b', '<', '\u2028\u2029'] };
    const escaped = escapeJsonForHtml(JSON.stringify(value));
    expect(escaped).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(escaped)).toEqual(value);
    expect(escaped).toContain('\\u003c/script\\u003e');
  });

  it('a wish title with markup is published on the public wishing tree as escaped JSON data, never as markup', async () => {
    const hh = await registerHousehold(ctx, village, 931);
    const posted = await post('/v1/wishes', village, { householdId: hh, title: MARKUP, description: '需要一台轮椅', category: 'material', postedBy: 'household' });
    expect(posted.statusCode, posted.body).toBe(201);
    const id = posted.json().caseId as string;
    const screened = await post(`/v1/wishes/${id}/screening`, town, { decision: 'approve' });
    expect(screened.statusCode, screened.body).toBe(200);
    const tree = await eventually(async () => {
      const res = await ctx.app.inject({ method: 'GET', url: `/v1/public/wishes?unit=${UNITS.haigang}`, remoteAddress: freshIp() });
      return (res.json().items as Array<{ id: string }>).some((w) => w.id === id) && res;
    }, 'the wish on the public tree');
    noMarkup(tree);
    expect((tree.json().items as Array<{ id: string; title: string }>).find((w) => w.id === id)!.title).toBe(MARKUP);
  });

  it('markup in an answer and in the Party-day minutes reaches the receipt view and the unit page escaped', async () => {
    const { reportId, receipt } = (await report({ unitCode: UNITS.haigang, category: 'other', text: '咨询' })).json();
    expect((await post(`/v1/reports/${reportId}/answer`, village, { answer: MARKUP, answeredBy: { name: '孙丽', role: 'staff' } })).statusCode).toBe(200);
    const shown = await ctx.app.inject({ method: 'GET', url: `/v1/public/reports/${receipt}`, remoteAddress: freshIp() });
    expect(shown.statusCode).toBe(200);
    noMarkup(shown);
    expect(shown.json().answer.text).toBe(MARKUP);

    await ctx.mongo.db.collection('party_days').insertOne({
      _id: `pd-${QIGUTUAN}-2026-03` as never,
      unitCode: QIGUTUAN,
      month: '2026-03',
      status: 'closed',
      stage: 'closed',
      scheduledAt: new Date('2026-03-15T01:00:00Z'),
      publishedAt: new Date('2026-03-15T01:00:00Z'),
      items: [{ kind: 'report', category: 'other', title: MARKUP, answer: MARKUP, answeredBy: { role: 'staff', name: MARKUP } }],
    });
    const page = await ctx.app.inject({ method: 'GET', url: `/v1/public/units/${QIGUTUAN}`, remoteAddress: freshIp() });
    expect(page.statusCode).toBe(200);
    noMarkup(page);
    expect(page.json().partyDays[0].items[0]).toMatchObject({ title: MARKUP, answer: MARKUP });
    // Errors of the public channel too: an unknown route echoes its path as data.
    const missing = await ctx.app.inject({ method: 'GET', url: '/v1/public/%3Cscript%3E', remoteAddress: freshIp() });
    expect(missing.statusCode).toBe(404);
    noMarkup(missing);
  });
});

describe('a report through its lifecycle', () => {
  it('report → receipt → staff acknowledge and answer → the public receipt shows the answer, by role only', async () => {
    const created = await report({ unitCode: UNITS.haigang, category: 'benefit_problem', text: '本月低保金还没到账', contact: '李秀英 13912345678' });
    expect(created.statusCode).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const { receipt, reportId, acknowledgeBy } = created.json();
    expect(receipt).toMatch(new RegExp(`^[${RECEIPT_ALPHABET}]{12}$`));
    expect(reportId).toMatch(/^rp-[0-9a-f]{16}$/);
    expect(Date.parse(acknowledgeBy) - Date.now()).toBeLessThanOrEqual(3000);

    const received = await publicGet(`/v1/public/reports/${receipt.toLowerCase().replace(/(.{4})(?!$)/g, '$1-')}`);
    expect(received.statusCode).toBe(200);
    expect(received.json()).toMatchObject({ receipt, status: 'received', statusName: '已收到，待受理', category: 'benefit_problem', unit: { code: UNITS.haigang, name: '海港社区居委会' }, answer: null });
    expect((await publicGet('/v1/public/reports/ABCDEFGHJKMN')).statusCode).toBe(404);
    expect((await publicGet('/v1/public/reports/not-a-receipt')).statusCode).toBe(400);

    // Staff: the contact is shown to the town and to the village handling the report (privacy by need: it
    // answers the reporter); a sibling town may not read it.
    const forVillage = (await get(`/v1/reports/${reportId}`, village)).json();
    expect(forVillage).toMatchObject({ stage: 'received', text: '本月低保金还没到账', contact: '李秀英 13912345678' });
    expect((await get(`/v1/reports/${reportId}`, town)).json().contact).toBe('李秀英 13912345678');
    expect((await get(`/v1/reports/${reportId}`, siblingTown)).statusCode).toBe(403);
    expect((await post(`/v1/reports/${reportId}/acknowledgement`, siblingTown)).statusCode).toBe(403);
    expect((await post(`/v1/reports/${reportId}/acknowledgement`, grid)).statusCode).toBe(403);

    // It is a case like any other: listed with kind=report, with no household.
    const listed = (await get(`/v1/cases?kind=report&org=${UNITS.jingyuan}`, town)).json().items as Array<{ caseId: string; householdId: string | null; kind: string }>;
    expect(listed.find((c) => c.caseId === reportId)).toMatchObject({ kind: 'report', householdId: null });

    const acked = await post(`/v1/reports/${reportId}/acknowledgement`, village, {});
    expect(acked.statusCode).toBe(200);
    expect(acked.json()).toMatchObject({ stage: 'acknowledged', contact: '李秀英 13912345678' });
    expect((await post(`/v1/reports/${reportId}/acknowledgement`, village)).statusCode).toBe(409);
    expect((await publicGet(`/v1/public/reports/${receipt}`)).json()).toMatchObject({ status: 'acknowledged', acknowledgedAt: expect.any(String) });

    const badRole = await post(`/v1/reports/${reportId}/answer`, village, { answer: '已补发', answeredBy: { name: '孙丽', role: 'mayor' } });
    expect(badRole.statusCode).toBe(400);
    expect(badRole.json().error.details[0].path).toBe('body.answeredBy.role');
    const answered = await post(`/v1/reports/${reportId}/answer`, village, { answer: '经核实系银行代发延迟，已于今日补发到账。', answeredBy: { name: '孙丽', role: 'civil_affairs_assistant' } });
    expect(answered.statusCode).toBe(200);
    expect(answered.json()).toMatchObject({ status: 'closed', stage: 'answered', answer: { channel: 'staff', answeredBy: { name: '孙丽', role: 'civil_affairs_assistant' } } });

    const shown = await publicGet(`/v1/public/reports/${receipt}`);
    expect(shown.statusCode).toBe(200);
    isJson(shown);
    expect(shown.json()).toMatchObject({
      status: 'answered',
      statusName: '已答复',
      answer: { text: '经核实系银行代发延迟，已于今日补发到账。', answeredByRole: 'civil_affairs_assistant', answeredByRoleName: '民政协理员', channel: 'staff', answeredAt: expect.any(String) },
    });
    expect(shown.body).not.toContain('孙丽');
    expect(shown.body).not.toContain('李秀英');
    expect(shown.body).not.toContain('13912345678');
    expect((await post(`/v1/reports/${reportId}/answer`, village, { answer: '再次答复', answeredBy: { name: '孙丽', role: 'staff' } })).statusCode).toBe(409);
    const closed = (await get(`/v1/cases?kind=report&status=closed&org=${UNITS.haigang}`, village)).json().items as Array<{ caseId: string }>;
    expect(closed.map((c) => c.caseId)).toContain(reportId);
  });

  it('left unacknowledged it escalates to the town’s overdue board (kind report), and leaves it when acknowledged', async () => {
    const { reportId } = (await report({ unitCode: UNITS.haigang, category: 'benefit_problem', text: '救助金发放迟了两个月' })).json();
    const board = async () => (await get(`/v1/cases?overdue=true&kind=report`, town)).json().items as Array<{ caseId: string; rung: number; escalatedTo: { code: string } | null; dueLabel: string }>;
    const row = await eventually(async () => (await board()).find((r) => r.caseId === reportId && r.rung >= 1), 'the report on the town board');
    expect(row).toMatchObject({ escalatedTo: { code: UNITS.jingyuan }, dueLabel: '群众反映：受理' });
    const notices = await eventually(async () => {
      const n = await ctx.mongo.db.collection('notifications').find({ caseId: reportId, kind: 'escalated' }).toArray();
      return n.length > 0 && n;
    }, 'an escalation notice');
    expect(notices[0]!.unitCode).toBe(UNITS.jingyuan);
    expect((await post(`/v1/reports/${reportId}/acknowledgement`, town, { note: '镇街督办受理' })).statusCode).toBe(200);
    expect((await board()).map((r) => r.caseId)).not.toContain(reportId);
  });

  it('the third report of a category in a village proposes a common issue; staff see it and confirm it by marking a report', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await report({ unitCode: BEISHAN, category: 'benefit_problem', text: `第${i + 1}户反映：临时救助金未发放` });
      expect(res.statusCode).toBe(201);
      ids.push(res.json().reportId);
    }
    const issue = await eventually(async () => {
      const items = (await get(`/v1/units/${BEISHAN}/common-issues`, beishanStaff)).json().items as Array<{ issueId: string; status: string; reportIds: string[] }>;
      return items.length === 1 && items[0]!.reportIds.length === 3 && items[0]!;
    }, 'the proposed common issue');
    expect(issue).toMatchObject({ status: 'proposed', unit: { code: BEISHAN, name: '北山社区居委会' }, category: 'benefit_problem', categoryName: '待遇发放问题' });
    expect([...issue.reportIds].sort()).toEqual([...ids].sort());
    // The town sees its villages' issues; a sibling town sees nothing of them.
    expect((await get(`/v1/units/${UNITS.jingyuan}/common-issues?status=proposed`, town)).json().items.map((i: { issueId: string }) => i.issueId)).toContain(issue.issueId);
    expect((await get(`/v1/units/${UNITS.jingyuan}/common-issues`, siblingTown)).statusCode).toBe(403);
    // The shapes the Party-day agenda reads: the issue document, and open reports in `cases`.
    const doc = await ctx.mongo.db.collection(COLLECTIONS.commonIssues).findOne({ _id: issue.issueId as never });
    expect(Object.keys(doc!).sort()).toEqual(['_id', 'category', 'createdAt', 'month', 'reportIds', 'status', 'title', 'unitCode']);
    expect(await ctx.mongo.db.collection(COLLECTIONS.cases).countDocuments({ kind: 'report', status: 'open', unitCode: BEISHAN })).toBe(3);

    expect((await post(`/v1/reports/${ids[0]}/common-issue`, grid, {})).statusCode).toBe(403);
    const marked = await post(`/v1/reports/${ids[0]}/common-issue`, beishanStaff, { title: '临时救助金发放延迟' });
    expect(marked.statusCode).toBe(200);
    expect(marked.json().commonIssue).toMatchObject({ issueId: issue.issueId, status: 'confirmed' });
    const after = (await get(`/v1/units/${BEISHAN}/common-issues`, beishanStaff)).json().items;
    expect(after).toEqual([expect.objectContaining({ issueId: issue.issueId, status: 'confirmed', title: '临时救助金发放延迟', reportIds: expect.arrayContaining(ids) })]);
    expect((await get(`/v1/reports/${ids[1]}`, beishanStaff)).json().commonIssues).toEqual([expect.objectContaining({ issueId: issue.issueId, status: 'confirmed' })]);
    expect((await post(`/v1/reports/${ids[0]}/common-issue`, beishanStaff, {})).statusCode).toBe(409);
  });
});

describe('no personal data in any public response', () => {
  it('households’ names, ID numbers, phones, addresses and reporters’ contacts appear in no public body', async () => {
    // Personal data the system holds about this village: registered households…
    const households = [];
    for (const seq of [901, 902]) {
      const id = await registerHousehold(ctx, village, seq);
      households.push({ id, headName: `张${seq}`, idNumber: idNumber(seq), address: `威海市环翠区海港路${seq}号`, phone: '13800000000' });
    }
    await post('/v1/alerts', village, { householdId: households[0]!.id, level: 'red', reasons: ['重病住院'] });
    // …and reports whose contacts name people, phones and an ID number, one answered by a named assistant.
    const contacts = ['王大妈 13766665555', `赵六 身份证${idNumber(903)}`];
    const receipts: string[] = [];
    const bodies: string[] = [];
    for (const [i, contact] of contacts.entries()) {
      const res = await report({ unitCode: UNITS.haigang, category: 'missed_household', text: `${households[0]!.headName}家老人生病无人照看（第${i + 1}次反映）`, contact });
      expect(res.statusCode).toBe(201);
      bodies.push(res.body);
      receipts.push(res.json().receipt);
    }
    const firstId = JSON.parse(bodies[0]!).reportId as string;
    // The data is really held and visible to the town: the scan below looks for something that exists.
    expect((await get(`/v1/reports/${firstId}`, town)).json().contact).toBe(contacts[0]);
    expect((await get(`/v1/households/${households[0]!.id}`, town)).json().headIdNumber).toBe(households[0]!.idNumber);
    await post(`/v1/reports/${firstId}/answer`, village, { answer: '已安排网格员上门查看', answeredBy: { name: '周明亮', role: 'staff' } });

    const responses = [
      await publicGet(`/v1/public/units/${UNITS.haigang}`),
      await publicGet(`/v1/public/units/${UNITS.haigang}/qr.svg`),
      ...(await Promise.all(receipts.map((r) => publicGet(`/v1/public/reports/${r}`)))),
      await publicGet('/v1/public/reports/ABCDEFGHJKMN'),
      await report({ unitCode: '371002001099', category: 'other', text: contacts[0]!, contact: contacts[1] }),
    ];
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 404, 404]);
    const scanned = [...responses.map((r) => r.body), ...bodies];
    const secrets = [
      ...households.flatMap((h) => [h.headName, h.idNumber, h.phone, h.address, h.id]),
      '王大妈',
      '13766665555',
      '赵六',
      idNumber(903),
      '周明亮',
    ];
    for (const body of scanned) {
      for (const secret of secrets) expect(body, `a public body contains ${secret}`).not.toContain(secret);
      expect(body).not.toMatch(/(?<![\w.])\d{17}[\dXx](?!\w)/); // an ID number
      expect(body).not.toMatch(/(?<![\w.])1[3-9]\d{9}(?!\w)/); // a mobile number
    }
    // The receipt views say who answered by role only.
    expect(responses[2]!.json().answer).toMatchObject({ answeredByRole: 'staff' });
    expect(Object.keys(responses[2]!.json().answer).sort()).toEqual(['answeredAt', 'answeredByRole', 'answeredByRoleName', 'channel', 'text']);
  });
});

describe('personal data typed in full-width digits (issue 11 item 3)', () => {
  it('a full-width phone in a public title is refused like an ASCII one, and never reaches the public wishing tree', async () => {
    const hh = await registerHousehold(ctx, village, 932);
    const posted = await post('/v1/wishes', village, { householdId: hh, title: '想要一台轮椅', description: '腿脚不便', category: 'material', postedBy: 'household' });
    expect(posted.statusCode, posted.body).toBe(201);
    const id = posted.json().caseId as string;
    for (const publicTitle of ['电话13800000002', '电话１３８０００００００２', '电话１３８　００００　０００２', '电话①③⑧-0000-0002']) {
      const refused = await post(`/v1/wishes/${id}/screening`, town, { decision: 'approve', publicTitle });
      expect(refused.statusCode, `${publicTitle}: ${refused.body}`).toBe(422);
      expect(refused.json().error.details[0]).toMatchObject({ path: 'body.publicTitle', code: 'personal_data' });
    }
    const approved = await post(`/v1/wishes/${id}/screening`, town, { decision: 'approve', publicTitle: '想要一台轮椅' });
    expect(approved.statusCode, approved.body).toBe(200);
    const tree = await eventually(async () => {
      const res = await ctx.app.inject({ method: 'GET', url: `/v1/public/wishes?unit=${UNITS.haigang}`, remoteAddress: freshIp() });
      return (res.json().items as Array<{ id: string }>).some((w) => w.id === id) && res;
    }, 'the wish on the public tree');
    expect((tree.json().items as Array<{ id: string; title: string }>).find((w) => w.id === id)!.title).toBe('想要一台轮椅');
    expect(tree.body).not.toMatch(/[１①][３③][８⑧]/);
  });

  it('a report answer with a full-width phone and ID number shows them masked on the public receipt page', async () => {
    const { reportId, receipt } = (await report({ unitCode: UNITS.haigang, category: 'other', text: '咨询' })).json();
    const answer = '请联系13800001111或电话１３９００００１１１１，身份证３７１００２１９８００１０１００１０';
    expect((await post(`/v1/reports/${reportId}/answer`, village, { answer, answeredBy: { name: '孙丽', role: 'staff' } })).statusCode).toBe(200);
    const shown = await ctx.app.inject({ method: 'GET', url: `/v1/public/reports/${receipt}`, remoteAddress: freshIp() });
    expect(shown.statusCode).toBe(200);
    expect(shown.json().answer.text).toBe('请联系138****1111或电话139****1111，身份证3710**********0010');
  });
});

describe('configuration and API surface', () => {
  it('PUBLIC_BASE_URL: defaults to http://HOST:PORT, loses a trailing slash, must be http(s)', () => {
    const base = { NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(32), LOG_LEVEL: 'silent' };
    expect(loadConfig({ ...base, HOST: '10.0.0.5', PORT: '8080' }).publicBaseUrl).toBe('http://10.0.0.5:8080');
    expect(loadConfig({ ...base, PUBLIC_BASE_URL: 'https://jiuzhu.weihai.example.cn/' }).publicBaseUrl).toBe('https://jiuzhu.weihai.example.cn');
    expect(() => loadConfig({ ...base, PUBLIC_BASE_URL: 'ftp://jiuzhu.example.cn' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, PUBLIC_BASE_URL: 'ftp://jiuzhu.example.cn' })).toThrow(/^PUBLIC_BASE_URL: /);
  });

  it('the OpenAPI document lists the public routes without security and the staff routes with it', async () => {
    const doc = (await publicGet('/openapi.json')).json();
    expect(doc.paths['/v1/public/reports'].post.security).toEqual([]);
    expect(doc.paths['/v1/public/units/{code}'].get.security).toEqual([]);
    expect(doc.paths['/v1/public/reports/{receipt}'].get.security).toEqual([]);
    expect(doc.paths['/v1/reports/{id}/answer'].post.security).toBeUndefined();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/reports/{id}', '/v1/reports/{id}/acknowledgement', '/v1/reports/{id}/common-issue', '/v1/units/{code}/profile', '/v1/units/{code}/common-issues']));
    // Staff routes need a token.
    expect((await publicGet(`/v1/units/${UNITS.haigang}/common-issues`)).statusCode).toBe(401);
  });
});
