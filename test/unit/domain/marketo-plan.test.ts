import { describe, expect, it } from 'vitest';
import { planMarketoMigration } from '../../../src/domain/marketo/plan';
import type { DiscoveredMarketoV1Flow, MarketoField } from '../../../src/domain/marketo/types';

const fields: MarketoField[] = ['email', 'firstName', 'lastName', 'company', 'title', 'loyaltyTier'].map(
  (restName) => ({
    restName,
    displayName: restName,
    dataType: 'string',
    readOnly: false,
  }),
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
    audiences: [
      { id: 'aud-1', name: 'Subscribers', mappingId: '1001' },
      { id: 'aud-2', name: 'Trials', mappingId: '1002' },
    ],
    identities: [{ namespace: 'Email', source: 'personalEmail.address', primary: true }],
    attributes: [
      { source: 'person.name.firstName', destination: 'firstName' },
      { source: 'person.name.lastName', destination: 'lastName' },
      { source: 'b2b.companyName', destination: 'companyName' },
    ],
    ...overrides,
  };
}

const options = { existingDestinationsInSandbox: 3 };

describe('planMarketoMigration', () => {
  it('keeps audiences and identities, maps the three V1 fields to Marketo fields and drops the mapping ids', () => {
    const plan = planMarketoMigration('prod', [v1()], fields, options);
    expect(plan).toEqual({
      sandbox: 'prod',
      blockers: [],
      items: [
        {
          action: 'migrate',
          v1: expect.objectContaining({ flowId: 'flow-1' }),
          v2: {
            target: 'marketoV2',
            audiences: [
              { id: 'aud-1', name: 'Subscribers' },
              { id: 'aud-2', name: 'Trials' },
            ],
            identities: [{ namespace: 'Email', source: 'personalEmail.address', primary: true }],
            attributes: [
              { source: 'person.name.firstName', destination: 'firstName' },
              { source: 'person.name.lastName', destination: 'lastName' },
              { source: 'b2b.companyName', destination: 'company' },
            ],
            personCreation: 'match-only',
          },
          warnings: [
            'the V1 mapping IDs (Marketo static lists 1001, 1002) are dropped: (Legacy) (V2) Marketo Engage does not use them',
          ],
        },
      ],
    });
  });

  it('reports a dataflow with neither Email nor ECID as not migratable', () => {
    const plan = planMarketoMigration(
      'prod',
      [v1({ identities: [{ namespace: 'CRMID', source: 'crmId', primary: true }] })],
      fields,
      options,
    );
    expect(plan.items[0]).toMatchObject({
      action: 'skip',
      reason: 'no-identity',
      detail:
        'it maps neither an Email nor an ECID identity, and the Marketo destination needs one (Email matches best)',
    });
  });

  it('names a mapped field Marketo does not have', () => {
    const plan = planMarketoMigration('prod', [v1()], fields, {
      ...options,
      additionalAttributes: [{ source: '_tenant.tier', destination: 'loyaltyLevel' }],
    });
    expect(plan.items[0]).toMatchObject({
      action: 'skip',
      reason: 'unknown-marketo-field',
      detail:
        'Marketo has no lead field "loyaltyLevel" (mapped from _tenant.tier); check the field\'s REST name in Describe Lead',
    });
  });

  it('adds attributes Marketo has, and makes the first identity primary when none is', () => {
    const plan = planMarketoMigration(
      'prod',
      [v1({ identities: [{ namespace: 'ECID', source: 'identityMap.ECID', primary: false }] })],
      fields,
      { ...options, additionalAttributes: [{ source: '_tenant.tier', destination: 'loyaltyTier' }] },
    );
    expect(plan.items[0]).toMatchObject({
      action: 'migrate',
      v2: {
        identities: [{ namespace: 'ECID', source: 'identityMap.ECID', primary: true }],
        attributes: expect.arrayContaining([{ source: '_tenant.tier', destination: 'loyaltyTier' }]),
      },
    });
  });

  it('says what person creation needs when first or last name is not mapped', () => {
    const plan = planMarketoMigration(
      'prod',
      [v1({ attributes: [{ source: 'b2b.companyName', destination: 'companyName' }] })],
      fields,
      { ...options, personCreation: 'create-missing' },
    );
    expect(plan.items[0]).toMatchObject({
      action: 'skip',
      reason: 'person-creation-needs-names',
      detail:
        'creating missing Marketo people needs firstName, lastName mapped; map them or use personCreation: match-only',
    });
    expect(
      planMarketoMigration('prod', [v1()], fields, { ...options, personCreation: 'create-missing' }).items[0]
        ?.action,
    ).toBe('migrate');
  });

  it('applies the newer Marketo Engage card’s own rule (e-mail needed to create people)', () => {
    const byLoyaltyTier = v1({
      identities: [{ namespace: 'ECID', source: 'identityMap.ECID', primary: true }],
      attributes: [...v1().attributes, { source: '_tenant.tier', destination: 'loyaltyTier' }],
    });
    const plan = planMarketoMigration('prod', [byLoyaltyTier], fields, {
      ...options,
      target: 'marketoEngage',
      engage: { workspaceId: '1', dedupeField: 'loyaltyTier' },
      personCreation: 'create-missing',
    });
    expect(plan.items[0]).toMatchObject({
      action: 'skip',
      reason: 'person-creation-needs-names',
      detail: expect.stringContaining('needs email mapped'),
    });
  });

  it('reports a disabled V1 and a V1 without audiences instead of replacing them', () => {
    const plan = planMarketoMigration(
      'prod',
      [v1({ flowId: 'off', state: 'disabled' }), v1({ flowId: 'empty', audiences: [] })],
      fields,
      options,
    );
    expect(
      plan.items.map((item) => (item.action === 'skip' ? [item.reason, item.detail] : item.action)),
    ).toEqual([
      [
        'v1-disabled',
        'V1 is disabled, and a V2 replacement would start exporting at once; enable V1 to migrate it, or delete it if it is no longer needed',
      ],
      [
        'no-audiences',
        'it exports no audience, so a V2 replacement could never prove a first activation; add audiences to V1 or delete it',
      ],
    ]);
  });

  it('checks the guardrails before anything is created', () => {
    const manyAudiences = Array.from({ length: 251 }, (_, index) => ({
      id: `aud-${index}`,
      name: `Audience ${index}`,
    }));
    const warned = planMarketoMigration('prod', [v1({ audiences: manyAudiences })], fields, options);
    expect(warned.items[0]).toMatchObject({
      action: 'migrate',
      warnings: ['251 audiences exceed the recommended 250 per dataflow'],
    });

    const blocked = planMarketoMigration('prod', [v1(), v1({ flowId: 'flow-2' })], fields, {
      existingDestinationsInSandbox: 99,
    });
    expect(blocked.blockers).toEqual([
      "prod has 99 destination dataflows; adding 2 V2 ones would exceed Adobe's limit of 100 per sandbox. Migrate in smaller batches or remove unused destinations first.",
    ]);
  });
});
