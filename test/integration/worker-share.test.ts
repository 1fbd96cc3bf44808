/**
 * Workers of one task queue share the remote APIs' limits: each counts the
 * worker processes the Temporal server sees polling the queue for
 * activities, itself included before its first poll, and takes its share.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { activityWorkersOn } from '../../src/temporal/worker-count';
import { useTemporalEnvironment } from '../support/temporal-env';
import { waitFor } from '../support/wait-for';
import { uniqueTaskQueue } from '../support/worker';

const env = useTemporalEnvironment();

describe('the share of each worker', () => {
  it('counts the worker processes polling the task queue, and this one before it polls', async () => {
    const taskQueue = uniqueTaskQueue('worker-share');
    const count = () =>
      activityWorkersOn(env().nativeConnection, env().namespace ?? 'default', taskQueue, 'self');
    expect(await count()).toBe(1);
    // One connection each, as separate processes have.
    const connections = await Promise.all(
      [0, 1].map(() => NativeConnection.connect({ address: env().address })),
    );
    const workers = await Promise.all(
      ['worker-a', 'worker-b'].map((identity, index) =>
        Worker.create({
          connection: connections[index]!,
          namespace: env().namespace ?? 'default',
          taskQueue,
          identity,
          activities: { noop: async () => undefined },
        }),
      ),
    );
    const running = workers.map((worker) => worker.run());
    try {
      await waitFor(async () => (await count()) === 3, { timeoutMs: 20_000, what: 'both workers to poll' });
      // A worker already polling is not counted twice.
      expect(
        await activityWorkersOn(env().nativeConnection, env().namespace ?? 'default', taskQueue, 'worker-a'),
      ).toBe(2);
    } finally {
      for (const worker of workers) worker.shutdown();
      await Promise.all(running);
      await Promise.all(connections.map((connection) => connection.close()));
    }
  });
});
