import {
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  proxyActivities,
  sleep,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import type { CutoverActivities } from '../../activities';
import { CLEANUP_RETRY, WRITE_RETRY } from '../activity-retries';
import type { FirstRunOutcome } from '../../activities/sfmc-migration';
import { describeFailure } from '../failures';
import type { CreatedV2Objects, SfmcDataflowInput, SfmcDataflowResult } from './messages';

const create = proxyActivities<CutoverActivities>({
  startToCloseTimeout: '2 minutes',
  retry: WRITE_RETRY,
  summary: 'Find or create a V2 object',
});

const switchV1 = proxyActivities<CutoverActivities>({
  startToCloseTimeout: '1 minute',
  retry: WRITE_RETRY,
  summary: 'Enable or disable the V1 dataflow',
});

const inspect = proxyActivities<CutoverActivities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 8,
  },
  summary: 'Read the first V2 run',
});

const compensate = proxyActivities<CutoverActivities>({
  startToCloseTimeout: '2 minutes',
  retry: CLEANUP_RETRY,
  summary: 'Roll back: restore V1, remove V2',
});

const FIRST_POLL = 2_000;
const MAX_POLL = 5 * 60_000;

async function waitForFirstRun(sandbox: string, flowId: string, timeoutMs: number): Promise<FirstRunOutcome> {
  const deadline = Date.now() + timeoutMs;
  let delay = FIRST_POLL;
  for (;;) {
    const outcome = await inspect.firstRunOutcome({ sandbox, flowId });
    if (outcome.state !== 'pending') return outcome;
    if (Date.now() + delay > deadline) return outcome;
    await sleep(delay, { summary: 'Wait for the first V2 run' });
    delay = Math.min(delay * 2, MAX_POLL);
  }
}

/**
 * One V1 SFMC dataflow replaced by a V2 one, as a saga: create the V2 objects,
 * disable V1, prove the first V2 run; on any failure (or cancellation) put V1
 * back and remove what this run created. V1 is never deleted here.
 */
export async function sfmcDataflowMigrationWorkflow(input: SfmcDataflowInput): Promise<SfmcDataflowResult> {
  const { sandbox, item } = input;
  const compensations: Array<() => Promise<unknown>> = [];
  const created: CreatedV2Objects = { baseConnectionId: '' };
  const removeOnRollback = (collection: 'flows' | 'sourceConnections' | 'targetConnections', id: string) =>
    compensations.unshift(() =>
      compensate.deleteFlowServiceObjects({ sandbox, objects: [{ collection, id }] }),
    );
  try {
    created.baseConnectionId = input.v2BaseConnectionId;
    const source = await create.ensureV2SourceConnection({
      sandbox,
      v1: item.v1,
      v2: item.v2,
      baseConnectionId: input.v2BaseConnectionId,
    });
    created.sourceConnectionId = source.id;
    removeOnRollback('sourceConnections', source.id);
    const target = await create.ensureV2TargetConnection({ sandbox, v1: item.v1 });
    created.targetConnectionId = target.id;
    removeOnRollback('targetConnections', target.id);
    const mapping = await create.ensureV2MappingSet({ sandbox, v1: item.v1, v2: item.v2 });
    created.mappingSetId = mapping.id;
    const flow = await create.ensureV2Flow({
      sandbox,
      v1: item.v1,
      v2: item.v2,
      sourceConnectionId: source.id,
      targetConnectionId: target.id,
      mappingSetId: mapping.id,
    });
    created.flowId = flow.id;
    removeOnRollback('flows', flow.id);

    // V1 stops so the dataset is not ingested twice; the rollback turns it back on first of all.
    if (item.v1.state === 'enabled') {
      await switchV1.setFlowEnabled({ sandbox, flowId: item.v1.flowId, enabled: false });
      compensations.unshift(() =>
        compensate.setFlowEnabled({ sandbox, flowId: item.v1.flowId, enabled: true }),
      );
    }

    const outcome = await waitForFirstRun(sandbox, flow.id, msToNumber(input.firstRunTimeout as Duration));
    if (outcome.state === 'pending') {
      throw ApplicationFailure.nonRetryable(
        `the first V2 run did not finish within ${input.firstRunTimeout}`,
        'FirstRunTimeout',
      );
    }
    if (outcome.state === 'failed') {
      throw ApplicationFailure.nonRetryable(
        `the first V2 run ${outcome.runId} failed: ${outcome.errors.join('; ') || 'no details'}`,
        'FirstRunFailed',
      );
    }
    const v1Records = item.v1.lastRun?.inputRecordCount ?? 0;
    if (v1Records > 0 && outcome.inputRecordCount === 0) {
      throw ApplicationFailure.nonRetryable(
        `the first V2 run read 0 records where V1's last run read ${v1Records}; check the data extension "${item.v2.dataExtension.name}"`,
        'ImplausibleFirstRun',
      );
    }
    return { status: 'verified', created, v2Records: outcome.inputRecordCount };
  } catch (error) {
    await CancellationScope.nonCancellable(async () => {
      for (const undo of compensations) {
        await undo();
      }
    });
    if (isCancellation(error)) throw error;
    return { status: 'rolled-back', reason: describeFailure(error), created };
  }
}

export function childWorkflowId(parentWorkflowId: string, v1FlowId: string): string {
  return `${parentWorkflowId}/${v1FlowId}`;
}
