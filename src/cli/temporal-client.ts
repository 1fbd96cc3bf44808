import { Client, Connection } from '@temporalio/client';
import type { CutoverConfig } from '../config/schema';
import { SecretResolver } from '../config/secrets';
import { resolveTemporalConnection } from '../temporal/connection-options';

export interface CliTemporal {
  client: Client;
  connection: Connection;
  namespace: string;
  address: string;
  close(): Promise<void>;
}

export async function connectClient(config: CutoverConfig): Promise<CliTemporal> {
  const settings = await resolveTemporalConnection(config.temporal, new SecretResolver());
  const connection = await Connection.connect({
    address: settings.address,
    connectTimeout: 10_000,
    ...(settings.tls ? { tls: settings.tls } : {}),
    ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
  }).catch((error: unknown) => {
    throw new Error(
      `Cannot reach Temporal at ${settings.address} (${(error as Error).message}). ` +
        'Start a dev server (`temporal server start-dev`) or set TEMPORAL_ADDRESS / temporal.address.',
    );
  });
  const client = new Client({ connection, namespace: settings.namespace });
  return {
    client,
    connection,
    namespace: settings.namespace,
    address: settings.address,
    close: () => connection.close(),
  };
}
