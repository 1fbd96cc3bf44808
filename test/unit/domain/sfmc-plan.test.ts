import { describe, expect, it } from 'vitest';
import { normaliseSfmcBaseEndpoint } from '../../../src/domain/sfmc/base-endpoint';
import { planSfmcMigration, translateSchedule } from '../../../src/domain/sfmc/plan';
import type {
  DiscoveredDataExtension,
  DiscoveredSandbox,
  DiscoveredV1Flow,
} from '../../../src/domain/sfmc/types';

function v1Flow(path: string, overrides: Partial<DiscoveredV1Flow> = {}): DiscoveredV1Flow {
  return {
    sandbox: 'prod',
    flowId: `flow-${path}`,
    name: `SFMC ${path} to AEP`,
    state: 'enabled',
    schedule: { frequency: 'hour', interval: '1' },
    baseConnection: { id: 'base-1', name: 'SFMC V1' },
    sourceConnection: { id: `source-${path}`, path },
    isCustomObject: false,
    target: { connectionId: `target-${path}`, dataSetId: `ds-${path}`, schemaId: 'schema' },
    mappingSet: {
      id: `map-${path}`,
      mappings: [
        { sourceType: 'ATTRIBUTE', source: 'Id', destination: '_tenant.sfmcId' },
        { sourceType: 'ATTRIBUTE', source: 'ModifiedDate', destination: '_tenant.modifiedAt' },
        { sourceType: 'ATTRIBUTE', source: 'LegacyScore', destination: '_tenant.score' },
      ],
    },
    deltaColumn: 'ModifiedDate',
    ...overrides,
  };
}

const extensions: DiscoveredDataExtension[] = [
  {
    id: 'de-1',
    key: 'subscribers-de',
    name: 'Subscribers',
    fields: [
      { name: 'SubscriberKey', type: 'Text', isPrimaryKey: true },
      { name: 'EmailAddress', type: 'EmailAddress', isPrimaryKey: false },
      { name: 'ModifiedDate', type: 'Date', isPrimaryKey: false },
    ],
  },
  {
    id: 'de-2',
    key: 'lists-de',
    name: 'Lists',
    fields: [{ name: 'ListID', type: 'Number', isPrimaryKey: true }],
  },
  {
    id: 'de-3',
    key: 'events-de',
    name: 'Email Events',
    fields: [{ name: 'EventDate', type: 'Date', isPrimaryKey: false }],
  },
];

function sandbox(flows: DiscoveredV1Flow[], existing: Record<string, string> = {}): DiscoveredSandbox {
  return { sandbox: 'prod', flows, existingV2FlowsByV1FlowId: existing };
}

describe('planSfmcMigration', () => {
  const options = { v2BaseEndpoint: 'mcdemo123' };

  it('plans the V2 replacement: data extension by name, delta column, translated mapping, same target and schedule', () => {
    const plan = planSfmcMigration(sandbox([v1Flow('Subscriber')]), extensions, options);
    expect(plan.blockers).toEqual([]);
    expect(plan.items[0]).toEqual({
      action: 'migrate',
      v1: expect.objectContaining({ flowId: 'flow-Subscriber' }),
      v2: {
        dataExtension: { key: 'subscribers-de', name: 'Subscribers' },
        deltaColumn: 'ModifiedDate',
        mappings: [
          { sourceType: 'ATTRIBUTE', source: 'SubscriberKey', destination: '_tenant.sfmcId' },
          { sourceType: 'ATTRIBUTE', source: 'ModifiedDate', destination: '_tenant.modifiedAt' },
        ],
        schedule: { frequency: 'hour', interval: 1 },
        target: { connectionId: 'target-Subscriber', dataSetId: 'ds-Subscriber', schemaId: 'schema' },
      },
      warnings: [
        'V1 column "LegacyScore" (mapped to _tenant.score) has no field in data extension "Subscribers"; dropped',
      ],
    });
  });

  it('reports every item it cannot migrate, with the reason and what to do', () => {
    const plan = planSfmcMigration(
      sandbox(
        [
          v1Flow('LoyaltyTier__c', { isCustomObject: true }),
          v1Flow('Email'),
          v1Flow('List'),
          v1Flow('Subscriber', { flowId: 'done' }),
        ],
        { done: 'v2-flow-9' },
      ),
      extensions,
      options,
    );
    expect(
      plan.items.map((item) => (item.action === 'skip' ? [item.reason, item.detail] : item.action)),
    ).toEqual([
      ['custom-object', '"LoyaltyTier__c" is a custom object, which the SFMC source does not ingest'],
      [
        'no-matching-data-extension',
        'no data extension matches V1 object "Email"; name one in sfmc.dataExtensionFor',
      ],
      [
        'no-date-time-column',
        'data extension "Lists" has no date/time field, and V2 requires one as delta column; add one or set sfmc.deltaColumnFor',
      ],
      ['already-migrated', 'V2 dataflow v2-flow-9 already replaces it'],
    ]);
  });

  it('takes data extensions and delta columns from the config when names differ', () => {
    const plan = planSfmcMigration(sandbox([v1Flow('Email')]), extensions, {
      ...options,
      dataExtensionFor: { Email: 'Email Events' },
      deltaColumnFor: { 'Email Events': 'EventDate' },
    });
    expect(plan.items[0]).toMatchObject({
      action: 'migrate',
      v2: { dataExtension: { name: 'Email Events' }, deltaColumn: 'EventDate' },
    });
  });

  it('blocks the sandbox, item by item, when the V2 credentials are missing', () => {
    const plan = planSfmcMigration(sandbox([v1Flow('Subscriber')]), extensions, {});
    expect(plan.blockers).toEqual([
      'SFMC V2 credentials are missing or unusable (sfmc section of the config)',
    ]);
    expect(plan.items[0]).toMatchObject({ action: 'skip', reason: 'v2-credentials-missing' });
  });

  it('turns per-minute schedules hourly, since V2 has none', () => {
    expect(translateSchedule({ frequency: 'minute', interval: '15' })).toEqual({
      schedule: { frequency: 'hour', interval: 1 },
      warning: 'V1 ran every 15 minutes; V2 has no per-minute schedule, so it runs hourly',
    });
    expect(translateSchedule({ frequency: 'day', interval: 2 })).toEqual({
      schedule: { frequency: 'day', interval: 2 },
    });
  });
});

describe('normaliseSfmcBaseEndpoint', () => {
  it.each([
    ['mc563885gzs27c5t9-63k636ttgm', 'mc563885gzs27c5t9-63k636ttgm'],
    ['https://mc563885gzs27c5t9-63k636ttgm.auth.marketingcloudapis.com/', 'mc563885gzs27c5t9-63k636ttgm'],
    ['  https://MCDEMO123.auth.marketingcloudapis.com/v2/token  ', 'mcdemo123'],
    ['mcdemo123.auth.marketingcloudapis.com', 'mcdemo123'],
  ])('keeps only the prefix of %j', (pasted, prefix) => {
    expect(normaliseSfmcBaseEndpoint(pasted)).toEqual({ ok: true, prefix });
  });

  it('rejects what cannot be a prefix, saying which field and why', () => {
    expect(normaliseSfmcBaseEndpoint('  ')).toEqual({
      ok: false,
      error:
        'sfmc.baseEndpoint is empty: paste the authentication base URI of the SFMC installed package (https://<prefix>.auth.marketingcloudapis.com/).',
    });
    expect(normaliseSfmcBaseEndpoint('https://mcdemo123.rest.marketingcloudapis.com/')).toEqual({
      ok: false,
      error:
        'sfmc.baseEndpoint "https://mcdemo123.rest.marketingcloudapis.com/" is not the authentication base URI: use the one ending in .auth.marketingcloudapis.com (the REST or SOAP URI will not work).',
    });
    expect(normaliseSfmcBaseEndpoint('https://example.com/sfmc')).toMatchObject({
      ok: false,
      error: expect.stringContaining('is not an SFMC authentication base URI'),
    });
    expect(normaliseSfmcBaseEndpoint('a b')).toMatchObject({
      ok: false,
      error: expect.stringContaining('does not contain a valid prefix'),
    });
  });
});
