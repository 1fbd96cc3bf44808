import type { Client } from '@temporalio/client';
import type { WorkerInspection } from '../activities/doctor';
import { CutoverKind } from '../visibility/search-attributes';
import { doctorWorkflow } from '../workflows/doctor';

/** A worker round trip: the doctor workflow on a task queue, answered by whichever worker polls it. */
export const doctorRun = {
  kind: 'doctor',
  workflow: doctorWorkflow,

  /** The run itself, for callers that keep its history (the replay corpus); `execute` waits for its answer. */
  start(client: Client, taskQueue: string) {
    return client.workflow.start(doctorWorkflow, {
      taskQueue,
      workflowId: `cutover-doctor-${Date.now()}`,
      typedSearchAttributes: [{ key: CutoverKind, value: doctorRun.kind }],
      staticSummary: 'cutover doctor: worker round trip',
      workflowExecutionTimeout: '2 minutes',
    });
  },

  async execute(client: Client, taskQueue: string): Promise<WorkerInspection> {
    return (await doctorRun.start(client, taskQueue)).result();
  },
};
