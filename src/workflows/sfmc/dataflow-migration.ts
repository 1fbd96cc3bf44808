import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import { ApplicationFailure } from '@temporalio/workflow';
import type { CutoverActivities } from '../../activities';
import { COMPENSATION, SAGA_STEP, WATCH } from '../activity-options';
import { outagesToSandbox, UncertainCreates, undoAndExplain, type Compensation } from '../migration/saga';
import { patientActivities, waitOutOutages } from '../shared/outage';
import { watchUntilSettled } from '../shared/polling';
import type { CreatedV2Objects, SfmcDataflowInput, SfmcDataflowResult } from './messages';

const create = patientActivities<CutoverActivities>({ ...SAGA_STEP, summary: 'Find or create a V2 object' });

const switchV1 = patientActivities<CutoverActivities>({
  ...SAGA_STEP,
  summary: 'Enable or disable the V1 dataflow',
});

const inspect = patientActivities<CutoverActivities>({ ...WATCH, summary: 'Wait for the first V2 run' });

const compensate = patientActivities<CutoverActivities>({
  ...COMPENSATION,
  summary: 'Roll back: restore V1, remove V2',
});

const reconcile = patientActivities<CutoverActivities>({
  ...COMPENSATION,
  summary: 'Remove twins of the V2 objects a retried create may have made',
});

/**
 * One V1 SFMC dataflow replaced by a V2 one, as a saga: create the V2 objects,
 * disable V1, prove the first V2 run; on any failure (or cancellation) put V1
 * back and remove what this run created. Each undo is registered before its
 * step, and finds V2 objects by name, so even a step whose answer was lost is
 * undone. V1 is never deleted here.
 */
export async function sfmcDataflowMigrationWorkflow(input: SfmcDataflowInput): Promise<SfmcDataflowResult> {
  const { sandbox, item } = input;
  waitOutOutages({ tolerances: input.outageTolerances, sandbox, observer: outagesToSandbox() });
  const compensations: Compensation[] = [];
  const created: CreatedV2Objects = { baseConnectionId: input.v2BaseConnectionId };
  const uncertain = new UncertainCreates();
  const v1 = { name: item.v1.name, flowId: item.v1.flowId };
  try {
    compensations.unshift({
      what: 'remove the V2 dataflow, connections and mapping set',
      undo: () => compensate.removeSfmcV2Objects({ sandbox, v1, known: created, ...uncertain.input }),
    });
    const source = await uncertain.track(() =>
      create.ensureV2SourceConnection({
        sandbox,
        v1: item.v1,
        v2: item.v2,
        baseConnectionId: input.v2BaseConnectionId,
      }),
    );
    created.sourceConnectionId = source.id;
    const target = await uncertain.track(() => create.ensureV2TargetConnection({ sandbox, v1: item.v1 }));
    created.targetConnectionId = target.id;
    const mapping = await uncertain.track(() =>
      create.ensureV2MappingSet({ sandbox, v1: item.v1, v2: item.v2 }),
    );
    created.mappingSetId = mapping.id;
    const flow = await uncertain.track(() =>
      create.ensureV2Flow({
        sandbox,
        v1: item.v1,
        v2: item.v2,
        sourceConnectionId: source.id,
        targetConnectionId: target.id,
        mappingSetId: mapping.id,
      }),
    );
    created.flowId = flow.id;

    // V1 stops so the dataset is not ingested twice; turning it back on is the first undo.
    if (item.v1.state === 'enabled') {
      compensations.unshift({
        what: `re-enable V1 dataflow ${item.v1.flowId}`,
        undo: () => compensate.setFlowEnabled({ sandbox, flowId: item.v1.flowId, enabled: true }),
      });
      await switchV1.setFlowEnabled({ sandbox, flowId: item.v1.flowId, enabled: false });
    }

    const outcome = await watchUntilSettled(
      (watch) => inspect.firstRunOutcome({ sandbox, flowId: flow.id, watch }),
      msToNumber(input.firstRunTimeout as Duration),
    );
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
    const v1Records = item.v1.lastSuccessfulRun?.inputRecordCount ?? 0;
    if (v1Records > 0 && outcome.inputRecordCount === 0) {
      throw ApplicationFailure.nonRetryable(
        `the first V2 run read 0 records where V1's last successful run read ${v1Records}; check the data extension "${item.v2.dataExtension.name}"`,
        'ImplausibleFirstRun',
      );
    }
    // A retried create may have left a twin a list lagging past the window hid; it would ingest the
    // dataset a second time. Checked once the first run is in, by when the window has long passed.
    if (uncertain.since !== undefined)
      await reconcile.reconcileSfmcV2Objects({ sandbox, v1, known: created, ...uncertain.input });
    return { status: 'verified', created, v2Records: outcome.inputRecordCount };
  } catch (error) {
    return { status: 'rolled-back', reason: await undoAndExplain(error, compensations), created };
  }
}
