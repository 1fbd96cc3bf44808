export { MarketoClient, type MarketoClientOptions } from './marketo-client';
export {
  MUNCHKIN_ID_EXAMPLE,
  MUNCHKIN_ID_PATTERN,
  MarketoCredentialError,
  marketoBaseUrl,
  normaliseMarketoCredentials,
  normaliseMunchkinId,
  type MarketoCredentialField,
  type MarketoCredentials,
} from './munchkin';
export type { IdentityToken, MarketoError, MarketoLeadField } from './schemas';
