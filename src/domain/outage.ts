import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';

/** The remote APIs cutover calls, each with the config section its settings (and outage tolerance) live in. */
export const REMOTE_API_SECTIONS = {
  'adobe-ims': 'adobe',
  'flow-service': 'adobe',
  'data-prep': 'adobe',
  sfmc: 'sfmc',
  marketo: 'marketo',
  'sales-connect': 'salesConnect',
} as const;

export type RemoteApiName = keyof typeof REMOTE_API_SECTIONS;
export type OutageSection = (typeof REMOTE_API_SECTIONS)[RemoteApiName];

/** What an operator calls each API, in progress notes such as "waiting for Experience Platform since 01:02 UTC". */
export const REMOTE_API_LABELS: Record<RemoteApiName, string> = {
  'adobe-ims': 'Adobe IMS',
  'flow-service': 'Experience Platform (Flow Service)',
  'data-prep': 'Experience Platform (Data Prep)',
  sfmc: 'Salesforce Marketing Cloud',
  marketo: 'Marketo',
  'sales-connect': 'Sales Connect',
};

/**
 * How long a run waits for an API that stopped answering before it gives up
 * and fails as it would for any other error: longer than Adobe's usual
 * incidents, short enough that a forgotten run does not hold V1 disabled for
 * days. Each config section may set its own (`<section>.outageTolerance`).
 */
export const OUTAGE_TOLERANCE = '4 hours';

/** The outage tolerance per config section, as a run's input carries it (sections left out: the default). */
export type OutageTolerances = Partial<Record<OutageSection, string>>;

export function outageToleranceMs(api: RemoteApiName, tolerances: OutageTolerances | undefined): number {
  return msToNumber((tolerances?.[REMOTE_API_SECTIONS[api]] ?? OUTAGE_TOLERANCE) as Duration);
}

/**
 * The failure type of an activity attempt that failed while its API answered
 * no call of the worker for a minute: the workflow waits for the API instead
 * of spending the step's retries (details: `{ api, since }`).
 */
export const REMOTE_API_UNAVAILABLE = 'RemoteApiUnavailable';

/** The failure type of a wait for an API that outlasted its tolerance. */
export const OUTAGE_OUTLASTED = 'RemoteApiOutageOutlasted';

/** One API a run waits for, as its progress shows it. */
export interface OutageWait {
  api: RemoteApiName;
  /** ISO time of the API's first failure since its last answer. */
  since: string;
  /** ISO time past which the run stops waiting and fails as for any other error. */
  until: string;
}

export function describeOutageWait(wait: OutageWait): string {
  return `waiting for ${REMOTE_API_LABELS[wait.api]} since ${wait.since.slice(0, 19).replace('T', ' ')} UTC (goes on by itself once it answers; gives up at ${wait.until.slice(0, 19).replace('T', ' ')} UTC)`;
}
