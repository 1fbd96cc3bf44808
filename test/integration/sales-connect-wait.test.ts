import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load';
import { salesConnectRun } from '../../src/runs';
import { DEMO_MARKETO, DEMO_SALES_CONNECT } from '../../src/simulator/seeds/demo-catalog';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import { confirmStepUpdate, provisioningProgressQuery } from '../../src/workflows/sales-connect/messages';
import { TEST_SECRETS, adminPost, adminPut, rawSalesConnectConfig } from '../support/cutover-config';
import { cutoverTestWorker } from '../support/cutover-worker';
import { timeSkippingEnvironment, useTemporalEnvironment } from '../support/temporal-env';
import { waitFor } from '../support/wait-for';
import { uniqueTaskQueue } from '../support/worker';

const EventType = temporal.api.enums.v1.EventType;
const env = useTemporalEnvironment(timeSkippingEnvironment);
let simulator: RunningSimulator;
beforeEach(async () => {
  simulator = await startSimulator({ port: 0, seed: { profile: 'demo' } });
  // The simulator's clock does not skip with Temporal's, so the ten minutes are the workflow's to keep.
  await adminPut(simulator, `/__admin/sales-connect/${DEMO_SALES_CONNECT.instanceId}/settings`, {
    minimumProvisioningDelaySeconds: 0,
  });
});
afterEach(() => simulator.close());

type SalesConnectRaw = ReturnType<typeof rawSalesConnectConfig>;

/**
 * A provisioning run and its workers. `caller` shapes the config the run's
 * input comes from (a person's CLI), `workerConfig` the worker's own.
 */
async function setUp(
  taskQueue: string,
  gateway: 'http' | 'manual',
  options: { caller?: (raw: SalesConnectRaw) => void; workerConfig?: (raw: SalesConnectRaw) => void } = {},
) {
  const users = [
    { email: 'ben.seller@demo.example' },
    { email: 'chloe.rep@demo.example', workspace: 'EMEA' },
  ];
  const raw = rawSalesConnectConfig(simulator, taskQueue, { gateway, users });
  options.workerConfig?.(raw);
  const config = parseConfig(raw, 'test.yaml');
  const callerRaw = rawSalesConnectConfig(simulator, taskQueue, { gateway, users });
  options.caller?.(callerRaw);
  const run = salesConnectRun.fromConfig(parseConfig(callerRaw, 'caller.yaml'));
  const worker = async (options: { cache?: boolean } = {}) =>
    cutoverTestWorker(
      env(),
      // Without a sticky cache the next workflow task goes to any worker: how a restarted fleet sees it.
      options.cache === false
        ? parseConfig({ ...raw, worker: { maxCachedWorkflows: 0 } }, 'test.yaml')
        : config,
    );
  const handle = await salesConnectRun.start(env().client, run, {
    taskQueue,
    workflowId: `${run.workflowId}/${taskQueue}`,
    useSearchAttributes: false,
  });
  return { worker, handle };
}

const inPhase = (handle: WorkflowHandle, phase: string, step?: string) =>
  waitFor(
    async () => {
      const progress = await handle.query(provisioningProgressQuery);
      return progress.phase === phase && (!step || progress.awaiting?.step === step) ? progress : undefined;
    },
    { timeoutMs: 20_000, what: `phase ${phase}${step ? ` (${step})` : ''}` },
  );

const eventSeconds = (event: { eventTime?: { seconds?: unknown } | null }) =>
  Number(event.eventTime?.seconds);

/** Seconds between the run's start and the first invitation it scheduled (Temporal's clock). */
async function secondsUntilInvitations(handle: WorkflowHandle): Promise<number> {
  const events = (await handle.fetchHistory()).events ?? [];
  const invite = events.find(
    (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'inviteSalesConnectUsers',
  );
  return eventSeconds(invite!) - eventSeconds(events[0]!);
}

describe('the ten-minute wait after connecting Marketo (time-skipping server)', () => {
  it('holds across a worker restart, and invitations start promptly after ten minutes', async () => {
    const { worker, handle } = await setUp(uniqueTaskQueue('sc-wait'), 'http');
    const first = await worker({ cache: false });
    const waiting = await first.runUntil(inPhase(handle, 'waiting'));
    expect(Date.parse(waiting.provisioningStartsAt!) - Date.parse(waiting.marketoConnectedAt!)).toBe(600_000);
    expect(simulator.requests.list({ method: 'POST', pathContains: '/invitations' })).toEqual([]);

    // A new worker takes over the timer; the first one is gone.
    const result = await (await worker()).runUntil(handle.result());
    expect(result.users.map((user) => user.status)).toEqual(['invited', 'invited']);

    const events = (await handle.fetchHistory()).events ?? [];
    const timer = events.find((event) => event.timerStartedEventAttributes);
    expect(Number(timer?.timerStartedEventAttributes?.startToFireTimeout?.seconds)).toBe(600);
    const scheduled = (type: string) =>
      events.find((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === type)!;
    const connectedAt = eventSeconds(scheduled('connectSalesConnectToMarketo'));
    const invitedAt = eventSeconds(scheduled('inviteSalesConnectUsers'));
    expect(invitedAt - connectedAt).toBeGreaterThanOrEqual(600);
    expect(invitedAt - connectedAt).toBeLessThan(660);
    // While it waited, nothing ran: between the timer's start and its firing there is no activity at all.
    const started = events.indexOf(timer!);
    const fired = events.findIndex((event) => event.timerFiredEventAttributes);
    expect(events.slice(started, fired).some((event) => event.activityTaskScheduledEventAttributes)).toBe(
      false,
    );
    // What the wait costs in history: the timer's two events and the workflow task that follows; anything
    // in between is workflow-task bookkeeping (e.g. the restarted worker picking the run up), never work.
    const workflowTask = [
      EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
      EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
      EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    ];
    expect(events.slice(started + 1, fired).every((event) => workflowTask.includes(event.eventType!))).toBe(
      true,
    );
    expect(events.slice(fired, fired + 4).map((event) => event.eventType)).toEqual([
      EventType.EVENT_TYPE_TIMER_FIRED,
      ...workflowTask,
    ]);
  });

  it('with the manual adapter, waits for each confirmation, validated against the step it confirms', async () => {
    const { worker, handle } = await setUp(uniqueTaskQueue('sc-manual'), 'manual');
    const result = await (
      await worker()
    ).runUntil(async () => {
      const awaiting = await inPhase(handle, 'awaiting-confirmation', 'salesforce-connected');
      expect(awaiting.awaiting?.instructions).toContain('Settings > Admin Settings > Salesforce');
      await expect(
        handle.executeUpdate(confirmStepUpdate, { args: [{ step: 'marketo-connected' }] }),
      ).rejects.toMatchObject({
        cause: { message: 'The run waits for step "salesforce-connected", not "marketo-connected".' },
      });
      await expect(
        handle.executeUpdate(confirmStepUpdate, { args: [{ step: 'salesforce-connected' }] }),
      ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/needs --instance-url/) } });
      await handle.executeUpdate(confirmStepUpdate, {
        args: [
          {
            step: 'salesforce-connected',
            instanceUrl: DEMO_SALES_CONNECT.salesforceInstance,
            isProduction: true,
          },
        ],
      });

      await inPhase(handle, 'awaiting-confirmation', 'marketo-connected');
      await expect(
        handle.executeUpdate(confirmStepUpdate, {
          args: [{ step: 'marketo-connected', munchkinId: '999-ZZZ-999' }],
        }),
      ).rejects.toMatchObject({
        cause: {
          message: `Sales Connect shows Munchkin ID 999-ZZZ-999, but marketo.munchkinId is ${DEMO_MARKETO.munchkinId}: connect it with the Marketo subscription in the config.`,
        },
      });
      await handle.executeUpdate(confirmStepUpdate, {
        args: [{ step: 'marketo-connected', munchkinId: DEMO_MARKETO.munchkinId.toLowerCase() }],
      });

      await inPhase(handle, 'waiting');
      await env().sleep('9 minutes');
      expect((await handle.query(provisioningProgressQuery)).phase).toBe('waiting');
      await env().sleep('2 minutes');
      const invite = await inPhase(handle, 'awaiting-confirmation', 'invitations-1');
      expect(invite.awaiting?.instructions).toContain('- chloe.rep@demo.example: EMEA');
      await expect(
        handle.executeUpdate(confirmStepUpdate, {
          args: [{ step: 'invitations-1', alreadyConnected: ['ada.admin@demo.example'] }],
        }),
      ).rejects.toMatchObject({
        cause: { message: 'Not in the batch step "invitations-1" waits for: ada.admin@demo.example.' },
      });
      await handle.executeUpdate(confirmStepUpdate, {
        args: [
          {
            step: 'invitations-1',
            by: 'ops',
            rejected: [{ email: 'chloe.rep@demo.example', reason: 'email-used-on-other-instance' }],
          },
        ],
      });
      return handle.result();
    });
    expect(result.phase).toBe('completed');
    expect(result.users.map((user) => [user.email, user.status, user.reason])).toEqual([
      ['ben.seller@demo.example', 'invited', 'confirmed by ops'],
      ['chloe.rep@demo.example', 'rejected', 'email-used-on-other-instance'],
    ]);
    // Nothing went through the HTTP gateway.
    expect(simulator.requests.list({ module: 'salesConnect' })).toEqual([]);
  });

  it('waits the full delay after a Marketo connection an earlier run made a minute ago', async () => {
    // An earlier run connected Sales Connect to Marketo a minute ago (by Temporal's clock, which skips) and stopped.
    const clock = (await (await fetch(`${simulator.baseUrl}/__admin/clock`)).json()) as { now: number };
    const advanceMs = (await env().currentTimeMs()) - 60_000 - clock.now;
    if (advanceMs > 0) await adminPost(simulator, '/__admin/clock', { advanceMs });
    const connected = await fetch(
      `${simulator.baseUrl}/sales-connect/v1/instances/${DEMO_SALES_CONNECT.instanceId}/marketo-connection`,
      {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          munchkinId: DEMO_MARKETO.munchkinId,
          clientId: DEMO_MARKETO.clientId,
          clientSecret: TEST_SECRETS.CUTOVER_TEST_MARKETO_SECRET,
        }),
      },
    );
    expect(connected.status).toBeLessThan(300);
    const { worker, handle } = await setUp(uniqueTaskQueue('sc-young'), 'http');
    const result = await (await worker()).runUntil(handle.result());
    expect(result.users.map((user) => user.status)).toEqual(['invited', 'invited']);
    expect(simulator.requests.list({ method: 'PUT', pathContains: '/marketo-connection' })).toHaveLength(1);
    expect(await secondsUntilInvitations(handle)).toBeGreaterThanOrEqual(600);
  });

  it('keeps the worker’s ten minutes when the caller’s config asks for five seconds against the simulator', async () => {
    const { worker, handle } = await setUp(uniqueTaskQueue('sc-worker-decides'), 'http', {
      caller: (raw) => {
        raw.salesConnect.provisioningDelay = '5 seconds';
      },
      // The worker talks to this gateway as to a real bridge: Adobe's ten minutes hold.
      workerConfig: (raw) => {
        (raw.salesConnect.gateway as { simulated?: boolean }).simulated = false;
      },
    });
    const result = await (await worker()).runUntil(handle.result());
    expect(result.users.map((user) => user.status)).toEqual(['invited', 'invited']);
    expect(Date.parse(result.provisioningStartsAt!) - Date.parse(result.marketoConnectedAt!)).toBe(600_000);
    expect(await secondsUntilInvitations(handle)).toBeGreaterThanOrEqual(600);
  });
});
