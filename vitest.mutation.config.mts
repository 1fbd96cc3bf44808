import { defineConfig } from 'vitest/config';

/**
 * The unit tests alone, for Stryker (`npm run mutation`): no Temporal dev server
 * (no globalSetup) and no native Temporal runtime (no setupFiles), since the
 * Stryker runner runs vitest in worker threads, one test at a time.
 */
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    testTimeout: 60_000,
    reporters: ['default'],
  },
});
