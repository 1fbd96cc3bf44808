import { ApplicationFailure } from '@temporalio/common';
import type { DiscoveredMarketoV1Flow, MarketoField } from '../domain/marketo/types';
import { CONNECTION_SPECS } from '../integrations/flow-service/catalog';
import { where } from '../integrations/flow-service/property-filter';
import type { Flow } from '../integrations/flow-service/schemas';
import { MarketoCredentialError } from '../integrations/marketo';
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

/** Reads audiences, identities and attributes out of a destination dataflow's GeneralTransform. */
export function readDestinationFlow(flow: Flow, sandbox: string): DiscoveredMarketoV1Flow {
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

/** Discovery and preflight for the Marketo destination V1 -> V2 migration. */
export function createMarketoMigrationActivities({ clients }: { clients: RemoteClients }) {
  return withRemoteFailures({
    /** Proves the Marketo credentials (trimmed, no inner spaces, valid Munchkin ID) by requesting a token. */
    async verifyMarketoCredentials(): Promise<{ apiUser: string }> {
      let marketo;
      try {
        marketo = await clients.marketo();
      } catch (error) {
        if (error instanceof MarketoCredentialError) {
          throw ApplicationFailure.nonRetryable(
            `marketo.${error.field}: ${error.message}`,
            'MarketoCredentialsInvalid',
          );
        }
        throw error;
      }
      if (!marketo)
        throw ApplicationFailure.nonRetryable(
          'The config has no marketo section',
          'MarketoCredentialsMissing',
        );
      return marketo.verifyCredentials();
    },

    /** Marketo V1 destination dataflows of a sandbox, the lead fields V2 can map to, and the destination count. */
    async discoverMarketoSandbox(input: { sandbox: string }): Promise<{
      flows: DiscoveredMarketoV1Flow[];
      fields: MarketoField[];
      existingDestinationsInSandbox: number;
    }> {
      const flowService = clients.flowService(input.sandbox);
      const v1Spec = await flowService.findConnectionSpecByName(CONNECTION_SPECS.marketoV1.name);
      const flows: DiscoveredMarketoV1Flow[] = [];
      if (v1Spec) {
        for await (const flow of flowService.flows.list([
          where('inheritedAttributes.targetConnections[].connectionSpec.id', '==', v1Spec.id),
        ])) {
          flows.push(readDestinationFlow(flow, input.sandbox));
          heartbeat(flows.length);
        }
      }
      let existingDestinationsInSandbox = 0;
      for await (const _flow of flowService.flows.list([
        where('inheritedAttributes.properties.isDestinationFlow', '==', true),
      ])) {
        existingDestinationsInSandbox += 1;
      }
      const marketo = await clients.marketo();
      const fields = marketo
        ? (await marketo.describeLeadFields()).flatMap((field) =>
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
          )
        : [];
      return { flows, fields, existingDestinationsInSandbox };
    },
  });
}
