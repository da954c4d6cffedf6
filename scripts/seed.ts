import { runWithConfig } from '../config';
import { connectMongo } from '../store/mongo';
import { ensureIndexes } from '../store/indexes';
import { seedReferenceData } from '../store/seed';
import { piiKeyring } from '../store/pii';

// `npm run seed`: loads the Weihai org tree (idempotent) into the configured MongoDB.
await runWithConfig(async (config) => {
  const { client, db } = await connectMongo(config.mongodb.uri, config.mongodb.db, piiKeyring(config.pii));
  try {
    await ensureIndexes(db, { postgresUrl: config.mongodb.postgresUrl });
    const { units, calendarYears } = await seedReferenceData(db);
    console.log(`seeded ${units} org units${calendarYears.length ? ` and the ${calendarYears.join(', ')} holiday calendar` : ''} into ${config.mongodb.db}`);
  } finally {
    await client.close();
  }
});
