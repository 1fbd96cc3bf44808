import { noopMetricMeter, type Duration, type MetricMeter } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import { processAvailability } from '../integrations/http/availability';
import { cutoverMetrics } from '../visibility/metrics';
import { createDoctorActivities, type DoctorDependencies } from './doctor';
import { createFlowServiceActivities } from './flow-service-steps';
import { createIngestionActivities } from './ingestion';
import { withLiveness } from './liveness';
import { createMarketoMigrationActivities } from './marketo-migration';
import { createOutageActivities } from './outage';
import { createRemoteClients, type RemoteClients, type RemoteRateLimits } from './remote-clients';
import { createSalesConnectActivities } from './sales-connect';
import { createSfmcMigrationActivities } from './sfmc-migration';
import { createSpecActivities } from './specs';

export interface ActivityDependencies extends DoctorDependencies {
  /** Replaces the clients built from the config, e.g. to observe their traffic. */
  clients?: RemoteClients;
  /** Where worker-wide metrics go (the worker runtime's meter); none when unset. */
  metricMeter?: MetricMeter;
  /** The worker's remote-API limiters, whose share follows how many workers poll the task queue. */
  limits?: RemoteRateLimits;
}

/** Every activity the cutover worker registers, built once over injected dependencies. */
export function createActivities(deps: ActivityDependencies) {
  const metrics = cutoverMetrics(deps.metricMeter ?? noopMetricMeter);
  const outageAfter = deps.config.worker?.outageSuspectedAfter;
  if (outageAfter) processAvailability.suspectAfter(msToNumber(outageAfter as Duration));
  const clients =
    deps.clients ??
    createRemoteClients(deps.config, deps.secrets, {
      onRateLimited: metrics.rateLimited,
      ...(deps.limits ? { limits: deps.limits } : {}),
    });
  return {
    ...createDoctorActivities(deps),
    ...withLiveness(createFlowServiceActivities({ clients })),
    ...withLiveness(createSpecActivities({ clients })),
    ...withLiveness(createSfmcMigrationActivities({ clients })),
    ...withLiveness(createMarketoMigrationActivities({ clients })),
    ...withLiveness(createSalesConnectActivities({ clients, salesConnect: deps.config.salesConnect })),
    ...createOutageActivities({ clients, salesConnectInstanceId: deps.config.salesConnect?.instanceId }),
    ...withLiveness(
      createIngestionActivities({ clients, secrets: deps.secrets, ingestion: deps.config.ingestion }),
    ),
  };
}

export type CutoverActivities = ReturnType<typeof createActivities>;
