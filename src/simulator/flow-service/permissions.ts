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

/**
 * The access-control permissions a Flow Service write on a destination needs.
 * Reads and source-side calls are not modelled: the simulator's organisations
 * are granted every source permission.
 */
export function permissionsFor(request: SimRequest, sandbox: SandboxData | undefined): string[] {
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
