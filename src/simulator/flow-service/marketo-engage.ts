import type { SimResponse } from '../core/router';
import { badRequest } from './errors';
import type { SandboxData, StoredRecord } from './records';
import { CONNECTION_SPECS, TARGET_PARAM_SPECS, type ConnectionSpecKey } from './spec-catalog';

/**
 * The new Marketo Engage card's own contract (Adobe's "Marketo Engage
 * connection" page), so a client that sends it V2's shape is refused as
 * Adobe's UI would never let it through: V2's `personCreation`, a Lead ID or
 * ECID dedupe field, or Email/ECID target identities instead of `DedupeField`.
 */

/** Adobe: Marketo's Lead ID and ECIDs are not supported for deduplication. */
const UNSUPPORTED_DEDUPE = ['id', 'leadid', 'ecid'];

/** Partition and person action apply only when profiles are synced (Adobe: "Audience only" has neither). */
const PROFILE_SYNC_TYPES = ['Audience and profile', 'Profile only'];

function targetParamsProblem(params: Record<string, unknown>): string | undefined {
  const spec = TARGET_PARAM_SPECS.marketoEngage!;
  const known = [...spec.required, ...spec.optional];
  const unknown = Object.keys(params).filter((field) => !known.includes(field));
  if (unknown.length)
    return `params.${unknown.join(', params.')} ${unknown.length > 1 ? 'are' : 'is'} not a parameter of the Marketo Engage destination; expected ${known.join(', ')}`;
  const missing = spec.required.filter((field) => typeof params[field] !== 'string' || params[field] === '');
  if (missing.length) return `params is missing ${missing.join(', ')}`;
  for (const [field, values] of Object.entries(spec.values)) {
    if (params[field] !== undefined && !values.includes(params[field] as string))
      return `params.${field} must be one of: ${values.join(', ')}`;
  }
  const profileSync = PROFILE_SYNC_TYPES.includes(params.syncType as string);
  if (profileSync && params.personAction === undefined)
    return `params.personAction is required for syncType ${String(params.syncType)}`;
  if (!profileSync && (params.personAction !== undefined || params.partition !== undefined))
    return 'params.personAction and params.partition apply only to the Profile only and Audience and profile sync types';
  if (UNSUPPORTED_DEDUPE.includes(String(params.dedupeField).toLowerCase()))
    return `params.dedupeField ${String(params.dedupeField)} cannot be used: Marketo Lead ID and ECID are not supported for deduplication`;
  return undefined;
}

/** A 400 for a target connection on the Marketo Engage card whose params are not the card's. */
export function refuseMarketoEngageTargetParams(
  key: ConnectionSpecKey,
  params: Record<string, unknown> | undefined,
  collection: string,
): SimResponse | undefined {
  if (key !== 'marketoEngage') return undefined;
  const problem = targetParamsProblem(params ?? {});
  return problem ? badRequest(problem, collection) : undefined;
}

interface IdentitySelector {
  value?: {
    identity?: { namespace?: string };
    mapping?: { identity?: boolean; destination?: string };
  };
}

/**
 * A 400 for a dataflow to the Marketo Engage card that exports an identity
 * other than its one target identity, `DedupeField`.
 */
export function refuseMarketoEngageIdentities(
  flow: StoredRecord,
  sandbox: SandboxData,
): SimResponse | undefined {
  const toEngage = ((flow.targetConnectionIds as string[] | undefined) ?? []).some(
    (id) =>
      (sandbox.targetConnections[id]?.connectionSpec as { id?: string } | undefined)?.id ===
      CONNECTION_SPECS.marketoEngage.id,
  );
  if (!toEngage) return undefined;
  const transformations = (flow.transformations as Array<{ params?: Record<string, unknown> }>) ?? [];
  const selectors =
    (transformations[0]?.params?.profileSelectors as { selectors?: IdentitySelector[] } | undefined)
      ?.selectors ?? [];
  const wrong = selectors
    .filter((selector) => selector.value?.identity?.namespace || selector.value?.mapping?.identity)
    .map((selector) => selector.value?.identity?.namespace ?? selector.value?.mapping?.destination ?? '?')
    .filter((namespace) => namespace !== 'DedupeField');
  return wrong.length
    ? badRequest(
        `The Marketo Engage destination's only target identity is DedupeField; ${[...new Set(wrong)].join(', ')} cannot be mapped as an identity`,
        'flows',
      )
    : undefined;
}
