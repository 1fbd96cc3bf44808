import { describe, expect, it } from 'vitest';
import { planMarketoMigration } from '../../../src/domain/marketo/plan';
import type { DiscoveredMarketoV1Flow } from '../../../src/domain/marketo/types';
import { planSfmcMigration } from '../../../src/domain/sfmc/plan';
import type { DiscoveredV1Flow } from '../../../src/domain/sfmc/types';

const sfmcFlow = (target: DiscoveredV1Flow['target']): DiscoveredV1Flow => ({
  sandbox: 'prod',
  flowId: 'flow-1',
  name: 'SFMC Subscriber to AEP',
  state: 'enabled',
  schedule: { frequency: 'day', interval: 1 },
  baseConnection: { id: 'base-1', name: 'SFMC V1' },
  sourceConnection: { id: 'source-1', path: 'Subscriber' },
  isCustomObject: false,
  target,
});

const extensions = [
  {
    id: 'de-1',
    key: 'subscribers-de',
    name: 'Subscribers',
    fields: [{ name: 'ModifiedDate', type: 'Date', isPrimaryKey: false }],
  },
];

const planSfmc = (flow: DiscoveredV1Flow) =>
  planSfmcMigration({ sandbox: 'prod', flows: [flow], existingV2FlowsByV1FlowId: {} }, extensions, {
    v2BaseEndpoint: 'mcdemo',
  }).items[0]!;

describe('a V1 dataflow whose objects vanished', () => {
  it('is reported at plan when its dataset or schema is gone, naming the target connection and the fix', () => {
    expect(planSfmc(sfmcFlow({ connectionId: 'target-1' }))).toMatchObject({
      action: 'skip',
      reason: 'v1-target-missing',
      detail: expect.stringMatching(
        /^its target connection target-1 \(dataset and schema\) is gone or names no dataset, so V2 would have nowhere to write; recreate the dataset/,
      ),
    });
    expect(planSfmc(sfmcFlow({ connectionId: 'target-1', dataSetId: 'ds-1' }))).toMatchObject({
      reason: 'v1-target-missing',
      detail: expect.stringContaining('names no schema'),
    });
    expect(
      planSfmc(sfmcFlow({ connectionId: 'target-1', dataSetId: 'ds-1', schemaId: 'schema-1' })).action,
    ).toBe('migrate');
  });

  it('is reported at plan when its Marketo base connection is gone', () => {
    const flow: DiscoveredMarketoV1Flow = {
      sandbox: 'prod',
      flowId: 'flow-2',
      name: 'Newsletter audiences',
      state: 'enabled',
      sourceConnectionId: 'profile-source',
      targetConnectionId: 'target-2',
      baseConnection: { id: 'base-gone', name: 'base-gone', missing: true },
      audiences: [{ id: 'aud-1', name: 'Subscribers' }],
      identities: [{ namespace: 'Email', source: 'personalEmail.address', primary: true }],
      attributes: [],
    };
    const plan = planMarketoMigration('prod', [flow], [], {
      existingDestinationsInSandbox: 1,
      munchkinId: '123-ABC-456',
    });
    expect(plan.items[0]).toMatchObject({
      action: 'skip',
      reason: 'v1-base-connection-missing',
      detail: expect.stringMatching(/^its Marketo base connection base-gone is gone/),
    });
    expect(plan.blockers).toEqual([]);
  });
});
