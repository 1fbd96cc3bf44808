import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  explainSdkDownloadFailure,
  resolveTemporalBinary,
  TemporalBinaryNotFoundError,
} from '../../src/temporal/binaries';
import { projectRoot } from '../../src/project-root';

function fakeBinary(dir: string, name: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  return file;
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-bin-'));

describe('resolveTemporalBinary', () => {
  it('prefers the explicit environment variable', () => {
    const explicit = fakeBinary(tmp(), 'my-temporal');
    const resolved = resolveTemporalBinary('cli', { env: { TEMPORAL_CLI_PATH: explicit, PATH: '' } });
    expect(resolved).toMatchObject({ type: 'existing-path', path: explicit, source: 'env' });
  });

  it('rejects an explicit path that does not exist instead of silently falling back', () => {
    expect(() =>
      resolveTemporalBinary('testServer', { env: { TEMPORAL_TEST_SERVER_PATH: '/nope/server' } }),
    ).toThrow(/TEMPORAL_TEST_SERVER_PATH=\/nope\/server \(not an executable file\).*npm run setup:temporal/);
  });

  it('uses the project tools folder before PATH', () => {
    const onPath = tmp();
    fakeBinary(onPath, 'temporal');
    const resolved = resolveTemporalBinary('cli', { env: { PATH: onPath } });
    // This checkout has run setup:temporal (the suite's own dev server needs it).
    expect(resolved).toMatchObject({ type: 'existing-path', source: 'tools' });
    expect(resolved.type === 'existing-path' && resolved.path).toMatch(
      /\.tools\/temporal\/venv\/bin\/temporal$/,
    );
  });

  it('names everything it tried and the fixing command when nothing is usable', () => {
    const error = (() => {
      try {
        resolveTemporalBinary('testServer', {
          env: { PATH: tmp(), TEMPORAL_TEST_SERVER_PATH: '' },
          allowDownload: false,
          toolsDir: tmp(),
        });
      } catch (caught) {
        return caught as Error;
      }
      throw new Error('expected a failure');
    })();
    expect(error).toBeInstanceOf(TemporalBinaryNotFoundError);
    expect(error.message).toContain('TEMPORAL_TEST_SERVER_PATH (unset)');
    expect(error.message).toContain('temporal-test-server (missing)');
    expect(error.message).toContain('`temporal-test-server` on PATH (not found)');
    expect(error.message).toContain('SDK download (disabled by TEMPORAL_DISABLE_DOWNLOAD=1)');
    expect(error.message).toContain('Fix: run `npm run setup:temporal`');
  });

  it('falls back to the SDK download last, and explains a failed download the same way', () => {
    const resolved = resolveTemporalBinary('cli', { env: { PATH: tmp() }, toolsDir: tmp() });
    expect(resolved.type).toBe('sdk-download');
    const explained = explainSdkDownloadFailure('cli', resolved, new Error('error sending request for url'));
    expect(explained.message).toMatch(
      /SDK download \(failed: error sending request for url\).*npm run setup:temporal/,
    );
  });
});

describe('the suite without a dev-server binary', () => {
  it('fails at once with the clear message instead of hanging', () => {
    const run = spawnSync(
      process.execPath,
      [path.join('node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/unit/secrets.test.ts'],
      {
        cwd: projectRoot,
        env: { ...process.env, TEMPORAL_CLI_PATH: '/nonexistent/temporal', CI: 'true' },
        encoding: 'utf8',
        timeout: 50_000,
      },
    );
    expect(run.error).toBeUndefined();
    expect(run.status).not.toBe(0);
    expect(`${run.stdout}${run.stderr}`).toMatch(
      /No Temporal CLI \(dev server\) binary could be used\. Tried, in order: TEMPORAL_CLI_PATH=\/nonexistent\/temporal.*npm run setup:temporal/,
    );
  });
});
