import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import {
  approveUpdate,
  progressQuery,
  rejectUpdate,
  type MigrationProgress,
} from '../../src/workflows/migration/messages';
import { sandboxRunId } from '../../src/workflows/migration/steps';
import { adminPut } from '../support/cutover-config';
import { awaitingApproval, resultOnceClosed, startMigrationRun } from '../support/migration-start';
import { firedTimers, scheduledActivities } from '../support/history';
import { collect, demoAdobeClients } from '../support/simulator';
import { timeSkippingEnvironment, useTemporalEnvironment } from '../support/temporal-env';
import { uniqueTaskQueue } from '../support/worker';

const env = useTemporalEnvironment(timeSkippingEnvironment);
let simulator: RunningSimulator;

beforeEach(async () => {
  simulator = await startSimulator({ port: 0, seed: { profile: 'demo' } });
  await adminPut(simulator, '/__admin/flow-service/settings', { runDurationMs: 0 });
});
afterEach(() => simulator.close());

const start = (taskQueue: string, sandboxes: Parameters<typeof startMigrationRun>[4]) =>
  startMigrationRun('sfmc', env(), simulator, taskQueue, sandboxes);

/** Each failure of the chain with its type and message, to read what ended a run. */
function failureChain(error: unknown): string {
  const links: string[] = [];
  for (let current = error; current instanceof Error; current = current.cause)
    links.push(`${current.constructor.name}: ${current.message} ${JSON.stringify(current)}`);
  return links.join('\n <- ');
}

async function prodFlows() {
  return collect(demoAdobeClients(simulator, 'prod').flowService.flows.list());
}

describe('the SFMC cut-over gate (time-skipping server)', () => {
  it('waits for approval before deleting V1, and accepts approve only while waiting', async () => {
    const taskQueue = uniqueTaskQueue('sfmc-approve');
    const { worker, handle } = await start(taskQueue, [{ name: 'prod', autoApprove: false }]);
    const result = await worker.runUntil(async () => {
      const waiting = await awaitingApproval(handle);
      expect(waiting.awaitingApproval).toEqual(['prod']);
      const verified = waiting.items.filter((item) => item.status === 'verified');
      expect(verified).toHaveLength(2);
      // Nothing of V1 is deleted while the gate is closed.
      const flows = await prodFlows();
      for (const item of verified)
        expect(flows.find((flow) => flow.id === item.v1FlowId)?.state).toBe('disabled');

      // The validator refuses before anything is recorded in history.
      await expect(
        handle.executeUpdate(approveUpdate, { args: [{ sandboxes: ['dev'] }] }),
      ).rejects.toMatchObject({
        cause: { message: 'Not waiting for approval: dev. Waiting: prod.' },
      });
      expect(await handle.executeUpdate(approveUpdate, { args: [{ by: 'ops@example.com' }] })).toEqual([
        'prod',
      ]);
      await expect(handle.executeUpdate(approveUpdate, { args: [{}] })).rejects.toMatchObject({
        cause: { message: expect.stringMatching(/^Nothing is waiting for approval/) },
      });
      return resultOnceClosed(handle);
    });
    expect(result.phase).toBe('completed');
    const flows = await prodFlows();
    for (const item of result.items.filter((candidate) => candidate.status === 'v1-removed')) {
      expect(flows.some((flow) => flow.id === item.v1FlowId)).toBe(false);
    }
  });

  it('rolls back on reject: V1 enabled again, V2 removed', async () => {
    const taskQueue = uniqueTaskQueue('sfmc-reject');
    const { worker, handle } = await start(taskQueue, [{ name: 'prod', autoApprove: false }]);
    const result: MigrationProgress = await worker.runUntil(async () => {
      await awaitingApproval(handle);
      await handle.executeUpdate(rejectUpdate, {
        args: [{ reason: 'numbers look off', by: 'ops@example.com' }],
      });
      return resultOnceClosed(handle);
    });
    expect(result.phase).toBe('rolled-back');
    const rolledBack = result.items.filter((item) => item.status === 'rolled-back');
    expect(rolledBack).toHaveLength(2);
    expect(rolledBack[0]?.reason).toBe('rejected: numbers look off (by ops@example.com)');
    const flows = await prodFlows();
    for (const item of rolledBack) {
      expect(flows.find((flow) => flow.id === item.v1FlowId)?.state).toBe('enabled');
      expect(flows.some((flow) => flow.id === item.v2FlowId)).toBe(false);
    }
    expect(flows.filter((flow) => (flow.description ?? '').includes('cutover:sfmc:'))).toEqual([]);
  });

  it('rolls back when the migration is cancelled while it waits', async () => {
    const taskQueue = uniqueTaskQueue('sfmc-cancel');
    const { worker, handle } = await start(taskQueue, [{ name: 'prod', autoApprove: false }]);
    const outcome = await worker.runUntil(async () => {
      const waiting = await awaitingApproval(handle);
      await handle.cancel();
      const error = await resultOnceClosed(handle).then(
        () => undefined,
        (caught: Error) => caught,
      );
      // The closed run still answers the query: what each sandbox reported as it rolled back.
      return { waiting, error, after: await handle.query(progressQuery) };
    });
    expect(outcome.error?.cause?.constructor.name, failureChain(outcome.error)).toBe('CancelledFailure');
    const verified = outcome.waiting.items.filter((candidate) => candidate.status === 'verified');
    expect(verified.length).toBeGreaterThan(0);
    expect(
      outcome.after.items
        .filter((item) => verified.some((was) => was.v1FlowId === item.v1FlowId))
        .map((item) => item.status),
    ).toEqual(verified.map(() => 'rolled-back'));
    const flows = await prodFlows();
    for (const item of outcome.waiting.items.filter((candidate) => candidate.status === 'verified')) {
      expect(flows.find((flow) => flow.id === item.v1FlowId)?.state).toBe('enabled');
      expect(flows.some((flow) => flow.id === item.v2FlowId)).toBe(false);
    }
  });

  it('keeps V1 disabled for the retention period, a durable timer, before deleting it', async () => {
    const taskQueue = uniqueTaskQueue('sfmc-retention');
    const { worker, handle } = await start(taskQueue, [
      { name: 'prod', autoApprove: true, retention: '14 days' },
    ]);
    const serverTimeBefore = await env().currentTimeMs();
    const result = await worker.runUntil(handle.result());
    expect(result.phase).toBe('completed');
    expect((await env().currentTimeMs()) - serverTimeBefore).toBeGreaterThanOrEqual(14 * 24 * 3_600_000);
    const history = await env()
      .client.workflow.getHandle(sandboxRunId(handle.workflowId, 'prod'))
      .fetchHistory();
    const retention = firedTimers(history).find((timer) => timer.seconds === 14 * 24 * 3600);
    expect(retention?.summary).toBe('Keep V1 in prod for 14 days before deleting it');
    // V1 is deleted only once the retention timer has fired, never before.
    const v1Deletions = scheduledActivities(history).filter(
      (activity) => activity.type === 'deleteFlowServiceObjects',
    );
    expect(v1Deletions).toHaveLength(1);
    expect(v1Deletions[0]!.eventId).toBeGreaterThan(retention!.firedEventId);
    const flows = await prodFlows();
    expect(
      result.items
        .filter((item) => item.status === 'v1-removed')
        .every((item) => !flows.some((flow) => flow.id === item.v1FlowId)),
    ).toBe(true);
  });
});
