/**
 * Response shapes of Salesforce Marketing Cloud's auth and Custom Object
 * (data extension) REST APIs.
 *
 * Confirmed (developer.salesforce.com): the token endpoint and its request
 * body, the 20-minute token life, the REST paths `/data/v1/customobjects`,
 * `/{id}` and `/{id}/fields`, and the 429 throttling body.
 *
 * Assumed, because the official REST reference could not be read (see
 * shared/reference/remote-apis.md §D); the shapes below follow what several
 * independent third-party clients and live write-ups report:
 * - token response fields `access_token, token_type, expires_in, scope,
 *   soap_instance_url, rest_instance_url`;
 * - list: `{count (total), page, pageSize, links?, items:[{id (GUID), key,
 *   name, ...}]}` paged with `$page` (1-based) and `$pageSize`;
 * - one data extension: the list item's fields plus `fields[]`;
 * - fields: `{id, fields:[{name, type, length?, scale?, ordinal, isNullable,
 *   isPrimaryKey, ...}]}`, addressed by the GUID `id`, never the customer key;
 * - REST errors `{message, errorcode, documentation?}`; auth errors
 *   `{error, error_description, error_uri}`.
 * - the list rejects requests without `$search` (HTTP 400 "$search is a
 *   required parameter", dawidmachon/mcecli docs/dev/endpoint-notes.md), so
 *   the client always sends one.
 * Unknown extra properties are accepted and dropped, so a richer real answer
 * still parses.
 */
import { z } from 'zod';

export const sfmcTokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string(),
  /** Seconds. */
  expires_in: z.number().positive(),
  /** Space-separated scope names granted to this token. */
  scope: z.string().default(''),
  soap_instance_url: z.url(),
  rest_instance_url: z.url(),
});
export type SfmcTokenResponse = z.output<typeof sfmcTokenResponseSchema>;

const dataExtensionSummaryShape = {
  /** The data extension's ObjectID, a GUID; the REST API addresses data extensions by it. */
  id: z.string().min(1),
  /** The customer key (external key). */
  key: z.string(),
  name: z.string(),
  description: z.string().optional(),
  categoryId: z.number().optional(),
  isSendable: z.boolean().optional(),
  isTestable: z.boolean().optional(),
  rowCount: z.number().optional(),
  fieldCount: z.number().optional(),
  createdDate: z.string().optional(),
  modifiedDate: z.string().optional(),
};

export const sfmcDataExtensionSummarySchema = z.object(dataExtensionSummaryShape);
export type SfmcDataExtensionSummary = z.output<typeof sfmcDataExtensionSummarySchema>;

export const sfmcDataExtensionPageSchema = z.object({
  /** Total number of matching data extensions, across all pages. */
  count: z.number().int().min(0),
  page: z.number().int().min(1),
  pageSize: z.number().int().min(1),
  links: z.unknown().optional(),
  items: z.array(sfmcDataExtensionSummarySchema),
});
export type SfmcDataExtensionPage = z.output<typeof sfmcDataExtensionPageSchema>;

export const sfmcDataExtensionFieldSchema = z.object({
  name: z.string().min(1),
  /** Text, Number, Date, Boolean, EmailAddress, Phone, Decimal, Locale (kept open for new types). */
  type: z.string().min(1),
  isPrimaryKey: z.boolean(),
  isNullable: z.boolean(),
  length: z.number().int().optional(),
  scale: z.number().int().optional(),
  ordinal: z.number().int().optional(),
});
export type SfmcDataExtensionField = z.output<typeof sfmcDataExtensionFieldSchema>;

export const sfmcDataExtensionSchema = z.object({
  ...dataExtensionSummaryShape,
  fields: z.array(sfmcDataExtensionFieldSchema).optional(),
});
export type SfmcDataExtension = z.output<typeof sfmcDataExtensionSchema>;

export const sfmcDataExtensionFieldsSchema = z.object({
  id: z.string().optional(),
  fields: z.array(sfmcDataExtensionFieldSchema),
});

/** `POST /v2/token` failures, OAuth style. */
export const sfmcAuthErrorSchema = z.object({
  error: z.string(),
  error_description: z.string().optional(),
  error_uri: z.string().optional(),
});

/** REST API failures, e.g. `{"message":"Rate limit exceeded","errorcode":50100,"retryAfter":5}`. */
export const sfmcRestErrorSchema = z.object({
  message: z.string(),
  errorcode: z.union([z.number(), z.string()]).optional(),
  documentation: z.string().optional(),
  retryAfter: z.number().optional(),
});
