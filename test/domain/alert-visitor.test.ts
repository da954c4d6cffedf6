import { describe, expect, it } from 'vitest';
import { alertView, assignVisitor, checkAssignVisitor, closeDirect, isVisitorCandidate, openAlert, visitorRefusal, type RuleViolation, type Actor, type VisitorUser } from '../../domain/alert';
import type { UnitRef } from '../../domain/org';
import { resolvePolicy } from '../../domain/policy';

/** An alert's assigned visitor (issue 14, domain/alert.ts `assignVisitor`): who may be named, what is recorded. */

const T0 = Date.UTC(2026, 2, 2, 8, 0, 0);
const VILLAGE: UnitRef = { code: '371002001001', name: '海港社区居委会', level: 'village' };
const TOWN: UnitRef = { code: '371002001', name: '鲸园街道', level: 'town' };
const DISTRICT: UnitRef = { code: '371002', name: '环翠区', level: 'district' };
const CITY: UnitRef = { code: '371000', name: '威海市', level: 'city' };
const STAFF: Actor = { userId: 'u1', role: 'village_staff', unitCode: VILLAGE.code };
const PATH = [CITY.code, DISTRICT.code, TOWN.code, VILLAGE.code];
const open = () => openAlert({ alertId: 'alert-hh1-1', householdId: 'hh1', level: 'orange', reasons: ['重病'], unit: VILLAGE, ladder: [VILLAGE, TOWN, DISTRICT, CITY], policy: resolvePolicy(undefined, 'default').alerts, actor: STAFF }, T0).state;

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err as RuleViolation;
  }
  throw new Error('expected a refusal');
};

describe('assignVisitor', () => {
  it('names a grid worker of a grid in the village, or a member or staff of the village itself; the view and event carry it', () => {
    const s = open();
    const out = assignVisitor(s, { userId: 'grid.b', role: 'grid_worker', unitPath: [...PATH, `${VILLAGE.code}-G02`], note: '就近走访' }, STAFF, T0 + 1000);
    expect(out.events).toEqual([{ type: 'visitor_assigned', at: T0 + 1000, actor: STAFF, data: { userId: 'grid.b', role: 'grid_worker', unitCode: `${VILLAGE.code}-G02`, note: '就近走访' } }]);
    expect(alertView(s, T0 + 1000).visitor).toEqual({ userId: 'grid.b', role: 'grid_worker', unitCode: `${VILLAGE.code}-G02`, note: '就近走访', at: new Date(T0 + 1000).toISOString(), by: STAFF });
    // A later assignment replaces it.
    assignVisitor(s, { userId: 'pm.li', role: 'party_member', unitPath: PATH }, STAFF, T0 + 2000);
    expect(alertView(s, T0 + 2000).visitor).toMatchObject({ userId: 'pm.li', unitCode: VILLAGE.code, note: null });
  });

  it('tells the visitor, at their unit, by login: the level, the household by id and what the level asks; never the note', () => {
    const s = open();
    const grid = assignVisitor(s, { userId: 'grid.b', role: 'grid_worker', unitPath: [...PATH, `${VILLAGE.code}-G02`], unitName: '第二网格', note: '王建国家就近走访' }, STAFF, T0 + 1000);
    expect(grid.notices).toEqual([{ unit: { code: `${VILLAGE.code}-G02`, name: '第二网格', level: 'grid' }, userId: 'grid.b', kind: 'visit_assigned', message: '请走访：橙色预警（hh1），橙色预警：走访慰问' }]);
    // At the village itself; a history recorded before the unit's name was sent: the code stands in.
    const village = assignVisitor(s, { userId: 'pm.li', role: 'party_member', unitPath: PATH }, STAFF, T0 + 2000);
    expect(village.notices).toEqual([expect.objectContaining({ unit: { code: VILLAGE.code, name: VILLAGE.code, level: 'village' }, userId: 'pm.li', kind: 'visit_assigned' })]);
  });

  it('refuses a unit of another village, the town above, or a path that does not run through the alert’s', () => {
    const s = open();
    for (const unitPath of [[CITY.code, DISTRICT.code, TOWN.code, '371002001002'], [CITY.code, DISTRICT.code, TOWN.code], [...PATH, 'g1', 'g2'], ['371000', '371003', TOWN.code, VILLAGE.code]]) {
      const r = refusal(() => checkAssignVisitor(s, { userId: 'x', role: 'village_staff', unitPath }));
      expect(r, unitPath.join('/')).toMatchObject({ type: 'unprocessable', reason: 'visitor_outside_village' });
    }
    expect(alertView(s, T0).visitor).toBeNull();
  });

  it('refuses on a closed alert', () => {
    const s = open();
    closeDirect(s, { reason: 'moved_away', date: '2026-03-01' }, { userId: 'sup', role: 'town_supervisor', unitCode: TOWN.code }, T0 + 1000);
    expect(refusal(() => checkAssignVisitor(s, { userId: 'x', role: 'grid_worker', unitPath: PATH }))).toMatchObject({ type: 'conflict', reason: 'case_closed' });
  });
});

describe('visitorRefusal (the named login against its user record)', () => {
  const G02 = `${VILLAGE.code}-G02`;
  const user = (over: Partial<VisitorUser> = {}): VisitorUser => ({ _id: 'grid.b', role: 'grid_worker', unitCode: G02, orgPath: [...PATH, G02], status: 'active', ...over });

  it('passes an active visitor of the village or a grid in it, with or without the role and unit typed', () => {
    expect(visitorRefusal('grid.b', user(), VILLAGE, {})).toBeNull();
    expect(visitorRefusal('grid.b', user(), VILLAGE, { role: 'grid_worker', unitCode: G02 })).toBeNull();
    expect(visitorRefusal('li', user({ _id: 'li', role: 'village_staff', unitCode: VILLAGE.code, orgPath: PATH }), VILLAGE, {})).toBeNull();
    expect(isVisitorCandidate(user(), VILLAGE)).toBe(true);
  });

  it('refuses, in order, naming the field: no user, disabled, a role that does not visit, another village, a typed role or unit not the record’s', () => {
    const cases: [VisitorUser | null, { role?: string; unitCode?: string }, string, string][] = [
      [null, {}, 'user_unknown', 'body.userId'],
      [user({ status: 'disabled' }), { role: 'party_member' }, 'user_disabled', 'body.userId'],
      [user({ role: 'town_staff', unitCode: TOWN.code, orgPath: PATH.slice(0, 3) }), {}, 'visitor_role_invalid', 'body.userId'],
      [user({ role: 'party_member', unitCode: '371002002001', orgPath: [CITY.code, DISTRICT.code, '371002002', '371002002001'] }), { unitCode: `${VILLAGE.code}-G01` }, 'visitor_outside_village', 'body.userId'],
      [user({ role: 'village_staff', unitCode: '371002001002', orgPath: [...PATH.slice(0, 3), '371002001002'] }), {}, 'visitor_outside_village', 'body.userId'],
      [user(), { role: 'party_member' }, 'visitor_role_mismatch', 'body.role'],
      [user(), { unitCode: `${VILLAGE.code}-G01` }, 'visitor_unit_mismatch', 'body.unitCode'],
    ];
    for (const [u, typed, reason, path] of cases) expect(visitorRefusal('x', u, VILLAGE, typed), reason).toMatchObject({ reason, path });
  });

  it('names no one while the alert is not at a village', () => {
    expect(isVisitorCandidate(user(), TOWN)).toBe(false);
    expect(visitorRefusal('grid.b', user(), { code: TOWN.code, level: 'town' }, {})).toMatchObject({ reason: 'visitor_outside_village' });
  });
});
