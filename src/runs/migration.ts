import type { Client } from '@temporalio/client';
import type { CutoverConfig } from '../config/schema';
import { CutoverSandboxes } from '../visibility/search-attributes';
import type { MigrationProgress, MigrationRunInput } from '../workflows/migration/messages';
import type { RunPlan, SandboxPlanView } from '../workflows/migration/plan';
import { migrationWorkflowId, outageTolerancesOf, runScope } from './scope';
import { startOptionsFor, type RunRequest, type StartSettings } from './start';

/** Words a failed credential check as a blocker, or throws what the person must fix in the config first. */
export type ExplainBlocker = (error: unknown) => string;

/** What a plan table reads of every item, whatever the kind. */
export type PlannedItemView = { v1: { name: string } } & (
  { action: 'migrate'; warnings: string[] } | { action: 'skip'; reason: string; detail: string }
);

/** One sandbox's plan as the plan table reads it. */
export type PlanTableView = SandboxPlanView<PlannedItemView>;

/** Everything about one kind of V1 -> V2 migration: what the CLI, the demo, the benches and the tests read. */
export interface MigrationRunKind<
  I extends MigrationRunInput = MigrationRunInput,
  P extends PlanTableView = PlanTableView,
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
  /** The kind's own columns of the plan table, between the action and the reason or warnings. */
  planColumns: string[];
  planCells(item: P['items'][number]): string[];
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

/**
 * A migration request over the config's sandboxes (or the ones asked for):
 * its id, scope and approval are the same for every kind; `kindInput` adds
 * the kind's options and may add problems of its own section.
 */
export function migrationRequest<I extends MigrationRunInput>(
  kind: MigrationRunKind['kind'],
  config: CutoverConfig,
  onlySandboxes: string[] | undefined,
  kindInput: (problems: string[]) => Omit<I, keyof MigrationRunInput> & Pick<I, 'concurrency'>,
): RunRequest<I> {
  const scope = runScope(config, onlySandboxes);
  const problems = [...scope.problems];
  const own = kindInput(problems);
  return {
    workflowId: migrationWorkflowId(kind, config.adobe.orgId, scope.sandboxes),
    problems,
    input: {
      orgId: config.adobe.orgId,
      sandboxes: scope.sandboxes,
      approval: scope.approval,
      ...outageTolerancesOf(config),
      ...own,
    } as I,
  };
}

/** The plan as a table: one row per V1 dataflow, the kind's own cells between its action and its reasons. */
export function planTable<P extends PlanTableView>(
  run: Pick<MigrationRunKind<MigrationRunInput, P>, 'planColumns' | 'planCells'>,
  plans: P[],
) {
  return {
    columns: ['sandbox', 'V1 dataflow', 'action', ...run.planColumns, 'reason or warnings'],
    rows: plans.flatMap((plan) =>
      plan.items.map((item: P['items'][number]) => [
        plan.sandbox,
        item.v1.name,
        item.action === 'migrate' ? 'migrate' : `skip (${item.reason})`,
        ...run.planCells(item),
        item.action === 'migrate' ? item.warnings.join('; ') : item.detail,
      ]),
    ),
  };
}
