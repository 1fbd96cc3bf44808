import { defineQuery } from '@temporalio/workflow';

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
  /** When runs start: the interval, or cron expressions. Kept here so `sync` sees every setting in one place. */
  spec: { interval: string; cron?: string[]; catchupWindow: string };
  useSearchAttributes?: boolean;
}

export interface BackfillInput extends IngestionSettings {
  /** The period to re-ingest, unix seconds; cut into the schedule's windows. */
  from: number;
  to: number;
}

export interface WindowResult {
  start: number;
  end: number;
  status: 'success' | 'failed';
  attempts: number;
  runId?: string;
  records?: number;
  failedRecords?: number;
  reason?: string;
}

export interface FlowIngestion extends IngestionFlow {
  windows: WindowResult[];
}

export interface IngestionProgress {
  /** The time this run stands for (the schedule's action time), ISO 8601. */
  scheduledAt: string;
  status: 'running' | 'success' | 'failed';
  flows: FlowIngestion[];
}

export const ingestionProgressQuery = defineQuery<IngestionProgress>('progress');

export function scheduleIdOf(name: string): string {
  return `ingestion/${name}`;
}
