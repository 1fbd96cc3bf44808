import { z } from 'zod';
import type { WorkerInspection } from '../../activities/doctor';
import { loadConfigFile, secretResolverFor } from '../../config/load';
import type { CutoverConfig } from '../../config/schema';
import { checkSecretReferences } from '../../config/secret-check';
import { EXIT } from '../errors';
import type { Client } from '@temporalio/client';
import { doctorRun } from '../../runs';
import { configFlag, configPathFrom, parseCommandArgs } from '../args';
import { connectClient } from '../temporal-client';

/** Runs the doctor workflow on a task queue and waits for a worker to answer it. */
export function runDoctor(client: Client, taskQueue: string): Promise<WorkerInspection> {
  return doctorRun.execute(client, taskQueue);
}

export function formatInspection(inspection: WorkerInspection): string {
  const lines = [
    `worker ${inspection.hostname} (pid ${inspection.pid}, Node ${inspection.nodeVersion}) on task queue ${inspection.taskQueue}`,
    `integrations configured: ${inspection.configuredIntegrations.join(', ') || 'none'}`,
    ...inspection.secrets.map(
      (check) =>
        `  ${check.resolvable ? 'ok     ' : 'MISSING'} ${check.field} <- ${check.reference}${check.problem ? `: ${check.problem}` : ''}`,
    ),
  ];
  return lines.join('\n');
}

/** The secret references of this CLI's config that do not resolve here, as lines to print. */
export async function cliReferenceProblems(config: CutoverConfig): Promise<string[]> {
  const checks = await checkSecretReferences(config, secretResolverFor(config, 'cli'));
  return checks.filter((check) => !check.resolvable).map((check) => `${check.field}: ${check.problem}`);
}

export async function doctorCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs('doctor', argv, configFlag, z.object({ config: z.string().optional() }));
  const config = loadConfigFile(configPathFrom(args.config));
  // The CLI's own config is checked too: the worker answers for its config, not for this one.
  const here = await cliReferenceProblems(config);
  for (const problem of here) console.error(`this config, resolved here: ${problem}`);
  const temporal = await connectClient(config);
  try {
    console.log(
      `Temporal ${temporal.address}, namespace ${temporal.namespace}: waiting for a worker on ${config.temporal.taskQueue}…`,
    );
    const inspection = await runDoctor(temporal.client, config.temporal.taskQueue);
    console.log(formatInspection(inspection));
    return here.length === 0 && inspection.secrets.every((check) => check.resolvable)
      ? EXIT.done
      : EXIT.notDone;
  } finally {
    await temporal.close();
  }
}
