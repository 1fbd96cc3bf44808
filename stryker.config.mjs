// Mutation testing of the pure domain rules: `npm run mutation`.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
  packageManager: 'npm',
  testRunner: 'vitest',
  // Only the unit tests (no Temporal server); vitest runs those that import src/domain.
  vitest: { configFile: 'vitest.mutation.config.mts', related: true },
  mutate: ['src/domain/**/*.ts'],
  // Each mutant runs only the tests that reach it. `npm run mutation -- --incremental` reuses
  // reports/stryker-incremental.json and re-tests only what changed since the last run.
  coverageAnalysis: 'perTest',
  concurrency: 2,
  reporters: ['clear-text', 'progress', 'json'],
  // Survivors (with the tests that reached them) and the score table; not the list of every test.
  clearTextReporter: { allowColor: false, reportTests: false },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 85, break: 85 },
  // Not needed to run the unit tests, and large (the Temporal binaries).
  ignorePatterns: ['/.tools', '/.cutover', '/dist', '/coverage'],
  // A failed run must not leave sandbox copies of the sources for eslint and tsc to find.
  cleanTempDir: 'always',
};

export default config;
