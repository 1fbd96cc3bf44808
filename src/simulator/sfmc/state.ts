import { createHash } from 'node:crypto';
import type { SeedOptions } from '../core/module';
import { DEMO_SFMC, type DemoDataExtension, type DemoDataExtensionField } from '../seeds/demo-catalog';

export const DATA_EXTENSIONS_READ_SCOPE = 'data_extensions_read';

export interface SfmcInstalledPackageClient {
  clientId: string;
  /** When absent, any non-empty secret is accepted (demo credentials need not match a real value). */
  secret?: string;
  scopes: string[];
}

export interface SfmcFieldRecord {
  name: string;
  type: DemoDataExtensionField['type'];
  isPrimaryKey: boolean;
  isNullable: boolean;
  length?: number;
  scale?: number;
  ordinal: number;
}

export interface SfmcDataExtensionRecord {
  /** ObjectID, a GUID. */
  id: string;
  customerKey: string;
  name: string;
  description: string;
  categoryId: number;
  isSendable: boolean;
  rowCount: number;
  createdDate: string;
  modifiedDate: string;
  fields: SfmcFieldRecord[];
}

export interface SfmcTenant {
  subdomain: string;
  /** MID of the business unit the installed package belongs to. */
  accountId: string;
  clients: Record<string, SfmcInstalledPackageClient>;
  dataExtensions: SfmcDataExtensionRecord[];
  /**
   * Answer a list without `$search` with HTTP 400, as live tenants do
   * (dawidmachon/mcecli docs/dev/endpoint-notes.md); on unless a test turns it off.
   */
  requireSearch: boolean;
}

export interface SfmcSimulatorState {
  tenants: Record<string, SfmcTenant>;
}

const ROOT_DATA_EXTENSION_FOLDER = 1200;
const LARGE_PROFILE_EXTRA_DATA_EXTENSIONS = 240;

/** A stable GUID per tenant and customer key, so reseeding keeps the ids a demo config may hold. */
export function dataExtensionId(subdomain: string, customerKey: string): string {
  const hex = createHash('sha1').update(`sfmc/${subdomain}/${customerKey}`).digest('hex');
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

function defaultSize(field: DemoDataExtensionField): Pick<SfmcFieldRecord, 'length' | 'scale'> {
  switch (field.type) {
    case 'Text':
      return { length: field.isPrimaryKey ? 254 : 100 };
    case 'EmailAddress':
      return { length: 254 };
    case 'Phone':
      return { length: 50 };
    case 'Locale':
      return { length: 5 };
    case 'Decimal':
      return { length: 18, scale: 2 };
    default:
      return {};
  }
}

function toRecord(
  subdomain: string,
  definition: DemoDataExtension,
  createdDate: string,
): SfmcDataExtensionRecord {
  return {
    id: dataExtensionId(subdomain, definition.customerKey),
    customerKey: definition.customerKey,
    name: definition.name,
    description: '',
    categoryId: ROOT_DATA_EXTENSION_FOLDER,
    isSendable: false,
    rowCount: definition.rowCount,
    createdDate,
    modifiedDate: createdDate,
    fields: definition.fields.map((field, index) => ({
      name: field.name,
      type: field.type,
      isPrimaryKey: field.isPrimaryKey ?? false,
      isNullable: !field.isPrimaryKey,
      ...defaultSize(field),
      ordinal: index + 1,
    })),
  };
}

function segmentDataExtension(index: number): DemoDataExtension {
  const number = String(index).padStart(3, '0');
  return {
    name: `Audience Segment ${number}`,
    customerKey: `audience-segment-${number}`,
    rowCount: 1_000 + index * 37,
    fields: [
      { name: 'SubscriberKey', type: 'Text', isPrimaryKey: true },
      { name: 'EmailAddress', type: 'EmailAddress' },
      { name: 'Segment', type: 'Text' },
      { name: 'JoinedDate', type: 'Date' },
    ],
  };
}

function demoTenant(extraDataExtensions: number): SfmcTenant {
  const { subdomain } = DEMO_SFMC;
  const definitions: DemoDataExtension[] = [...DEMO_SFMC.dataExtensions];
  for (let index = 1; index <= extraDataExtensions; index += 1) definitions.push(segmentDataExtension(index));
  return {
    subdomain,
    accountId: DEMO_SFMC.accountId,
    clients: {
      [DEMO_SFMC.clientId]: {
        clientId: DEMO_SFMC.clientId,
        // The V1 source's scopes stay granted next to the one V2 needs, as on a package upgraded in place.
        scopes: [DATA_EXTENSIONS_READ_SCOPE, 'list_and_subscribers_read', 'campaign_read'],
      },
    },
    dataExtensions: definitions.map((definition, index) =>
      toRecord(subdomain, definition, new Date(Date.UTC(2024, 2, 1 + index, 9)).toISOString()),
    ),
    requireSearch: true,
  };
}

export function initialSfmcState(): SfmcSimulatorState {
  return { tenants: {} };
}

export function seedSfmcState(state: SfmcSimulatorState, { profile }: SeedOptions): void {
  state.tenants = {};
  if (profile === 'empty') return;
  const tenant = demoTenant(profile === 'large' ? LARGE_PROFILE_EXTRA_DATA_EXTENSIONS : 0);
  state.tenants[tenant.subdomain] = tenant;
}

export function emptyTenant(subdomain: string): SfmcTenant {
  return { subdomain, accountId: '', clients: {}, dataExtensions: [], requireSearch: true };
}
