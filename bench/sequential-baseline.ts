import { setTimeout as delay } from 'node:timers/promises';
import { createActivities } from '../src/activities';
import type { CutoverConfig } from '../src/config/schema';
import { marketoRun, sfmcRun } from '../src/runs';
import { asMarketoMigrationPlan } from '../src/workflows/marketo/plan';
import { asSfmcMigrationPlan, type SfmcMigrateItem } from '../src/workflows/sfmc/plan';
import type { MarketoMigrateItem } from '../src/workflows/marketo/messages';
import { benchSecrets, benchSimulator, type BenchKind } from './bench-setup';

/** How often a person's script looks at the first run: as often as cutover's watcher at its busiest. */
const SCRIPT_POLL_MS = 1_000;

type Activities = ReturnType<typeof createActivities>;

async function untilSettled<T extends { state: string }>(read: () => Promise<T>): Promise<T> {
  for (;;) {
    const outcome = await read();
    if (outcome.state !== 'pending') return outcome;
    await delay(SCRIPT_POLL_MS);
  }
}

async function migrateSfmcOne(
  acts: Activities,
  sandbox: string,
  item: SfmcMigrateItem,
  baseConnectionId: string,
) {
  const source = await acts.ensureV2SourceConnection({ sandbox, v1: item.v1, v2: item.v2, baseConnectionId });
  const target = await acts.ensureV2TargetConnection({ sandbox, v1: item.v1 });
  const mapping = await acts.ensureV2MappingSet({ sandbox, v1: item.v1, v2: item.v2 });
  const flow = await acts.ensureV2Flow({
    sandbox,
    v1: item.v1,
    v2: item.v2,
    sourceConnectionId: source.id,
    targetConnectionId: target.id,
    mappingSetId: mapping.id,
  });
  await acts.setFlowEnabled({ sandbox, flowId: item.v1.flowId, enabled: false });
  await untilSettled(() => acts.firstRunOutcome({ sandbox, flowId: flow.id }));
  await acts.deleteFlowServiceObjects({ sandbox, objects: [{ collection: 'flows', id: item.v1.flowId }] });
}

async function migrateMarketoOne(
  acts: Activities,
  sandbox: string,
  item: MarketoMigrateItem,
  baseConnectionId: string,
) {
  const v1 = { flowId: item.v1.flowId, name: item.v1.name };
  const target = item.v2.target;
  const connection = await acts.ensureMarketoTargetConnection({
    sandbox,
    v1,
    target,
    v2: item.v2,
    baseConnectionId,
  });
  const flow = await acts.ensureMarketoV2Flow({
    sandbox,
    v1,
    target,
    sourceConnectionId: item.v1.sourceConnectionId,
    targetConnectionId: connection.id,
  });
  await acts.activateMarketoV2Flow({ sandbox, flowId: flow.id, v2: item.v2 });
  await untilSettled(() => acts.marketoActivationOutcome({ sandbox, flowId: flow.id, v2: item.v2 }));
  await acts.deleteFlowServiceObjects({ sandbox, objects: [{ collection: 'flows', id: item.v1.flowId }] });
}

const explain = (error: unknown) => String(error);

/** Plans the first sandbox (discovery included in the time, as a script reads before it writes) and migrates a sample. */
async function sfmcSample(acts: Activities, config: CutoverConfig, sample: number): Promise<number> {
  const plan = asSfmcMigrationPlan(await sfmcRun.plan(config, sfmcRun.fromConfig(config).input, explain));
  const work = plan.sandboxes[0]!.work.slice(0, sample);
  for (const item of work) {
    const base = await acts.ensureV2BaseConnection({
      sandbox: 'prod',
      v1BaseConnection: { id: item.v1.baseConnection.id, name: item.v1.baseConnection.name },
    });
    await migrateSfmcOne(acts, 'prod', item, base.id);
  }
  return work.length;
}

async function marketoSample(acts: Activities, config: CutoverConfig, sample: number): Promise<number> {
  const plan = asMarketoMigrationPlan(
    await marketoRun.plan(config, marketoRun.fromConfig(config).input, explain),
  );
  const work = plan.sandboxes[0]!.work.slice(0, sample);
  for (const item of work) {
    const base = await acts.ensureMarketoBaseConnection({
      sandbox: 'prod',
      target: item.v2.target,
      v1BaseConnection: { id: item.v1.baseConnection.id, name: item.v1.baseConnection.name },
    });
    await migrateMarketoOne(acts, 'prod', item, base.id);
  }
  return work.length;
}

/**
 * What a person gets with a plain script over the same clients: one
 * dataflow after another (create the V2 objects, switch V1 off or activate,
 * wait for the first run, delete V1), against a simulator with the same
 * quotas and first-run time; timed per item on a sample.
 */
export async function sequentialBaseline(
  kind: BenchKind,
  args: { sample: number; rate: number; 'first-run': number },
  benchConfig: CutoverConfig,
): Promise<{ sample: number; secondsPerItem: number }> {
  const simulator = await benchSimulator(
    kind,
    Math.max(10, args.sample),
    args.rate,
    args['first-run'] * 1000,
  );
  try {
    const origin = new URL(benchConfig.adobe.platformUrl).origin;
    const config = JSON.parse(
      JSON.stringify(benchConfig).split(origin).join(simulator.baseUrl),
    ) as CutoverConfig;
    config.adobe.sandboxes = [{ name: 'prod', autoApprove: true }];
    const acts = createActivities({ config, secrets: benchSecrets() });
    const started = Date.now();
    const migrated =
      kind === 'sfmc'
        ? await sfmcSample(acts, config, args.sample)
        : await marketoSample(acts, config, args.sample);
    return { sample: migrated, secondsPerItem: (Date.now() - started) / 1000 / Math.max(1, migrated) };
  } finally {
    await simulator.close();
  }
}
