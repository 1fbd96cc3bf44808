import { loadClientConfigProfile, type ClientConfigProfile } from '@temporalio/envconfig';
import type { TemporalConfig } from '../config/schema';
import type { SecretSource } from '../config/secrets';

export interface TemporalConnectionSettings {
  address: string;
  namespace: string;
  apiKey?: string;
  tls?:
    | boolean
    | {
        serverNameOverride?: string;
        serverRootCACertificate?: Buffer;
        clientCertPair?: { crt: Buffer; key: Buffer };
      };
}

const DEFAULT_ADDRESS = 'localhost:7233';
const DEFAULT_NAMESPACE = 'default';

function sourceBytes(
  source: { path: string } | { data: string | Uint8Array } | undefined,
): Promise<Buffer | undefined> {
  if (!source) return Promise.resolve(undefined);
  if ('path' in source) return import('node:fs/promises').then((fs) => fs.readFile(source.path));
  return Promise.resolve(Buffer.from(source.data));
}

/**
 * Precedence, highest first: TEMPORAL_* environment variables, the cutover
 * config file's `temporal` section, Temporal's TOML profile, then localhost.
 */
export async function resolveTemporalConnection(
  config: Partial<TemporalConfig> | undefined,
  secrets: SecretSource,
  env: NodeJS.ProcessEnv = process.env,
): Promise<TemporalConnectionSettings> {
  const envVars = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const profile = env.TEMPORAL_PROFILE ?? config?.profile;
  const fromToml: ClientConfigProfile = loadClientConfigProfile({
    profile,
    disableEnv: true,
    overrideEnvVars: envVars,
  });
  const fromEnv: ClientConfigProfile = loadClientConfigProfile({
    profile,
    disableFile: true,
    overrideEnvVars: envVars,
  });

  const apiKey =
    fromEnv.apiKey ?? (config?.apiKey ? await secrets.resolve(config.apiKey) : undefined) ?? fromToml.apiKey;
  const tlsFromConfig = config?.tls;
  const tomlOrEnvTls = fromEnv.tls ?? fromToml.tls;

  let tls: TemporalConnectionSettings['tls'];
  if (tlsFromConfig) {
    tls = {
      serverNameOverride: tlsFromConfig.serverName,
      serverRootCACertificate: tlsFromConfig.serverRootCaCert
        ? Buffer.from(await secrets.resolve(tlsFromConfig.serverRootCaCert))
        : undefined,
      clientCertPair:
        tlsFromConfig.clientCert && tlsFromConfig.clientKey
          ? {
              crt: Buffer.from(await secrets.resolve(tlsFromConfig.clientCert)),
              key: Buffer.from(await secrets.resolve(tlsFromConfig.clientKey)),
            }
          : undefined,
    };
  } else if (tomlOrEnvTls && !tomlOrEnvTls.disabled) {
    const [crt, key, ca] = await Promise.all([
      sourceBytes(tomlOrEnvTls.clientCert),
      sourceBytes(tomlOrEnvTls.clientKey),
      sourceBytes(tomlOrEnvTls.serverCACert),
    ]);
    tls = {
      serverNameOverride: tomlOrEnvTls.serverName,
      serverRootCACertificate: ca,
      clientCertPair: crt && key ? { crt, key } : undefined,
    };
  } else if (apiKey && !tomlOrEnvTls?.disabled) {
    // Temporal Cloud API keys require TLS.
    tls = true;
  }

  return {
    address: fromEnv.address ?? config?.address ?? fromToml.address ?? DEFAULT_ADDRESS,
    namespace: fromEnv.namespace ?? config?.namespace ?? fromToml.namespace ?? DEFAULT_NAMESPACE,
    ...(apiKey ? { apiKey } : {}),
    ...(tls ? { tls } : {}),
  };
}

/** Temporal could not be reached at the configured address; the message says where and what to set. */
export class TemporalUnreachableError extends Error {
  constructor(address: string, reason: string) {
    super(
      `Cannot reach Temporal at ${address} (${reason}). Start a dev server (\`temporal server start-dev\`) or set TEMPORAL_ADDRESS / temporal.address.`,
    );
    this.name = 'TemporalUnreachableError';
  }
}

/** The worker's metrics endpoint cannot listen: the operator's setting, not a fault. */
export class MetricsPortInUseError extends Error {
  constructor(address: string) {
    super(
      `worker.metricsAddress: ${address} is already in use by another process: choose a free port (or leave metricsAddress out to turn metrics off).`,
    );
    this.name = 'MetricsPortInUseError';
  }
}
