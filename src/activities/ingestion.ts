import { Context } from '@temporalio/activity';
import type { ScheduleClient } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { IngestionConfig } from '../config/schema';
import type { SecretSource } from '../config/secrets';
import { lastSuccessfulWindowEnd, type IngestionWindow, type RunSummary } from '../domain/ingestion/windows';
import type { Run } from '../integrations/flow-service/schemas';
import { CutoverItemsFailed, CutoverLastStatus } from '../visibility/search-attributes';
import { collect, findOrCreate, runOutcome } from './flow-service-lookup';
import type { RemoteClients } from './remote-clients';
import { withRemoteFailures } from './remote-failure';
import { changeSchedule } from '../temporal/schedule-changes';

export interface IngestionDependencies {
  clients: RemoteClients;
  secrets: SecretSource;
  ingestion?: IngestionConfig;
  /** The schedules client; the worker's own client by default. */
  schedules?: () => ScheduleClient;
  fetch?: typeof fetch;
}

export type IngestionRunOutcome =
  | { state: 'pending' }
  | { state: 'success'; runId: string; records: number; failedRecords: number }
  | { state: 'failed'; runId: string; detail: string };

function summaryOf(run: Run): RunSummary {
  const outcome = runOutcome(run);
  return {
    windowStart: run.params?.windowStartTime,
    windowEnd: run.params?.windowEndTime,
    status: outcome.state,
  };
}

const sameWindow = (run: Run, window: IngestionWindow) =>
  run.params?.windowStartTime === window.start && run.params?.windowEndTime === window.end;

/** Ingestion over Flow Service on-demand runs; the remote runs are the record of what was ingested. */
export function createIngestionActivities(deps: IngestionDependencies) {
  const schedules = deps.schedules ?? (() => Context.current().client.schedule);
  const fetchImpl = deps.fetch ?? fetch;

  return withRemoteFailures({
    /** Where the flow's on-demand ingestion stands: the end of its latest successful window. */
    async lastIngestedWindowEnd(input: { sandbox: string; flowId: string }): Promise<{ end?: number }> {
      const runs = await collect(deps.clients.flowService(input.sandbox).listRuns(input.flowId));
      const end = lastSuccessfulWindowEnd(runs.map(summaryOf));
      return end === undefined ? {} : { end };
    },

    /**
     * Starts the on-demand run of one window, or returns the run already doing
     * it: a retry after a lost answer, or a second attempt while the first is
     * still running, never ingests the window twice. A failed run is not reused.
     * `notBefore` (ms) limits reuse to runs made since then, for deliberate re-ingestion.
     */
    async startIngestionRun(input: {
      sandbox: string;
      flowId: string;
      window: IngestionWindow;
      notBefore?: number;
    }): Promise<{ runId: string; reused: boolean }> {
      const flowService = deps.clients.flowService(input.sandbox);
      // A retried start waits for the runs list to show a run an unanswered attempt may have started.
      const ensured = await findOrCreate(
        async () =>
          (await collect(flowService.listRuns(input.flowId)))
            .filter(
              (run) =>
                sameWindow(run, input.window) &&
                runOutcome(run).state !== 'failed' &&
                (input.notBefore === undefined || (run.createdAt ?? 0) >= input.notBefore),
            )
            .sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0)),
        () =>
          flowService.createRun({
            flowId: input.flowId,
            params: {
              startTime: Math.floor(Date.now() / 1000),
              windowStartTime: input.window.start,
              windowEndTime: input.window.end,
            },
          }),
        deps.clients.consistency,
      );
      return { runId: ensured.id, reused: !ensured.created };
    },

    async ingestionRunOutcome(input: { sandbox: string; runId: string }): Promise<IngestionRunOutcome> {
      const run = await deps.clients.flowService(input.sandbox).getRun(input.runId);
      if (!run) return { state: 'failed', runId: input.runId, detail: `run ${input.runId} no longer exists` };
      const outcome = runOutcome(run);
      if (outcome.state === 'pending') return { state: 'pending' };
      if (outcome.state === 'failed')
        return { state: 'failed', runId: run.id, detail: outcome.errors.join('; ') || 'no details' };
      return {
        state: 'success',
        runId: run.id,
        records: outcome.inputRecordCount,
        failedRecords: run.metrics?.recordSummary?.failedRecordCount ?? 0,
      };
    },

    /**
     * Records a run's outcome on its schedule (CutoverLastStatus, failures in a
     * row in CutoverItemsFailed) and pauses it after too many failures in a
     * row. The attributes change only on the schedule as it was read and the
     * pause is Temporal's own, so neither undoes a person's pause, unpause or
     * note. Returns whether this outcome paused the schedule.
     */
    async recordScheduleOutcome(input: {
      scheduleId: string;
      status: 'success' | 'failed';
      detail: string;
      pauseAfterFailures?: number;
    }): Promise<{ paused: boolean; failuresInARow: number }> {
      let failuresInARow = 0;
      const { change } = await changeSchedule(schedules(), input.scheduleId, ({ attributes, paused }) => {
        failuresInARow = input.status === 'failed' ? (attributes.get(CutoverItemsFailed) ?? 0) + 1 : 0;
        const tooMany = input.pauseAfterFailures !== undefined && failuresInARow >= input.pauseAfterFailures;
        return {
          attributes: [
            { key: CutoverLastStatus, value: input.status },
            { key: CutoverItemsFailed, value: failuresInARow },
          ],
          // A schedule a person paused keeps that person's note.
          ...(tooMany && !paused
            ? {
                pause: `paused after ${failuresInARow} failed runs in a row; last: ${input.detail}`.slice(
                  0,
                  1000,
                ),
              }
            : {}),
        };
      });
      return { paused: Boolean(change.pause), failuresInARow };
    },

    /** Tells the configured webhook about a failed run; the authorization secret is resolved here only. */
    async notifyIngestionFailure(input: {
      report: Record<string, unknown>;
    }): Promise<{ status: number } | undefined> {
      const webhook = deps.ingestion?.webhook;
      if (!webhook) return undefined;
      const authorization = webhook.authorization
        ? await deps.secrets.resolve(webhook.authorization)
        : undefined;
      const response = await fetchImpl(webhook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify(input.report),
        signal: AbortSignal.timeout(10_000),
      });
      if (response.status >= 500 || response.status === 429)
        throw ApplicationFailure.retryable(
          `The webhook answered HTTP ${response.status}`,
          'WebhookUnavailable',
        );
      if (!response.ok)
        throw ApplicationFailure.nonRetryable(
          `The webhook answered HTTP ${response.status}`,
          'WebhookRefused',
        );
      return { status: response.status };
    },
  });
}
export type IngestionActivities = ReturnType<typeof createIngestionActivities>;
