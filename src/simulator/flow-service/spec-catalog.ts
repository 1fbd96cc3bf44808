/**
 * The connection and flow specs the simulated Flow Service serves, kept here
 * rather than borrowed from the client's catalogue: a simulator that read the
 * client's ids would agree with a client that has them wrong.
 */
export interface SimulatedSpec {
  id: string;
  name: string;
  /**
   * What the catalogue card is called: served where Adobe's examples put it,
   * `attributes.connectorName` and `sourceSpec`/`targetSpec`
   * `.attributes.uiAttributes.label`. Adobe publishes no label list, so every
   * label here is ours (docs/simulator.md).
   */
  label: string;
  /** Whether Adobe publishes this id; when it does not, the id is our invention and a real org's will differ. */
  documented: boolean;
}

/**
 * `documented: true` ids are Adobe's (remote-apis.md A3, B1, B3, C); the
 * others, and every name of an undocumented spec, are invented (remote-apis.md
 * B2, C mark them UNCONFIRMED) and must stay stable: a simulator state saved
 * to disk refers to them. Clients must not look specs up by these names.
 */
export const CONNECTION_SPECS = {
  sfmcV1: {
    id: 'ea1c2a08-b722-11eb-8529-0242ac130003',
    name: 'salesforce-marketing-cloud',
    label: 'Salesforce Marketing Cloud',
    documented: true,
  },
  sfmcV2: {
    id: 'c8be98de-99dc-49f8-b989-dbb941284aee',
    name: 'salesforce-marketing-cloud-v2',
    label: '(V2) Salesforce Marketing Cloud',
    documented: false,
  },
  marketoV1: {
    id: 'd6ca6f0d-92cc-4dcf-bba5-098abeeffc65',
    name: 'marketo-engage-v1',
    label: 'Marketo V1',
    documented: false,
  },
  marketoV2: {
    id: '29c09b9b-f9f3-42af-83ee-84a646a0e63d',
    name: 'marketo-engage-v2',
    label: '(Legacy) (V2) Marketo Engage',
    documented: false,
  },
  marketoEngage: {
    id: '56c5fc2a-27ef-441f-974a-fdbe304b7fd2',
    name: 'marketo-engage',
    label: 'Marketo Engage',
    documented: false,
  },
  dataLake: {
    id: 'c604ff05-7f1a-43c0-8e18-33bf874cb11c',
    name: 'data-lake',
    label: 'Data Lake',
    documented: true,
  },
  profileSource: {
    id: '8a9c3494-9708-43d7-ae3f-cda01e5030e1',
    name: 'unified-profile-source',
    label: 'Profile Store',
    documented: true,
  },
} as const satisfies Record<string, SimulatedSpec>;

export const FLOW_SPECS = {
  crmToAep: {
    id: '14518937-270c-4525-bdec-c2ba7cce3860',
    name: 'CRMToAEP',
    label: 'Marketing automation / CRM source to the data lake',
    documented: true,
  },
  profileToDestination: {
    id: '71471eba-b620-49e4-90fd-23f1fa0174d8',
    name: 'profile-based-destination',
    label: 'Profile-based (streaming) destinations',
    documented: true,
  },
} as const satisfies Record<string, SimulatedSpec>;

export type ConnectionSpecKey = keyof typeof CONNECTION_SPECS;

interface AuthSpecDefinition {
  name: string;
  required: string[];
}

/**
 * Auth specs per connection spec. SFMC V1's two are documented; the V2 and
 * Marketo ones are our assumption (remote-apis.md B2, C), shaped like them.
 * The Marketo Engage card takes no credentials at all (Adobe's "Marketo
 * Engage connection" page: the instance must be in the same organisation), so
 * its one auth spec has no fields; its name is ours.
 */
const AUTH_SPECS: Partial<Record<ConnectionSpecKey, AuthSpecDefinition[]>> = {
  sfmcV1: [
    { name: 'Client-Id-Secret Based Authentication', required: ['host', 'clientId', 'clientSecret'] },
    { name: 'OAuth2 Client Credential', required: ['subdomain', 'clientId', 'clientSecret'] },
  ],
  sfmcV2: [{ name: 'OAuth2 Client Credential', required: ['baseEndpoint', 'clientId', 'clientSecret'] }],
  marketoV1: [{ name: 'OAuth2 Client Credential', required: ['munchkinId', 'clientId', 'clientSecret'] }],
  marketoV2: [{ name: 'OAuth2 Client Credential', required: ['munchkinId', 'clientId', 'clientSecret'] }],
  marketoEngage: [{ name: 'Same Organization', required: [] }],
};

/** A destination card's target-connection params: which exist, which are required, and their allowed values. */
export interface TargetParamSpec {
  required: readonly string[];
  optional: readonly string[];
  values: Readonly<Record<string, readonly string[]>>;
}

/**
 * Target-connection params per destination card, where the simulator checks
 * them. The Marketo Engage card's fields and values are the destination
 * details on Adobe's "Marketo Engage connection" page; their API names are
 * ours (Adobe documents the UI only).
 */
export const TARGET_PARAM_SPECS: Partial<Record<ConnectionSpecKey, TargetParamSpec>> = {
  marketoEngage: {
    required: ['munchkinId', 'workspaceId', 'syncType', 'dedupeField'],
    optional: ['partition', 'personAction'],
    values: {
      syncType: ['Audience and profile', 'Profile only', 'Audience only'],
      personAction: ['Update existing and create new persons', 'Update existing persons only'],
    },
  },
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

function targetParamsJsonSchema(spec: TargetParamSpec | undefined) {
  if (!spec) return {};
  const properties = Object.fromEntries(
    [...spec.required, ...spec.optional].map((field) => [
      field,
      spec.values[field] ? { type: 'string', enum: spec.values[field] } : { type: 'string' },
    ]),
  );
  return {
    spec: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties,
      required: spec.required,
    },
  };
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
  attributes: { ...CATEGORY[key], connectorName: CONNECTION_SPECS[key].label },
  ...(CATEGORY[key].isDestination
    ? {
        targetSpec: {
          attributes: { uiAttributes: { isDestination: true, label: CONNECTION_SPECS[key].label } },
          ...targetParamsJsonSchema(TARGET_PARAM_SPECS[key]),
        },
      }
    : {
        sourceSpec: {
          // flow-service.yaml declares the label a string here (one of its examples sends a translation key).
          attributes: {
            uiAttributes: { isSource: CATEGORY[key].isSource, label: CONNECTION_SPECS[key].label },
          },
        },
      }),
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
