import { describe, expect, it } from 'vitest';
import { ALERT_STEPS } from '../../domain/alert';
import { APPLICATION_STEPS } from '../../domain/application';
import { actionsFor, can, DEADLINE_ACTIONS, deadlineKindsFor, dueTaskKey, STAGE_DEADLINE_ACTIONS, inJurisdiction, isReadOnly, isWriting, PERMISSIONS, rolesFor, SUBJECTS, SUPERVISION_SUBJECTS, OWN_ACCOUNT_SUBJECTS } from '../../domain/permissions';
import { ORDER_STEPS } from '../../domain/order';
import { PAIRING_STEPS } from '../../domain/pairing';
import { REPORT_STEPS } from '../../domain/report';
import { ROLES } from '../../domain/roles';
import { WISH_STEPS } from '../../domain/wish';
import { INTAKE_STEPS } from '../../domain/intake';

const STEP_TABLES = { application: APPLICATION_STEPS, report: REPORT_STEPS, wish: WISH_STEPS, order: ORDER_STEPS, pairing: PAIRING_STEPS, intake: INTAKE_STEPS } as const;
const CASE_KINDS = ['alert', 'application', 'report', 'wish', 'party_day', 'order', 'intake'] as const;
const CITY = '371000';
const HAIGANG_PATH = ['371000', '371002', '371002001', '371002001001'];

describe('the permission matrix', () => {
  it('has an entry for every step of every step table, and the tables hold the matrix’s very lists', () => {
    for (const [kind, table] of Object.entries(STEP_TABLES)) {
      const row = PERMISSIONS[kind as keyof typeof STEP_TABLES] as Record<string, { roles: readonly string[] }>;
      for (const [name, step] of Object.entries(table)) {
        expect(row[name], `${kind}.${name}`).toBeDefined();
        expect(step.roles, `${kind}.${name}`).toBe(row[name]!.roles);
      }
    }
    // The alert's table carries no roles: the API's guard reads the matrix.
    for (const name of Object.keys(ALERT_STEPS)) expect(PERMISSIONS.alert[name as keyof typeof PERMISSIONS.alert], `alert.${name}`).toBeDefined();
  });

  it('gives every case kind a read action, and every cell a source', () => {
    for (const kind of CASE_KINDS) expect(rolesFor(kind, 'read')).toEqual(ROLES);
    for (const subject of SUBJECTS) {
      for (const [action, cell] of Object.entries(PERMISSIONS[subject])) {
        expect(cell.source, `${subject}.${action}`).toMatch(/seed |ours|DOMAIN\.md|民发/);
        expect(new Set(cell.roles).size, `${subject}.${action} lists a role twice`).toBe(cell.roles.length);
        expect(cell.roles, `${subject}.${action}: admin is implied, never listed`).not.toContain('admin');
      }
    }
  });

  it('lets a city monitor read everything and write nothing but supervision (orders, summons, circulars: seed 四(二))', () => {
    expect(isReadOnly('city_monitor')).toBe(true);
    for (const subject of SUBJECTS) {
      for (const action of Object.keys(PERMISSIONS[subject])) {
        if (SUPERVISION_SUBJECTS.includes(subject) || OWN_ACCOUNT_SUBJECTS.includes(subject)) continue;
        // Staff users are an admin's alone (issue 14): the monitor reads none.
        expect(can('city_monitor', subject, action), `${subject}.${action}`).toBe(subject === 'user' ? false : !isWriting(action));
      }
    }
    expect(actionsFor('city_monitor').order).toEqual(['read', 'issue', 'accept', 'sendBack']);
    expect(actionsFor('city_monitor').summons).toEqual(['read', 'record']);
    expect(actionsFor('city_monitor').circular).toEqual(['read', 'record']);
    expect(can('city_monitor', 'order', 'reply')).toBe(false);
    expect(can('village_staff', 'order', 'issue')).toBe(false);
    expect(can('town_supervisor', 'order', 'issue')).toBe(false);
    expect(can('district_staff', 'summons', 'record')).toBe(false);
    for (const role of ROLES.filter((r) => r !== 'city_monitor')) expect(isReadOnly(role), role).toBe(false);
  });

  it('lets an admin do every action, and nobody an action the matrix does not have', () => {
    for (const subject of SUBJECTS) for (const action of Object.keys(PERMISSIONS[subject])) expect(can('admin', subject, action)).toBe(true);
    expect(can('admin', 'alert', 'delete')).toBe(false);
    expect(can('admin', 'nothing', 'read')).toBe(false);
    expect(can('town_staff', 'alert', 'toString')).toBe(false);
    expect(rolesFor('alert', 'repolicy')).toEqual(['admin']);
  });

  it('keeps the rules the routes had', () => {
    expect(rolesFor('application', 'approval')).toEqual(['district_staff', 'admin']);
    expect(can('village_staff', 'application', 'acceptance')).toBe(false);
    expect(can('party_member', 'wish', 'claim')).toBe(true);
    expect(can('party_member', 'wish', 'screening')).toBe(false);
    expect(can('party_member', 'alert', 'recordVisit')).toBe(true); // seed 三(二), issue 12
    expect(can('party_member', 'alert', 'changeLevel')).toBe(false);
    expect(can('village_staff', 'alert', 'decide')).toBe(false);
    expect(can('town_staff', 'alert', 'decide')).toBe(false);
    expect(can('town_supervisor', 'alert', 'decide')).toBe(true);
    expect(can('grid_worker', 'alert', 'reassign')).toBe(false);
    expect(can('town_staff', 'catalogue', 'edit')).toBe(false);
    expect(can('grid_worker', 'report', 'acknowledgement')).toBe(false);
    expect(can('town_supervisor', 'party_day', 'answer')).toBe(false);
  });

  it('lists a role’s actions per subject, leaving out subjects it can do nothing with', () => {
    expect(actionsFor('city_monitor')).toEqual(
      Object.fromEntries(SUBJECTS.filter((s) => s !== 'user').map((s) => [s, SUPERVISION_SUBJECTS.includes(s) || OWN_ACCOUNT_SUBJECTS.includes(s) ? Object.keys(PERMISSIONS[s]).filter((a) => can('city_monitor', s, a)) : ['read']])),
    );
    const village = actionsFor('village_staff');
    expect(village.alert).toEqual(['read', 'start', 'acknowledge', 'recordVisit', 'changeLevel', 'close', 'request', 'dispose', 'assignVisitor']);
    expect(village.application).toContain('supplements');
    expect(village.application).not.toContain('approval');
    expect(actionsFor('admin').alert).toContain('repolicy');
    for (const role of ROLES) for (const [subject, actions] of Object.entries(actionsFor(role))) for (const a of actions) expect(can(role, subject, a)).toBe(true);
  });
});

describe('what a task list shows: the deadlines a role may work towards (DEADLINE_ACTIONS, by the matrix)', () => {
  it('maps every deadline kind the workspace names to cells the matrix has, and no other kind', async () => {
    const { MESSAGES } = await import('../../web/src/i18n');
    expect(Object.keys(DEADLINE_ACTIONS).sort()).toEqual(Object.keys(MESSAGES.en.deadlineLabels).sort());
    for (const [kind, cells] of Object.entries(DEADLINE_ACTIONS)) {
      expect(cells.length, kind).toBeGreaterThan(0);
      for (const [subject, action] of cells) expect(PERMISSIONS[subject][action as never], `${kind}: ${subject}.${action}`).toBeDefined();
    }
  });

  it('gives village staff no town-only step (fresh-eyes on issue 14: 我的任务 listed the discovery assessment, wish screening, acceptances), and each role what it does', () => {
    const village = deadlineKindsFor('village_staff')!;
    for (const kind of ['discovery.assess', 'wish.screening', 'application.acceptance', 'intake.accept', 'alert.approval', 'application.district_approval', 'application.re_review']) expect(village, kind).not.toContain(kind);
    for (const kind of ['alert.red', 'alert.orange', 'report.acknowledge', 'wish.claim', 'pairing.assign', 'application.town_review', 'patrol.record', 'order.reply']) expect(village, kind).toContain(kind);
    expect(deadlineKindsFor('town_staff')).toEqual(expect.arrayContaining(['discovery.assess', 'wish.screening', 'application.acceptance', 'intake.accept']));
    expect(deadlineKindsFor('town_staff')).not.toContain('alert.approval');
    expect(deadlineKindsFor('town_supervisor')).toContain('alert.approval');
    const member = deadlineKindsFor('party_member')!;
    expect(member).toEqual(expect.arrayContaining(['alert.orange', 'pairing.contact', 'wish.claim', 'patrol.record']));
    expect(member).not.toContain('pairing.assign');
    expect(deadlineKindsFor('city_monitor')).toEqual([]);
    expect(deadlineKindsFor('admin')).toBeNull();
    // By the matrix, not a list of its own: every kind a role gets is one of whose cells it holds.
    for (const role of ROLES) for (const kind of deadlineKindsFor(role) ?? []) expect((DEADLINE_ACTIONS[kind] ?? STAGE_DEADLINE_ACTIONS[kind])!.some(([s, a]) => can(role, s, a)), `${role} ${kind}`).toBe(true);
  });
});

describe('a deadline that spans several steps is keyed by the case’s stage (STAGE_DEADLINE_ACTIONS)', () => {
  it('gives the village an application’s town-review deadline while the step is the village’s, not once the town’s opinion is due (fresh-eyes on issue 14)', async () => {
    const { openDeadlineKinds } = await import('../../domain/projection');
    const deadline = { key: 'town_review#1', kind: 'application.town_review', label: '镇(街道)审核意见', dueAt: '2026-12-01T00:00:00.000Z', metAt: null, endedAt: null } as never;
    const keys = (stage: string) => openDeadlineKinds({ stage, due: null, deadlines: [deadline] } as never);
    expect(keys('investigation')).toEqual(['application.town_review@investigation']);
    expect(keys('town_review')).toEqual(['application.town_review@town_review']);
    // A stage the table does not name keeps the kind's whole list.
    expect(keys('returned')).toEqual(['application.town_review']);
    expect(dueTaskKey('alert.red', undefined)).toBe('alert.red');
    const village = deadlineKindsFor('village_staff')!;
    expect(village).toEqual(expect.arrayContaining(['application.town_review@investigation', 'application.town_review@deliberation']));
    expect(village).not.toContain('application.town_review@town_review');
    expect(village).not.toContain('application.town_review@verification');
    expect(deadlineKindsFor('town_staff')).toEqual(expect.arrayContaining(['application.town_review@town_review', 'application.town_review@verification']));
    for (const [key, cells] of Object.entries(STAGE_DEADLINE_ACTIONS)) {
      expect(DEADLINE_ACTIONS[key.split('@')[0]!], key).toBeDefined();
      for (const [subject, action] of cells) expect(PERMISSIONS[subject][action as never], `${key}: ${subject}.${action}`).toBeDefined();
    }
  });
});

describe('jurisdiction', () => {
  it('is the subtree of the caller’s unit; a city monitor reads anywhere but writes nowhere outside it', () => {
    expect(inJurisdiction('town_staff', '371002001', HAIGANG_PATH, 'recordVisit')).toBe(true);
    expect(inJurisdiction('town_staff', '371002002', HAIGANG_PATH, 'read')).toBe(false);
    expect(inJurisdiction('city_monitor', '371003', HAIGANG_PATH, 'read')).toBe(true);
    expect(inJurisdiction('city_monitor', '371003', HAIGANG_PATH, 'recordVisit')).toBe(false);
    expect(inJurisdiction('admin', CITY, HAIGANG_PATH, 'repolicy')).toBe(true);
  });
});
