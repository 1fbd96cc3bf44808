import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load';
import { MARKETO_CONCURRENCY, SFMC_CONCURRENCY } from '../../../src/domain/defaults';
import { marketoRun, salesConnectRun, sfmcRun } from '../../../src/runs';
import { salesConnectWorkflowId } from '../../../src/runs/sales-connect';
import { migrationWorkflowId } from '../../../src/runs/scope';

const sfmcRunFromConfig = sfmcRun.fromConfig;
const marketoRunFromConfig = marketoRun.fromConfig;
const salesConnectRunFromConfig = salesConnectRun.fromConfig;
const sfmcMigrationWorkflowId = (orgId: string, sandboxes: string[]) =>
  migrationWorkflowId(sfmcRun.kind, orgId, sandboxes);
const marketoMigrationWorkflowId = (orgId: string, sandboxes: string[]) =>
  migrationWorkflowId(marketoRun.kind, orgId, sandboxes);

const adobe = {
  orgId: 'ABC123@AdobeOrg',
  clientId: 'client',
  clientSecret: 'env:ADOBE_SECRET',
  scopes: ['openid'],
  sandboxes: [{ name: 'prod', autoApprove: true }, { name: 'dev' }],
};

const config = (sections: Record<string, unknown> = {}) =>
  parseConfig({ adobe, ...sections }, 'cutover.yaml');

const approval = { prod: { autoApprove: true }, dev: { autoApprove: false } };

describe('sfmcRunFromConfig', () => {
  const sfmc = {
    clientId: 'sfmc-client',
    clientSecret: 'env:SFMC_SECRET',
    baseEndpoint: '  https://MCDEMO123.auth.marketingcloudapis.com/v2/token ',
  };

  it('carries the normalised endpoint prefix, the name overrides and the run settings, never a secret', () => {
    const run = sfmcRunFromConfig(
      config({
        sfmc: {
          ...sfmc,
          dataExtensionFor: { Email: 'Email Events' },
          deltaColumnFor: { 'Email Events': 'EventDate' },
          concurrency: 4,
          firstRunTimeout: '30 minutes',
        },
      }),
    );
    expect(run).toStrictEqual({
      workflowId: 'sfmc-migration/ABC123@AdobeOrg/dev+prod',
      problems: [],
      input: {
        orgId: 'ABC123@AdobeOrg',
        sandboxes: ['prod', 'dev'],
        approval,
        options: {
          v2BaseEndpoint: 'mcdemo123',
          dataExtensionFor: { Email: 'Email Events' },
          deltaColumnFor: { 'Email Events': 'EventDate' },
        },
        concurrency: 4,
        firstRunTimeout: '30 minutes',
      },
    });
    expect(JSON.stringify(run)).not.toContain('SFMC_SECRET');
  });

  it('plans without V2 credentials when the sfmc section is missing, with the default settings', () => {
    expect(sfmcRunFromConfig(config(), ['dev'])).toStrictEqual({
      workflowId: 'sfmc-migration/ABC123@AdobeOrg/dev',
      problems: [],
      input: {
        orgId: 'ABC123@AdobeOrg',
        sandboxes: ['dev'],
        approval: { dev: { autoApprove: false } },
        options: {},
        concurrency: SFMC_CONCURRENCY,
        firstRunTimeout: '2 hours',
      },
    });
  });

  it('reports an unknown sandbox and an unusable endpoint, and leaves the endpoint out of the plan', () => {
    const run = sfmcRunFromConfig(
      config({ sfmc: { ...sfmc, baseEndpoint: 'https://mcdemo123.rest.marketingcloudapis.com/' } }),
      ['prod', 'qa'],
    );
    expect(run.problems).toEqual([
      '--sandbox qa: not in adobe.sandboxes (prod, dev)',
      'sfmc.baseEndpoint "https://mcdemo123.rest.marketingcloudapis.com/" is not the authentication base URI: use the one ending in .auth.marketingcloudapis.com (the REST or SOAP URI will not work).',
    ]);
    expect(run.input.options).toStrictEqual({});
    expect(run.input.concurrency).toBe(SFMC_CONCURRENCY);
    expect(run.workflowId).toBe('sfmc-migration/ABC123@AdobeOrg/prod');
    expect(sfmcMigrationWorkflowId('ABC123@AdobeOrg', ['prod', 'dev'])).toBe(
      'sfmc-migration/ABC123@AdobeOrg/dev+prod',
    );
  });
});

describe('marketoRunFromConfig', () => {
  const marketo = { munchkinId: ' 123-abc-456 ', clientId: 'mkto-client', clientSecret: 'env:MKTO_SECRET' };

  it('carries the card, person creation, subscription, extra attributes and run settings from the marketo section', () => {
    const run = marketoRunFromConfig(
      config({
        marketo: {
          ...marketo,
          target: 'marketoEngage',
          engage: { workspaceId: 12 },
          personCreation: 'create-missing',
          additionalAttributes: [{ source: '_tenant.tier', destination: 'loyaltyTier' }],
          concurrency: 2,
          firstActivationTimeout: '45 minutes',
        },
      }),
      ['prod'],
    );
    expect(run).toStrictEqual({
      workflowId: 'marketo-migration/ABC123@AdobeOrg/prod',
      problems: [],
      input: {
        orgId: 'ABC123@AdobeOrg',
        sandboxes: ['prod'],
        approval: { prod: { autoApprove: true } },
        options: {
          target: 'marketoEngage',
          personCreation: 'create-missing',
          munchkinId: '123-ABC-456',
          engage: { workspaceId: '12', dedupeField: 'email' },
          additionalAttributes: [{ source: '_tenant.tier', destination: 'loyaltyTier' }],
        },
        concurrency: 2,
        firstActivationTimeout: '45 minutes',
      },
    });
    expect(JSON.stringify(run)).not.toContain('MKTO_SECRET');
  });

  it('uses the defaults of the section, and no additional attributes when none are listed', () => {
    expect(marketoRunFromConfig(config({ marketo })).input).toStrictEqual({
      orgId: 'ABC123@AdobeOrg',
      sandboxes: ['prod', 'dev'],
      approval,
      options: { target: 'marketoV2', personCreation: 'match-only', munchkinId: '123-ABC-456' },
      concurrency: MARKETO_CONCURRENCY,
      firstActivationTimeout: '2 hours',
    });
  });

  it('needs no Marketo client secret for the Marketo Engage card, but its destination details; V2 needs the secret', () => {
    const munchkinId = marketo.munchkinId;
    expect(
      marketoRunFromConfig(
        config({ marketo: { munchkinId, target: 'marketoEngage', engage: { workspaceId: '1' } } }),
      ).problems,
    ).toEqual([]);
    expect(() => config({ marketo: { munchkinId, target: 'marketoEngage' } })).toThrow(
      /marketo\.engage: required for marketo\.target marketoEngage: set engage\.workspaceId/,
    );
    expect(() => config({ marketo: { munchkinId } })).toThrow(
      /marketo\.clientId: required for marketo\.target marketoV2/,
    );
    expect(() =>
      config({
        marketo: { munchkinId, clientId: 'mkto-client', target: 'marketoEngage', engage: { workspaceId: 1 } },
      }),
    ).toThrow(/marketo\.clientSecret: set both clientId and clientSecret/);
  });

  it('says what to add when the marketo section is missing, after the sandbox problems', () => {
    const run = marketoRunFromConfig(config(), ['staging']);
    expect(run.problems).toEqual([
      '--sandbox staging: not in adobe.sandboxes (prod, dev)',
      'marketo: the section is missing; add munchkinId, clientId and clientSecret (Marketo Admin > LaunchPoint)',
    ]);
    expect(run.input).toStrictEqual({
      orgId: 'ABC123@AdobeOrg',
      sandboxes: [],
      approval: {},
      options: { target: 'marketoV2', personCreation: 'match-only' },
      concurrency: MARKETO_CONCURRENCY,
      firstActivationTimeout: '2 hours',
    });
    expect(marketoMigrationWorkflowId('ABC123@AdobeOrg', ['prod', 'dev'])).toBe(
      'marketo-migration/ABC123@AdobeOrg/dev+prod',
    );
  });
});

describe('marketoRunFromConfig with a Munchkin ID that is not NNN-AAA-NNN', () => {
  it('names marketo.munchkinId as a problem before anything starts', () => {
    const run = marketoRunFromConfig(
      config({
        marketo: { munchkinId: '123-AB-456', clientId: 'mkto-client', clientSecret: 'env:MKTO_SECRET' },
      }),
    );
    expect(run.problems).toStrictEqual([
      'marketo.munchkinId: Munchkin ID "123-AB-456" is not in the expected form NNN-AAA-NNN (three digits, three letters, three digits), e.g. 123-ABC-456.',
    ]);
    expect(run.input.options).not.toHaveProperty('munchkinId');
  });
});

describe('salesConnectRunFromConfig', () => {
  const marketo = { munchkinId: ' 123-abc-456 ', clientId: 'mkto-client', clientSecret: 'env:MKTO_SECRET' };

  it('carries the gateway, the wait, the users, the Munchkin ID and the Salesforce facts', () => {
    const run = salesConnectRunFromConfig(
      config({
        marketo,
        salesConnect: {
          instanceId: 'sc-1',
          gateway: { type: 'http', baseUrl: 'http://127.0.0.1:4010/sales-connect', simulated: true },
          provisioningDelay: '30 seconds',
          batchSize: 10,
          users: [{ email: 'ada@x.example', workspace: 'EMEA' }, { email: 'ben@x.example' }],
        },
        salesforce: {
          instance: 'https://acme.my.salesforce.com',
          isProduction: true,
          marketoInstance: 'https://acme--uat.sandbox.my.salesforce.com',
          marketoMeasure: {
            instance: 'https://acme.my.salesforce.com',
            isProduction: true,
            dailyApiLimit: 150_000,
          },
        },
      }),
    );
    expect(run).toStrictEqual({
      workflowId: 'sales-connect/sc-1',
      problems: [],
      input: {
        orgId: 'ABC123@AdobeOrg',
        instanceId: 'sc-1',
        gateway: 'http',
        provisioningDelay: '30 seconds',
        batchSize: 10,
        users: [{ email: 'ada@x.example', workspace: 'EMEA' }, { email: 'ben@x.example' }],
        munchkinId: '123-ABC-456',
        salesforce: {
          marketo: { instance: 'https://acme--uat.sandbox.my.salesforce.com' },
          measure: { instance: 'https://acme.my.salesforce.com', isProduction: true, dailyApiLimit: 150_000 },
        },
      },
    });
  });

  it('takes Marketo’s instance from salesforce.instance when marketoInstance is absent', () => {
    const run = salesConnectRunFromConfig(
      config({
        marketo,
        salesConnect: {
          instanceId: 'sc-2',
          gateway: { type: 'http', baseUrl: 'https://bridge.example.com' },
        },
        salesforce: {
          instance: 'https://acme.my.salesforce.com',
          isProduction: true,
          marketoMeasure: { instance: 'https://acme--uat.sandbox.my.salesforce.com', isProduction: false },
        },
      }),
    );
    expect(run.input).toStrictEqual({
      orgId: 'ABC123@AdobeOrg',
      instanceId: 'sc-2',
      gateway: 'http',
      provisioningDelay: '10 minutes',
      batchSize: 25,
      users: [],
      munchkinId: '123-ABC-456',
      salesforce: {
        marketo: { instance: 'https://acme.my.salesforce.com' },
        measure: { instance: 'https://acme--uat.sandbox.my.salesforce.com', isProduction: false },
      },
    });
  });

  it('runs a manual gateway without Measure when the config has none', () => {
    const run = salesConnectRunFromConfig(
      config({
        marketo,
        salesConnect: { instanceId: 'sc-3', gateway: { type: 'manual' } },
        salesforce: { instance: 'https://acme.my.salesforce.com', isProduction: true },
      }),
    );
    expect(run.problems).toEqual([]);
    expect(run.input).toMatchObject({ gateway: 'manual' });
    expect(run.input.salesforce).toStrictEqual({ marketo: { instance: 'https://acme.my.salesforce.com' } });
  });

  it('lists every missing section, and still builds an input a caller can show', () => {
    const run = salesConnectRunFromConfig(config());
    expect(run).toStrictEqual({
      workflowId: 'sales-connect/unknown',
      problems: [
        'salesConnect: the section is missing; add instanceId and gateway',
        'marketo: the section is missing; Sales Connect is connected with its Munchkin ID, Client ID and Client Secret',
        'salesforce: the section is missing; the preflight needs the Salesforce instance Marketo uses (salesforce.instance)',
      ],
      input: {
        orgId: 'ABC123@AdobeOrg',
        instanceId: '',
        gateway: 'manual',
        provisioningDelay: '10 minutes',
        batchSize: 25,
        users: [],
        munchkinId: '',
        salesforce: { marketo: { instance: '' } },
      },
    });
    expect(salesConnectWorkflowId('sc-9')).toBe('sales-connect/sc-9');
  });
});
