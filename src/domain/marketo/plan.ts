import { MARKETO_TARGET } from '../defaults';
import { baseConnectionsToMigrate } from '../v1-base-connections';
import type {
  DiscoveredMarketoV1Flow,
  MarketoField,
  MarketoMigrationPlan,
  MarketoPlanItem,
  MarketoPlanOptions,
  MarketoTargetCard,
  PlannedMarketoFlow,
} from './types';

/** Activation guardrails (Adobe's destination guardrails page). */
export const GUARDRAILS = {
  audiencesPerDataflow: 250,
  mappedAttributes: 50,
  destinationsPerSandbox: 100,
} as const;

/** V1 could map only these three fields; their V2 (Marketo REST) names. */
const V1_FIELD_TO_MARKETO: Record<string, string> = {
  firstName: 'firstName',
  lastName: 'lastName',
  companyName: 'company',
};

const SUPPORTED_IDENTITIES = ['Email', 'ECID'] as const;

/** Adobe: the Marketo Engage card supports neither Marketo's Lead ID nor ECIDs as its dedupe field. */
const UNSUPPORTED_DEDUPE_FIELDS = ['id', 'leadId', 'ecid'] as const;

/** V1 identity namespaces that are a Marketo Lead ID, however an organisation spelled the namespace. */
const LEAD_ID_NAMESPACE = /^(marketo)?[\s_-]?lead[\s_-]?id$/i;

type Attribute = { source: string; destination: string };
type PlannedIdentity = PlannedMarketoFlow['identities'][number];

/** The target identities a card matches persons on, or why this dataflow offers none it supports. */
type IdentityChoice =
  | { identities: PlannedIdentity[]; attributes: Attribute[] }
  | { reason: 'no-identity' | 'identity-unsupported-by-card'; detail: string };

/**
 * What differs between destination cards is kept here, so another card is one
 * more entry, not a change to the workflow. Sources: Adobe's "(Legacy) (V2)
 * Marketo Engage" and "Marketo Engage connection" pages (docs/simulator.md).
 */
export interface TargetCardRules {
  label: string;
  /** Whether its base connection authenticates with the Marketo LaunchPoint client id and secret. */
  needsMarketoSecret: boolean;
  /** The auth spec its base connection is created with (assumed: the card's API is undocumented). */
  authSpecName: string;
  /** Marketo fields that must be mapped when missing people are created. */
  fieldsForPersonCreation: string[];
  identities(
    flow: DiscoveredMarketoV1Flow,
    attributes: Attribute[],
    options: MarketoPlanOptions,
  ): IdentityChoice;
  /** The card's target-connection params for a planned dataflow (names assumed: the card's API is undocumented). */
  targetParams(flow: PlannedMarketoFlow): Record<string, unknown>;
}

/** V2 matches on Email and ECID; Email is primary wherever V1 maps it, as it matches best. */
function emailOrEcid(flow: DiscoveredMarketoV1Flow, attributes: Attribute[]): IdentityChoice {
  const supported = flow.identities.filter((identity): identity is PlannedIdentity =>
    (SUPPORTED_IDENTITIES as readonly string[]).includes(identity.namespace),
  );
  if (supported.length === 0) {
    return {
      reason: 'no-identity',
      detail:
        'it maps neither an Email nor an ECID identity, and the Marketo destination needs one (Email matches best)',
    };
  }
  const email = supported.findIndex((identity) => identity.namespace === 'Email');
  const primary =
    email >= 0
      ? email
      : Math.max(
          supported.findIndex((identity) => identity.primary),
          0,
        );
  return {
    identities: supported.map((identity, index) => ({ ...identity, primary: index === primary })),
    attributes,
  };
}

/**
 * The Marketo Engage card matches on one `DedupeField`: the XDM path V1
 * exports as Email when the dedupe field is `email` (Email matches best), else
 * the path mapped to the dedupe field. ECID and Lead ID cannot stand in for it.
 */
function dedupeFieldIdentity(
  flow: DiscoveredMarketoV1Flow,
  attributes: Attribute[],
  options: MarketoPlanOptions,
): IdentityChoice {
  const field = options.engage?.dedupeField ?? 'email';
  const source =
    (field === 'email'
      ? flow.identities.find((identity) => identity.namespace === 'Email')?.source
      : undefined) ?? attributes.find((attribute) => attribute.destination === field)?.source;
  if (source) {
    return {
      identities: [{ namespace: 'DedupeField', source, primary: true }],
      // The dedupe identity already writes that field from that path.
      attributes: attributes.filter(
        (attribute) => !(attribute.destination === field && attribute.source === source),
      ),
    };
  }
  const fix = `map ${field === 'email' ? 'an Email identity' : `an XDM field to ${field}`} on V1 or in marketo.additionalAttributes, set marketo.engage.dedupeField to a field this dataflow maps, or keep it on the V2 card (marketo.target: marketoV2)`;
  const unsupported = [
    ...new Set(
      flow.identities
        .filter((identity) => identity.namespace === 'ECID' || LEAD_ID_NAMESPACE.test(identity.namespace))
        .map((identity) => identity.namespace),
    ),
  ];
  if (unsupported.length) {
    return {
      reason: 'identity-unsupported-by-card',
      detail: `the Marketo Engage card matches persons on its dedupe field (marketo.engage.dedupeField: ${field}) and supports neither ECID nor Lead ID as one, but this dataflow's only identity is ${unsupported.join(' and ')}; ${fix}`,
    };
  }
  return {
    reason: 'no-identity',
    detail: `it maps no identity, and the Marketo Engage card needs its dedupe field (marketo.engage.dedupeField: ${field}) mapped; ${fix}`,
  };
}

const V2_PERSON_CREATION = { 'create-missing': 'MATCH_AND_CREATE', 'match-only': 'MATCH_ONLY' } as const;

/** The Marketo Engage card's choices as its UI words them: Adobe documents no API values. */
const ENGAGE_PERSON_ACTION = {
  'create-missing': 'Update existing and create new persons',
  'match-only': 'Update existing persons only',
} as const;

export const TARGET_CARDS: Record<MarketoTargetCard, TargetCardRules> = {
  marketoV2: {
    label: '(Legacy) (V2) Marketo Engage',
    needsMarketoSecret: true,
    authSpecName: 'OAuth2 Client Credential',
    fieldsForPersonCreation: ['firstName', 'lastName'],
    identities: emailOrEcid,
    targetParams: (flow) => ({ personCreation: V2_PERSON_CREATION[flow.personCreation] }),
  },
  marketoEngage: {
    label: 'Marketo Engage',
    // Adobe: the card connects to a Marketo instance of the same Adobe organisation, with no credentials.
    needsMarketoSecret: false,
    authSpecName: 'Same Organization',
    fieldsForPersonCreation: ['firstName', 'lastName', 'email'],
    identities: dedupeFieldIdentity,
    targetParams: (flow) => ({
      munchkinId: flow.engage?.munchkinId,
      workspaceId: flow.engage?.workspaceId,
      // V1 exported audiences with their attributes; only this sync type keeps both.
      syncType: 'Audience and profile',
      ...(flow.engage?.partition ? { partition: flow.engage.partition } : {}),
      dedupeField: flow.engage?.dedupeField,
      personAction: ENGAGE_PERSON_ACTION[flow.personCreation],
    }),
  },
};

function skip(
  v1: DiscoveredMarketoV1Flow,
  reason: Extract<MarketoPlanItem, { action: 'skip' }>['reason'],
  detail: string,
): MarketoPlanItem {
  return { action: 'skip', v1, reason, detail };
}

function planFlow(
  flow: DiscoveredMarketoV1Flow,
  fields: MarketoField[] | undefined,
  options: MarketoPlanOptions,
): MarketoPlanItem {
  const target = options.target ?? MARKETO_TARGET;
  const rules = TARGET_CARDS[target];
  if (flow.targetConnectionMissing) {
    return skip(
      flow,
      'v1-target-connection-missing',
      `its target connection ${flow.targetConnectionId || '(none)'} is gone, so nothing says which destination it exported to (Marketo V1, or another); if it was Marketo, activate its audiences to the V2 destination in the Experience Platform UI; then delete this dataflow`,
    );
  }
  if (flow.baseConnection.missing) {
    return skip(
      flow,
      'v1-base-connection-missing',
      `its Marketo base connection ${flow.baseConnection.id || '(none)'} is gone, so neither the Munchkin ID nor the subscription it exports to can be checked; recreate the V1 base connection (an "account" in the Experience Platform UI) or delete this dataflow`,
    );
  }
  if (flow.state !== 'enabled') {
    return skip(
      flow,
      'v1-disabled',
      `V1 is ${flow.state}, and a V2 replacement would start exporting at once; enable V1 to migrate it, or delete it if it is no longer needed`,
    );
  }
  if (flow.audiences.length === 0) {
    return skip(
      flow,
      'no-audiences',
      'it exports no audience, so a V2 replacement could never prove a first activation; add audiences to V1 or delete it',
    );
  }
  const translated = [
    ...flow.attributes.map((attribute) => ({
      source: attribute.source,
      destination: V1_FIELD_TO_MARKETO[attribute.destination] ?? attribute.destination,
    })),
    ...(options.additionalAttributes ?? []),
  ];
  const choice = rules.identities(flow, translated, options);
  if ('reason' in choice) return skip(flow, choice.reason, choice.detail);
  const { identities, attributes } = choice;
  const engage =
    target === 'marketoEngage' && options.engage
      ? { ...options.engage, munchkinId: options.munchkinId ?? '' }
      : undefined;
  // The Marketo field each identity writes: its namespace on V2, the dedupe field on the Engage card.
  const identityFields = identities.map((identity) => ({
    source: identity.source,
    destination:
      identity.namespace === 'DedupeField'
        ? (options.engage?.dedupeField ?? 'email')
        : identity.namespace.toLowerCase(),
    dedupe: identity.namespace === 'DedupeField',
  }));

  const warnings: string[] = [];
  if (fields) {
    const known = new Set(fields.map((field) => field.restName));
    const unknown = [...attributes, ...identityFields.filter((identity) => identity.dedupe)].filter(
      (attribute) => !known.has(attribute.destination),
    );
    if (unknown.length) {
      return skip(
        flow,
        'unknown-marketo-field',
        `Marketo has no lead field ${unknown.map((attribute) => `"${attribute.destination}"`).join(', ')} (mapped from ${unknown.map((attribute) => attribute.source).join(', ')}); check the field's REST name in Describe Lead`,
      );
    }
  } else {
    warnings.push(
      "the mapped Marketo fields were not checked against Marketo's Describe Lead: add marketo.clientId and clientSecret (a LaunchPoint API user) to have them checked before anything is created",
    );
  }

  const personCreation = options.personCreation ?? 'match-only';
  if (personCreation === 'create-missing') {
    const mapped = new Set([...attributes, ...identityFields].map((attribute) => attribute.destination));
    const missing = rules.fieldsForPersonCreation.filter((field) => !mapped.has(field));
    if (missing.length) {
      return skip(
        flow,
        'person-creation-needs-names',
        `creating missing Marketo people needs ${missing.join(', ')} mapped; map them or use personCreation: match-only`,
      );
    }
  }

  if (flow.audiences.length > GUARDRAILS.audiencesPerDataflow) {
    warnings.push(
      `${flow.audiences.length} audiences exceed the recommended ${GUARDRAILS.audiencesPerDataflow} per dataflow`,
    );
  }
  if (attributes.length > GUARDRAILS.mappedAttributes) {
    warnings.push(
      `${attributes.length} mapped attributes exceed the recommended ${GUARDRAILS.mappedAttributes}`,
    );
  }
  if (flow.audiences.some((audience) => audience.mappingId)) {
    warnings.push(
      `the V1 mapping IDs (Marketo static lists ${flow.audiences.flatMap((audience) => audience.mappingId ?? []).join(', ')}) are dropped: ${rules.label} does not use them`,
    );
  }
  return {
    action: 'migrate',
    v1: flow,
    v2: {
      target,
      audiences: flow.audiences.map(({ id, name }) => ({ id, name })),
      identities,
      attributes,
      personCreation,
      ...(engage ? { engage } : {}),
    },
    warnings,
  };
}

/**
 * A V1 base connection on another Marketo subscription than the config's:
 * approving would move its audiences to a different Marketo instance.
 */
function subscriptionBlockers(items: MarketoPlanItem[], munchkinId: string | undefined): string[] {
  if (!munchkinId) return [];
  return baseConnectionsToMigrate(items)
    .filter((connection) => connection.munchkinId !== undefined && connection.munchkinId !== munchkinId)
    .map(
      (connection) =>
        `V1 base connection "${connection.name}" (${connection.id}) exports to Marketo ${connection.munchkinId}, but marketo.munchkinId is ${munchkinId}: V2 would move its audiences to another Marketo subscription. Set marketo.munchkinId, clientId and clientSecret to subscription ${connection.munchkinId}, or migrate this sandbox with a config for that subscription.`,
    );
}

/** Destination details the Marketo Engage card cannot work with: nothing it exports could match a person. */
function engageBlockers(options: MarketoPlanOptions): string[] {
  if (options.target !== 'marketoEngage') return [];
  if (!options.engage)
    return [
      'The Marketo Engage card needs its destination details: set marketo.engage.workspaceId (and optionally partition, and dedupeField, email by default).',
    ];
  const field = options.engage.dedupeField;
  return UNSUPPORTED_DEDUPE_FIELDS.some((unsupported) => unsupported.toLowerCase() === field.toLowerCase())
    ? [
        `marketo.engage.dedupeField is ${field}, but the Marketo Engage card supports neither Lead ID nor ECID for deduplication; choose a searchable Marketo field such as email.`,
      ]
    : [];
}

/**
 * Pure: the replacement of every Marketo V1 destination dataflow of a sandbox,
 * or why there is none. `fields` is Describe Lead's answer, undefined when
 * cutover has no Marketo REST credentials to read it with.
 */
export function planMarketoMigration(
  sandbox: string,
  flows: DiscoveredMarketoV1Flow[],
  fields: MarketoField[] | undefined,
  options: MarketoPlanOptions,
): MarketoMigrationPlan {
  const items = flows.map((flow) => planFlow(flow, fields, options));
  // V2 dataflows exist next to V1 until V1 is deleted, so they count against the hard limit.
  const adding = items.filter((item) => item.action === 'migrate').length;
  const blockers = [
    ...(options.existingDestinationsInSandbox + adding > GUARDRAILS.destinationsPerSandbox
      ? [
          `${sandbox} has ${options.existingDestinationsInSandbox} destination dataflows; adding ${adding} V2 ones would exceed Adobe's limit of ${GUARDRAILS.destinationsPerSandbox} per sandbox. Migrate in smaller batches or remove unused destinations first.`,
        ]
      : []),
    ...subscriptionBlockers(items, options.munchkinId),
    ...engageBlockers(options),
  ];
  return { sandbox, items, blockers };
}
