import { ensureMongoServer, ensureTemporalCli, ensureTestServer, MissingToolError } from './lib/tools';

// `npm run tools`: obtains every server binary the stack and the tests use (cached; a no-op once built).
const log = (line: string) => console.log(`[tools] ${line}`);
try {
  const temporal = process.env.TEMPORAL_ADDRESS ? 'external (TEMPORAL_ADDRESS)' : await ensureTemporalCli(log);
  const mongo = process.env.MONGODB_URI ? 'external (MONGODB_URI)' : (await ensureMongoServer(log)).path;
  const testServer = await ensureTestServer(log);
  log(`temporal: ${temporal}`);
  log(`mongo: ${mongo}`);
  log(`time-skipping test server: ${testServer}`);
} catch (err) {
  if (err instanceof MissingToolError) {
    console.error(`jiuzhu: ${err.message}`);
    process.exit(3);
  }
  throw err;
}
