import { z } from 'zod';

/**
 * Response shapes of the Flow Service API (Adobe's flow-service.yaml). Objects
 * are loose: cutover reads the fields it relies on and keeps the rest, so a new
 * field from Adobe never breaks a migration.
 */
export const specRefSchema = z.looseObject({ id: z.string().min(1), version: z.string().optional() });

export const createdSchema = z.looseObject({ id: z.string().min(1), etag: z.string().optional() });
export type Created = z.output<typeof createdSchema>;

const timestamps = {
  createdAt: z.number().optional(),
  updatedAt: z.number().optional(),
};

export const connectionSpecSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  providerId: z.string().optional(),
  version: z.string().optional(),
  authSpec: z
    .array(z.looseObject({ name: z.string(), type: z.string().optional(), spec: z.unknown().optional() }))
    .optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
});
export type ConnectionSpec = z.output<typeof connectionSpecSchema>;

export const flowSpecSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  version: z.string().optional(),
  sourceConnectionSpecIds: z.array(z.string()).optional(),
  targetConnectionSpecIds: z.array(z.string()).optional(),
  transformationSpecs: z.unknown().optional(),
  scheduleSpec: z.unknown().optional(),
});
export type FlowSpec = z.output<typeof flowSpecSchema>;

export const connectionSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  description: z.string().optional(),
  connectionSpec: specRefSchema,
  state: z.string().optional(),
  auth: z
    .looseObject({ specName: z.string(), params: z.record(z.string(), z.unknown()).optional() })
    .optional(),
  etag: z.string().optional(),
  ...timestamps,
});
export type Connection = z.output<typeof connectionSchema>;

export const sourceConnectionSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  description: z.string().optional(),
  baseConnectionId: z.string().optional(),
  connectionSpec: specRefSchema,
  data: z.looseObject({ format: z.string().optional() }).optional(),
  params: z.record(z.string(), z.unknown()).optional(),
  state: z.string().optional(),
  etag: z.string().optional(),
  ...timestamps,
});
export type SourceConnection = z.output<typeof sourceConnectionSchema>;

export const targetConnectionSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  description: z.string().optional(),
  baseConnectionId: z.string().optional(),
  connectionSpec: specRefSchema,
  data: z.looseObject({ format: z.string().optional(), schema: z.unknown().optional() }).optional(),
  params: z.record(z.string(), z.unknown()).optional(),
  state: z.string().optional(),
  etag: z.string().optional(),
  ...timestamps,
});
export type TargetConnection = z.output<typeof targetConnectionSchema>;

export const transformationSchema = z.looseObject({
  name: z.string(),
  params: z.record(z.string(), z.unknown()),
});
export type Transformation = z.output<typeof transformationSchema>;

export const scheduleParamsSchema = z.looseObject({
  startTime: z.union([z.number(), z.string()]).optional(),
  frequency: z.string().optional(),
  interval: z.union([z.number(), z.string()]).optional(),
  backfill: z.union([z.boolean(), z.string()]).optional(),
});
export type ScheduleParams = z.output<typeof scheduleParamsSchema>;

export const flowSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  description: z.string().optional(),
  flowSpec: specRefSchema,
  state: z.string(),
  etag: z.string().optional(),
  sourceConnectionIds: z.array(z.string()).default([]),
  targetConnectionIds: z.array(z.string()).default([]),
  transformations: z.array(transformationSchema).default([]),
  scheduleParams: scheduleParamsSchema.optional(),
  inheritedAttributes: z.record(z.string(), z.unknown()).optional(),
  lastRunDetails: z
    .looseObject({
      id: z.string().optional(),
      state: z.string().optional(),
      startedAtUTC: z.number().optional(),
      completedAtUTC: z.number().optional(),
    })
    .optional(),
  ...timestamps,
});
export type Flow = z.output<typeof flowSchema>;

export const runSchema = z.looseObject({
  id: z.string().min(1),
  flowId: z.string(),
  ...timestamps,
  /** On-demand runs echo the window they were asked for (unix seconds). */
  params: z
    .looseObject({
      windowStartTime: z.coerce.number().optional(),
      windowEndTime: z.coerce.number().optional(),
    })
    .optional(),
  metrics: z
    .looseObject({
      durationSummary: z
        .looseObject({ startedAtUTC: z.number().optional(), completedAtUTC: z.number().optional() })
        .optional(),
      recordSummary: z
        .looseObject({
          inputRecordCount: z.number().optional(),
          outputRecordCount: z.number().optional(),
          failedRecordCount: z.number().optional(),
        })
        .optional(),
      statusSummary: z
        .looseObject({
          status: z.string(),
          errors: z
            .array(z.looseObject({ code: z.string().optional(), message: z.string().optional() }))
            .optional(),
        })
        .optional(),
    })
    .optional(),
});
export type Run = z.output<typeof runSchema>;

export function listEnvelope<T extends z.ZodType>(item: T) {
  return z.looseObject({
    items: z.array(item),
    // `{}` on the last page; a malformed `_links` fails the list rather than cutting it short.
    _links: z.looseObject({ next: z.looseObject({ href: z.string().optional() }).nullish() }).nullish(),
  });
}

/** Single-object GETs answer `{items:[object]}`. */
export function itemsEnvelope<T extends z.ZodType>(item: T) {
  return z.looseObject({ items: z.array(item).min(1) });
}

/** `POST /runs` answers `{items:[{id, etag}]}` in the tutorials and `{id, etag}` in the spec. */
export const createdRunSchema = z.union([
  z.looseObject({ items: z.array(createdSchema).min(1) }).transform((body) => body.items[0]!),
  createdSchema,
]);
