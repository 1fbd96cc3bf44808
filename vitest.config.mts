import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A headless browser loads two cores on its own: its tests run after the others (vitest.browser.config.mts).
    exclude: [...configDefaults.exclude, 'test/browser/**'],
    // Temporal's native core crashes under worker threads; forks isolate it per file.
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/quiet-runtime.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    reporters: ['default', './test/support/skipped-tests-reporter.ts'],
  },
});
