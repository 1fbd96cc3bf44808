import type { SimRequest } from '../core/router';
import type { SandboxData } from './records';
import { FLOW_SPECS, isDestinationConnectionSpec } from './spec-catalog';

const BASE = '/platform/data/foundation/flowservice';
const MANAGE = ['Manage Destinations'];
/** Adobe's access-control docs list these three for activating audiences to a destination. */
const ACTIVATE = ['Activate Destinations', 'View Profiles', 'View Segments'];

function specIdOf(value: unknown): string | undefined {
  return (value as { id?: string } | undefined)?.id;
}

/** The stored collections a read permission guards; the catalogue (specs) is readable by every credential. */
const STORED = new Set(['connections', 'sourceConnections', 'targetConnections', 'flows', 'runs']);

/**
 * Reads need View Sources, or View Destinations for what a destination owns
 * (a filter on destination attributes, or a destination object by id). Ours:
 * Adobe's access-control page lists the permissions, not which call checks which.
 */
function readPermissionsFor(request: SimRequest, sandbox: SandboxData | undefined): string[] {
  const [collection, id] = request.path.slice(BASE.length + 1).split('/');
  if (!collection || !STORED.has(collection)) return [];
  const query = [...request.query.values()].join('&');
  const stored =
    sandbox && collection !== 'runs'
      ? (sandbox[collection as 'flows'] as Record<string, { flowSpec?: unknown; connectionSpec?: unknown }>)
      : undefined;
  const record = id && stored && Object.hasOwn(stored, id) ? stored[id] : undefined;
  const destination =
    /isDestinationFlow|targetConnections\[\]\.connectionSpec/.test(query) ||
    specIdOf(record?.flowSpec) === FLOW_SPECS.profileToDestination.id ||
    isDestinationConnectionSpec(specIdOf(record?.connectionSpec));
  return [destination ? 'View Destinations' : 'View Sources'];
}

/**
 * The access-control permissions a Flow Service call needs: reads as below, and the writes on a destination.
 * Source-side writes are not modelled: the simulator's organisations are
 * granted every source write permission.
 */
export function permissionsFor(request: SimRequest, sandbox: SandboxData | undefined): string[] {
  if (request.method === 'GET') return readPermissionsFor(request, sandbox);
  const [collection, id, action] = request.path.slice(BASE.length + 1).split('/');
  const body = request.body as Record<string, unknown> | undefined;
  if (request.method === 'POST' && !id) {
    if (collection === 'flows')
      return specIdOf(body?.flowSpec) === FLOW_SPECS.profileToDestination.id ? MANAGE : [];
    if (collection === 'connections' || collection === 'targetConnections')
      return isDestinationConnectionSpec(specIdOf(body?.connectionSpec)) ? MANAGE : [];
    return [];
  }
  if (!sandbox || !id || !['PATCH', 'DELETE', 'POST'].includes(request.method)) return [];
  if (collection === 'flows') {
    const flow = Object.hasOwn(sandbox.flows, id) ? sandbox.flows[id] : undefined;
    if (specIdOf(flow?.flowSpec) !== FLOW_SPECS.profileToDestination.id) return [];
    if (request.method === 'POST') return action === 'action' ? MANAGE : [];
    const operations = Array.isArray(body) ? (body as Array<{ path?: string }>) : [];
    const activates = operations.some((operation) => operation.path?.includes('/segmentSelectors'));
    return request.method === 'PATCH' && activates ? ACTIVATE : MANAGE;
  }
  if (request.method === 'DELETE' && (collection === 'connections' || collection === 'targetConnections')) {
    const record = sandbox[collection][id];
    return isDestinationConnectionSpec(specIdOf(record?.connectionSpec)) ? MANAGE : [];
  }
  return [];
}
