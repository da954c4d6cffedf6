import { describe, it, expect } from 'vitest';
import type { Household } from '../../domain/household';
import {
  caseDocumentShown,
  caseEventShown,
  disclosureFor,
  householdBriefShown,
  householdShown,
  knownPersonalDataOf,
  leastDisclosure,
  newHouseholdShown,
  publicTextFor,
  redactIdNumbers,
  redactKnownPersonalData,
  type HouseholdRelation,
  type Viewer,
} from '../../domain/privacy';
import { reachesAlertByNeed } from '../../domain/permissions';
import { ROLES, type Role } from '../../domain/roles';

/**
 * Privacy by need (issue 14, domain/privacy.ts `disclosureFor`): every viewer kind × every field, the
 * negatives included. The household is registered at a grid of village V1; its pairing's member is `pm.li`,
 * its open alert's visitor `visit.wang`.
 */

const CITY = '371000';
const DISTRICT = '371002';
const TOWN = '371002001';
const V1 = '371002001001';
const V2 = '371002001002';
const GRID = '371002001001001';
const OTHER_GRID = '371002001001002';
const path = (...codes: string[]) => [CITY, DISTRICT, ...codes];

const HOUSEHOLD: Household = {
  id: 'hh-0123456789ab',
  headName: '张秀兰',
  headIdNumber: '371002195001010017',
  members: [{ name: '李明', idNumber: '37100220000229001X', relation: '孙子' }],
  address: '威海市环翠区海港路12号3单元101室',
  phone: '13800001234',
  unitCode: GRID,
  villageCode: V1,
  orgPath: path(TOWN, V1, GRID),
  categories: ['minimum_subsistence'],
  createdAt: '2026-05-11T02:00:00.000Z',
  createdBy: 'grid.li',
};
const RELATION: HouseholdRelation = { villageCode: V1, unitCode: GRID, pairedUserIds: ['pm.li'], visitorUserIds: ['visit.wang'] };
/** The same household registered at the village itself (no grid). */
const NO_GRID: HouseholdRelation = { ...RELATION, unitCode: V1 };

const viewer = (userId: string, role: Role, unitPath: string[]): Viewer => ({ userId, role, unit: { code: unitPath.at(-1)!, path: unitPath } });

/** What each viewer kind is shown of HOUSEHOLD, and why. */
const CASES: { who: string; v: Viewer; rel?: HouseholdRelation; sight: 'full' | 'need' | 'masked'; basis: string | null }[] = [
  { who: 'town staff', v: viewer('town.a', 'town_staff', path(TOWN)), sight: 'full', basis: null },
  { who: 'district staff', v: viewer('d.a', 'district_staff', path()), sight: 'full', basis: null },
  { who: 'city monitor', v: viewer('c.a', 'city_monitor', [CITY]), sight: 'full', basis: null },
  { who: 'the household’s village staff', v: viewer('v1.staff', 'village_staff', path(TOWN, V1)), sight: 'need', basis: 'village_staff' },
  { who: 'another village’s staff', v: viewer('v2.staff', 'village_staff', path(TOWN, V2)), sight: 'masked', basis: null },
  { who: 'the household’s grid worker', v: viewer('grid.a', 'grid_worker', path(TOWN, V1, GRID)), sight: 'need', basis: 'grid_worker' },
  { who: 'another grid’s worker of the same village', v: viewer('grid.b', 'grid_worker', path(TOWN, V1, OTHER_GRID)), sight: 'masked', basis: null },
  { who: 'a grid worker of the village, the household having no grid', v: viewer('grid.b', 'grid_worker', path(TOWN, V1, OTHER_GRID)), rel: NO_GRID, sight: 'need', basis: 'grid_worker' },
  { who: 'a grid worker registered at the village itself, the household having no grid', v: viewer('grid.v', 'grid_worker', path(TOWN, V1)), rel: NO_GRID, sight: 'need', basis: 'grid_worker' },
  { who: 'a grid worker registered at the village itself, the household at a grid', v: viewer('grid.v', 'grid_worker', path(TOWN, V1)), sight: 'masked', basis: null },
  { who: 'a grid worker of another village, the household having no grid', v: viewer('grid.c', 'grid_worker', path(TOWN, V2, '371002001002001')), rel: NO_GRID, sight: 'masked', basis: null },
  { who: 'the paired party member', v: viewer('pm.li', 'party_member', path(TOWN, V1)), sight: 'need', basis: 'paired_member' },
  { who: 'an unpaired party member of the same village', v: viewer('pm.zhao', 'party_member', path(TOWN, V1)), sight: 'masked', basis: null },
  { who: 'the assigned visitor (a party member)', v: viewer('visit.wang', 'party_member', path(TOWN, V1)), sight: 'need', basis: 'assigned_visitor' },
  { who: 'the assigned visitor (a grid worker of another grid)', v: viewer('visit.wang', 'grid_worker', path(TOWN, V1, OTHER_GRID)), sight: 'need', basis: 'assigned_visitor' },
];

describe('disclosureFor: who sees what of a household (issue 14)', () => {
  for (const c of CASES) {
    it(`${c.who}: ${c.sight}${c.basis ? ` (${c.basis})` : ''}`, () => {
      const d = disclosureFor(c.v, c.rel ?? RELATION);
      expect(d.sight).toBe(c.sight);
      expect(d.basis).toBe(c.basis);
      // Never the ID number below town level.
      if (c.sight === 'need') expect(d.fields).toEqual(['name', 'address', 'phone']);
      if (c.sight === 'masked') expect(d.fields).toEqual([]);
      if (c.sight === 'full') expect(d.fields).toContain('id_number');
    });
  }

  it('every role below town with no relation (a household not in the register) sees it masked', () => {
    for (const role of ['grid_worker', 'party_member', 'village_staff'] as const) expect(disclosureFor(viewer('x', role, path(TOWN, V1)), null).sight).toBe('masked');
  });

  it('town level and above see everything whatever the relation; below town, need needs a relation', () => {
    for (const role of ROLES) {
      const d = disclosureFor(viewer('nobody', role, path(TOWN, V2)), RELATION);
      expect(d.sight, role).toBe(['grid_worker', 'party_member', 'village_staff'].includes(role) ? 'masked' : 'full');
    }
  });

  it('a village staff login paired or assigned elsewhere is shown by that basis (the first basis that holds)', () => {
    expect(disclosureFor(viewer('pm.li', 'village_staff', path(TOWN, V2)), RELATION).basis).toBe('paired_member');
    expect(disclosureFor(viewer('pm.li', 'village_staff', path(TOWN, V1)), RELATION).basis).toBe('village_staff');
  });
});

describe('what each sight shows, field by field', () => {
  const fields = (h: Household) => ({ name: h.headName, member: h.members[0]!.name, address: h.address, phone: h.phone, id: h.headIdNumber, memberId: h.members[0]!.idNumber });

  it('the register entry: need shows name, members’ names, address and phone; every ID number masked', () => {
    expect(fields(householdShown('need', HOUSEHOLD))).toEqual({ name: '张秀兰', member: '李明', address: HOUSEHOLD.address, phone: '13800001234', id: '3710**********0017', memberId: '3710**********001X' });
    expect(fields(householdShown('masked', HOUSEHOLD))).toEqual({ name: '张**', member: '李*', address: '威海市环翠区****', phone: '138****1234', id: '3710**********0017', memberId: '3710**********001X' });
    expect(householdShown('full', HOUSEHOLD)).toBe(HOUSEHOLD);
  });

  it('a case row’s brief: need in full, masked masked', () => {
    const brief = { headName: HOUSEHOLD.headName, address: HOUSEHOLD.address };
    expect(householdBriefShown('need', brief)).toEqual(brief);
    expect(householdBriefShown('masked', brief)).toEqual({ headName: '张**', address: '威海市环翠区****' });
    expect(householdBriefShown('need', null)).toBeNull();
  });

  it('free text in a case’s documents: need keeps names, phone and address, masks ID numbers (by pattern and the registered ones)', () => {
    const known = knownPersonalDataOf(HOUSEHOLD);
    const view = { caseId: 'alert-1', reasons: ['张秀兰摔伤，电话13800001234，身份证371002195001010017，住海港路12号'], records: [{ idNumber: '37100220000229001X' }] };
    expect(caseDocumentShown('need', view, known)).toEqual({ ...view, reasons: ['张秀兰摔伤，电话13800001234，身份证3710**********0017，住海港路12号'], records: [{ idNumber: '3710**********001X' }] });
    const masked = caseDocumentShown('masked', view, known);
    for (const secret of ['张秀兰', '13800001234', '371002195001010017', '海港路12号']) expect(masked.reasons[0]).not.toContain(secret);
    expect(caseDocumentShown('full', view, known)).toEqual(view);
    const event = { type: 'opened', at: 'x', data: { reasons: ['李明住院 371002195001010017'] } };
    expect(caseEventShown('need', event, known).data.reasons).toEqual(['李明住院 3710**********0017']);
  });

  it('an ID number written with spaces or full-width digits is masked for need too', () => {
    expect(redactIdNumbers('身份证 ３７１００２１９５００１０１００１７')).not.toContain('０１００１７');
    expect(redactIdNumbers('身份证 371002 19500101 0017')).toContain('3710**********0017');
  });

  it('a discovery’s new household: need in full, masked masked', () => {
    const h = { name: '王五', address: '幸福村5号', phone: '13900001111' };
    expect(newHouseholdShown('need', h)).toEqual({ ...h });
    expect(newHouseholdShown('masked', h)).toEqual({ name: '王*', address: '幸福村****', phone: '139****1111' });
  });
});

describe('leastDisclosure: a document naming several households', () => {
  const v1 = viewer('v1.staff', 'village_staff', path(TOWN, V1));
  it('need only when every household is; none named: by role', () => {
    const mine = disclosureFor(v1, RELATION);
    const theirs = disclosureFor(v1, { ...RELATION, villageCode: V2, unitCode: V2 });
    expect(leastDisclosure('village_staff', [mine, mine]).sight).toBe('need');
    expect(leastDisclosure('village_staff', [mine, theirs]).sight).toBe('masked');
    expect(leastDisclosure('village_staff', []).sight).toBe('masked');
    expect(leastDisclosure('town_staff', []).sight).toBe('full');
  });
});

describe('reachesAlertByNeed: an alert beyond the subtree (issue 14)', () => {
  const grid = { userId: 'grid.a', role: 'grid_worker' as const, unitCode: GRID };
  it('its assigned visitor reads it and records its visit, nothing else', () => {
    const alert = { visitorUserId: 'grid.a', householdPath: null };
    expect(reachesAlertByNeed(grid, alert, 'read')).toBe(true);
    expect(reachesAlertByNeed(grid, alert, 'recordVisit')).toBe(true);
    expect(reachesAlertByNeed(grid, alert, 'close')).toBe(false);
    expect(reachesAlertByNeed({ ...grid, userId: 'grid.b' }, alert, 'read')).toBe(false);
  });
  it('a grid worker reads the alerts of their grid’s households, not another grid’s, and acts on them only when assigned', () => {
    expect(reachesAlertByNeed(grid, { visitorUserId: null, householdPath: HOUSEHOLD.orgPath }, 'read')).toBe(true);
    expect(reachesAlertByNeed(grid, { visitorUserId: null, householdPath: HOUSEHOLD.orgPath }, 'recordVisit')).toBe(false);
    expect(reachesAlertByNeed({ ...grid, unitCode: OTHER_GRID }, { visitorUserId: null, householdPath: HOUSEHOLD.orgPath }, 'read')).toBe(false);
    expect(reachesAlertByNeed({ ...grid, role: 'party_member' }, { visitorUserId: null, householdPath: HOUSEHOLD.orgPath }, 'read')).toBe(false);
  });
  it('a household registered at the village itself (no grid): a grid worker of that village reads its alerts (as disclosureFor shows it), not one of another village', () => {
    const atVillage = path(TOWN, V1);
    expect(reachesAlertByNeed({ ...grid, unitPath: path(TOWN, V1, GRID) }, { visitorUserId: null, householdPath: atVillage }, 'read')).toBe(true);
    expect(reachesAlertByNeed({ ...grid, unitPath: path(TOWN, V1, GRID) }, { visitorUserId: null, householdPath: atVillage }, 'recordVisit')).toBe(false);
    expect(reachesAlertByNeed({ ...grid, unitCode: '371002001002001', unitPath: path(TOWN, V2, '371002001002001') }, { visitorUserId: null, householdPath: atVillage }, 'read')).toBe(false);
    expect(reachesAlertByNeed({ ...grid, role: 'party_member', unitPath: path(TOWN, V1, GRID) }, { visitorUserId: null, householdPath: atVillage }, 'read')).toBe(false);
  });
});

describe('other households of the village in free text (issue 14, fresh-eyes pass)', () => {
  const neighbour = { names: ['王建国'], idNumbers: [], phones: ['13912349999'], addresses: ['威海市环翠区海港路9号'] };
  it('by need: the case’s own household stays, the others are masked as registered; nothing else is touched', () => {
    const doc = { reason: '张秀兰独居，王建国是其邻居，电话13912349999，住海港路9号；张秀兰电话13800001234' };
    const shown = caseDocumentShown('need', doc, knownPersonalDataOf(HOUSEHOLD), neighbour);
    expect(shown.reason).toBe('张秀兰独居，王**是其邻居，电话139****9999，住****号；张秀兰电话13800001234');
    expect(caseDocumentShown('need', doc, knownPersonalDataOf(HOUSEHOLD)).reason).toContain('王建国');
    expect(redactKnownPersonalData('王建国', undefined)).toBe('王建国');
  });
  it('public text: a registered name of the unit is masked, not only patterns', () => {
    expect(publicTextFor('请联系王建国本人', neighbour)).toBe('请联系王**本人');
    expect(publicTextFor('请联系王建国本人')).toBe('请联系王建国本人');
  });
});
