export { doctorWorkflow } from './doctor';
export { sfmcDataflowMigrationWorkflow } from './sfmc/dataflow-migration';
export { sfmcMigrationWorkflow } from './sfmc/migration';
