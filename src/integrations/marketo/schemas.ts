import { z } from 'zod';

/** `GET /identity/oauth/token`: `expires_in` is what remains of the token's life, not its full lifetime. */
export const identityTokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().refine((value) => value.toLowerCase() === 'bearer', { error: 'expected "bearer"' }),
  expires_in: z.number().int().min(0),
  /** The API-only user the LaunchPoint service belongs to. */
  scope: z.string(),
});
export type IdentityToken = z.output<typeof identityTokenSchema>;

/** What the identity endpoint answers with a 4xx (Spring OAuth format). */
export const identityErrorSchema = z.object({
  error: z.string(),
  error_description: z.string().optional(),
});

/** Marketo documents error codes as strings; a number is read the same way rather than rejected. */
const errorCodeSchema = z.union([z.string(), z.number()]).transform(String);

export const marketoErrorSchema = z.object({
  code: errorCodeSchema,
  message: z.string().default(''),
});
export type MarketoError = z.output<typeof marketoErrorSchema>;

/** Every REST answer, failed or not, comes in this envelope (usually with HTTP 200). */
export const marketoEnvelopeSchema = z.object({
  requestId: z.string(),
  success: z.boolean(),
  errors: z.array(marketoErrorSchema).optional(),
  warnings: z.array(z.unknown()).optional(),
  result: z.unknown().optional(),
});
export type MarketoEnvelope = z.output<typeof marketoEnvelopeSchema>;

const fieldAccessSchema = z.object({
  name: z.string().min(1),
  readOnly: z.boolean(),
});

/** One entry of `GET /rest/v1/leads/describe.json`. */
export const leadFieldSchema = z.object({
  id: z.number().int(),
  displayName: z.string(),
  dataType: z.string(),
  length: z.number().int().optional(),
  /** Absent for fields the REST API cannot read or write. */
  rest: fieldAccessSchema.optional(),
  soap: fieldAccessSchema.optional(),
});
export type MarketoLeadField = z.output<typeof leadFieldSchema>;

export const describeLeadFieldsResultSchema = z.array(leadFieldSchema);
