import { describe, expect, it } from 'vitest';
import { sfmcTenantOf } from '../../../src/domain/sfmc/base-endpoint';
import { planSfmcMigration } from '../../../src/domain/sfmc/plan';
import type { DiscoveredDataExtension, DiscoveredV1Flow } from '../../../src/domain/sfmc/types';

describe('sfmcTenantOf', () => {
  it.each([
    ['mc563885gzs27c5t9-63k636ttgm', 'mc563885gzs27c5t9-63k636ttgm'],
    ['  MCDEMO123  ', 'mcdemo123'],
    ['mcdemo123.rest.marketingcloudapis.com', 'mcdemo123'],
    ['https://MCDEMO123.auth.marketingcloudapis.com/v2/token', 'mcdemo123'],
    ['mcdemo123.soap.marketingcloudapis.com./Service.asmx', 'mcdemo123'],
    ['https://mcdemo123.rest.marketingcloudapis.com?x=1', 'mcdemo123'],
  ])('reads the tenant of %j', (hostOrSubdomain, tenant) => {
    expect(sfmcTenantOf(hostOrSubdomain)).toBe(tenant);
  });

  it.each([
    [''],
    ['mc'],
    ['example.com'],
    ['mcdemo123.other.marketingcloudapis.com'],
    ['mcdemo123.rest.marketingcloudapis.com.example.com'],
    ['www.mcdemo123.rest.marketingcloudapis.com'],
    ['1https://mcdemo123.rest.marketingcloudapis.com'],
  ])('finds no tenant in %j', (hostOrSubdomain) => {
    expect(sfmcTenantOf(hostOrSubdomain)).toBeUndefined();
  });
});

const subscribers: DiscoveredDataExtension = {
  id: 'de-1',
  key: 'subscribers-de',
  name: 'Subscribers',
  fields: [
    { name: 'SubscriberKey', type: 'Text', isPrimaryKey: true },
    { name: 'ModifiedDate', type: 'Date', isPrimaryKey: false },
  ],
};

function v1Flow(flowId: string, baseConnection: DiscoveredV1Flow['baseConnection'], isCustomObject = false) {
  return {
    sandbox: 'prod',
    flowId,
    name: `SFMC ${flowId}`,
    state: 'enabled',
    schedule: { frequency: 'day', interval: 1 },
    baseConnection,
    sourceConnection: { id: `source-${flowId}`, path: 'Subscriber' },
    isCustomObject,
    target: { connectionId: `target-${flowId}`, dataSetId: `ds-${flowId}`, schemaId: 'schema' },
  } satisfies DiscoveredV1Flow;
}

describe('the tenant check of planSfmcMigration', () => {
  const other = { id: 'base-other', name: 'SFMC EMEA', tenant: 'mcemea456' };
  const same = { id: 'base-same', name: 'SFMC US', tenant: 'mcdemo123' };
  const unnamed = { id: 'base-unnamed', name: 'SFMC legacy' };
  const skipped = { id: 'base-skipped', name: 'SFMC custom', tenant: 'mcapac789' };

  it('blocks once per V1 base connection that reads another tenant than the V2 credentials', () => {
    const plan = planSfmcMigration(
      {
        sandbox: 'prod',
        flows: [
          v1Flow('f-1', other),
          v1Flow('f-2', same),
          v1Flow('f-3', other),
          v1Flow('f-4', unnamed),
          v1Flow('f-5', skipped, true),
        ],
        existingV2FlowsByV1FlowId: {},
      },
      [subscribers],
      { v2BaseEndpoint: 'mcdemo123' },
    );
    expect(plan.items.map((item) => item.action)).toEqual([
      'migrate',
      'migrate',
      'migrate',
      'migrate',
      'skip',
    ]);
    expect(plan.blockers).toEqual([
      'V1 base connection "SFMC EMEA" (base-other) reads SFMC tenant "mcemea456", but sfmc.baseEndpoint is tenant "mcdemo123": V2 would ingest another Marketing Cloud account into the same datasets. Point sfmc.baseEndpoint, clientId and clientSecret at an installed package of tenant "mcemea456", or migrate this sandbox with a config for that tenant.',
    ]);
  });

  it('does not block accounts on the same tenant, accounts that name none, or accounts with nothing to migrate', () => {
    const plan = planSfmcMigration(
      {
        sandbox: 'prod',
        flows: [v1Flow('f-2', same), v1Flow('f-4', unnamed), v1Flow('f-5', skipped, true)],
        existingV2FlowsByV1FlowId: {},
      },
      [subscribers],
      { v2BaseEndpoint: 'mcdemo123' },
    );
    expect(plan.blockers).toEqual([]);
  });
});
