import { z } from 'zod';
import { loadConfigFile } from '../../config/load';
import { runWorker } from '../../worker';
import { configFlag, configPathFrom, parseCommandArgs } from '../args';

export async function workerCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs('worker', argv, configFlag, z.object({ config: z.string().optional() }));
  await runWorker(loadConfigFile(configPathFrom(args.config)));
  return 0;
}
