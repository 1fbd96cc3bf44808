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

/**
 * What differs between destination cards is kept here, so another card (the
 * newer "Marketo Engage") is one more entry, not a change to the workflow.
 */
export interface TargetCardRules {
  label: string;
  /** Marketo fields that must be mapped when missing people are created. */
  fieldsForPersonCreation: string[];
  /** The card's target-connection params for a planned dataflow (names assumed: the card's API is undocumented). */
  targetParams(flow: PlannedMarketoFlow, account: { munchkinId: string }): Record<string, unknown>;
}

export const TARGET_CARDS: Record<MarketoTargetCard, TargetCardRules> = {
  marketoV2: {
    label: '(Legacy) (V2) Marketo Engage',
    fieldsForPersonCreation: ['firstName', 'lastName'],
    targetParams: (flow) => ({
      personCreation: flow.personCreation === 'create-missing' ? 'MATCH_AND_CREATE' : 'MATCH_ONLY',
    }),
  },
  marketoEngage: {
    label: 'Marketo Engage',
    fieldsForPersonCreation: ['firstName', 'lastName', 'email'],
    targetParams: (flow, account) => ({
      munchkinId: account.munchkinId,
      syncType: 'Audience and profile',
      personAction:
        flow.personCreation === 'create-missing'
          ? 'Update existing and create new persons'
          : 'Update existing persons only',
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
  fields: MarketoField[],
  options: MarketoPlanOptions,
): MarketoPlanItem {
  const target = options.target ?? 'marketoV2';
  const rules = TARGET_CARDS[target];
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
  const identities = flow.identities.filter(
    (identity): identity is PlannedMarketoFlow['identities'][number] =>
      (SUPPORTED_IDENTITIES as readonly string[]).includes(identity.namespace),
  );
  if (identities.length === 0) {
    return skip(
      flow,
      'no-identity',
      'it maps neither an Email nor an ECID identity, and the Marketo destination needs one (Email matches best)',
    );
  }
  if (!identities.some((identity) => identity.primary)) identities[0] = { ...identities[0]!, primary: true };

  const attributes = [
    ...flow.attributes.map((attribute) => ({
      source: attribute.source,
      destination: V1_FIELD_TO_MARKETO[attribute.destination] ?? attribute.destination,
    })),
    ...(options.additionalAttributes ?? []),
  ];
  const known = new Set(fields.map((field) => field.restName));
  const unknown = attributes.filter((attribute) => !known.has(attribute.destination));
  if (unknown.length) {
    return skip(
      flow,
      'unknown-marketo-field',
      `Marketo has no lead field ${unknown.map((attribute) => `"${attribute.destination}"`).join(', ')} (mapped from ${unknown.map((attribute) => attribute.source).join(', ')}); check the field's REST name in Describe Lead`,
    );
  }

  const personCreation = options.personCreation ?? 'match-only';
  if (personCreation === 'create-missing') {
    const mapped = new Set([
      ...attributes.map((attribute) => attribute.destination),
      ...identities.map((identity) => identity.namespace.toLowerCase()),
    ]);
    const missing = rules.fieldsForPersonCreation.filter((field) => !mapped.has(field));
    if (missing.length) {
      return skip(
        flow,
        'person-creation-needs-names',
        `creating missing Marketo people needs ${missing.join(', ')} mapped; map them or use personCreation: match-only`,
      );
    }
  }

  const warnings: string[] = [];
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

/** Pure: the replacement of every Marketo V1 destination dataflow of a sandbox, or why there is none. */
export function planMarketoMigration(
  sandbox: string,
  flows: DiscoveredMarketoV1Flow[],
  fields: MarketoField[],
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
  ];
  return { sandbox, items, blockers };
}
