import { ApplicationFailure } from '@temporalio/common';
import { where } from '../integrations/flow-service/property-filter';
import type { Flow } from '../integrations/flow-service/schemas';
import { collect, runOutcome, type FirstRunOutcome, type FlowServiceCollection } from './flow-service-lookup';
import { heartbeat } from './heartbeat';
import type { RemoteClients } from './remote-clients';
import { withRemoteFailures } from './remote-failure';

/** Flow Service steps every migration uses: switch a dataflow, read its first run, delete what is done. */
export function createFlowServiceActivities({ clients }: { clients: RemoteClients }) {
  return withRemoteFailures({
    /** Which of these dataflows still exist, and which of those are enabled. */
    async flowStates(input: {
      sandbox: string;
      flowIds: string[];
    }): Promise<Record<string, 'enabled' | 'disabled' | 'absent'>> {
      const flowService = clients.flowService(input.sandbox);
      const states: Record<string, 'enabled' | 'disabled' | 'absent'> = {};
      for (const flowId of input.flowIds) {
        const flow = await flowService.flows.get(flowId);
        states[flowId] = !flow ? 'absent' : flow.state === 'enabled' ? 'enabled' : 'disabled';
        heartbeat(Object.keys(states).length);
      }
      return states;
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

    async firstRunOutcome(input: { sandbox: string; flowId: string }): Promise<FirstRunOutcome> {
      const runs = await collect(clients.flowService(input.sandbox).listRuns(input.flowId));
      const first = runs.sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0))[0];
      return first ? runOutcome(first) : { state: 'pending' };
    },

    /** Deletes in the given order; what is already gone counts as deleted. */
    async deleteFlowServiceObjects(input: {
      sandbox: string;
      objects: Array<{ collection: FlowServiceCollection; id: string }>;
    }): Promise<number> {
      const flowService = clients.flowService(input.sandbox);
      let deleted = 0;
      for (const object of input.objects) {
        await flowService[object.collection].delete(object.id);
        deleted += 1;
        heartbeat(deleted);
      }
      return deleted;
    },

    /** Removes connections only when no remaining dataflow or connection uses them. */
    async deleteConnectionsIfUnused(input: {
      sandbox: string;
      sourceOrTargetConnections: Array<{ collection: 'sourceConnections' | 'targetConnections'; id: string }>;
      baseConnectionIds: string[];
    }): Promise<{ deleted: string[]; kept: string[] }> {
      const flowService = clients.flowService(input.sandbox);
      const deleted: string[] = [];
      const kept: string[] = [];
      for (const connection of input.sourceOrTargetConnections) {
        const field =
          connection.collection === 'sourceConnections' ? 'sourceConnectionIds[]' : 'targetConnectionIds[]';
        const users = await collect(flowService.flows.list([where(field, '==', connection.id)]));
        if (users.length) kept.push(connection.id);
        else {
          await flowService[connection.collection].delete(connection.id);
          deleted.push(connection.id);
        }
      }
      for (const id of input.baseConnectionIds) {
        const sources = await collect(
          flowService.sourceConnections.list([where('baseConnectionId', '==', id)]),
        );
        const targets = await collect(
          flowService.targetConnections.list([where('baseConnectionId', '==', id)]),
        );
        if (sources.length || targets.length) kept.push(id);
        else {
          await flowService.connections.delete(id);
          deleted.push(id);
        }
      }
      return { deleted, kept };
    },
  });
}
