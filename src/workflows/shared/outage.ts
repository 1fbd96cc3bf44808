import type { ActivityOptions } from '@temporalio/common';
import {
  ActivityFailure,
  ApplicationFailure,
  isCancellation,
  proxyActivities,
  type ActivityInterfaceFor,
} from '@temporalio/workflow';
import type { OutageActivities } from '../../activities/outage';
import {
  outageToleranceMs,
  REMOTE_API_UNAVAILABLE,
  type OutageTolerances,
  type OutageWait,
  type RemoteApiName,
} from '../../domain/outage';

/** Who hears that this workflow waits for an API, and that it goes on again. */
export interface OutageObserver {
  waiting(wait: OutageWait): void;
  resumed(wait: OutageWait): void;
}

interface OutagePolicy {
  tolerances?: OutageTolerances;
  /** The sandbox whose calls failed: the wait asks the API in that sandbox whether it answers again. */
  sandbox?: string;
  observer?: OutageObserver;
}

/**
 * Set by each workflow as it starts (module state is the workflow's own):
 * what its steps do when their API is down.
 */
let policy: OutagePolicy = {};
let waitedMs = 0;

export function waitOutOutages(given: OutagePolicy): void {
  policy = given;
}

/** How long this workflow's steps have spent waiting for APIs to answer again; a deadline on the remote's work leaves it out. */
export function timeWaitingForApis(): number {
  return waitedMs;
}

/**
 * Waits in a worker for an API to answer again, heartbeating; a dead worker
 * hands the wait to another within the heartbeat timeout. It ends at the
 * tolerance, however often it was handed on.
 */
function outageWaitActivity(untilMs: number) {
  const left = Math.max(0, untilMs - Date.now());
  return proxyActivities<OutageActivities>({
    heartbeatTimeout: '30 seconds',
    scheduleToCloseTimeout: left + 5 * 60_000,
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
    summary: 'Wait for a remote API to answer again',
  });
}

/** Remote failures retrying could have cured, had the API come back in time. */
const RETRYABLE_REMOTE_FAILURES = [
  'RemoteApiError.server',
  'RemoteApiError.network',
  'RemoteApiError.rate-limited',
];

/**
 * Why a step failed, if its API may be down: at once, because the worker saw
 * the API answer nothing for a while (`since` then is when it stopped), or
 * after spending its retries on failures an outage would explain (a step with
 * few retries can spend them before the worker calls it an outage).
 */
function outageBehind(error: unknown): { api: RemoteApiName; since: number; suspected: boolean } | undefined {
  const cause = error instanceof ActivityFailure ? error.cause : undefined;
  if (!(cause instanceof ApplicationFailure)) return undefined;
  const details = cause.details?.[0] as { api?: RemoteApiName; since?: number } | undefined;
  if (!details?.api) return undefined;
  if (cause.type === REMOTE_API_UNAVAILABLE && typeof details.since === 'number')
    return { api: details.api, since: details.since, suspected: true };
  if (RETRYABLE_REMOTE_FAILURES.includes(cause.type ?? ''))
    return { api: details.api, since: Date.now(), suspected: false };
  return undefined;
}

/**
 * A wait that found the API answering at once: the step's failure was its
 * own after all (its object, not the API). A few of those in a row and the
 * step fails as any other would; at once, when the step had spent its retries.
 */
const ANSWERED_AT_ONCE_LIMIT = 3;

/**
 * Runs a step; while its API is down, waits for it to answer and runs the
 * step again, instead of spending the step's retries and rolling back work
 * an outage did not harm. Past the API's tolerance, the step fails as today.
 */
export async function throughOutages<T>(step: () => Promise<T>): Promise<T> {
  let answeredAtOnce = 0;
  for (;;) {
    try {
      return await step();
    } catch (error) {
      const down = outageBehind(error);
      if (!down || answeredAtOnce >= ANSWERED_AT_ONCE_LIMIT) throw error;
      const untilMs = down.since + outageToleranceMs(down.api, policy.tolerances);
      if (Date.now() >= untilMs) throw error;
      const wait: OutageWait = {
        api: down.api,
        since: new Date(down.since).toISOString(),
        until: new Date(untilMs).toISOString(),
      };
      const started = Date.now();
      policy.observer?.waiting(wait);
      try {
        const outcome = await outageWaitActivity(untilMs).awaitRemoteApiAnswer({
          api: down.api,
          ...(policy.sandbox ? { sandbox: policy.sandbox } : {}),
          untilMs,
        });
        if (outcome.answeredAtOnce && !down.suspected) throw error;
        answeredAtOnce = outcome.answeredAtOnce ? answeredAtOnce + 1 : 0;
      } catch (waitFailure) {
        if (isCancellation(waitFailure)) throw waitFailure;
        throw error;
      } finally {
        waitedMs += Date.now() - started;
        policy.observer?.resumed(wait);
      }
    }
  }
}

/**
 * `proxyActivities` for steps that wait out an outage of their API: an
 * attempt that fails while the API answers nothing comes back at once
 * (its type is non-retryable here), and the step waits for the API instead.
 */
export function patientActivities<A extends object>(options: ActivityOptions): ActivityInterfaceFor<A> {
  const activities = proxyActivities<A>({
    ...options,
    retry: {
      ...options.retry,
      nonRetryableErrorTypes: [...(options.retry?.nonRetryableErrorTypes ?? []), REMOTE_API_UNAVAILABLE],
    },
  });
  return new Proxy(activities, {
    get(target, name) {
      const activity = Reflect.get(target, name) as (...args: unknown[]) => Promise<unknown>;
      return (...args: unknown[]) => throughOutages(() => activity(...args));
    },
  });
}

/** The APIs a workflow waits for (its own steps', or its children's), each shown once however many steps wait. */
export class OutageBoard {
  private readonly waits = new Map<RemoteApiName, { wait: OutageWait; steps: number }>();

  /** Whether the list of APIs waited for changed. */
  waiting(wait: OutageWait): boolean {
    const known = this.waits.get(wait.api);
    if (known) known.steps += 1;
    else this.waits.set(wait.api, { wait, steps: 1 });
    return !known;
  }

  resumed(wait: OutageWait): boolean {
    const known = this.waits.get(wait.api);
    if (!known) return false;
    known.steps -= 1;
    if (known.steps > 0) return false;
    this.waits.delete(wait.api);
    return true;
  }

  list(): OutageWait[] {
    return [...this.waits.values()].map(({ wait }) => wait);
  }
}

/** Several workflows' waits as one list: per API, the earliest since and the latest deadline. */
export function mergeOutageWaits(lists: Iterable<readonly OutageWait[]>): OutageWait[] {
  const byApi = new Map<RemoteApiName, OutageWait>();
  for (const list of lists)
    for (const wait of list) {
      const known = byApi.get(wait.api);
      byApi.set(
        wait.api,
        known
          ? {
              api: wait.api,
              since: wait.since < known.since ? wait.since : known.since,
              until: wait.until > known.until ? wait.until : known.until,
            }
          : wait,
      );
    }
  return [...byApi.values()];
}

/** Puts the APIs waited for on a run's progress; none leaves no trace (a query shows `waitingFor` only while it matters). */
export function showWaits(progress: { waitingFor?: OutageWait[] }, waits: OutageWait[]): void {
  if (waits.length) progress.waitingFor = waits;
  else delete progress.waitingFor;
}
