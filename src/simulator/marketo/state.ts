import { DEMO_MARKETO } from '../seeds/demo-catalog';
import type { SeedOptions } from '../core/module';

/** A LaunchPoint service's credentials; without `secret` any non-empty secret is accepted. */
export interface MarketoApiClientRecord {
  clientId: string;
  secret?: string;
  /** The API-only user's e-mail, which the identity service returns as `scope`. */
  apiUser: string;
}

export interface MarketoLeadFieldRecord {
  id: number;
  displayName: string;
  dataType: string;
  length?: number;
  restName: string;
  soapName: string;
  readOnly: boolean;
}

export interface MarketoScriptedError {
  code: string;
  message: string;
  remaining: number;
}

export interface MarketoInstanceRecord {
  munchkinId: string;
  clients: Record<string, MarketoApiClientRecord>;
  leadFields: MarketoLeadFieldRecord[];
  dailyQuota: number;
  /** REST calls counted on one US Central calendar day (the day Marketo's quota resets on). */
  usage: { day: string; calls: number };
  /** In-body errors the next REST calls answer with, set through the admin API. */
  scriptedErrors: MarketoScriptedError[];
}

export interface MarketoSimulatorState {
  instances: Record<string, MarketoInstanceRecord>;
}

export const DEFAULT_DAILY_QUOTA = 50_000;

export function initialMarketoState(): MarketoSimulatorState {
  return { instances: {} };
}

/** Standard fields' SOAP names are the REST names with a capital first letter (email → Email). */
function soapNameFor(restName: string): string {
  return restName.charAt(0).toUpperCase() + restName.slice(1);
}

export interface LeadFieldInput {
  id: number;
  displayName: string;
  dataType: string;
  length?: number;
  restName: string;
  soapName?: string;
  readOnly?: boolean;
}

export function leadFieldRecord(field: LeadFieldInput): MarketoLeadFieldRecord {
  return {
    id: field.id,
    displayName: field.displayName,
    dataType: field.dataType,
    ...(field.length === undefined ? {} : { length: field.length }),
    restName: field.restName,
    soapName: field.soapName ?? soapNameFor(field.restName),
    readOnly: field.readOnly ?? false,
  };
}

export function newInstance(munchkinId: string): MarketoInstanceRecord {
  return {
    munchkinId,
    clients: {},
    leadFields: [],
    dailyQuota: DEFAULT_DAILY_QUOTA,
    usage: { day: '', calls: 0 },
    scriptedErrors: [],
  };
}

/** Hosts are case-insensitive, so `123-abc-456.mktorest.com` is the same instance. */
export function instanceKey(munchkinId: string): string {
  return munchkinId.toUpperCase();
}

export function findInstance(
  state: MarketoSimulatorState,
  munchkinId: string | undefined,
): MarketoInstanceRecord | undefined {
  return munchkinId === undefined ? undefined : state.instances[instanceKey(munchkinId)];
}

export function seedMarketoState(state: MarketoSimulatorState, options: SeedOptions): void {
  if (options.profile === 'empty') return;
  const instance = newInstance(DEMO_MARKETO.munchkinId);
  instance.clients[DEMO_MARKETO.clientId] = {
    clientId: DEMO_MARKETO.clientId,
    apiUser: DEMO_MARKETO.apiUser,
  };
  instance.leadFields = DEMO_MARKETO.fields.map((field) => leadFieldRecord(field));
  state.instances[instanceKey(instance.munchkinId)] = instance;
}
