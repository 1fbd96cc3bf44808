import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import { ApplicationFailure } from '@temporalio/workflow';
import type { CutoverActivities } from '../../activities';
import { COMPENSATION, SAGA_STEP, WATCH } from '../activity-options';
import { outagesToSandbox, UncertainCreates, undoAndExplain, type Compensation } from '../migration/saga';
import { patientActivities, waitOutOutages } from '../shared/outage';
import { watchUntilSettled } from '../shared/polling';
import type { MarketoDataflowInput, MarketoDataflowResult } from './messages';

const create = patientActivities<CutoverActivities>({
  ...SAGA_STEP,
  summary: 'Find or create a V2 destination object',
});

const activate = patientActivities<CutoverActivities>({
  ...SAGA_STEP,
  summary: 'Activate the audiences on the V2 dataflow (JSON-patch with If-Match)',
});

const inspect = patientActivities<CutoverActivities>({
  ...WATCH,
  summary: 'Wait for the first activation run of the V2 dataflow',
});

const compensate = patientActivities<CutoverActivities>({
  ...COMPENSATION,
  summary: 'Roll back: remove the V2 dataflow',
});

const reconcile = patientActivities<CutoverActivities>({
  ...COMPENSATION,
  summary: 'Remove twins of the V2 objects a retried create may have made',
});

/**
 * One Marketo V1 destination dataflow replaced by a V2 one, as a saga: create
 * the V2 target connection and dataflow, activate the same audiences with the
 * translated mapping, and prove the first activation. V1 keeps exporting the
 * whole time (it is neither disabled nor deleted here), so no audience is ever
 * without an export; any failure removes what this run created.
 */
export async function marketoDataflowMigrationWorkflow(
  input: MarketoDataflowInput,
): Promise<MarketoDataflowResult> {
  const { sandbox, item } = input;
  waitOutOutages({ tolerances: input.outageTolerances, sandbox, observer: outagesToSandbox() });
  const v1 = { flowId: item.v1.flowId, name: item.v1.name };
  const target = item.v2.target;
  const known: { flowId?: string; targetConnectionId?: string } = {};
  const uncertain = new UncertainCreates();
  // Registered before the first create, and finding V2 by name, so even a create whose answer was lost is undone.
  const compensations: Compensation[] = [
    {
      what: 'remove the V2 dataflow and target connection',
      undo: () => compensate.removeMarketoV2Objects({ sandbox, v1, target, known, ...uncertain.input }),
    },
  ];
  try {
    const targetConnection = await uncertain.track(() =>
      create.ensureMarketoTargetConnection({
        sandbox,
        v1,
        target,
        v2: item.v2,
        baseConnectionId: input.v2BaseConnectionId,
      }),
    );
    known.targetConnectionId = targetConnection.id;
    const flow = await uncertain.track(() =>
      create.ensureMarketoV2Flow({
        sandbox,
        v1,
        target,
        sourceConnectionId: item.v1.sourceConnectionId,
        targetConnectionId: targetConnection.id,
      }),
    );
    known.flowId = flow.id;
    await activate.activateMarketoV2Flow({ sandbox, flowId: flow.id, v2: item.v2 });
    const outcome = await watchUntilSettled(
      (watch) => inspect.marketoActivationOutcome({ sandbox, flowId: flow.id, v2: item.v2, watch }),
      msToNumber(input.firstActivationTimeout as Duration),
    );
    if (outcome.state === 'pending') {
      throw ApplicationFailure.nonRetryable(
        `the V2 dataflow reported no finished activation within ${input.firstActivationTimeout} (${outcome.detail})`,
        'FirstActivationTimeout',
      );
    }
    if (outcome.state === 'failed') throw ApplicationFailure.nonRetryable(outcome.detail, 'ActivationFailed');
    // A twin a list lagging past the window hid would export the same audiences a second time.
    if (uncertain.since !== undefined)
      await reconcile.reconcileMarketoV2Objects({ sandbox, v1, target, known, ...uncertain.input });
    return { status: 'verified', flowId: flow.id, records: outcome.records };
  } catch (error) {
    return { status: 'rolled-back', reason: await undoAndExplain(error, compensations) };
  }
}
