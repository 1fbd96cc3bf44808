import { describe, expect, it } from 'vitest';
import type { SecretRef } from '../../src/config/secret-ref';
import { Redactor, SecretResolver } from '../../src/config/secrets';
import { resolveTemporalConnection } from '../../src/temporal/connection-options';

const noTomlFile = { TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' };

describe('Temporal connection settings', () => {
  it('defaults to a local dev server', async () => {
    const secrets = new SecretResolver({}, new Redactor());
    expect(await resolveTemporalConnection(undefined, secrets, noTomlFile)).toEqual({
      address: 'localhost:7233',
      namespace: 'default',
    });
  });

  it('takes the config file over defaults and TEMPORAL_* variables over the config file', async () => {
    const secrets = new SecretResolver({}, new Redactor());
    const config = { address: 'temporal.internal:7233', namespace: 'cutover' };
    expect(await resolveTemporalConnection(config, secrets, noTomlFile)).toEqual(config);
    expect(
      await resolveTemporalConnection(config, secrets, {
        ...noTomlFile,
        TEMPORAL_ADDRESS: 'acme.a1b2c.tmprl.cloud:7233',
        TEMPORAL_NAMESPACE: 'acme.a1b2c',
      }),
    ).toEqual({ address: 'acme.a1b2c.tmprl.cloud:7233', namespace: 'acme.a1b2c' });
  });

  it('resolves a Temporal Cloud API key reference and turns TLS on for it', async () => {
    const secrets = new SecretResolver({ TEMPORAL_CLOUD_KEY: 'cloud-key' }, new Redactor());
    const settings = await resolveTemporalConnection(
      { address: 'acme.a1b2c.tmprl.cloud:7233', apiKey: 'env:TEMPORAL_CLOUD_KEY' as SecretRef },
      secrets,
      noTomlFile,
    );
    expect(settings).toMatchObject({ apiKey: 'cloud-key', tls: true });
  });

  it('reads mTLS material through secret references', async () => {
    const secrets = new SecretResolver({ CERT: 'CERT-PEM', KEY: 'KEY-PEM' }, new Redactor());
    const settings = await resolveTemporalConnection(
      {
        tls: {
          clientCert: 'env:CERT' as SecretRef,
          clientKey: 'env:KEY' as SecretRef,
          serverName: 'ns.tmprl.cloud',
        },
      },
      secrets,
      noTomlFile,
    );
    expect(settings.tls).toEqual({
      serverNameOverride: 'ns.tmprl.cloud',
      serverRootCACertificate: undefined,
      clientCertPair: { crt: Buffer.from('CERT-PEM'), key: Buffer.from('KEY-PEM') },
    });
  });
});
