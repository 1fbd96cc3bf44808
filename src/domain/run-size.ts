/**
 * Dataflows one sandbox may migrate in a run. Each sandbox migrates in its own
 * child workflow, whose input carries every dataflow's plan (a kilobyte or
 * two each, under Temporal's 2 MB payload limit) and whose history gains
 * about seven events per dataflow (under the 10,240-event warning).
 */
export const MAX_DATAFLOWS_PER_SANDBOX = 1_000;

/**
 * Dataflows one run may migrate: the most measured to complete. The run's
 * result is every dataflow's standing, 2.2 MB of JSON at 10,000, which
 * Temporal accepts only because large payloads are stored compressed (458 KB
 * measured); its history then held 5,002 events, under the 10,240 warning.
 */
export const MAX_DATAFLOWS_PER_RUN = 10_000;

/** What blocks a run for its size, one line per problem; empty when it fits. */
export function runSizeBlockers(toMigrate: ReadonlyArray<{ sandbox: string; count: number }>): string[] {
  const sandboxes = toMigrate.map(({ sandbox }) => sandbox);
  const total = toMigrate.reduce((sum, { count }) => sum + count, 0);
  const blockers = toMigrate
    .filter(({ count }) => count > MAX_DATAFLOWS_PER_SANDBOX)
    .map(
      ({ sandbox, count }) =>
        `${sandbox}: ${count} dataflows to migrate is more than one sandbox's history holds (at most ${MAX_DATAFLOWS_PER_SANDBOX}); ` +
        `cutover cannot migrate this sandbox in one run yet. Nothing was changed.`,
    );
  if (total > MAX_DATAFLOWS_PER_RUN) {
    const parts = Math.ceil(total / MAX_DATAFLOWS_PER_RUN);
    blockers.push(
      `${total} dataflows to migrate in one run is more than one run holds (at most ${MAX_DATAFLOWS_PER_RUN}); ` +
        `start ${parts} or more runs, each with some of the sandboxes (--sandbox ${sandboxes[0] ?? 'NAME'} ...), one after another or at once.`,
    );
  }
  return blockers;
}
