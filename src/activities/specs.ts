import { ApplicationFailure } from '@temporalio/common';
import type { SpecKey } from '../domain/specs';
import type { RemoteClients } from './remote-clients';
import { withRemoteFailures } from './remote-failure';

/** The spec checks every migration's preflight runs before its first write. */
export function createSpecActivities({ clients }: { clients: RemoteClients }) {
  // Classified like every other remote step: a refusal retrying cannot change fails at once.
  return withRemoteFailures({
    /**
     * Finds the specs a run needs in the catalogue (documented id, config pin
     * or label), so later steps get their ids from the worker's cache. Any
     * that does not resolve fails the preflight with every problem at once,
     * so a person fixes the config in one go.
     */
    async resolveSpecs(input: { sandbox: string; keys: SpecKey[] }): Promise<void> {
      const flowService = clients.flowService(input.sandbox);
      const matches = await Promise.all(
        input.keys.map(async (key) => ({ key, match: await clients.specs.resolve(flowService, key) })),
      );
      const problems = matches.flatMap(({ key, match }) => (match.ok ? [] : [`${key}: ${match.problem}`]));
      if (problems.length) throw ApplicationFailure.nonRetryable(problems.join(' '), 'SpecNotResolved');
    },
  });
}

export type SpecActivities = ReturnType<typeof createSpecActivities>;
