import { runWithConfig } from '../config';
import { connectMongo } from '../store/mongo';
import { piiKeyring } from '../store/pii';
import { rekeyReadModel } from '../store/rekey';

// `npm run rekey`: re-encrypts the read model's personal data with the active key (PII_ACTIVE_KEY) and
// recomputes the blind indexes with PII_INDEX_KEY (docs/security.md, key rotation). Idempotent.
await runWithConfig(async (config) => {
  const { client, db } = await connectMongo(config.mongodb.uri, config.mongodb.db, piiKeyring(config.pii));
  try {
    const counts = await rekeyReadModel(db);
    console.log(`rekey: active key ${config.pii.activeKid}; re-encrypted or re-indexed: ${Object.entries(counts).map(([c, n]) => `${c} ${n}`).join(', ')}`);
  } finally {
    await client.close();
  }
});
