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

/**
 * Dataflows one sandbox may have in flight: high enough that the remote
 * APIs' rate, not this, sets the pace (an item waiting for its first run
 * holds a timer, not a worker slot).
 */
export const SFMC_CONCURRENCY = 1000;
export const MARKETO_CONCURRENCY = 1000;
export const MAX_CONCURRENCY = 10_000;

/**
 * Experience Platform calls per second for the whole organisation, shared by
 * every worker. Adobe documents no rate limit for Flow Service or Data Prep
 * (docs/simulator.md: an assumption of ours); a real org may set its own.
 */
export const PLATFORM_RATE_LIMIT = { requestsPerSecond: 20, burst: 20 };

/**
 * Workflows a worker keeps in memory between their tasks. A dataflow's saga
 * waits minutes between tasks and replays from a short history when it wakes,
 * so a thousand in flight need not all stay resident (~0.8 MB each).
 */
export const MAX_CACHED_WORKFLOWS = 200;

/** Marketo's documented REST limits per instance: 100 calls per 20 seconds, 10 at once. */
export const MARKETO_RATE_LIMIT = { callsPerWindow: 100, windowSeconds: 20, concurrent: 10 };

export const MARKETO_TARGET = 'marketoV2';
export const MARKETO_PERSON_CREATION = 'match-only';

/** Users per Sales Connect invitation request. */
export const SALES_CONNECT_BATCH_SIZE = 25;

/** How long one Flow Service ingestion run may take. */
export const INGESTION_RUN_TIMEOUT = '2 hours';

/**
 * Flows of one ingestion run ingesting at once: high enough that the Flow
 * Service's rate, not this, sets the pace (a waiting window costs a share
 * of a runs list, not a worker slot).
 */
export const INGESTION_CONCURRENCY = 1000;
