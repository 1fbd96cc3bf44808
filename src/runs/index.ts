import { marketoRun } from './marketo';
import type { MigrationRunKind } from './migration';
import { sfmcRun } from './sfmc';

export { doctorRun } from './doctor';
export { INGESTION_KINDS } from './ingestion';
export { marketoRun } from './marketo';
export { salesConnectRun } from './sales-connect';
export { sfmcRun } from './sfmc';

/** The V1 -> V2 migrations, in the order the CLI lists them: the only list of them. */
export const MIGRATION_RUNS: ReadonlyArray<MigrationRunKind> = [sfmcRun, marketoRun];
