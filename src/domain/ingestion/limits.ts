/**
 * Dataflows one ingestion schedule (or backfill) may cover. Every run's input
 * carries the list (about a hundred bytes a dataflow, stored in the schedule
 * and in each run's history), which stays under ~500 KB here, far from
 * Temporal's 2 MB payload limit; windows have no such limit, since each group
 * of flows continues as new when its history grows.
 */
export const MAX_FLOWS_PER_SCHEDULE = 5_000;

/** Why a schedule's flows are too many for one schedule, and what to do; undefined when they fit. */
export function scheduleSizeProblem(schedule: string, flows: number): string | undefined {
  if (flows <= MAX_FLOWS_PER_SCHEDULE) return undefined;
  return (
    `ingestion.schedules "${schedule}": ${flows} dataflows is more than one schedule covers (at most ${MAX_FLOWS_PER_SCHEDULE}); ` +
    `split it into ${Math.ceil(flows / MAX_FLOWS_PER_SCHEDULE)} or more schedules, e.g. one per sandbox ({sandbox: NAME}) or each with some flowIds. Nothing was changed.`
  );
}
