import type { PlannedMarketoFlow } from './types';

/** RFC 6902 operation, as the Flow Service PATCH takes it. */
export interface PatchOperation {
  op: 'add' | 'remove' | 'replace';
  path: string;
  value?: unknown;
}

const PARAMS = '/transformations/0/params';

/** A destination dataflow's GeneralTransform params, as far as activation reads them. */
export interface DestinationParams {
  segmentSelectors?: { selectors?: Array<{ value?: { id?: string } }> };
  profileSelectors?: {
    selectors?: Array<{ value?: { mapping?: { source?: string; destination?: string } } }>;
  };
}

/** One profile selector: an XDM path exported to a Marketo field, or to an identity namespace. */
export function profileSelector(
  source: string,
  destination: string,
  identity?: { namespace: string; primary: boolean },
) {
  return {
    type: 'JSON_PATH',
    value: {
      operator: 'EXISTS',
      path: source,
      ...(identity ? { identity: { namespace: identity.namespace } } : {}),
      mapping: {
        sourceType: 'text/x.schema-path',
        source,
        destination,
        identity: Boolean(identity),
        primaryIdentity: identity?.primary ?? false,
        functionVersion: 0,
        sourceAttribute: source,
        destinationXdmPath: destination,
      },
    },
  };
}

/** The identity and attribute selectors a planned V2 dataflow exports, identities first. */
export function plannedProfileSelectors(flow: PlannedMarketoFlow) {
  return [
    ...flow.identities.map((identity) =>
      profileSelector(identity.source, `identityMap.${identity.namespace}`, identity),
    ),
    ...flow.attributes.map((attribute) => profileSelector(attribute.source, attribute.destination)),
  ];
}

/**
 * The JSON-patch that brings a dataflow's selectors up to the plan: only what
 * is missing is added, so applying it after a lost response (or re-reading
 * after a 412) adds nothing twice, and an empty patch means activation is done.
 * Mappings go before audiences, so no audience is ever exported without its identity.
 */
export function activationOperations(
  current: DestinationParams,
  planned: PlannedMarketoFlow,
): PatchOperation[] {
  const mapped = new Set(
    (current.profileSelectors?.selectors ?? []).map(
      (selector) => `${selector.value?.mapping?.source}->${selector.value?.mapping?.destination}`,
    ),
  );
  const active = new Set((current.segmentSelectors?.selectors ?? []).map((selector) => selector.value?.id));
  return [
    ...plannedProfileSelectors(planned)
      .filter(
        (selector) => !mapped.has(`${selector.value.mapping.source}->${selector.value.mapping.destination}`),
      )
      .map((value) => ({ op: 'add' as const, path: `${PARAMS}/profileSelectors/selectors/-`, value })),
    ...planned.audiences
      .filter((audience) => !active.has(audience.id))
      .map((audience) => ({
        op: 'add' as const,
        path: `${PARAMS}/segmentSelectors/selectors/-`,
        value: { type: 'PLATFORM_SEGMENT', value: { id: audience.id, name: audience.name } },
      })),
  ];
}

/** Audiences the plan exports that the dataflow does not (yet) export. */
export function missingAudiences(current: DestinationParams, planned: PlannedMarketoFlow): string[] {
  const active = new Set((current.segmentSelectors?.selectors ?? []).map((selector) => selector.value?.id));
  return planned.audiences.filter((audience) => !active.has(audience.id)).map((audience) => audience.name);
}
