import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import type { CutoverConfig } from '../config/schema';
import type { SecretSource } from '../config/secrets';
import { MARKETO_RATE_LIMIT } from '../domain/defaults';
import { normaliseSfmcBaseEndpoint } from '../domain/sfmc/base-endpoint';
import { AdobeImsTokenProvider } from '../integrations/adobe-ims/ims-client';
import type { PlatformTokenSource } from '../integrations/adobe-platform/authorizer';
import { DataPrepClient } from '../integrations/data-prep/data-prep-client';
import { FlowServiceClient } from '../integrations/flow-service/flow-service-client';
import type { RemoteApi } from '../integrations/http/errors';
import { RateLimiter } from '../integrations/http/rate-limiter';
import { retryingFetch } from '../integrations/http/retrying-fetch';
import { MarketoClient, marketoBaseUrl, normaliseMarketoCredentials } from '../integrations/marketo';
import { HttpSalesConnectGateway, type SalesConnectGateway } from '../integrations/sales-connect';
import { SfmcClient, sfmcAuthBaseUrl } from '../integrations/sfmc';
import { FirstRunWatcher, RunWatcher } from './run-watcher';
import type { ListConsistency } from './flow-service-lookup';
import { createSpecResolver, type SpecResolver } from './spec-resolver';

/** The remote clients activities use, built lazily so secrets are resolved inside activities only. */
export interface RemoteClients {
  /** How far Experience Platform's lists may lag behind its writes (`adobe.listVisibilityWindow`). */
  consistency: ListConsistency;
  /** Asks Adobe IMS for this worker's access token (the one every Platform call uses). */
  adobeToken(): Promise<string>;
  /** Where cutover's connection and flow specs are in this organisation's catalogue. */
  specs: SpecResolver;
  /** Waits for first runs, many flows per runs list. */
  firstRuns: FirstRunWatcher;
  /** Waits for ingestion windows' runs, many runs per runs list. */
  windowRuns: RunWatcher;
  flowService(sandbox: string): FlowServiceClient;
  dataPrep(sandbox: string): DataPrepClient;
  /** Undefined when the config has no SFMC section. */
  sfmc(): Promise<SfmcClient | undefined>;
  sfmcCredentials(): Promise<{ prefix: string; clientId: string; clientSecret: string } | undefined>;
  /**
   * Undefined when the config has no Marketo section, or no REST credentials
   * (the Marketo Engage card needs none); credentials are normalised (a bad one throws).
   */
  marketo(): Promise<MarketoClient | undefined>;
  marketoCredentials(): Promise<{ munchkinId: string; clientId: string; clientSecret: string } | undefined>;
  /** The HTTP Sales Connect gateway; undefined without a salesConnect section or with the manual adapter. */
  salesConnect(): Promise<SalesConnectGateway | undefined>;
}

/** This process's pace for each rate-limited API, shared by every client and activity of the worker. */
export interface RemoteRateLimits {
  platform: RateLimiter;
  marketo: RateLimiter;
  /** Takes this process's share when `workers` processes poll the task queue. */
  shareAmong(workers: number): void;
}

/**
 * Calls go a little under the limit: answers arrive with jitter, and a
 * server counting at exactly the limit would throttle the early ones.
 */
const PACE_MARGIN = 0.95;

export function remoteRateLimitsFrom(config: CutoverConfig): RemoteRateLimits {
  const { requestsPerSecond, burst } = config.adobe.rateLimit;
  const platform = new RateLimiter({
    requestsPerSecond: requestsPerSecond * PACE_MARGIN,
    burst: burst ?? Math.ceil(requestsPerSecond),
  });
  const marketoLimit = config.marketo?.rateLimit ?? MARKETO_RATE_LIMIT;
  // A steady pace that, with a full burst of `concurrent` calls on top, never passes the window's count.
  const marketo = new RateLimiter({
    requestsPerSecond:
      Math.max(1, marketoLimit.callsPerWindow - marketoLimit.concurrent) / marketoLimit.windowSeconds,
    burst: marketoLimit.concurrent,
    concurrent: marketoLimit.concurrent,
  });
  return {
    platform,
    marketo,
    shareAmong(workers) {
      platform.shareAmong(workers);
      marketo.shareAmong(workers);
    },
  };
}

export interface RemoteClientOptions {
  /** Told about every answer a remote API throttled (429), e.g. to count it in the worker's metrics. */
  onRateLimited?: (api: RemoteApi) => void;
  /** The worker's limiters; a process of its own (the CLI) paces itself at the whole limit. */
  limits?: RemoteRateLimits;
}

export function createRemoteClients(
  config: CutoverConfig,
  secrets: SecretSource,
  options: RemoteClientOptions = {},
): RemoteClients {
  const limits = options.limits ?? remoteRateLimitsFrom(config);
  const fetchFor = (api: RemoteApi) =>
    retryingFetch(fetch, { onRateLimited: () => options.onRateLimited?.(api) });
  let ims: Promise<AdobeImsTokenProvider> | undefined;
  const imsProvider = () =>
    (ims ??= secrets.resolve(config.adobe.clientSecret).then(
      (clientSecret) =>
        new AdobeImsTokenProvider(
          {
            imsUrl: config.adobe.imsUrl,
            clientId: config.adobe.clientId,
            clientSecret,
            scopes: config.adobe.scopes,
          },
          { fetch: fetchFor('adobe-ims') },
        ),
    ));
  // One token for every sandbox and activity of this worker process.
  const tokens: PlatformTokenSource = {
    token: async () => (await imsProvider()).token(),
    invalidate: (rejected) => void ims?.then((provider) => provider.invalidate(rejected)),
  };
  const identity = (sandbox: string) => ({
    orgId: config.adobe.orgId,
    apiKey: config.adobe.clientId,
    sandbox,
  });
  const flowServices = new Map<string, FlowServiceClient>();
  const flowServiceFetch = fetchFor('flow-service');
  const dataPrepFetch = fetchFor('data-prep');

  let sfmc: Promise<SfmcClient | undefined> | undefined;
  let marketo: Promise<MarketoClient | undefined> | undefined;
  let salesConnect: Promise<SalesConnectGateway | undefined> | undefined;
  const marketoCredentials = async () =>
    config.marketo?.clientId && config.marketo.clientSecret
      ? normaliseMarketoCredentials({
          munchkinId: config.marketo.munchkinId,
          clientId: config.marketo.clientId,
          clientSecret: await secrets.resolve(config.marketo.clientSecret),
        })
      : undefined;
  const sfmcCredentials = async () => {
    if (!config.sfmc) return undefined;
    const endpoint = normaliseSfmcBaseEndpoint(config.sfmc.baseEndpoint);
    if (!endpoint.ok) return undefined;
    return {
      prefix: endpoint.prefix,
      clientId: config.sfmc.clientId,
      clientSecret: await secrets.resolve(config.sfmc.clientSecret),
    };
  };

  const flowService = (sandbox: string) => {
    let client = flowServices.get(sandbox);
    if (!client) {
      client = new FlowServiceClient({
        platformUrl: config.adobe.platformUrl,
        identity: identity(sandbox),
        tokens,
        fetch: flowServiceFetch,
        limiter: limits.platform,
      });
      flowServices.set(sandbox, client);
    }
    return client;
  };

  return {
    consistency: { listVisibilityWindowMs: msToNumber(config.adobe.listVisibilityWindow as Duration) },
    firstRuns: new FirstRunWatcher((sandbox, flowIds) => flowService(sandbox).listRunsOfFlows(flowIds)),
    // A flow's windows are ingested one after another: each run is looked for as soon as it is started.
    windowRuns: new RunWatcher(
      { list: (sandbox, runIds) => flowService(sandbox).listRunsById(runIds), keyOf: (run) => run.id },
      { gatherMs: 0, lookAtOnce: true },
    ),
    specs: createSpecResolver(config.adobe.specIds),
    adobeToken: () => tokens.token(),
    flowService,
    dataPrep: (sandbox) =>
      new DataPrepClient({
        platformUrl: config.adobe.platformUrl,
        identity: identity(sandbox),
        tokens,
        fetch: dataPrepFetch,
        limiter: limits.platform,
      }),
    sfmc: () =>
      (sfmc ??= sfmcCredentials().then((credentials) =>
        credentials
          ? new SfmcClient({
              authBaseUrl: config.sfmc?.authBaseUrl ?? sfmcAuthBaseUrl(credentials.prefix),
              clientId: credentials.clientId,
              clientSecret: credentials.clientSecret,
              accountId: config.sfmc?.accountId,
              fetch: fetchFor('sfmc'),
            })
          : undefined,
      )),
    sfmcCredentials,
    marketoCredentials,
    salesConnect: () =>
      (salesConnect ??= (async () => {
        const gateway = config.salesConnect?.gateway;
        if (gateway?.type !== 'http') return undefined;
        return new HttpSalesConnectGateway({
          baseUrl: gateway.baseUrl,
          apiKey: gateway.apiKey ? await secrets.resolve(gateway.apiKey) : undefined,
          fetch: fetchFor('sales-connect'),
        });
      })()),
    marketo: () =>
      (marketo ??= marketoCredentials().then((credentials) =>
        credentials && config.marketo
          ? new MarketoClient({
              baseUrl: config.marketo.baseUrl ?? marketoBaseUrl(credentials.munchkinId),
              clientId: credentials.clientId,
              clientSecret: credentials.clientSecret,
              fetch: fetchFor('marketo'),
              limiter: limits.marketo,
            })
          : undefined,
      )),
  };
}
