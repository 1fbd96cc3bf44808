import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import { z } from 'zod';
import { SPEC_KEYS, type SpecKey } from '../domain/specs';
import { codecConfigSchema } from './codec';
import {
  ADOBE_PROVISIONING_DELAY,
  ADOBE_PROVISIONING_DELAY_MS,
  FIRST_RUN_TIMEOUT,
  INGESTION_RUN_TIMEOUT,
  MARKETO_CONCURRENCY,
  MARKETO_PERSON_CREATION,
  MARKETO_RATE_LIMIT,
  MAX_CACHED_WORKFLOWS,
  MAX_CONCURRENCY,
  PLATFORM_RATE_LIMIT,
  MARKETO_TARGET,
  SALES_CONNECT_BATCH_SIZE,
  SFMC_CONCURRENCY,
} from '../domain/defaults';
import { cronProblem } from '../domain/ingestion/cron';
import { secretRefSchema } from './secret-ref';

export const durationSchema = z.string().refine(
  (value) => {
    try {
      return msToNumber(value as Duration) >= 0;
    } catch {
      return false;
    }
  },
  { error: 'expected a duration such as "30s", "10 minutes" or "2 days"' },
);

const httpUrlSchema = z
  .url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://platform.adobe.io' })
  .transform((url) => url.replace(/\/+$/, ''));

const hostPortSchema = z
  .string()
  .regex(/^[^\s:]+:\d{1,5}$/, { error: 'expected host:port, e.g. 127.0.0.1:9464' });

export const temporalConfigSchema = z
  .object({
    /** host:port of the frontend; TEMPORAL_ADDRESS overrides it. */
    address: hostPortSchema.optional(),
    namespace: z.string().min(1).optional(),
    taskQueue: z.string().min(1).default('cutover'),
    /** Profile name in Temporal's TOML client config (TEMPORAL_PROFILE overrides). */
    profile: z.string().min(1).optional(),
    apiKey: secretRefSchema.optional(),
    tls: z
      .object({
        serverName: z.string().optional(),
        serverRootCaCert: secretRefSchema.optional(),
        clientCert: secretRefSchema.optional(),
        clientKey: secretRefSchema.optional(),
      })
      .strict()
      .refine((tls) => Boolean(tls.clientCert) === Boolean(tls.clientKey), {
        error: 'clientCert and clientKey must be given together for mTLS',
      })
      .optional(),
  })
  .strict();

export const workerConfigSchema = z
  .object({
    /** Prometheus scrape address; metrics are off when unset. */
    metricsAddress: hostPortSchema.optional(),
    /** Task-queue-wide cap shared by every worker, to respect the remote APIs' rate limits. */
    maxTaskQueueActivitiesPerSecond: z.number().positive().optional(),
    /** Activities at once; most of them wait (for a first run, for their turn at the rate limit), so many are cheap. */
    maxConcurrentActivityTaskExecutions: z.number().int().positive().default(2000),
    maxConcurrentWorkflowTaskExecutions: z.number().int().positive().default(40),
    /** Workflows kept in memory between tasks (sticky cache); 0 replays every task from history. */
    maxCachedWorkflows: z.number().int().min(0).default(MAX_CACHED_WORKFLOWS),
    shutdownGraceTime: durationSchema.default('30s'),
    logLevel: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
    /**
     * How long an API may answer none of this worker's calls before its
     * failures count as an outage (steps then wait for it instead of failing).
     */
    outageSuspectedAfter: durationSchema.optional(),
  })
  .strict();

/**
 * A list whose entries must differ in one field: a repeated entry would
 * otherwise let the later one silently override the earlier (e.g. a sandbox
 * listed with autoApprove false, then true).
 */
function uniqueBy<T extends Record<K, string>, K extends string>(
  field: K,
  what: string,
  normalise: (value: string) => string,
) {
  return (entries: T[], context: z.RefinementCtx) => {
    const first = new Map<string, number>();
    entries.forEach((entry, index) => {
      const key = normalise(entry[field]);
      const earlier = first.get(key);
      if (earlier === undefined) first.set(key, index);
      else
        context.addIssue({
          code: 'custom',
          path: [index, field],
          message: `${what} "${entry[field]}" is listed twice (also at [${earlier}]); keep one entry and merge its settings`,
        });
    });
  };
}

const sandboxSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, {
      error: 'expected a lower-case AEP sandbox name such as "prod" or "dev-1"',
    }),
    /** Approve deletion of V1 objects without a person when the V2 replacement is verified. */
    autoApprove: z.boolean().default(false),
    /** Keep V1 disabled this long before deleting it. */
    retention: durationSchema.optional(),
  })
  .strict();

/**
 * How long a run waits for this section's API to answer again, when it stops
 * answering every call, before it fails as for any other error (default
 * OUTAGE_TOLERANCE): long enough to ride out an incident, short enough that a run
 * does not hold V1 disabled for days.
 */
const outageToleranceSchema = durationSchema.optional();

const specIdSchema = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, {
  error:
    'expected a spec id such as c604ff05-7f1a-43c0-8e18-33bf874cb11c (GET /connectionSpecs or /flowSpecs)',
});

const specIdsSchema = z
  .object(
    Object.fromEntries(SPEC_KEYS.map((key) => [key, specIdSchema.optional()])) as Record<
      SpecKey,
      z.ZodOptional<typeof specIdSchema>
    >,
  )
  .strict()
  .default({});

export const adobeConfigSchema = z
  .object(
    {
      imsUrl: httpUrlSchema.default('https://ims-na1.adobelogin.com'),
      platformUrl: httpUrlSchema.default('https://platform.adobe.io'),
      orgId: z.string().regex(/^[A-Za-z0-9]+@AdobeOrg$/, {
        error: 'expected an IMS organisation id such as 0123456789ABCDEF@AdobeOrg',
      }),
      clientId: z.string().min(1, { error: 'expected the OAuth server-to-server client id (x-api-key)' }),
      clientSecret: secretRefSchema,
      scopes: z.array(z.string().min(1)).min(1, { error: 'expected at least one OAuth scope' }),
      sandboxes: z
        .array(sandboxSchema, { error: 'list the sandboxes to migrate, e.g. [{name: prod}]' })
        .min(1, { error: 'list at least one sandbox' })
        .superRefine(uniqueBy('name', 'sandbox', (name) => name)),
      /**
       * How long an object Experience Platform just created may be missing from
       * list answers (they are eventually consistent; Adobe documents no bound).
       * A retried create waits this long before looking for what an earlier
       * attempt made, and a clean-up after an unanswered create waits as long.
       */
      listVisibilityWindow: durationSchema.default('30s'),
      /** Adobe IMS, Flow Service and Data Prep (see outageToleranceSchema). */
      outageTolerance: outageToleranceSchema,
      /**
       * Spec ids to use instead of finding them: for the cards Adobe publishes
       * no id for, when the catalogue's label is not one cutover knows.
       */
      specIds: specIdsSchema,
      /** Experience Platform's calls per second for the organisation, shared by every worker. */
      rateLimit: z
        .object({
          requestsPerSecond: z.number().positive(),
          burst: z.number().int().positive().optional(),
        })
        .strict()
        .default(PLATFORM_RATE_LIMIT),
    },
    {
      error:
        'the adobe section is required: orgId, clientId, clientSecret (env:NAME or file:PATH), scopes and sandboxes',
    },
  )
  .strict();

export const sfmcConfigSchema = z
  .object({
    clientId: z.string().min(1),
    clientSecret: secretRefSchema,
    /** The auth base URI prefix; a pasted full URI is normalised by the migration planner. */
    baseEndpoint: z.string().min(1),
    accountId: z.string().optional(),
    /** Override for https://{baseEndpoint}.auth.marketingcloudapis.com, e.g. the simulator's. */
    authBaseUrl: httpUrlSchema.optional(),
    /** V1 object path -> data extension name, where names differ. */
    dataExtensionFor: z.record(z.string(), z.string()).optional(),
    /** Data extension name -> the date/time field to use as V2's delta column. */
    deltaColumnFor: z.record(z.string(), z.string()).optional(),
    /** Dataflows migrated at once per run. */
    concurrency: z.number().int().min(1).max(MAX_CONCURRENCY).default(SFMC_CONCURRENCY),
    /** How long a new V2 dataflow may take to finish its first run before the item is rolled back. */
    firstRunTimeout: durationSchema.default(FIRST_RUN_TIMEOUT),
    outageTolerance: outageToleranceSchema,
  })
  .strict();

/** The new Marketo Engage card's destination details (Adobe's "Marketo Engage connection" page). */
const marketoEngageSchema = z
  .object({
    /** The Marketo workspace the card exports to (Admin > Workspaces & Partitions; 1 is Default). */
    workspaceId: z.union([z.number().int().positive(), z.string().trim().regex(/^\d+$/)]).transform(String),
    /** The lead partition new persons are created in; Marketo's Default partition when absent. */
    partition: z
      .union([z.number().int().positive(), z.string().trim().regex(/^\d+$/)])
      .transform(String)
      .optional(),
    /** The searchable Marketo field persons are matched on (REST name); not Lead ID or ECID. */
    dedupeField: z.string().trim().min(1).default('email'),
  })
  .strict();

export const marketoConfigSchema = z
  .object({
    munchkinId: z.string().min(1),
    /**
     * A LaunchPoint API user: V2's connection authenticates with it, and
     * cutover reads Describe Lead with it. The Marketo Engage card needs no
     * secret, so there they are optional and, without them, mapped fields go
     * unchecked (the plan warns).
     */
    clientId: z.string().min(1).optional(),
    clientSecret: secretRefSchema.optional(),
    /** Override for the REST/identity host; defaults to https://{munchkinId}.mktorest.com. */
    baseUrl: httpUrlSchema.optional(),
    /** The destination card that replaces V1: V2 (itself legacy since March 2026) or the new Marketo Engage card. */
    target: z.enum(['marketoV2', 'marketoEngage']).default(MARKETO_TARGET),
    /** V2's person creation mode; create-missing needs first and last name mapped. */
    personCreation: z.enum(['match-only', 'create-missing']).default(MARKETO_PERSON_CREATION),
    /** Attributes to export beyond what V1 mapped: XDM source path -> Marketo REST field name. */
    additionalAttributes: z
      .array(z.object({ source: z.string().min(1), destination: z.string().min(1) }).strict())
      .default([]),
    /** Destination dataflows replaced at once per run. */
    concurrency: z.number().int().min(1).max(MAX_CONCURRENCY).default(MARKETO_CONCURRENCY),
    /** Marketo REST limits per instance, shared by every worker (Marketo's documented ones by default). */
    rateLimit: z
      .object({
        callsPerWindow: z.number().int().positive(),
        windowSeconds: z.number().positive(),
        concurrent: z.number().int().positive(),
      })
      .strict()
      .default(MARKETO_RATE_LIMIT),
    /** How long a new V2 dataflow may take to report its first activation before the item is rolled back. */
    firstActivationTimeout: durationSchema.default(FIRST_RUN_TIMEOUT),
    outageTolerance: outageToleranceSchema,
    /** Required when target is marketoEngage. */
    engage: marketoEngageSchema.optional(),
  })
  .strict()
  .superRefine((marketo, context) => {
    const engage = marketo.target === 'marketoEngage';
    for (const field of ['clientId', 'clientSecret'] as const) {
      const other = field === 'clientId' ? 'clientSecret' : 'clientId';
      if (marketo[field] === undefined && (!engage || marketo[other] !== undefined))
        context.addIssue({
          code: 'custom',
          path: [field],
          message: engage
            ? `set both clientId and clientSecret (to check mapped fields against Describe Lead) or neither`
            : `required for marketo.target ${marketo.target}: the V2 card's connection authenticates with the LaunchPoint API user (Marketo Admin > LaunchPoint)`,
        });
    }
    if (engage && !marketo.engage)
      context.addIssue({
        code: 'custom',
        path: ['engage'],
        message:
          'required for marketo.target marketoEngage: set engage.workspaceId (and optionally partition, and dedupeField, email by default)',
      });
  });

const salesConnectUserSchema = z
  .object({
    email: z.email({ error: 'expected an e-mail address' }),
    /** Assigned once, at invite time; the instance's default workspace when absent. */
    workspace: z.string().min(1).optional(),
  })
  .strict();

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

const salesConnectInstanceIdSchema = z.string().regex(/^[\x21-\x7e]{1,100}$/, {
  error: 'expected the instance id as the gateway names it: 1-100 printable characters, no spaces',
});

export const salesConnectConfigSchema = z
  .object({
    /** The Sales Connect instance of the Marketo subscription (as the gateway names it). */
    instanceId: salesConnectInstanceIdSchema,
    outageTolerance: outageToleranceSchema,
    /**
     * The org's other Sales Connect instances (e.g. a Marketo sandbox's): an
     * e-mail holds an account on one instance only, so the plan reads their
     * teams and reports a user already there before inviting anyone.
     */
    otherInstanceIds: z
      .array(salesConnectInstanceIdSchema)
      .default([])
      .superRefine((ids, context) => {
        ids.forEach((id, index) => {
          const earlier = ids.indexOf(id);
          if (earlier < index)
            context.addIssue({
              code: 'custom',
              path: [index],
              message: `instance "${id}" is listed twice (also at [${earlier}]); keep one entry`,
            });
        });
      }),
    gateway: z.discriminatedUnion(
      'type',
      [
        z
          .object({
            type: z.literal('http'),
            baseUrl: httpUrlSchema,
            apiKey: secretRefSchema.optional(),
            /** The gateway is cutover's simulator: waits shorter than Adobe's ten minutes are allowed (demos). */
            simulated: z.boolean().default(false),
          })
          .strict(),
        z.object({ type: z.literal('manual') }).strict(),
      ],
      {
        error:
          'expected {type: http, baseUrl: https://…, apiKey?: env:NAME} (a bridge) or {type: manual} (a person confirms each step)',
      },
    ),
    /** Minimum wait between connecting to Marketo and inviting users. */
    provisioningDelay: durationSchema.default(ADOBE_PROVISIONING_DELAY),
    /** Users to provision, in order. */
    users: z
      .array(salesConnectUserSchema)
      .default([])
      .superRefine(uniqueBy('email', 'user', (email) => email.trim().toLowerCase())),
    /** Users per invitation request (Sales Connect takes at most 100). */
    batchSize: z.number().int().min(1).max(100).default(SALES_CONNECT_BATCH_SIZE),
  })
  .strict()
  .superRefine((value, context) => {
    const simulated = value.gateway.type === 'http' && value.gateway.simulated;
    if (
      simulated &&
      value.gateway.type === 'http' &&
      !LOOPBACK.test(new URL(value.gateway.baseUrl).hostname)
    ) {
      context.addIssue({
        code: 'custom',
        path: ['gateway', 'simulated'],
        message:
          "only the simulator on this machine (localhost, 127.0.0.1 or ::1) may be marked simulated; a real bridge keeps Adobe's ten-minute wait",
      });
    }
    const self = value.otherInstanceIds.indexOf(value.instanceId);
    if (self >= 0) {
      context.addIssue({
        code: 'custom',
        path: ['otherInstanceIds', self],
        message: `"${value.instanceId}" is salesConnect.instanceId itself; list only the org's other Sales Connect instances`,
      });
    }
    if (!simulated && msToNumber(value.provisioningDelay as Duration) < ADOBE_PROVISIONING_DELAY_MS) {
      context.addIssue({
        code: 'custom',
        path: ['provisioningDelay'],
        message: `Adobe asks for at least ${ADOBE_PROVISIONING_DELAY} between connecting Marketo and provisioning users; shorter waits are only allowed against the simulator (gateway.simulated: true)`,
      });
    }
  });

const salesforceInstanceSchema = z.string().min(1, { error: 'expected a Salesforce instance URL or org id' });

export const salesforceConfigSchema = z
  .object({
    instance: salesforceInstanceSchema,
    isProduction: z.boolean(),
    marketoInstance: salesforceInstanceSchema.optional(),
    /** Sales Connect needs API calls enabled on the Salesforce subscription; unset is reported as unknown. */
    apiEnabled: z.boolean().optional(),
    /** Sales Connect needs Apex classes enabled on the Salesforce subscription; unset is reported as unknown. */
    apexClassesEnabled: z.boolean().optional(),
    marketoMeasure: z
      .object({
        instance: salesforceInstanceSchema,
        isProduction: z.boolean(),
        /** Measure's daily CRM API limit, when an admin set one; checked against Adobe's minimum of 100,000. */
        dailyApiLimit: z.number().int().optional(),
        /**
         * On a sandbox: someone checked that it mirrors production's fields and
         * active APEX triggers on Lead, Contact, Account, Opportunity, Campaign and Case.
         */
        sandboxMirrorsProduction: z.boolean().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** The V2 dataflows one ingestion schedule drives. */
export type FlowGroup = { migration: string } | { sandbox: string; flowIds?: string[] };

const flowGroupSchema = z
  .object({
    /** Every V2 dataflow cutover made in this sandbox, or only `flowIds`. */
    sandbox: z.string().min(1).optional(),
    flowIds: z.array(z.string().min(1)).min(1).optional(),
    /** The workflow id of a finished migration run: its V2 dataflows. */
    migration: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((group, context) => {
    const fix = 'write either {sandbox: prod} (optionally with flowIds: [...]) or {migration: <workflow id>}';
    if (group.sandbox !== undefined && group.migration !== undefined)
      context.addIssue({ code: 'custom', message: `give sandbox or migration, not both: ${fix}` });
    else if (group.sandbox === undefined && group.migration === undefined)
      context.addIssue({ code: 'custom', message: `say which dataflows: ${fix}` });
    else if (group.flowIds !== undefined && group.sandbox === undefined)
      context.addIssue({
        code: 'custom',
        path: ['flowIds'],
        message: `flowIds needs the sandbox they are in: ${fix}`,
      });
  })
  .transform((group): FlowGroup =>
    group.migration !== undefined
      ? { migration: group.migration }
      : { sandbox: group.sandbox!, ...(group.flowIds ? { flowIds: group.flowIds } : {}) },
  );

const MIN_INTERVAL_MS = 1_000;

const ingestionScheduleSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, {
      error: 'expected a lower-case name such as "prod-sfmc" (it becomes the schedule id ingestion/<name>)',
    }),
    flows: flowGroupSchema,
    /** Window length, and how often a run starts unless `cron` says otherwise. */
    interval: durationSchema,
    /** Cron expressions for when runs start (each still ingests whole `interval` windows). */
    cron: z.array(z.string().min(1)).optional(),
    /** How far back missed runs are still started after an outage of the scheduler. */
    catchupWindow: durationSchema.default('1 day'),
    /** Windows one run ingests at most; older gaps are left to the next run. */
    maxWindowsPerRun: z.number().int().min(1).max(1000).default(24),
    /** Flow Service runs tried per window before the run fails. */
    attemptsPerWindow: z.number().int().min(1).max(10).default(3),
    /** How long one Flow Service run may take. */
    runTimeout: durationSchema.default(INGESTION_RUN_TIMEOUT),
    /** Pause the schedule after this many failed runs in a row. */
    pauseAfterFailures: z.number().int().min(1).optional(),
    /** Flows ingesting at once in a run (default 1000: the Flow Service's rate sets the pace). */
    concurrency: z.number().int().min(1).max(MAX_CONCURRENCY).optional(),
    paused: z.boolean().default(false),
  })
  .strict()
  .superRefine((schedule, context) => {
    // Messages name the schedule: a config may hold dozens, and Temporal's own error would not say which.
    if (msToNumber(schedule.interval as Duration) < MIN_INTERVAL_MS)
      context.addIssue({
        code: 'custom',
        path: ['interval'],
        message: `schedule "${schedule.name}": the interval is both the window length and how often runs start, so it must be at least 1 second (e.g. "1 hour")`,
      });
    for (const [index, expression] of (schedule.cron ?? []).entries()) {
      const problem = cronProblem(expression);
      if (problem)
        context.addIssue({
          code: 'custom',
          path: ['cron', index],
          message: `schedule "${schedule.name}": cron "${expression}" is not one Temporal accepts: ${problem}`,
        });
    }
  });

export const ingestionConfigSchema = z
  .object({
    /** Called with a JSON report when a scheduled run fails. */
    webhook: z
      .object({
        url: httpUrlSchema,
        /** Sent as the `authorization` header. */
        authorization: secretRefSchema.optional(),
      })
      .strict()
      .optional(),
    schedules: z
      .array(ingestionScheduleSchema)
      .default([])
      .superRefine(uniqueBy('name', 'schedule', (name) => name)),
  })
  .strict();

export const secretsConfigSchema = z
  .object({
    /** Folders besides the config file's own that `file:` secret references may read from. */
    allowFilesIn: z.array(z.string().min(1)).default([]),
  })
  .strict();

export const cutoverConfigSchema = z
  .object({
    temporal: temporalConfigSchema.default({ taskQueue: 'cutover' }),
    secrets: secretsConfigSchema.default({ allowFilesIn: [] }),
    worker: workerConfigSchema.default(workerConfigSchema.parse({})),
    adobe: adobeConfigSchema,
    sfmc: sfmcConfigSchema.optional(),
    marketo: marketoConfigSchema.optional(),
    salesConnect: salesConnectConfigSchema.optional(),
    salesforce: salesforceConfigSchema.optional(),
    ingestion: ingestionConfigSchema.optional(),
    /** Encrypts every payload Temporal stores; off until a key is configured. */
    codec: codecConfigSchema.optional(),
  })
  .strict();

export type CutoverConfig = z.output<typeof cutoverConfigSchema> & {
  /** The folder of the file the config was read from (absolute): where `file:` references may point. */
  readonly configDirectory?: string;
};
export type TemporalConfig = z.output<typeof temporalConfigSchema>;
export type WorkerConfig = z.output<typeof workerConfigSchema>;
export type AdobeConfig = z.output<typeof adobeConfigSchema>;
export type IngestionScheduleConfig = z.output<typeof ingestionScheduleSchema>;
export type IngestionConfig = z.output<typeof ingestionConfigSchema>;
