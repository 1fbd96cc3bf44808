import path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/**
 * Names every skipped test at the end of a run, loudly. Under CI a skipped
 * test fails the run: a promise whose test does not run is unchecked on every
 * submission, so `.ci/run` installs whatever a test needs instead.
 */
export default class SkippedTestsReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const skipped = testModules.flatMap((module) =>
      [...module.children.allTests('skipped')].map(
        (test) => `${path.relative(process.cwd(), module.moduleId)} > ${test.fullName}`,
      ),
    );
    if (!skipped.length) return;
    console.warn(
      [
        `\n!!! ${skipped.length} test(s) SKIPPED, unchecked by this run:`,
        ...skipped.map((name) => `  - ${name}`),
      ].join('\n'),
    );
    if (process.env.CI) {
      console.error('!!! CI runs every test: install what the skipped ones need in .ci/run.\n');
      process.exitCode = 1;
    }
  }
}
