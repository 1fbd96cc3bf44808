import { seededId } from './seeded-id';

/** Marketo V1 destination dataflows of the demo and large seeds, with their selectors as Adobe stores them. */

export interface DemoMarketoFlow {
  name: string;
  identities: Array<'Email' | 'ECID'>;
  attributes: string[];
  audiences: Array<{ id: string; name: string; mappingId: string }>;
}

export const DEMO_MARKETO_V1_FLOWS: DemoMarketoFlow[] = [
  {
    name: 'Marketo V1 - Newsletter audiences',
    identities: ['Email'],
    attributes: ['firstName', 'lastName', 'companyName'],
    audiences: [
      { id: 'a1b2c3d4-0001-4000-8000-000000000001', name: 'Newsletter subscribers', mappingId: '1001' },
      { id: 'a1b2c3d4-0002-4000-8000-000000000002', name: 'Trial users', mappingId: '1002' },
    ],
  },
  {
    name: 'Marketo V1 - Web visitors',
    identities: ['ECID'],
    attributes: ['firstName', 'lastName'],
    audiences: [
      { id: 'a1b2c3d4-0003-4000-8000-000000000003', name: 'High-intent visitors', mappingId: '1003' },
    ],
  },
  {
    name: 'Marketo V1 - Legacy import (no identity)',
    identities: [],
    attributes: ['companyName'],
    audiences: [{ id: 'a1b2c3d4-0004-4000-8000-000000000004', name: 'Legacy accounts', mappingId: '1004' }],
  },
];

const IDENTITY_SOURCE: Record<'Email' | 'ECID', string> = {
  Email: 'personalEmail.address',
  ECID: 'identityMap.ECID',
};
const ATTRIBUTE_SOURCE: Record<string, string> = {
  firstName: 'person.name.firstName',
  lastName: 'person.name.lastName',
  companyName: 'b2b.companyName',
};

/**
 * One profile selector of a seeded destination flow, as Adobe stores it: an
 * XDM path exported to a Marketo field, or to an identity namespace. Built
 * here, not by the client's builder, so the seeded V1 flows stay what Adobe
 * would hold even if the client's idea of the shape drifts.
 */
function destinationProfileSelector(
  source: string,
  destination: string,
  identity?: { namespace: string; primary: boolean },
) {
  return {
    type: 'JSON_PATH',
    value: {
      operator: 'EXISTS',
      path: source,
      ...(identity ? { identity: { namespace: identity.namespace } } : {}),
      mapping: {
        sourceType: 'text/x.schema-path',
        source,
        destination,
        identity: Boolean(identity),
        primaryIdentity: identity?.primary ?? false,
        functionVersion: 0,
        sourceAttribute: source,
        destinationXdmPath: destination,
      },
    },
  };
}

export function profileSelectors(flow: DemoMarketoFlow) {
  return [
    ...flow.identities.map((namespace, index) =>
      destinationProfileSelector(IDENTITY_SOURCE[namespace], `identityMap.${namespace}`, {
        namespace,
        primary: index === 0,
      }),
    ),
    ...flow.attributes.map((attribute) =>
      destinationProfileSelector(ATTRIBUTE_SOURCE[attribute] ?? attribute, attribute),
    ),
  ];
}

export function largeMarketoFlows(count: number): DemoMarketoFlow[] {
  return Array.from({ length: count }, (_, index) => {
    const template = DEMO_MARKETO_V1_FLOWS[index % DEMO_MARKETO_V1_FLOWS.length]!;
    return {
      ...template,
      name: `${template.name} #${index + 1}`,
      audiences: template.audiences.map((audience) => ({
        ...audience,
        id: seededId(`audience/${index}/${audience.id}`),
      })),
    };
  });
}
