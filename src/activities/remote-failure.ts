import { ApplicationFailure } from '@temporalio/common';
import { SecretResolutionError, processRedactor } from '../config/secrets';
import { RemoteApiError } from '../integrations/http/errors';
import { wrapEach, type AsyncFunction } from './wrap-each';

/**
 * Converts what a client threw into the failure Temporal should see:
 * retryable remote errors keep the server's Retry-After as the next retry
 * delay; everything retrying cannot fix is non-retryable. Messages are
 * scrubbed of resolved secrets because failures land in workflow history.
 */
export function toActivityFailure(error: unknown): unknown {
  if (error instanceof RemoteApiError) {
    return ApplicationFailure.create({
      message: processRedactor.redact(error.message),
      type: `RemoteApiError.${error.kind}`,
      nonRetryable: !error.retryable,
      ...(error.retryable && error.retryAfterMs !== undefined ? { nextRetryDelay: error.retryAfterMs } : {}),
      details: [
        {
          api: error.api,
          endpoint: error.endpoint,
          kind: error.kind,
          status: error.status,
          remoteCode: error.remoteCode,
        },
      ],
    });
  }
  if (error instanceof SecretResolutionError) {
    return ApplicationFailure.create({
      message: error.message,
      type: 'SecretResolutionError',
      nonRetryable: true,
    });
  }
  if (error instanceof Error) {
    // Failures keep their stack in history, and a stack repeats the message.
    error.message = processRedactor.redact(error.message);
    if (error.stack) error.stack = processRedactor.redact(error.stack);
  }
  return error;
}

/** Wraps every activity of a factory so remote errors reach Temporal classified. */
export function withRemoteFailures<T extends Record<string, AsyncFunction>>(activities: T): T {
  return wrapEach(activities, async (run) => {
    try {
      return await run();
    } catch (error) {
      throw toActivityFailure(error);
    }
  });
}
