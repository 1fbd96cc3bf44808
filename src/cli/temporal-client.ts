import { secretResolverFor } from '../config/load';
import { Client, Connection } from '@temporalio/client';
import { dataConverterFor } from '../codec/data-converter';
import type { CutoverConfig } from '../config/schema';
import { TemporalUnreachableError, resolveTemporalConnection } from '../temporal/connection-options';

export interface CliTemporal {
  client: Client;
  connection: Connection;
  namespace: string;
  address: string;
  close(): Promise<void>;
}

export async function connectClient(config: CutoverConfig): Promise<CliTemporal> {
  const secrets = secretResolverFor(config, 'cli');
  const settings = await resolveTemporalConnection(config.temporal, secrets);
  const dataConverter = await dataConverterFor(config, secrets);
  const connection = await Connection.connect({
    address: settings.address,
    connectTimeout: 10_000,
    // `--follow` outlives a server restart: grpc's reconnect backoff would otherwise grow to two minutes.
    channelArgs: { 'grpc.max_reconnect_backoff_ms': 5_000 },
    ...(settings.tls ? { tls: settings.tls } : {}),
    ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
  }).catch((error: unknown) => {
    throw new TemporalUnreachableError(settings.address, (error as Error).message);
  });

  const client = new Client({
    connection,
    namespace: settings.namespace,
    dataConverter,
  });
  return {
    client,
    connection,
    namespace: settings.namespace,
    address: settings.address,
    close: () => connection.close(),
  };
}
