/**
 * Dataflows one run may migrate. Every migrated dataflow adds about seven
 * events to its run's history (its child saga's start and end, and the
 * workflow tasks around them), and Temporal warns past 10,240 events and
 * ends a run past 51,200: above this many, a run is split by sandbox
 * (`--sandbox`), each part its own history.
 */
export const MAX_DATAFLOWS_PER_RUN = 1_400;

/** The blocker for a run that plans more dataflows than one history holds; undefined when it fits. */
export function runSizeBlocker(toMigrate: number, sandboxes: readonly string[]): string | undefined {
  if (toMigrate <= MAX_DATAFLOWS_PER_RUN) return undefined;
  const parts = Math.ceil(toMigrate / MAX_DATAFLOWS_PER_RUN);
  return (
    `${toMigrate} dataflows to migrate in one run is more than one run's history holds (at most ${MAX_DATAFLOWS_PER_RUN}); ` +
    `start ${parts} or more runs, each with some of the sandboxes (--sandbox ${sandboxes[0] ?? 'NAME'} ...), one after another or at once.`
  );
}
