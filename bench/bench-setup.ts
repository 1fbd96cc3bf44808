import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { Redactor, SecretResolver } from '../src/config/secrets';
import { projectRoot } from '../src/project-root';
import {
  DEMO_IMS_CLIENT_ID,
  DEMO_MARKETO,
  DEMO_ORG_ID,
  DEMO_SFMC,
} from '../src/simulator/seeds/demo-catalog';
import { startSimulator, type RunningSimulator } from '../src/simulator/server';

export type BenchKind = 'sfmc' | 'marketo';

/** The secrets every bench process reads: a placeholder for the simulator and a fresh codec key. */
export const BENCH_ENV = {
  CUTOVER_BENCH_SECRET: 'bench-secret',
  CUTOVER_BENCH_CODEC_KEY: crypto.randomBytes(32).toString('base64'),
};

export const benchSecrets = () => new SecretResolver({ ...BENCH_ENV }, new Redactor());

/** V1 dataflows per sandbox: Marketo's stay under Adobe's 100-destinations guardrail with their V2 twins. */
const PER_SANDBOX: Record<BenchKind, number> = { sfmc: 100, marketo: 50 };

export function sandboxesFor(kind: BenchKind, flows: number): string[] {
  const count = Math.max(1, Math.ceil(flows / PER_SANDBOX[kind]));
  return ['prod', ...Array.from({ length: count - 1 }, (_, index) => `dev-${index + 1}`)];
}

/** The simulator for one kind: its V1 dataflows, first runs taking `firstRunMs`, and the APIs' quotas. */
export async function benchSimulator(kind: BenchKind, flows: number, rate: number, firstRunMs: number) {
  const sandboxes = sandboxesFor(kind, flows).length;
  const perSandbox = Math.ceil(flows / sandboxes);
  const simulator = await startSimulator({
    port: 0,
    seed: {
      profile: 'large',
      sandboxes,
      flowsPerSandbox: kind === 'sfmc' ? perSandbox : 1,
      marketoFlowsPerSandbox: kind === 'marketo' ? perSandbox : 0,
    },
    quotas: { platform: { requestsPerSecond: rate }, marketo: {} },
  });
  await fetch(`${simulator.baseUrl}/__admin/flow-service/settings`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ runDurationMs: firstRunMs }),
  });
  return simulator;
}

/** A worker config with cutover's defaults (nothing tuned), payloads encrypted, pointed at the simulator. */
export function benchWorkerConfig(
  simulator: RunningSimulator,
  address: string,
  taskQueue: string,
  rate: number,
) {
  return {
    temporal: { address, taskQueue },
    worker: { logLevel: 'INFO' },
    adobe: {
      imsUrl: `${simulator.baseUrl}/ims`,
      platformUrl: `${simulator.baseUrl}/platform`,
      orgId: DEMO_ORG_ID,
      clientId: DEMO_IMS_CLIENT_ID,
      clientSecret: 'env:CUTOVER_BENCH_SECRET',
      scopes: ['openid'],
      sandboxes: sandboxesFromSimulator(simulator).map((name) => ({ name, autoApprove: true })),
      rateLimit: { requestsPerSecond: rate },
    },
    sfmc: {
      clientId: DEMO_SFMC.clientId,
      clientSecret: 'env:CUTOVER_BENCH_SECRET',
      baseEndpoint: DEMO_SFMC.subdomain,
      authBaseUrl: `${simulator.baseUrl}/sfmc/${DEMO_SFMC.subdomain}/auth`,
    },
    marketo: {
      munchkinId: DEMO_MARKETO.munchkinId,
      clientId: DEMO_MARKETO.clientId,
      clientSecret: 'env:CUTOVER_BENCH_SECRET',
      baseUrl: `${simulator.baseUrl}/marketo/${DEMO_MARKETO.munchkinId}`,
    },
    codec: { keys: [{ id: 'bench', key: 'env:CUTOVER_BENCH_CODEC_KEY' }] },
  };
}

function sandboxesFromSimulator(simulator: RunningSimulator): string[] {
  const state = simulator.snapshot().modules.flowService as { orgs: Record<string, { sandboxes: object }> };
  return Object.keys(state.orgs[DEMO_ORG_ID]?.sandboxes ?? {});
}

/** Compiles cutover as it ships (`npm run build`: JavaScript and the prebuilt workflow bundle), for the worker process. */
export function buildWorker(): void {
  execFileSync('npm', ['run', '--silent', 'build'], {
    cwd: projectRoot,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/**
 * The compiled cutover worker in its own process, so its memory is its own:
 * resident size sampled every half second from its start; `stop` kills it
 * and answers the peak in MB.
 */
export async function startWorkerProcess(raw: unknown, configFile: string, log: string, heapMb?: number) {
  fs.writeFileSync(configFile, YAML.stringify(raw));
  const out = fs.openSync(log, 'w');
  const heap = heapMb ? [`--max-old-space-size=${heapMb}`] : [];
  const child = spawn(process.execPath, [...heap, path.join(projectRoot, 'dist', 'worker.js'), configFile], {
    cwd: projectRoot,
    env: { ...process.env, ...BENCH_ENV },
    stdio: ['ignore', out, out],
  });
  let peakKb = 0;
  const sample = setInterval(() => {
    try {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
      peakKb = Math.max(peakKb, Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0));
    } catch {
      // Gone, or no /proc (macOS): the peak stays what was seen.
    }
  }, 500);
  // Started once its log says so: a run begun before would count the worker's start-up as the run's.
  for (let waited = 0; !fs.readFileSync(log, 'utf8').includes('cutover worker started'); waited += 250) {
    if (waited > 120_000 || child.exitCode !== null)
      throw new Error(`the bench worker did not start; see ${log}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    stop(): number {
      clearInterval(sample);
      if (child.exitCode === null) child.kill('SIGKILL');
      return Math.round(peakKb / 1024);
    },
  };
}
