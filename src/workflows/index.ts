export { doctorWorkflow } from './doctor';
export { marketoDataflowMigrationWorkflow } from './marketo/dataflow-migration';
export { marketoMigrationWorkflow } from './marketo/migration';
export { sfmcDataflowMigrationWorkflow } from './sfmc/dataflow-migration';
export { sfmcMigrationWorkflow } from './sfmc/migration';
export { salesConnectProvisioningWorkflow } from './sales-connect/provisioning';
export { ingestionBackfillWorkflow, scheduledIngestionWorkflow } from './ingestion/ingestion';
