import type { Db } from 'mongodb';
import type { CaseProjection } from '../domain/projection';
import type { DepartmentAnswer } from '../domain/verification';
import { COLLECTIONS } from '../store/mongo';
import type { DepartmentSource } from './departments/source';
import { projectCaseInto } from './projection';
import { createVerificationActivities } from './verification';

/**
 * Activities over injected ports (the read-model database, the department data sources), so tests hand
 * the worker real or throwaway ports without module mocking. Workflows import only the type of this
 * factory's result.
 */
export function createActivities(deps: { db: Db; sources?: DepartmentSource[] }) {
  const verification = createVerificationActivities({ sources: deps.sources ?? [] });
  return {
    async projectCase(projection: CaseProjection): Promise<void> {
      await projectCaseInto(deps.db, projection);
    },

    /**
     * One department's answer about a household's members. The members' ID numbers are read here, from
     * the register, so they never travel through workflow inputs.
     */
    async verifyWithDepartment(department: string, req: { applicationId: string; householdId: string }): Promise<DepartmentAnswer> {
      const household = await deps.db
        .collection<{ _id: string; headName: string; headIdNumber: string; members: { name: string; idNumber: string }[] }>(COLLECTIONS.households)
        .findOne({ _id: req.householdId });
      if (!household) return { department, status: 'missing', reason: `household ${req.householdId} is not in the register` };
      const members = [{ name: household.headName, idNumber: household.headIdNumber }, ...household.members.map((m) => ({ name: m.name, idNumber: m.idNumber }))];
      return verification.queryDepartment(department, { applicationId: req.applicationId, members });
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
