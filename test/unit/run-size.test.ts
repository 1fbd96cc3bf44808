/**
 * No run is planned past what one history holds: the plan every kind shares
 * (the workflow's and `cutover <kind> plan`'s) blocks a run with more
 * dataflows to migrate than MAX_DATAFLOWS_PER_RUN, before anything is written,
 * and says how to split it.
 */
import { describe, expect, it } from 'vitest';
import { MAX_DATAFLOWS_PER_RUN, runSizeBlocker } from '../../src/domain/run-size';
import { planEverySandbox } from '../../src/workflows/migration/plan';

const sandboxPlan = (sandbox: string, migrate: number, skip = 0) => ({
  sandbox,
  blockers: [],
  items: [
    ...Array.from({ length: migrate }, () => ({ action: 'migrate' })),
    ...Array.from({ length: skip }, () => ({ action: 'skip' })),
  ],
});

describe('the size of one run', () => {
  it('plans a run of exactly the most one history holds, skipped dataflows not counted', async () => {
    const half = MAX_DATAFLOWS_PER_RUN / 2;
    const plan = await planEverySandbox(['prod', 'dev'], [], async (sandbox) =>
      sandboxPlan(sandbox, half, 500),
    );
    expect(plan.blockers).toEqual([]);
  });

  it('blocks one more, naming the limit and how many runs to split it into', async () => {
    const plan = await planEverySandbox(['prod', 'dev', 'qa'], [], async (sandbox) =>
      sandboxPlan(sandbox, sandbox === 'prod' ? MAX_DATAFLOWS_PER_RUN - 1 : 1),
    );
    expect(plan.blockers).toEqual([runSizeBlocker(MAX_DATAFLOWS_PER_RUN + 1, ['prod', 'dev', 'qa'])]);
    expect(plan.blockers[0]).toMatch(
      /at most 1400\); start 2 or more runs, each with some of the sandboxes \(--sandbox prod/,
    );
  });
});
