import { describe, expect, it } from 'vitest';
import { RuleViolation, type Actor } from '../../domain/case';
import { advanceDiscovery, checkDecide, decideDiscovery, discoveryView, discoveryWakeAt, reportDiscovery, zDecideBody, zDiscoveryReportBody, type ReportDiscoveryArgs } from '../../domain/discovery';
import type { UnitRef } from '../../domain/org';
import { resolvePolicy } from '../../domain/policy';
import { noticeMessageFor, outboundNoticeText } from '../../domain/privacy';

/** The active-discovery rules (domain/discovery.ts), pure, with any clock. */

const H = 3_600_000;
const D = 24 * H;
const VILLAGE: UnitRef = { code: '371002001001', name: '海港社区居委会', level: 'village' };
const TOWN: UnitRef = { code: '371002001', name: '鲸园街道', level: 'town' };
const DISTRICT: UnitRef = { code: '371002', name: '环翠区', level: 'district' };
const CITY: UnitRef = { code: '371000', name: '威海市', level: 'city' };
const REPORTER: Actor = { userId: 'member.zhang', role: 'party_member', unitCode: VILLAGE.code };
const TOWN_STAFF: Actor = { userId: 'town.zhao', role: 'town_staff', unitCode: TOWN.code };
const T0 = Date.parse('2026-03-02T01:00:00Z');

const args = (o: Partial<ReportDiscoveryArgs> = {}): ReportDiscoveryArgs => ({
  discoveryId: 'discovery-0123456789abcdef',
  reporter: REPORTER,
  reporterUnit: VILLAGE,
  householdId: 'hh-0123456789ab',
  focusGroup: 'accident',
  situation: '车祸致残',
  urgency: 'normal',
  patrolId: null,
  village: VILLAGE,
  town: TOWN,
  ladder: [TOWN, DISTRICT, CITY],
  orgPath: [CITY.code, DISTRICT.code, TOWN.code, VILLAGE.code],
  policy: resolvePolicy(undefined, 'default').discovery,
  ...o,
});

describe('reporting', () => {
  it('opens the assessment due 3 days (normal) or 24 hours (urgent) after the report and tells the town at once', () => {
    const normal = reportDiscovery(args(), T0);
    // The town's deadline: filed one rung above the village (two above a grid) for the figures.
    expect(normal.state.deadlines).toEqual([expect.objectContaining({ kind: 'discovery.assess', dueAt: T0 + 3 * D, ownerRung: 1 })]);
    const grid = [CITY.code, DISTRICT.code, TOWN.code, VILLAGE.code, `${VILLAGE.code}-G01`];
    expect(reportDiscovery(args({ orgPath: grid }), T0).state.deadlines[0]!.ownerRung).toBe(2);
    expect(normal.notices).toEqual([expect.objectContaining({ unit: TOWN, kind: 'discovery_reported' })]);
    const urgent = reportDiscovery(args({ urgency: 'urgent' }), T0);
    expect(urgent.state.deadlines[0]!.dueAt).toBe(T0 + 24 * H);
    expect(urgent.notices[0]!.message).toContain('紧急');
  });

  it('refuses a ladder that does not start at the town', () => {
    expect(() => reportDiscovery(args({ ladder: [VILLAGE, TOWN] }), T0)).toThrow(RuleViolation);
  });

  it('climbs from the town: the district at due, the city a day later', () => {
    const { state } = reportDiscovery(args(), T0);
    advanceDiscovery(state, T0 + 3 * D);
    expect(state.escalations.map((e) => e.to.code)).toEqual([DISTRICT.code]);
    expect(discoveryWakeAt(state)).toBe(T0 + 4 * D);
    advanceDiscovery(state, T0 + 4 * D);
    expect(state.escalations.map((e) => e.to.code)).toEqual([DISTRICT.code, CITY.code]);
  });
});

describe('the decision', () => {
  it('closes, tells the reporter by login, and carries the award claim unless no action', () => {
    const { state } = reportDiscovery(args(), T0);
    const out = decideDiscovery(state, { outcome: 'referral', referredTo: '区残联' }, TOWN_STAFF, T0 + H);
    expect(state.status).toBe('closed');
    expect(out.notices).toEqual([expect.objectContaining({ unit: VILLAGE, userId: REPORTER.userId, kind: 'decided' })]);
    expect(out.events[0]!.data).toMatchObject({ awards: [{ userId: REPORTER.userId, rule: 'discovery_confirmed', key: 'discovery-0123456789abcdef:confirmed' }] });
    const other = reportDiscovery(args(), T0).state;
    expect(decideDiscovery(other, { outcome: 'no_action', reason: '无' }, TOWN_STAFF, T0 + H).events[0]!.data).not.toHaveProperty('awards');
  });

  it('names the alert’s level in Chinese in the reporter’s notice, and its discovery id survives the masking below the town', () => {
    const { state } = reportDiscovery(args({ urgency: 'urgent' }), T0);
    const out = decideDiscovery(state, { outcome: 'alert', level: 'red', opening: { workflowId: 'alert-hh-0123456789ab', start: {} } }, TOWN_STAFF, T0 + H, { caseId: 'alert-hh-0123456789ab', kind: 'alert', created: true });
    const message = out.notices[0]!.message;
    expect(message).toContain('启动预警（红色）');
    expect(message).not.toContain('red');
    expect(noticeMessageFor('party_member', message)).toContain('discovery-0123456789abcdef');
    expect(outboundNoticeText(message)).toContain('discovery-0123456789abcdef');
  });

  it('records a failed opening without deciding, and links the opened case when it succeeds', () => {
    const { state } = reportDiscovery(args({ urgency: 'urgent' }), T0);
    const opening = { workflowId: 'alert-hh-0123456789ab', start: {} };
    decideDiscovery(state, { outcome: 'alert', level: 'red', opening }, TOWN_STAFF, T0 + H, { failed: 'down' });
    expect(state).toMatchObject({ status: 'open', openFailures: 1 });
    decideDiscovery(state, { outcome: 'application', labourCapacity: 'labour_capacity', opening }, TOWN_STAFF, T0 + 2 * H, { caseId: 'application-x', kind: 'application', created: true });
    expect(discoveryView(state, T0 + 2 * H)).toMatchObject({ status: 'closed', outcomeCaseId: 'application-x', decision: { outcome: 'application', category: 'temporary_hardship', householdId: 'hh-0123456789ab' } });
  });

  it('needs a registered household for an alert or application, a category for a normal report, and refuses a second decision', () => {
    const fresh = reportDiscovery(args({ householdId: null }), T0).state;
    const opening = { workflowId: 'x', start: {} };
    expect(() => checkDecide(fresh, { outcome: 'alert', level: 'red', opening })).toThrow(/^householdId/);
    expect(() => checkDecide(fresh, { outcome: 'application', labourCapacity: 'labour_capacity', householdId: 'hh-1', opening })).toThrow(/^category/);
    expect(() => checkDecide(fresh, { outcome: 'alert', level: 'red', householdId: 'hh-1' })).toThrow(/^opening/);
    decideDiscovery(fresh, { outcome: 'no_action', reason: '无' }, TOWN_STAFF, T0);
    expect(() => checkDecide(fresh, { outcome: 'no_action', reason: '再' })).toThrow(/already decided/);
  });
});

describe('the API’s bodies', () => {
  it('takes a registered household or a new one with its village, never both', () => {
    const base = { key: 'k1', focusGroup: 'other', situation: '困难', urgency: 'normal' };
    expect(zDiscoveryReportBody.safeParse({ ...base, householdId: 'hh-1' }).success).toBe(true);
    expect(zDiscoveryReportBody.safeParse({ ...base, newHousehold: { name: '李四', address: '海港路1号' }, villageCode: VILLAGE.code }).success).toBe(true);
    expect(zDiscoveryReportBody.safeParse({ ...base, newHousehold: { name: '李四', address: '海港路1号' } }).error?.issues[0]?.path).toEqual(['villageCode']);
    expect(zDiscoveryReportBody.safeParse({ ...base, householdId: 'hh-1', newHousehold: { name: '李四', address: '海港路1号' }, villageCode: VILLAGE.code }).success).toBe(false);
    expect(zDiscoveryReportBody.safeParse(base).success).toBe(false);
  });

  it('the decision body never takes an opening (the API builds it)', () => {
    expect(zDecideBody.safeParse({ outcome: 'alert', level: 'red', opening: { workflowId: 'x', start: {} } }).success).toBe(false);
  });
});
