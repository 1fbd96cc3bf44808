import { describe, expect, it } from 'vitest';
import { missingPermissionMessage } from '../../../src/domain/marketo/permissions';
import { planMarketoMigration, TARGET_CARDS } from '../../../src/domain/marketo/plan';
import type {
  DiscoveredMarketoV1Flow,
  MarketoField,
  MarketoPlanOptions,
  PlannedMarketoFlow,
} from '../../../src/domain/marketo/types';

const extraFields = Array.from({ length: 60 }, (_, index) => `custom${index + 1}`);

const fields: MarketoField[] = ['email', 'firstName', 'lastName', 'company', ...extraFields].map(
  (restName) => ({ restName, displayName: restName, dataType: 'string', readOnly: false }),
);

function v1(overrides: Partial<DiscoveredMarketoV1Flow> = {}): DiscoveredMarketoV1Flow {
  return {
    sandbox: 'prod',
    flowId: 'flow-1',
    name: 'Newsletter audiences',
    state: 'enabled',
    sourceConnectionId: 'profile-source',
    targetConnectionId: 'v1-target',
    baseConnection: { id: 'v1-base', name: 'Marketo Engage (V1)' },
    audiences: [{ id: 'aud-1', name: 'Subscribers' }],
    identities: [{ namespace: 'Email', source: 'personalEmail.address', primary: true }],
    attributes: [
      { source: 'person.name.firstName', destination: 'firstName' },
      { source: 'person.name.lastName', destination: 'lastName' },
    ],
    ...overrides,
  };
}

const options: MarketoPlanOptions = { existingDestinationsInSandbox: 3 };

function planOne(flow: DiscoveredMarketoV1Flow, planOptions: Partial<MarketoPlanOptions> = {}) {
  return planMarketoMigration('prod', [flow], fields, { ...options, ...planOptions }).items[0]!;
}

const audiences = (count: number) =>
  Array.from({ length: count }, (_, index) => ({ id: `aud-${index}`, name: `Audience ${index}` }));

describe('identities', () => {
  it('makes Email primary where V1 maps it next to ECID, and drops namespaces Marketo cannot match on', () => {
    const item = planOne(
      v1({
        identities: [
          { namespace: 'Email', source: 'personalEmail.address', primary: false },
          { namespace: 'CRMID', source: 'crmId', primary: true },
          { namespace: 'ECID', source: 'identityMap.ECID', primary: true },
        ],
      }),
    );
    expect(item).toMatchObject({
      action: 'migrate',
      v2: {
        identities: [
          { namespace: 'Email', source: 'personalEmail.address', primary: true },
          { namespace: 'ECID', source: 'identityMap.ECID', primary: false },
        ],
      },
    });
  });

  it('keeps the primary identity V1 chose when it maps no Email', () => {
    const item = planOne(
      v1({
        identities: [
          { namespace: 'ECID', source: 'identityMap.ECID', primary: false },
          { namespace: 'ECID', source: 'identityMap.ECID2', primary: true },
        ],
      }),
    );
    expect(item).toMatchObject({
      v2: {
        identities: [
          { namespace: 'ECID', source: 'identityMap.ECID', primary: false },
          { namespace: 'ECID', source: 'identityMap.ECID2', primary: true },
        ],
      },
    });
  });
});

describe('attributes', () => {
  it('names every field Marketo does not have, with the paths mapped to them', () => {
    const item = planOne(v1(), {
      additionalAttributes: [
        { source: '_tenant.tier', destination: 'loyaltyLevel' },
        { source: '_tenant.score', destination: 'leadScore2' },
      ],
    });
    expect(item).toMatchObject({
      action: 'skip',
      reason: 'unknown-marketo-field',
      detail:
        'Marketo has no lead field "loyaltyLevel", "leadScore2" (mapped from _tenant.tier, _tenant.score); check the field\'s REST name in Describe Lead',
    });
  });

  it('warns above 50 mapped attributes, not at 50', () => {
    const additional = (count: number) =>
      extraFields.slice(0, count).map((destination) => ({ source: `_tenant.${destination}`, destination }));
    expect(planOne(v1(), { additionalAttributes: additional(48) })).toMatchObject({
      action: 'migrate',
      warnings: [],
    });
    expect(planOne(v1(), { additionalAttributes: additional(49) })).toMatchObject({
      action: 'migrate',
      warnings: ['51 mapped attributes exceed the recommended 50'],
    });
  });
});

describe('person creation', () => {
  it('needs no names when people are only matched', () => {
    const item = planOne(v1({ attributes: [{ source: 'b2b.companyName', destination: 'companyName' }] }), {
      personCreation: 'match-only',
    });
    expect(item).toMatchObject({ action: 'migrate', v2: { personCreation: 'match-only' } });
  });

  it('counts the Email identity as the e-mail field the Marketo Engage card needs', () => {
    const engage = { workspaceId: '1', dedupeField: 'email' };
    const item = planOne(v1(), { target: 'marketoEngage', engage, personCreation: 'create-missing' });
    expect(item).toMatchObject({
      action: 'migrate',
      v2: { target: 'marketoEngage', personCreation: 'create-missing' },
    });
    expect(
      planOne(v1({ attributes: [] }), { target: 'marketoEngage', engage, personCreation: 'create-missing' }),
    ).toMatchObject({
      action: 'skip',
      detail:
        'creating missing Marketo people needs firstName, lastName mapped; map them or use personCreation: match-only',
    });
  });
});

describe('guardrail warnings', () => {
  it('warns above 250 audiences, not at 250', () => {
    expect(planOne(v1({ audiences: audiences(250) }))).toMatchObject({ action: 'migrate', warnings: [] });
  });

  it('lists only the mapping IDs V1 had, naming the card that drops them', () => {
    const flow = v1({
      audiences: [
        { id: 'aud-1', name: 'Subscribers', mappingId: '1001' },
        { id: 'aud-2', name: 'Trials' },
      ],
    });
    expect(planOne(flow)).toMatchObject({
      warnings: [
        'the V1 mapping IDs (Marketo static lists 1001) are dropped: (Legacy) (V2) Marketo Engage does not use them',
      ],
    });
    expect(
      planOne(flow, { target: 'marketoEngage', engage: { workspaceId: '1', dedupeField: 'email' } }),
    ).toMatchObject({
      warnings: [
        'the V1 mapping IDs (Marketo static lists 1001) are dropped: Marketo Engage does not use them',
      ],
    });
  });
});

describe('the destinations-per-sandbox limit', () => {
  it('counts only the dataflows that get a V2 replacement, and allows exactly 100', () => {
    const flows = [v1(), v1({ flowId: 'off', state: 'disabled' })];
    const plan = planMarketoMigration('prod', flows, fields, { existingDestinationsInSandbox: 99 });
    expect(plan.items.map((item) => item.action)).toEqual(['migrate', 'skip']);
    expect(plan.blockers).toEqual([]);
    expect(
      planMarketoMigration('prod', flows, fields, { existingDestinationsInSandbox: 100 }).blockers,
    ).toEqual([
      "prod has 100 destination dataflows; adding 1 V2 ones would exceed Adobe's limit of 100 per sandbox. Migrate in smaller batches or remove unused destinations first.",
    ]);
  });
});

describe('target cards', () => {
  const planned: PlannedMarketoFlow = {
    target: 'marketoV2',
    audiences: [{ id: 'aud-1', name: 'Subscribers' }],
    identities: [{ namespace: 'Email', source: 'personalEmail.address', primary: true }],
    attributes: [],
    personCreation: 'create-missing',
  };
  it('map person creation onto the V2 card’s match modes', () => {
    expect(TARGET_CARDS.marketoV2.targetParams(planned)).toEqual({
      personCreation: 'MATCH_AND_CREATE',
    });
    expect(TARGET_CARDS.marketoV2.targetParams({ ...planned, personCreation: 'match-only' })).toEqual({
      personCreation: 'MATCH_ONLY',
    });
  });
});

describe('missingPermissionMessage', () => {
  const permissionSentence = (permission: string) =>
    `needs the permission "${permission}". Add it to a role in Adobe Admin Console (Experience Platform > Permissions) that covers this sandbox, then run again.`;

  it('says which step was refused, at which endpoint, and the one permission it needs', () => {
    expect(missingPermissionMessage('discover', 'GET /flows')).toBe(
      "Experience Platform refused to read destination dataflows (GET /flows, HTTP 403): the API credential's product profile " +
        permissionSentence('View Destinations'),
    );
    expect(missingPermissionMessage('connect', 'POST /flows')).toBe(
      "Experience Platform refused to create the V2 destination connection and dataflow (POST /flows, HTTP 403): the API credential's product profile " +
        permissionSentence('Manage Destinations'),
    );
    expect(missingPermissionMessage('remove-v1', 'DELETE /flows/f-1')).toBe(
      "Experience Platform refused to delete the V1 dataflow (DELETE /flows/f-1, HTTP 403): the API credential's product profile " +
        permissionSentence('Manage Destinations'),
    );
  });
});
