import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import { approveUpdate, rejectUpdate, type MigrationProgress } from '../../src/workflows/migration/messages';
import { adminPut } from '../support/cutover-config';
import { awaitingApproval, resultOnceClosed, startMigrationRun } from '../support/migration-start';
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
  startMigrationRun('marketo', env(), simulator, taskQueue, sandboxes);

const prodFlows = () => collect(demoAdobeClients(simulator, 'prod').flowService.flows.list());

describe('the Marketo cut-over gate (time-skipping server)', () => {
  it('keeps V1 and V2 both exporting while it waits, then deletes V1 on approve', async () => {
    const { worker, handle } = await start(uniqueTaskQueue('marketo-approve'), [
      { name: 'prod', autoApprove: false },
    ]);
    const result = await worker.runUntil(async () => {
      const waiting = await awaitingApproval(handle);
      const verified = waiting.items.filter((item) => item.status === 'verified');
      expect(verified).toHaveLength(2);
      const flows = await prodFlows();
      for (const item of verified) {
        expect(flows.find((flow) => flow.id === item.v1FlowId)?.state).toBe('enabled');
        expect(flows.find((flow) => flow.id === item.v2FlowId)?.state).toBe('enabled');
      }
      expect(await handle.executeUpdate(approveUpdate, { args: [{ by: 'ops@example.com' }] })).toEqual([
        'prod',
      ]);
      return resultOnceClosed(handle);
    });
    expect(result.phase).toBe('completed');
    const flows = await prodFlows();
    for (const item of result.items.filter((candidate) => candidate.status === 'v1-removed')) {
      expect(flows.some((flow) => flow.id === item.v1FlowId)).toBe(false);
      expect(flows.find((flow) => flow.id === item.v2FlowId)?.state).toBe('enabled');
    }
  });

  it('keeps V1 when its V2 was switched off while the cut-over waited for approval', async () => {
    const { worker, handle } = await start(uniqueTaskQueue('marketo-v2-off'), [
      { name: 'prod', autoApprove: false },
    ]);
    const result = await worker.runUntil(async () => {
      const waiting = await awaitingApproval(handle);
      const [first] = waiting.items.filter((item) => item.status === 'verified');
      await demoAdobeClients(simulator, 'prod').flowService.disableFlow(first!.v2FlowId!);
      await handle.executeUpdate(approveUpdate, { args: [{}] });
      return { result: await resultOnceClosed(handle), switchedOff: first! };
    });
    const item = result.result.items.find((candidate) => candidate.v1FlowId === result.switchedOff.v1FlowId);
    expect(item).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/^its V2 dataflow \S+ is disabled now, so V1 was kept/),
    });
    const flows = await prodFlows();
    expect(flows.find((flow) => flow.id === item!.v1FlowId)?.state).toBe('enabled');
    expect(result.result.items.filter((candidate) => candidate.status === 'v1-removed')).toHaveLength(1);
  });

  it('on reject removes V2 and leaves V1 exporting, untouched', async () => {
    const before = await prodFlows();
    const { worker, handle } = await start(uniqueTaskQueue('marketo-reject'), [
      { name: 'prod', autoApprove: false },
    ]);
    const result: MigrationProgress = await worker.runUntil(async () => {
      await awaitingApproval(handle);
      await handle.executeUpdate(rejectUpdate, { args: [{ reason: 'wrong static lists', by: 'ops' }] });
      return resultOnceClosed(handle);
    });
    expect(result.phase).toBe('rolled-back');
    const rolledBack = result.items.filter((item) => item.status === 'rolled-back');
    expect(rolledBack.map((item) => item.reason)).toEqual([
      'rejected: wrong static lists (by ops)',
      'rejected: wrong static lists (by ops)',
    ]);
    const after = await prodFlows();
    for (const item of rolledBack) {
      const v1 = after.find((flow) => flow.id === item.v1FlowId);
      expect(v1?.etag, `${item.name}: V1 never written to`).toBe(
        before.find((flow) => flow.id === item.v1FlowId)?.etag,
      );
      expect(v1?.state).toBe('enabled');
    }
    expect(after.filter((flow) => (flow.description ?? '').includes('cutover:marketo:'))).toEqual([]);
  });

  it('with a retention period, waits on a durable timer before deleting V1', async () => {
    const { worker, handle } = await start(uniqueTaskQueue('marketo-retention'), [
      { name: 'prod', autoApprove: true, retention: '7 days' },
    ]);
    const serverTimeBefore = await env().currentTimeMs();
    const result = await worker.runUntil(handle.result());
    expect(result.phase).toBe('completed');
    expect((await env().currentTimeMs()) - serverTimeBefore).toBeGreaterThanOrEqual(7 * 24 * 3_600_000);
    expect(result.items.filter((item) => item.status === 'v1-removed')).toHaveLength(2);
  });
});
