import { runWithConfig } from '../config';
import { connectMongo } from '../store/mongo';
import { seedOrgUnits } from '../store/seed';

// `npm run seed`: loads the Weihai org tree (idempotent) into the configured MongoDB.
await runWithConfig(async (config) => {
  const { client, db } = await connectMongo(config.mongodb.uri, config.mongodb.db);
  try {
    const n = await seedOrgUnits(db);
    console.log(`seeded ${n} org units into ${config.mongodb.db}`);
  } finally {
    await client.close();
  }
});
