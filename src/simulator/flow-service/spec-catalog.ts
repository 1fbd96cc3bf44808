import {
  CONNECTION_SPECS,
  FLOW_SPECS,
  type ConnectionSpecKey,
} from '../../integrations/flow-service/catalog';

interface AuthSpecDefinition {
  name: string;
  required: string[];
}

/**
 * Auth specs per connection spec. SFMC V1's two are documented; the V2 and
 * Marketo ones are our assumption (remote-apis.md B2, C), shaped like them.
 */
const AUTH_SPECS: Partial<Record<ConnectionSpecKey, AuthSpecDefinition[]>> = {
  sfmcV1: [
    { name: 'Client-Id-Secret Based Authentication', required: ['host', 'clientId', 'clientSecret'] },
    { name: 'OAuth2 Client Credential', required: ['subdomain', 'clientId', 'clientSecret'] },
  ],
  sfmcV2: [{ name: 'OAuth2 Client Credential', required: ['baseEndpoint', 'clientId', 'clientSecret'] }],
  marketoV1: [{ name: 'OAuth2 Client Credential', required: ['munchkinId', 'clientId', 'clientSecret'] }],
  marketoV2: [{ name: 'OAuth2 Client Credential', required: ['munchkinId', 'clientId', 'clientSecret'] }],
  marketoEngage: [{ name: 'OAuth2 Client Credential', required: ['munchkinId', 'clientId', 'clientSecret'] }],
};

const CATEGORY: Record<ConnectionSpecKey, { category: string; isSource: boolean; isDestination: boolean }> = {
  sfmcV1: { category: 'marketingAutomation', isSource: true, isDestination: false },
  sfmcV2: { category: 'marketingAutomation', isSource: true, isDestination: false },
  marketoV1: { category: 'marketingAutomation', isSource: false, isDestination: true },
  marketoV2: { category: 'marketingAutomation', isSource: false, isDestination: true },
  marketoEngage: { category: 'marketingAutomation', isSource: false, isDestination: true },
  dataLake: { category: 'dataLake', isSource: false, isDestination: false },
  profileSource: { category: 'profile', isSource: true, isDestination: false },
};

export function isDestinationConnectionSpec(id: string | undefined): boolean {
  const key = id ? connectionSpecKey(id) : undefined;
  return key ? CATEGORY[key].isDestination : false;
}

export function authSpecsFor(connectionSpecId: string): AuthSpecDefinition[] | undefined {
  const key = connectionSpecKey(connectionSpecId);
  return key ? (AUTH_SPECS[key] ?? []) : undefined;
}

export function connectionSpecKey(id: string): ConnectionSpecKey | undefined {
  return (Object.keys(CONNECTION_SPECS) as ConnectionSpecKey[]).find(
    (key) => CONNECTION_SPECS[key].id === id,
  );
}

export const connectionSpecItems = (Object.keys(CONNECTION_SPECS) as ConnectionSpecKey[]).map((key) => ({
  id: CONNECTION_SPECS[key].id,
  name: CONNECTION_SPECS[key].name,
  providerId: '0ed90a81-07f4-4586-8190-b40eccef1c5a',
  version: '1.0',
  authSpec: (AUTH_SPECS[key] ?? []).map((auth) => ({
    name: auth.name,
    type: 'OAuth2',
    spec: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: Object.fromEntries(auth.required.map((field) => [field, { type: 'string' }])),
      required: auth.required,
    },
  })),
  attributes: { ...CATEGORY[key], label: CONNECTION_SPECS[key].label },
}));

export interface FlowSpecItem {
  id: string;
  name: string;
  sourceConnectionSpecIds: string[];
  targetConnectionSpecIds: string[];
  [field: string]: unknown;
}

export const flowSpecItems: FlowSpecItem[] = [
  {
    id: FLOW_SPECS.crmToAep.id,
    name: FLOW_SPECS.crmToAep.name,
    providerId: '0ed90a81-07f4-4586-8190-b40eccef1c5a',
    version: '1.0',
    sourceConnectionSpecIds: [CONNECTION_SPECS.sfmcV1.id, CONNECTION_SPECS.sfmcV2.id],
    targetConnectionSpecIds: [CONNECTION_SPECS.dataLake.id],
    transformationSpecs: {
      Copy: { required: ['deltaColumn'] },
      Mapping: { required: ['mappingId'] },
    },
    attributes: { isSourceFlow: true },
  },
  {
    id: FLOW_SPECS.profileToDestination.id,
    name: FLOW_SPECS.profileToDestination.name,
    providerId: '0ed90a81-07f4-4586-8190-b40eccef1c5a',
    version: '1.0',
    sourceConnectionSpecIds: [CONNECTION_SPECS.profileSource.id],
    targetConnectionSpecIds: [
      CONNECTION_SPECS.marketoV1.id,
      CONNECTION_SPECS.marketoV2.id,
      CONNECTION_SPECS.marketoEngage.id,
    ],
    transformationSpecs: { GeneralTransform: {} },
    attributes: { isDestinationFlow: true },
  },
];
