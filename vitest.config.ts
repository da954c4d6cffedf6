import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The Temporal native addon is not safe in worker threads: one process per test file.
    pool: 'forks',
    // Two cores: every file runs its own worker (and some a Java test server); two at a time is the most that helps.
    maxWorkers: 2,
    globalSetup: ['test/helpers/global-setup.ts'],
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
