/**
 * Connection and flow specs cutover works with. The ids Adobe documents are
 * marked `documented`; the others (remote-apis.md marks them UNCONFIRMED) are
 * invented, stable, and used only by the simulator. Clients therefore look
 * specs up by name at run time (`GET /connectionSpecs?property=name==…`), and a
 * config can override a name if Adobe's differs.
 */
export interface KnownSpec {
  name: string;
  id: string;
  /** Whether `id` (and `name`) come from Adobe's documentation or are our invention. */
  documented: boolean;
  label: string;
}

export const CONNECTION_SPECS = {
  sfmcV1: {
    name: 'salesforce-marketing-cloud',
    id: 'ea1c2a08-b722-11eb-8529-0242ac130003',
    documented: true,
    label: 'Salesforce Marketing Cloud (V1 source, deprecated January 2026)',
  },
  sfmcV2: {
    name: 'salesforce-marketing-cloud-v2',
    id: 'c8be98de-99dc-49f8-b989-dbb941284aee',
    documented: false,
    label: '(V2) Salesforce Marketing Cloud source',
  },
  marketoV1: {
    name: 'marketo-engage-v1',
    id: 'd6ca6f0d-92cc-4dcf-bba5-098abeeffc65',
    documented: false,
    label: 'Marketo Engage V1 destination (retired)',
  },
  marketoV2: {
    name: 'marketo-engage-v2',
    id: '29c09b9b-f9f3-42af-83ee-84a646a0e63d',
    documented: false,
    label: '(Legacy) (V2) Marketo Engage destination',
  },
  marketoEngage: {
    name: 'marketo-engage',
    id: '56c5fc2a-27ef-441f-974a-fdbe304b7fd2',
    documented: false,
    label: 'Marketo Engage destination (current card)',
  },
  dataLake: {
    name: 'data-lake',
    id: 'c604ff05-7f1a-43c0-8e18-33bf874cb11c',
    documented: true,
    label: 'Experience Platform data lake (target)',
  },
  profileSource: {
    name: 'unified-profile-source',
    id: '8a9c3494-9708-43d7-ae3f-cda01e5030e1',
    documented: true,
    label: 'Real-Time Customer Profile (source of destination flows)',
  },
} as const satisfies Record<string, KnownSpec>;

export const FLOW_SPECS = {
  crmToAep: {
    name: 'CRMToAEP',
    id: '14518937-270c-4525-bdec-c2ba7cce3860',
    documented: true,
    label: 'Marketing automation / CRM source to the data lake',
  },
  profileToDestination: {
    name: 'profile-based-destination',
    id: '71471eba-b620-49e4-90fd-23f1fa0174d8',
    documented: true,
    label: 'Profile-based (streaming) destinations',
  },
} as const satisfies Record<string, KnownSpec>;

export type ConnectionSpecKey = keyof typeof CONNECTION_SPECS;
export type FlowSpecKey = keyof typeof FLOW_SPECS;
