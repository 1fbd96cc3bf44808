import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { workflowSource } from '../../src/temporal/workflow-source';

describe('workflowSource', () => {
  const bundle = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-bundle-')), 'workflow-bundle.js');
  fs.writeFileSync(bundle, '// prebuilt');

  it('uses the prebuilt bundle when running compiled code', () => {
    expect(workflowSource(false, bundle)).toEqual({ workflowBundle: { codePath: bundle } });
  });

  it('bundles the sources on start in development, or when no bundle was built', () => {
    expect(workflowSource(true, bundle)).toEqual({
      workflowsPath: expect.stringMatching(/src\/workflows\/index\.ts$/),
    });
    expect(workflowSource(false, `${bundle}.missing`)).toHaveProperty('workflowsPath');
  });
});
