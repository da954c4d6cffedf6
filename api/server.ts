import { Client, Connection } from '@temporalio/client';
import { runWithConfig } from '../config';
import { connectMongo } from '../store/mongo';
import { ensureIndexes } from '../store/indexes';
import { expireAudit } from '../store/audit';
import { buildApp } from './app';
import { piiDataConverter } from '../worker/codec';
import { piiKeyring } from '../store/pii';

// The API process: listen, and close gracefully (finish in-flight requests) on SIGINT/SIGTERM.
await runWithConfig(async (config) => {
  const mongo = await connectMongo(config.mongodb.uri, config.mongodb.db, piiKeyring(config.pii));
  await ensureIndexes(mongo.db, { postgresUrl: config.mongodb.postgresUrl });
  const connection = await Connection.connect({ address: config.temporal.address });
  // Payloads encrypted with the read model's keys (worker/codec.ts), as the worker's are.
  const temporal = new Client({ connection, namespace: config.temporal.namespace, dataConverter: piiDataConverter(piiKeyring(config.pii)) });
  const app = await buildApp({ config, mongo, temporal });

  // The audit record's retention (docs/audit.md): FerretDB has no TTL index, so the API purges records
  // older than AUDIT_RETENTION_DAYS (never under six months) at start and then daily.
  const purge = () =>
    expireAudit(mongo.db, config.audit.retentionDays).then(
      (removed) => app.log.info({ removed, retentionDays: config.audit.retentionDays }, 'audit retention purge'),
      (err: unknown) => app.log.error({ err }, 'audit retention purge failed; retried in a day'),
    );
  void purge();
  const daily = setInterval(() => void purge(), 86_400_000);
  daily.unref();

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    clearInterval(daily);
    app.log.info({ signal }, 'closing: finishing in-flight requests');
    await app.close();
    await connection.close();
    await mongo.client.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  await app.listen({ host: config.host, port: config.port });
});
