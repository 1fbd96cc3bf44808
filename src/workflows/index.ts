export { doctorWorkflow } from './doctor';
export { marketoDataflowMigrationWorkflow } from './marketo/dataflow-migration';
export { marketoMigrationWorkflow, marketoSandboxMigrationWorkflow } from './marketo/migration';
export { sfmcDataflowMigrationWorkflow } from './sfmc/dataflow-migration';
export { sfmcMigrationWorkflow, sfmcSandboxMigrationWorkflow } from './sfmc/migration';
export { salesConnectProvisioningWorkflow } from './sales-connect/provisioning';
export {
  ingestionBackfillWorkflow,
  ingestionGroupWorkflow,
  scheduledIngestionWorkflow,
} from './ingestion/ingestion';
