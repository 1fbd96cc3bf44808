/** Adobe: wait ten minutes after connecting Sales Connect to Marketo before provisioning users. */
export const ADOBE_PROVISIONING_DELAY_MS = 10 * 60_000;

/** The wait actually used: never below Adobe's ten minutes, except against cutover's simulator. */
export function effectiveProvisioningDelayMs(configuredMs: number, simulated: boolean): number {
  return simulated ? configuredMs : Math.max(configuredMs, ADOBE_PROVISIONING_DELAY_MS);
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
