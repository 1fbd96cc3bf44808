/**
 * Every 429 a remote API answers is counted in the worker's metrics, tagged
 * with the API that answered it, also when the client waits it out in place.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import type { MetricMeter, MetricTags } from '@temporalio/common';
import { noopMetricMeter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { createActivities } from '../../src/activities';
import { CUTOVER_METRICS } from '../../src/visibility/metrics';
import { simulatorConfig, testSecrets } from '../support/cutover-config';
import { useSimulator } from '../support/simulator';

const simulator = useSimulator();

/** A meter that keeps what counters were given, by metric name. */
function recordingMeter() {
  const added: Array<{ name: string; value: number; tags: MetricTags }> = [];
  const meter: MetricMeter = {
    ...noopMetricMeter,
    createCounter: (name: string) => ({
      ...noopMetricMeter.createCounter(name),
      add: (value: number, tags: MetricTags = {}) => void added.push({ name, value, tags }),
    }),
    createGauge: (...args) => noopMetricMeter.createGauge(...args),
    createHistogram: (...args) => noopMetricMeter.createHistogram(...args),
    createUpDownCounter: (...args) => noopMetricMeter.createUpDownCounter(...args),
    withTags: () => meter,
  };
  return { meter, added };
}

describe("the worker's rate-limit metric", () => {
  it('counts each throttled answer under the API that gave it', async () => {
    simulator().faults.configure({
      modules: ['flowService'],
      script: [{ kind: 'rate-limited', count: 2, pathContains: '/flows/' }],
    });
    const { meter, added } = recordingMeter();
    const activities = createActivities({
      config: simulatorConfig(simulator(), 'rate-limit-metrics'),
      secrets: testSecrets(),
      metricMeter: meter,
    });
    try {
      const states = await new MockActivityEnvironment().run(activities.flowStates, {
        sandbox: 'prod',
        flowIds: ['00000000-0000-0000-0000-000000000000'],
      });
      expect(states).toEqual({ '00000000-0000-0000-0000-000000000000': 'absent' });
    } finally {
      simulator().faults.configure({});
    }
    expect(added.filter((entry) => entry.name === CUTOVER_METRICS.rateLimited.name)).toEqual([
      { name: CUTOVER_METRICS.rateLimited.name, value: 1, tags: { api: 'flow-service' } },
      { name: CUTOVER_METRICS.rateLimited.name, value: 1, tags: { api: 'flow-service' } },
    ]);
  });
});
