import { ActivityCancellationType, type ActivityOptions, type RetryPolicy } from '@temporalio/common';

/**
 * How long one attempt of an activity that calls a rate-limited API may take.
 * Each of its calls may first wait its turn behind every other call in flight
 * (a thousand items at 20 calls/s: about a minute a call), and each call has
 * its own 30 s timeout once sent; a dead worker is noticed by the heartbeat
 * timeout long before this.
 */
const PACED_ATTEMPT = '30 minutes';

/** Creates and state changes: they find what an earlier attempt made, so a dozen tries is safe. */
export const WRITE_RETRY: RetryPolicy = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
  maximumAttempts: 12,
};

/** Rollbacks and clean-ups keep trying longer: they are what keeps ingestion running when V2 fails. */
export const CLEANUP_RETRY: RetryPolicy = {
  initialInterval: '2 seconds',
  backoffCoefficient: 2,
  maximumInterval: '2 minutes',
  maximumAttempts: 30,
};

/** Discovery only reads, and makes many calls: it retries until its deadline rather than a count. */
export const DISCOVERY: ActivityOptions = {
  startToCloseTimeout: '1 hour',
  scheduleToCloseTimeout: '3 hours',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 1.5, maximumInterval: '30 seconds' },
};

/** Proving credentials: a few tries, then the person must fix the config. */
export const PREFLIGHT: ActivityOptions = {
  heartbeatTimeout: '10 seconds',
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '2 seconds', maximumAttempts: 5 },
};

export const WRITE: ActivityOptions = {
  heartbeatTimeout: '10 seconds',
  startToCloseTimeout: PACED_ATTEMPT,
  retry: WRITE_RETRY,
};

/**
 * A saga step: a cancelled step still finishes (or fails) before the workflow
 * moves on, so a rollback never races a create that is still in flight.
 */
export const SAGA_STEP: ActivityOptions = {
  ...WRITE,
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
};

/** Reading a run or a dataflow while waiting on it. */
export const INSPECT: ActivityOptions = {
  heartbeatTimeout: '10 seconds',
  startToCloseTimeout: PACED_ATTEMPT,
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 8,
  },
};

/**
 * A slice of a flow's ingestion windows: it starts runs (found again by a
 * retry that lost an answer) and waits on them, heartbeating each window so
 * a retry resumes where the last attempt stood.
 */
export const INGEST: ActivityOptions = {
  heartbeatTimeout: '20 seconds',
  startToCloseTimeout: PACED_ATTEMPT,
  retry: WRITE_RETRY,
};

/** Waiting inside the worker for a remote outcome (a first run), one watch slice at a time. */
export const WATCH: ActivityOptions = {
  ...INSPECT,
  heartbeatTimeout: '20 seconds',
};

/** Undoing one saga's steps. */
export const COMPENSATION: ActivityOptions = {
  heartbeatTimeout: '10 seconds',
  startToCloseTimeout: PACED_ATTEMPT,
  retry: CLEANUP_RETRY,
};

/**
 * Deleting V1 after approval: it must run to the end, so it keeps trying for
 * a day (a long outage pauses it rather than failing an approved cut-over);
 * its batch activities resume where a failed attempt stopped.
 */
export const CUT_OVER: ActivityOptions = {
  startToCloseTimeout: PACED_ATTEMPT,
  heartbeatTimeout: '20 seconds',
  scheduleToCloseTimeout: '1 day',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
};

/** Batch clean-ups over many objects: long, heartbeating, persistent. */
export const CLEANUP: ActivityOptions = {
  startToCloseTimeout: PACED_ATTEMPT,
  heartbeatTimeout: '20 seconds',
  retry: CLEANUP_RETRY,
};

/** A read of remote state (Flow Service runs, Sales Connect through its bridge): ten patient tries. */
export const READ: ActivityOptions = {
  heartbeatTimeout: '20 seconds',
  startToCloseTimeout: PACED_ATTEMPT,
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 10,
  },
};

/**
 * Changing Sales Connect (idempotent on the bridge's side). A too-early
 * answer waits on the bridge's own schedule (nextRetryDelay), so the
 * attempts are bounded by time rather than by a short count.
 */
export const SALES_CONNECT_WRITE: ActivityOptions = {
  heartbeatTimeout: '20 seconds',
  startToCloseTimeout: '2 minutes',
  retry: { ...WRITE_RETRY, maximumAttempts: 40 },
};

/** Telling someone how a run went: a few tries, since the run's own outcome matters more. */
export const REPORT: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumAttempts: 5 },
};
