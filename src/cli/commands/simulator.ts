import path from 'node:path';
import { z } from 'zod';
import { projectRoot } from '../../project-root';
import { startSimulator } from '../../simulator/server';
import { parseCommandArgs, portSchema } from '../args';

const simulatorArgs = z.object({
  host: z.string().default('127.0.0.1'),
  port: portSchema.default(4010),
  seed: z.enum(['empty', 'demo', 'large'], { error: 'expected empty, demo or large' }).default('demo'),
  sandboxes: z.coerce.number().int().positive().max(100).optional(),
  'flows-per-sandbox': z.coerce.number().int().positive().max(10_000).optional(),
  state: z.string().optional(),
  fresh: z.boolean().default(false),
  speed: z.coerce
    .number()
    .positive({ error: 'expected a positive number of simulated seconds per second' })
    .default(1),
});

/** Serves the emulated Adobe, SFMC, Marketo and Sales Connect APIs until SIGINT/SIGTERM. */
export async function simulatorCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    'simulator',
    argv,
    {
      host: { type: 'string' },
      port: { type: 'string' },
      seed: { type: 'string' },
      sandboxes: { type: 'string' },
      'flows-per-sandbox': { type: 'string' },
      state: { type: 'string' },
      fresh: { type: 'boolean' },
      speed: { type: 'string' },
    },
    simulatorArgs,
  );
  // Off unless set: the admin API already answers loopback only.
  const adminToken = process.env.CUTOVER_SIMULATOR_ADMIN_TOKEN || undefined;
  const stateFile = path.resolve(
    args.state ?? path.join(projectRoot, '.cutover', 'simulator', `${args.seed}.json`),
  );
  if (args.fresh) await import('node:fs').then((fs) => fs.rmSync(stateFile, { force: true }));
  const startedAt = Date.now();
  const simulator = await startSimulator({
    host: args.host,
    port: args.port,
    seed: { profile: args.seed, sandboxes: args.sandboxes, flowsPerSandbox: args['flows-per-sandbox'] },
    stateFile,
    speed: args.speed,
    ...(adminToken ? { adminToken } : {}),
  });
  console.log(
    `cutover simulator ready in ${Date.now() - startedAt} ms on ${simulator.baseUrl} (state: ${stateFile})`,
  );
  for (const [api, url] of Object.entries(simulator.baseUrls)) console.log(`  ${api.padEnd(48)} ${url}`);
  console.log(
    `  ${'Admin API (loopback only, JSON changes)'.padEnd(48)} ${simulator.baseUrl}/__admin${adminToken ? ' (token from CUTOVER_SIMULATOR_ADMIN_TOKEN)' : ''}`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await simulator.close();
  return 0;
}
