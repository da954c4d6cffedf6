import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../domain/china-time';
import type { CaseProjection, DeadlineRecord } from '../../domain/projection';
import { projectCaseInto } from '../../store/projection';
import { authz, createTestContext, UNITS, type TestContext } from '../helpers/context';

// The yearly assessment (考核) and the monthly progress report (定期调度) of a seeded dataset, against the real
// API and read model (FerretDB): every deadline is written through the projection's own path
// (store/projection.ts projectCaseInto), and the expected figures below are counted by hand from the list.

const NAMES: Record<string, string> = {
  '371000': '威海市',
  '371002': '环翠区',
  '371002001': '鲸园街道',
  '371002001001': '海港社区居委会',
  '371002001002': '戚谷疃社区居委会',
  '371002001003': '北山社区居委会',
  '371002002': '环翠楼街道',
  '371002002001': '古寨社区居委会',
  '371003': '文登区',
};
const pathOf = (code: string): string[] => {
  const out: string[] = [];
  for (let p: string | null = code; p; p = p.length > 6 ? p.slice(0, p.length - 3) : p === '371000' ? null : '371000') out.unshift(p);
  return out;
};
const HAIGANG = '371002001001';
const QIGU = '371002001002';
const GUZHAI = '371002002001';
const JINGYUAN = UNITS.jingyuan;
const HUANCUILOU = UNITS.huancuilou;

const t = (iso: string) => Date.parse(iso);
type D = { key: string; kind: string; dueAt: string; metAt?: string; endedAt?: string; outcome: DeadlineRecord['outcome']; escalations?: number };

/** One case written as its first projection with the given deadline records. */
async function seed(ctx: TestContext, caseId: string, kind: string, unit: string, deadlines: D[]): Promise<void> {
  const orgPath = pathOf(unit);
  const p = {
    caseId,
    kind,
    workflowId: caseId,
    firstRunId: 'run-1',
    version: 1,
    view: { caseId, kind, status: 'closed', householdId: null, level: null, unit: { code: unit, name: NAMES[unit] }, orgPath, dueAt: null, overdue: false, atRisk: false, rung: 0, escalatedTo: null, due: null },
    events: [],
    notices: [],
    deadlines: deadlines.map((d) => ({ key: d.key, kind: d.kind, label: `期限 ${d.kind}`, dueAt: t(d.dueAt), metAt: d.metAt ? t(d.metAt) : null, endedAt: d.endedAt ? t(d.endedAt) : null, outcome: d.outcome, escalations: d.escalations ?? 0 })),
    previous: null,
  } as unknown as CaseProjection;
  await projectCaseInto(ctx.mongo.db, p);
}

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext('assessment');
  // 鲸园街道 · 海港社区
  await seed(ctx, 'alert-h1', 'alert', HAIGANG, [{ key: 'red#1', kind: 'alert.red', dueAt: '2025-03-10T02:00:00Z', metAt: '2025-03-09T20:00:00Z', outcome: 'on_time' }]);
  await seed(ctx, 'alert-h2', 'alert', HAIGANG, [{ key: 'red#1', kind: 'alert.red', dueAt: '2025-04-01T00:00:00Z', metAt: '2025-04-03T12:00:00Z', outcome: 'late', escalations: 2 }]);
  await seed(ctx, 'alert-h3', 'alert', HAIGANG, [{ key: 'orange#1', kind: 'alert.orange', dueAt: '2025-05-01T00:00:00Z', outcome: 'unhandled' }]);
  await seed(ctx, 'report-r1', 'report', HAIGANG, [
    { key: 'acknowledgement#1', kind: 'report.acknowledge', dueAt: '2025-06-08T00:00:00Z', metAt: '2025-06-07T00:00:00Z', outcome: 'on_time' },
    { key: 'answer#1', kind: 'report.answer', dueAt: '2025-06-10T00:00:00Z', metAt: '2025-06-09T00:00:00Z', outcome: 'on_time' },
  ]);
  // 鲸园街道 · 戚谷疃社区
  await seed(ctx, 'alert-h4', 'alert', QIGU, [{ key: 'yellow#1', kind: 'alert.yellow', dueAt: '2025-07-01T00:00:00Z', metAt: '2025-07-02T00:00:00Z', outcome: 'late', escalations: 1 }]);
  await seed(ctx, 'wish-w1', 'wish', QIGU, [{ key: 'fulfilment#1', kind: 'wish.fulfilment', dueAt: '2025-07-20T00:00:00Z', metAt: '2025-07-15T00:00:00Z', outcome: 'on_time' }]);
  await seed(ctx, 'alert-h5', 'alert', QIGU, [{ key: 'yellow#1', kind: 'alert.yellow', dueAt: '2025-07-05T00:00:00Z', outcome: 'not_due' }]);
  // 鲸园街道 itself: an order on the town, replied half a day late.
  await seed(ctx, 'order-o1', 'order', JINGYUAN, [{ key: 'reply#1', kind: 'order.reply', dueAt: '2025-08-01T00:00:00Z', metAt: '2025-08-01T12:00:00Z', outcome: 'late', escalations: 1 }]);
  // 环翠楼街道 · 古寨社区
  await seed(ctx, 'order-o2', 'order', GUZHAI, [{ key: 'reply#1', kind: 'order.reply', dueAt: '2025-09-01T00:00:00Z', metAt: '2025-08-30T00:00:00Z', outcome: 'on_time' }]);
  await seed(ctx, 'report-r2', 'report', GUZHAI, [{ key: 'answer#1', kind: 'report.answer', dueAt: '2025-10-01T00:00:00Z', outcome: 'pending', escalations: 3 }]);
  // 2026-01-01 00:30 China time: next year's.
  await seed(ctx, 'alert-h6', 'alert', GUZHAI, [{ key: 'red#1', kind: 'alert.red', dueAt: '2025-12-31T16:30:00Z', metAt: '2025-12-31T10:00:00Z', outcome: 'on_time' }]);
  // 2025-01-01 00:30 China time: this year's (and January's).
  await seed(ctx, 'alert-h7', 'alert', GUZHAI, [{ key: 'red#1', kind: 'alert.red', dueAt: '2024-12-31T16:30:00Z', metAt: '2024-12-31T10:00:00Z', outcome: 'on_time' }]);
  // 文登区: another district.
  await seed(ctx, 'alert-h8', 'alert', '371003001001', [{ key: 'red#1', kind: 'alert.red', dueAt: '2025-01-15T00:00:00Z', metAt: '2025-01-16T00:00:00Z', outcome: 'late', escalations: 1 }]);
  // 文登区: a red alert ignored for three days, then lowered — ended past due, never handled (domain/deadlines.ts
  // outcomeOf gives `late`, with no metAt; the record carries when it ended).
  await seed(ctx, 'alert-h9', 'alert', '371003001001', [{ key: 'red#1', kind: 'alert.red', dueAt: '2025-06-01T00:00:00Z', endedAt: '2025-06-04T00:00:00Z', outcome: 'late', escalations: 2 }]);

  // Issue 13's kinds, in 2024 (China time) — nothing else of 环翠区 falls due that year (h7 is 2025-01-01 00:30
  // China time), so the 2025 counts above stand. 鲸园街道 · 海港社区: two discoveries assessed (on time; 1.5 days
  // late, 1 rung), two patrols (recorded on time; never recorded, 3 rungs).
  await seed(ctx, 'discovery-d1', 'discovery', HAIGANG, [{ key: 'assess#1', kind: 'discovery.assess', dueAt: '2024-03-04T00:00:00Z', metAt: '2024-03-03T00:00:00Z', outcome: 'on_time' }]);
  await seed(ctx, 'discovery-d2', 'discovery', HAIGANG, [{ key: 'assess#1', kind: 'discovery.assess', dueAt: '2024-03-10T00:00:00Z', metAt: '2024-03-11T12:00:00Z', outcome: 'late', escalations: 1 }]);
  await seed(ctx, 'patrol-p1', 'patrol', HAIGANG, [{ key: 'record#1', kind: 'patrol.record', dueAt: '2024-04-08T00:00:00Z', metAt: '2024-04-07T00:00:00Z', outcome: 'on_time' }]);
  await seed(ctx, 'patrol-p2', 'patrol', HAIGANG, [{ key: 'record#1', kind: 'patrol.record', dueAt: '2024-04-15T00:00:00Z', outcome: 'pending', escalations: 3 }]);
  // 鲸园街道 · 戚谷疃社区: a household paired on time, contacted once on time, then two days late (1 rung).
  await seed(ctx, 'pairing-a1', 'pairing', QIGU, [
    { key: 'assign#1', kind: 'pairing.assign', dueAt: '2024-05-08T00:00:00Z', metAt: '2024-05-06T00:00:00Z', outcome: 'on_time' },
    { key: 'contact#1', kind: 'pairing.contact', dueAt: '2024-06-07T00:00:00Z', metAt: '2024-06-01T00:00:00Z', outcome: 'on_time' },
    { key: 'contact#2', kind: 'pairing.contact', dueAt: '2024-07-07T00:00:00Z', metAt: '2024-07-09T00:00:00Z', outcome: 'late', escalations: 1 },
  ]);
  // 环翠楼街道 · 古寨社区: a discovery assessed and a patrol recorded, both on time.
  await seed(ctx, 'discovery-d3', 'discovery', GUZHAI, [{ key: 'assess#1', kind: 'discovery.assess', dueAt: '2024-08-01T00:00:00Z', metAt: '2024-07-31T00:00:00Z', outcome: 'on_time' }]);
  await seed(ctx, 'patrol-p3', 'patrol', GUZHAI, [{ key: 'record#1', kind: 'patrol.record', dueAt: '2024-09-02T00:00:00Z', metAt: '2024-09-01T00:00:00Z', outcome: 'on_time' }]);
});
afterAll(async () => ctx?.close());

async function get(path: string, role: Parameters<TestContext['token']>[0], org: string, headers: Record<string, string> = {}) {
  return ctx.app.inject({ method: 'GET', url: path, headers: { ...authz(await ctx.token(role, org)), ...headers } });
}

type Figures = {
  deadlines: { due: number; onTime: number; late: number; overdueOpen: number; unhandled: number; pending: number; onTimeRate: number | null };
  byKind: Record<string, { due: number; onTime: number; late: number; overdueOpen: number; unhandled: number; onTimeRate: number | null }>;
  overdue: { count: number; days: number; maxDays: number };
  escalations: { total: number; deadlines: number; byRung: number[] };
  orders: { count: number; replies: { due: number; onTime: number; late: number; onTimeRate: number | null } };
  unhandled: number;
  reports: { due: number; onTime: number; overdueOpen: number; onTimeRate: number | null };
  wishes: { fulfilled: number; fulfilledOnTime: number };
  discoveries: Counts;
  pairing: { assignments: Counts; contacts: Counts };
  patrols: Counts;
  score: number | null;
};
type Counts = { due: number; onTime: number; late: number; overdueOpen: number; overdueClosed: number; unhandled: number; pending: number; onTimeRate: number | null };
const NONE: Counts = { due: 0, onTime: 0, late: 0, overdueOpen: 0, overdueClosed: 0, unhandled: 0, pending: 0, onTimeRate: null };
type Report = { org: { code: string; name: string }; period: { from: string; to: string }; total: Figures; units: { code: string; name: string; figures: Figures }[] };

describe('the yearly assessment of a district, counted by hand', () => {
  it('row by row: 鲸园街道, 环翠楼街道 and the total', async () => {
    const res = await get('/v1/assessments/2025?org=371002', 'district_staff', '371002');
    expect(res.statusCode).toBe(200);
    const r = res.json<Report>();
    expect(r.org).toEqual({ code: '371002', name: '环翠区' });
    expect(r.period).toEqual({ kind: 'year', label: '2025', from: '2024-12-31T16:00:00.000Z', to: '2025-12-31T16:00:00.000Z' });
    expect(r.units.map((u) => u.name)).toEqual(['鲸园街道', '环翠楼街道', '竹岛街道']);
    const [jy, hcl, zd] = r.units.map((u) => u.figures) as [Figures, Figures, Figures];
    // 竹岛街道: nothing at all — a row of zeros and no score, not a 0 that looks like a failing unit.
    expect(zd.deadlines).toEqual({ due: 0, onTime: 0, late: 0, overdueOpen: 0, overdueClosed: 0, unhandled: 0, pending: 0, onTimeRate: null });
    expect(zd.score).toBeNull();

    // 鲸园街道: h1 on time, h2 late 2.5 d (2 rungs), h3 closed without handling, r1 two on time, h4 late 1 d
    // (1 rung), w1 fulfilled on time, h5 superseded (not counted), o1 (on the town) replied 0.5 d late (1 rung).
    expect(jy.deadlines).toEqual({ due: 8, onTime: 4, late: 3, overdueOpen: 0, overdueClosed: 0, unhandled: 1, pending: 0, onTimeRate: 0.5 });
    expect(jy.byKind).toEqual({
      'alert.orange': { due: 1, onTime: 0, late: 0, overdueOpen: 0, overdueClosed: 0, unhandled: 1, pending: 0, onTimeRate: 0 },
      'alert.red': { due: 2, onTime: 1, late: 1, overdueOpen: 0, overdueClosed: 0, unhandled: 0, pending: 0, onTimeRate: 0.5 },
      'alert.yellow': { due: 1, onTime: 0, late: 1, overdueOpen: 0, overdueClosed: 0, unhandled: 0, pending: 0, onTimeRate: 0 },
      'order.reply': { due: 1, onTime: 0, late: 1, overdueOpen: 0, overdueClosed: 0, unhandled: 0, pending: 0, onTimeRate: 0 },
      'report.acknowledge': { due: 1, onTime: 1, late: 0, overdueOpen: 0, overdueClosed: 0, unhandled: 0, pending: 0, onTimeRate: 1 },
      'report.answer': { due: 1, onTime: 1, late: 0, overdueOpen: 0, overdueClosed: 0, unhandled: 0, pending: 0, onTimeRate: 1 },
      'wish.fulfilment': { due: 1, onTime: 1, late: 0, overdueOpen: 0, overdueClosed: 0, unhandled: 0, pending: 0, onTimeRate: 1 },
    });
    expect(jy.overdue).toEqual({ count: 3, days: 4, maxDays: 2.5 });
    expect(jy.escalations).toEqual({ total: 4, deadlines: 3, byRung: [3, 1, 0] });
    expect(jy.orders).toEqual({ count: 1, replies: { due: 1, onTime: 0, late: 1, overdueOpen: 0, overdueClosed: 0, unhandled: 0, pending: 0, onTimeRate: 0 } });
    expect(jy.unhandled).toBe(1);
    expect(jy.reports).toMatchObject({ due: 1, onTime: 1, onTimeRate: 1 });
    expect(jy.wishes).toEqual({ fulfilled: 1, fulfilledOnTime: 1 });
    // No discovery, pairing or patrol fell due in 2025: zeros without a rate, not a 0 % that looks like failing.
    expect(jy.discoveries).toEqual(NONE);
    expect(jy.pairing).toEqual({ assignments: NONE, contacts: NONE });
    expect(jy.patrols).toEqual(NONE);
    // 40×0.5 + 15×0.5 + 15×0 + 10×1 + 10×(1−1/8) + 10×(1−3/8) = 52.5
    expect(jy.score).toBe(52.5);

    // 环翠楼街道: o2 replied on time, r2 still unanswered since 2025-10-01 (3 rungs), h7 on time (2025-01-01
    // 00:30 China time); h6 falls due in 2026 China time and is not counted.
    expect(hcl.deadlines).toEqual({ due: 3, onTime: 2, late: 0, overdueOpen: 1, overdueClosed: 0, unhandled: 0, pending: 0, onTimeRate: 2 / 3 });
    expect(Object.keys(hcl.byKind)).toEqual(['alert.red', 'order.reply', 'report.answer']);
    expect(hcl.byKind['alert.red']).toMatchObject({ due: 1, onTime: 1 });
    const openDays = (Date.now() - t('2025-10-01T00:00:00Z')) / DAY_MS;
    expect(hcl.overdue.count).toBe(1);
    expect(Math.abs(hcl.overdue.days - openDays)).toBeLessThan(0.2);
    expect(hcl.overdue.maxDays).toBe(hcl.overdue.days);
    expect(hcl.escalations).toEqual({ total: 3, deadlines: 1, byRung: [1, 1, 1] });
    expect(hcl.orders).toMatchObject({ count: 1, replies: { due: 1, onTime: 1, onTimeRate: 1 } });
    expect(hcl.unhandled).toBe(0);
    expect(hcl.reports).toMatchObject({ due: 1, onTime: 0, overdueOpen: 1, onTimeRate: 0 });
    expect(hcl.wishes).toEqual({ fulfilled: 0, fulfilledOnTime: 0 });
    // 40×2/3 + 15×1 + 15×1 + 10×0 + 10×1 + 10×(1−1/3) = 73.33…
    expect(hcl.score).toBe(73.3);

    // The district: both towns (o1 on 鲸园街道 itself included).
    expect(r.total.deadlines).toEqual({ due: 11, onTime: 6, late: 3, overdueOpen: 1, overdueClosed: 0, unhandled: 1, pending: 0, onTimeRate: 6 / 11 });
    expect(r.total.escalations).toEqual({ total: 7, deadlines: 4, byRung: [4, 2, 1] });
    expect(r.total.orders).toMatchObject({ count: 2, replies: { due: 2, onTime: 1, late: 1, onTimeRate: 0.5 } });
    // 40×6/11 + 15×2/3 + 15×0.5 + 10×0.5 + 10×(1−1/11) + 10×(1−4/11) = 59.77…
    expect(r.total.score).toBe(59.8);
  });

  it('a town reads its own villages: 海港, 戚谷疃 and 北山 (nothing due, no score)', async () => {
    const res = await get(`/v1/assessments/2025?org=${JINGYUAN}`, 'town_supervisor', JINGYUAN);
    expect(res.statusCode).toBe(200);
    const r = res.json<Report>();
    expect(r.units.map((u) => [u.name, u.figures.deadlines.due, u.figures.deadlines.onTime, u.figures.deadlines.late, u.figures.deadlines.unhandled, u.figures.score])).toEqual([
      // 海港: (40×0.6 + 15×0.5 + 10×1 + 10×(1−1/5) + 10×(1−1/5)) ÷ 85 (no orders) = 57.5 ÷ 85 → 67.6
      ['海港社区居委会', 5, 3, 1, 1, 67.6],
      // 戚谷疃: (40×0.5 + 10×1 + 10×(1−1/2)) ÷ 60 (no red alert, order or report) = 35 ÷ 60 → 58.3
      ['戚谷疃社区居委会', 2, 1, 1, 0, 58.3],
      ['北山社区居委会', 0, 0, 0, 0, null],
    ]);
    expect(r.total.deadlines.due).toBe(8);
  });

  it('a town cannot read another town’s assessment, a village none, another district not this one', async () => {
    expect((await get(`/v1/assessments/2025?org=${JINGYUAN}`, 'town_staff', HUANCUILOU)).statusCode).toBe(403);
    expect((await get(`/v1/assessments/2025/cases?org=${JINGYUAN}&figure=late`, 'town_staff', HUANCUILOU)).statusCode).toBe(403);
    expect((await get(`/v1/progress/2025-04?org=${JINGYUAN}`, 'town_staff', HUANCUILOU)).statusCode).toBe(403);
    expect((await get(`/v1/assessments/2025?org=${HAIGANG}`, 'village_staff', HAIGANG)).statusCode).toBe(403);
    expect((await get('/v1/assessments/2025?org=371002', 'district_staff', '371003')).statusCode).toBe(403);
    expect((await get('/v1/assessments/2025?org=371002', 'city_monitor', '371000')).statusCode).toBe(200);
  });

  it('bad input is a 400 naming the field', async () => {
    const bad = async (url: string, field: string) => {
      const res = await get(url, 'district_staff', '371002');
      expect(res.statusCode, url).toBe(400);
      expect(JSON.stringify(res.json()), url).toContain(field);
    };
    await bad('/v1/assessments/20x5?org=371002', 'params.year');
    await bad('/v1/assessments/1800?org=371002', 'params.year');
    await bad('/v1/progress/2025-13?org=371002', 'params.month');
    await bad('/v1/assessments/2025?org=371002&format=docx', 'querystring.format');
    await bad('/v1/assessments/2025/cases?org=371002&figure=nonsense', 'querystring.figure');
    await bad('/v1/assessments/2025/cases?org=371002&figure=late&unit=371003', 'querystring.unit');
    await bad('/v1/assessments/2025/cases?org=371002&figure=late&kind=Alert', 'querystring.kind');
  });
});

describe('discoveries, pairing and patrols (issue 13), counted by hand from their deadlines: 环翠区 in 2024', () => {
  it('row by row, in total, in the drill-down and the XLSX', async () => {
    const res = await get('/v1/assessments/2024?org=371002', 'district_staff', '371002');
    expect(res.statusCode).toBe(200);
    const r = res.json<Report>();
    const [jy, hcl, zd] = r.units.map((u) => u.figures) as [Figures, Figures, Figures];
    // 鲸园街道: d1 on time, d2 late; p1 on time, p2 open and overdue; a1 paired on time, contacted on time, then late.
    expect(jy.discoveries).toEqual({ ...NONE, due: 2, onTime: 1, late: 1, onTimeRate: 0.5 });
    expect(jy.patrols).toEqual({ ...NONE, due: 2, onTime: 1, overdueOpen: 1, onTimeRate: 0.5 });
    expect(jy.pairing).toEqual({ assignments: { ...NONE, due: 1, onTime: 1, onTimeRate: 1 }, contacts: { ...NONE, due: 2, onTime: 1, late: 1, onTimeRate: 0.5 } });
    // They are deadlines like any other: in the all-kinds figures and the score too.
    expect(jy.deadlines).toEqual({ ...NONE, due: 7, onTime: 4, late: 2, overdueOpen: 1, onTimeRate: 4 / 7 });
    expect(jy.escalations).toEqual({ total: 5, deadlines: 3, byRung: [3, 1, 1] });
    // 40×4/7 + 10×1 + 10×(1−3/7), over 60 (no red alert, order or report) = 64.28…
    expect(jy.score).toBe(64.3);
    // 环翠楼街道: d3 and p3 on time, no pairing.
    expect(hcl.discoveries).toEqual({ ...NONE, due: 1, onTime: 1, onTimeRate: 1 });
    expect(hcl.patrols).toEqual({ ...NONE, due: 1, onTime: 1, onTimeRate: 1 });
    expect(hcl.pairing).toEqual({ assignments: NONE, contacts: NONE });
    expect(zd.discoveries).toEqual(NONE);
    expect(r.total.discoveries).toEqual({ ...NONE, due: 3, onTime: 2, late: 1, onTimeRate: 2 / 3 });
    expect(r.total.patrols).toEqual({ ...NONE, due: 3, onTime: 2, overdueOpen: 1, onTimeRate: 2 / 3 });
    expect(r.total.deadlines).toEqual({ ...NONE, due: 9, onTime: 6, late: 2, overdueOpen: 1, onTimeRate: 6 / 9 });

    const ids = async (query: string) => (await get(`/v1/assessments/2024/cases?${query}`, 'district_staff', '371002')).json<{ items: { caseId: string }[] }>().items.map((i) => i.caseId);
    expect(await ids('org=371002&figure=discoveries')).toEqual(['discovery-d1', 'discovery-d2', 'discovery-d3']);
    expect(await ids('org=371002&figure=discoveriesOnTime')).toEqual(['discovery-d1', 'discovery-d3']);
    expect(await ids(`org=371002&unit=${JINGYUAN}&figure=patrols`)).toEqual(['patrol-p1', 'patrol-p2']);
    expect(await ids('org=371002&figure=patrolsOnTime')).toEqual(['patrol-p1', 'patrol-p3']);
    expect(await ids('org=371002&figure=pairingContacts')).toEqual(['pairing-a1', 'pairing-a1']);
    expect(await ids('org=371002&figure=pairingContactsOnTime')).toEqual(['pairing-a1']);
    expect(await ids('org=371002&figure=pairingAssignmentsOnTime')).toEqual(['pairing-a1']);

    const xlsx = await get('/v1/assessments/2024?org=371002&format=xlsx', 'district_staff', '371002');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as never);
    const summary = wb.getWorksheet('汇总')!;
    const header = (summary.getRow(1).values as unknown[]).slice(1);
    const jyRow = (summary.getRow(2).values as unknown[]).slice(1);
    const cell = (h: string) => jyRow[header.indexOf(h)];
    expect([cell('主动发现研判到期'), cell('主动发现按时研判'), cell('帮包结对到期'), cell('帮包按时结对'), cell('帮包联系到期'), cell('帮包按时联系'), cell('巡查记录到期'), cell('巡查按时记录')]).toEqual([2, 1, 1, 1, 2, 1, 2, 1]);
  });
});

describe('the monthly progress report (定期调度)', () => {
  it('April 2025 of the district: h2 only; January 2025 of the city: per district, by China time', async () => {
    const april = (await get('/v1/progress/2025-04?org=371002', 'district_staff', '371002')).json<Report>();
    expect(april.units.map((u) => [u.name, u.figures.deadlines.due, u.figures.deadlines.late, u.figures.overdue.days])).toEqual([
      ['鲸园街道', 1, 1, 2.5],
      ['环翠楼街道', 0, 0, 0],
      ['竹岛街道', 0, 0, 0],
    ]);
    const january = (await get('/v1/progress/2025-01?org=371000', 'city_monitor', '371000')).json<Report>();
    const rows = Object.fromEntries(january.units.map((u) => [u.name, [u.figures.deadlines.due, u.figures.deadlines.onTime, u.figures.deadlines.late]]));
    expect(rows['环翠区']).toEqual([1, 1, 0]);
    expect(rows['文登区']).toEqual([1, 0, 1]);
    expect(january.total.deadlines.due).toBe(2);
  });
});

describe('drill-down to the cases behind a number', () => {
  it('each number lists its deadlines and cases, paged, by due time', async () => {
    const page1 = await get(`/v1/assessments/2025/cases?org=371002&unit=${JINGYUAN}&figure=late&limit=2`, 'district_staff', '371002');
    expect(page1.statusCode).toBe(200);
    const p1 = page1.json<{ total: number; items: { caseId: string; deadlineKind: string; lateByDays: number; unit: { name: string } }[]; nextCursor: string | null }>();
    expect(p1.total).toBe(3);
    expect(p1.items.map((i) => [i.caseId, i.deadlineKind, i.lateByDays, i.unit.name])).toEqual([
      ['alert-h2', 'alert.red', 2.5, '海港社区居委会'],
      ['alert-h4', 'alert.yellow', 1, '戚谷疃社区居委会'],
    ]);
    const p2 = (await get(`/v1/assessments/2025/cases?org=371002&unit=${JINGYUAN}&figure=late&limit=2&cursor=${p1.nextCursor}`, 'district_staff', '371002')).json<typeof p1>();
    expect(p2.items.map((i) => [i.caseId, i.unit.name])).toEqual([['order-o1', '鲸园街道']]);
    expect(p2.nextCursor).toBeNull();

    const ids = async (query: string, role: Parameters<TestContext['token']>[0] = 'district_staff', org = '371002') =>
      (await get(`/v1/assessments/2025/cases?${query}`, role, org)).json<{ items: { caseId: string }[] }>().items.map((i) => i.caseId);
    expect(await ids('org=371002&figure=unhandled')).toEqual(['alert-h3']);
    expect(await ids('org=371002&figure=orders')).toEqual(['order-o1', 'order-o2']);
    expect(await ids(`org=371002&unit=${HUANCUILOU}&figure=overdueOpen`)).toEqual(['report-r2']);
    expect(await ids('org=371002&figure=rung2')).toEqual(['alert-h2', 'report-r2']);
    expect(await ids('org=371002&figure=due&kind=alert.red')).toEqual(['alert-h7', 'alert-h1', 'alert-h2']);
    expect(await ids('org=371002&figure=wishesFulfilled')).toEqual(['wish-w1']);
    expect(await ids(`org=${JINGYUAN}&unit=${QIGU}&figure=due`, 'town_staff', JINGYUAN)).toEqual(['alert-h4', 'wish-w1']);
    const month = (await get('/v1/progress/2025-04/cases?org=371002&figure=escalated', 'district_staff', '371002')).json<{ items: { caseId: string }[] }>();
    expect(month.items.map((i) => i.caseId)).toEqual(['alert-h2']);
  });
});

describe('exports', () => {
  it('the XLSX opens with 汇总, 明细 and 说明 and the expected cells', async () => {
    const res = await get('/v1/assessments/2025?org=371002&format=xlsx', 'district_staff', '371002');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    expect(res.headers['content-disposition']).toContain('assessment-371002-2025.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as never);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['汇总', '明细', '说明']);
    const summary = wb.getWorksheet('汇总')!;
    const header = (summary.getRow(1).values as unknown[]).slice(1);
    expect(header.slice(0, 10)).toEqual(['单位代码', '单位', '得分', '到期期限', '按时办理', '逾期办理', '逾期未办', '逾期未办结束', '未经处置关闭', '按时办理率']);
    const row = (n: number) => (summary.getRow(n).values as unknown[]).slice(1);
    expect(row(2).slice(0, 10)).toEqual(['371002001', '鲸园街道', 52.5, 8, 4, 3, 0, 0, 1, 0.5]);
    expect(row(3).slice(0, 9)).toEqual(['371002002', '环翠楼街道', 73.3, 3, 2, 0, 1, 0, 0]);
    expect(row(4).slice(0, 4)).toEqual(['371002003', '竹岛街道', undefined, 0]);
    expect(row(5).slice(0, 4)).toEqual(['371002', '合计（环翠区）', 59.8, 11]);
    expect(header).toEqual(expect.arrayContaining(['主动发现研判到期', '主动发现按时研判', '帮包结对到期', '帮包联系到期', '帮包按时联系', '巡查记录到期', '巡查按时记录']));
    expect(row(2)[header.indexOf('主动发现研判到期')]).toBe(0);
    const detail = wb.getWorksheet('明细')!;
    const detailRows = detail.getSheetValues().slice(2).map((v) => (v as unknown[]).slice(1, 6));
    expect(detailRows).toContainEqual(['371002001', '鲸园街道', 'alert.red', '期限 alert.red', 2]);
    expect(detailRows).toContainEqual(['371002002', '环翠楼街道', 'report.answer', '期限 report.answer', 1]);
    const notes = wb.getWorksheet('说明')!.getSheetValues().map((v) => (Array.isArray(v) ? v.slice(1).join(' ') : ''));
    expect(notes.join('\n')).toMatch(/权重：按时办理率 40/);
    // The total counts the unit's own deadlines (a town's approvals), which no child's row holds: said on the sheet.
    expect(notes.join('\n')).toMatch(/合计与各行 合计含本单位自身的期限/);
    // Users never see issue numbers; each issue-13 figure says which deadlines it counts.
    expect(notes.join('\n')).not.toMatch(/issue/i);
    expect(notes.join('\n')).not.toContain('尚未记录');
    expect(notes.join('\n')).toContain('主动发现 镇(街道)对主动发现报告的研判期限（discovery.assess）');
  });

  it('the PDF is a PDF whose text has the Chinese unit names; Accept chooses it too', async () => {
    const res = await get('/v1/assessments/2025?org=371002', 'district_staff', '371002', { accept: 'application/pdf' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const pdf = res.rawPayload;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
    const doc = await pdfjs.getDocument({ data: new Uint8Array(pdf), useSystemFonts: false }).promise;
    let text = '';
    for (let i = 1; i <= doc.numPages; i++) text += (await (await doc.getPage(i)).getTextContent()).items.map((it) => ('str' in it ? it.str : '')).join(' ');
    expect(text).toContain('环翠区');
    expect(text).toContain('鲸园街道');
    expect(text).toContain('环翠楼街道');
    expect(text).toContain('2025年度考核');
    expect(text).toContain('52.5');
    expect(text).toContain('逾期未办结束');
    // The 说明 says what each issue-13 figure counts, labelled once, without an issue number.
    expect(text).not.toMatch(/issue/i);
    expect(text.replace(/\s+/g, '')).not.toContain('尚未记录');
    expect(text.replace(/\s+/g, '')).toContain('巡查：每一巡查周期的巡查记录期限');
    // The first type of the Accept header that the route has wins; none of them: JSON.
    const xlsx = await get('/v1/assessments/2025?org=371002', 'district_staff', '371002', { accept: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, application/pdf;q=0.5' });
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    const json = await get('/v1/assessments/2025?org=371002', 'district_staff', '371002', { accept: 'application/json, application/pdf' });
    expect(json.headers['content-type']).toContain('application/json');
    expect((await get('/v1/assessments/2025?org=371002', 'district_staff', '371002', { accept: 'text/html' })).headers['content-type']).toContain('application/json');
  });
});

describe('a deadline ended past its due time without being met (逾期未办结束)', () => {
  // 文登区 in 2025, by hand: h8 met a day late (1 escalation); h9 ignored for three days, then lowered (2).
  it('counts as due and overdue, its own standing, with its days up to when it ended — never as met late with 0 days', async () => {
    const r = (await get('/v1/assessments/2025?org=371003', 'district_staff', '371003')).json<Report>();
    expect(r.total.deadlines).toEqual({ due: 2, onTime: 0, late: 1, overdueOpen: 0, overdueClosed: 1, unhandled: 0, pending: 0, onTimeRate: 0 });
    expect(r.total.overdue).toEqual({ count: 2, days: 4, maxDays: 3 });
    expect(r.total.byKind['alert.red']).toMatchObject({ due: 2, late: 1, overdueClosed: 1 });

    const drill = async (figure: string) =>
      (await get(`/v1/assessments/2025/cases?org=371003&figure=${figure}`, 'district_staff', '371003')).json<{ total: number; items: { caseId: string; standing: string; lateByDays: number | null; endedAt: string | null; metAt: string | null }[] }>();
    const closed = await drill('overdueClosed');
    expect(closed.items).toEqual([expect.objectContaining({ caseId: 'alert-h9', standing: 'overdue_closed', lateByDays: 3, endedAt: '2025-06-04T00:00:00.000Z', metAt: null })]);
    expect((await drill('late')).items.map((i) => i.caseId)).toEqual(['alert-h8']);
    expect((await drill('overdue')).items.map((i) => [i.caseId, i.lateByDays])).toEqual([['alert-h8', 1], ['alert-h9', 3]]);

    const res = await get('/v1/assessments/2025?org=371003&format=xlsx', 'district_staff', '371003');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as never);
    const summary = wb.getWorksheet('汇总')!;
    const header = (summary.getRow(1).values as unknown[]).slice(1);
    const total = (summary.getSheetValues().slice(2) as unknown[][]).map((v) => v.slice(1)).find((v) => v[0] === '371003')!;
    expect(total[header.indexOf('逾期办理')]).toBe(1);
    expect(total[header.indexOf('逾期未办结束')]).toBe(1);
    expect(total[header.indexOf('逾期天数合计')]).toBe(4);

    // The supervisor's stats count it by the same rule: due and late (not on time), and said to have ended unmet.
    const stats = await get('/v1/stats/on-time?org=371003&from=2025-01-01T00:00:00%2B08:00&to=2026-01-01T00:00:00%2B08:00', 'district_staff', '371003');
    expect(stats.statusCode).toBe(200);
    expect(stats.json<{ total: Record<string, unknown> }>().total).toMatchObject({ due: 2, onTime: 0, late: 2, overdueOpen: 0, overdueClosed: 1, unhandled: 0, open: 0 });
  });
});
