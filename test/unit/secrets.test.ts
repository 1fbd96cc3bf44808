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
      "The secret reference file:/nonexistent/secret cannot be read in the worker's environment (ENOENT). Create the file or fix the path.",
    );
    const cli = new SecretResolver({}, new Redactor(), { role: 'cli' });
    await expect(cli.resolve(ref('env:MISSING_SECRET'))).rejects.toThrow(
      'The secret reference env:MISSING_SECRET points to an environment variable that is not set in this shell (the cutover CLI resolves it for this command). Set MISSING_SECRET before running cutover.',
    );
  });

  it('reads file: references only inside the allowed folders, never showing what a refused file holds', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-confined-'));
    const configDir = path.join(root, 'config');
    const shared = path.join(root, 'shared');
    fs.mkdirSync(configDir);
    fs.mkdirSync(shared);
    fs.writeFileSync(path.join(configDir, 'adobe'), 'inside-secret');
    fs.writeFileSync(path.join(shared, 'marketo'), 'allowed-secret');
    fs.writeFileSync(path.join(root, 'outside'), 'root:x:0:0:do-not-print');
    fs.symlinkSync(path.join(root, 'outside'), path.join(configDir, 'link'));
    const resolver = new SecretResolver({}, new Redactor(), {
      role: 'cli',
      fileDirectories: [configDir, shared],
    });

    expect(await resolver.resolve(ref(`file:${path.join(configDir, 'adobe')}`))).toBe('inside-secret');
    expect(await resolver.resolve(ref(`file:${path.join(shared, 'marketo')}`))).toBe('allowed-secret');
    for (const escape of [path.join(configDir, '..', 'outside'), path.join(configDir, 'link')]) {
      const error = (await resolver
        .resolve(ref(`file:${escape}`))
        .catch((caught: unknown) => caught)) as Error;
      expect(error).toBeInstanceOf(SecretResolutionError);
      expect(error.message).toBe(
        `The secret reference file:${escape} points outside the config file's folder (${configDir}), so it was not read. Keep secret files next to the config, or list their folder in secrets.allowFilesIn.`,
      );
      expect(error.message).not.toContain('do-not-print');
    }
  });

  it('treats an empty secret as an error', async () => {
    const resolver = new SecretResolver({ EMPTY: '  ' }, new Redactor());
    await expect(resolver.resolve(ref('env:EMPTY'))).rejects.toThrow(
      'The secret in environment variable EMPTY is empty.',
    );
  });
});

describe('Redactor, whatever escapes a remote wrote the secret in', () => {
  // Non-ASCII, quotes, a newline and a backslash: every escape family spells these differently.
  const SECRET = 'p€ss "q" \nb\\é';
  const redactor = new Redactor();
  redactor.remember(SECRET);
  const echoes: Record<string, string> = {
    'JSON, non-ASCII escaped (Python json.dumps)': String.raw`"p\u20acss \"q\" \nb\\\u00e9"`,
    'JSON escaped twice (an echo inside an echo)': String.raw`"p\\u20acss \\\"q\\\" \\nb\\\\\\u00e9"`,
    'JSON, upper-case hex': String.raw`"p\u20ACss \"q\" \nb\\\u00E9"`,
    'percent, lower-case hex': 'p%e2%82%acss%20%22q%22%20%0ab%5c%c3%a9',
    'form, spaces as +': 'p%E2%82%ACss+%22q%22+%0Ab%5C%C3%A9',
    'HTML entities': 'p&#8364;ss &quot;q&quot; \nb\\&#xe9;',
    'Python bytes repr': String.raw`b'p\xe2\x82\xacss "q" \nb\\\xc3\xa9'`,
    'UTF-8 read as Latin-1': 'pâ\u0082¬ss "q" \nb\\Ã©',
  };

  it.each(Object.entries(echoes))('finds it in %s', (_how, echo) => {
    const scrubbed = redactor.redact(`invalid_client: {"client_secret": ${echo}} (request 7)`);
    expect(scrubbed).toContain('[redacted]');
    expect(scrubbed).not.toMatch(/ss|q.+b|€|e2|20ac|8364/i);
    expect(scrubbed).toContain('(request 7)');
  });

  it('leaves text with no secret exactly as it was, escapes and all', () => {
    const text = String.raw`{"error":"bad \"grant\"","hint":"100% sure","path":"a%2Fb","x":"\u00e9"}`;
    expect(redactor.redact(text)).toBe(text);
  });
});
