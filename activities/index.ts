import type { Db } from 'mongodb';
import type { CaseProjection } from '../domain/projection';
import { projectCaseInto } from './projection';

/**
 * Activities over injected ports, so tests hand the worker a real or a throwaway database without
 * module mocking. Workflows import only the type of this factory's result.
 */
export function createActivities(deps: { db: Db }) {
  return {
    async projectCase(projection: CaseProjection): Promise<void> {
      await projectCaseInto(deps.db, projection);
    },
  };
}
