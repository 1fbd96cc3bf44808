import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SecretRef } from '../../src/config/secret-ref';
import { Redactor, SecretResolutionError, SecretResolver } from '../../src/config/secrets';

const ref = (value: string) => value as SecretRef;

describe('SecretResolver', () => {
  it('resolves env: and file: references and remembers the values for redaction', async () => {
    const redactor = new Redactor();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-secret-'));
    fs.writeFileSync(path.join(dir, 'token'), 'file-secret-123\n');
    const resolver = new SecretResolver({ ADOBE_SECRET: 'env-secret-456' }, redactor);

    expect(await resolver.resolve(ref('env:ADOBE_SECRET'))).toBe('env-secret-456');
    expect(await resolver.resolve(ref(`file:${path.join(dir, 'token')}`))).toBe('file-secret-123');
    expect(redactor.redact('auth failed for env-secret-456 and file-secret-123')).toBe(
      'auth failed for [redacted] and [redacted]',
    );
  });

  it('says which reference is missing and how to fix it, without any value', async () => {
    const resolver = new SecretResolver({}, new Redactor());
    await expect(resolver.resolve(ref('env:MISSING_SECRET'))).rejects.toThrow(
      new SecretResolutionError(
        "The secret reference env:MISSING_SECRET points to an environment variable that is not set in the worker's environment. Set MISSING_SECRET where the worker runs.",
      ),
    );
    await expect(resolver.resolve(ref('file:/nonexistent/secret'))).rejects.toThrow(
      'The secret reference file:/nonexistent/secret cannot be read (ENOENT). Create the file or fix the path.',
    );
  });

  it('treats an empty secret as an error', async () => {
    const resolver = new SecretResolver({ EMPTY: '  ' }, new Redactor());
    await expect(resolver.resolve(ref('env:EMPTY'))).rejects.toThrow(
      'The secret in environment variable EMPTY is empty.',
    );
  });
});
