import os from 'node:os';
import type { CutoverConfig } from '../config/schema';
import { describeSecretRef, type SecretRef } from '../config/secret-ref';
import type { SecretSource } from '../config/secrets';

export interface SecretCheck {
  field: string;
  reference: string;
  resolvable: boolean;
  problem?: string;
}

export interface WorkerInspection {
  hostname: string;
  pid: number;
  nodeVersion: string;
  taskQueue: string;
  configuredIntegrations: string[];
  secrets: SecretCheck[];
}

export interface DoctorDependencies {
  config: CutoverConfig;
  secrets: SecretSource;
}

function secretRefsIn(value: unknown, at: string): Array<{ field: string; ref: SecretRef }> {
  if (typeof value === 'string' && /^(env|file):/.test(value))
    return [{ field: at, ref: value as SecretRef }];
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, child]) => secretRefsIn(child, at ? `${at}.${key}` : key));
  }
  return [];
}

const INTEGRATIONS = ['adobe', 'sfmc', 'marketo', 'salesConnect', 'salesforce'] as const;

export function createDoctorActivities({ config, secrets }: DoctorDependencies) {
  return {
    /** Reports what this worker can reach and whether each secret reference resolves, never the values. */
    async inspectWorker(): Promise<WorkerInspection> {
      const checks = await Promise.all(
        secretRefsIn(config, '').map(async ({ field, ref }): Promise<SecretCheck> => {
          try {
            await secrets.resolve(ref);
            return { field, reference: describeSecretRef(ref), resolvable: true };
          } catch (error) {
            return {
              field,
              reference: describeSecretRef(ref),
              resolvable: false,
              problem: (error as Error).message,
            };
          }
        }),
      );
      return {
        hostname: os.hostname(),
        pid: process.pid,
        nodeVersion: process.version,
        taskQueue: config.temporal.taskQueue,
        configuredIntegrations: INTEGRATIONS.filter((name) => config[name] !== undefined),
        secrets: checks,
      };
    },
  };
}
