import { describe, expect, it } from 'vitest';
import { PERMISSIONS_FOR_STEP } from '../../../src/domain/marketo/permissions';
import { planMarketoMigration, TARGET_CARDS } from '../../../src/domain/marketo/plan';
import type {
  DiscoveredMarketoV1Flow,
  MarketoField,
  MarketoPlanOptions,
  PlannedMarketoFlow,
} from '../../../src/domain/marketo/types';

/** Rules of the new Marketo Engage card, from Adobe's "Marketo Engage connection" page. */

const fields: MarketoField[] = ['email', 'firstName', 'lastName', 'company', 'customerId'].map(
  (restName) => ({ restName, displayName: restName, dataType: 'string', readOnly: false }),
);

const EMAIL = { namespace: 'Email', source: 'personalEmail.address', primary: false };
const ECID = { namespace: 'ECID', source: 'identityMap.ECID', primary: true };
const NAMES = [
  { source: 'person.name.firstName', destination: 'firstName' },
  { source: 'person.name.lastName', destination: 'lastName' },
];

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
    identities: [EMAIL],
    attributes: NAMES,
    ...overrides,
  };
}

const engageOptions: MarketoPlanOptions = {
  existingDestinationsInSandbox: 3,
  target: 'marketoEngage',
  munchkinId: '123-ABC-456',
  engage: { workspaceId: '1', dedupeField: 'email' },
};

function planOne(
  flow: DiscoveredMarketoV1Flow,
  options: Partial<MarketoPlanOptions> = {},
  known: MarketoField[] | undefined = fields,
) {
  return planMarketoMigration('prod', [flow], known, { ...engageOptions, ...options }).items[0]!;
}

describe('the Marketo Engage card’s identity: its dedupe field', () => {
  it('refuses an ECID-only V1 dataflow, naming the dedupe field and how to fix it', () => {
    expect(planOne(v1({ identities: [ECID] }))).toEqual({
      action: 'skip',
      v1: expect.anything(),
      reason: 'identity-unsupported-by-card',
      detail:
        "the Marketo Engage card matches persons on its dedupe field (marketo.engage.dedupeField: email) and supports neither ECID nor Lead ID as one, but this dataflow's only identity is ECID; map an Email identity on V1 or in marketo.additionalAttributes, set marketo.engage.dedupeField to a field this dataflow maps, or keep it on the V2 card (marketo.target: marketoV2)",
    });
  });

  it('refuses a Lead-ID-only V1 dataflow the same way', () => {
    const item = planOne(
      v1({ identities: [{ namespace: 'MarketoLeadId', source: 'crm.leadId', primary: true }] }),
    );
    expect(item).toMatchObject({
      action: 'skip',
      reason: 'identity-unsupported-by-card',
      detail: expect.stringContaining(
        "this dataflow's only identity is MarketoLeadId; map an Email identity",
      ),
    });
  });

  it('reports a dataflow with no identity at all as before', () => {
    expect(planOne(v1({ identities: [] }))).toMatchObject({
      action: 'skip',
      reason: 'no-identity',
      detail: expect.stringContaining(
        'the Marketo Engage card needs its dedupe field (marketo.engage.dedupeField: email) mapped',
      ),
    });
  });

  it('matches on Email wherever V1 maps it, even when V1 made ECID primary', () => {
    expect(planOne(v1({ identities: [ECID, EMAIL] }))).toMatchObject({
      action: 'migrate',
      v2: { identities: [{ namespace: 'DedupeField', source: 'personalEmail.address', primary: true }] },
    });
  });

  it('takes a custom dedupe field from the path mapped to it, and checks Marketo has the field', () => {
    const byCustomer = v1({
      identities: [ECID],
      attributes: [...NAMES, { source: '_tenant.customerId', destination: 'customerId' }],
    });
    expect(planOne(byCustomer, { engage: { workspaceId: '1', dedupeField: 'customerId' } })).toMatchObject({
      action: 'migrate',
      v2: {
        identities: [{ namespace: 'DedupeField', source: '_tenant.customerId', primary: true }],
        attributes: NAMES,
      },
    });
    expect(
      planOne(byCustomer, { engage: { workspaceId: '1', dedupeField: 'customerId' } }, fields.slice(0, 4)),
    ).toMatchObject({
      action: 'skip',
      reason: 'unknown-marketo-field',
      detail: expect.stringContaining('"customerId"'),
    });
  });

  it('refuses Lead ID and ECID as the configured dedupe field, and a run without destination details', () => {
    for (const dedupeField of ['leadId', 'ECID'])
      expect(
        planMarketoMigration('prod', [v1()], fields, {
          ...engageOptions,
          engage: { workspaceId: '1', dedupeField },
        }).blockers,
      ).toEqual([
        `marketo.engage.dedupeField is ${dedupeField}, but the Marketo Engage card supports neither Lead ID nor ECID for deduplication; choose a searchable Marketo field such as email.`,
      ]);
    const { engage: _engage, ...withoutDetails } = engageOptions;
    expect(planMarketoMigration('prod', [v1()], fields, withoutDetails).blockers).toEqual([
      expect.stringContaining('set marketo.engage.workspaceId'),
    ]);
  });
});

describe('Email preference on the V2 card', () => {
  it('makes Email the primary identity next to ECID, keeping both', () => {
    expect(planOne(v1({ identities: [ECID, EMAIL] }), { target: 'marketoV2' })).toMatchObject({
      action: 'migrate',
      v2: {
        identities: [
          { namespace: 'ECID', primary: false },
          { namespace: 'Email', primary: true },
        ],
      },
    });
  });
});

describe('person creation on the Marketo Engage card', () => {
  it('counts the e-mail dedupe field as the e-mail it needs besides first and last name', () => {
    expect(planOne(v1(), { personCreation: 'create-missing' })).toMatchObject({ action: 'migrate' });
    expect(
      planOne(v1({ attributes: NAMES.slice(0, 1) }), { personCreation: 'create-missing' }),
    ).toMatchObject({
      action: 'skip',
      reason: 'person-creation-needs-names',
      detail:
        'creating missing Marketo people needs lastName mapped; map them or use personCreation: match-only',
    });
  });

  it('needs e-mail mapped when persons are matched on another field', () => {
    const byCustomer = v1({
      identities: [],
      attributes: [...NAMES, { source: '_tenant.customerId', destination: 'customerId' }],
    });
    expect(
      planOne(byCustomer, {
        personCreation: 'create-missing',
        engage: { workspaceId: '1', dedupeField: 'customerId' },
      }),
    ).toMatchObject({ action: 'skip', detail: expect.stringContaining('needs email mapped') });
  });
});

describe('the Marketo Engage card’s connection and parameters', () => {
  it('connects without a Marketo secret', () => {
    expect(TARGET_CARDS.marketoEngage).toMatchObject({
      needsMarketoSecret: false,
      authSpecName: 'Same Organization',
      fieldsForPersonCreation: ['firstName', 'lastName', 'email'],
    });
    expect(TARGET_CARDS.marketoV2).toMatchObject({
      needsMarketoSecret: true,
      authSpecName: 'OAuth2 Client Credential',
    });
  });

  it('sends its destination details, with the partition only when one is chosen', () => {
    const item = planOne(v1(), { engage: { workspaceId: '7', partition: '3', dedupeField: 'email' } });
    expect(item.action).toBe('migrate');
    const planned = (item as { v2: PlannedMarketoFlow }).v2;
    expect(TARGET_CARDS.marketoEngage.targetParams(planned)).toEqual({
      munchkinId: '123-ABC-456',
      workspaceId: '7',
      syncType: 'Audience and profile',
      partition: '3',
      dedupeField: 'email',
      personAction: 'Update existing persons only',
    });
    const defaultPartition = (planOne(v1()) as { v2: PlannedMarketoFlow }).v2;
    expect(TARGET_CARDS.marketoEngage.targetParams(defaultPartition)).not.toHaveProperty('partition');
  });

  it('plans without Describe Lead when there are no Marketo REST credentials, and says so', () => {
    const unchecked = v1({ attributes: [...NAMES, { source: 'x.y', destination: 'notAField' }] });
    expect(planMarketoMigration('prod', [unchecked], undefined, engageOptions).items[0]).toMatchObject({
      action: 'migrate',
      warnings: [expect.stringContaining("not checked against Marketo's Describe Lead")],
    });
  });
});

describe('permissions', () => {
  it('activating needs Manage Destinations as well as Activate Destinations, View Profiles and View Segments', () => {
    expect(PERMISSIONS_FOR_STEP.activate).toEqual([
      'Manage Destinations',
      'Activate Destinations',
      'View Profiles',
      'View Segments',
    ]);
  });
});
