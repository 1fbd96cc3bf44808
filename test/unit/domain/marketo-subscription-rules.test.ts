import { describe, expect, it } from 'vitest';
import { planMarketoMigration } from '../../../src/domain/marketo/plan';
import type { DiscoveredMarketoV1Flow, MarketoField } from '../../../src/domain/marketo/types';

const fields: MarketoField[] = ['email', 'firstName', 'lastName'].map((restName) => ({
  restName,
  displayName: restName,
  dataType: 'string',
  readOnly: false,
}));

function v1(
  flowId: string,
  baseConnection: DiscoveredMarketoV1Flow['baseConnection'],
  state = 'enabled',
): DiscoveredMarketoV1Flow {
  return {
    sandbox: 'prod',
    flowId,
    name: `Audiences ${flowId}`,
    state,
    sourceConnectionId: 'profile-source',
    targetConnectionId: `v1-target-${flowId}`,
    baseConnection,
    audiences: [{ id: 'aud-1', name: 'Subscribers' }],
    identities: [{ namespace: 'Email', source: 'personalEmail.address', primary: true }],
    attributes: [],
  };
}

const other = { id: 'base-other', name: 'Marketo EMEA', munchkinId: '999-XYZ-000' };
const same = { id: 'base-same', name: 'Marketo US', munchkinId: '123-ABC-456' };
const unnamed = { id: 'base-unnamed', name: 'Marketo legacy' };
const disabled = { id: 'base-disabled', name: 'Marketo APAC', munchkinId: '555-APC-555' };

const flows = [
  v1('f-1', other),
  v1('f-2', same),
  v1('f-3', other),
  v1('f-4', unnamed),
  v1('f-5', disabled, 'disabled'),
];

describe('the subscription check of planMarketoMigration', () => {
  it('blocks once per V1 base connection that exports to another Marketo subscription than the config’s', () => {
    const plan = planMarketoMigration('prod', flows, fields, {
      existingDestinationsInSandbox: 0,
      munchkinId: '123-ABC-456',
    });
    expect(plan.items.map((item) => item.action)).toEqual([
      'migrate',
      'migrate',
      'migrate',
      'migrate',
      'skip',
    ]);
    expect(plan.blockers).toEqual([
      'V1 base connection "Marketo EMEA" (base-other) exports to Marketo 999-XYZ-000, but marketo.munchkinId is 123-ABC-456: V2 would move its audiences to another Marketo subscription. Set marketo.munchkinId, clientId and clientSecret to subscription 999-XYZ-000, or migrate this sandbox with a config for that subscription.',
    ]);
  });

  it('lists the destination limit first, then the subscriptions', () => {
    const plan = planMarketoMigration('prod', flows, fields, {
      existingDestinationsInSandbox: 98,
      munchkinId: '123-ABC-456',
    });
    expect(plan.blockers).toEqual([
      expect.stringMatching(/^prod has 98 destination dataflows; adding 4 V2 ones would exceed/),
      expect.stringMatching(/^V1 base connection "Marketo EMEA" \(base-other\)/),
    ]);
  });

  it('compares nothing when the config names no subscription', () => {
    expect(
      planMarketoMigration('prod', flows, fields, { existingDestinationsInSandbox: 0 }).blockers,
    ).toEqual([]);
  });

  it('does not block accounts on the same subscription, accounts that name none, or accounts with nothing to migrate', () => {
    const plan = planMarketoMigration('prod', [flows[1]!, flows[3]!, flows[4]!], fields, {
      existingDestinationsInSandbox: 0,
      munchkinId: '123-ABC-456',
    });
    expect(plan.blockers).toEqual([]);
  });
});
