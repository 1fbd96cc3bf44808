import type { PersistedState } from '../src/simulator/core/state-store';

interface Stored {
  id: string;
  name?: string;
  description?: string;
  state?: string;
  flowId?: string;
  transformations?: Array<{
    params?: { segmentSelectors?: { selectors?: Array<{ value?: { id?: string } }> } };
  }>;
  _plan?: { outcome: string; completesAt: number };
}

interface SandboxState {
  connections: Record<string, Stored>;
  sourceConnections: Record<string, Stored>;
  targetConnections: Record<string, Stored>;
  flows: Record<string, Stored>;
  runs: Record<string, Stored>;
}

interface Modules {
  flowService: { orgs: Record<string, { sandboxes: Record<string, SandboxState> }> };
  dataPrep: { orgs: Record<string, { sandboxes: Record<string, { mappingSets: Record<string, Stored> }> }> };
}

export interface StateCheck {
  /** The most objects of one kind cutover made for one V1 object (a dataflow, or an base connection). */
  mostV2PerV1: number;
  /** V1 dataflows gone without exactly one enabled V2 whose first run succeeded. */
  v1DeletedWithoutV2: number;
  /** Audiences a V1 Marketo dataflow exported that no enabled dataflow exports now. */
  audiencesWithoutExport: number;
  details: string[];
}

const TAG = /cutover:(sfmc|marketo|sfmc-base|marketo-base):([\w-]+)/;

function audiences(flow: Stored): string[] {
  return (flow.transformations?.[0]?.params?.segmentSelectors?.selectors ?? []).flatMap((selector) =>
    selector.value?.id ? [selector.value.id] : [],
  );
}

/** What the simulator's state says about a migration, compared with the state before it. */
export function checkSimulatorState(
  before: PersistedState,
  after: PersistedState,
  orgId: string,
): StateCheck {
  const initial = (before.modules as unknown as Modules).flowService.orgs[orgId]!.sandboxes;
  const final = after.modules as unknown as Modules;
  const now = after.clock.now;
  const details: string[] = [];
  let mostV2PerV1 = 0;
  let v1DeletedWithoutV2 = 0;
  let audiencesWithoutExport = 0;

  for (const [sandbox, start] of Object.entries(initial)) {
    const end = final.flowService.orgs[orgId]!.sandboxes[sandbox]!;
    const mappingSets = Object.values(final.dataPrep.orgs[orgId]?.sandboxes[sandbox]?.mappingSets ?? {});
    const groups = new Map<string, Stored[]>();
    const collections: Array<[string, Stored[]]> = [
      ['connections', Object.values(end.connections)],
      ['sourceConnections', Object.values(end.sourceConnections)],
      ['targetConnections', Object.values(end.targetConnections)],
      ['flows', Object.values(end.flows)],
      ['mappingSets', mappingSets],
    ];
    for (const [collection, objects] of collections) {
      for (const object of objects) {
        const tag = TAG.exec(`${object.description ?? ''} ${object.name ?? ''}`);
        if (!tag) continue;
        const key = `${collection} ${tag[1]}:${tag[2]}`;
        groups.set(key, [...(groups.get(key) ?? []), object]);
      }
    }
    for (const [key, objects] of groups) {
      mostV2PerV1 = Math.max(mostV2PerV1, objects.length);
      if (objects.length > 1) details.push(`${sandbox}: ${objects.length} ${key}`);
    }

    const succeeded = (flowId: string) =>
      Object.values(end.runs).some(
        (run) => run.flowId === flowId && run._plan?.outcome === 'success' && run._plan.completesAt <= now,
      );
    for (const v1 of Object.values(start.flows)) {
      if (end.flows[v1.id]) continue;
      const kind = audiences(v1).length ? 'marketo' : 'sfmc';
      const v2 = groups.get(`flows ${kind}:${v1.id}`) ?? [];
      if (v2.length !== 1 || v2[0]!.state !== 'enabled' || !succeeded(v2[0]!.id)) {
        v1DeletedWithoutV2 += 1;
        details.push(
          `${sandbox}: V1 ${v1.name} deleted with ${v2.length} V2 (${v2.map((flow) => flow.state).join(', ')})`,
        );
      }
    }

    const exported = new Set(
      Object.values(end.flows)
        .filter((flow) => flow.state === 'enabled')
        .flatMap(audiences),
    );
    for (const v1 of Object.values(start.flows).filter((flow) => flow.state === 'enabled')) {
      for (const audience of audiences(v1)) {
        if (exported.has(audience)) continue;
        audiencesWithoutExport += 1;
        details.push(`${sandbox}: audience ${audience} of ${v1.name} is exported by nothing`);
      }
    }
  }
  return { mostV2PerV1, v1DeletedWithoutV2, audiencesWithoutExport, details };
}
