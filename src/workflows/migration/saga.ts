import {
  ApplicationFailure,
  CancellationScope,
  getExternalWorkflowHandle,
  isCancellation,
  workflowInfo,
} from '@temporalio/workflow';
import type { OutageWait } from '../../domain/outage';
import { describeFailure } from '../shared/failures';
import type { OutageObserver } from '../shared/outage';
import { itemOutageSignal } from './messages';

export interface Compensation {
  what: string;
  undo: () => Promise<unknown>;
}

/** Runs every undo, newest first, even when one fails; reports the ones that did not complete. */
export async function undoAll(compensations: Compensation[]): Promise<string[]> {
  const failed: string[] = [];
  await CancellationScope.nonCancellable(async () => {
    for (const { what, undo } of compensations) {
      try {
        await undo();
      } catch (error) {
        failed.push(`${what}: ${describeFailure(error)}`);
      }
    }
  });
  return failed;
}

/**
 * After a saga step failed (or was cancelled): undo everything, then return
 * the reason for the parent to report. A cancellation is rethrown once undone;
 * an incomplete undo fails the saga, because a person must look.
 */
export async function undoAndExplain(error: unknown, compensations: Compensation[]): Promise<string> {
  const incomplete = await undoAll(compensations);
  if (incomplete.length) {
    throw ApplicationFailure.nonRetryable(
      `rollback incomplete after "${describeFailure(error)}": ${incomplete.join('; ')}`,
      'RollbackIncomplete',
    );
  }
  if (isCancellation(error)) throw error;
  return describeFailure(error);
}

/**
 * Remembers when a create step may have committed without the workflow
 * learning the object's id: a step that failed, or one whose activity had to
 * be retried. Lookups by name (a clean-up, a twin check) then wait for
 * Experience Platform's lists to catch up from that moment.
 */
export class UncertainCreates {
  /** Workflow time (epoch ms) of the latest such step; undefined while every create answered at once. */
  since: number | undefined;

  async track<T extends { retried: boolean }>(step: () => Promise<T>): Promise<T> {
    try {
      const result = await step();
      if (result.retried) this.since = Date.now();
      return result;
    } catch (error) {
      this.since = Date.now();
      throw error;
    }
  }

  /** `{ uncertainSince }` for an activity input, or nothing when every create answered. */
  get input(): { uncertainSince?: number } {
    return this.since === undefined ? {} : { uncertainSince: this.since };
  }
}

/**
 * An item's saga tells its sandbox when a step waits for an API and when it
 * goes on, in order; the sandbox shows the outage once however many wait.
 */
export function outagesToSandbox(): OutageObserver | undefined {
  const parent = workflowInfo().parent;
  if (!parent) return undefined;
  const sandbox = getExternalWorkflowHandle(parent.workflowId);
  let sending: Promise<void> = Promise.resolve();
  const tell = (wait: OutageWait, waiting: boolean) => {
    sending = sending.then(() =>
      CancellationScope.nonCancellable(() => sandbox.signal(itemOutageSignal, { wait, waiting })).catch(
        () => undefined,
      ),
    );
  };
  return { waiting: (wait) => tell(wait, true), resumed: (wait) => tell(wait, false) };
}
