import type { Workflow, WorkflowStartOptions } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { CutoverKind, CutoverOrg } from '../visibility/search-attributes';

/** A run a config asks for: its workflow id and input, or the config problems that stop it from starting. */
export interface RunRequest<I> {
  workflowId: string;
  input: I;
  /** Each says which field and what to do. */
  problems: string[];
}

/** Where and how a run is started; tests on the time-skipping server turn search attributes off. */
export interface StartSettings {
  taskQueue: string;
  /** Defaults to the request's own id; tests add their task queue so parallel files never meet. */
  workflowId?: string;
  useSearchAttributes?: boolean;
}

/** What a kind says about a run of it in the Temporal UI. */
export interface RunListing {
  kind: string;
  orgId: string;
  /** Beyond kind and organisation, e.g. the sandboxes: identifiers only, never personal data. */
  searchAttributes?: SearchAttributePair[];
  summary: string;
  details?: string[];
}

/**
 * The start options every kind shares: one run per workflow id (a second
 * start attaches to the running one), indexed by kind and organisation, with
 * a summary and details the UI shows before the first workflow task.
 */
export function startOptionsFor<W extends Workflow>(
  request: RunRequest<Parameters<W>[0]>,
  listing: RunListing,
  settings: StartSettings,
): WorkflowStartOptions<W> {
  const useSearchAttributes = settings.useSearchAttributes !== false;
  return {
    taskQueue: settings.taskQueue,
    workflowId: settings.workflowId ?? request.workflowId,
    args: [useSearchAttributes ? request.input : { ...request.input, useSearchAttributes }] as Parameters<W>,
    workflowIdConflictPolicy: 'USE_EXISTING',
    ...(useSearchAttributes
      ? {
          typedSearchAttributes: [
            { key: CutoverKind, value: listing.kind },
            { key: CutoverOrg, value: listing.orgId },
            ...(listing.searchAttributes ?? []),
          ],
        }
      : {}),
    staticSummary: listing.summary.slice(0, 200),
    ...(listing.details ? { staticDetails: listing.details.join('\n\n') } : {}),
  } as unknown as WorkflowStartOptions<W>;
}
