import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { FlowCursor, WindowFailure } from '../../activities/ingestion-windows';
import type { WindowRange } from '../../domain/ingestion/windows';

export interface IngestionFlow {
  sandbox: string;
  flowId: string;
  name?: string;
}

/** What every run of one ingestion schedule gets; plain settings, no secrets. */
export interface IngestionSettings {
  /** The config name of the schedule; its id is `ingestion/<name>`. */
  schedule: string;
  flows: IngestionFlow[];
  windowSeconds: number;
  maxWindowsPerRun: number;
  attemptsPerWindow: number;
  /** How long one Flow Service run may take. */
  runTimeout: string;
  pauseAfterFailures?: number;
  /** Flows ingesting at once across the run; the default when absent. */
  concurrency?: number;
  /** When runs start: the interval, or cron expressions. Kept here so `sync` sees every setting in one place. */
  spec: { interval: string; cron?: string[]; catchupWindow: string };
  useSearchAttributes?: boolean;
}

export interface BackfillInput extends IngestionSettings {
  /** The period to re-ingest, unix seconds; cut into the schedule's windows. */
  from: number;
  to: number;
}

/** The window a flow stopped at in a run, and why. */
export interface FailedWindow extends WindowFailure, IngestionFlow {}

/** Where a run's windows stand, summed over its flows. */
export interface WindowTally {
  /** Windows the run means to ingest (known once each flow's standing is read). */
  planned: number;
  succeeded: number;
  /** Windows that failed every attempt: at most one per flow, which stops there. */
  failed: number;
  records: number;
  failedRecords: number;
  /** Flows done: every window ingested, or stopped at a failed one. */
  flowsDone: number;
}

export const NO_WINDOWS: WindowTally = {
  planned: 0,
  succeeded: 0,
  failed: 0,
  records: 0,
  failedRecords: 0,
  flowsDone: 0,
};

export interface IngestionProgress {
  /** The time this run stands for (the schedule's action time, or the backfill's end), ISO 8601. */
  scheduledAt: string;
  status: 'running' | 'success' | 'failed';
  dataflows: number;
  windows: WindowTally;
  /** The first failed windows, in flow order; `moreFailures` were left out. */
  failures: FailedWindow[];
  moreFailures: number;
}

export const ingestionProgressQuery = defineQuery<IngestionProgress>('progress');

/** One flow of a group: its windows in this run and where it stands in them, once known. */
export interface GroupFlow extends IngestionFlow {
  range?: WindowRange;
  cursor?: FlowCursor;
  done?: boolean;
}

/** A group's windows as far as it has gone, carried across continue-as-new. */
export interface GroupTally extends WindowTally {
  failures: FailedWindow[];
}

/** What a group of flows ingests in a run, and how. */
export interface IngestionGroupInput {
  /** The run the group reports to. */
  runWorkflowId: string;
  schedule: string;
  group: number;
  flows: GroupFlow[];
  windowSeconds: number;
  attemptsPerWindow: number;
  runTimeoutMs: number;
  /** Flows of this group ingesting at once. */
  lanes: number;
  /** A scheduled run: each flow from where it stands, up to `end`, at most `maxWindowsPerRun`. */
  scheduled?: { end: number; maxWindowsPerRun: number };
  /** A backfill: every flow over `range`, redoing runs made before `notBefore` (epoch ms). */
  backfill?: { range: WindowRange; notBefore: number };
  /** Settled windows between two reports to the run. */
  reportEvery: number;
  /** Carried across continue-as-new; absent on the first run. */
  tally?: GroupTally;
  /** Failures already reported to the run. */
  failuresReported?: number;
  /** Events after which the group continues as new; tests make it small. */
  historyBudget?: number;
}

/** A group's news for its run: its tally so far, and the failures since its last report. */
export interface GroupReport {
  group: number;
  tally: WindowTally;
  newFailures: FailedWindow[];
}

export const groupReportSignal = defineSignal<[GroupReport]>('groupReport');
export const groupProgressQuery = defineQuery<GroupTally>('progress');

export function scheduleIdOf(name: string): string {
  return `ingestion/${name}`;
}
