import os from 'node:os';
import type { CutoverConfig } from '../config/schema';
import { checkSecretReferences, type SecretCheck } from '../config/secret-check';
import type { SecretSource } from '../config/secrets';

export type { SecretCheck };

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

const INTEGRATIONS = ['adobe', 'sfmc', 'marketo', 'salesConnect', 'salesforce'] as const;

export function createDoctorActivities({ config, secrets }: DoctorDependencies) {
  return {
    /** Reports what this worker can reach and whether each secret reference resolves, never the values. */
    async inspectWorker(): Promise<WorkerInspection> {
      const checks = await checkSecretReferences(config, secrets);
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
export type DoctorActivities = ReturnType<typeof createDoctorActivities>;
