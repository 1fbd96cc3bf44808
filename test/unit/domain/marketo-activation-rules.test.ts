import { describe, expect, it } from 'vitest';
import {
  activationOperations,
  missingAudiences,
  profileSelector,
  type DestinationParams,
} from '../../../src/domain/marketo/activation';
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

describe('profileSelector', () => {
  it('exports an attribute as an existing XDM path mapped to a Marketo field, not as an identity', () => {
    expect(profileSelector('person.name.firstName', 'firstName')).toStrictEqual({
      type: 'JSON_PATH',
      value: {
        operator: 'EXISTS',
        path: 'person.name.firstName',
        mapping: {
          sourceType: 'text/x.schema-path',
          source: 'person.name.firstName',
          destination: 'firstName',
          identity: false,
          primaryIdentity: false,
          functionVersion: 0,
          sourceAttribute: 'person.name.firstName',
          destinationXdmPath: 'firstName',
        },
      },
    });
  });

  it('exports an identity with its namespace, primary or not', () => {
    expect(
      profileSelector('identityMap.ECID', 'identityMap.ECID', { namespace: 'ECID', primary: false }),
    ).toStrictEqual({
      type: 'JSON_PATH',
      value: {
        operator: 'EXISTS',
        path: 'identityMap.ECID',
        identity: { namespace: 'ECID' },
        mapping: {
          sourceType: 'text/x.schema-path',
          source: 'identityMap.ECID',
          destination: 'identityMap.ECID',
          identity: true,
          primaryIdentity: false,
          functionVersion: 0,
          sourceAttribute: 'identityMap.ECID',
          destinationXdmPath: 'identityMap.ECID',
        },
      },
    });
  });
});

describe('activationOperations on what the Flow Service returns', () => {
  it('adds everything when the dataflow has no selector lists yet', () => {
    const operations = activationOperations({}, planned);
    expect(operations.map((operation) => operation.path)).toEqual([
      '/transformations/0/params/profileSelectors/selectors/-',
      '/transformations/0/params/profileSelectors/selectors/-',
      '/transformations/0/params/segmentSelectors/selectors/-',
      '/transformations/0/params/segmentSelectors/selectors/-',
    ]);
    expect(missingAudiences({}, planned)).toEqual(['Subscribers', 'Trials']);
  });

  it('reads past selectors without a value or mapping, and keeps the ones that match', () => {
    const current: DestinationParams = {
      profileSelectors: {
        selectors: [
          {},
          { value: {} },
          { value: { mapping: { source: 'person.name.firstName', destination: 'firstName' } } },
        ],
      },
      segmentSelectors: { selectors: [{}, { value: {} }, { value: { id: 'aud-2' } }] },
    };
    expect(activationOperations(current, planned)).toEqual([
      {
        op: 'add',
        path: '/transformations/0/params/profileSelectors/selectors/-',
        value: expect.objectContaining({
          value: expect.objectContaining({ path: 'personalEmail.address' }),
        }),
      },
      {
        op: 'add',
        path: '/transformations/0/params/segmentSelectors/selectors/-',
        value: { type: 'PLATFORM_SEGMENT', value: { id: 'aud-1', name: 'Subscribers' } },
      },
    ]);
    expect(missingAudiences(current, planned)).toEqual(['Subscribers']);
  });

  it('matches a mapping by both its source and its destination', () => {
    const current: DestinationParams = {
      profileSelectors: {
        selectors: [
          { value: { mapping: { source: 'person.name.firstName', destination: 'lastName' } } },
          { value: { mapping: { source: 'personalEmail.address', destination: 'identityMap.Email' } } },
        ],
      },
    };
    expect(
      activationOperations(current, planned)
        .filter((operation) => operation.path.includes('profileSelectors'))
        .map((operation) => (operation.value as ReturnType<typeof profileSelector>).value.mapping),
    ).toEqual([expect.objectContaining({ source: 'person.name.firstName', destination: 'firstName' })]);
  });
});
