import { ADOBE_PROVISIONING_DELAY_MS } from '../defaults';

/** The shortest wait a worker allows: its own configured delay, and never below Adobe's ten minutes unless its gateway is cutover's simulator. */
export function minimumProvisioningDelayMs(
  workerConfiguredMs: number,
  workerGatewaySimulated: boolean,
): number {
  return workerGatewaySimulated
    ? workerConfiguredMs
    : Math.max(workerConfiguredMs, ADOBE_PROVISIONING_DELAY_MS);
}

/**
 * The wait actually used: what the run asks for, but never less than the
 * worker allows. The worker, which holds the gateway's real address, decides
 * the floor: a caller's config cannot shorten the wait against a real bridge.
 */
export function effectiveProvisioningDelayMs(requestedMs: number, workerMinimumMs: number): number {
  return Math.max(requestedMs, workerMinimumMs);
}

/**
 * How long is still to wait after a connection made before this run, by the
 * bridge's timestamp. Clocks differ, and a bridge clock running behind would
 * shorten the wait, so a connection younger than the delay gets the whole
 * delay again from now: never shorter than asked. Zero once it is older.
 */
export function remainingWaitMs(connectedAtMs: number, nowMs: number, delayMs: number): number {
  return connectedAtMs + delayMs > nowMs ? delayMs : 0;
}
