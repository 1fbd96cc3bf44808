import fs from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../src/codec/data-converter';
import { WORKFLOW_BUNDLE_PATH } from '../src/temporal/workflow-source';

async function main() {
  const { code } = await bundleWorkflowCode({
    workflowsPath: path.join(__dirname, '..', 'src', 'workflows', 'index.ts'),
    failureConverterPath: FAILURE_CONVERTER_PATH,
  });
  await fs.mkdir(path.dirname(WORKFLOW_BUNDLE_PATH), { recursive: true });
  await fs.writeFile(WORKFLOW_BUNDLE_PATH, code);
  console.log(
    `Workflow bundle written to ${path.relative(process.cwd(), WORKFLOW_BUNDLE_PATH)} (${code.length} bytes).`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
