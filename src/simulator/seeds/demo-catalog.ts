/**
 * The facts every simulator module's `demo` seed agrees on, so that AEP's V1
 * SFMC objects line up with SFMC data extensions, Marketo destinations with
 * Marketo fields, and Sales Connect with the same Salesforce instance.
 * The demo config (examples/cutover.simulator.yaml) points at these.
 */
export const DEMO_ORG_ID = 'CUTOVERDEMO0000000000001@AdobeOrg';
export const DEMO_IMS_CLIENT_ID = 'cutover-demo-client';
export const DEMO_SANDBOXES = ['prod', 'dev'] as const;

export const DEMO_SALESFORCE_INSTANCE = 'https://cutover-demo.my.salesforce.com';

export interface DemoDataExtensionField {
  name: string;
  /** SFMC field types: Text, Number, Date, Boolean, EmailAddress, Phone, Decimal, Locale. */
  type: 'Text' | 'Number' | 'Date' | 'Boolean' | 'EmailAddress' | 'Phone' | 'Decimal' | 'Locale';
  isPrimaryKey?: boolean;
}

export interface DemoDataExtension {
  name: string;
  customerKey: string;
  fields: DemoDataExtensionField[];
  rowCount: number;
}

export const DEMO_SFMC = {
  /** The auth base URI prefix (what users paste before `.auth.marketingcloudapis.com`). */
  subdomain: 'mcdemo0000000000000000000000',
  clientId: 'cutover-demo-sfmc',
  accountId: '100000001',
  dataExtensions: [
    {
      name: 'Subscribers',
      customerKey: 'subscribers-de',
      rowCount: 12_500,
      fields: [
        { name: 'SubscriberKey', type: 'Text', isPrimaryKey: true },
        { name: 'EmailAddress', type: 'EmailAddress' },
        { name: 'FirstName', type: 'Text' },
        { name: 'LastName', type: 'Text' },
        { name: 'Status', type: 'Text' },
        { name: 'ModifiedDate', type: 'Date' },
      ],
    },
    {
      name: 'Campaigns',
      customerKey: 'campaigns-de',
      rowCount: 340,
      fields: [
        { name: 'CampaignID', type: 'Text', isPrimaryKey: true },
        { name: 'Name', type: 'Text' },
        { name: 'Status', type: 'Text' },
        { name: 'LastUpdated', type: 'Date' },
      ],
    },
    {
      // No date/time field: a V2 dataflow cannot be created for it (the delta column is mandatory).
      name: 'Lists',
      customerKey: 'lists-de',
      rowCount: 45,
      fields: [
        { name: 'ListID', type: 'Number', isPrimaryKey: true },
        { name: 'ListName', type: 'Text' },
      ],
    },
  ] satisfies DemoDataExtension[],
};

/**
 * Objects the V1 SFMC source reads in AEP. `dataExtension` names the V2
 * replacement; custom objects cannot be migrated, and one object has no
 * matching data extension at all.
 */
export const DEMO_SFMC_V1_OBJECTS = [
  { path: 'Subscriber', custom: false, dataExtension: 'Subscribers', deltaColumn: 'ModifiedDate' },
  { path: 'Campaign', custom: false, dataExtension: 'Campaigns', deltaColumn: 'LastUpdated' },
  { path: 'List', custom: false, dataExtension: 'Lists', deltaColumn: undefined },
  { path: 'Email', custom: false, dataExtension: undefined, deltaColumn: undefined },
  { path: 'LoyaltyTier__c', custom: true, dataExtension: undefined, deltaColumn: undefined },
] as const;

export interface DemoMarketoField {
  id: number;
  displayName: string;
  dataType:
    | 'string'
    | 'email'
    | 'integer'
    | 'datetime'
    | 'boolean'
    | 'phone'
    | 'text'
    | 'currency'
    | 'date'
    | 'float'
    | 'url';
  length?: number;
  restName: string;
  readOnly?: boolean;
}

export const DEMO_MARKETO = {
  munchkinId: '123-ABC-456',
  clientId: 'cutover-demo-marketo',
  /** Marketo answers `scope` with the API-only user's e-mail. */
  apiUser: 'cutover-api@demo.example',
  fields: [
    { id: 1, displayName: 'Id', dataType: 'integer', restName: 'id', readOnly: true },
    { id: 2, displayName: 'Email Address', dataType: 'email', length: 255, restName: 'email' },
    { id: 3, displayName: 'First Name', dataType: 'string', length: 255, restName: 'firstName' },
    { id: 4, displayName: 'Last Name', dataType: 'string', length: 255, restName: 'lastName' },
    { id: 5, displayName: 'Company Name', dataType: 'string', length: 255, restName: 'company' },
    { id: 6, displayName: 'Job Title', dataType: 'string', length: 255, restName: 'title' },
    { id: 7, displayName: 'Phone Number', dataType: 'phone', length: 255, restName: 'phone' },
    { id: 8, displayName: 'City', dataType: 'string', length: 255, restName: 'city' },
    { id: 9, displayName: 'Country', dataType: 'string', length: 255, restName: 'country' },
    { id: 10, displayName: 'Loyalty Tier', dataType: 'string', length: 64, restName: 'loyaltyTier' },
    { id: 11, displayName: 'Created At', dataType: 'datetime', restName: 'createdAt', readOnly: true },
    { id: 12, displayName: 'Updated At', dataType: 'datetime', restName: 'updatedAt', readOnly: true },
  ] satisfies DemoMarketoField[],
};

export interface DemoSalesConnectUser {
  email: string;
  name: string;
  /** Already connected users keep the workspace they were invited with. */
  status: 'connected' | 'not-connected';
  workspace?: string;
}

export const DEMO_SALES_CONNECT = {
  /** The Sales Connect instance for the production Marketo subscription. */
  instanceId: 'sc-demo-production',
  /** A second instance (a Marketo sandbox) whose accounts' e-mails cannot be reused in production. */
  otherInstanceId: 'sc-demo-sandbox',
  salesforceInstance: DEMO_SALESFORCE_INSTANCE,
  workspaces: ['Default', 'EMEA', 'Americas'],
  team: [
    { email: 'ada.admin@demo.example', name: 'Ada Admin', status: 'connected', workspace: 'Default' },
    { email: 'ben.seller@demo.example', name: 'Ben Seller', status: 'not-connected' },
    { email: 'chloe.rep@demo.example', name: 'Chloe Rep', status: 'not-connected' },
    { email: 'dev.ops@demo.example', name: 'Dev Ops', status: 'not-connected' },
    { email: 'emma.lead@demo.example', name: 'Emma Lead', status: 'connected', workspace: 'EMEA' },
  ] satisfies DemoSalesConnectUser[],
  /** E-mails that already hold an account on the other instance. */
  emailsUsedOnOtherInstance: ['dev.ops@demo.example'],
};
