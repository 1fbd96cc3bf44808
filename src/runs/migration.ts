import type { Client } from '@temporalio/client';
import type { CutoverConfig } from '../config/schema';
import { CutoverSandboxes } from '../visibility/search-attributes';
import type { MigrationProgress, MigrationRunInput } from '../workflows/migration/messages';
import { startOptionsFor, type RunRequest, type StartSettings } from './start';

/** What a plan shows and the run does, per sandbox; the kind's own table reads the rest. */
export interface SandboxPlanView {
  sandbox: string;
  items: Array<{ action: string }>;
  blockers: string[];
}

/** A kind's plan of a whole run: one plan per sandbox and what blocks the run before its first write. */
export interface RunPlan<P extends SandboxPlanView = SandboxPlanView> {
  plans: P[];
  blockers: string[];
}

/** Words a failed credential check as a blocker, or throws what the person must fix in the config first. */
export type ExplainBlocker = (error: unknown) => string;

/** Everything about one kind of V1 -> V2 migration: what the CLI, the demo, the benches and the tests read. */
export interface MigrationRunKind<
  I extends MigrationRunInput = MigrationRunInput,
  P extends SandboxPlanView = SandboxPlanView,
> {
  /** The CutoverKind search attribute of its runs. */
  kind: 'sfmc-migration' | 'marketo-migration';
  /** The CLI word, e.g. "sfmc". */
  command: string;
  /** Human name, e.g. "SFMC source V1 -> V2". */
  title: string;
  workflow(input: I): Promise<MigrationProgress>;
  fromConfig(config: CutoverConfig, sandboxes?: string[]): RunRequest<I>;
  /**
   * The dry run: the workflow's own plan pipeline over the same activities,
   * run from this machine, changing nothing.
   */
  plan(config: CutoverConfig, input: I, explain: ExplainBlocker): Promise<RunPlan<P>>;
  /** The plan as a table: one row per V1 dataflow. */
  planColumns: string[];
  planRows(plans: P[]): string[][];
  /** What a migrated item is called in the plan's summary, e.g. "dataflow(s) to migrate". */
  migrateLabel: string;
}

/** Start options of a migration: indexed by kind, org and sandboxes, with who must approve each sandbox. */
export function migrationStartOptions<I extends MigrationRunInput>(
  run: MigrationRunKind<I>,
  request: RunRequest<I>,
  settings: StartSettings,
) {
  const { input } = request;
  return startOptionsFor<(input: I) => Promise<MigrationProgress>>(
    request,
    {
      kind: run.kind,
      orgId: input.orgId,
      searchAttributes: [{ key: CutoverSandboxes, value: input.sandboxes }],
      summary: `${run.title} for ${input.sandboxes.join(', ')}`,
      details: [
        `**Organisation:** ${input.orgId}`,
        `**Sandboxes:** ${input.sandboxes.map((name) => `${name} (${input.approval[name]?.autoApprove ? 'auto-approve' : 'needs approval'})`).join(', ')}`,
        'Use the `progress` query for per-dataflow state; `approve` / `reject` updates decide the cut-over.',
      ],
    },
    settings,
  );
}

/** Starts a migration request (or attaches to its running run), type-checked against the kind's workflow. */
export function startMigrationRequest<I extends MigrationRunInput>(
  client: Client,
  run: MigrationRunKind<I>,
  request: RunRequest<I>,
  settings: StartSettings,
) {
  return client.workflow.start(run.workflow, migrationStartOptions(run, request, settings));
}
