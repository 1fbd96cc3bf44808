import type { MetricMeter } from '@temporalio/common';

/**
 * cutover's own metrics, exported beside the SDK's on the worker's Prometheus
 * endpoint (`worker.metricsAddress`). Tags are kinds, statuses and API names,
 * never organisations, users or anything personal: metrics are not encrypted.
 * Recorded from workflow code through the workflow's meter (the SDK drops
 * what a replay records, so nothing is counted twice) and from activities
 * through the worker runtime's meter.
 */
export const CUTOVER_METRICS = {
  items: {
    name: 'cutover_items',
    unit: 'items',
    description: 'Dataflows that reached a status (verified, failed, v1-removed, rolled-back), by kind',
  },
  runItems: {
    name: 'cutover_run_items',
    unit: 'items',
    description:
      "Dataflows of the latest reporting run per status, by kind (a gauge: the run's current standing)",
  },
  invitations: {
    name: 'cutover_invitations',
    unit: 'users',
    description: 'Sales Connect invitations by outcome (invited, rejected, ...)',
  },
  ingestionWindows: {
    name: 'cutover_ingestion_windows',
    unit: 'windows',
    description: 'Ingestion windows settled, by status (success, failed)',
  },
  rateLimited: {
    name: 'cutover_rate_limited_responses',
    unit: 'responses',
    description: 'Answers a remote API throttled with 429, by API',
  },
} as const;

export type MigrationKindTag = 'sfmc' | 'marketo';

/** Instruments over one meter; build once per workflow run or per worker. */
export function cutoverMetrics(meter: MetricMeter) {
  const counter = (metric: (typeof CUTOVER_METRICS)[keyof typeof CUTOVER_METRICS]) =>
    meter.createCounter(metric.name, metric.unit, metric.description);
  const items = counter(CUTOVER_METRICS.items);
  const runItems = meter.createGauge(
    CUTOVER_METRICS.runItems.name,
    'int',
    CUTOVER_METRICS.runItems.unit,
    CUTOVER_METRICS.runItems.description,
  );
  const invitations = counter(CUTOVER_METRICS.invitations);
  const ingestionWindows = counter(CUTOVER_METRICS.ingestionWindows);
  const rateLimited = counter(CUTOVER_METRICS.rateLimited);
  return {
    itemReached: (kind: MigrationKindTag, status: string) => items.add(1, { kind, status }),
    runStanding: (kind: MigrationKindTag, counts: ReadonlyArray<readonly [string, number]>) => {
      for (const [status, count] of counts) runItems.set(count, { kind, status });
    },
    invitationSettled: (status: string) => invitations.add(1, { status }),
    windowsSettled: (status: string, count: number) => ingestionWindows.add(count, { status }),
    rateLimited: (api: string) => rateLimited.add(1, { api }),
  };
}

export type CutoverMetrics = ReturnType<typeof cutoverMetrics>;
