/** Adobe: wait ten minutes after connecting Sales Connect to Marketo before provisioning users. */
export const ADOBE_PROVISIONING_DELAY_MS = 10 * 60_000;

/** The wait actually used: never below Adobe's ten minutes, except against cutover's simulator. */
export function effectiveProvisioningDelayMs(configuredMs: number, simulated: boolean): number {
  return simulated ? configuredMs : Math.max(configuredMs, ADOBE_PROVISIONING_DELAY_MS);
}

/**
 * How long is still to wait, measured from when Marketo was connected. Never
 * more than the whole delay, so a bridge clock ahead of Temporal's cannot
 * stretch it; zero when the connection is older than the delay.
 */
export function remainingWaitMs(connectedAtMs: number, nowMs: number, delayMs: number): number {
  return Math.min(delayMs, Math.max(0, connectedAtMs + delayMs - nowMs));
}
