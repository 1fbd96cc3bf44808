import type { RetryPolicy } from '@temporalio/common';

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
