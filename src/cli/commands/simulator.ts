import { z } from 'zod';
import { startSimulator } from '../../simulator/server';
import { parseCommandArgs, portSchema } from '../args';

export async function simulatorCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    'simulator',
    argv,
    {
      host: { type: 'string' },
      port: { type: 'string' },
      seed: { type: 'string' },
      state: { type: 'string' },
    },
    z.object({
      host: z.string().default('127.0.0.1'),
      port: portSchema.default(4010),
      seed: z.enum(['empty', 'demo', 'large']).default('empty'),
      state: z.string().optional(),
    }),
  );
  const simulator = await startSimulator({ host: args.host, port: args.port });
  console.log(`cutover simulator listening on ${simulator.baseUrl}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await simulator.close();
  return 0;
}
