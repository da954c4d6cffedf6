import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { createFileSources } from '../activities/departments/file-source';
import { localDay, localMonth, nextLocalMidnight, shiftMonth } from '../domain/china-time';
import { partyDayStartsAt } from '../domain/party-day';
import { findCase } from '../store/cases';
import { acknowledgeUpdate, alertQuery, changeLevelUpdate, closeUpdate, reassignUpdate, recordVisitUpdate, repolicyUpdate, reportUpdate } from '../workflows/alert/contract';
import { acknowledgeReportUpdate, answerReportUpdate, markCommonIssueUpdate, reportQuery } from '../workflows/report/contract';
import { partyDayQuery } from '../workflows/party-day/contract';
import { wishQuery } from '../workflows/wish/contract';
import { SAMPLE_DEPARTMENT_DATA } from '../test/helpers/context';
import { historyToJsonValue, type RecordedHistory } from '../test/helpers/history-json';
import { completed, nowIso, quiet, refusal, runsOf, until } from '../test/helpers/drivers/common';
import { ALERT_POLICY, ALERT_STAFF, decideRequest, disposeAlert, requestChange, startAlert, TOWN_SUPERVISOR as ALERT_TOWN_SUPERVISOR, visitAlert, visitWith } from '../test/helpers/drivers/alert';
import {
  acceptAndVerify,
  act,
  applicationView,
  approvalInput,
  deliberate,
  DISTRICT_STAFF,
  fileApplication,
  GRID_WORKER,
  investigate,
  reaches,
  resultOf,
  sitOutNotice,
  toTownReview,
  TOWN_STAFF,
  TOWN_STAFF_2,
  TOWN_SUPERVISOR,
  VILLAGE_STAFF,
} from '../test/helpers/drivers/application';
import { ANSWERED_BY, REPORT_STAFF, startReport } from '../test/helpers/drivers/report';
import { ORGANISATION, PARTY_MEMBER, PM_HELPER, postWish, WISH_TOWN_STAFF, WISH_VILLAGE_STAFF, wishStep } from '../test/helpers/drivers/wish';
import { answerItem, seedAgenda, startPartyDay } from '../test/helpers/drivers/party-day';
import { ORDER_ISSUER, ORDER_REPLIER, orderStep, startOrder } from '../test/helpers/drivers/order';
import { patrolRecord, recordPatrol, startPatrol } from '../test/helpers/drivers/patrol';
import { MEMBER, MEMBER_ACTOR, OTHER_MEMBER, openPairing, PAIRING_VILLAGE_STAFF, pairingStep } from '../test/helpers/drivers/pairing';
import { pairingQuery } from '../workflows/pairing/contract';
import { decide as decideDiscovery, DISCOVERY_DECIDER, redAlertOpening, startDiscovery } from '../test/helpers/drivers/discovery';
import { alertWorkflowId } from '../workflows/alert/contract';
import { accept as acceptIntake, acceptInput as intakeAcceptInput, INTAKE_CALENDAR, INTAKE_POLICY, returnIt as returnIntake, startIntake } from '../test/helpers/drivers/intake';
import { acceptDueAt } from '../domain/intake';
import { applicationWorkflowId } from '../workflows/application/contract';
import { createTimeSkippingHarness, D, H, MIN, TOWN, DISTRICT, CITY, type TimeSkippingHarness } from '../test/helpers/time-skipping';
import { freePort } from './lib/proc';
import { startMongo } from './lib/stack';
import { ensureTestServer } from './lib/tools';

/**
 * `npm run record:histories [scenario…]`: re-records the workflow histories that test/workflows/replay.test.ts
 * replays (test/replay/histories/<kind>-<path>.json). Runs every scenario below on real servers — the Java
 * time-skipping test server (its launcher from scripts/lib/tools.ts) and the local read model (FerretDB on a
 * private PostgreSQL, scripts/lib/stack.ts) — with the real activities and the sample department extracts,
 * and writes each workflow's history (every run of a continue-as-new chain, `-run<n>`) with its workflow id.
 *
 * Re-record only to add a scenario or when a workflow was deliberately retired — never to make a failing
 * replay pass: a replay that fails means the change needs `patched()` (docs/determinism.md). Naming
 * scenarios re-records only those and leaves the other files as they are.
 */

const OUT = resolve(import.meta.dirname, '../test/replay/histories');
const OTHER_VILLAGE = { code: '371002001002', name: '戚谷疃社区居委会', level: 'village' as const };
const OTHER_LADDER = [OTHER_VILLAGE, TOWN, DISTRICT, CITY];

type Save = (name: string, handle: WorkflowHandleWithFirstExecutionRunId) => Promise<void>;
interface Scenario {
  name: string;
  run(h: TimeSkippingHarness, save: Save): Promise<void>;
}

const scenarios: Scenario[] = [
  // ------------------------------------------------------------------------------------------ alerts
  {
    name: 'alert-red-acknowledged-visited-closed',
    async run(h, save) {
      const { handle, caseId, openedAt: t0 } = await startAlert(h, 'red');
      await h.sleepUntil(t0 + 19 * H); // past the 75 % warning
      await handle.executeUpdate(acknowledgeUpdate, { args: [{ caseId, actor: ALERT_STAFF, note: '已受理' }] });
      await h.sleepUntil(t0 + 23 * H);
      await visitAlert(h, handle, caseId);
      await h.sleepUntil(t0 + 30 * H);
      await handle.executeUpdate(closeUpdate, { args: [{ caseId, actor: ALERT_STAFF, closure: { reason: 'resolved', note: '已处置' } }] });
      await handle.result();
      await save('alert-red-acknowledged-visited-closed', handle);
    },
  },
  {
    name: 'alert-red-escalation-ladder',
    async run(h, save) {
      const { handle, openedAt: t0 } = await startAlert(h, 'red');
      // Town at 24 h, district at 48 h, city at 72 h; then nothing left to wait for (left open).
      await h.sleepUntil(t0 + 80 * H);
      await until('the third escalation', async () => (await handle.query(alertQuery)).escalations.length === 3);
      await save('alert-red-escalation-ladder', handle);
    },
  },
  {
    name: 'alert-yellow-weekly-continue-as-new',
    async run(h, save) {
      const { handle, caseId, openedAt: t0 } = await startAlert(h, 'yellow', { continueAsNewAfterEvents: 40 });
      // Visits in weeks 1, 2, 4 (late for week 3), 5, 8 (late for weeks 6–7), 9; none in week 10 (left open, escalated).
      for (const day of [2, 9, 25, 30, 50, 58]) {
        await h.sleepUntil(t0 + day * D);
        await quiet(h, handle.workflowId);
        await visitAlert(h, handle, caseId);
      }
      await h.sleepUntil(t0 + 70 * D + 12 * H);
      await save('alert-yellow-weekly-continue-as-new', handle);
    },
  },
  {
    name: 'alert-level-changes',
    async run(h, save) {
      const { handle, caseId, openedAt: t0 } = await startAlert(h, 'yellow');
      await h.sleepUntil(t0 + 3 * D + 5 * H);
      await handle.executeUpdate(changeLevelUpdate, { args: [{ caseId, actor: ALERT_STAFF, level: 'red', reason: '病情加重' }] });
      await handle.executeUpdate(acknowledgeUpdate, { args: [{ caseId, actor: ALERT_STAFF }] });
      await h.sleepUntil(t0 + 4 * D + 6 * H); // the red's 24 h have passed: escalated to the town
      await visitAlert(h, handle, caseId);
      await handle.executeUpdate(changeLevelUpdate, { args: [{ caseId, actor: ALERT_STAFF, level: 'orange', reason: '病情好转' }] });
      // A repeat report at another level changes it again (the report update, as the API sends it).
      await handle.executeUpdate(reportUpdate, { args: [{ requestId: 'req-repeat-1', level: 'yellow', reasons: ['病情稳定'], actor: ALERT_STAFF }] });
      await handle.executeUpdate(reportUpdate, { args: [{ requestId: 'req-repeat-2', level: 'yellow', reasons: ['复诊'], actor: ALERT_STAFF }] });
      await h.sleepUntil(t0 + 6 * D);
      await save('alert-level-changes', handle);
    },
  },
  {
    name: 'alert-reassigned-repolicied',
    async run(h, save) {
      const { handle, caseId, openedAt: t0 } = await startAlert(h, 'orange');
      await h.sleepUntil(t0 + 10 * H);
      await handle.executeUpdate(reassignUpdate, { args: [{ caseId, actor: ALERT_STAFF, unit: OTHER_VILLAGE, ladder: OTHER_LADDER, reason: '户籍迁至戚谷疃社区' }] });
      const shorter = { ...ALERT_POLICY, version: 'replay-shorter-orange', levels: { ...ALERT_POLICY.levels, orange: { ...ALERT_POLICY.levels.orange, dueMs: 48 * H } } };
      await handle.executeUpdate(repolicyUpdate, { args: [{ caseId, actor: ALERT_STAFF, policy: shorter }] });
      await h.sleepUntil(t0 + 49 * H); // escalated up the new unit's ladder under the new policy
      await visitAlert(h, handle, caseId, { ...ALERT_STAFF, unitCode: OTHER_VILLAGE.code });
      await handle.executeUpdate(closeUpdate, { args: [{ caseId, actor: ALERT_STAFF, closure: { reason: 'resolved', note: '已处置' } }] });
      await handle.result();
      await save('alert-reassigned-repolicied', handle);
    },
  },
  {
    name: 'alert-refused-updates',
    async run(h, save) {
      const { handle, caseId } = await startAlert(h, 'red');
      await handle.executeUpdate(acknowledgeUpdate, { args: [{ caseId, actor: ALERT_STAFF }] });
      // Refused in the validator, so none of these enter the history.
      await refusal(handle.executeUpdate(acknowledgeUpdate, { args: [{ caseId, actor: ALERT_STAFF }] }));
      const future = new Date((await h.env.currentTimeMs()) + 2 * H).toISOString();
      await refusal(handle.executeUpdate(recordVisitUpdate, { args: [{ caseId, actor: ALERT_STAFF, visit: { visitors: ['李四'], visitedAt: future, outcome: 'stable', notes: '' } }] }));
      await refusal(handle.executeUpdate(acknowledgeUpdate, { args: [{ caseId: `${caseId}-older`, actor: ALERT_STAFF }] }));
      await refusal(handle.executeUpdate(changeLevelUpdate, { args: [{ caseId, actor: ALERT_STAFF, level: 'red', reason: '重复' }] }));
      await visitAlert(h, handle, caseId);
      await save('alert-refused-updates', handle);
    },
  },
  {
    // Issue 12: red met by 受理, a visit and a disposition (late, after a decision deadline opened by needs_assistance);
    // a lowering refused, then approved; orange's revisit missed and escalated; an early closure approved.
    name: 'alert-follow-up-approvals',
    async run(h, save) {
      const { handle, caseId, openedAt: t0 } = await startAlert(h, 'red');
      await handle.executeUpdate(acknowledgeUpdate, { args: [{ caseId, actor: ALERT_STAFF }] });
      await h.sleepUntil(t0 + 2 * H);
      await visitWith(h, handle, caseId, 'needs_assistance');
      await h.sleepUntil(t0 + 25 * H); // red escalated to the town
      await refusal(decideRequest(handle, caseId, { request: 'request#1', decision: 'approve', reason: '无申请' }));
      await disposeAlert(handle, caseId, { kind: 'temporary_assistance', amount: 1200 });
      await requestChange(handle, caseId, { change: 'lower', level: 'orange', reason: '已救助' });
      await h.sleepUntil(t0 + 30 * H);
      await decideRequest(handle, caseId, { request: 'request#1', decision: 'refuse', reason: '需再次走访' });
      await requestChange(handle, caseId, { change: 'lower', level: 'orange', reason: '已救助并走访' });
      await h.sleepUntil(t0 + 52 * H); // the approval escalated from the town to the district
      await decideRequest(handle, caseId, { request: 'request#2', decision: 'approve', reason: '同意' });
      await h.sleepUntil(t0 + 60 * H);
      await visitAlert(h, handle, caseId); // orange met: revisit#1 opens
      await h.sleepUntil(t0 + 60 * H + 16 * D); // revisit#1 missed and escalated
      await visitAlert(h, handle, caseId);
      await h.sleepUntil(t0 + 60 * H + 17 * D);
      await requestChange(handle, caseId, { change: 'close', closure: { reason: 'moved_away', date: localDay(t0) }, reason: '已迁出' });
      await decideRequest(handle, caseId, { request: 'request#3', decision: 'approve', reason: '核实已迁出' }, ALERT_TOWN_SUPERVISOR);
      await handle.result();
      await save('alert-follow-up-approvals', handle);
    },
  },
  // ------------------------------------------------------------------------------------ applications
  {
    name: 'application-in-benefit-re-reviews',
    async run(h, save) {
      // The whole path to in_benefit, then quarterly re-reviews (labour capacity) across continue-as-new.
      const a = await fileApplication(h, { labourCapacity: 'labour_capacity', continueAsNewAfterEvents: 60 });
      await acceptAndVerify(h, a);
      await refusal(act(h, a, 'extension', TOWN_STAFF, { stage: 'town_review', workingDays: 10, reason: '需补充入户调查' }));
      await act(h, a, 'extension', TOWN_SUPERVISOR, { stage: 'town_review', workingDays: 15, reason: '需补充入户调查' });
      // A department without a feed, answered by hand.
      await act(h, a, 'verificationResult', TOWN_STAFF, { department: 'housing_fund', records: [], note: '公积金中心书面答复：无缴存记录' });
      await investigate(h, a);
      await deliberate(h, a);
      await act(h, a, 'review', TOWN_STAFF, { opinion: 'approve', reason: '经审核符合低保条件' });
      const atDistrict = await sitOutNotice(h, a);
      await refusal(act(h, a, 'approval', DISTRICT_STAFF, approvalInput('2027-02-30')));
      const startDate = localDay(Date.parse(atDistrict.notices[0]!.endedAt!));
      await act(h, a, 'approval', DISTRICT_STAFF, approvalInput(startDate));
      for (const input of [
        { outcome: 'renew', reason: '家庭情况未变' },
        { outcome: 'change', reason: '就业收入减少', monthlyAmount: 950 },
        { outcome: 'stop', reason: '家庭人均收入超过低保标准' },
      ]) {
        await h.sleepUntil(Date.parse((await applicationView(a)).benefit!.nextReReviewAt!) + MIN);
        await reaches(a, 're_review');
        await act(h, a, 'reReview', TOWN_STAFF, input);
      }
      await resultOf(h, a);
      await save('application-in-benefit-re-reviews', a.handle);
    },
  },
  {
    name: 'application-returned-supplemented-withdrawn',
    async run(h, save) {
      const a = await fileApplication(h);
      const returned = await act(h, a, 'acceptance', TOWN_STAFF, { decision: 'return', missing: ['户口簿复印件', '收入证明'], note: '请一次补齐' });
      await h.sleepUntil(Date.parse(returned.materials[0]!.returnedAt) + 2 * D);
      await refusal(act(h, a, 'supplements', VILLAGE_STAFF, { supplied: ['户口簿复印件'] }));
      await act(h, a, 'supplements', VILLAGE_STAFF, { supplied: ['收入证明', '户口簿复印件'] });
      await acceptAndVerify(h, a);
      await act(h, a, 'withdrawal', VILLAGE_STAFF, { reason: '申请人家庭收入已增加，主动撤回' });
      await resultOf(h, a);
      await save('application-returned-supplemented-withdrawn', a.handle);
    },
  },
  {
    name: 'application-escalated-reviewed-late',
    async run(h, save) {
      const a = await fileApplication(h);
      await toTownReview(h, a);
      // The town's 15 working days pass: at risk, then escalated to the town and two days later to the district.
      await h.sleepUntil(Date.parse((await applicationView(a)).due!.dueAt) + 2 * D + MIN);
      await until('two escalations', async () => (await applicationView(a)).escalations.length === 2);
      await act(h, a, 'review', TOWN_STAFF, { opinion: 'approve', reason: '经审核符合低保条件' });
      await save('application-escalated-reviewed-late', a.handle);
    },
  },
  {
    name: 'application-objection-second-round',
    async run(h, save) {
      const a = await fileApplication(h);
      await toTownReview(h, a);
      const first = await act(h, a, 'review', TOWN_STAFF, { opinion: 'approve', reason: '经审核符合低保条件' });
      await h.sleepUntil(Date.parse(first.notices[0]!.startedAt) + 3 * D);
      await act(h, a, 'objection', GRID_WORKER, { text: '该户有一辆小型轿车未申报', from: '邻居（匿名）' });
      await reaches(a, 'town_review');
      await act(h, a, 'review', TOWN_STAFF_2, { opinion: 'approve', reason: '复核：车辆已于2025年转让，仍符合条件' });
      await sitOutNotice(h, a);
      await act(h, a, 'approval', DISTRICT_STAFF, approvalInput('2027-02-01'));
      await save('application-objection-second-round', a.handle);
    },
  },
  {
    name: 'application-rejected-by-town',
    async run(h, save) {
      const a = await fileApplication(h);
      await acceptAndVerify(h, a);
      await investigate(h, a);
      // A meeting without quorum first (5 of 9), then one with (6 of 9).
      await act(h, a, 'deliberation', VILLAGE_STAFF, { kind: 'schedule', scheduledAt: await nowIso(h), place: '海港社区会议室' });
      await act(h, a, 'deliberation', VILLAGE_STAFF, { kind: 'record', heldAt: await nowIso(h), members: 9, attendees: 5, votesFor: 5, votesAgainst: 0 });
      await h.sleepUntil((await h.env.currentTimeMs()) + 3 * D);
      await deliberate(h, a);
      await refusal(act(h, a, 'review', TOWN_STAFF, { opinion: 'reject', reason: '家庭人均收入超过当地低保标准' }));
      await act(h, a, 'review', TOWN_STAFF, { opinion: 'reject', reason: '家庭人均收入超过当地低保标准', noticeText: '不予通过审核告知书：……如不服，可申请复议。' });
      await resultOf(h, a);
      await save('application-rejected-by-town', a.handle);
    },
  },
  {
    name: 'application-from-alert',
    async run(h, save) {
      const alert = await startAlert(h, 'orange');
      // The conversion finds the alert through the read model.
      await until('the alert in the read model', async () => (await findCase(h.mongo.db, alert.caseId)) !== null);
      await h.sleepUntil(alert.openedAt + 5 * H);
      const a = await fileApplication(h, { fromAlert: { alertId: alert.caseId, householdId: alert.householdId } });
      await completed(alert.handle);
      await acceptAndVerify(h, a);
      await save('application-from-alert', a.handle);
      await save('alert-converted-to-application', alert.handle);
    },
  },
  // ----------------------------------------------------------------------------------------- reports
  {
    name: 'report-acknowledged-answered',
    async run(h, save) {
      const { handle, caseId, receivedAt: t0 } = await startReport(h, 'assistance_policy');
      await h.sleepUntil(t0 + 47 * H);
      await handle.executeUpdate(acknowledgeReportUpdate, { args: [{ caseId, actor: REPORT_STAFF, note: '已受理' }] });
      await h.sleepUntil(t0 + 5 * D);
      await handle.executeUpdate(answerReportUpdate, { args: [{ caseId, actor: REPORT_STAFF, answer: '政策已当面解释', answeredBy: ANSWERED_BY, channel: 'staff' }] });
      await handle.result();
      await save('report-acknowledged-answered', handle);
    },
  },
  {
    name: 'report-escalated-answered-late',
    async run(h, save) {
      const { handle, caseId, receivedAt: t0 } = await startReport(h, 'missed_household');
      // 受理 missed: the town at 48 h, the district at 96 h; then acknowledged, and answered late on day 13.
      await h.sleepUntil(t0 + 96 * H + MIN);
      await handle.executeUpdate(acknowledgeReportUpdate, { args: [{ caseId, actor: REPORT_STAFF }] });
      await h.sleepUntil(t0 + 12 * D + MIN);
      await refusal(handle.executeUpdate(answerReportUpdate, { args: [{ caseId, actor: REPORT_STAFF, answer: '  ', answeredBy: { name: '王', role: 'mayor' as never }, channel: 'staff' }] }));
      await h.sleepUntil(t0 + 13 * D);
      await handle.executeUpdate(answerReportUpdate, { args: [{ caseId, actor: REPORT_STAFF, answer: '已补发', answeredBy: ANSWERED_BY, channel: 'staff' }] });
      await handle.result();
      await save('report-escalated-answered-late', handle);
    },
  },
  {
    name: 'report-common-issue',
    async run(h, save) {
      const reports = [];
      for (let i = 0; i < 3; i++) {
        reports.push(await startReport(h, 'benefit_problem', OTHER_VILLAGE));
        await quiet(h, reports.at(-1)!.handle.workflowId);
        await h.sleepUntil((await h.env.currentTimeMs()) + H);
      }
      const [first, , third] = reports as [(typeof reports)[0], (typeof reports)[0], (typeof reports)[0]];
      await until('the proposal', async () => (await third.handle.query(reportQuery)).commonIssue !== null);
      // Staff of the reports' own village: the validators refuse an actor outside a case's unit.
      const staff = { ...REPORT_STAFF, unitCode: OTHER_VILLAGE.code };
      await first.handle.executeUpdate(markCommonIssueUpdate, { args: [{ caseId: first.caseId, actor: staff, title: '低保金发放延迟' }] });
      await refusal(first.handle.executeUpdate(markCommonIssueUpdate, { args: [{ caseId: first.caseId, actor: staff }] }));
      await save('report-common-issue-marked', first.handle);
      await save('report-common-issue-proposed', third.handle);
    },
  },
  // ------------------------------------------------------------------------------------------ pairings
  {
    name: 'pairing-assigned-late-contacts-missed-ended',
    async run(h, save) {
      const { handle, caseId, openedAt: t0 } = await openPairing(h);
      // The assignment is missed (town at 7 days), then made late; a re-assignment with its reason.
      await h.sleepUntil(t0 + 8 * D);
      await pairingStep(handle, caseId, 'assign', PAIRING_VILLAGE_STAFF, { memberId: MEMBER.memberId }, MEMBER);
      await refusal(pairingStep(handle, caseId, 'assign', PAIRING_VILLAGE_STAFF, { memberId: OTHER_MEMBER.memberId }, OTHER_MEMBER));
      await pairingStep(handle, caseId, 'assign', PAIRING_VILLAGE_STAFF, { memberId: OTHER_MEMBER.memberId, reason: '原帮包党员外出务工' }, OTHER_MEMBER);
      // A contact on time (by staff for the member; contact#1 is due 30 days after the assignment, t0 + 38 days),
      // an extra one at once (the next period, contact#2, opens only at t0 + 38 days), then contact#2 missed
      // (due t0 + 68 days: the town, the district 3 days later), then a late one.
      await h.sleepUntil(t0 + 20 * D);
      await pairingStep(handle, caseId, 'contact', PAIRING_VILLAGE_STAFF, { channel: 'phone', day: localDay(await h.env.currentTimeMs()), note: '电话问候' });
      await pairingStep(handle, caseId, 'contact', PAIRING_VILLAGE_STAFF, { channel: 'phone', day: localDay(await h.env.currentTimeMs()), note: '再次电话' });
      await h.sleepUntil(t0 + 75 * D);
      await pairingStep(handle, caseId, 'contact', PAIRING_VILLAGE_STAFF, { channel: 'help', day: localDay(await h.env.currentTimeMs()), note: '送去米面油', help: '米面油一套' });
      await h.sleepUntil(t0 + 80 * D);
      await pairingStep(handle, caseId, 'end', PAIRING_VILLAGE_STAFF, { reason: 'moved_away', note: '已迁往外地' });
      await handle.result();
      await save('pairing-assigned-late-contacts-missed-ended', handle);
    },
  },
  {
    name: 'pairing-visit-forwarded-to-alert',
    async run(h, save) {
      const alert = await startAlert(h, 'orange');
      const { handle, caseId } = await openPairing(h, alert.householdId);
      await pairingStep(handle, caseId, 'assign', PAIRING_VILLAGE_STAFF, { memberId: MEMBER.memberId }, MEMBER);
      await until('the alert in the read model', async () => (await h.mongo.db.collection<{ _id: string }>('cases').findOne({ _id: alert.caseId })) !== null);
      await pairingStep(handle, caseId, 'contact', MEMBER_ACTOR, { channel: 'visit', day: localDay(await h.env.currentTimeMs()), note: '入户走访', outcome: 'stable' });
      await until('the forwarded visit', async () => (await handle.query(pairingQuery)).lastContact?.forwarded?.status === 'recorded');
      await save('pairing-visit-forwarded-to-alert', handle);
    },
  },
  // ------------------------------------------------------------------------------------------ wishes
  {
    name: 'wish-fulfilled-confirmed',
    async run(h, save) {
      const { handle, caseId, postedAt: t0 } = await postWish(h);
      await h.sleepUntil(t0 + H);
      await wishStep(handle, caseId, 'screening', WISH_TOWN_STAFF, { decision: 'approve', publicTitle: '老人需要一台轮椅' });
      await h.sleepUntil(t0 + 2 * D);
      await wishStep(handle, caseId, 'claim', PARTY_MEMBER, { helperId: PM_HELPER.helperId }, PM_HELPER);
      await h.sleepUntil(t0 + 5 * D);
      await wishStep(handle, caseId, 'fulfilment', PARTY_MEMBER, { text: '轮椅已送到家中并教会使用', photos: ['https://example.org/wish/1.jpg'] });
      await h.sleepUntil(t0 + 6 * D);
      await wishStep(handle, caseId, 'confirmation', WISH_VILLAGE_STAFF, { confirmedBy: 'household', note: '老人很满意' });
      await handle.result();
      await save('wish-fulfilled-confirmed', handle);
    },
  },
  {
    name: 'wish-screening-late-claim-released',
    async run(h, save) {
      const { handle, caseId, postedAt: t0 } = await postWish(h);
      await h.sleepUntil(t0 + 10 * D + MIN); // nobody screens: the town at 3 days, the district a week later
      await wishStep(handle, caseId, 'screening', WISH_TOWN_STAFF, { decision: 'approve' });
      await wishStep(handle, caseId, 'claim', PARTY_MEMBER, { helperId: PM_HELPER.helperId }, PM_HELPER);
      await refusal(wishStep(handle, caseId, 'release', PARTY_MEMBER, { reason: '' }));
      await h.sleepUntil(t0 + 12 * D);
      await wishStep(handle, caseId, 'release', PARTY_MEMBER, { reason: '临时外出，无法完成' });
      await save('wish-screening-late-claim-released', handle);
    },
  },
  {
    name: 'wish-fulfilment-overdue-reopened',
    async run(h, save) {
      const { handle, caseId, postedAt: t0 } = await postWish(h);
      await wishStep(handle, caseId, 'screening', WISH_TOWN_STAFF, { decision: 'approve' });
      await h.sleepUntil(t0 + D);
      const fulfilBy = t0 + 11 * D;
      await refusal(wishStep(handle, caseId, 'claim', WISH_VILLAGE_STAFF, { helperId: ORGANISATION.helperId, fulfilBy: new Date(t0 + 32 * D).toISOString() }, ORGANISATION));
      await wishStep(handle, caseId, 'claim', WISH_VILLAGE_STAFF, { helperId: ORGANISATION.helperId, fulfilBy: new Date(fulfilBy).toISOString() }, ORGANISATION);
      await refusal(wishStep(handle, caseId, 'claim', PARTY_MEMBER, { helperId: PM_HELPER.helperId }, PM_HELPER));
      // Not fulfilled by its date: released, reopened, escalated to the town; someone else claims it.
      await h.sleepUntil(fulfilBy + MIN);
      await until('the wish to reopen', async () => (await handle.query(wishQuery)).stage === 'open');
      await wishStep(handle, caseId, 'claim', PARTY_MEMBER, { helperId: PM_HELPER.helperId }, PM_HELPER);
      await save('wish-fulfilment-overdue-reopened', handle);
    },
  },
  {
    name: 'wish-auto-confirmed',
    async run(h, save) {
      const { handle, caseId, postedAt: t0 } = await postWish(h);
      await wishStep(handle, caseId, 'screening', WISH_TOWN_STAFF, { decision: 'approve', publicTitle: '老人需要一台轮椅' });
      await wishStep(handle, caseId, 'claim', PARTY_MEMBER, { helperId: PM_HELPER.helperId }, PM_HELPER);
      await h.sleepUntil(t0 + 2 * D);
      const fulfilled = await wishStep(handle, caseId, 'fulfilment', PARTY_MEMBER, { text: '轮椅已送到家中并教会使用', photos: [] });
      // The household's silence: confirmed by staff automatically after 7 days, points recorded.
      await h.sleepUntil(Date.parse(fulfilled.fulfilment!.at) + 7 * D + MIN);
      await handle.result();
      await save('wish-auto-confirmed', handle);
    },
  },
  {
    name: 'wish-withdrawn-rejected',
    async run(h, save) {
      const withdrawn = await postWish(h);
      await wishStep(withdrawn.handle, withdrawn.caseId, 'screening', WISH_TOWN_STAFF, { decision: 'approve' });
      await wishStep(withdrawn.handle, withdrawn.caseId, 'claim', PARTY_MEMBER, { helperId: PM_HELPER.helperId }, PM_HELPER);
      await wishStep(withdrawn.handle, withdrawn.caseId, 'withdrawal', WISH_VILLAGE_STAFF, { reason: '家属已自行购买' });
      await withdrawn.handle.result();
      const rejected = await postWish(h);
      await wishStep(rejected.handle, rejected.caseId, 'screening', WISH_TOWN_STAFF, { decision: 'reject', reason: '属于低保救助范围，转申请办理' });
      await rejected.handle.result();
      await save('wish-withdrawn', withdrawn.handle);
      await save('wish-rejected', rejected.handle);
    },
  },
  // ---------------------------------------------------------------------------------------- Party day
  {
    name: 'party-day-carried-over-handed-on',
    async run(h, save) {
      // A real report of the village is on the agenda beside a common issue; it is left unanswered.
      const report = await startReport(h, 'benefit_problem');
      await until('the report in the read model', async () => (await findCase(h.mongo.db, report.caseId)) !== null);
      await seedAgenda(h, 'm1', { reportId: report.caseId });
      const t0 = await h.env.currentTimeMs();
      const dayEnd = nextLocalMidnight(t0);
      const month1 = await startPartyDay(h, t0);
      await until('month 1 agenda', async () => (await month1.query(partyDayQuery).catch(() => null))?.items.length === 2);
      const first = await month1.query(partyDayQuery);
      await answerItem(month1, first.partyDayId, 'Q1');
      // At risk at midnight; at midnight + 1 day the report is carried over and escalated to the town.
      await h.sleepUntil(dayEnd + D + MIN);
      await h.sleepUntil(dayEnd + 5 * D);
      const month2Id = shiftMonth(localMonth(t0), 1);
      const day2 = partyDayStartsAt(month2Id, 28, '09:00');
      await h.sleepUntil(day2);
      const month2 = await startPartyDay(h, day2);
      await until('month 2 agenda', async () => ((await month2.query(partyDayQuery).catch(() => null))?.items.length ?? 0) > 0);
      const second = await month2.query(partyDayQuery);
      await completed(month1);
      // The carried report answered on site: forwarded to the report's own workflow, which closes.
      await answerItem(month2, second.partyDayId, 'Q1');
      await completed(month2);
      await completed(report.handle);
      await save('party-day-carried-over-handed-on', month1);
      await save('party-day-took-over-answered', month2);
      await save('report-answered-at-party-day', report.handle);
    },
  },
  {
    name: 'party-day-item-ended-by-report',
    async run(h, save) {
      // A real report on the agenda, left unanswered on the day, answered by staff through its own update
      // after the grace: the report tells the Q&A (patch report-answer-ends-party-day-item), whose item ends
      // and which closes, met late.
      const report = await startReport(h, 'benefit_problem');
      await until('the report in the read model', async () => (await findCase(h.mongo.db, report.caseId)) !== null);
      await seedAgenda(h, 'link', { reportId: report.caseId });
      const t0 = await h.env.currentTimeMs();
      const dayEnd = nextLocalMidnight(t0);
      const month1 = await startPartyDay(h, t0);
      await until('the agenda', async () => (await month1.query(partyDayQuery).catch(() => null))?.items.length === 2);
      const first = await month1.query(partyDayQuery);
      await answerItem(month1, first.partyDayId, 'Q1');
      await h.sleepUntil(dayEnd + D + MIN);
      await until('carried over', async () => (await month1.query(partyDayQuery)).carriedOver.length === 1);
      await report.handle.executeUpdate(answerReportUpdate, { args: [{ caseId: report.caseId, actor: REPORT_STAFF, answer: '已电话答复。', answeredBy: ANSWERED_BY, channel: 'staff' }] });
      await completed(report.handle);
      await completed(month1);
      await save('party-day-item-ended-by-report', month1);
      await save('report-answered-ends-party-day-item', report.handle);
    },
  },
  // ------------------------------------------------------------------------------------------ orders
  {
    name: 'order-replied-returned-accepted',
    async run(h, save) {
      const { handle, caseId, issuedAt: t0 } = await startOrder(h, { replyIn: 3 * D });
      await h.sleepUntil(t0 + 2 * D);
      await orderStep(handle, caseId, 'reply', ORDER_REPLIER, { text: '已入户核实', attachments: ['att-1'] });
      await refusal(orderStep(handle, caseId, 'accept', ORDER_REPLIER, {}));
      await orderStep(handle, caseId, 'sendBack', ORDER_ISSUER, { reason: '缺少证明材料', replyBy: new Date(t0 + 4 * D).toISOString() });
      await h.sleepUntil(t0 + 3 * D);
      await orderStep(handle, caseId, 'reply', ORDER_REPLIER, { text: '已补充证明材料', evidence: '走访记录' });
      await orderStep(handle, caseId, 'accept', ORDER_ISSUER, { note: '同意办结' });
      await completed(handle);
      await save('order-replied-returned-accepted', handle);
    },
  },
  {
    name: 'order-reply-missed-escalated',
    async run(h, save) {
      const { handle, caseId, issuedAt: t0 } = await startOrder(h, { replyIn: 3 * D });
      await h.sleepUntil(t0 + 8 * D); // the town at 3 days, the district at 5, the city at 7
      await orderStep(handle, caseId, 'reply', ORDER_REPLIER, { text: '已处理' });
      await quiet(h, handle.workflowId);
      await save('order-reply-missed-escalated', handle);
    },
  },
  // ------------------------------------------------------------------------------------------ patrols
  {
    name: 'patrol-recorded-in-cycle',
    async run(h, save) {
      const t0 = await h.env.currentTimeMs();
      const { handle, caseId } = await startPatrol(h, t0);
      await h.sleepUntil(t0 + 5 * D);
      const now = await h.env.currentTimeMs();
      await refusal(recordPatrol(handle, caseId, { ...patrolRecord(now), members: ['someone.else'] }));
      await recordPatrol(handle, caseId, patrolRecord(now));
      await completed(handle);
      await save('patrol-recorded-in-cycle', handle);
    },
  },
  {
    name: 'patrol-missed-escalated-recorded-late',
    async run(h, save) {
      const t0 = await h.env.currentTimeMs();
      const { handle, caseId } = await startPatrol(h, t0);
      await h.sleepUntil(t0 + 11 * D); // the town at 7 days, the district at 10
      await recordPatrol(handle, caseId, patrolRecord(await h.env.currentTimeMs()));
      await completed(handle);
      await save('patrol-missed-escalated-recorded-late', handle);
    },
  },
  // ------------------------------------------------------------------------------------------ intakes
  {
    name: 'intake-returned-in-time',
    async run(h, save) {
      const { handle, caseId, filedAt: t0 } = await startIntake(h, { urgent: true });
      await h.sleepUntil(t0 + 20 * H);
      await refusal(returnIntake(handle, caseId, '无', { userId: 'village.li', role: 'village_staff', unitCode: '371002001001' }));
      await returnIntake(handle, caseId, '材料不齐：缺收入证明');
      await completed(handle);
      await save('intake-returned-in-time', handle);
    },
  },
  {
    name: 'intake-missed-escalated-accepted',
    async run(h, save) {
      // Missed: the district at the deadline, the city a day later; then accepted, which opens the application
      // through the prepare activity (update-with-start on the application) before committing.
      const householdId = 'hh-00000000e001';
      const { handle, caseId, filedAt: t0 } = await startIntake(h);
      await h.sleepUntil(acceptDueAt(t0, INTAKE_POLICY, INTAKE_CALENDAR) + D + H);
      await acceptIntake(handle, caseId, intakeAcceptInput(householdId));
      await completed(handle);
      await h.env.client.workflow.getHandle(applicationWorkflowId(householdId, 'minimum_subsistence')).terminate('recorded the intake only');
      await save('intake-missed-escalated-accepted', handle);
    },
  },
  // ------------------------------------------------------------------------------------------ discoveries
  {
    name: 'discovery-urgent-referred',
    async run(h, save) {
      const { handle, caseId, reportedAt: t0 } = await startDiscovery(h, { urgency: 'urgent' });
      await h.sleepUntil(t0 + 20 * H);
      await refusal(decideDiscovery(handle, caseId, { outcome: 'no_action', reason: '无' }, { userId: 'village.li', role: 'village_staff', unitCode: '371002001001' }));
      await decideDiscovery(handle, caseId, { outcome: 'referral', referredTo: '区残联', note: '协助办理残疾证' });
      await completed(handle);
      await save('discovery-urgent-referred', handle);
    },
  },
  {
    name: 'discovery-missed-escalated-no-action',
    async run(h, save) {
      const { handle, caseId, reportedAt: t0 } = await startDiscovery(h, { urgency: 'normal' });
      await h.sleepUntil(t0 + 5 * D); // the district at 3 days, the city at 4
      await decideDiscovery(handle, caseId, { outcome: 'no_action', reason: '经核实已纳入低保' });
      await completed(handle);
      await save('discovery-missed-escalated-no-action', handle);
    },
  },
  {
    name: 'discovery-red-alert-opened',
    async run(h, save) {
      // The decision opens a red alert through the prepare activity (update-with-start on the alert), then commits.
      const householdId = 'hh-00000000d001';
      const { handle, caseId } = await startDiscovery(h, { urgency: 'urgent', householdId });
      await decideDiscovery(handle, caseId, { outcome: 'alert', level: 'red', opening: redAlertOpening(householdId, caseId) }, DISCOVERY_DECIDER);
      await completed(handle);
      await h.env.client.workflow.getHandle(alertWorkflowId(householdId)).terminate('recorded the discovery only');
      await save('discovery-red-alert-opened', handle);
    },
  },
  {
    name: 'discovery-lowering-refused-then-raised',
    async run(h, save) {
      // The household has an open orange alert: a yellow decision would lower it, which town staff may only
      // request (issue 12), so the alert refuses, the decision is not made (outcome_open_failed); red raises it.
      const alert = await startAlert(h, 'orange');
      const { handle, caseId } = await startDiscovery(h, { urgency: 'urgent', householdId: alert.householdId });
      const refused = await decideDiscovery(handle, caseId, { outcome: 'alert', level: 'yellow', opening: redAlertOpening(alert.householdId, caseId, 'yellow') }, DISCOVERY_DECIDER);
      if (refused.status !== 'open' || refused.lastOpenFailure?.refused !== true) throw new Error(`expected the lowering refused, got ${JSON.stringify(refused.lastOpenFailure)}`);
      await decideDiscovery(handle, caseId, { outcome: 'alert', level: 'red', opening: redAlertOpening(alert.householdId, caseId) }, DISCOVERY_DECIDER);
      await completed(handle);
      await alert.handle.terminate('recorded the discovery only');
      await save('discovery-lowering-refused-then-raised', handle);
    },
  },
  {
    name: 'party-day-empty-agenda',
    async run(h, save) {
      const handle = await startPartyDay(h, undefined);
      await handle.result();
      await save('party-day-empty-agenda', handle);
    },
  },
];

/** The commit the workflow code comes from, marked dirty when workflows/ or domain/ differ from it. */
function recordedFrom(): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: resolve(import.meta.dirname, '..'), encoding: 'utf8' }).trim();
  const dirty = git('status', '--porcelain', '--', 'workflows', 'domain') !== '';
  return `${git('rev-parse', '--short', 'HEAD')}${dirty ? '+dirty' : ''}`;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const chosen = only.length ? scenarios.filter((s) => only.includes(s.name)) : scenarios;
  const unknown = only.filter((n) => !scenarios.some((s) => s.name === n));
  if (unknown.length) throw new Error(`no such scenario: ${unknown.join(', ')} (have: ${scenarios.map((s) => s.name).join(', ')})`);

  const log = (line: string) => console.log(`[record] ${line}`);
  const scratch = mkdtempSync(join(tmpdir(), 'jiuzhu-record-'));
  const staged = join(scratch, 'histories');
  mkdirSync(staged);
  const mongo = await startMongo({ port: await freePort(), dataDir: join(scratch, 'mongo'), logFile: join(scratch, 'mongo.log') }, log);
  let harness: TimeSkippingHarness | undefined;
  try {
    const testServerPath = await ensureTestServer(log);
    harness = await createTimeSkippingHarness('record', { sources: createFileSources(SAMPLE_DEPARTMENT_DATA), temporalClient: true, servers: { testServerPath, mongoUri: mongo.uri } });
    await harness.startWorker();
    const h = harness;
    const commit = recordedFrom();
    const written: string[] = [];
    const save: Save = async (name, handle) => {
      await quiet(h, handle.workflowId);
      const runs = await runsOf(h, handle);
      for (const [i, runId] of runs.entries()) {
        const history = await h.env.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
        const workflowType = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '';
        const file = `${name}${runs.length > 1 ? `-run${i + 1}` : ''}.json`;
        const recorded: RecordedHistory = { workflowId: handle.workflowId, workflowType, recordedFrom: commit, history: historyToJsonValue(history) };
        writeFileSync(join(staged, file), `${JSON.stringify(recorded)}\n`);
        written.push(file);
        log(`  ${file}: ${history.events?.length ?? 0} events`);
      }
    };
    for (const scenario of chosen) {
      const started = Date.now();
      log(`${scenario.name}`);
      await scenario.run(h, save);
      // Whatever it left open must not wake in the next scenario's time (nor outlive the script).
      await h.terminateLeftovers({ first: (handle) => quiet(h, handle.workflowId).catch(() => undefined) });
      await h.mongo.db.dropDatabase();
      log(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    // All recorded: only now replace the old files (all of them, or only the chosen scenarios').
    mkdirSync(OUT, { recursive: true });
    if (!only.length) for (const f of readdirSync(OUT)) if (f.endsWith('.json')) rmSync(join(OUT, f));
    for (const f of written) copyFileSync(join(staged, f), join(OUT, f));
    log(`${written.length} histories in ${OUT} (from ${commit})`);
  } finally {
    await harness?.close();
    await mongo.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
