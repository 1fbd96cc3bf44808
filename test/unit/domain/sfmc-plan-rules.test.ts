import { describe, expect, it } from 'vitest';
import { normaliseSfmcBaseEndpoint } from '../../../src/domain/sfmc/base-endpoint';
import {
  detectDeltaColumn,
  planSfmcMigration,
  translateMappings,
  translateSchedule,
} from '../../../src/domain/sfmc/plan';
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
    schedule: { frequency: 'day', interval: 1 },
    baseConnection: { id: 'base-1', name: 'SFMC V1' },
    sourceConnection: { id: `source-${path}`, path },
    isCustomObject: false,
    target: { connectionId: `target-${path}`, dataSetId: `ds-${path}`, schemaId: 'schema' },
    mappingSet: {
      id: `map-${path}`,
      mappings: [{ sourceType: 'ATTRIBUTE', source: 'EmailAddress', destination: '_tenant.email' }],
    },
    ...overrides,
  };
}

function extension(
  name: string,
  fields: Array<[name: string, type: string]>,
  key = `${name.toLowerCase().replace(/\s+/g, '-')}-de`,
): DiscoveredDataExtension {
  return {
    id: `id-${key}`,
    key,
    name,
    fields: fields.map(([fieldName, type], index) => ({ name: fieldName, type, isPrimaryKey: index === 0 })),
  };
}

const subscribers = extension('Subscribers', [
  ['SubscriberKey', 'Text'],
  ['EmailAddress', 'EmailAddress'],
  ['ModifiedDate', 'Date'],
]);

function sandbox(flows: DiscoveredV1Flow[]): DiscoveredSandbox {
  return { sandbox: 'prod', flows, existingV2FlowsByV1FlowId: {} };
}

const options = { v2BaseEndpoint: 'mcdemo123' };

function dataExtensionPlannedFor(
  path: string,
  extensions: DiscoveredDataExtension[],
  planOptions: Parameters<typeof planSfmcMigration>[2] = options,
) {
  const [item] = planSfmcMigration(sandbox([v1Flow(path)]), extensions, planOptions).items;
  return item?.action === 'migrate' ? item.v2.dataExtension.name : item?.reason;
}

describe('matching a V1 object to a data extension', () => {
  it('ignores case and a plural s on either side', () => {
    expect(dataExtensionPlannedFor('subscriber', [subscribers])).toBe('Subscribers');
    expect(dataExtensionPlannedFor('SUBSCRIBERS', [subscribers])).toBe('Subscribers');
    const singular = extension('Subscriber', [['ModifiedDate', 'Date']]);
    expect(dataExtensionPlannedFor('Subscribers', [singular])).toBe('Subscriber');
    expect(dataExtensionPlannedFor('Subscriberss', [singular])).toBe('no-matching-data-extension');
  });

  it('takes the configured data extension by name or by external key, and nothing else then', () => {
    const events = extension('Email Events', [['EventDate', 'Date']], 'evt-2024');
    expect(
      dataExtensionPlannedFor('Email', [subscribers, events], {
        ...options,
        dataExtensionFor: { Email: 'email events' },
      }),
    ).toBe('Email Events');
    expect(
      dataExtensionPlannedFor('Email', [subscribers, events], {
        ...options,
        dataExtensionFor: { Email: 'evt-2024' },
      }),
    ).toBe('Email Events');
    expect(
      dataExtensionPlannedFor('Subscriber', [subscribers, events], {
        ...options,
        dataExtensionFor: { Subscriber: 'Gone' },
      }),
    ).toBe('no-matching-data-extension');
  });
});

describe('detectDeltaColumn', () => {
  const audit = extension('Audit', [
    ['Id', 'Number'],
    ['CreatedDate', 'Date'],
    ['LastUpdate', 'DateTime'],
    ['Reviewed', 'Date/Time'],
  ]);

  it('takes the configured column when the data extension has it, and none when it does not', () => {
    expect(detectDeltaColumn(audit, 'LastUpdate', { deltaColumnFor: { Audit: 'CreatedDate' } })).toBe(
      'CreatedDate',
    );
    expect(detectDeltaColumn(audit, 'LastUpdate', { deltaColumnFor: { Audit: 'createddate' } })).toBe(
      'createddate',
    );
    expect(
      detectDeltaColumn(audit, 'LastUpdate', { deltaColumnFor: { Audit: 'DeletedDate' } }),
    ).toBeUndefined();
    expect(detectDeltaColumn(audit, undefined, { deltaColumnFor: { Other: 'CreatedDate' } })).toBe(
      'LastUpdate',
    );
  });

  it('else keeps V1’s delta column when it is a date field here, whatever its case', () => {
    expect(detectDeltaColumn(audit, 'createddate', {})).toBe('CreatedDate');
    expect(detectDeltaColumn(audit, 'Reviewed', {})).toBe('Reviewed');
    // V1's column must be a date/time field: a number field of that name does not count.
    expect(detectDeltaColumn(audit, 'Id', {})).toBe('LastUpdate');
  });

  it('else prefers a modified or updated date, else the first date field', () => {
    expect(detectDeltaColumn(audit, undefined, {})).toBe('LastUpdate');
    expect(
      detectDeltaColumn(
        extension('Orders', [
          ['OrderDate', 'Date'],
          ['date_modified', 'date'],
        ]),
        undefined,
        {},
      ),
    ).toBe('date_modified');
    expect(
      detectDeltaColumn(
        extension('Visits', [
          ['Count', 'Number'],
          ['VisitedAt', 'Date/Time'],
          ['SeenAt', 'DateTime'],
        ]),
        undefined,
        {},
      ),
    ).toBe('VisitedAt');
    expect(detectDeltaColumn(extension('Flags', [['Active', 'Boolean']]), undefined, {})).toBeUndefined();
  });
});

describe('translateMappings', () => {
  it('maps a column to the field of the same name, V1’s delta column to V2’s and Id to the primary key', () => {
    const flow = v1Flow('Subscriber', {
      deltaColumn: 'LastChanged',
      mappingSet: {
        id: 'map-1',
        mappings: [
          { sourceType: 'ATTRIBUTE', source: 'emailaddress', destination: '_tenant.email' },
          { sourceType: 'ATTRIBUTE', source: 'LastChanged', destination: '_tenant.modifiedAt' },
          { sourceType: 'ATTRIBUTE', source: 'Id', destination: '_tenant.sfmcId' },
        ],
      },
    });
    expect(translateMappings(flow, subscribers, 'ModifiedDate')).toEqual({
      mappings: [
        { sourceType: 'ATTRIBUTE', source: 'EmailAddress', destination: '_tenant.email' },
        { sourceType: 'ATTRIBUTE', source: 'ModifiedDate', destination: '_tenant.modifiedAt' },
        { sourceType: 'ATTRIBUTE', source: 'SubscriberKey', destination: '_tenant.sfmcId' },
      ],
      warnings: [],
    });
  });

  it('keeps expressions and static values as they are', () => {
    const expression = {
      sourceType: 'EXPRESSION',
      source: "concat(FirstName, ' ')",
      destination: '_tenant.n',
    };
    const fixed = { sourceType: 'STATIC', source: 'sfmc', destination: '_tenant.origin' };
    const flow = v1Flow('Subscriber', { mappingSet: { id: 'map-1', mappings: [expression, fixed] } });
    expect(translateMappings(flow, subscribers, 'ModifiedDate')).toEqual({
      mappings: [expression, fixed],
      warnings: [],
    });
  });

  it('drops a column without a field, and says so again when nothing could be translated', () => {
    const flow = v1Flow('Subscriber', {
      mappingSet: {
        id: 'map-1',
        mappings: [
          { sourceType: 'ATTRIBUTE', source: 'LegacyScore', destination: '_tenant.score' },
          { sourceType: 'ATTRIBUTE', source: 'ModifiedDate2', destination: '_tenant.modifiedAt' },
        ],
      },
    });
    expect(translateMappings(flow, subscribers, 'ModifiedDate')).toEqual({
      mappings: [],
      warnings: [
        'V1 column "LegacyScore" (mapped to _tenant.score) has no field in data extension "Subscribers"; dropped',
        'V1 column "ModifiedDate2" (mapped to _tenant.modifiedAt) has no field in data extension "Subscribers"; dropped',
        'no V1 mapping could be translated; review the V2 mapping',
      ],
    });
  });

  it('has nothing to translate, and nothing to warn about, when V1 had no mapping set', () => {
    expect(
      translateMappings(v1Flow('Subscriber', { mappingSet: undefined }), subscribers, 'ModifiedDate'),
    ).toEqual({ mappings: [], warnings: [] });
  });

  it('drops Id when the data extension has no primary key', () => {
    const keyless: DiscoveredDataExtension = {
      ...subscribers,
      fields: subscribers.fields.map((field) => ({ ...field, isPrimaryKey: false })),
    };
    const flow = v1Flow('Subscriber', {
      mappingSet: {
        id: 'map-1',
        mappings: [{ sourceType: 'ATTRIBUTE', source: 'Id', destination: '_tenant.id' }],
      },
    });
    expect(translateMappings(flow, keyless, 'ModifiedDate').mappings).toEqual([]);
  });
});

describe('translateSchedule', () => {
  it('keeps once, hourly, daily and weekly schedules with their interval', () => {
    expect(translateSchedule({ frequency: 'once' })).toEqual({
      schedule: { frequency: 'once', interval: 1 },
    });
    expect(translateSchedule({ frequency: 'hour', interval: 6 })).toEqual({
      schedule: { frequency: 'hour', interval: 6 },
    });
    expect(translateSchedule({ frequency: 'week', interval: '2' })).toEqual({
      schedule: { frequency: 'week', interval: 2 },
    });
  });

  it('reads an interval that is missing, zero, negative or not a number as 1', () => {
    for (const interval of [undefined, 0, -3, 'often'])
      expect(translateSchedule({ frequency: 'day', interval }).schedule).toEqual({
        frequency: 'day',
        interval: 1,
      });
  });

  it('runs daily, with a warning, when V1’s schedule is not recognised', () => {
    const daily = {
      schedule: { frequency: 'day', interval: 1 },
      warning: 'V1 had no recognisable schedule; V2 runs daily',
    };
    expect(translateSchedule({ frequency: 'month', interval: 1 })).toEqual(daily);
    expect(translateSchedule({})).toEqual(daily);
  });
});

describe('planSfmcMigration', () => {
  it('lists the mapping warnings first, then the schedule warning', () => {
    const flow = v1Flow('Subscriber', {
      schedule: { frequency: 'minute', interval: 30 },
      mappingSet: {
        id: 'map-1',
        mappings: [
          { sourceType: 'ATTRIBUTE', source: 'EmailAddress', destination: '_tenant.email' },
          { sourceType: 'ATTRIBUTE', source: 'LegacyScore', destination: '_tenant.score' },
        ],
      },
    });
    const [item] = planSfmcMigration(sandbox([flow]), [subscribers], options).items;
    expect(item).toMatchObject({
      action: 'migrate',
      v2: { schedule: { frequency: 'hour', interval: 1 }, deltaColumn: 'ModifiedDate' },
      warnings: [
        'V1 column "LegacyScore" (mapped to _tenant.score) has no field in data extension "Subscribers"; dropped',
        'V1 ran every 30 minutes; V2 has no per-minute schedule, so it runs hourly',
      ],
    });
  });

  it('says which settings are missing when V2 credentials are', () => {
    const [item] = planSfmcMigration(sandbox([v1Flow('Subscriber')]), [subscribers], {}).items;
    expect(item).toEqual({
      action: 'skip',
      v1: expect.objectContaining({ flowId: 'flow-Subscriber' }),
      reason: 'v2-credentials-missing',
      detail: 'no usable sfmc.clientId, sfmc.clientSecret and sfmc.baseEndpoint in the config',
    });
  });
});

describe('normaliseSfmcBaseEndpoint', () => {
  it('reports a missing value as empty', () => {
    expect(normaliseSfmcBaseEndpoint(undefined)).toEqual({
      ok: false,
      error:
        'sfmc.baseEndpoint is empty: paste the authentication base URI of the SFMC installed package (https://<prefix>.auth.marketingcloudapis.com/).',
    });
  });

  it('accepts prefixes of 3 to 63 letters, digits and hyphens that start with a letter or digit', () => {
    expect(normaliseSfmcBaseEndpoint('abc')).toEqual({ ok: true, prefix: 'abc' });
    expect(normaliseSfmcBaseEndpoint('9-a')).toEqual({ ok: true, prefix: '9-a' });
    expect(normaliseSfmcBaseEndpoint(`m${'c'.repeat(62)}`)).toEqual({
      ok: true,
      prefix: `m${'c'.repeat(62)}`,
    });
    const invalid = (value: string) => ({
      ok: false,
      error: `sfmc.baseEndpoint "${value}" does not contain a valid prefix: expected 3-63 lower-case letters, digits or hyphens before .auth.marketingcloudapis.com.`,
    });
    for (const value of ['ab', `m${'c'.repeat(63)}`, '-mcdemo123', 'mcdemo_123', 'mcdemo123!'])
      expect(normaliseSfmcBaseEndpoint(value)).toEqual(invalid(value));
  });

  it('strips only a scheme at the very start, not one after a stray character', () => {
    expect(normaliseSfmcBaseEndpoint('HTTPS://mcdemo123.auth.marketingcloudapis.com?x=1')).toEqual({
      ok: true,
      prefix: 'mcdemo123',
    });
    expect(normaliseSfmcBaseEndpoint('1https://mcdemo123.auth.marketingcloudapis.com/')).toMatchObject({
      ok: false,
      error: expect.stringContaining('does not contain a valid prefix'),
    });
  });

  it('names the expected host when the URI is from another domain', () => {
    expect(normaliseSfmcBaseEndpoint('https://example.com/sfmc')).toEqual({
      ok: false,
      error:
        'sfmc.baseEndpoint "https://example.com/sfmc" is not an SFMC authentication base URI (https://<prefix>.auth.marketingcloudapis.com/).',
    });
  });
});
