import { randomBytes } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createActivities } from '../../activities';
import { resolvePolicy } from '../../domain/policy';
import type { UnitRef } from '../../domain/org';
import { connectMongo } from '../../store/mongo';
import { alertQuery, alertWorkflowId, type AlertInput } from '../../workflows/alerts/contract';
import { alertWorkflow } from '../../workflows';
import { quietRuntime, sharedBundle } from '../helpers/context';

const H = 3_600_000;
const LADDER: UnitRef[] = [
  { code: '371002001001', name: '海港社区居委会', level: 'village' },
  { code: '371002001', name: '鲸园街道', level: 'town' },
  { code: '371002', name: '环翠区', level: 'district' },
  { code: '371000', name: '威海市', level: 'city' },
];

describe('probe', () => {
  let env: TestWorkflowEnvironment;
  let mongo: Awaited<ReturnType<typeof connectMongo>>;
  const taskQueue = `tq-${randomBytes(3).toString('hex')}`;
  beforeAll(async () => {
    quietRuntime();
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: inject('testServerPath') } } });
    const T = temporal.api.enums.v1.IndexedValueType;
    await env.connection.operatorService.addSearchAttributes({
      namespace: env.namespace ?? 'default',
      searchAttributes: { CaseKind: T.INDEXED_VALUE_TYPE_KEYWORD, AlertLevel: T.INDEXED_VALUE_TYPE_KEYWORD, OrgUnits: T.INDEXED_VALUE_TYPE_KEYWORD_LIST, Overdue: T.INDEXED_VALUE_TYPE_BOOL, NextDeadline: T.INDEXED_VALUE_TYPE_DATETIME, EscalationRung: T.INDEXED_VALUE_TYPE_INT },
    });
    mongo = await connectMongo(inject('mongoUri'), `wf_alert_${randomBytes(3).toString('hex')}`);
  });
  afterAll(async () => {
    await mongo?.db.dropDatabase();
    await mongo?.client.close();
    await env?.teardown();
  });
  it('probe', async () => {
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await sharedBundle(), activities: createActivities({ db: mongo.db }) });
    await worker.runUntil(async () => {
      const input: AlertInput = { householdId: 'hh1', level: 'red', reasons: ['x'], unit: LADDER[0]!, ladder: LADDER, policy: resolvePolicy(undefined, 'default').alerts, actor: { userId: 'u1', role: 'village_staff', unitCode: LADDER[0]!.code }, openingRequestId: 'r1' };
      const handle = await env.client.workflow.start(alertWorkflow, { workflowId: alertWorkflowId('hh1'), taskQueue, args: [input] });
      const t0 = await env.currentTimeMs();
      await new Promise((r) => setTimeout(r, 2000));
      const hist = await handle.fetchHistory();
      for (const e of hist.events ?? []) console.log(e.eventType, JSON.stringify(e.workflowTaskFailedEventAttributes?.failure?.message ?? ''));
      console.log(JSON.stringify(await handle.query(alertQuery)).slice(0, 300));
      await env.sleep(25 * H);
      const v = await handle.query(alertQuery);
      console.log((await env.currentTimeMs()) - t0, JSON.stringify(v.escalations));
      console.log(JSON.stringify(await handle.describe()).slice(0, 1500));
    });
  });
});
