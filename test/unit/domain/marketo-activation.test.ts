import { describe, expect, it } from 'vitest';
import {
  activationOperations,
  missingAudiences,
  plannedProfileSelectors,
  type DestinationParams,
} from '../../../src/domain/marketo/activation';
import { missingPermissionMessage } from '../../../src/domain/marketo/permissions';
import { TARGET_CARDS } from '../../../src/domain/marketo/plan';
import type { PlannedMarketoFlow } from '../../../src/domain/marketo/types';

const planned: PlannedMarketoFlow = {
  target: 'marketoV2',
  audiences: [
    { id: 'aud-1', name: 'Subscribers' },
    { id: 'aud-2', name: 'Trials' },
  ],
  identities: [{ namespace: 'Email', source: 'personalEmail.address', primary: true }],
  attributes: [{ source: 'person.name.firstName', destination: 'firstName' }],
  personCreation: 'match-only',
};

const empty: DestinationParams = { segmentSelectors: { selectors: [] }, profileSelectors: { selectors: [] } };

/** The params a dataflow has once a patch is applied, as the Flow Service would store them. */
function applied(current: DestinationParams, operations: ReturnType<typeof activationOperations>) {
  const next = structuredClone(current) as Required<{
    [K in keyof DestinationParams]: { selectors: unknown[] };
  }>;
  for (const operation of operations) {
    const list = operation.path.includes('segmentSelectors') ? next.segmentSelectors : next.profileSelectors;
    list.selectors.push(operation.value);
  }
  return next as DestinationParams;
}

describe('activationOperations', () => {
  it('adds identities, attributes and then audiences to an empty V2 dataflow, appending with "-"', () => {
    const operations = activationOperations(empty, planned);
    expect(operations.map((operation) => [operation.op, operation.path])).toEqual([
      ['add', '/transformations/0/params/profileSelectors/selectors/-'],
      ['add', '/transformations/0/params/profileSelectors/selectors/-'],
      ['add', '/transformations/0/params/segmentSelectors/selectors/-'],
      ['add', '/transformations/0/params/segmentSelectors/selectors/-'],
    ]);
    expect(operations[0]!.value).toMatchObject({
      type: 'JSON_PATH',
      value: {
        identity: { namespace: 'Email' },
        mapping: { source: 'personalEmail.address', destination: 'identityMap.Email', primaryIdentity: true },
      },
    });
    expect(operations[2]!.value).toEqual({
      type: 'PLATFORM_SEGMENT',
      value: { id: 'aud-1', name: 'Subscribers' },
    });
    // V2 takes no mapping id: the audience selector carries none.
    expect(JSON.stringify(operations)).not.toContain('mappingId');
  });

  it('adds only what is missing, and nothing once everything is there (a retry after a lost response)', () => {
    const half = applied(empty, activationOperations(empty, planned).slice(0, 3));
    expect(activationOperations(half, planned)).toEqual([
      expect.objectContaining({
        value: { type: 'PLATFORM_SEGMENT', value: { id: 'aud-2', name: 'Trials' } },
      }),
    ]);
    expect(missingAudiences(half, planned)).toEqual(['Trials']);
    const full = applied(empty, activationOperations(empty, planned));
    expect(activationOperations(full, planned)).toEqual([]);
    expect(missingAudiences(full, planned)).toEqual([]);
  });

  it('exports identities before attributes', () => {
    expect(plannedProfileSelectors(planned).map((selector) => selector.value.mapping.destination)).toEqual([
      'identityMap.Email',
      'firstName',
    ]);
  });
});

describe('target cards', () => {
  it('translate person creation into each card’s own target parameters', () => {
    expect(TARGET_CARDS.marketoV2.targetParams(planned)).toEqual({ personCreation: 'MATCH_ONLY' });
    expect(
      TARGET_CARDS.marketoEngage.targetParams({
        ...planned,
        target: 'marketoEngage',
        personCreation: 'create-missing',
        engage: { munchkinId: '123-ABC-456', workspaceId: '1', dedupeField: 'email' },
      }),
    ).toEqual({
      munchkinId: '123-ABC-456',
      workspaceId: '1',
      syncType: 'Audience and profile',
      dedupeField: 'email',
      personAction: 'Update existing and create new persons',
    });
  });
});

describe('missingPermissionMessage', () => {
  it('names the permissions a refused step needs and where to grant them', () => {
    expect(missingPermissionMessage('activate', 'PATCH /flows/f-1')).toBe(
      'Experience Platform refused to activate audiences on the V2 dataflow (PATCH /flows/f-1, HTTP 403): ' +
        'the API credential\'s product profile needs the permissions "Manage Destinations", "Activate Destinations", "View Profiles", "View Segments". ' +
        'Add them to a role in Adobe Admin Console (Experience Platform > Permissions) that covers this sandbox, then run again.',
    );
    expect(missingPermissionMessage('connect', 'POST /connections')).toContain(
      'needs the permission "Manage Destinations". Add it to a role',
    );
  });
});
