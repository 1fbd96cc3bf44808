import { describe, expect, it } from 'vitest';
import { plannedProfileSelectors } from '../../src/domain/marketo/activation';
import { TARGET_CARDS } from '../../src/domain/marketo/plan';
import type { PlannedMarketoFlow } from '../../src/domain/marketo/types';
import {
  refuseMarketoEngageIdentities,
  refuseMarketoEngageTargetParams,
} from '../../src/simulator/flow-service/marketo-engage';
import type { SandboxData, StoredRecord } from '../../src/simulator/flow-service/records';
import { CONNECTION_SPECS } from '../../src/simulator/flow-service/spec-catalog';

/** The simulator's Marketo Engage contract against what cutover sends it, and against V2's shape. */

const engage: PlannedMarketoFlow = {
  target: 'marketoEngage',
  audiences: [{ id: 'aud-1', name: 'Subscribers' }],
  identities: [{ namespace: 'DedupeField', source: 'personalEmail.address', primary: true }],
  attributes: [{ source: 'person.name.firstName', destination: 'firstName' }],
  personCreation: 'create-missing',
  engage: { munchkinId: '123-ABC-456', workspaceId: '1', dedupeField: 'email' },
};
const v2: PlannedMarketoFlow = {
  ...engage,
  target: 'marketoV2',
  identities: [{ namespace: 'Email', source: 'personalEmail.address', primary: true }],
};

const detailOf = (response: ReturnType<typeof refuseMarketoEngageTargetParams>) =>
  (response?.body as { report?: { detailedMessage?: string } } | undefined)?.report?.detailedMessage ??
  JSON.stringify(response?.body);

describe('Marketo Engage target connection params', () => {
  it('accepts what cutover sends for the card', () => {
    expect(
      refuseMarketoEngageTargetParams(
        'marketoEngage',
        TARGET_CARDS.marketoEngage.targetParams(engage),
        'targetConnections',
      ),
    ).toBeUndefined();
  });

  it("refuses V2's params, naming the one the card does not have", () => {
    const refused = refuseMarketoEngageTargetParams(
      'marketoEngage',
      TARGET_CARDS.marketoV2.targetParams(v2),
      'targetConnections',
    );
    expect(refused?.status).toBe(400);
    expect(detailOf(refused)).toContain(
      'params.personCreation is not a parameter of the Marketo Engage destination',
    );
  });

  it('refuses a Lead ID dedupe field, an unknown sync type and a person action with Audience only', () => {
    const params = TARGET_CARDS.marketoEngage.targetParams(engage);
    expect(
      detailOf(refuseMarketoEngageTargetParams('marketoEngage', { ...params, dedupeField: 'id' }, 't')),
    ).toContain('Lead ID and ECID are not supported for deduplication');
    expect(
      detailOf(refuseMarketoEngageTargetParams('marketoEngage', { ...params, syncType: 'Both' }, 't')),
    ).toContain('params.syncType must be one of: Audience and profile, Profile only, Audience only');
    expect(
      detailOf(
        refuseMarketoEngageTargetParams('marketoEngage', { ...params, syncType: 'Audience only' }, 't'),
      ),
    ).toContain('apply only to the Profile only and Audience and profile sync types');
  });

  it('leaves the other cards alone', () => {
    expect(
      refuseMarketoEngageTargetParams('marketoV2', { personCreation: 'MATCH_ONLY' }, 't'),
    ).toBeUndefined();
  });
});

describe('Marketo Engage dataflow identities', () => {
  const sandbox = {
    targetConnections: { 't-1': { id: 't-1', connectionSpec: { id: CONNECTION_SPECS.marketoEngage.id } } },
  } as unknown as SandboxData;
  const flow = (planned: PlannedMarketoFlow) =>
    ({
      id: 'f-1',
      targetConnectionIds: ['t-1'],
      transformations: [
        {
          name: 'GeneralTransform',
          params: { profileSelectors: { selectors: plannedProfileSelectors(planned) } },
        },
      ],
    }) as unknown as StoredRecord;

  it('accepts the DedupeField identity cutover maps', () => {
    expect(refuseMarketoEngageIdentities(flow(engage), sandbox)).toBeUndefined();
  });

  it("refuses V2's Email identity", () => {
    expect(detailOf(refuseMarketoEngageIdentities(flow(v2), sandbox))).toContain(
      'only target identity is DedupeField; Email cannot be mapped as an identity',
    );
  });
});
