import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { COLLECTIONS, type HouseholdDoc } from '../../store/collections';
import { insecureDevPiiKeys } from '../../config';
import { claimRegisteredIdNumbers, registerHousehold } from '../../store/households';
import { connectMongo } from '../../store/mongo';
import { idNumberKey as blindIndex, piiKeyring } from '../../store/pii';
import { idNumber } from '../helpers/context';

// Issue 11 item 9: one resident ID number in one household, head or member, kept by id_number_claims.
const keyring = piiKeyring(insecureDevPiiKeys());
const idNumberKey = (idNumber: string) => blindIndex(keyring, idNumber);

describe('one household per resident ID number (store/households.ts)', () => {
  let mongo: Awaited<ReturnType<typeof connectMongo>>;
  beforeAll(async () => {
    mongo = await connectMongo(inject('mongoUri'), `t_households_${randomBytes(3).toString('hex')}`, keyring);
  });
  afterAll(async () => {
    await mongo.db.dropDatabase().catch(() => undefined);
    await mongo.client.close();
  });

  const doc = (id: string, head: number, members: number[] = []): HouseholdDoc => ({
    _id: id,
    headName: `张${head}`,
    headIdNumber: idNumber(head),
    members: members.map((m) => ({ name: `李${m}`, idNumber: idNumber(m), relation: '配偶' })),
    address: '海港路1号',
    phone: '13800000000',
    unitCode: '371002001001',
    categories: [],
    villageCode: '371002001001',
    orgPath: ['371000', '371002', '371002001', '371002001001'],
    createdAt: '2026-11-29T00:00:00.000Z',
    createdBy: 'test',
  });
  const claims = () => mongo.db.collection<{ _id: string; householdId: string; at: Date }>(COLLECTIONS.idNumberClaims);

  it('claims every number of a household; a household with a number already claimed is refused and leaves no claim', async () => {
    expect(await registerHousehold(mongo.db, doc('hh-a00000000001', 1, [2, 3]))).toHaveProperty('created');
    expect((await claims().find({ householdId: 'hh-a00000000001' }).toArray()).map((c) => c._id).sort()).toEqual([idNumber(1), idNumber(2), idNumber(3)].map(idNumberKey).sort());
    expect(await registerHousehold(mongo.db, doc('hh-a00000000002', 4, [5, 3]))).toEqual({ conflict: 'hh-a00000000001', idNumber: idNumber(3) });
    expect(await claims().countDocuments({ householdId: 'hh-a00000000002' })).toBe(0);
    expect(await mongo.db.collection(COLLECTIONS.households).countDocuments({ _id: 'hh-a00000000002' as never })).toBe(0);
  });

  it('takes over a claim a crash left (its household absent for over a minute), not a fresh one', async () => {
    await claims().insertOne({ _id: idNumberKey(idNumber(11)), householdId: 'hh-gone00000001', at: new Date(Date.now() - 5 * 60_000) });
    await claims().insertOne({ _id: idNumberKey(idNumber(12)), householdId: 'hh-soon00000001', at: new Date() });
    expect(await registerHousehold(mongo.db, doc('hh-a00000000011', 11))).toHaveProperty('created');
    expect(await claims().findOne({ _id: idNumberKey(idNumber(11)) })).toMatchObject({ householdId: 'hh-a00000000011' });
    expect(await registerHousehold(mongo.db, doc('hh-a00000000012', 12))).toEqual({ conflict: 'hh-soon00000001', idNumber: idNumber(12) });
  });

  it('the migration claims the numbers of households registered before the claims: the first by id keeps a shared one', async () => {
    const households = mongo.db.collection<HouseholdDoc>(COLLECTIONS.households);
    await households.insertMany([doc('hh-b00000000001', 21, [22]), doc('hh-b00000000002', 23, [22])]);
    expect(await claimRegisteredIdNumbers(mongo.db)).toBe(3);
    expect(await claims().findOne({ _id: idNumberKey(idNumber(22)) })).toMatchObject({ householdId: 'hh-b00000000001' });
    expect(await claims().findOne({ _id: idNumberKey(idNumber(23)) })).toMatchObject({ householdId: 'hh-b00000000002' });
    // Run again: nothing new.
    expect(await claimRegisteredIdNumbers(mongo.db)).toBe(0);
  });
});
