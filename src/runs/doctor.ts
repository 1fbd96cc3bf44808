import type { Client } from '@temporalio/client';
import type { WorkerInspection } from '../activities/doctor';
import { CutoverKind } from '../visibility/search-attributes';
import { doctorWorkflow } from '../workflows/doctor';

/** A worker round trip: the doctor workflow on a task queue, answered by whichever worker polls it. */
export const doctorRun = {
  kind: 'doctor',
  workflow: doctorWorkflow,

  execute(client: Client, taskQueue: string): Promise<WorkerInspection> {
    return client.workflow.execute(doctorWorkflow, {
      taskQueue,
      workflowId: `cutover-doctor-${Date.now()}`,
      typedSearchAttributes: [{ key: CutoverKind, value: doctorRun.kind }],
      staticSummary: 'cutover doctor: worker round trip',
      workflowExecutionTimeout: '2 minutes',
    });
  },
};
