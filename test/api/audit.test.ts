import Fastify from 'fastify';
import type { Db } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { markPersonalData, registerAudit } from '../../api/audit';
import { expireAudit } from '../../store/audit';

/**
 * The audit hook alone (api/audit.ts), on a bare Fastify app with a stand-in for the `audit` collection:
 * what it records, and that an answer is withheld (503) when its record cannot be stored. The real
 * servers' side — one record per mutating request, reads of unmasked data — is test/e2e/privacy.test.ts.
 */

/** A Db whose `audit` collection keeps inserts in `stored`, or fails `failures` times first. */
function fakeDb(failures = 0) {
  const stored: Record<string, unknown>[] = [];
  let attempts = 0;
  const db = {
    collection: () => ({
      insertOne: async (doc: Record<string, unknown>) => {
        attempts += 1;
        if (attempts <= failures) throw new Error('not primary');
        stored.push(doc);
        return { acknowledged: true, insertedId: doc._id };
      },
    }),
  } as unknown as Db;
  return { db, stored, attempts: () => attempts };
}

async function app(db: Db) {
  const a = Fastify({ logger: false });
  registerAudit(a, { db });
  a.post('/things', async () => ({ caseId: 'case-1', householdId: 'hh-000000000001' }));
  a.get('/plain', async () => ({ ok: true }));
  a.get('/personal', async (request) => {
    markPersonalData(request, { householdId: 'hh-000000000002' });
    return { name: '张秀兰' };
  });
  await a.ready();
  return a;
}

describe('the audit hook', () => {
  it('records a mutation with what its answer created, and a read only when it held unmasked personal data', async () => {
    const { db, stored } = fakeDb();
    const a = await app(db);
    expect((await a.inject({ method: 'POST', url: '/things', payload: {} })).statusCode).toBe(200);
    expect((await a.inject({ method: 'GET', url: '/plain' })).statusCode).toBe(200);
    expect((await a.inject({ method: 'GET', url: '/personal' })).statusCode).toBe(200);
    expect((await a.inject({ method: 'DELETE', url: '/nothing-here' })).statusCode).toBe(404);
    expect(stored).toMatchObject([
      { method: 'POST', route: 'POST /things', reason: 'mutation', personalData: false, caseIds: ['case-1'], householdIds: ['hh-000000000001'], outcome: { status: 200, code: null }, user: null },
      { method: 'GET', route: 'GET /personal', reason: 'personal_data_read', personalData: true, householdIds: ['hh-000000000002'] },
      { method: 'DELETE', route: 'DELETE /nothing-here', reason: 'mutation', outcome: { status: 404 } },
    ]);
  });

  it('retries a failed write, and withholds the answer (503 audit_unavailable) when every attempt fails', async () => {
    const flaky = fakeDb(2);
    const a = await app(flaky.db);
    expect((await a.inject({ method: 'POST', url: '/things', payload: {} })).statusCode).toBe(200);
    expect(flaky.stored).toHaveLength(1);

    const down = fakeDb(Infinity);
    const b = await app(down.db);
    const mutation = await b.inject({ method: 'POST', url: '/things', payload: {} });
    expect(mutation.statusCode).toBe(503);
    expect(mutation.json()).toMatchObject({ error: { code: 'audit_unavailable', message: expect.stringContaining('may have been applied') } });
    const read = await b.inject({ method: 'GET', url: '/personal' });
    expect(read.statusCode).toBe(503);
    expect(read.body).not.toContain('张秀兰');
    // A read without personal data needs no record and is answered.
    expect((await b.inject({ method: 'GET', url: '/plain' })).statusCode).toBe(200);
  });

  it('the retention purge refuses anything under six months', async () => {
    const { db } = fakeDb();
    await expect(expireAudit(db, 183)).rejects.toThrow(/below the minimum of 184/);
    await expect(expireAudit(db, Number.NaN)).rejects.toThrow(/below the minimum/);
  });
});
