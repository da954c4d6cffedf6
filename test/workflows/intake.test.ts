import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { UnitRef } from '../../domain/org';
import { acceptDueAt, type IntakeView } from '../../domain/intake';
import { COLLECTIONS } from '../../store/collections';
import { intakeQuery } from '../../workflows/intake/contract';
import { refusal } from '../helpers/drivers/common';
import { accept, acceptInput, INTAKE_CALENDAR, INTAKE_POLICY, returnIt, startIntake, type IntakeHandle } from '../helpers/drivers/intake';
import { boardRowOf } from '../helpers/board';
import { createTimeSkippingHarness, eventually, type TimeSkippingHarness, MIN, D, SLACK, VILLAGE, TOWN, DISTRICT, CITY } from '../helpers/time-skipping';

/**
 * The application-intake workflow (申请受理, issue 14) on Temporal's time-skipping test server at the default
 * durations (accept or return within 3 working days on the shipped holiday calendar, a rung every day from the
 * town), with the real activities writing a real read model. This harness's activities have no Temporal
 * client, so an acceptance's application fails to open here: the acceptance must then not be made (the e2e
 * test, test/e2e/public-channel.test.ts, opens them).
 */

interface CaseRow {
  _id: string;
  version: number;
  status: string;
  unitCode: string;
  orgPath: string[];
  overdue: boolean;
  rung: number;
  escalatedTo: UnitRef | null;
}
interface NoticeRow {
  caseId: string;
  unitCode: string;
  kind: string;
  message: string;
  at: Date;
}

let harness: TimeSkippingHarness;
let env: TestWorkflowEnvironment;
let mongo: TimeSkippingHarness['mongo'];

beforeAll(async () => {
  harness = await createTimeSkippingHarness('intake');
  ({ env, mongo } = harness);
  await harness.startWorker();
});
afterEach(() => harness.terminateLeftovers());
afterAll(() => harness?.close());

const sleepUntil = (t: number) => harness.sleepUntil(t);

async function settled(handle: IntakeHandle): Promise<{ view: IntakeView; row: CaseRow }> {
  return eventually(async () => {
    const view = await handle.query(intakeQuery);
    const row = await mongo.db.collection<CaseRow>(COLLECTIONS.cases).findOne({ _id: view.caseId });
    expect(row?.version).toBe(view.version);
    return { view, row: row! };
  });
}
const noticesOf = async (caseId: string, kind: string) => (await mongo.db.collection<NoticeRow>(COLLECTIONS.notifications).find({ caseId, kind }).toArray()).sort((a, b) => a.at.getTime() - b.at.getTime());
const deadlinesOf = async (caseId: string) => mongo.db.collection<{ deadlineKind: string; outcome: string; escalations: number; unitCode: string }>(COLLECTIONS.deadlines).find({ caseId }).toArray();

function expectAt(actual: number | string | Date | null | undefined, expected: number, slack = SLACK): void {
  expect(actual, 'time is set').toBeTruthy();
  const ms = typeof actual === 'number' ? actual : new Date(actual!).getTime();
  expect(ms).toBeGreaterThanOrEqual(expected);
  expect(ms - expected).toBeLessThan(slack);
}

describe('intake workflow (time-skipping, default policy)', () => {
  it('the town is told at once; returned within 3 working days: met on time, closed with its reason, never escalated', async () => {
    const { handle, caseId, filedAt: t0 } = await startIntake(harness, { urgent: true });
    const due = acceptDueAt(t0, INTAKE_POLICY, INTAKE_CALENDAR);
    // Three working days: at least three calendar days, more over a weekend or holiday.
    expect(due - t0).toBeGreaterThanOrEqual(3 * D - 1);
    const first = await settled(handle);
    expect(first.view).toMatchObject({ status: 'open', stage: 'filed', unit: TOWN, town: TOWN, village: VILLAGE, urgent: true, acceptBy: new Date(due).toISOString(), dueAt: new Date(due).toISOString() });
    // Read from the town up: the village is not on its path.
    expect(first.row).toMatchObject({ unitCode: TOWN.code, orgPath: [CITY.code, DISTRICT.code, TOWN.code] });
    const told = await eventually(async () => {
      const n = await noticesOf(caseId, 'intake_filed');
      expect(n).toHaveLength(1);
      return n[0]!;
    });
    expect(told.unitCode).toBe(TOWN.code);
    expect(told.message).toContain('紧急');

    await sleepUntil(due - 10 * MIN);
    const returned = await returnIt(handle, caseId, '材料不齐：缺收入证明');
    expect(returned).toMatchObject({ status: 'closed', stage: 'returned', due: null, escalations: [], decision: { outcome: 'returned', reason: '材料不齐：缺收入证明' } });
    expectAt(returned.decision!.at, due - 10 * MIN);
    await handle.result();
    expect(await deadlinesOf(caseId)).toEqual([expect.objectContaining({ deadlineKind: 'intake.accept', outcome: 'on_time', escalations: 0, unitCode: TOWN.code })]);
    expect(await noticesOf(caseId, 'escalated')).toEqual([]);
  });

  it('left unaccepted it is at risk at 75 %, climbs from the town to the district at the deadline and the city a day later; a late return resolves it', async () => {
    const { handle, caseId, filedAt: t0 } = await startIntake(harness);
    const due = acceptDueAt(t0, INTAKE_POLICY, INTAKE_CALENDAR);
    await sleepUntil(due - MIN);
    expect((await settled(handle)).view.escalations).toEqual([]);
    const atRisk = await noticesOf(caseId, 'at_risk');
    expect(atRisk.map((n) => n.unitCode)).toEqual([TOWN.code]);
    expectAt(atRisk[0]!.at, t0 + Math.ceil((due - t0) * 0.75));

    const rungs = [
      { rung: 1, from: TOWN, to: DISTRICT, at: due },
      { rung: 2, from: DISTRICT, to: CITY, at: due + D },
    ];
    for (const step of rungs) {
      await sleepUntil(step.at + MIN);
      const { view, row } = await settled(handle);
      expect(view.escalations).toHaveLength(step.rung);
      expect(view.escalations[step.rung - 1]).toMatchObject({ rung: step.rung, from: step.from, to: step.to, deadlineKey: 'accept#1', resolvedAt: null });
      expectAt(view.escalations[step.rung - 1]!.at, step.at);
      expect(row).toMatchObject({ overdue: true, rung: step.rung, escalatedTo: step.to });
      expect(await boardRowOf<{ rung: number; escalatedTo: UnitRef | null }>(mongo.db, caseId)).toMatchObject({ rung: step.rung, escalatedTo: step.to });
    }
    expect((await noticesOf(caseId, 'escalated')).map((n) => n.unitCode)).toEqual([DISTRICT.code, CITY.code]);

    await sleepUntil(due + 2 * D - MIN);
    const returned = await returnIt(handle, caseId, '户籍不在本镇，请向户籍地申请');
    expect(returned).toMatchObject({ status: 'closed', overdue: false, escalatedTo: null });
    expect(returned.escalations.map((e) => e.resolution)).toEqual(['met', 'met']);
    await handle.result();
    expect(await deadlinesOf(caseId)).toEqual([expect.objectContaining({ deadlineKind: 'intake.accept', outcome: 'late', escalations: 2 })]);
  });

  it('an acceptance whose application cannot be opened is not made (recorded, retried); the gate refuses another household’s or category’s opening and the village', async () => {
    const { handle, caseId } = await startIntake(harness);
    const village = { userId: 'village.staff', role: 'village_staff' as const, unitCode: VILLAGE.code };
    expect((await refusal(returnIt(handle, caseId, '无', village))).type).toBe('forbidden');
    expect((await refusal(accept(handle, caseId, acceptInput(), village))).type).toBe('forbidden');
    const other = acceptInput();
    other.opening.workflowId = 'application-hh-ffffffffffff-minimum_subsistence';
    expect((await refusal(accept(handle, caseId, other))).message).toMatch(/^opening: /);
    expect((await refusal(accept(handle, caseId, acceptInput('hh-0123456789ab', 'extreme_poverty')))).message).toMatch(/^opening: /);
    expect((await refusal(returnIt(handle, caseId, ''))).type).toBe('unprocessable');

    // No Temporal client in this harness: the application is not opened, so nothing is accepted.
    const failed = await accept(handle, caseId);
    expect(failed).toMatchObject({ status: 'open', stage: 'filed', decision: null, openFailures: 1, lastOpenFailure: { refused: false } });
    const returned = await returnIt(handle, caseId, '材料不齐');
    expect(returned.status).toBe('closed');
    await handle.result();
    void env;
  });
});
