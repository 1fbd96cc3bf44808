import { DEMO_ORG_ID } from '../../src/simulator/seeds/demo-catalog';
import type { RunningSimulator } from '../../src/simulator/server';

/** A stored Flow Service object as the simulator keeps it (its served fields plus bookkeeping). */
export interface StoredObject {
  id: string;
  name?: string;
  description?: string;
  state?: string;
  createdAt: number;
  [field: string]: unknown;
}

interface SandboxState {
  connections: Record<string, StoredObject>;
  sourceConnections: Record<string, StoredObject>;
  targetConnections: Record<string, StoredObject>;
  flows: Record<string, StoredObject>;
  runs: Record<string, StoredObject>;
}

/**
 * What the simulator holds for a sandbox, read from its state rather than
 * through the API: no list lag, no fault, no client code in between.
 */
export function flowServiceState(simulator: RunningSimulator, sandbox: string, orgId = DEMO_ORG_ID) {
  const modules = simulator.snapshot().modules as {
    flowService: { orgs: Record<string, { sandboxes: Record<string, SandboxState> }> };
    dataPrep: {
      orgs: Record<string, { sandboxes: Record<string, { mappingSets: Record<string, StoredObject> }> }>;
    };
  };
  const data = modules.flowService.orgs[orgId]!.sandboxes[sandbox]!;
  const mappingSets = modules.dataPrep.orgs[orgId]?.sandboxes[sandbox]?.mappingSets ?? {};
  return {
    connections: Object.values(data.connections),
    sourceConnections: Object.values(data.sourceConnections),
    targetConnections: Object.values(data.targetConnections),
    flows: Object.values(data.flows),
    runs: Object.values(data.runs),
    mappingSets: Object.values(mappingSets),
  };
}

/** Objects cutover made per V1 dataflow, by the tag in their description (`cutover:<tag>:<V1 id>`). */
export function taggedPerV1(objects: StoredObject[], tag: 'sfmc' | 'marketo'): Map<string, StoredObject[]> {
  const byV1 = new Map<string, StoredObject[]>();
  const pattern = new RegExp(`cutover:${tag}:([\\w-]+)`);
  for (const object of objects) {
    const v1 = pattern.exec(object.description ?? String(object.name ?? ''))?.[1];
    if (v1) byV1.set(v1, [...(byV1.get(v1) ?? []), object]);
  }
  return byV1;
}

/**
 * Creates the simulator committed on a route, dropped answers included: what a
 * retried step would duplicate. `route` is the path's end, e.g. `/flowservice/flows`.
 */
export function committedCreates(simulator: RunningSimulator, route: string): number {
  return simulator.requests
    .list({ method: 'POST' })
    .filter((entry) => entry.path.endsWith(route) && entry.status >= 200 && entry.status < 400).length;
}

/** How many answers the simulator dropped on the floor after handling them, per route end. */
export function droppedAnswers(simulator: RunningSimulator, route: string, method = 'POST'): number {
  return simulator.requests
    .list({ method })
    .filter((entry) => entry.dropped && new RegExp(`${route}$`).test(entry.path)).length;
}
