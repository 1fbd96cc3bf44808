import { ApplicationFailure, type Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import { SecretResolutionError, processRedactor } from '../config/secrets';
import { REMOTE_API_UNAVAILABLE } from '../domain/outage';
import { namedPermission } from '../integrations/adobe-platform/errors';
import { processAvailability, type RemoteAvailability } from '../integrations/http/availability';
import { RemoteApiError } from '../integrations/http/errors';
import { activityInfo } from './heartbeat';
import { wrapEach, type AsyncFunction } from './wrap-each';

/**
 * The delay Temporal's own retry policy would wait after this attempt, from
 * the policy the server sent with the task (Temporal's defaults otherwise).
 */
export function policyBackoffMs(info = activityInfo()): number {
  const policy = info?.retryPolicy;
  const initial =
    policy?.initialInterval !== undefined ? msToNumber(policy.initialInterval as Duration) : 1_000;
  const maximum =
    policy?.maximumInterval !== undefined ? msToNumber(policy.maximumInterval as Duration) : 100 * initial;
  const coefficient = policy?.backoffCoefficient ?? 2;
  return Math.min(maximum, initial * coefficient ** Math.max(0, (info?.attempt ?? 1) - 1));
}

/**
 * Converts what a client threw into the failure Temporal should see:
 * retryable remote errors wait at least the server's Retry-After, and never
 * less than the policy's own exponential backoff (a `Retry-After: 1` must not
 * turn thirty attempts into thirty seconds); everything retrying cannot fix is
 * non-retryable. Messages are scrubbed of resolved secrets because failures
 * land in workflow history.
 */
export function toActivityFailure(error: unknown, availability = processAvailability): unknown {
  const outage = error instanceof RemoteApiError ? outageBehind(error, availability) : undefined;
  if (outage) return outage;
  if (error instanceof RemoteApiError) {
    return ApplicationFailure.create({
      message: processRedactor.redact(error.message),
      type: `RemoteApiError.${error.kind}`,
      nonRetryable: !error.retryable,
      ...(error.retryable && error.retryAfterMs !== undefined
        ? { nextRetryDelay: Math.max(error.retryAfterMs, policyBackoffMs()) }
        : {}),
      details: [
        {
          api: error.api,
          endpoint: error.endpoint,
          kind: error.kind,
          status: error.status,
          remoteCode: error.remoteCode,
          // A refusal naming its permission (Flow Service 2118/2121) lets an operator grant exactly that.
          permission:
            error.kind === 'forbidden'
              ? namedPermission(error.remoteCode, error.remoteMessage)?.permission
              : undefined,
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

/**
 * A retryable failure while its API has answered none of this worker's calls
 * for a while is an outage, not this step's problem: the workflows that can
 * wait for the API take it at once (its type is non-retryable for them) and
 * keep their own retries for failures of the item; for the others it is
 * retried like any remote failure.
 */
function outageBehind(
  error: RemoteApiError,
  availability: RemoteAvailability,
): ApplicationFailure | undefined {
  if (!error.retryable) return undefined;
  const outage = availability.outage(error.api);
  if (!outage) return undefined;
  return ApplicationFailure.create({
    message: processRedactor.redact(
      `${error.api} has answered no call for ${Math.round((Date.now() - outage.since) / 1000)} s; last: ${error.message}`,
    ),
    type: REMOTE_API_UNAVAILABLE,
    details: [{ api: error.api, since: outage.since }],
  });
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
