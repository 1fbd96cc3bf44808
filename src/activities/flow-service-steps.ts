import { ApplicationFailure } from '@temporalio/common';
import { cutoverTag } from '../domain/naming';
import { where } from '../integrations/flow-service/property-filter';
import type { Flow } from '../integrations/flow-service/schemas';
import {
  collect,
  findAllByName,
  runOutcome,
  settleSince,
  type FirstRunOutcome,
  type FlowServiceCollection,
} from './flow-service-lookup';
import { mapBounded } from '../domain/bounded';
import { firstRunOf, type WatchSlice } from './run-watcher';
import { checkpoint, heartbeat } from './heartbeat';
import { RemoteApiError } from '../integrations/http/errors';
import type { RemoteClients } from './remote-clients';
import { withRemoteFailures } from './remote-failure';

/** A batch activity's progress: how many of its items are done, and what they gave. */
interface BatchCheckpoint<R> {
  done: number;
  results: R[];
}

/** Items a batch activity works on at once: overlapping their calls without crowding the rate limit. */
const BATCH_CALLS_AT_ONCE = 8;

/**
 * Works through `items` a few at a time, in order, heartbeating after each
 * group, and resumes a retried attempt after the last group the previous
 * attempt reported done: one lost answer costs one call, not the batch. A
 * group may run again after a crash, so `each` must be idempotent.
 */
async function resumable<T, R>(items: T[], each: (item: T) => Promise<R>): Promise<R[]> {
  return resumableInPhases([items], each);
}

/** As `resumable`, over phases that run one after the other: no group mixes items of two phases. */
async function resumableInPhases<T, R>(phases: T[][], each: (item: T) => Promise<R>): Promise<R[]> {
  const resumed = checkpoint<BatchCheckpoint<R>>();
  const results: R[] = resumed?.results ?? [];
  let offset = 0;
  for (const items of phases) {
    for (
      let index = Math.max(0, (resumed?.done ?? 0) - offset);
      index < items.length;
      index += BATCH_CALLS_AT_ONCE
    ) {
      const group = items.slice(index, index + BATCH_CALLS_AT_ONCE);
      results.push(...(await mapBounded(group, group.length, each)));
      heartbeat({ done: offset + index + group.length, results } satisfies BatchCheckpoint<R>);
    }
    offset += items.length;
  }
  return results;
}

/**
 * Runs a delete that Adobe may refuse because the object is still in use
 * (400 1418/1447, which the client reports as `conflict`); such an object is
 * kept, anything else fails as usual.
 */
async function deleteUnlessInUse(remove: () => Promise<unknown>): Promise<boolean> {
  try {
    return (await remove()) !== false;
  } catch (error) {
    if (error instanceof RemoteApiError && error.kind === 'conflict') return false;
    throw error;
  }
}

export type V2Check = { ok: true } | { ok: false; reason: string };

/** Flow Service steps every migration uses: switch a dataflow, read its first run, delete what is done. */
export function createFlowServiceActivities({ clients }: { clients: RemoteClients }) {
  return withRemoteFailures({
    /** Which of these dataflows still exist, and which of those are enabled. */
    async flowStates(input: {
      sandbox: string;
      flowIds: string[];
    }): Promise<Record<string, 'enabled' | 'disabled' | 'absent'>> {
      const flowService = clients.flowService(input.sandbox);
      const states = await resumable(input.flowIds, async (flowId) => {
        const flow = await flowService.flows.get(flowId);
        return !flow ? 'absent' : flow.state === 'enabled' ? 'enabled' : 'disabled';
      });
      return Object.fromEntries(input.flowIds.map((flowId, index) => [flowId, states[index]!]));
    },

    /** Idempotent: enabling an enabled flow changes nothing. */
    async setFlowEnabled(input: { sandbox: string; flowId: string; enabled: boolean }): Promise<void> {
      const flowService = clients.flowService(input.sandbox);
      const flow: Flow | undefined = await flowService.flows.get(input.flowId);
      if (!flow)
        throw ApplicationFailure.nonRetryable(`Dataflow ${input.flowId} no longer exists`, 'FlowNotFound');
      if ((flow.state === 'enabled') === input.enabled) return;
      await (input.enabled ? flowService.enableFlow(input.flowId) : flowService.disableFlow(input.flowId));
    },

    /**
     * The first run's outcome: read once, or, with `watch`, waited for (with
     * every other flow this worker waits on) until it settles or the slice ends.
     */
    async firstRunOutcome(input: {
      sandbox: string;
      flowId: string;
      watch?: WatchSlice;
    }): Promise<FirstRunOutcome> {
      const first = await firstRunOf(clients, input);
      return first ? runOutcome(first) : { state: 'pending' };
    },

    /**
     * The last check before V1 is deleted: for each item, its verified V2
     * dataflow still exists and is enabled, and it is the only V2 cutover
     * made for that V1 (a twin a retried create left behind is removed
     * first). Items that fail keep their V1.
     */
    async confirmSingleV2(input: {
      sandbox: string;
      tag: 'sfmc' | 'marketo';
      items: Array<{ v1FlowId: string; v2FlowId: string }>;
    }): Promise<Record<string, V2Check>> {
      const flowService = clients.flowService(input.sandbox);
      const byV1 = new Map<string, string[]>();
      for await (const flow of flowService.flows.list()) {
        for (const item of input.items) {
          if (flow.description?.includes(`[${cutoverTag(input.tag, item.v1FlowId)}]`))
            byV1.set(item.v1FlowId, [...(byV1.get(item.v1FlowId) ?? []), flow.id]);
        }
      }
      const checks = await resumable(input.items, async (item): Promise<V2Check> => {
        for (const twin of (byV1.get(item.v1FlowId) ?? []).filter((id) => id !== item.v2FlowId))
          await flowService.flows.delete(twin);
        // Read by id, which does not lag as lists may.
        const v2 = await flowService.flows.get(item.v2FlowId);
        if (!v2)
          return { ok: false, reason: `its V2 dataflow ${item.v2FlowId} no longer exists, so V1 was kept` };
        if (v2.state !== 'enabled')
          return {
            ok: false,
            reason: `its V2 dataflow ${item.v2FlowId} is ${v2.state} now, so V1 was kept to keep the data flowing`,
          };
        return { ok: true };
      });
      return Object.fromEntries(input.items.map((item, index) => [item.v1FlowId, checks[index]!]));
    },

    /** Deletes in the given order; what is already gone counts as deleted. Resumes where a retry left off. */
    async deleteFlowServiceObjects(input: {
      sandbox: string;
      objects: Array<{ collection: FlowServiceCollection; id: string }>;
    }): Promise<number> {
      const flowService = clients.flowService(input.sandbox);
      const outcomes = await resumable(input.objects, (object) =>
        flowService[object.collection].delete(object.id),
      );
      return outcomes.length;
    },

    /** Removes connections only when no remaining dataflow or connection uses them. Resumes where a retry left off. */
    async deleteConnectionsIfUnused(input: {
      sandbox: string;
      sourceOrTargetConnections: Array<{ collection: 'sourceConnections' | 'targetConnections'; id: string }>;
      baseConnectionIds: string[];
    }): Promise<{ deleted: string[]; kept: string[] }> {
      const flowService = clients.flowService(input.sandbox);
      // Base connections last: they are in use until their source and target connections are gone.
      const phases: Array<Array<{ collection: FlowServiceCollection; id: string }>> = [
        input.sourceOrTargetConnections,
        input.baseConnectionIds.map((id) => ({ collection: 'connections' as const, id })),
      ];
      const outcomes = await resumableInPhases(phases, async (connection) => {
        const used =
          connection.collection === 'connections'
            ? (
                await collect(
                  flowService.sourceConnections.list([where('baseConnectionId', '==', connection.id)]),
                )
              ).length > 0 ||
              (
                await collect(
                  flowService.targetConnections.list([where('baseConnectionId', '==', connection.id)]),
                )
              ).length > 0
            : (
                await collect(
                  flowService.flows.list([
                    where(
                      connection.collection === 'sourceConnections'
                        ? 'sourceConnectionIds[]'
                        : 'targetConnectionIds[]',
                      '==',
                      connection.id,
                    ),
                  ]),
                )
              ).length > 0;
        if (used) return { id: connection.id, deleted: false };
        // Lists lag behind writes, so a user they did not show yet can still make Adobe refuse.
        const deleted = await deleteUnlessInUse(() =>
          flowService[connection.collection].delete(connection.id),
        );
        return { id: connection.id, deleted };
      });
      return {
        deleted: outcomes.filter((outcome) => outcome.deleted).map((outcome) => outcome.id),
        kept: outcomes.filter((outcome) => !outcome.deleted).map((outcome) => outcome.id),
      };
    },

    /**
     * After an base-connection create was retried: deletes twins of the
     * base connection in use (same deterministic name) that nothing uses.
     */
    async removeUnusedTwinConnections(input: {
      sandbox: string;
      keep: Array<{ id: string; name: string }>;
      uncertainSince?: number;
    }): Promise<string[]> {
      const flowService = clients.flowService(input.sandbox);
      await settleSince(input.uncertainSince, clients.consistency);
      const removed: string[] = [];
      for (const connection of input.keep) {
        for (const twin of await findAllByName(flowService, 'connections', connection.name)) {
          if (twin.id === connection.id) continue;
          const users = [
            ...(await collect(
              flowService.sourceConnections.list([where('baseConnectionId', '==', twin.id)]),
            )),
            ...(await collect(
              flowService.targetConnections.list([where('baseConnectionId', '==', twin.id)]),
            )),
          ];
          if (users.length) continue;
          if (
            await deleteUnlessInUse(async () => (await flowService.connections.delete(twin.id)) === 'deleted')
          )
            removed.push(twin.id);
        }
      }
      return removed;
    },
  });
}

export type FlowServiceActivities = ReturnType<typeof createFlowServiceActivities>;
