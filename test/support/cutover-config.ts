import { parseConfig } from '../../src/config/load';
import type { CutoverConfig } from '../../src/config/schema';
import { Redactor, SecretResolver } from '../../src/config/secrets';
import {
  DEMO_IMS_CLIENT_ID,
  DEMO_MARKETO,
  DEMO_ORG_ID,
  DEMO_SALES_CONNECT,
  DEMO_SFMC,
} from '../../src/simulator/seeds/demo-catalog';
import type { RunningSimulator } from '../../src/simulator/server';

/** The secrets every test config refers to; the Adobe one has every character encodings spell differently. */
export const TEST_SECRETS = {
  CUTOVER_TEST_ADOBE_SECRET: "adobe test-secret !()~'* +/=value",
  CUTOVER_TEST_SFMC_SECRET: 'sfmc-test-secret-value',
  CUTOVER_TEST_MARKETO_SECRET: 'marketo-test-secret-value',
};

export const testSecrets = () => new SecretResolver(TEST_SECRETS, new Redactor());

/** A config pointing every remote API at the given simulator, with the demo credentials. */
type SandboxSettings = Array<{ name: string; autoApprove?: boolean; retention?: string }>;

const AUTO_APPROVED: SandboxSettings = [
  { name: 'prod', autoApprove: true },
  { name: 'dev', autoApprove: true },
];

export function simulatorConfig(
  simulator: RunningSimulator,
  taskQueue: string,
  sandboxes = AUTO_APPROVED,
): CutoverConfig {
  return parseConfig(rawSimulatorConfig(simulator, taskQueue, sandboxes), 'test-config.yaml');
}

/** The same config as a plain object, e.g. to write a YAML file for a worker process. */
export function rawSimulatorConfig(
  simulator: RunningSimulator,
  taskQueue: string,
  sandboxes = AUTO_APPROVED,
) {
  return {
    temporal: { taskQueue },
    adobe: {
      imsUrl: `${simulator.baseUrl}/ims`,
      platformUrl: `${simulator.baseUrl}/platform`,
      orgId: DEMO_ORG_ID,
      clientId: DEMO_IMS_CLIENT_ID,
      clientSecret: 'env:CUTOVER_TEST_ADOBE_SECRET',
      scopes: ['openid', 'AdobeID'],
      sandboxes,
      // The simulator's lists lag only when a test says so (listVisibilityDelayMs), and then by less than this.
      listVisibilityWindow: '2s',
    },
    sfmc: {
      clientId: DEMO_SFMC.clientId,
      clientSecret: 'env:CUTOVER_TEST_SFMC_SECRET',
      baseEndpoint: `https://${DEMO_SFMC.subdomain}.auth.marketingcloudapis.com/`,
      authBaseUrl: `${simulator.baseUrl}/sfmc/${DEMO_SFMC.subdomain}/auth`,
      firstRunTimeout: '2 minutes',
    },
    marketo: {
      munchkinId: DEMO_MARKETO.munchkinId,
      clientId: DEMO_MARKETO.clientId,
      clientSecret: 'env:CUTOVER_TEST_MARKETO_SECRET',
      baseUrl: `${simulator.baseUrl}/marketo/${DEMO_MARKETO.munchkinId}`,
    },
  };
}

async function admin(
  simulator: RunningSimulator,
  method: string,
  path: string,
  body: unknown,
): Promise<void> {
  const response = await fetch(`${simulator.baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
}

export const adminPut = (simulator: RunningSimulator, path: string, body: unknown) =>
  admin(simulator, 'PUT', path, body);

export const adminPost = (simulator: RunningSimulator, path: string, body: unknown) =>
  admin(simulator, 'POST', path, body);

export const adminDelete = (simulator: RunningSimulator, path: string) =>
  admin(simulator, 'DELETE', path, {});

/** The simulator config plus Sales Connect (HTTP gateway on the simulator) and the Salesforce facts of the demo. */
export function rawSalesConnectConfig(
  simulator: RunningSimulator,
  taskQueue: string,
  salesConnect: {
    users: Array<{ email: string; workspace?: string }>;
    provisioningDelay?: string;
    batchSize?: number;
    gateway?: 'http' | 'manual';
  },
) {
  return {
    ...rawSimulatorConfig(simulator, taskQueue),
    salesConnect: {
      instanceId: DEMO_SALES_CONNECT.instanceId,
      gateway:
        salesConnect.gateway === 'manual'
          ? { type: 'manual' }
          : { type: 'http', baseUrl: `${simulator.baseUrl}/sales-connect`, simulated: true },
      provisioningDelay: salesConnect.provisioningDelay ?? '10 minutes',
      batchSize: salesConnect.batchSize ?? 25,
      users: salesConnect.users,
    },
    salesforce: {
      instance: DEMO_SALES_CONNECT.salesforceInstance,
      isProduction: true,
      marketoMeasure: {
        instance: DEMO_SALES_CONNECT.salesforceInstance,
        isProduction: true,
        dailyApiLimit: 150_000,
      },
    },
  };
}
