import { proxyActivities, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { DoctorActivities, WorkerInspection } from '../activities/doctor';
import { CutoverPhase } from '../visibility/search-attributes';

const { inspectWorker } = proxyActivities<DoctorActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3 },
  summary: 'Inspect the worker and its secret references',
});

/** Round trip through a worker: proves it polls the task queue and can resolve its secrets. */
export async function doctorWorkflow(): Promise<WorkerInspection> {
  upsertSearchAttributes([{ key: CutoverPhase, value: 'inspecting' }]);
  const inspection = await inspectWorker();
  const unresolved = inspection.secrets.filter((check) => !check.resolvable).length;
  upsertSearchAttributes([{ key: CutoverPhase, value: unresolved === 0 ? 'healthy' : 'secrets-missing' }]);
  setCurrentDetails(
    `Worker ${inspection.hostname} (pid ${inspection.pid}, Node ${inspection.nodeVersion}) on task queue ` +
      `\`${inspection.taskQueue}\`: ${inspection.secrets.length - unresolved}/${inspection.secrets.length} secret references resolve.`,
  );
  return inspection;
}
