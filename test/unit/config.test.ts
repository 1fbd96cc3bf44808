import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, parseConfig, secretResolverFor } from '../../src/config/load';
import { projectRoot } from '../../src/project-root';

const minimal = {
  adobe: {
    orgId: 'ABC123@AdobeOrg',
    clientId: 'client',
    clientSecret: 'env:ADOBE_SECRET',
    scopes: ['openid'],
    sandboxes: [{ name: 'prod' }],
  },
};

function problemsOf(raw: unknown): string[] {
  try {
    parseConfig(raw, 'cutover.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected the config to be rejected');
}

describe('config files', () => {
  it('loads the shipped simulator example', () => {
    const config = loadConfigFile(path.join(projectRoot, 'examples', 'cutover.simulator.yaml'));
    expect(config.adobe.sandboxes.map((sandbox) => sandbox.name)).toEqual(['prod', 'dev']);
    expect(config.temporal.taskQueue).toBe('cutover');
    expect(config.worker.maxTaskQueueActivitiesPerSecond).toBe(50);
    expect(config.salesConnect?.gateway.type).toBe('http');
  });

  it('fills defaults for what a minimal file leaves out', () => {
    const config = parseConfig(minimal, 'cutover.yaml');
    expect(config.adobe.platformUrl).toBe('https://platform.adobe.io');
    expect(config.adobe.imsUrl).toBe('https://ims-na1.adobelogin.com');
    expect(config.worker.shutdownGraceTime).toBe('30s');
    expect(config.adobe.sandboxes[0]?.autoApprove).toBe(false);
  });

  it('names the file, the field path and what is expected', () => {
    const raw = structuredClone(minimal);
    raw.adobe.orgId = 'not-an-org';
    raw.adobe.sandboxes[0]!.name = 'Prod Sandbox';
    let message = '';
    try {
      parseConfig(raw, 'configs/acme.yaml');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('Invalid configuration in configs/acme.yaml');
    expect(message).toContain(
      'adobe.orgId: expected an IMS organisation id such as 0123456789ABCDEF@AdobeOrg',
    );
    expect(message).toContain('adobe.sandboxes[0].name: expected a lower-case AEP sandbox name');
  });

  it('refuses a secret written in clear instead of as a reference', () => {
    const raw = structuredClone(minimal);
    raw.adobe.clientSecret = 's3cr3t-value';
    const problems = problemsOf(raw);
    expect(problems).toEqual([
      'adobe.clientSecret: expected a secret reference (env:VARIABLE_NAME or file:PATH); secret values themselves are not accepted in config files',
    ]);
    expect(problems.join()).not.toContain('s3cr3t-value');
  });

  it('refuses a sandbox, a user or a schedule listed twice, naming both entries', () => {
    // A later entry would otherwise override the earlier one: prod auto-approved after all.
    expect(
      problemsOf({
        adobe: {
          ...minimal.adobe,
          sandboxes: [
            { name: 'prod', autoApprove: false },
            { name: 'dev' },
            { name: 'prod', autoApprove: true },
          ],
        },
      }),
    ).toEqual([
      'adobe.sandboxes[2].name: sandbox "prod" is listed twice (also at [0]); keep one entry and merge its settings',
    ]);
    expect(
      problemsOf({
        ...minimal,
        salesConnect: {
          instanceId: 'sc-1',
          gateway: { type: 'manual' },
          users: [{ email: 'Ada@x.example' }, { email: 'ada@X.example', workspace: 'EMEA' }],
        },
      }),
    ).toEqual([
      'salesConnect.users[1].email: user "ada@X.example" is listed twice (also at [0]); keep one entry and merge its settings',
    ]);
  });

  it('confines file: secrets to the config folder and secrets.allowFilesIn, resolved from the config file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-allow-'));
    fs.mkdirSync(path.join(dir, 'vault'));
    fs.writeFileSync(path.join(dir, 'vault', 'adobe'), 'vault-secret');
    const config = parseConfig(
      {
        ...minimal,
        adobe: { ...minimal.adobe, clientSecret: 'file:vault/adobe' },
        secrets: { allowFilesIn: ['vault'] },
      },
      path.join(dir, 'cutover.yaml'),
    );
    expect(config.configDirectory).toBe(dir);
    expect(config.secrets.allowFilesIn).toEqual([path.join(dir, 'vault')]);
    expect(await secretResolverFor(config, 'cli').resolve(config.adobe.clientSecret)).toBe('vault-secret');
    fs.writeFileSync(path.join(path.dirname(dir), `${path.basename(dir)}-outside`), 'outside-secret');
    const confined = parseConfig(
      { ...minimal, adobe: { ...minimal.adobe, clientSecret: `file:../${path.basename(dir)}-outside` } },
      path.join(dir, 'cutover.yaml'),
    );
    await expect(secretResolverFor(confined, 'worker').resolve(confined.adobe.clientSecret)).rejects.toThrow(
      /points outside the config file's folder/,
    );
  });

  it('reports unknown fields so typos do not pass silently', () => {
    const raw = { ...structuredClone(minimal), temporl: {} };
    expect(problemsOf(raw)).toEqual([
      '(top level): unknown field(s) "temporl"; remove them or check the spelling',
    ]);
  });

  it('rejects bad durations and half-configured mTLS', () => {
    const raw = {
      ...structuredClone(minimal),
      worker: { shutdownGraceTime: 'soon' },
      temporal: { tls: { clientCert: 'file:cert.pem' } },
    };
    expect(problemsOf(raw)).toEqual(
      expect.arrayContaining([
        'worker.shutdownGraceTime: expected a duration such as "30s", "10 minutes" or "2 days"',
        'temporal.tls: clientCert and clientKey must be given together for mTLS',
      ]),
    );
  });

  it('resolves file: references relative to the config file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-config-'));
    const file = path.join(dir, 'cutover.json');
    fs.writeFileSync(
      file,
      JSON.stringify({ ...minimal, adobe: { ...minimal.adobe, clientSecret: 'file:secrets/adobe' } }),
    );
    expect(loadConfigFile(file).adobe.clientSecret).toBe(`file:${path.join(dir, 'secrets', 'adobe')}`);
  });

  it('explains a missing or unparsable file', () => {
    expect(() => loadConfigFile('/nonexistent/cutover.yaml')).toThrow(/cannot read the file \(ENOENT\)/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-config-'));
    const file = path.join(dir, 'broken.yaml');
    fs.writeFileSync(file, 'adobe: [unclosed');
    expect(() => loadConfigFile(file)).toThrow(/broken\.yaml:\n {2}- not valid YAML/);
  });
});
