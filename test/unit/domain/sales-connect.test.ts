import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load';
import {
  inBatches,
  invitationRequestId,
  planInvitations,
} from '../../../src/domain/sales-connect/invitations';
import {
  checkSalesforcePreflight,
  describeFinding,
  sameSalesforceInstance,
  type SalesforceFacts,
} from '../../../src/domain/sales-connect/preflight';
import {
  effectiveProvisioningDelayMs,
  minimumProvisioningDelayMs,
  remainingWaitMs,
} from '../../../src/domain/sales-connect/wait';

const PROD = 'https://acme.my.salesforce.com';
const SANDBOX = 'https://acme--uat.sandbox.my.salesforce.com';

const facts = (overrides: Partial<SalesforceFacts> = {}): SalesforceFacts => ({
  salesConnect: { instanceUrl: PROD, isProduction: true },
  marketo: { instance: PROD },
  measure: { instance: PROD, isProduction: true, dailyApiLimit: 100_000 },
  subscription: { apiEnabled: true, apexClassesEnabled: true },
  ...overrides,
});

describe('Salesforce-instance preflight', () => {
  it('passes when Sales Connect, Marketo and Measure share one instance and the API limit is 100,000', () => {
    expect(checkSalesforcePreflight(facts())).toEqual([]);
    expect(checkSalesforcePreflight(facts({ measure: undefined }))).toEqual([]);
    expect(sameSalesforceInstance('HTTPS://Acme.my.salesforce.com/', 'acme.my.salesforce.com')).toBe(true);
  });

  it('refuses a Sales Connect org other than Marketo’s, with the values seen and the fix', () => {
    const [finding] = checkSalesforcePreflight(
      facts({ marketo: { instance: 'https://other.my.salesforce.com' } }),
    );
    expect(finding).toEqual({
      rule: 'same-salesforce-instance',
      severity: 'violation',
      seen: { salesConnect: PROD, marketo: 'https://other.my.salesforce.com' },
      message: `Sales Connect is connected to Salesforce ${PROD}, but Marketo is (or will be) synced with https://other.my.salesforce.com; they must use the same Salesforce instance.`,
      fix: 'Reconnect Sales Connect to https://other.my.salesforce.com (Sales Connect Settings > Admin Settings > Salesforce), or correct salesforce.marketoInstance in the config.',
    });
    expect(describeFinding(finding!)).toMatch(
      /^\[same-salesforce-instance\] Sales Connect is connected .* Fix: Reconnect/,
    );
  });

  it('never lets Measure move from production back to a sandbox', () => {
    const findings = checkSalesforcePreflight(
      facts({ salesConnect: { instanceUrl: SANDBOX, isProduction: false }, marketo: { instance: SANDBOX } }),
    );
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'measure-production-is-final',
        severity: 'violation',
        message: `Marketo Measure is connected to production Salesforce ${PROD}; once on production it can never go back to a sandbox, so it cannot follow Sales Connect and Marketo to sandbox ${SANDBOX}.`,
        fix: `Connect Sales Connect and Marketo to the production instance ${PROD} instead.`,
      }),
    ]);
  });

  it('allows testing Measure on a sandbox first, as a warning', () => {
    const findings = checkSalesforcePreflight(
      facts({
        measure: {
          instance: SANDBOX,
          isProduction: false,
          dailyApiLimit: 150_000,
          sandboxMirrorsProduction: true,
        },
      }),
    );
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'measure-one-instance',
        severity: 'warning',
        message: `Marketo Measure is being tested against sandbox ${SANDBOX} while Sales Connect uses ${PROD}.`,
      }),
    ]);
  });

  it('refuses Measure on another production instance (one instance at a time)', () => {
    const findings = checkSalesforcePreflight(
      facts({ measure: { instance: 'https://legacy.my.salesforce.com', isProduction: true } }),
    );
    expect(findings.map((finding) => [finding.rule, finding.severity])).toEqual([
      ['measure-one-instance', 'violation'],
    ]);
  });

  it('requires a daily CRM API limit of at least 100,000 when one is set', () => {
    const [finding] = checkSalesforcePreflight(
      facts({ measure: { instance: PROD, isProduction: true, dailyApiLimit: 50_000 } }),
    );
    expect(finding).toMatchObject({
      rule: 'measure-daily-api-limit',
      seen: { dailyApiLimit: '50000' },
      message:
        "Marketo Measure's daily CRM API limit is 50,000; Adobe requires at least 100,000 (the limit resets every 24 hours).",
      fix: 'Raise the limit to 100,000 or more in Marketo Measure, or remove it, and update salesforce.marketoMeasure.dailyApiLimit.',
    });
  });
});

describe('planInvitations', () => {
  const team = {
    members: [
      { email: 'ada@x.example', status: 'connected' as const, workspace: 'Default' },
      { email: 'ben@x.example', status: 'not-connected' as const },
      { email: 'emma@x.example', status: 'connected' as const, workspace: 'EMEA' },
      { email: 'ivy@x.example', status: 'invited' as const, workspace: 'EMEA' },
    ],
    workspaces: ['Default', 'EMEA'],
    defaultWorkspace: 'Default',
  };

  it('invites into the named or the default workspace, skips connected users and never changes a workspace', () => {
    expect(
      planInvitations(
        [
          { email: 'Ben@x.example' },
          { email: 'ada@x.example' },
          { email: 'emma@x.example', workspace: 'Default' },
          { email: 'ivy@x.example' },
          { email: 'zed@x.example' },
          { email: 'ben@x.example', workspace: 'Nowhere' },
        ],
        team,
      ),
    ).toEqual([
      { email: 'Ben@x.example', action: 'invite', workspace: 'Default' },
      { email: 'ada@x.example', action: 'skip', reason: 'already-connected', workspace: 'Default' },
      {
        email: 'emma@x.example',
        action: 'reject',
        reason: 'workspace-change-requires-disconnect',
        workspace: 'EMEA',
        detail:
          'already in workspace "EMEA"; Sales Connect assigns a workspace once, so moving to "Default" means disconnecting the user first (Settings > Admin Settings > Marketo, Team Access tab)',
      },
      { email: 'ivy@x.example', action: 'skip', reason: 'already-invited', workspace: 'EMEA' },
      {
        email: 'zed@x.example',
        action: 'reject',
        reason: 'unknown-user',
        detail: 'not among the Sales Connect team members (users come from the connected Salesforce org)',
      },
    ]);
  });

  it('reports an unknown workspace by name, and invites everyone when there is no team list (manual)', () => {
    expect(planInvitations([{ email: 'ben@x.example', workspace: 'APAC' }], team)).toEqual([
      expect.objectContaining({
        reason: 'unknown-workspace',
        detail: 'workspace "APAC" does not exist (known: Default, EMEA)',
      }),
    ]);
    expect(planInvitations([{ email: 'a@x.example' }, { email: 'b@x.example', workspace: 'EMEA' }])).toEqual([
      { email: 'a@x.example', action: 'invite' },
      { email: 'b@x.example', action: 'invite', workspace: 'EMEA' },
    ]);
    expect(inBatches([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('keys a batch by its users and workspaces, the same in every run', () => {
    const batch = [{ email: 'A@x.example' }, { email: 'b@x.example', workspace: 'EMEA' }];
    const key = invitationRequestId('sales-connect/sc-1', batch);
    expect(key).toMatch(/^sales-connect\/sc-1:2:[0-9a-f]{8}$/);
    expect(invitationRequestId('sales-connect/sc-1', [{ email: 'a@x.example' }, batch[1]!])).toBe(key);
    expect(invitationRequestId('sales-connect/sc-1', [batch[0]!, { email: 'b@x.example' }])).not.toBe(key);
  });
});

describe('the provisioning wait', () => {
  it('is never below ten minutes against a real account, and measured from the connection', () => {
    expect(minimumProvisioningDelayMs(60_000, false)).toBe(600_000);
    expect(minimumProvisioningDelayMs(20 * 60_000, false)).toBe(1_200_000);
    expect(minimumProvisioningDelayMs(5_000, true)).toBe(5_000);
    // The run's request only lengthens the worker's minimum: a caller cannot shorten it.
    expect(effectiveProvisioningDelayMs(5_000, 600_000)).toBe(600_000);
    expect(effectiveProvisioningDelayMs(900_000, 600_000)).toBe(900_000);
    expect(remainingWaitMs(1_000_000, 1_000_000 + 900_000, 600_000)).toBe(0);
    // A connection younger than the delay waits the whole delay again: a bridge clock behind Temporal's cannot shorten it.
    expect(remainingWaitMs(1_000_000, 1_000_000 + 120_000, 600_000)).toBe(600_000);
    expect(remainingWaitMs(5_000_000, 1_000_000, 600_000)).toBe(600_000);
  });

  it('refuses a configured wait below ten minutes unless the gateway is the simulator', () => {
    const raw = (gateway: Record<string, unknown>) => ({
      adobe: {
        orgId: 'ABC@AdobeOrg',
        clientId: 'id',
        clientSecret: 'env:X',
        scopes: ['openid'],
        sandboxes: [{ name: 'prod' }],
      },
      salesConnect: { instanceId: 'sc-1', gateway, provisioningDelay: '30 seconds' },
    });
    expect(() => parseConfig(raw({ type: 'manual' }), 'c.yaml')).toThrow(
      /salesConnect\.provisioningDelay: Adobe asks for at least 10 minutes between connecting Marketo and provisioning users; shorter waits are only allowed against the simulator \(gateway\.simulated: true\)/,
    );
    expect(
      parseConfig(
        raw({ type: 'http', baseUrl: 'http://127.0.0.1:4010/sales-connect', simulated: true }),
        'c.yaml',
      ).salesConnect?.provisioningDelay,
    ).toBe('30 seconds');
  });
});
