import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load';
import {
  checkEmailsOnOneInstance,
  planInvitations,
  type SalesConnectTeamFacts,
} from '../../../src/domain/sales-connect/invitations';
import {
  checkSalesforcePreflight,
  MEASURE_MIRRORED_OBJECTS,
  type SalesforceFacts,
} from '../../../src/domain/sales-connect/preflight';
import { manualInstructions } from '../../../src/workflows/sales-connect/instructions';
import { planProvisioning, type ProvisioningReads } from '../../../src/workflows/sales-connect/plan';
import type { SalesConnectProvisioningInput } from '../../../src/workflows/sales-connect/messages';

const PROD = 'https://acme.my.salesforce.com';
const SANDBOX = 'https://acme--uat.sandbox.my.salesforce.com';

const facts = (overrides: Partial<SalesforceFacts> = {}): SalesforceFacts => ({
  salesConnect: { instanceUrl: PROD, isProduction: true },
  marketo: { instance: PROD },
  subscription: { apiEnabled: true, apexClassesEnabled: true },
  ...overrides,
});
const rulesOf = (found: ReturnType<typeof checkSalesforcePreflight>) =>
  found.map((finding) => `${finding.rule}/${finding.severity}`);

describe('Salesforce subscription with API calls and Apex classes (seed 002)', () => {
  it('passes when the config says both are enabled', () => {
    expect(checkSalesforcePreflight(facts())).toEqual([]);
  });

  it('warns, naming the config field, when the config does not say', () => {
    expect(checkSalesforcePreflight(facts({ subscription: undefined }))).toEqual([
      {
        rule: 'salesforce-api-calls',
        severity: 'warning',
        seen: { 'salesforce.apiEnabled': '(not set)' },
        message:
          'Sales Connect needs a Salesforce subscription with API calls enabled; the config does not say whether it is (salesforce.apiEnabled).',
        fix: 'Check it with your Salesforce admin and set salesforce.apiEnabled: true (or false, which stops the run).',
      },
      {
        rule: 'salesforce-apex-classes',
        severity: 'warning',
        seen: { 'salesforce.apexClassesEnabled': '(not set)' },
        message:
          'Sales Connect needs a Salesforce subscription with Apex classes enabled; the config does not say whether it is (salesforce.apexClassesEnabled).',
        fix: 'Check it with your Salesforce admin and set salesforce.apexClassesEnabled: true (or false, which stops the run).',
      },
    ]);
  });

  it('blocks a subscription without API calls or Apex classes, saying which field and what to do', () => {
    const noApi = checkSalesforcePreflight(
      facts({ subscription: { apiEnabled: false, apexClassesEnabled: true } }),
    );
    expect(noApi).toEqual([
      {
        rule: 'salesforce-api-calls',
        severity: 'violation',
        seen: { 'salesforce.apiEnabled': 'false' },
        message:
          'Sales Connect needs a Salesforce subscription with API calls enabled, and salesforce.apiEnabled says it is not.',
        fix: 'In Salesforce, use a Salesforce edition with API access and give the Sales Connect integration user the "API Enabled" permission; then set salesforce.apiEnabled: true.',
      },
    ]);
    const noApex = checkSalesforcePreflight(
      facts({ subscription: { apiEnabled: true, apexClassesEnabled: false } }),
    );
    expect(rulesOf(noApex)).toEqual(['salesforce-apex-classes/violation']);
    expect(noApex[0]!.fix).toContain('salesforce.apexClassesEnabled: true');
  });
});

describe('Marketo Measure test sandbox mirrors production (seed 003)', () => {
  const onSandbox = (sandboxMirrorsProduction?: boolean) =>
    facts({
      salesConnect: { instanceUrl: SANDBOX, isProduction: false },
      marketo: { instance: SANDBOX },
      measure: {
        instance: SANDBOX,
        isProduction: false,
        ...(sandboxMirrorsProduction === undefined ? {} : { sandboxMirrorsProduction }),
      },
    });

  it('warns, naming the six objects and the config field, while the mirror is not confirmed', () => {
    const found = checkSalesforcePreflight(onSandbox());
    expect(found).toEqual([
      {
        rule: 'measure-sandbox-mirror',
        severity: 'warning',
        seen: {
          measure: `${SANDBOX} (sandbox)`,
          'salesforce.marketoMeasure.sandboxMirrorsProduction': '(not set)',
        },
        message: `Marketo Measure is pointed at sandbox ${SANDBOX}; Adobe recommends testing against an exact replica of production's fields on Lead, Contact, Account, Opportunity, Campaign, Case, with the APEX triggers active in production on those objects active in the sandbox too, and the config does not confirm it (salesforce.marketoMeasure.sandboxMirrorsProduction).`,
        fix: 'Compare the fields and active APEX triggers of Lead, Contact, Account, Opportunity, Campaign, Case between the sandbox and production and align them, then set salesforce.marketoMeasure.sandboxMirrorsProduction: true.',
      },
    ]);
    expect(MEASURE_MIRRORED_OBJECTS).toEqual([
      'Lead',
      'Contact',
      'Account',
      'Opportunity',
      'Campaign',
      'Case',
    ]);
    const denied = checkSalesforcePreflight(onSandbox(false));
    expect(rulesOf(denied)).toEqual(['measure-sandbox-mirror/warning']);
    expect(denied[0]!.message).toContain('the config says it does not');
  });

  it('says nothing once the mirror is confirmed, or when Measure is on production', () => {
    expect(checkSalesforcePreflight(onSandbox(true))).toEqual([]);
    expect(checkSalesforcePreflight(facts({ measure: { instance: PROD, isProduction: true } }))).toEqual([]);
  });
});

describe('one e-mail, one Sales Connect instance (seed 002)', () => {
  const team = (elsewhere: SalesConnectTeamFacts['elsewhere']): SalesConnectTeamFacts => ({
    members: [
      { email: 'dev.ops@x.example', status: 'not-connected' },
      { email: 'ada@x.example', status: 'connected', workspace: 'Default' },
      { email: 'ben@x.example', status: 'not-connected' },
    ],
    workspaces: ['Default'],
    defaultWorkspace: 'Default',
    elsewhere,
  });
  const requested = [{ email: 'Dev.Ops@x.example' }, { email: 'ada@x.example' }, { email: 'ben@x.example' }];

  it('rejects a user whose e-mail holds an account on another instance before any invitation', () => {
    const plan = planInvitations(
      requested,
      team([
        { email: 'dev.ops@x.example', instanceId: 'sc-sandbox' },
        { email: 'ada@x.example', instanceId: 'sc-sandbox' },
      ]),
    );
    expect(plan).toEqual([
      {
        email: 'Dev.Ops@x.example',
        action: 'reject',
        reason: 'email-used-on-other-instance',
        detail:
          'already holds a Sales Connect account on sc-sandbox; an e-mail can hold an account on one instance only, so this instance needs a different address',
      },
      // Connected here already: nothing is sent, so nothing to refuse.
      { email: 'ada@x.example', action: 'skip', reason: 'already-connected', workspace: 'Default' },
      { email: 'ben@x.example', action: 'invite', workspace: 'Default' },
    ]);
    expect(checkEmailsOnOneInstance('sc-production', plan)).toEqual([
      {
        rule: 'email-on-one-instance',
        severity: 'warning',
        seen: { email: 'Dev.Ops@x.example', instance: 'sc-production' },
        message:
          'Dev.Ops@x.example already holds a Sales Connect account on sc-sandbox; an e-mail can hold an account on one instance only, so this instance needs a different address; it is not invited on sc-production.',
        fix: 'Give this person a different e-mail address for sc-production in salesConnect.users (Sales Connect accounts are one per e-mail across instances), or remove Dev.Ops@x.example from salesConnect.users.',
      },
    ]);
  });

  it('invites everyone when no other instance holds them', () => {
    expect(planInvitations(requested, team([])).map((user) => user.action)).toEqual([
      'invite',
      'skip',
      'invite',
    ]);
    expect(checkEmailsOnOneInstance('sc-production', planInvitations(requested, team(undefined)))).toEqual(
      [],
    );
  });

  it('reports the finding in the provisioning plan, from the other instances the config names', async () => {
    const input = {
      instanceId: 'sc-production',
      users: requested,
      munchkinId: '123-ABC-456',
      salesforce: {
        marketo: { instance: PROD },
        subscription: { apiEnabled: true, apexClassesEnabled: true },
      },
    } as SalesConnectProvisioningInput;
    const reads: ProvisioningReads = {
      verifyMarketoCredentials: async () => undefined,
      salesforce: async () => ({ instanceUrl: PROD, isProduction: true }),
      marketoConnection: async () => undefined,
      team: async () => team([{ email: 'dev.ops@x.example', instanceId: 'sc-sandbox' }]),
    };
    const plan = await planProvisioning(reads, input);
    expect(plan.blockers).toEqual([]);
    expect(plan.findings.map((finding) => finding.rule)).toEqual(['email-on-one-instance']);
    expect(plan.users.find((user) => user.action === 'reject')?.email).toBe('Dev.Ops@x.example');
  });

  it('accepts the other instances in the config, refusing a repeat or the instance itself', () => {
    const raw = (otherInstanceIds: string[]) => ({
      adobe: {
        orgId: 'ABC@AdobeOrg',
        clientId: 'id',
        clientSecret: 'env:X',
        scopes: ['openid'],
        sandboxes: [{ name: 'prod' }],
      },
      salesConnect: { instanceId: 'sc-1', gateway: { type: 'manual' }, otherInstanceIds },
      salesforce: {
        instance: PROD,
        isProduction: true,
        apiEnabled: true,
        apexClassesEnabled: false,
        marketoMeasure: { instance: PROD, isProduction: true, sandboxMirrorsProduction: true },
      },
    });
    const config = parseConfig(raw(['sc-2']), 'c.yaml');
    expect(config.salesConnect?.otherInstanceIds).toEqual(['sc-2']);
    expect(config.salesforce).toMatchObject({ apiEnabled: true, apexClassesEnabled: false });
    expect(() => parseConfig(raw(['sc-2', 'sc-2']), 'c.yaml')).toThrow(
      /salesConnect\.otherInstanceIds\[1\]: instance "sc-2" is listed twice/,
    );
    expect(() => parseConfig(raw(['sc-1']), 'c.yaml')).toThrow(
      /salesConnect\.otherInstanceIds\[0\]: "sc-1" is salesConnect\.instanceId itself/,
    );
  });
});

describe('existing users are on the Team Access tab of the Marketo section (seed 002)', () => {
  it('sends a person to Settings > Admin Settings > Marketo, Team Access tab', () => {
    const text = manualInstructions.invite([{ email: 'ben@x.example' }]);
    expect(text).toContain('open Settings > Admin Settings > Marketo and its Team Access tab');
    expect(text).not.toMatch(/Settings > Team Access/);
    const [moved] = planInvitations([{ email: 'emma@x.example', workspace: 'EMEA' }], {
      members: [{ email: 'emma@x.example', status: 'connected', workspace: 'Default' }],
      workspaces: ['Default', 'EMEA'],
      defaultWorkspace: 'Default',
    });
    expect(moved).toMatchObject({ reason: 'workspace-change-requires-disconnect' });
    expect(moved && 'detail' in moved ? moved.detail : '').toContain(
      '(Settings > Admin Settings > Marketo, Team Access tab)',
    );
  });
});
