import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../project-root';

export const WORKFLOW_BUNDLE_PATH = path.join(projectRoot, 'dist', 'workflow-bundle.js');

/**
 * Compiled code (production) uses the bundle prebuilt by `npm run build`, so
 * workers start without webpack; running from TypeScript sources bundles on start.
 */
export function workflowSource(
  runningFromSource = __filename.endsWith('.ts'),
  bundlePath = WORKFLOW_BUNDLE_PATH,
) {
  if (!runningFromSource && fs.existsSync(bundlePath)) {
    return { workflowBundle: { codePath: bundlePath } };
  }
  // The same extension as this file: `.ts` under tsx/vitest, `.js` once compiled.
  return { workflowsPath: path.join(__dirname, '..', 'workflows', `index${path.extname(__filename)}`) };
}
