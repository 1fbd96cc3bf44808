import { msToNumber } from '@temporalio/common/lib/time';

/**
 * The defaults a config may override, each defined once: the config schema
 * fills them in, and a run whose config leaves a section out reads them here.
 */

/** Adobe's wait between connecting Sales Connect to Marketo and provisioning users. */
export const ADOBE_PROVISIONING_DELAY = '10 minutes';
export const ADOBE_PROVISIONING_DELAY_MS = msToNumber(ADOBE_PROVISIONING_DELAY);

/** How long a new V2 dataflow may take to prove itself (first run, first activation) before its item is rolled back. */
export const FIRST_RUN_TIMEOUT = '2 hours';

/** Dataflows one sandbox migrates at once (SFMC's V2 creates are lighter than Marketo's destination activations). */
export const SFMC_CONCURRENCY = 10;
export const MARKETO_CONCURRENCY = 5;

export const MARKETO_TARGET = 'marketoV2';
export const MARKETO_PERSON_CREATION = 'match-only';

/** Users per Sales Connect invitation request. */
export const SALES_CONNECT_BATCH_SIZE = 25;

/** How long one Flow Service ingestion run may take. */
export const INGESTION_RUN_TIMEOUT = '2 hours';
