import { WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSalesConnectProvisioning } from '../../src/cli/commands/sales-connect';
import { parseConfig } from '../../src/config/load';
import { salesConnectRun } from '../../src/runs';
import { DEMO_SALES_CONNECT } from '../../src/simulator/seeds/demo-catalog';
import type { SalesConnectSimulatorState } from '../../src/simulator/sales-connect/state';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import { CutoverKind, CutoverPhase } from '../../src/visibility/search-attributes';
import {
  provisioningProgressQuery,
  type ProvisioningProgress,
} from '../../src/workflows/sales-connect/messages';
import { adminDelete, adminPut, rawSalesConnectConfig } from '../support/cutover-config';
import { historyTexts } from '../support/history';
import { expectCleanHistory } from '../support/history-checks';
import { replayHistoryOf } from '../support/replay';
import { cutoverTestWorker } from '../support/cutover-worker';
import { useTemporalEnvironment } from '../support/temporal-env';
import { waitFor } from '../support/wait-for';
import { uniqueTaskQueue } from '../support/worker';

const env = useTemporalEnvironment();
let simulator: RunningSimulator;
beforeEach(async () => {
  simulator = await startSimulator({ port: 0, seed: { profile: 'demo' } });
  // The simulator's own too-early rule follows the short demo wait configured below.
  await adminPut(simulator, `/__admin/sales-connect/${DEMO_SALES_CONNECT.instanceId}/settings`, {
    minimumProvisioningDelaySeconds: 2,
  });
});
afterEach(() => simulator.close());

const sentInvitations = () =>
  (simulator.snapshot().modules['salesConnect'] as SalesConnectSimulatorState).instances[
    DEMO_SALES_CONNECT.instanceId
  ]!.sentInvitations;

async function provision(taskQueue: string, raw: ReturnType<typeof rawSalesConnectConfig>) {
  const config = parseConfig(raw, 'test.yaml');
  const worker = await cutoverTestWorker(env(), config);
  const handle = await startSalesConnectProvisioning(env().client, config);
  const result = await worker.runUntil(handle.result() as Promise<ProvisioningProgress>);
  return { handle, result };
}

describe('Sales Connect provisioning on the dev server', () => {
  it('provisions the demo team in batches: default workspaces, skipped and rejected users reported', async () => {
    const taskQueue = uniqueTaskQueue('sales-connect');
    // The answer to the first invitation batch is lost after Sales Connect sent the e-mails.
    simulator.faults.configure({
      script: [{ kind: 'drop-after-commit', method: 'POST', pathContains: '/invitations' }],
    });
    const { handle, result } = await provision(
      taskQueue,
      rawSalesConnectConfig(simulator, taskQueue, {
        provisioningDelay: '2 seconds',
        batchSize: 2,
        users: [
          { email: 'ben.seller@demo.example' },
          { email: 'chloe.rep@demo.example', workspace: 'EMEA' },
          { email: 'dev.ops@demo.example' },
          { email: 'ada.admin@demo.example' },
          { email: 'emma.lead@demo.example', workspace: 'Americas' },
          { email: 'zed.unknown@demo.example' },
        ],
      }),
    );

    expect(result.phase).toBe('completed');
    expect(
      result.users.map((user) => [user.email, user.status, user.workspace ?? null, user.batch ?? null]),
    ).toEqual([
      ['ben.seller@demo.example', 'invited', 'Default', 1],
      ['chloe.rep@demo.example', 'invited', 'EMEA', 1],
      ['dev.ops@demo.example', 'rejected', null, 2],
      ['ada.admin@demo.example', 'skipped', 'Default', null],
      ['emma.lead@demo.example', 'rejected', 'EMEA', null],
      ['zed.unknown@demo.example', 'rejected', null, null],
    ]);
    const reasons = Object.fromEntries(result.users.map((user) => [user.email, user.reason]));
    expect(reasons['dev.ops@demo.example']).toBe('email-used-on-other-instance');
    expect(reasons['ada.admin@demo.example']).toBe('already-connected');
    expect(reasons['emma.lead@demo.example']).toMatch(
      /^workspace-change-requires-disconnect: already in workspace "EMEA"/,
    );
    expect(reasons['zed.unknown@demo.example']).toMatch(/^unknown-user: /);

    // The retried batch was answered from the bridge's memory: nobody was invited twice.
    expect(sentInvitations().map((sent) => sent.email)).toEqual([
      'ben.seller@demo.example',
      'chloe.rep@demo.example',
    ]);
    const invitationCalls = simulator.requests.list({ method: 'POST', pathContains: '/invitations' });
    expect(invitationCalls.filter((call) => call.dropped)).toHaveLength(1);

    // Invitations went out only after the configured wait from the Marketo connection.
    const connected = simulator.requests.list({ method: 'PUT', pathContains: '/marketo-connection' })[0]!;
    expect(invitationCalls[0]!.at - connected.at).toBeGreaterThanOrEqual(2_000);

    const listed = await waitFor(async () => {
      for await (const execution of env().client.workflow.list({
        query: `CutoverKind = 'sales-connect-provisioning' AND WorkflowId = '${handle.workflowId}'`,
      })) {
        return execution.typedSearchAttributes.get(CutoverPhase) === 'completed' ? execution : undefined;
      }
      return undefined;
    });
    expect(listed.typedSearchAttributes.get(CutoverKind)).toBe('sales-connect-provisioning');

    // A later run over the same users finds them invited and e-mails nobody again.
    const again = await provision(
      taskQueue,
      rawSalesConnectConfig(simulator, taskQueue, {
        provisioningDelay: '2 seconds',
        users: [{ email: 'ben.seller@demo.example' }, { email: 'chloe.rep@demo.example', workspace: 'EMEA' }],
      }),
    );
    expect(again.result.users.map((user) => [user.status, user.reason])).toEqual([
      ['skipped', 'already-invited'],
      ['skipped', 'already-invited'],
    ]);
    expect(sentInvitations()).toHaveLength(2);

    // No secret reached the history, and the history replays against the current code.
    await expectCleanHistory(env().client, handle.workflowId);
    await replayHistoryOf(again.handle);
    // The team roster (every Sales Connect user) never reaches history: only the users a run handles.
    const handled = new Set(again.result.users.map((user) => user.email.toLowerCase()));
    const roster = DEMO_SALES_CONNECT.team
      .map((member) => member.email)
      .filter((email) => !handled.has(email));
    expect(roster.length).toBeGreaterThan(0);
    const emails = new Set(
      historyTexts(await again.handle.fetchHistory()).flatMap(
        (text) => text.match(/[\w.+-]+@[a-z][\w-]*(\.[a-z][\w-]*)+/gi) ?? [],
      ),
    );
    expect([...emails].filter((email) => !handled.has(email.toLowerCase()))).toEqual([]);
  });

  it('stops before touching Sales Connect when the preflight finds a violation', async () => {
    const taskQueue = uniqueTaskQueue('sales-connect-preflight');
    const raw = rawSalesConnectConfig(simulator, taskQueue, {
      users: [{ email: 'ben.seller@demo.example' }],
    });
    raw.salesforce.marketoMeasure.dailyApiLimit = 20_000;
    expect(salesConnectRun.fromConfig(parseConfig(raw, 'test.yaml')).problems).toEqual([]);
    const failure = await provision(taskQueue, raw).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(((failure as WorkflowFailedError).cause as Error).message).toContain(
      "Preflight failed, nothing was changed: [measure-daily-api-limit] Marketo Measure's daily CRM API limit is 20,000",
    );
    expect(simulator.requests.list({ method: 'PUT', pathContains: '/marketo-connection' })).toEqual([]);
  });

  it('invites nobody when Marketo was disconnected during the wait, and says what to do', async () => {
    const taskQueue = uniqueTaskQueue('sales-connect-disconnected');
    const config = parseConfig(
      rawSalesConnectConfig(simulator, taskQueue, {
        provisioningDelay: '3 seconds',
        users: [{ email: 'ben.seller@demo.example' }],
      }),
      'test.yaml',
    );
    const worker = await cutoverTestWorker(env(), config);
    const handle = await startSalesConnectProvisioning(env().client, config);
    const failure = await worker.runUntil(async () => {
      await waitFor(async () => (await handle.query(provisioningProgressQuery)).phase === 'waiting', {
        timeoutMs: 30_000,
        what: 'the wait',
      });
      await adminDelete(
        simulator,
        `/__admin/sales-connect/${DEMO_SALES_CONNECT.instanceId}/marketo-connection`,
      );
      return handle.result().catch((error: unknown) => error);
    });

    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('MarketoDisconnected');
    expect(cause.nonRetryable).toBe(true);
    expect(cause.message).toMatch(
      /no longer connected to Marketo .* nobody was invited.*start the provisioning again/,
    );
    expect(simulator.requests.list({ method: 'POST', pathContains: '/invitations' })).toEqual([]);
    expect(sentInvitations()).toEqual([]);
  });
});
