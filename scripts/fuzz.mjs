#!/usr/bin/env node
// `npm run fuzz` (or `node scripts/fuzz.mjs`): the schema-driven probe (test/fuzz) deeper than `npm test` runs it —
// 100 examples per operation instead of 15, on the suite's own servers. `--examples N` and `--seed N` choose others;
// JIUZHU_FUZZ_EXAMPLES / JIUZHU_FUZZ_SEED do the same. Reports land in test-results/fuzz/<identity>/.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const env = {
  ...process.env,
  JIUZHU_FUZZ_EXAMPLES: option('--examples') ?? process.env.JIUZHU_FUZZ_EXAMPLES ?? '100',
  ...(option('--seed') ?? process.env.JIUZHU_FUZZ_SEED ? { JIUZHU_FUZZ_SEED: option('--seed') ?? process.env.JIUZHU_FUZZ_SEED } : {}),
};
const run = spawnSync(process.execPath, [join(root, 'scripts', 'test.mjs'), 'test/fuzz'], { cwd: root, stdio: 'inherit', env });
process.exit(run.status ?? 1);
