import { randomBytes } from 'node:crypto';
import type { Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { insecureDevPiiKeys, type PiiKeys } from '../../config';
import { findCase } from '../../store/cases';
import { COLLECTIONS } from '../../store/collections';
import { findHousehold, householdWithIdNumber, registerHousehold } from '../../store/households';
import { ensureIndexes } from '../../store/indexes';
import { migrateReadModel } from '../../store/migrations';
import { connectMongo } from '../../store/mongo';
import { attachPiiKeyring, idNumberKey, piiKeyring, sealedKid } from '../../store/pii';
import { rekeyReadModel } from '../../store/rekey';
import { newHouseholdOf, saveNewHousehold } from '../../store/discoveries';
import { applicantOf, saveApplicant } from '../../store/intakes';
import { contactOf } from '../../store/reports';
import { findHelper } from '../../store/wishes';

/**
 * The read model's personal data over its life (store/rekey.ts, the migration 2026-11-pii-at-rest):
 * data written in plain before encryption is sealed by the migration; after a key rotation `npm run rekey`
 * moves every value to the new key and an index-key change re-indexes; uniqueness and look-up go by the
 * blind index. On the suite's read-model server.
 */

// Written in plain on purpose (data from before encryption), into the suite's shared PostgreSQL: not a number
// another test asserts is absent from the database files (test/e2e/encryption.test.ts uses 371002195001010017).
const HEAD = '371002195106060029';
const MEMBER = '11010519491231002X';
const dev = insecureDevPiiKeys();

let mongo: Awaited<ReturnType<typeof connectMongo>>;
beforeAll(async () => {
  mongo = await connectMongo(inject('mongoUri'), `t_pii_${randomBytes(3).toString('hex')}`, piiKeyring(dev));
});
afterAll(async () => {
  await mongo.db.dropDatabase().catch(() => undefined);
  await mongo.client.close();
});

/** Another handle on the same database with other keys (as a restarted process with a new configuration). */
function withKeys(keys: PiiKeys): Db {
  const db = mongo.client.db(mongo.db.databaseName);
  attachPiiKeyring(db, piiKeyring(keys));
  return db;
}

const plainHousehold = (id: string, head: string) => ({
  _id: id,
  headName: '王五',
  headIdNumber: head,
  members: [{ name: '赵六', idNumber: MEMBER, relation: 'spouse' }],
  address: '海港路2号',
  phone: '13900000000',
  unitCode: '371002001001',
  villageCode: '371002001001',
  orgPath: ['371000', '371002', '371002001', '371002001001'],
  categories: [],
  createdAt: '2026-11-01T00:00:00.000Z',
  createdBy: 'seed',
});

describe('personal data written before encryption, then key rotation', () => {
  it('the migration seals households, contacts, helpers and applications’ records written in plain, and they read as before', async () => {
    const db = mongo.db;
    await db.collection(COLLECTIONS.households).insertOne(plainHousehold('hh-old000000001', HEAD) as never);
    await db.collection(COLLECTIONS.contacts).insertOne({ _id: 'rp-old' as never, contact: '13700000000', createdAt: new Date() });
    await db.collection(COLLECTIONS.helpers).insertOne({ _id: 'helper-old' as never, kind: 'volunteer', name: '志愿者', unitCode: '371002001001', orgPath: [], contact: '13600000000', userId: null, createdAt: new Date(), createdBy: 'x' });
    const view = { stage: 'investigation', verification: { answers: [{ department: 'banks', status: 'answered', records: [{ idNumber: HEAD, kind: 'deposit' }] }] } };
    await db.collection(COLLECTIONS.cases).insertOne({ _id: 'app-old' as never, kind: 'application', status: 'open', version: 4, orgPath: [], view });

    const ran = await migrateReadModel(db);
    expect(ran.find((m) => m.id === '2026-11-pii-at-rest')).toEqual({ id: '2026-11-pii-at-rest', changed: 4 });
    const raw = JSON.stringify(await Promise.all([COLLECTIONS.households, COLLECTIONS.contacts, COLLECTIONS.helpers, COLLECTIONS.cases].map((c) => db.collection(c).find().toArray())));
    for (const secret of [HEAD, MEMBER, '13900000000', '13700000000', '13600000000']) expect(raw).not.toContain(secret);

    expect(await findHousehold(db, 'hh-old000000001')).toMatchObject({ headIdNumber: HEAD, phone: '13900000000', members: [{ idNumber: MEMBER }] });
    expect(await householdWithIdNumber(db, MEMBER)).toBe('hh-old000000001');
    expect(await contactOf(db, 'rp-old')).toBe('13700000000');
    expect((await findHelper(db, 'helper-old'))?.contact).toBe('13600000000');
    expect((await findCase(db, 'app-old'))?.view).toEqual(view);
    // Nothing left to do: a second pass changes nothing.
    expect(await rekeyReadModel(db)).toEqual({ households: 0, contacts: 0, helpers: 0, cases: 0, discoveryHouseholds: 0, intakeApplicants: 0 });
  });

  it('one household per head’s ID number, through its blind index (unique index on headIdKey)', async () => {
    await ensureIndexes(mongo.db, { postgresUrl: inject('postgresUrl') || undefined });
    const again = await registerHousehold(mongo.db, { ...plainHousehold('hh-new000000001', ` ${HEAD} `.trim()), members: [] });
    expect(again).toEqual({ conflict: 'hh-old000000001', idNumber: HEAD });
  });

  it('rotation: with a new active key (the old one still configured) rekey moves every value to it; then the old key can go', async () => {
    const k2 = randomBytes(32);
    const rotated: PiiKeys = { ...dev, activeKid: 'k2', keys: { ...dev.keys, k2 } };
    // A discovery's new household (issue 13), sealed with the first key.
    await saveNewHousehold(mongo.db, 'discovery-00000000000000d1', { name: '李四海', address: '海港路88号', phone: '13912345678' });
    // An intake's applicant (issue 14), sealed with the first key.
    const applicant = { applicantName: '王秀英', idNumber: HEAD, phone: '13912340000', address: '海港路7号' };
    await saveApplicant(mongo.db, 'intake-00000000000000a1', applicant);
    const db = withKeys(rotated);
    expect(await rekeyReadModel(db)).toEqual({ households: 1, contacts: 1, helpers: 1, cases: 1, discoveryHouseholds: 1, intakeApplicants: 1 });
    const stored = await db.collection(COLLECTIONS.households).findOne({ _id: 'hh-old000000001' as never });
    expect(sealedKid(stored!.headIdNumber as string)).toBe('k2');
    // The old key retired: everything still opens.
    const only2 = withKeys({ ...dev, activeKid: 'k2', keys: { k2 } });
    expect((await findHousehold(only2, 'hh-old000000001'))?.headIdNumber).toBe(HEAD);
    expect(await contactOf(only2, 'rp-old')).toBe('13700000000');
    expect(await newHouseholdOf(only2, 'discovery-00000000000000d1')).toEqual({ name: '李四海', address: '海港路88号', phone: '13912345678' });
    expect(await applicantOf(only2, 'intake-00000000000000a1')).toEqual(applicant);
    expect(JSON.stringify((await findCase(only2, 'app-old'))?.view)).toContain(HEAD);
    // Without the key a value was sealed with, reading fails loudly instead of showing ciphertext.
    await expect(findHousehold(mongo.db, 'hh-old000000001')).rejects.toThrow(/key k2, which is not configured/);
  });

  it('a new index key needs a re-index: look-ups miss until rekey recomputes the blind indexes', async () => {
    // The previous test's key is gone: start again from the development key.
    for (const c of [COLLECTIONS.households, COLLECTIONS.contacts, COLLECTIONS.helpers, COLLECTIONS.cases, COLLECTIONS.idNumberClaims, COLLECTIONS.discoveryHouseholds, COLLECTIONS.intakeApplicants]) await mongo.db.collection(c).deleteMany({});
    await registerHousehold(mongo.db, plainHousehold('hh-idx000000001', HEAD));
    const newIndexKey: PiiKeys = { ...dev, indexKey: randomBytes(32) };
    const db = withKeys(newIndexKey);
    expect(await householdWithIdNumber(db, HEAD)).toBeNull();
    expect(await rekeyReadModel(db)).toMatchObject({ households: 1 });
    expect(await householdWithIdNumber(db, HEAD)).toBe('hh-idx000000001');
    const stored = await db.collection(COLLECTIONS.households).findOne({ _id: 'hh-idx000000001' as never });
    expect(stored?.headIdKey).toBe(idNumberKey(piiKeyring(newIndexKey), HEAD));
    // The ID-number claims (one household per number) move to the new keys too: the same person is still refused.
    const claims = await db.collection(COLLECTIONS.idNumberClaims).find({}).toArray();
    expect(claims.map((c) => c._id).sort()).toEqual([HEAD, MEMBER].map((n) => idNumberKey(piiKeyring(newIndexKey), n)).sort());
    expect(await registerHousehold(db, plainHousehold('hh-idx000000002', HEAD))).toMatchObject({ conflict: 'hh-idx000000001' });
  });
});
