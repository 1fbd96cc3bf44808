import type { FlowServiceClient } from '../integrations/flow-service/flow-service-client';
import { where } from '../integrations/flow-service/property-filter';
import type { Run } from '../integrations/flow-service/schemas';
import { activityInfo, heartbeat, waitInActivity } from './heartbeat';

export interface EnsuredObject {
  id: string;
  /** False when an earlier attempt (or run) had already made it. */
  created: boolean;
  /**
   * This attempt followed one that may have created the object without
   * hearing back; a twin is then possible (a list lagging longer than the
   * window), so the workflow checks for one once the window has passed.
   */
  retried: boolean;
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

export interface StoredObject {
  id: string;
  createdAt?: number;
}

/** Oldest first (ties by id), so every attempt and every run agrees on which of several twins is "the" object. */
export function oldestFirst<T extends StoredObject>(objects: T[]): T[] {
  return [...objects].sort(
    (a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0) || a.id.localeCompare(b.id, 'en'),
  );
}

/** Every object of a collection with this (deterministic) name, oldest first. */
export async function findAllByName(
  flowService: FlowServiceClient,
  collection: FlowServiceCollection,
  name: string,
): Promise<StoredObject[]> {
  // Every collection's objects have an id; the union of their generator types is not iterable as one.
  const matches = flowService[collection].list([
    where('name', '==', `"${name}"`),
  ]) as AsyncIterable<StoredObject>;
  return oldestFirst(await collect(matches));
}

/** Where lists lag behind writes, by how much at most (the config's `adobe.listVisibilityWindow`). */
export interface ListConsistency {
  listVisibilityWindowMs: number;
}

/**
 * When, on this worker's clock, anything written up to `since` shows in
 * lists. `since` is an instant on Temporal's clock (a workflow's time, or when
 * an attempt was scheduled), which a time-skipping server runs hours or days
 * ahead of the worker's: whatever the clocks say, the wait is never longer
 * than the window itself.
 */
function visibleBy(since: number, consistency: ListConsistency, now = Date.now()): number {
  return Math.min(since, now) + consistency.listVisibilityWindowMs;
}

/** Waits, inside the activity, until anything created up to `since` (epoch ms) shows in lists. */
export async function settleSince(since: number | undefined, consistency: ListConsistency): Promise<void> {
  if (since === undefined) return;
  const left = visibleBy(since, consistency) - Date.now();
  if (left > 0) await waitInActivity(left);
}

/** How often a retried create looks again while the visibility window has not passed. */
const LOOK_AGAIN_MS = 1_000;

/**
 * Find-or-create that survives a lost answer *and* a list that lags behind
 * writes. A first attempt looks the object up by its deterministic name and
 * creates it when absent. A retried attempt may follow one whose create was
 * committed but whose answer was lost, and a lagging list would not show that
 * object yet: so it keeps looking until the visibility window has passed
 * since the earlier attempt could last have written, and only then creates.
 * Of several objects with the name (twins), the oldest is used.
 */
export async function findOrCreate(
  find: () => Promise<StoredObject[]>,
  create: () => Promise<{ id: string }>,
  consistency: ListConsistency,
): Promise<EnsuredObject> {
  const info = activityInfo();
  const retried = (info?.attempt ?? 1) > 1;
  const settledAt = retried ? visibleBy(info!.currentAttemptScheduledTimestampMs, consistency) : 0;
  for (;;) {
    const [existing] = await find();
    if (existing) return { id: existing.id, created: false, retried };
    const left = settledAt - Date.now();
    if (left <= 0) break;
    await waitInActivity(Math.min(left, LOOK_AGAIN_MS));
  }
  return { id: (await create()).id, created: true, retried };
}

/** Find-or-create in a Flow Service collection, by the object's deterministic name. */
export function findOrCreateByName(
  flowService: FlowServiceClient,
  collection: FlowServiceCollection,
  name: string,
  create: () => Promise<{ id: string }>,
  consistency: ListConsistency,
): Promise<EnsuredObject> {
  return findOrCreate(() => findAllByName(flowService, collection, name), create, consistency);
}

/** One kind of object made for one V1 item: where it lives, its deterministic name, and the id in use, if known. */
export interface NamedObject {
  collection: FlowServiceCollection;
  name: string;
  /** The object the workflow uses (kept by a reconcile, deleted first by a removal). */
  id?: string;
}

/**
 * Deletes, in the given order (dataflows before the connections they use),
 * every object with one of these deterministic names, the known ids first.
 * Finding by name means an object whose create answer was lost is removed
 * too; `uncertainSince` (when a create may have gone unanswered) makes the
 * lookup wait until such an object shows in lists. `keep` reconciles instead:
 * only twins of the object in use go. Returns what was deleted.
 */
export async function deleteByNames(
  flowService: FlowServiceClient,
  objects: NamedObject[],
  consistency: ListConsistency,
  options: { uncertainSince?: number; keep?: boolean } = {},
): Promise<string[]> {
  const removed: string[] = [];
  const remove = async (collection: FlowServiceCollection, id: string) => {
    if ((await flowService[collection].delete(id)) === 'deleted') removed.push(id);
    heartbeat({ removed: removed.length });
  };
  let settled = false;
  // Object by object, so every dataflow (twins included) is gone before the connections they use.
  for (const object of objects) {
    if (!options.keep && object.id) await remove(object.collection, object.id);
    if (!settled) await settleSince(options.uncertainSince, consistency);
    settled = true;
    for (const found of await findAllByName(flowService, object.collection, object.name)) {
      if (found.id !== object.id) await remove(object.collection, found.id);
    }
  }
  return removed;
}
