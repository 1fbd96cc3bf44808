import { setTimeout as delay } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import { OUTAGE_OUTLASTED, REMOTE_API_LABELS, type RemoteApiName } from '../domain/outage';
import { processAvailability, type RemoteAvailability } from '../integrations/http/availability';
import { RemoteApiError } from '../integrations/http/errors';
import { cancellationSignal, heartbeat } from './heartbeat';
import type { RemoteClients } from './remote-clients';

/** The first look after a wait began, and the longest between looks: an API back is noticed within a minute. */
const FIRST_LOOK_MS = 5_000;
const MAX_LOOK_MS = 60_000;

/** Reads nothing anyone needs: one cheap authorised call that says whether the API answers. */
function askerFor(clients: RemoteClients, salesConnectInstanceId: string | undefined) {
  return async (api: RemoteApiName, sandbox: string | undefined): Promise<void> => {
    const inSandbox = sandbox ?? 'prod';
    switch (api) {
      case 'adobe-ims':
        await clients.adobeToken();
        return;
      case 'flow-service':
        for await (const _spec of clients.flowService(inSandbox).listConnectionSpecs()) return;
        return;
      case 'data-prep':
        await clients.dataPrep(inSandbox).getMappingSet('cutover-availability-check');
        return;
      case 'sfmc':
        await (await clients.sfmc())?.verifyAccess();
        return;
      case 'marketo':
        await (await clients.marketo())?.verifyCredentials();
        return;
      case 'sales-connect':
        if (salesConnectInstanceId)
          await (await clients.salesConnect())?.getSalesforceConnection(salesConnectInstanceId);
        return;
    }
  };
}

/**
 * The wait a workflow makes when its API stops answering. One look at a time
 * per API and sandbox in this worker, however many steps wait, and any other
 * call that gets an answer ends every wait for that API at once.
 */
export function createOutageActivities({
  clients,
  salesConnectInstanceId,
  availability = processAvailability,
}: {
  clients: RemoteClients;
  salesConnectInstanceId?: string;
  availability?: RemoteAvailability;
}) {
  const ask = askerFor(clients, salesConnectInstanceId);
  const looking = new Map<string, Promise<boolean>>();

  /** Whether the API answered (an answer refusing the call is an answer too). */
  function look(api: RemoteApiName, sandbox: string | undefined): Promise<boolean> {
    const key = `${api}:${sandbox ?? ''}`;
    let pending = looking.get(key);
    if (!pending) {
      pending = ask(api, sandbox).then(
        () => true,
        (error: unknown) => !(error instanceof RemoteApiError) || !error.retryable,
      );
      looking.set(key, pending);
      void pending.finally(() => looking.delete(key));
    }
    return pending;
  }

  return {
    /**
     * Returns once the API answers again; `answeredAtOnce` when it did at the
     * first look (the step's failure was then its own). Fails, not to be
     * retried, once `untilMs` has passed.
     */
    async awaitRemoteApiAnswer(input: {
      api: RemoteApiName;
      sandbox?: string;
      untilMs: number;
    }): Promise<{ answeredAtOnce: boolean; waitedMs: number }> {
      const started = Date.now();
      const cancelled = cancellationSignal();
      let answered = false;
      void availability.nextAnswer(input.api).then(() => (answered = true));
      for (let looks = 0, pause = FIRST_LOOK_MS; ; looks += 1, pause = Math.min(pause * 2, MAX_LOOK_MS)) {
        answered ||= await look(input.api, input.sandbox);
        if (answered) return { answeredAtOnce: looks === 0, waitedMs: Date.now() - started };
        const outage = availability.outage(input.api, 0);
        heartbeat({ api: input.api, looks, lastFailure: outage?.lastFailure });
        if (Date.now() >= input.untilMs)
          throw ApplicationFailure.nonRetryable(
            `${REMOTE_API_LABELS[input.api]} did not answer again before ${new Date(input.untilMs).toISOString()}; last failure: ${outage?.lastFailure ?? 'unknown'}`,
            OUTAGE_OUTLASTED,
          );
        for (let left = Math.min(pause, input.untilMs - Date.now()); left > 0 && !answered; left -= 1_000) {
          await delay(Math.min(left, 1_000), undefined, cancelled ? { signal: cancelled } : undefined);
          heartbeat();
        }
      }
    },
  };
}

export type OutageActivities = ReturnType<typeof createOutageActivities>;
