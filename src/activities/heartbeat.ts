import { setTimeout as delay } from 'node:timers/promises';
import { Context, type Info } from '@temporalio/activity';

/** The running activity, or undefined when the same code runs from the CLI (e.g. `cutover sfmc plan`). */
function currentContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/**
 * The details each running activity last reported. Temporal keeps only the
 * latest heartbeat's details, so a keep-alive heartbeat must repeat them or it
 * would erase the checkpoint a retry resumes from.
 */
const lastDetails = new WeakMap<Context, unknown>();

/** Heartbeats inside an activity with progress details (a checkpoint); a no-op outside one. */
export function heartbeat(details?: unknown): void {
  const context = currentContext();
  if (!context) return;
  if (details !== undefined) lastDetails.set(context, details);
  context.heartbeat(lastDetails.has(context) ? lastDetails.get(context) : context.info.heartbeatDetails);
}

/** Aborted when Temporal cancels the running activity; undefined outside an activity. */
export function cancellationSignal(): AbortSignal | undefined {
  return currentContext()?.cancellationSignal;
}

/** The running activity's attempt facts; undefined outside an activity. */
export function activityInfo(): Info | undefined {
  return currentContext()?.info;
}

/** What an earlier attempt last heartbeated, to resume from; undefined on a first attempt. */
export function checkpoint<T>(): T | undefined {
  return activityInfo()?.heartbeatDetails as T | undefined;
}

/** Waits inside an activity, heartbeating, and ends early (throwing) when the activity is cancelled. */
export async function waitInActivity(ms: number): Promise<void> {
  const context = currentContext();
  let left = ms;
  while (left > 0) {
    const step = Math.min(left, 1_000);
    await delay(step, undefined, context ? { signal: context.cancellationSignal } : undefined);
    heartbeat();
    left -= step;
  }
}
