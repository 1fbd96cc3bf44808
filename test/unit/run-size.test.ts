/**
 * No run is planned past what its histories hold: the plan every kind shares
 * (the workflow's and `cutover <kind> plan`'s) blocks a sandbox with more
 * dataflows to migrate than its child workflow's history holds, and a run
 * with more than its result holds, before anything is written, and says how
 * to split a run.
 */
import { describe, expect, it } from 'vitest';
import { MAX_DATAFLOWS_PER_RUN, MAX_DATAFLOWS_PER_SANDBOX } from '../../src/domain/run-size';
import { planEverySandbox } from '../../src/workflows/migration/plan';

const sandboxPlan = (sandbox: string, migrate: number, skip = 0) => ({
  sandbox,
  blockers: [],
  items: [
    ...Array.from({ length: migrate }, () => ({ action: 'migrate' })),
    ...Array.from({ length: skip }, () => ({ action: 'skip' })),
  ],
});

const sandboxes = (count: number) => Array.from({ length: count }, (_, index) => `sandbox-${index}`);

describe('the size of one run', () => {
  it('plans sandboxes of exactly the most one history holds, skipped dataflows not counted', async () => {
    const plan = await planEverySandbox(['prod', 'dev'], [], async (sandbox) =>
      sandboxPlan(sandbox, MAX_DATAFLOWS_PER_SANDBOX, 500),
    );
    expect(plan.blockers).toEqual([]);
  });

  it('blocks a sandbox of one more, naming it and the limit', async () => {
    const plan = await planEverySandbox(['prod', 'dev'], [], async (sandbox) =>
      sandboxPlan(sandbox, sandbox === 'prod' ? MAX_DATAFLOWS_PER_SANDBOX + 1 : 1),
    );
    expect(plan.blockers).toHaveLength(1);
    expect(plan.blockers[0]).toMatch(/^prod: 1001 dataflows to migrate .* \(at most 1000\)/);
  });

  it('plans a run of exactly the most one run holds', async () => {
    const plan = await planEverySandbox(sandboxes(20), [], async (sandbox) =>
      sandboxPlan(sandbox, MAX_DATAFLOWS_PER_RUN / 20),
    );
    expect(plan.blockers).toEqual([]);
  });

  it('blocks a run of one more, naming the limit and how many runs to split it into', async () => {
    const plan = await planEverySandbox(sandboxes(20), [], async (sandbox) =>
      sandboxPlan(sandbox, MAX_DATAFLOWS_PER_RUN / 20 + (sandbox === 'sandbox-0' ? 1 : 0)),
    );
    expect(plan.blockers).toHaveLength(1);
    expect(plan.blockers[0]).toMatch(
      /^10001 dataflows .* \(at most 10000\); start 2 or more runs, each with some of the sandboxes \(--sandbox sandbox-0/,
    );
  });
});
