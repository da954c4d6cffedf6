import { findPostgresBin } from './lib/postgres';
import { ensureMongoServer, ensureSchemathesis, ensureTemporalCli, ensureTestServer, MissingToolError } from './lib/tools';

// `npm run tools`: obtains every server binary the stack and the tests use (cached; a no-op once built).
const log = (line: string) => console.log(`[tools] ${line}`);
try {
  const temporal = process.env.TEMPORAL_ADDRESS ? 'external (TEMPORAL_ADDRESS)' : await ensureTemporalCli(log);
  const server = process.env.MONGODB_URI ? undefined : await ensureMongoServer(log);
  const mongo = server ? server.path : 'external (MONGODB_URI)';
  // FerretDB's backend: PostgreSQL's server binaries are not built here, only found (Debian's package).
  const postgres = server?.kind === 'ferretdb' ? findPostgresBin() : undefined;
  const testServer = await ensureTestServer(log);
  const fuzzer = await ensureSchemathesis(log);
  log(`temporal: ${temporal}`);
  log(`mongo: ${mongo}`);
  if (postgres) log(`postgres: ${postgres}`);
  log(`time-skipping test server: ${testServer}`);
  log(`schemathesis: ${fuzzer}`);
} catch (err) {
  if (err instanceof MissingToolError) {
    console.error(`jiuzhu: ${err.message}`);
    process.exit(3);
  }
  throw err;
}
