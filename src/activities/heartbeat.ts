import { Context } from '@temporalio/activity';

/** Heartbeats inside an activity; a no-op when the same code runs from the CLI (e.g. `cutover sfmc plan`). */
export function heartbeat(details?: unknown): void {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return;
  }
  context.heartbeat(details);
}
