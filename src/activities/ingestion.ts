import { Context } from '@temporalio/activity';
import type { ScheduleClient } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { IngestionConfig } from '../config/schema';
import type { SecretSource } from '../config/secrets';
import type { IngestionWindow } from '../domain/ingestion/windows';
import { CutoverItemsFailed, CutoverLastStatus } from '../visibility/search-attributes';
import { runOutcome } from './flow-service-lookup';
import { heartbeat } from './heartbeat';
import {
  ingestedUpTo,
  ingestWindowSlice,
  startWindowRun,
  type SliceOutcome,
  type WindowSlice,
} from './ingestion-windows';
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

/** Ingestion over Flow Service on-demand runs; the remote runs are the record of what was ingested. */
export function createIngestionActivities(deps: IngestionDependencies) {
  const schedules = deps.schedules ?? (() => Context.current().client.schedule);
  const fetchImpl = deps.fetch ?? fetch;

  return withRemoteFailures({
    /**
     * Where each flow's on-demand ingestion stands: the end of its latest
     * successful window (null: never ingested). `recentFrom` is how far back a
     * flow that keeps up has its last success.
     */
    async ingestionStandings(input: {
      flows: Array<{ sandbox: string; flowId: string }>;
      recentFrom?: number;
    }): Promise<{ ends: Array<number | null> }> {
      const ends: Array<number | null> = [];
      for (const flow of input.flows) {
        ends.push(
          (await ingestedUpTo(deps.clients.flowService(flow.sandbox), flow.flowId, input.recentFrom)) ?? null,
        );
        heartbeat({ read: ends.length });
      }
      return { ends };
    },

    /** One slice of a flow's windows, in order (see `ingestWindowSlice`). */
    async ingestWindows(slice: WindowSlice): Promise<SliceOutcome> {
      return ingestWindowSlice(deps.clients, slice);
    },

    /** Where the flow's on-demand ingestion stands (runs started before windows were ingested in slices). */
    async lastIngestedWindowEnd(input: { sandbox: string; flowId: string }): Promise<{ end?: number }> {
      const end = await ingestedUpTo(deps.clients.flowService(input.sandbox), input.flowId);
      return end === undefined ? {} : { end };
    },

    /**
     * Starts the on-demand run of one window, or returns the run already doing
     * it (runs started before windows were ingested in slices).
     * `notBefore` (ms) limits reuse to runs made since then, for deliberate re-ingestion.
     */
    async startIngestionRun(input: {
      sandbox: string;
      flowId: string;
      window: IngestionWindow;
      notBefore?: number;
    }): Promise<{ runId: string; reused: boolean }> {
      const { id, reused } = await startWindowRun(deps.clients, { ...input, lookFirst: true });
      return { runId: id, reused };
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
