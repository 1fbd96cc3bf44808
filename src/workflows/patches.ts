/**
 * Workflow changes a worker still running older code would not replay,
 * each guarded with `patched(id)` so open runs keep their recorded path.
 * A rolling deploy puts both codes on the task queue at once, and a run may
 * stay open for its retention period, so a patch is deprecated
 * (`deprecatePatch`) only once no run started before it can still be open,
 * and removed a deploy after that. Each has a history recorded before it in
 * test/fixtures/histories, replayed by test/integration/replay-across-deploy.test.ts.
 */
export const PATCHES = {
  /** Sales Connect: after the wait, check Marketo is still connected before inviting anyone. */
  marketoRecheckedAfterWait: 'sales-connect-marketo-rechecked-after-wait',
  /** Ingestion: flows in groups of child workflows, windows in slices (src/workflows/ingestion/legacy.ts before). */
  ingestionInGroups: 'ingestion-in-groups',
  /** Migrations: a sandbox that fails rolls back itself only; before, the run cancelled every sandbox. */
  sandboxFailureStaysInSandbox: 'migration-sandbox-failure-stays-in-sandbox',
  /** Migrations: an item whose V2 is not confirmed at cut-over gets its V1 back as it was (SFMC: enabled again), not only kept. */
  unconfirmedItemsRestored: 'migration-unconfirmed-items-restored',
} as const;
