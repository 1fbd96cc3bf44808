import { ApplicationFailure } from '@temporalio/common';
import { activationOperations, missingAudiences, type DestinationParams } from '../domain/marketo/activation';
import {
  missingPermissionMessage,
  PERMISSIONS_FOR_STEP,
  type DestinationStep,
} from '../domain/marketo/permissions';
import { TARGET_CARDS } from '../domain/marketo/plan';
import type {
  DiscoveredMarketoV1Flow,
  MarketoField,
  MarketoTargetCard,
  PlannedMarketoFlow,
} from '../domain/marketo/types';
import { cutoverTag, marketoCardLabel, marketoV2Names, v2Name } from '../domain/naming';
import type { FlowServiceClient } from '../integrations/flow-service/flow-service-client';
import { where } from '../integrations/flow-service/property-filter';
import type { Flow } from '../integrations/flow-service/schemas';
import { namedPermission, UNKNOWN_SANDBOX_CODE } from '../integrations/adobe-platform/errors';
import { RemoteApiError } from '../integrations/http/errors';
import { MarketoCredentialError } from '../integrations/marketo';
import {
  deleteByNames,
  findOrCreateByName,
  runOutcome,
  type EnsuredObject,
  type NamedObject,
} from './flow-service-lookup';
import { firstRunOf, type WatchSlice } from './run-watcher';
import { heartbeat } from './heartbeat';
import type { RemoteClients } from './remote-clients';
import { withRemoteFailures } from './remote-failure';

interface ProfileSelector {
  value?: {
    identity?: { namespace?: string };
    mapping?: { source?: string; destination?: string; identity?: boolean; primaryIdentity?: boolean };
    path?: string;
  };
}

interface SegmentSelector {
  value?: { id?: string; name?: string; mappingId?: string };
}

/** Marks a V2 dataflow cutover made in place of a V1 one. */
const V2_TAG = /cutover:marketo:[\w-]+/;

/** A destination dataflow whose target connection is gone: its inherited attributes name no spec for it. */
function targetIsGone(flow: Flow): boolean {
  const targets = (flow.inheritedAttributes?.targetConnections ?? []) as Array<{
    connectionSpec?: { id?: string };
  }>;
  return targets.length === 0 || targets.every((target) => target.connectionSpec?.id === undefined);
}

/** Reads audiences, identities and attributes out of a destination dataflow's GeneralTransform. */
export function readDestinationFlow(
  flow: Flow,
  sandbox: string,
  baseConnection: { id: string; name: string },
): DiscoveredMarketoV1Flow {
  const params = (flow.transformations[0]?.params ?? {}) as {
    segmentSelectors?: { selectors?: SegmentSelector[] };
    profileSelectors?: { selectors?: ProfileSelector[] };
  };
  const profile = params.profileSelectors?.selectors ?? [];
  const isIdentity = (selector: ProfileSelector) =>
    Boolean(selector.value?.identity?.namespace || selector.value?.mapping?.identity);
  return {
    sandbox,
    flowId: flow.id,
    name: flow.name,
    state: flow.state,
    sourceConnectionId: flow.sourceConnectionIds[0] ?? '',
    targetConnectionId: flow.targetConnectionIds[0] ?? '',
    baseConnection,
    ...(flow.lastRunDetails?.state ? { lastRunState: flow.lastRunDetails.state } : {}),
    audiences: (params.segmentSelectors?.selectors ?? []).flatMap((selector) =>
      selector.value?.id
        ? [
            {
              id: selector.value.id,
              name: selector.value.name ?? selector.value.id,
              ...(selector.value.mappingId ? { mappingId: selector.value.mappingId } : {}),
            },
          ]
        : [],
    ),
    identities: profile.filter(isIdentity).map((selector) => ({
      namespace:
        selector.value?.identity?.namespace ??
        selector.value?.mapping?.destination?.replace(/^identityMap\./, '') ??
        'unknown',
      source: selector.value?.mapping?.source ?? selector.value?.path ?? '',
      primary: Boolean(selector.value?.mapping?.primaryIdentity),
    })),
    attributes: profile
      .filter((selector) => !isIdentity(selector))
      .flatMap((selector) =>
        selector.value?.mapping?.destination
          ? [
              {
                source: selector.value.mapping.source ?? selector.value.path ?? '',
                destination: selector.value.mapping.destination,
              },
            ]
          : [],
      ),
  };
}

export type ActivationOutcome =
  | { state: 'pending'; detail: string }
  | { state: 'success'; runId: string; records: number }
  | { state: 'failed'; detail: string };

/** How often an activation PATCH re-reads the dataflow after a 412 before leaving it to Temporal's retry. */
const STALE_ETAG_ATTEMPTS = 3;

/** Turns a 403 from Experience Platform into a non-retryable failure naming the permissions the step needs. */
async function naming403<T>(step: DestinationStep, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (
      error instanceof RemoteApiError &&
      error.kind === 'forbidden' &&
      error.api === 'flow-service' &&
      error.remoteCode !== UNKNOWN_SANDBOX_CODE
    ) {
      // Where Adobe's answer names the refused permission, say it too: it is more exact than the step's list.
      const named = namedPermission(error.remoteCode, error.remoteMessage);
      throw ApplicationFailure.nonRetryable(
        `${missingPermissionMessage(step, error.endpoint)}${named ? ` Experience Platform named the refused permission: "${named.permission}"${named.resource ? ` on ${named.resource}` : ''}.` : ''}`,
        'PermissionMissing',
        { step, permissions: PERMISSIONS_FOR_STEP[step], ...(named ? { named: named.permission } : {}) },
      );
    }
    throw error;
  }
}

interface V2FlowRef {
  sandbox: string;
  v1: Pick<DiscoveredMarketoV1Flow, 'flowId' | 'name'>;
  target: MarketoTargetCard;
}

/**
 * The Marketo destination V1 -> V2 steps. Creates find what an earlier
 * attempt made by its deterministic name, and activation adds only what is
 * missing, so any step can be retried after a lost response.
 */
export function createMarketoMigrationActivities({ clients }: { clients: RemoteClients }) {
  const marketoSpec = (flowService: FlowServiceClient, target: MarketoTargetCard) =>
    clients.specs.id(flowService, target);

  /** What `get` gives (undefined without Marketo REST credentials), or a non-retryable failure naming the config field that is wrong. */
  async function fromMarketoConfig<T>(get: () => Promise<T | undefined>): Promise<T | undefined> {
    try {
      return await get();
    } catch (error) {
      if (error instanceof MarketoCredentialError) {
        throw ApplicationFailure.nonRetryable(
          `marketo.${error.field}: ${error.message}`,
          'MarketoCredentialsInvalid',
        );
      }
      throw error;
    }
  }
  async function required<T>(value: Promise<T | undefined>): Promise<T> {
    const present = await value;
    if (!present)
      throw ApplicationFailure.nonRetryable(
        'The config has no marketo section with clientId and clientSecret',
        'MarketoCredentialsMissing',
      );
    return present;
  }
  const marketoClient = () => fromMarketoConfig(() => clients.marketo());
  const marketoCredentials = () => required(fromMarketoConfig(() => clients.marketoCredentials()));

  return withRemoteFailures({
    /**
     * Proves the Marketo credentials (trimmed, no inner spaces, valid Munchkin ID) by requesting a token;
     * `verified: false` when there are none, which only the Marketo Engage card allows.
     */
    async verifyMarketoCredentials(): Promise<{ verified: boolean }> {
      const client = await marketoClient();
      // The API user's e-mail is personal data no step needs: it stays out of history.
      await client?.verifyCredentials();
      return { verified: Boolean(client) };
    },

    /**
     * Marketo V1 destination dataflows of a sandbox, the lead fields V2 can map to (none read
     * without Marketo REST credentials), and the destination count.
     */
    async discoverMarketoSandbox(input: { sandbox: string }): Promise<{
      flows: DiscoveredMarketoV1Flow[];
      fields?: MarketoField[];
      existingDestinationsInSandbox: number;
    }> {
      const flowService = clients.flowService(input.sandbox);
      const flows: DiscoveredMarketoV1Flow[] = [];
      let existingDestinationsInSandbox = 0;
      await naming403('discover', async () => {
        const v1SpecId = await clients.specs.id(flowService, 'marketoV1');
        const bases = new Map<string, DiscoveredMarketoV1Flow['baseConnection']>();
        for await (const flow of flowService.flows.list([
          where('inheritedAttributes.targetConnections[].connectionSpec.id', '==', v1SpecId),
        ])) {
          const target = (
            flow.inheritedAttributes as { targetConnections?: Array<{ baseConnection?: { id?: string } }> }
          )?.targetConnections?.[0];
          const baseId = target?.baseConnection?.id ?? '';
          if (baseId && !bases.has(baseId)) {
            const base = await flowService.connections.get(baseId);
            const munchkinId = base?.auth?.params?.munchkinId;
            bases.set(baseId, {
              id: baseId,
              name: base?.name ?? baseId,
              ...(typeof munchkinId === 'string' ? { munchkinId: munchkinId.trim().toUpperCase() } : {}),
              ...(base ? {} : { missing: true }),
            });
          }
          flows.push(
            readDestinationFlow(
              flow,
              input.sandbox,
              bases.get(baseId) ?? { id: '', name: '', missing: true },
            ),
          );
          heartbeat(flows.length);
        }
        const found = new Set(flows.map((flow) => flow.flowId));
        for await (const flow of flowService.flows.list([
          where('inheritedAttributes.properties.isDestinationFlow', '==', true),
        ])) {
          existingDestinationsInSandbox += 1;
          // One whose target connection is gone never matches the V1 filter above; it is listed anyway.
          if (!found.has(flow.id) && !V2_TAG.test(flow.description ?? '') && targetIsGone(flow))
            flows.push({
              ...readDestinationFlow(flow, input.sandbox, { id: '', name: '' }),
              targetConnectionMissing: true,
            });
        }
      });
      const marketo = await marketoClient();
      if (!marketo) return { flows, existingDestinationsInSandbox };
      const fields = (await marketo.describeLeadFields()).flatMap((field) =>
        field.rest
          ? [
              {
                restName: field.rest.name,
                displayName: field.displayName,
                dataType: field.dataType,
                readOnly: field.rest.readOnly,
              },
            ]
          : [],
      );
      return { flows, fields, existingDestinationsInSandbox };
    },

    /**
     * One V2 base connection per V1 one: with the configured Marketo credentials for V2, with none for the
     * Marketo Engage card (it reaches Marketo through the Adobe organisation).
     */
    async ensureMarketoBaseConnection(input: {
      sandbox: string;
      target: MarketoTargetCard;
      v1BaseConnection: { id: string; name: string };
    }): Promise<EnsuredObject & { name: string }> {
      const flowService = clients.flowService(input.sandbox);
      const name = v2Name(
        input.v1BaseConnection.name || 'Marketo Engage',
        input.v1BaseConnection.id,
        marketoCardLabel(input.target),
      );
      const ensured = await naming403('connect', () =>
        findOrCreateByName(
          flowService,
          'connections',
          name,
          async () => {
            const card = TARGET_CARDS[input.target];
            return flowService.connections.create({
              name,
              description: `Replaces V1 connection ${input.v1BaseConnection.id} [${cutoverTag('marketo-base', input.v1BaseConnection.id)}]`,
              auth: {
                specName: card.authSpecName,
                params: card.needsMarketoSecret ? await marketoCredentials() : {},
              },
              connectionSpec: { id: await marketoSpec(flowService, input.target), version: '1.0' },
            });
          },
          clients.consistency,
        ),
      );
      return { ...ensured, name };
    },

    async ensureMarketoTargetConnection(
      input: V2FlowRef & { v2: PlannedMarketoFlow; baseConnectionId: string },
    ): Promise<EnsuredObject> {
      const flowService = clients.flowService(input.sandbox);
      const name = marketoV2Names(input.v1, input.v2.target).targetConnection;
      return naming403('connect', () =>
        findOrCreateByName(
          flowService,
          'targetConnections',
          name,
          async () =>
            flowService.targetConnections.create({
              name,
              description: `[${cutoverTag('marketo', input.v1.flowId)}]`,
              baseConnectionId: input.baseConnectionId,
              connectionSpec: { id: await marketoSpec(flowService, input.v2.target), version: '1.0' },
              data: { format: 'json' },
              params: TARGET_CARDS[input.v2.target].targetParams(input.v2),
            }),
          clients.consistency,
        ),
      );
    },

    /** The V2 dataflow, created with no audience: activation is a separate, idempotent PATCH. */
    async ensureMarketoV2Flow(
      input: V2FlowRef & { sourceConnectionId: string; targetConnectionId: string },
    ): Promise<EnsuredObject> {
      const flowService = clients.flowService(input.sandbox);
      const name = marketoV2Names(input.v1, input.target).flow;
      return naming403('connect', () =>
        findOrCreateByName(
          flowService,
          'flows',
          name,
          async () =>
            flowService.flows.create({
              name,
              description: `Replaces V1 dataflow ${input.v1.flowId} [${cutoverTag('marketo', input.v1.flowId)}]`,
              flowSpec: {
                id: await clients.specs.id(flowService, 'profileToDestination'),
                version: '1.0',
              },
              sourceConnectionIds: [input.sourceConnectionId],
              targetConnectionIds: [input.targetConnectionId],
              transformations: [
                {
                  name: 'GeneralTransform',
                  params: { profileSelectors: { selectors: [] }, segmentSelectors: { selectors: [] } },
                },
              ],
            }),
          clients.consistency,
        ),
      );
    },

    /**
     * Adds the planned identities, attributes and audiences the dataflow lacks,
     * with If-Match; a 412 (someone else changed it) re-reads and recomputes.
     */
    async activateMarketoV2Flow(input: {
      sandbox: string;
      flowId: string;
      v2: PlannedMarketoFlow;
    }): Promise<{ added: number }> {
      const flowService = clients.flowService(input.sandbox);
      return naming403('activate', async () => {
        for (let attempt = 1; ; attempt += 1) {
          const flow = await flowService.flows.get(input.flowId);
          if (!flow)
            throw ApplicationFailure.nonRetryable(
              `V2 dataflow ${input.flowId} no longer exists`,
              'FlowNotFound',
            );
          const operations = activationOperations(paramsOf(flow), input.v2);
          if (operations.length === 0) return { added: 0 };
          if (!flow.etag)
            throw ApplicationFailure.nonRetryable(
              `V2 dataflow ${input.flowId} came back without an etag, so it cannot be updated safely`,
              'EtagMissing',
            );
          try {
            await flowService.flows.update(input.flowId, flow.etag, operations);
            return { added: operations.length };
          } catch (error) {
            const stale = error instanceof RemoteApiError && error.kind === 'precondition-failed';
            if (!stale || attempt >= STALE_ETAG_ATTEMPTS) throw stale ? retryableStaleEtag(error) : error;
          }
        }
      });
    },

    /** Whether the V2 dataflow is live: enabled, exporting every planned audience, first activation run done. */
    async marketoActivationOutcome(input: {
      sandbox: string;
      flowId: string;
      v2: PlannedMarketoFlow;
      /** Wait for the first run, one slice, with every other flow this worker waits on. */
      watch?: WatchSlice;
    }): Promise<ActivationOutcome> {
      const flowService = clients.flowService(input.sandbox);
      const flow = await flowService.flows.get(input.flowId);
      if (!flow) return { state: 'failed', detail: `V2 dataflow ${input.flowId} no longer exists` };
      if (flow.state !== 'enabled') return { state: 'failed', detail: `V2 dataflow is ${flow.state}` };
      const missing = missingAudiences(paramsOf(flow), input.v2);
      if (missing.length) return { state: 'failed', detail: `V2 does not export ${missing.join(', ')}` };
      const first = await firstRunOf(clients, input);
      if (!first) return { state: 'pending', detail: 'no activation run yet' };
      const outcome = runOutcome(first);
      if (outcome.state === 'pending') return { state: 'pending', detail: `run ${first.id} in progress` };
      if (outcome.state === 'failed')
        return {
          state: 'failed',
          detail: `the first activation run ${outcome.runId} failed: ${outcome.errors.join('; ') || 'no details'}`,
        };
      return { state: 'success', runId: outcome.runId, records: outcome.inputRecordCount };
    },

    /**
     * Removes the V2 dataflow and target connection made for one V1 dataflow:
     * the ones the saga knows, then any other with their names (waiting for
     * lists to show an unanswered create first); flow first.
     */
    async removeMarketoV2Objects(input: MarketoV2ObjectsInput): Promise<string[]> {
      return removeOrReconcile(input, false);
    },

    /** After a create was retried: deletes every twin of the V2 objects the saga uses, so no audience is exported twice. */
    async reconcileMarketoV2Objects(input: MarketoV2ObjectsInput): Promise<string[]> {
      return removeOrReconcile(input, true);
    },
  });

  function removeOrReconcile(input: MarketoV2ObjectsInput, keep: boolean): Promise<string[]> {
    const names = marketoV2Names(input.v1, input.target);
    const objects: NamedObject[] = [
      { collection: 'flows', name: names.flow, id: input.known?.flowId },
      { collection: 'targetConnections', name: names.targetConnection, id: input.known?.targetConnectionId },
    ];
    return deleteByNames(clients.flowService(input.sandbox), objects, clients.consistency, {
      keep,
      ...(input.uncertainSince !== undefined ? { uncertainSince: input.uncertainSince } : {}),
    });
  }
}

/** The V2 objects of one Marketo V1 dataflow, for a removal or a reconcile. */
export interface MarketoV2ObjectsInput extends V2FlowRef {
  known?: { flowId?: string; targetConnectionId?: string };
  /** When a create may have gone unanswered (epoch ms): lookups by name wait for lists to show it. */
  uncertainSince?: number;
}

function paramsOf(flow: Flow): DestinationParams {
  return (flow.transformations[0]?.params ?? {}) as DestinationParams;
}

function retryableStaleEtag(error: RemoteApiError): ApplicationFailure {
  return ApplicationFailure.retryable(
    `${error.message} (the V2 dataflow kept changing while audiences were being added; retrying)`,
    'StaleEtag',
  );
}

export type MarketoMigrationActivities = ReturnType<typeof createMarketoMigrationActivities>;
