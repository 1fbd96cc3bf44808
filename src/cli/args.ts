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
  const misuse = flagMisuse(argv, options);
  if (misuse) throw new UsageError(`cutover ${command}: ${misuse}. Run \`cutover help\` for usage.`);
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

/**
 * What node's parser would take silently or word obscurely: a flag that takes
 * one value given twice (the last would win), and a long flag with one dash
 * (read as a bundle of one-letter flags).
 */
function flagMisuse(argv: string[], options: NonNullable<ParseArgsConfig['options']>): string | undefined {
  const seen = new Set<string>();
  for (const arg of argv) {
    const single = /^-([a-z][a-z-]+)(=.*)?$/.exec(arg);
    if (single && single[1]! in options) return `${arg} has one dash: write --${single[1]}`;
    const name = /^--([^=]+)/.exec(arg)?.[1];
    if (!name || !(name in options) || options[name]!.multiple) continue;
    if (seen.has(name)) return `--${name} is given twice: give it once`;
    seen.add(name);
  }
  return undefined;
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
