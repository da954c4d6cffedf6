import { randomBytes } from 'node:crypto';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { Actor } from '../../../domain/case';
import { resolvePolicy } from '../../../domain/policy';
import type { HelperRef, WishStepName, WishView } from '../../../domain/wish';
import { wishWorkflow } from '../../../workflows';
import { wishQuery, wishStepUpdates, wishWorkflowId, type WishInput } from '../../../workflows/wish/contract';
import { CITY, DISTRICT, eventually, LADDER, TOWN, VILLAGE, type TimeSkippingHarness } from '../time-skipping';

/** Drives the wish workflow as the API does (scenarios shared by test/workflows/wish.test.ts and scripts/record-histories.ts). */

export const WISH_VILLAGE_STAFF: Actor = { userId: 'village.li', role: 'village_staff', unitCode: VILLAGE.code };
export const WISH_TOWN_STAFF: Actor = { userId: 'town.zhao', role: 'town_staff', unitCode: TOWN.code };
export const PARTY_MEMBER: Actor = { userId: 'pm.wang', role: 'party_member', unitCode: VILLAGE.code };
/** The default wish policy (screening within 3 days, claims within 14, fulfilment at most 30 days after the claim, silence 7 days). */
export const WISH_POLICY = resolvePolicy(undefined, 'default').wishes;
export const ORGANISATION: HelperRef = { helperId: 'helper-00000000000a', name: '海港志愿服务队', kind: 'organisation', unitCode: VILLAGE.code, userId: null };
export const PM_HELPER: HelperRef = { helperId: 'helper-00000000000b', name: '王党员', kind: 'party_member', unitCode: VILLAGE.code, userId: PARTY_MEMBER.userId };

export type WishHandle = WorkflowHandleWithFirstExecutionRunId<typeof wishWorkflow>;

let seq = 0;
/** Posts a wheelchair wish for a new household of 海港社区 (tracked by the harness); waits until it answers queries. */
export async function postWish(h: TimeSkippingHarness): Promise<{ handle: WishHandle; caseId: string; postedAt: number; householdId: string }> {
  const householdId = `hh-${randomBytes(6).toString('hex')}`;
  const input: WishInput = {
    openingRequestId: `req-${++seq}`,
    post: {
      householdId,
      title: '想要一台轮椅',
      description: '老人腿脚不便，出门需要轮椅',
      category: 'material',
      postedBy: 'household',
      unit: VILLAGE,
      ladder: LADDER,
      orgPath: [CITY.code, DISTRICT.code, TOWN.code, VILLAGE.code],
      policy: WISH_POLICY,
      actor: WISH_VILLAGE_STAFF,
    },
  };
  const handle = await h.env.client.workflow.start(wishWorkflow, { workflowId: wishWorkflowId(randomBytes(6).toString('hex')), taskQueue: h.taskQueue, args: [input] });
  h.track(handle);
  const view = await eventually(() => handle.query(wishQuery));
  return { handle, caseId: view.caseId, postedAt: Date.parse(view.postedAt), householdId };
}

/** One wish step, as the API sends it (a claim names the registered helper the API resolved). */
export const wishStep = (handle: WishHandle, caseId: string, name: WishStepName, actor: Actor, input: unknown, helper?: HelperRef): Promise<WishView> =>
  handle.executeUpdate(wishStepUpdates[name], { args: [{ caseId, actor, input, ...(helper ? { helper } : {}) }] });
