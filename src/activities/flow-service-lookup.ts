import { ApplicationFailure } from '@temporalio/common';
import type { KnownSpec } from '../integrations/flow-service/catalog';
import type { FlowServiceClient } from '../integrations/flow-service/flow-service-client';
import { where } from '../integrations/flow-service/property-filter';
import type { Run } from '../integrations/flow-service/schemas';

export interface EnsuredObject {
  id: string;
  /** False when an earlier attempt (or run) had already made it. */
  created: boolean;
}

export type FirstRunOutcome =
  | { state: 'pending' }
  | { state: 'success'; runId: string; inputRecordCount: number }
  | { state: 'failed'; runId: string; errors: string[] };

export type FlowServiceCollection = 'flows' | 'sourceConnections' | 'targetConnections' | 'connections';

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

export async function specId(
  flowService: FlowServiceClient,
  spec: KnownSpec,
  kind: 'connection' | 'flow',
): Promise<string> {
  const found =
    kind === 'connection'
      ? await flowService.findConnectionSpecByName(spec.name)
      : await flowService.findFlowSpecByName(spec.name);
  if (!found) {
    throw ApplicationFailure.nonRetryable(
      `Experience Platform has no ${kind} spec named "${spec.name}" (${spec.label}); check the catalogue of this organisation`,
      'SpecNotFound',
    );
  }
  return found.id;
}

export function runOutcome(run: Run): FirstRunOutcome {
  const status = (run.metrics?.statusSummary?.status ?? '').toLowerCase();
  if (['success', 'completed'].includes(status)) {
    return {
      state: 'success',
      runId: run.id,
      inputRecordCount: run.metrics?.recordSummary?.inputRecordCount ?? 0,
    };
  }
  if (['failed', 'partial_failure', 'partial_success'].includes(status)) {
    const errors = (run.metrics?.statusSummary?.errors ?? []).map((error) =>
      `${error.code ?? 'error'}: ${error.message ?? ''}`.trim(),
    );
    return { state: 'failed', runId: run.id, errors };
  }
  return { state: 'pending' };
}

export async function findByName(
  flowService: FlowServiceClient,
  collection: FlowServiceCollection,
  name: string,
) {
  // Every collection's objects have an id; the union of their generator types is not iterable as one.
  const matches = flowService[collection].list([where('name', '==', `"${name}"`)]) as AsyncIterable<{
    id: string;
  }>;
  const [found] = await collect(matches);
  return found;
}

/** Finds the object an earlier attempt made by its deterministic name, or creates it. */
export async function findOrCreate(
  flowService: FlowServiceClient,
  collection: FlowServiceCollection,
  name: string,
  create: () => Promise<{ id: string }>,
): Promise<EnsuredObject> {
  const existing = await findByName(flowService, collection, name);
  if (existing) return { id: existing.id, created: false };
  return { id: (await create()).id, created: true };
}

/**
 * Deletes, in the given order, every object with one of these deterministic
 * names (dataflows before the connections they use). Finding by name means an
 * object whose create answer was lost is removed too. Returns what was deleted.
 */
export async function deleteByNames(
  flowService: FlowServiceClient,
  objects: ReadonlyArray<readonly [FlowServiceCollection, string]>,
  onProgress: (deleted: number) => void = () => {},
): Promise<string[]> {
  const removed: string[] = [];
  for (const [collection, name] of objects) {
    const found = await findByName(flowService, collection, name);
    if (found) {
      await flowService[collection].delete(found.id);
      removed.push(found.id);
    }
    onProgress(removed.length);
  }
  return removed;
}
