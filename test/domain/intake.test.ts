import { describe, expect, it } from 'vitest';
import { RuleViolation, type Actor } from '../../domain/case';
import { addWorkingDays } from '../../domain/calendar';
import { acceptIntake, advanceIntake, fileIntake, intakeReceipt, intakeView, intakeWakeAt, returnIntake, zPublicApplicationInput, type AcceptIntakeInput, type FileIntakeArgs } from '../../domain/intake';
import type { ApplicationView } from '../../domain/application';
import type { UnitRef } from '../../domain/org';
import { resolvePolicy } from '../../domain/policy';
import { shippedHolidayCalendar } from '../../store/calendar';

/** The application-intake rules (domain/intake.ts), pure, with any clock. */

const H = 3_600_000;
const D = 24 * H;
const VILLAGE: UnitRef = { code: '371002001001', name: '海港社区居委会', level: 'village' };
const TOWN: UnitRef = { code: '371002001', name: '鲸园街道', level: 'town' };
const DISTRICT: UnitRef = { code: '371002', name: '环翠区', level: 'district' };
const CITY: UnitRef = { code: '371000', name: '威海市', level: 'city' };
const TOWN_STAFF: Actor = { userId: 'town.zhao', role: 'town_staff', unitCode: TOWN.code };
const CAL = shippedHolidayCalendar();
const POLICY = resolvePolicy(undefined, 'default').intake;
// A Friday (China time): three working days end on the Wednesday after.
const T0 = Date.parse('2026-03-06T02:00:00Z');

const args = (o: Partial<FileIntakeArgs> = {}): FileIntakeArgs => ({
  intakeId: 'intake-0123456789abcdef',
  category: 'minimum_subsistence',
  categoryName: '最低生活保障对象',
  householdSize: 3,
  situation: '无固定收入',
  urgent: false,
  village: VILLAGE,
  town: TOWN,
  ladder: [TOWN, DISTRICT, CITY],
  policy: POLICY,
  calendar: CAL,
  ...o,
});
const acceptInput: AcceptIntakeInput = { labourCapacity: 'no_labour_capacity', householdId: 'hh-0123456789ab', opening: { workflowId: 'application-hh-0123456789ab-minimum_subsistence', start: {} } };

describe('intake rules', () => {
  it('filing opens the acceptance deadline 3 working days on (over the weekend) and tells the town at once; the ladder must start at the town', () => {
    const { state, events, notices } = fileIntake(args({ urgent: true }), T0);
    expect(state.acceptBy).toBe(addWorkingDays(T0, 3, CAL));
    expect(state.acceptBy - T0).toBeGreaterThan(4 * D); // Friday + weekend
    expect(events.map((e) => e.type)).toEqual(['filed', 'deadline_opened']);
    expect(events[0]).not.toHaveProperty('actor');
    expect(notices).toEqual([expect.objectContaining({ unit: TOWN, kind: 'intake_filed' })]);
    expect(notices[0]!.message).toContain('【紧急】');
    const view = intakeView(state, T0);
    expect(view).toMatchObject({ kind: 'intake', unit: TOWN, orgPath: [CITY.code, DISTRICT.code, TOWN.code], stage: 'filed', dueAt: new Date(state.acceptBy).toISOString() });
    expect(() => fileIntake(args({ ladder: [VILLAGE, TOWN, DISTRICT, CITY] }), T0)).toThrow(RuleViolation);
  });

  it('an acceptance whose application did not open records the failure and decides nothing; opened, it closes on time', () => {
    const { state } = fileIntake(args(), T0);
    const failed = acceptIntake(state, acceptInput, TOWN_STAFF, T0 + H, { failed: 'unreachable' });
    expect(failed.events.map((e) => e.type)).toEqual(['outcome_open_failed']);
    expect(state).toMatchObject({ status: 'open', openFailures: 1, lastOpenFailure: { message: 'unreachable', refused: false } });
    const ok = acceptIntake(state, acceptInput, TOWN_STAFF, T0 + 2 * H, { caseId: 'application-x', created: true });
    expect(ok.events.map((e) => e.type)).toEqual(['accepted', 'deadline_met', 'closed']);
    expect(intakeView(state, T0 + 2 * H)).toMatchObject({ status: 'closed', stage: 'accepted', applicationId: 'application-x', householdId: 'hh-0123456789ab', due: null });
    expect(() => returnIntake(state, { reason: 'x' }, TOWN_STAFF, T0 + 3 * H)).toThrow(/already accepted/);
  });

  it('joined to the household’s application already open, its receipt shows its own steps and nothing of that case', () => {
    const { state } = fileIntake(args(), T0);
    acceptIntake(state, acceptInput, TOWN_STAFF, T0 + 2 * H, { caseId: 'application-x', created: false });
    const view = intakeView(state, T0 + 2 * H);
    expect(view.decision).toMatchObject({ joined: true, applicationId: 'application-x' });
    // Her case: investigated before this filing, due later, approved.
    const hers = { status: 'open', stage: 'town_review', outcome: null, dueAt: '2026-04-01T00:00:00.000Z', investigations: [{ at: '2026-03-01T00:00:00.000Z' }], decisions: [{ act: 'approved', at: '2026-03-07T00:00:00.000Z', what: {}, why: '' }], notices: [] } as unknown as ApplicationView;
    const receipt = intakeReceipt(view, hers, (t) => t);
    expect(receipt.steps.map((x) => x.name)).toEqual(['已提交', '已受理（并入已有申请）']);
    expect(receipt).toMatchObject({ status: 'accepted', dueBy: null });
    expect(JSON.stringify(receipt)).not.toMatch(/入户调查|审批|2026-04-01|2026-03-01/);
    // One the acceptance opened is followed, as before.
    const { state: own } = fileIntake(args(), T0);
    acceptIntake(own, acceptInput, TOWN_STAFF, T0 + 2 * H, { caseId: 'application-x', created: true });
    expect(intakeView(own, T0 + 2 * H).decision).toMatchObject({ joined: false });
    expect(intakeReceipt(intakeView(own, T0 + 2 * H), hers, (t) => t).steps.map((x) => x.name)).toContain('审批确认');
  });

  it('missed, it climbs from the town to the district at the deadline, the city a day later; a return closes it and wakes nothing', () => {
    const { state } = fileIntake(args(), T0);
    const district = advanceIntake(state, state.acceptBy);
    expect(district.notices.map((n) => n.unit.code)).toContain(DISTRICT.code);
    const city = advanceIntake(state, state.acceptBy + D);
    expect(city.notices.map((n) => n.unit.code)).toContain(CITY.code);
    returnIntake(state, { reason: '材料不齐' }, TOWN_STAFF, state.acceptBy + 2 * D);
    expect(intakeView(state, state.acceptBy + 2 * D)).toMatchObject({ stage: 'returned', decision: { reason: '材料不齐' } });
    expect(intakeWakeAt(state)).toBeUndefined();
  });

  it('the public form: an ID number with a wrong check digit, a landline, 0 or 21 people, an empty situation are refused by field', () => {
    const schema = zPublicApplicationInput(POLICY.maxSituation);
    const ok = { unitCode: VILLAGE.code, category: 'minimum_subsistence', applicantName: '王秀英', idNumber: '11010519491231002X', phone: '13912345678', address: '海港路1号', householdSize: 3, situation: '困难' };
    expect(schema.safeParse(ok).success).toBe(true);
    for (const [field, value] of [['idNumber', '110105194912310021'], ['phone', '0631-5201234'], ['householdSize', 0], ['householdSize', 21], ['situation', '']] as const) {
      const r = schema.safeParse({ ...ok, [field]: value });
      expect(r.success, `${field}=${value}`).toBe(false);
      expect(r.error!.issues[0]!.path).toEqual([field]);
    }
  });
});
