import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { describeIssues } from '../config/load';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Parses a command's flags with node's parser, then validates their values with
 * zod so a bad flag is reported by name with what was expected.
 */
export function parseCommandArgs<S extends z.ZodType>(
  command: string,
  argv: string[],
  options: NonNullable<ParseArgsConfig['options']>,
  schema: S,
): z.output<S> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: argv, options, allowPositionals: false, strict: true }));
  } catch (error) {
    throw new UsageError(`cutover ${command}: ${(error as Error).message}. Run \`cutover help\` for usage.`);
  }
  const result = schema.safeParse(values);
  if (!result.success) {
    const problems = describeIssues(result.error).map((problem) => `--${problem}`);
    throw new UsageError(`cutover ${command}: ${problems.join('; ')}`);
  }
  return result.data;
}

export const portSchema = z.coerce
  .number({ error: 'expected a TCP port number' })
  .int()
  .min(1, { error: 'expected a TCP port between 1 and 65535' })
  .max(65535, { error: 'expected a TCP port between 1 and 65535' });

export const configFlag = {
  config: { type: 'string', short: 'c' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export function configPathFrom(flag: string | undefined): string {
  return flag ?? process.env.CUTOVER_CONFIG ?? 'cutover.yaml';
}
