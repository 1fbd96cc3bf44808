import type { Client } from '@temporalio/client';
import { largestPayloadBytes } from './history';

/** One history of a run: the run itself, a child, or one of a chain a workflow continued as new. */
export interface HistoryFigures {
  workflowId: string;
  runId: string;
  workflowType: string;
  events: number;
  /** The largest payload it holds, as stored (after the codec). */
  largestPayloadBytes: number;
}

/**
 * Every history a run wrote: its own, each child's, and every history of a
 * workflow that continued as new, found by following the events that start
 * them (never by listing, which a test server may not support).
 */
export async function runHistories(
  client: Client,
  workflowId: string,
  /** The first of the run's histories (its latest without): where a chain of continue-as-new starts. */
  firstRunId?: string,
): Promise<HistoryFigures[]> {
  const figures: HistoryFigures[] = [];
  const pending: Array<{ workflowId: string; runId?: string }> = [{ workflowId, runId: firstRunId }];
  while (pending.length) {
    const next = pending.shift()!;
    const history = await client.workflow.getHandle(next.workflowId, next.runId).fetchHistory();
    const events = history.events ?? [];
    for (const event of events) {
      const child = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
      if (child?.workflowId) pending.push({ workflowId: child.workflowId, runId: child.runId ?? undefined });
      const continued = event.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
      if (continued) pending.push({ workflowId: next.workflowId, runId: continued });
    }
    figures.push({
      workflowId: next.workflowId,
      runId: next.runId ?? '',
      workflowType: events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '',
      events: events.length,
      largestPayloadBytes: largestPayloadBytes(history),
    });
  }
  return figures;
}
