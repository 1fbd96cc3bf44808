import { z } from 'zod';
import { loadConfigFile } from '../../config/load';
import { ensureSearchAttributes } from '../../temporal/register-search-attributes';
import { cutoverSearchAttributes } from '../../visibility/search-attributes';
import { configFlag, configPathFrom, parseCommandArgs } from '../args';
import { connectClient } from '../temporal-client';

export async function searchAttributesCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    'search-attributes',
    argv,
    configFlag,
    z.object({ config: z.string().optional() }),
  );
  const config = loadConfigFile(configPathFrom(args.config));
  const temporal = await connectClient(config);
  try {
    const added = await ensureSearchAttributes(temporal.connection, temporal.namespace);
    console.log(
      added.length
        ? `Registered ${added.join(', ')} on namespace ${temporal.namespace}.`
        : `All ${cutoverSearchAttributes.length} cutover search attributes already exist on ${temporal.namespace}.`,
    );
    return 0;
  } finally {
    await temporal.close();
  }
}
