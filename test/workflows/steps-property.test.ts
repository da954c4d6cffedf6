import { randomBytes } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../domain/case';
import { resolvePolicy } from '../../domain/policy';
import type { HelperRef } from '../../domain/wish';
import { alertWorkflow, pairingWorkflow, partyDayWorkflow, reportWorkflow, wishWorkflow } from '../../workflows';
import { pairingQuery, pairingStepUpdates, pairingWorkflowId } from '../../workflows/pairing/contract';
import { MEMBER } from '../helpers/drivers/pairing';
import { answerUpdate, partyDayQuery, partyDayWorkflowId } from '../../workflows/party-day/contract';
import { acknowledgeReportUpdate, answerReportUpdate, markCommonIssueUpdate, reportQuery, reportWorkflowId } from '../../workflows/report/contract';
import { COLLECTIONS } from '../../store/collections';
import { acknowledgeUpdate, alertQuery, alertWorkflowId, changeLevelUpdate, closeUpdate, decideRequestUpdate, disposeUpdate, reassignUpdate, recordVisitUpdate, repolicyUpdate, reportUpdate, requestChangeUpdate } from '../../workflows/alert/contract';
import { applicationQuery, applicationStepUpdates } from '../../workflows/application/contract';
import { wishQuery, wishStepUpdates, wishWorkflowId } from '../../workflows/wish/contract';
import { orderQuery, orderStepUpdates } from '../../workflows/order/contract';
import { ORDER_ISSUER, ORDER_REPLIER, orderStep, startOrder } from '../helpers/drivers/order';
import { patrolQuery, recordPatrolUpdate } from '../../workflows/patrol/contract';
import { startPatrol } from '../helpers/drivers/patrol';
import { localDay } from '../../domain/china-time';
import { decideDiscoveryUpdate, discoveryQuery } from '../../workflows/discovery/contract';
import { startDiscovery } from '../helpers/drivers/discovery';
import { acceptInput as intakeAcceptInput, startIntake } from '../helpers/drivers/intake';
import { acceptIntakeUpdate, intakeQuery, returnIntakeUpdate } from '../../workflows/intake/contract';
import { acceptAndVerify, act, approvalInput, deliberate, DISTRICT_STAFF, fileApplication, investigate, reaches, sitOutNotice, TOWN_SUPERVISOR, type Started } from '../helpers/drivers/application';
import { nowIso, quiet } from '../helpers/drivers/common';
import { createTimeSkippingHarness, eventually, type TimeSkippingHarness, CITY, DISTRICT, LADDER, MIN, TOWN, VILLAGE } from '../helpers/time-skipping';

/**
 * Every staff step of every case kind, fed generated and hostile inputs on a real (time-skipping) server:
 * each update either succeeds or is refused as conflict/unprocessable/forbidden, and no workflow task ever
 * fails — a failed task would stall the case and answer 500 to everyone after (issue 10: a wish claim dated
 * 2026-12-00 did exactly that). The validator must parse and check everything; the handler must be total.
 */

const RUNS = Number(process.env.PROPERTY_RUNS ?? 12);
const STAFF: Actor = { userId: 'village.li', role: 'village_staff', unitCode: VILLAGE.code };
const TOWN_STAFF: Actor = { userId: 'town.zhao', role: 'town_staff', unitCode: TOWN.code };
const POLICY = resolvePolicy(undefined, 'default');
const HELPER: HelperRef = { helperId: 'helper-00000000000a', name: '海港志愿服务队', kind: 'organisation', unitCode: VILLAGE.code, userId: null };
const REFUSALS = ['conflict', 'unprocessable', 'forbidden'];

/** Values that have broken parsers before: impossible dates, control and surrogate characters, huge and odd numbers, prototype keys. */
const hostileScalar = fc.oneof(
  fc.constantFrom('2026-12-00', '2026-11-31', '2027-02-30', '9999-99-99', '0000-00-00', '2026-12-01T25:61:00+08:00', '', ' ', '\u0000', '\ud800', '\u202e', 'a'.repeat(5000), '__proto__', 'constructor'),
  fc.constantFrom(-1, 0, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 0.5, null, true, false),
  fc.string(),
  fc.integer(),
);
const hostile: fc.Arbitrary<unknown> = fc.oneof(hostileScalar, fc.anything({ maxDepth: 2 }), fc.array(hostileScalar, { maxLength: 3 }), fc.dictionary(fc.string(), hostileScalar, { maxKeys: 3 }));

/** A valid input with one field replaced, removed or added, or the whole input replaced: near misses and wild values. */
function mutated(valid: Record<string, unknown>): fc.Arbitrary<unknown> {
  const keys = Object.keys(valid);
  return fc.oneof(
    fc.constant(valid),
    hostile,
    keys.length ? fc.tuple(fc.constantFrom(...keys), hostile).map(([k, v]) => ({ ...valid, [k]: v })) : hostile,
    keys.length ? fc.constantFrom(...keys).map((k) => Object.fromEntries(Object.entries(valid).filter(([key]) => key !== k))) : hostile,
    fc.tuple(fc.string({ minLength: 1 }), hostile).map(([k, v]) => ({ ...valid, [k]: v })),
  );
}

/** One step of a kind: its update and the arguments to send, given the case id the run holds. */
interface StepUnderTest {
  name: string;
  update: UpdateDefinition<unknown, [never]>;
  args(caseId: string): fc.Arbitrary<unknown>;
  /** Brings a fresh case to the stage where the step applies, so generated inputs reach its rules, not only its stage check. */
  before?(handle: WorkflowHandle, caseId: string): Promise<void>;
}
interface KindUnderTest {
  kind: string;
  /** The query that answers with the case view. */
  query: string;
  /** The view's field holding the id the steps name (`caseId`; a Party day's steps name its `partyDayId`). */
  idField?: string;
  start(): Promise<{ handle: WorkflowHandle; caseId: string }>;
  steps: StepUnderTest[];
}

let harness: TimeSkippingHarness;
beforeAll(async () => {
  harness = await createTimeSkippingHarness('steps-property');
  await harness.startWorker();
});
// Each workflow goes quiet first: an activity still in flight when its workflow is terminated (an objection's
// fan-out) keeps the test server's clock locked, and a later test's sleep (the application's notice) never returns.
afterEach(() => harness.terminateLeftovers({ first: (handle) => quiet(harness, handle.workflowId).catch(() => undefined) }));
afterAll(() => harness?.close());

const hex = (n: number) => randomBytes(n).toString('hex');
/** Another case id now and then: an action addressed to the wrong case is refused, too. */
const caseIdOr = (caseId: string) => fc.oneof({ weight: 4, arbitrary: fc.constant(caseId) }, { weight: 1, arbitrary: fc.oneof(fc.string(), hostileScalar) });
const actor = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(STAFF, TOWN_STAFF) }, { weight: 1, arbitrary: hostile });
const step = <R, A>(name: string, update: UpdateDefinition<R, [A]>, args: (caseId: string) => fc.Arbitrary<unknown>, before?: StepUnderTest['before']): StepUnderTest => ({
  name,
  update: update as unknown as StepUnderTest['update'],
  args,
  ...(before ? { before } : {}),
});

/** Wish steps taken in order, to reach a stage: approved (open for claims), claimed, fulfilled. */
const WISH_PATH = [
  (caseId: string) => [wishStepUpdates.screening, { caseId, actor: TOWN_STAFF, input: { decision: 'approve', publicTitle: '轮椅一台' } }] as const,
  (caseId: string) => [wishStepUpdates.claim, { caseId, actor: STAFF, input: { helperId: HELPER.helperId }, helper: HELPER }] as const,
  (caseId: string) => [wishStepUpdates.fulfilment, { caseId, actor: STAFF, input: { text: '已送达' } }] as const,
];
const wishAt = (steps: number) => async (handle: WorkflowHandle, caseId: string) => {
  for (const next of WISH_PATH.slice(0, steps)) {
    const [update, args] = next(caseId);
    await handle.executeUpdate(update, { args: [args as never] });
  }
};

/** The application each test filed, by case id, for the drivers that walk it (test/helpers/drivers/application.ts). */
const filed = new Map<string, Started>();
/** Walks a filed application to a stage with the shared drivers (the clock skipped over the notice and to the re-review date). */
const applicationAt = (stage: 'returned' | 'investigation' | 'deliberation' | 'town_review' | 'notice' | 'district_approval' | 're_review') => async (_handle: WorkflowHandle, caseId: string) => {
  const a = filed.get(caseId)!;
  if (stage === 'returned') {
    await act(harness, a, 'acceptance', TOWN_STAFF, { decision: 'return', missing: ['收入证明'] });
    return;
  }
  await acceptAndVerify(harness, a);
  if (stage === 'investigation') return;
  await investigate(harness, a);
  if (stage === 'deliberation') return;
  await deliberate(harness, a);
  if (stage === 'town_review') return;
  await act(harness, a, 'review', TOWN_STAFF, { opinion: 'approve', reason: '符合条件' });
  if (stage === 'notice') return;
  await sitOutNotice(harness, a);
  if (stage === 'district_approval') return;
  // The benefit starts on the server's today; its first re-review falls 3 months later (labour capacity).
  const { benefit } = await act(harness, a, 'approval', DISTRICT_STAFF, approvalInput((await nowIso(harness)).slice(0, 10)));
  await harness.sleepUntil(Date.parse(benefit!.nextReReviewAt) + MIN);
  await reaches(a, 're_review');
};
/** Every role that takes an application step somewhere (the district approves, a supervisor extends), or anything. */
const applicationActor = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(STAFF, TOWN_STAFF, TOWN_SUPERVISOR, DISTRICT_STAFF) }, { weight: 1, arbitrary: hostile });
const applicationArgs = (valid: Record<string, unknown>) => (id: string) => fc.record({ caseId: caseIdOr(id), actor: applicationActor, input: mutated(valid) });

const KINDS: KindUnderTest[] = [
  {
    kind: 'alert',
    query: alertQuery.name,
    async start() {
      const householdId = `hh-${hex(6)}`;
      const input = { start: { householdId, level: 'red' as const, reasons: ['重病'], unit: VILLAGE, ladder: LADDER, policy: POLICY.alerts, actor: STAFF, openingRequestId: `req-${householdId}` } };
      const handle = harness.track(await harness.env.client.workflow.start(alertWorkflow, { workflowId: alertWorkflowId(householdId), taskQueue: harness.taskQueue, args: [input] }));
      const view = await eventually(() => handle.query(alertQuery));
      return { handle, caseId: view.caseId };
    },
    steps: [
      step('report', reportUpdate, () => fc.record({ requestId: fc.oneof(fc.string(), hostileScalar), level: fc.oneof(fc.constantFrom('red', 'orange', 'yellow'), hostileScalar), reasons: fc.oneof(fc.array(fc.string()), hostile), actor })),
      step('acknowledge', acknowledgeUpdate, (id) => fc.record({ caseId: caseIdOr(id), actor, note: fc.oneof(fc.string(), hostile) })),
      step('recordVisit', recordVisitUpdate, (id) =>
        fc.record({ caseId: caseIdOr(id), actor, visit: mutated({ visitors: ['李四'], visitedAt: new Date().toISOString(), outcome: 'stable', notes: '' }) }),
      ),
      step('changeLevel', changeLevelUpdate, (id) => fc.record({ caseId: caseIdOr(id), actor, level: fc.oneof(fc.constantFrom('red', 'orange', 'yellow'), hostileScalar), reason: fc.oneof(fc.constant('病情变化'), hostileScalar) })),
      step('reassign', reassignUpdate, (id) => fc.record({ caseId: caseIdOr(id), actor, unit: fc.oneof(fc.constant(TOWN), hostile), ladder: fc.oneof(fc.constant([TOWN, DISTRICT, CITY]), hostile), reason: fc.oneof(fc.constant('调整'), hostileScalar) })),
      step('close', closeUpdate, (id) => fc.record({ caseId: caseIdOr(id), actor, closure: mutated({ reason: 'converted_to_application', applicationId: 'application-x' }) })),
      step('repolicy', repolicyUpdate, (id) => fc.record({ caseId: caseIdOr(id), actor, policy: fc.oneof(fc.constant({ ...POLICY.alerts, version: 'v2' }), hostile) })),
      // Issue 12: a request (a lowering, or an early closure with its evidence), its decision, a disposition.
      step('request', requestChangeUpdate, (id) =>
        fc.record({
          caseId: caseIdOr(id),
          actor,
          request: fc.oneof(mutated({ change: 'lower', level: 'orange', reason: '好转' }), mutated({ change: 'close', closure: { reason: 'deceased', date: '2026-12-00' }, reason: '去世' })),
        }),
      ),
      step(
        'decide',
        decideRequestUpdate,
        (id) => fc.record({ caseId: caseIdOr(id), actor: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(STAFF, TOWN_SUPERVISOR) }, { weight: 1, arbitrary: hostile }), decision: mutated({ request: 'request#1', decision: 'approve', reason: '同意' }) }),
        async (handle, caseId) => void (await handle.executeUpdate(requestChangeUpdate, { args: [{ caseId, actor: STAFF, request: { change: 'lower', level: 'orange', reason: '好转' } }] })),
      ),
      step(
        'dispose',
        disposeUpdate,
        (id) => fc.record({ caseId: caseIdOr(id), actor, disposition: fc.oneof(mutated({ kind: 'temporary_assistance', amount: 100.5 }), mutated({ kind: 'no_further_action', reason: '无需' })) }),
        // A disposition follows 受理 and a visit (domain/alert.ts checkDisposeOrder).
        async (handle, caseId) => {
          await handle.executeUpdate(acknowledgeUpdate, { args: [{ caseId, actor: STAFF }] });
          await handle.executeUpdate(recordVisitUpdate, { args: [{ caseId, actor: STAFF, visit: { visitors: ['李四'], visitedAt: new Date().toISOString(), outcome: 'stable', notes: '' } }] });
        },
      ),
    ],
  },
  {
    kind: 'wish',
    query: wishQuery.name,
    async start() {
      const input = {
        start: {
          openingRequestId: `req-${hex(4)}`,
          post: { householdId: `hh-${hex(6)}`, title: '想要一台轮椅', description: '出门需要轮椅', category: 'material' as const, postedBy: 'household' as const, unit: VILLAGE, ladder: LADDER, orgPath: [CITY.code, DISTRICT.code, TOWN.code, VILLAGE.code], policy: POLICY.wishes, actor: STAFF },
        },
      };
      const handle = harness.track(await harness.env.client.workflow.start(wishWorkflow, { workflowId: wishWorkflowId(hex(6)), taskQueue: harness.taskQueue, args: [input] }));
      const view = await eventually(() => handle.query(wishQuery));
      return { handle, caseId: view.caseId };
    },
    steps: [
      step('screening', wishStepUpdates.screening, (id) => fc.record({ caseId: caseIdOr(id), actor, input: mutated({ decision: 'approve', publicTitle: '轮椅一台' }) })),
      step(
        'claim',
        wishStepUpdates.claim,
        (id) => fc.record({ caseId: caseIdOr(id), actor, input: mutated({ helperId: HELPER.helperId, fulfilBy: '2026-12-00' }), helper: fc.oneof(fc.constant(HELPER), hostile) }),
        wishAt(1),
      ),
      step('release', wishStepUpdates.release, (id) => fc.record({ caseId: caseIdOr(id), actor, input: mutated({ reason: '时间冲突' }) }), wishAt(2)),
      step('fulfilment', wishStepUpdates.fulfilment, (id) => fc.record({ caseId: caseIdOr(id), actor, input: mutated({ text: '已送达', photos: ['https://example.org/a.jpg'] }) }), wishAt(2)),
      step('confirmation', wishStepUpdates.confirmation, (id) => fc.record({ caseId: caseIdOr(id), actor, input: mutated({ confirmedBy: 'household' }) }), wishAt(3)),
      step('withdrawal', wishStepUpdates.withdrawal, (id) => fc.record({ caseId: caseIdOr(id), actor, input: mutated({ reason: '不再需要' }) }), wishAt(2)),
    ],
  },
  {
    kind: 'pairing',
    query: pairingQuery.name,
    async start() {
      const householdId = `hh-${hex(6)}`;
      const input = {
        start: {
          openingRequestId: `req-${hex(4)}`,
          open: { householdId, categories: ['minimum_subsistence' as const], unit: VILLAGE, ladder: LADDER, orgPath: [CITY.code, DISTRICT.code, TOWN.code, VILLAGE.code, MEMBER.gridCode!], policy: POLICY.pairing, trigger: 'registered' as const, actor: STAFF },
        },
      };
      const handle = harness.track(await harness.env.client.workflow.start(pairingWorkflow, { workflowId: pairingWorkflowId(householdId), taskQueue: harness.taskQueue, args: [input] }));
      const view = await eventually(() => handle.query(pairingQuery));
      return { handle, caseId: view.caseId };
    },
    steps: [
      step('assign', pairingStepUpdates.assign, (id) => fc.record({ caseId: caseIdOr(id), actor, input: mutated({ memberId: MEMBER.memberId, reason: '调整' }), member: fc.oneof(fc.constant(MEMBER), hostile) })),
      step(
        'contact',
        pairingStepUpdates.contact,
        (id) => fc.record({ caseId: caseIdOr(id), actor, input: mutated({ channel: 'visit', day: localDay(Date.now()), note: '入户走访', help: '米面油', outcome: 'stable' }) }),
        (handle, caseId) => handle.executeUpdate(pairingStepUpdates.assign, { args: [{ caseId, actor: STAFF, input: { memberId: MEMBER.memberId }, member: MEMBER }] }).then(() => undefined),
      ),
      step('end', pairingStepUpdates.end, (id) => fc.record({ caseId: caseIdOr(id), actor, input: mutated({ reason: 'moved_away', note: '迁出' }) })),
    ],
  },
  {
    kind: 'application',
    query: applicationQuery.name,
    async start() {
      // The household is registered but this file's worker has no department sources: the fan-out records every department missing at once.
      const a = await fileApplication(harness, { labourCapacity: 'labour_capacity', conflictedUsers: ['village.zhou'] });
      filed.set(a.caseId, a);
      return { handle: a.handle, caseId: a.caseId };
    },
    steps: [
      step('acceptance', applicationStepUpdates.acceptance, applicationArgs({ decision: 'return', missing: ['收入证明'], note: '' })),
      step('supplements', applicationStepUpdates.supplements, applicationArgs({ supplied: ['收入证明'] }), applicationAt('returned')),
      step('verificationResult', applicationStepUpdates.verificationResult, applicationArgs({ department: 'civil_affairs', records: [], note: '' }), applicationAt('investigation')),
      step('investigation', applicationStepUpdates.investigation, applicationArgs({ investigators: ['village.li', 'village.wang'], visitedAt: '2026-12-00T10:00:00+08:00', findings: '家中无劳动力' }), applicationAt('investigation')),
      step('deliberation', applicationStepUpdates.deliberation, applicationArgs({ kind: 'record', heldAt: new Date().toISOString(), members: 9, attendees: 10, votesFor: 6, votesAgainst: 1 }), applicationAt('deliberation')),
      step('review', applicationStepUpdates.review, applicationArgs({ opinion: 'reject', reason: '不符合条件' }), applicationAt('town_review')),
      step('objection', applicationStepUpdates.objection, applicationArgs({ text: '该户有车辆未申报', from: '邻居' }), applicationAt('notice')),
      step('extension', applicationStepUpdates.extension, applicationArgs({ stage: 'town_review', workingDays: 15, reason: '补充调查' }), applicationAt('deliberation')),
      step('approval', applicationStepUpdates.approval, applicationArgs({ decision: 'approve', category: 'minimum_subsistence', monthlyAmount: 890, startDate: '2027-02-30', reason: '符合条件' }), applicationAt('district_approval')),
      step('withdrawal', applicationStepUpdates.withdrawal, applicationArgs({ reason: '不再需要' }), applicationAt('investigation')),
      step('reReview', applicationStepUpdates.reReview, applicationArgs({ outcome: 'change', reason: '收入变化', monthlyAmount: 950 }), applicationAt('re_review')),
    ],
  },
];

const ANSWERED_BY = { name: '李书记', role: 'committee_member' };

/** An open report of the village in the read model, as the reports side writes it: a Party day puts it on its agenda. */
async function seedOpenReport(): Promise<void> {
  const reportId = `rp-${hex(8)}`;
  await harness.mongo.db.collection(COLLECTIONS.cases).insertOne({ _id: reportId as never, kind: 'report', status: 'open', unitCode: VILLAGE.code, category: 'benefit_problem', workflowId: `report-${reportId}`, view: { text: '低保金未到账' } });
}

KINDS.push(
  {
    kind: 'report',
    query: reportQuery.name,
    async start() {
      const reportId = `rp-${hex(8)}`;
      const input = { start: { openingRequestId: `req-${reportId}`, receive: { reportId, category: 'benefit_problem' as const, text: '低保金本月未到账', unit: VILLAGE, ladder: LADDER, policy: POLICY.reports } } };
      const handle = harness.track(await harness.env.client.workflow.start(reportWorkflow, { workflowId: reportWorkflowId(reportId), taskQueue: harness.taskQueue, args: [input] }));
      const view = await eventually(() => handle.query(reportQuery));
      return { handle, caseId: view.caseId };
    },
    steps: [
      step('acknowledgeReport', acknowledgeReportUpdate, (id) => fc.record({ caseId: caseIdOr(id), actor, note: fc.oneof(fc.string(), hostile) })),
      step('answerReport', answerReportUpdate, (id) =>
        fc.record({ caseId: caseIdOr(id), actor, answer: fc.oneof(fc.constant('已核实补发'), hostile), answeredBy: fc.oneof(fc.constant(ANSWERED_BY), hostile), channel: fc.oneof(fc.constantFrom('staff', 'party_day'), hostileScalar) }),
      ),
      step('markCommonIssue', markCommonIssueUpdate, (id) => fc.record({ caseId: caseIdOr(id), actor, title: fc.oneof(fc.string(), hostile) })),
    ],
  },
  {
    kind: 'party-day',
    query: partyDayQuery.name,
    idField: 'partyDayId',
    async start() {
      await seedOpenReport();
      const at = await harness.env.currentTimeMs();
      const input = { start: { unitCode: VILLAGE.code, unit: VILLAGE, ladder: LADDER, policy: { ...POLICY.partyDay, version: POLICY.version }, scheduledAt: new Date(at).toISOString() } };
      const handle = harness.track(await harness.env.client.workflow.start(partyDayWorkflow, { workflowId: `${partyDayWorkflowId(VILLAGE.code)}-${hex(4)}`, taskQueue: harness.taskQueue, args: [input] }));
      const view = await eventually(async () => {
        const v = await handle.query(partyDayQuery);
        if (!v) throw new Error('not opened yet');
        return v;
      });
      return { handle, caseId: view.partyDayId };
    },
    steps: [
      step('answer', answerUpdate, (id) =>
        fc.record({ partyDayId: caseIdOr(id), actor, itemId: fc.oneof(fc.constant('Q1'), hostileScalar), answer: fc.oneof(fc.constant('已答复'), hostile), answeredBy: fc.oneof(fc.constant(ANSWERED_BY), hostile) }),
      ),
    ],
  },
);

/** Orders (督办单): the village replies; the district, which issued it, accepts or returns the reply. */
const issuerOr = fc.oneof({ weight: 4, arbitrary: fc.constant(ORDER_ISSUER) }, { weight: 1, arbitrary: fc.oneof(fc.constantFrom(STAFF, TOWN_STAFF), hostile) });
const orderReplied = async (handle: WorkflowHandle, caseId: string) => {
  await orderStep(handle as never, caseId, 'reply', ORDER_REPLIER, { text: '已处理' });
};
KINDS.push({
  kind: 'order',
  query: orderQuery.name,
  async start() {
    const { handle, caseId } = await startOrder(harness, { replyIn: 3 * 24 * 60 * MIN });
    return { handle: handle as unknown as WorkflowHandle, caseId };
  },
  steps: [
    step('reply', orderStepUpdates.reply, (id) => fc.record({ caseId: caseIdOr(id), actor, input: mutated({ text: '已入户核实', evidence: '走访记录', attachments: ['att-1'] }) })),
    step('accept', orderStepUpdates.accept, (id) => fc.record({ caseId: caseIdOr(id), actor: issuerOr, input: mutated({ note: '同意办结' }) }), orderReplied),
    step(
      'sendBack',
      orderStepUpdates.sendBack,
      (id) => fc.record({ caseId: caseIdOr(id), actor: issuerOr, input: mutated({ reason: '缺少材料', replyBy: '2026-12-00T10:00:00+08:00' }) }),
      orderReplied,
    ),
  ],
});

/** Patrols (巡查): the one step, the record, by the village's staff (a party member must be among the members). */
let patrolDay = '';
KINDS.push({
  kind: 'patrol',
  query: patrolQuery.name,
  async start() {
    const t0 = await harness.env.currentTimeMs();
    patrolDay = localDay(t0);
    const { handle, caseId } = await startPatrol(harness, t0);
    // Like the Party day, a patrol claims its cycle before it opens and registers its step: updates wait for the opening.
    await eventually(() => handle.query(patrolQuery));
    return { handle: handle as unknown as WorkflowHandle, caseId };
  },
  steps: [
    step('record', recordPatrolUpdate, (id) =>
      fc.record({
        caseId: caseIdOr(id),
        actor,
        input: mutated({ day: patrolDay, members: [STAFF.userId], visited: [{ householdId: 'hh-0123456789ab', focusGroup: 'accident', finding: 'ok' }, { description: '一户外来人员', focusGroup: 'other', finding: 'concern', note: '需关注' }], note: '巡查' }),
      }),
    ),
  ],
});

/** Active discovery (主动发现): the town decides — no action, or an alert whose opening fails here (no Temporal client) and is recorded. */
KINDS.push({
  kind: 'discovery',
  query: discoveryQuery.name,
  async start() {
    const { handle, caseId } = await startDiscovery(harness, { urgency: 'urgent' });
    return { handle: handle as unknown as WorkflowHandle, caseId };
  },
  steps: [
    step('decide', decideDiscoveryUpdate, (id) =>
      fc.record({
        caseId: caseIdOr(id),
        actor,
        input: fc.oneof(mutated({ outcome: 'no_action', reason: '经核实暂无困难' }), mutated({ outcome: 'alert', level: 'red', opening: { workflowId: 'alert-hh-0123456789ab', start: { householdId: 'hh-0123456789ab' }, args: {} } }), mutated({ outcome: 'referral', referredTo: '区残联' })),
      }),
    ),
  ],
});

/** Application intake (申请受理): the town accepts — whose application fails to open here (no Temporal client) and is recorded — or returns. */
KINDS.push({
  kind: 'intake',
  query: intakeQuery.name,
  async start() {
    const { handle, caseId } = await startIntake(harness);
    return { handle: handle as unknown as WorkflowHandle, caseId };
  },
  steps: [
    step('accept', acceptIntakeUpdate, (id) => fc.record({ caseId: caseIdOr(id), actor, input: mutated(intakeAcceptInput() as unknown as Record<string, unknown>) })),
    step('return', returnIntakeUpdate, (id) => fc.record({ caseId: caseIdOr(id), actor, input: mutated({ reason: '材料不齐：缺收入证明' }) })),
  ],
});

/** Sends one update: it succeeds or is refused as a rule; a hang (a failing workflow task retries for ever) fails the test. */
async function send(handle: WorkflowHandle, s: StepUnderTest, args: unknown): Promise<'done' | 'refused' | 'ended'> {
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${s.name}: no answer in 20 s (a failing workflow task?) for ${JSON.stringify(args)?.slice(0, 300)}`)), 20_000));
  try {
    await Promise.race([handle.executeUpdate(s.update, { args: [args as never] }), timeout]);
    return 'done';
  } catch (err) {
    // A valid closing step ended the run: later updates find no running workflow (the API answers 409).
    if (err instanceof WorkflowNotFoundError && (await handle.describe()).status.name === 'COMPLETED') return 'ended';
    if (!(err instanceof WorkflowUpdateFailedError)) throw err;
    const cause = err.cause;
    expect(cause, `${s.name}: ${JSON.stringify(args)?.slice(0, 300)}`).toBeInstanceOf(ApplicationFailure);
    expect(REFUSALS, `${s.name} refused with ${(cause as ApplicationFailure).type}: ${cause?.message}`).toContain((cause as ApplicationFailure).type);
    return 'refused';
  }
}

/** The failed workflow tasks in a run's history (every run of the chain, continued-as-new or not). */
async function failedTasks(handle: WorkflowHandle): Promise<string[]> {
  const history = await harness.env.client.workflow.getHandle(handle.workflowId).fetchHistory();
  const Failed = temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED;
  // UNHANDLED_COMMAND is the server's, not ours: the run tried to complete while an update arrived, and the
  // worker simply takes the next task with it. Anything else (our code threw, non-determinism) is a failure.
  const Benign = temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND;
  return (history.events ?? [])
    .filter((e) => e.eventType === Failed && e.workflowTaskFailedEventAttributes?.cause !== Benign)
    .map((e) => `${e.workflowTaskFailedEventAttributes?.failure?.message ?? 'failed'} ${e.workflowTaskFailedEventAttributes?.failure?.stackTrace ?? ''} cause=${e.workflowTaskFailedEventAttributes?.cause}`);
}

describe.each(KINDS)('$kind: generated and hostile inputs to every step', (k) => {
  it.each(k.steps.map((s) => [s.name, s] as const))('%s never fails a workflow task', async (_name, s) => {
    const { handle, caseId } = await k.start();
    await s.before?.(handle, caseId);
    const outcomes = { done: 0, refused: 0, ended: 0 };
    await fc.assert(
      fc.asyncProperty(s.args(caseId), async (args) => {
        outcomes[await send(handle, s, args)] += 1;
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    expect(await failedTasks(handle)).toEqual([]);
    // The case still answers after the barrage.
    expect(await handle.query<Record<string, unknown>>(k.query)).toMatchObject({ [k.idField ?? 'caseId']: caseId });
    expect(outcomes.done + outcomes.refused + outcomes.ended).toBe(RUNS);
    // The hostile inputs were refused (or a valid one closed the case first): a step that accepted everything would check nothing.
    expect(outcomes.refused + outcomes.ended).toBeGreaterThan(0);
  });
});

describe('the inputs that once failed a workflow task', () => {
  it('a wish claim dated 2026-12-00 is refused (422), and the wish answers the next step at once', async () => {
    const wish = KINDS.find((k) => k.kind === 'wish')!;
    const { handle, caseId } = await wish.start();
    await wishAt(1)(handle, caseId);
    const claim = wish.steps.find((s) => s.name === 'claim')!;
    const args = { caseId, actor: STAFF, input: { helperId: HELPER.helperId, fulfilBy: '2026-12-00' }, helper: HELPER };
    const err = await handle.executeUpdate(claim.update, { args: [args as never] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(((err as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe('unprocessable');
    expect(((err as WorkflowUpdateFailedError).cause as ApplicationFailure).message).toMatch(/fulfilBy/);
    await handle.executeUpdate(claim.update, { args: [{ ...args, input: { helperId: HELPER.helperId } } as never] });
    expect(await handle.query<{ stage: string }>(wish.query)).toMatchObject({ stage: 'claimed' });
    expect(await failedTasks(handle)).toEqual([]);
  });

  it('a visit whose notes hold a NUL is refused (422) at the gate: the read model, which cannot store it, keeps up with the alert', async () => {
    const alert = KINDS.find((k) => k.kind === 'alert')!;
    const { handle, caseId } = await alert.start();
    const visit = { visitors: ['李四'], visitedAt: new Date(await harness.env.currentTimeMs()).toISOString(), outcome: 'stable', notes: 'a\u0000b' };
    const err = await handle.executeUpdate(recordVisitUpdate, { args: [{ caseId, actor: STAFF, visit } as never] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(((err as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe('unprocessable');
    expect(((err as WorkflowUpdateFailedError).cause as ApplicationFailure).message).toMatch(/^visit\.notes: contains a control character/);
    // A bidi override, which the read model could store, is refused at the gate too (issue 11 item 4).
    const bidi = await handle.executeUpdate(recordVisitUpdate, { args: [{ caseId, actor: STAFF, visit: { ...visit, notes: 'a\u202eb' } } as never] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(((bidi as WorkflowUpdateFailedError).cause as ApplicationFailure).message).toMatch(/^visit\.notes: contains a control character, a bidirectional control/);
    const done = await handle.executeUpdate(recordVisitUpdate, { args: [{ caseId, actor: STAFF, visit: { ...visit, notes: '正常' } } as never] });
    await eventually(async () => expect((await harness.mongo.db.collection<{ _id: string; version: number }>(COLLECTIONS.cases).findOne({ _id: caseId }))?.version).toBe((done as { version: number }).version));
  });

  it('an alert report at a level that does not exist is refused (422), and the alert goes on', async () => {
    const alert = KINDS.find((k) => k.kind === 'alert')!;
    const { handle, caseId } = await alert.start();
    const report = alert.steps.find((s) => s.name === 'report')!;
    const err = await handle.executeUpdate(report.update, { args: [{ requestId: 'r2', level: 'purple', reasons: [], actor: STAFF } as never] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(((err as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe('unprocessable');
    expect(((err as WorkflowUpdateFailedError).cause as ApplicationFailure).message).toMatch(/level/);
    expect(await handle.query<{ caseId: string }>(alert.query)).toMatchObject({ caseId });
    expect(await failedTasks(handle)).toEqual([]);
  });
});

describe('the permission matrix holds inside the workflow, whatever path an update takes', () => {
  const refusedAs = async (promise: Promise<unknown>) => {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    return (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
  };

  it('a city monitor acknowledging an alert and village staff screening a wish are refused as forbidden; the allowed role goes on', async () => {
    const MONITOR: Actor = { userId: 'city.monitor', role: 'city_monitor', unitCode: CITY.code };
    const alert = KINDS.find((k) => k.kind === 'alert')!;
    const a = await alert.start();
    const byMonitor = await refusedAs(a.handle.executeUpdate(acknowledgeUpdate, { args: [{ caseId: a.caseId, actor: MONITOR }] }));
    expect(byMonitor.type).toBe('forbidden');
    expect(byMonitor.message).toMatch(/city_monitor may not do this \(alert\.acknowledge\)/);
    await a.handle.executeUpdate(acknowledgeUpdate, { args: [{ caseId: a.caseId, actor: STAFF }] });

    const wish = KINDS.find((k) => k.kind === 'wish')!;
    const w = await wish.start();
    const screening = { caseId: w.caseId, input: { decision: 'approve', publicTitle: '轮椅一台' } };
    const byVillage = await refusedAs(w.handle.executeUpdate(wishStepUpdates.screening, { args: [{ ...screening, actor: STAFF }] }));
    expect(byVillage.type).toBe('forbidden');
    expect(byVillage.message).toMatch(/wish\.screening.*allowed: town_staff, town_supervisor, admin/);
    expect(await w.handle.executeUpdate(wishStepUpdates.screening, { args: [{ ...screening, actor: TOWN_STAFF }] })).toMatchObject({ stage: 'open' });
    expect(await failedTasks(w.handle)).toEqual([]);
  });
});
