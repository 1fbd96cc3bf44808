import { once } from 'node:events';
import { z } from 'zod';
import { startCodecServer } from '../../codec/codec-server';
import { payloadCodecFor } from '../../codec/data-converter';
import { codecServerSettingsFrom, currentKeyIdOf } from '../../config/codec';
import { loadConfigFile, secretResolverFor } from '../../config/load';
import { configFlag, configPathFrom, parseCommandArgs } from '../args';
import { CliFailure, EXIT } from '../errors';

/**
 * `cutover codec-server`: Temporal's codec-server protocol over the config's
 * codec keys, for the Web UI (`--ui-codec-endpoint`, or the UI's "Codec
 * Server" setting) and the Temporal CLI (`--codec-endpoint`). Runs until
 * SIGINT/SIGTERM.
 */
export async function codecServerCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    'codec-server',
    argv,
    configFlag,
    z.object({ config: z.string().optional() }),
  );
  const config = loadConfigFile(configPathFrom(args.config));
  if (!config.codec)
    throw new CliFailure(
      'codec: the section is missing; add codec.keys (each {id, key: env:NAME | file:PATH}, 32 bytes base64)',
      EXIT.fixInput,
    );
  const secrets = secretResolverFor(config, 'cli');
  const server = await startCodecServer({
    codec: await payloadCodecFor(config, secrets),
    ...(await codecServerSettingsFrom(config.codec, secrets)),
  });
  console.log(
    `codec server at ${server.url} (keys ${config.codec.keys.map((key) => key.id).join(', ')}; encrypting with ${currentKeyIdOf(config.codec)}); origins ${config.codec.server.corsOrigins.join(', ')}`,
  );
  await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  await server.close();
  return EXIT.done;
}
