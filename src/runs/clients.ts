import { createRemoteClients, type RemoteClients } from '../activities/remote-clients';
import { secretResolverFor } from '../config/load';
import type { CutoverConfig } from '../config/schema';

/** The clients a dry run reads through from this machine, its secrets resolved as the CLI may. */
export function planningClients(config: CutoverConfig): RemoteClients {
  return createRemoteClients(config, secretResolverFor(config, 'cli'));
}
