import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort } from '../../scripts/lib/proc';
import { startMongo, startTemporal } from '../../scripts/lib/stack';
import { ensureTestServer } from '../../scripts/lib/tools';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    mongoUri: string;
    testServerPath: string;
    scratchDir: string;
    /** FerretDB's PostgreSQL when the suite runs on the local default; '' on MongoDB or an external server. */
    postgresUrl: string;
  }
}

/**
 * Starts the real servers the suite runs against — a Temporal dev server (in memory) and the local
 * default read model, FerretDB on a private PostgreSQL cluster (throwaway data) — on free ports, and stops them afterwards. The Java
 * time-skipping server is started per workflow test file by the SDK from the launcher resolved here.
 */
/**
 * A namespace of its own for a test file whose generated requests would touch other files' business keys
 * (the schema-driven fuzzer creates Party-day schedules, whose ids are per unit): createTestContext's
 * `namespace` option. Its search attributes are registered at start like the default namespace's.
 */
export const ISOLATED_NAMESPACE = 'jiuzhu-isolated';

export default async function setup(project: TestProject) {
  const log = (line: string) => console.log(`[stack] ${line}`);
  const scratch = mkdtempSync(join(tmpdir(), 'jiuzhu-test-'));
  const [temporalPort, mongoPort] = [await freePort(), await freePort()];
  const testServerPath = await ensureTestServer(log);
  const [temporal, mongo] = await Promise.all([
    process.env.TEMPORAL_ADDRESS ? undefined : startTemporal({ port: temporalPort, logFile: join(scratch, 'temporal.log'), extraNamespaces: [ISOLATED_NAMESPACE] }, log),
    process.env.MONGODB_URI ? undefined : startMongo({ port: mongoPort, dataDir: join(scratch, 'mongo'), logFile: join(scratch, 'mongo.log') }, log),
  ]);
  project.provide('temporalAddress', process.env.TEMPORAL_ADDRESS ?? `127.0.0.1:${temporalPort}`);
  project.provide('mongoUri', process.env.MONGODB_URI ?? `mongodb://127.0.0.1:${mongoPort}/`);
  project.provide('testServerPath', testServerPath);
  project.provide('scratchDir', scratch);
  project.provide('postgresUrl', process.env.MONGODB_URI ? (process.env.FERRETDB_POSTGRESQL_URL ?? '') : (mongo?.postgresUrl ?? ''));
  return async () => {
    await Promise.all([temporal?.stop(), mongo?.stop()]);
    rmSync(scratch, { recursive: true, force: true });
  };
}
