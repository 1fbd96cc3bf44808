import { DEMO_SFMC } from '../seeds/demo-catalog';
import { newEtag, type FlowSimulation, type RunPlan, type SandboxData, type StoredRecord } from './records';

const FREQUENCY_MS: Record<string, number> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
};

/** Runs materialised at most per flow per read, so a long-idle simulator does not explode. */
const MAX_CATCH_UP_RUNS = 24;

function stableHash(text: string): number {
  let hash = 2166136261;
  for (const char of text) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  return hash;
}

/** Rows a run reads: the data extension's size when known, else a stable number per source object. */
export function simulatedRecordCount(sourceObject: string): number {
  const wanted = sourceObject.toLowerCase();
  // A V1 object ("Subscriber"), a data extension name ("Subscribers") or its customer key all read the same rows.
  const extension = DEMO_SFMC.dataExtensions.find(
    (candidate) =>
      [candidate.name.toLowerCase(), candidate.customerKey.toLowerCase()].includes(wanted) ||
      candidate.name.toLowerCase() === `${wanted}s`,
  );
  return extension?.rowCount ?? 500 + (stableHash(sourceObject) % 20_000);
}

function sourceObjectOf(flow: StoredRecord, sandbox: SandboxData): string {
  const sourceId = (flow.sourceConnectionIds as string[] | undefined)?.[0];
  const source = sourceId ? sandbox.sourceConnections[sourceId] : undefined;
  const params = (source?.params ?? {}) as Record<string, unknown>;
  return String(params.path ?? params.tableName ?? flow.name);
}

function intervalMs(flow: StoredRecord): number | undefined {
  const schedule = flow.scheduleParams as { frequency?: string; interval?: string | number } | undefined;
  const unit = schedule?.frequency ? FREQUENCY_MS[schedule.frequency] : undefined;
  if (!unit) return (flow._sim as FlowSimulation | undefined)?.activationIntervalMs;
  return unit * Math.max(1, Number(schedule?.interval ?? 1));
}

export function planRun(
  flow: StoredRecord,
  sandbox: SandboxData,
  startedAt: number,
  durationMs: number,
): RunPlan {
  const simulation = flow._sim as FlowSimulation | undefined;
  const waiting = (simulation?.succeedBeforeFailing ?? 0) > 0;
  if (waiting) simulation!.succeedBeforeFailing! -= 1;
  const failing = !waiting && (simulation?.failNextRuns ?? 0) > 0;
  if (failing) simulation!.failNextRuns! -= 1;
  const records = simulation?.emptyRuns ? 0 : simulatedRecordCount(sourceObjectOf(flow, sandbox));
  return {
    outcome: failing ? 'failed' : 'success',
    startedAt,
    completesAt: startedAt + durationMs,
    inputRecords: records,
    failedRecords: failing ? records : 0,
  };
}

export function createRunRecord(
  flow: StoredRecord,
  sandbox: SandboxData,
  id: string,
  startedAt: number,
  durationMs: number,
  meta: { orgId: string; sandboxName: string },
): StoredRecord {
  return {
    id,
    etag: newEtag(id),
    createdAt: startedAt,
    updatedAt: startedAt,
    flowId: flow.id,
    flowSpec: flow.flowSpec,
    imsOrgId: meta.orgId,
    sandboxId: sandbox.sandboxId,
    sandboxName: meta.sandboxName,
    providerRefId: id.slice(0, 8),
    _plan: planRun(flow, sandbox, startedAt, durationMs),
  };
}

/** Creates the runs a flow's schedule owes up to `now`; disabled flows run nothing. */
export function materialiseScheduledRuns(
  flow: StoredRecord,
  sandbox: SandboxData,
  now: number,
  durationMs: number,
  newId: () => string,
  meta: { orgId: string; sandboxName: string },
): boolean {
  const every = intervalMs(flow);
  const simulation = (flow._sim ??= {}) as FlowSimulation;
  if (!every || flow.state !== 'enabled' || simulation.nextRunAt === undefined) return false;
  let changed = false;
  let created = 0;
  const behind = now - simulation.nextRunAt;
  if (behind > every * MAX_CATCH_UP_RUNS) {
    // Skip whole intervals so the schedule keeps its phase.
    simulation.nextRunAt += (Math.floor(behind / every) - MAX_CATCH_UP_RUNS + 1) * every;
  }
  while (simulation.nextRunAt <= now && created < MAX_CATCH_UP_RUNS) {
    const id = newId();
    sandbox.runs[id] = createRunRecord(flow, sandbox, id, simulation.nextRunAt, durationMs, meta);
    simulation.nextRunAt += every;
    created += 1;
    changed = true;
  }
  return changed;
}

/** The served run: status and metrics follow the plan and the simulated time. */
export function runView(run: StoredRecord, now: number): Record<string, unknown> {
  const plan = run._plan as RunPlan;
  const finished = now >= plan.completesAt;
  const status = !finished ? 'inProgress' : plan.outcome;
  const { _plan: _ignored, etag, ...rest } = run;
  return {
    ...rest,
    eTag: etag,
    metrics: {
      durationSummary: {
        startedAtUTC: plan.startedAt,
        ...(finished ? { completedAtUTC: plan.completesAt } : {}),
      },
      recordSummary: finished
        ? {
            inputRecordCount: plan.inputRecords,
            outputRecordCount: plan.inputRecords - plan.failedRecords,
            failedRecordCount: plan.failedRecords,
          }
        : {},
      statusSummary: {
        status,
        ...(finished && plan.outcome === 'failed'
          ? {
              errors: [
                {
                  code: 'CONNECTOR-2001-500',
                  message: 'Something went wrong while reading from the source.',
                },
              ],
            }
          : {}),
      },
    },
  };
}

/** `lastRunDetails` of a flow, from its newest run. */
export function lastRunDetails(
  flowId: string,
  sandbox: SandboxData,
  now: number,
): Record<string, unknown> | undefined {
  const latest = Object.values(sandbox.runs)
    .filter((run) => run.flowId === flowId && run.createdAt <= now)
    .sort((a, b) => b.createdAt - a.createdAt)[0];
  if (!latest) return undefined;
  const plan = latest._plan as RunPlan;
  const finished = now >= plan.completesAt;
  return {
    id: latest.id,
    state: finished ? plan.outcome : 'inProgress',
    startedAtUTC: plan.startedAt,
    ...(finished ? { completedAtUTC: plan.completesAt } : {}),
  };
}
