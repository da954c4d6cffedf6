import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from 'mongodb';
import type { Actor } from '../domain/case';
import type { CaseProjection, ProjectionActivities } from '../domain/projection';
import type { DepartmentAnswer } from '../domain/verification';
import { findCase } from '../store/cases';
import { findHousehold } from '../store/households';
import { projectCaseInto } from '../store/projection';
import type { DepartmentSource } from './departments/source';
import { createVerificationActivities } from './verification';
import { createWishActivities } from './wish';
import { createReportsActivities } from './report';
import { createPartyDayActivities } from './party-day';
import { createPatrolActivities, projectPatrolLinks } from './patrol';
import { createPairingActivities } from './pairing';
import { createDiscoveryActivities } from './discovery';
import { createIntakeActivities } from './intake';
import { closeUpdate } from '../workflows/alert/contract';
import type { NotifyConfig } from '../config';
import type { NoticeRule } from '../domain/notice-policy';
import { createNotifyActivities } from './notify';
import type { SmsGateway } from './sms';
import { projectAwards } from './points';
import { resolvePolicy, type PointsPolicy } from '../domain/policy';

/**
 * Activities over injected ports (the read-model database, the department data sources), so tests hand
 * the worker real or throwaway ports without module mocking. Workflows import only the type of this
 * factory's result.
 */
export function createActivities(deps: { db: Db; sources?: DepartmentSource[]; temporal?: Client; notify?: NotifyConfig; noticePolicy?: readonly NoticeRule[]; sms?: SmsGateway; points?: PointsPolicy }) {
  const notify = createNotifyActivities(deps);
  /** The points per rule (config.policy.points); the default policy's when not given. */
  const points = deps.points ?? resolvePolicy(undefined, 'default').points;
  const projection: ProjectionActivities = {
    /**
     * Stores a change, its notices as the who-is-told policy tells them (domain/notice-policy.ts), then
     * starts their deliveries (activities/notify.ts). A change with no notices is only projectCaseInto.
     * After the case's documents, the links between a patrol and a discovery it found (activities/patrol.ts) and
     * the points its events earn (activities/points.ts; both idempotent).
     */
    async projectCase(p: CaseProjection): Promise<void> {
      if (p.notices.length === 0) {
        await projectCaseInto(deps.db, p);
        await projectPatrolLinks(deps.db, p);
        return projectAwards(deps.db, points, p);
      }
      const told = await notify.told(p);
      await projectCaseInto(deps.db, told);
      await projectPatrolLinks(deps.db, p);
      await projectAwards(deps.db, points, p);
      await notify.dispatch(told);
    },
  };
  const verification = createVerificationActivities({ sources: deps.sources ?? [] });
  return {
    ...createWishActivities({ ...deps, wishPoints: points.rules.wish_fulfilled }),
    ...createReportsActivities(deps),
    ...createPartyDayActivities(deps),
    ...createPatrolActivities(deps),
    ...createPairingActivities(deps),
    ...createDiscoveryActivities(deps),
    ...createIntakeActivities(deps),
    ...projection,
    ...notify.activities,

    /**
     * One department's answer about a household's members. The members' ID numbers are read here, from
     * the register, so they never travel through workflow inputs.
     */
    async verifyWithDepartment(department: string, req: { applicationId: string; householdId: string }): Promise<DepartmentAnswer> {
      const household = await findHousehold(deps.db, req.householdId);
      if (!household) return { department, status: 'missing', reason: `household ${req.householdId} is not in the register` };
      const members = [{ name: household.headName, idNumber: household.headIdNumber }, ...household.members.map((m) => ({ name: m.name, idNumber: m.idNumber }))];
      return verification.queryDepartment(department, { applicationId: req.applicationId, members });
    },

    /**
     * An application filed from an alert closes that alert as converted_to_application. Idempotent: an
     * alert already closed (by this or by staff) is left as it is.
     */
    async closeAlertAsConverted(args: { alertId: string; applicationId: string; actor: Actor }): Promise<'closed' | 'already_closed'> {
      if (!deps.temporal) throw ApplicationFailure.nonRetryable('this worker has no Temporal client to reach the alert', 'configuration');
      const alert = await findCase(deps.db, args.alertId);
      if (!alert || alert.status === 'closed') return 'already_closed';
      try {
        await deps.temporal.workflow.getHandle(alert.workflowId).executeUpdate(closeUpdate, {
          args: [{ caseId: args.alertId, actor: args.actor, closure: { reason: 'converted_to_application', applicationId: args.applicationId } }],
        });
        return 'closed';
      } catch (err) {
        const closedMeanwhile = err instanceof WorkflowNotFoundError || (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === 'conflict');
        if (closedMeanwhile) return 'already_closed';
        throw err;
      }
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
