import { describe, expect, it } from 'vitest';
import {
  inBatches,
  invitationRequestId,
  planInvitations,
  type KnownMember,
} from '../../../src/domain/sales-connect/invitations';
import {
  checkSalesforcePreflight,
  describeFinding,
  sameSalesforceInstance,
  type SalesforceFacts,
} from '../../../src/domain/sales-connect/preflight';
import { remainingWaitMs } from '../../../src/domain/sales-connect/wait';

const PROD = 'https://acme.my.salesforce.com';
const LEGACY = 'https://legacy.my.salesforce.com';
const SANDBOX = 'https://acme--uat.sandbox.my.salesforce.com';

describe('planInvitations', () => {
  const team = (members: KnownMember[]) => ({
    members,
    workspaces: ['Default', 'EMEA'],
    defaultWorkspace: 'Default',
  });

  it('rejects an unknown workspace with the workspace asked for, whatever the case of known ones', () => {
    const members = team([{ email: 'ben@x.example', status: 'not-connected' }]);
    expect(planInvitations([{ email: 'ben@x.example', workspace: 'APAC' }], members)).toEqual([
      {
        email: 'ben@x.example',
        action: 'reject',
        reason: 'unknown-workspace',
        workspace: 'APAC',
        detail: 'workspace "APAC" does not exist (known: Default, EMEA)',
      },
    ]);
    expect(planInvitations([{ email: 'ben@x.example', workspace: 'emea' }], members)).toEqual([
      { email: 'ben@x.example', action: 'invite', workspace: 'emea' },
    ]);
  });

  it('skips a connected or invited member whose workspace Sales Connect does not report', () => {
    const members = team([
      { email: 'ada@x.example', status: 'connected' },
      { email: 'ivy@x.example', status: 'invited' },
    ]);
    expect(
      planInvitations([{ email: 'ada@x.example' }, { email: 'ivy@x.example', workspace: 'EMEA' }], members),
    ).toEqual([
      { email: 'ada@x.example', action: 'skip', reason: 'already-connected' },
      { email: 'ivy@x.example', action: 'skip', reason: 'already-invited' },
    ]);
  });

  it('skips a member already in the asked workspace, whatever its case', () => {
    const members = team([{ email: 'emma@x.example', status: 'connected', workspace: 'EMEA' }]);
    expect(planInvitations([{ email: 'EMMA@x.example', workspace: 'emea' }], members)).toEqual([
      { email: 'EMMA@x.example', action: 'skip', reason: 'already-connected', workspace: 'EMEA' },
    ]);
  });

  it('plans each user once, the first time the address appears in any case', () => {
    expect(
      planInvitations([
        { email: 'Ada@x.example', workspace: 'EMEA' },
        { email: 'ada@X.EXAMPLE', workspace: 'Default' },
        { email: 'ben@x.example' },
      ]),
    ).toEqual([
      { email: 'Ada@x.example', action: 'invite', workspace: 'EMEA' },
      { email: 'ben@x.example', action: 'invite' },
    ]);
  });
});

describe('invitationRequestId', () => {
  it('keeps the key of a batch stable across releases, so a bridge still recognises a repeat', () => {
    // FNV-1a of "ada@x.example>EMEA|ben@x.example>": a changed key would re-send invitations.
    expect(
      invitationRequestId('sales-connect/sc-1', [
        { email: 'Ada@x.example', workspace: 'EMEA' },
        { email: 'ben@x.example' },
      ]),
    ).toBe('sales-connect/sc-1:2:77d654a4');
    expect(invitationRequestId('sales-connect/sc-1', [{ email: 'ada@x.example' }])).toBe(
      'sales-connect/sc-1:1:e4ac068b',
    );
    expect(invitationRequestId('sales-connect/sc-1', [])).toBe('sales-connect/sc-1:0:811c9dc5');
  });

  it('is printable ASCII of at most 200 characters, keeping the count and hash at the end', () => {
    expect(invitationRequestId('sales connect/é', [{ email: 'ada@x.example' }])).toBe(
      'sales_connect/_:1:e4ac068b',
    );
    const long = invitationRequestId(`sales-connect/${'x'.repeat(300)}`, [{ email: 'ada@x.example' }]);
    expect(long).toHaveLength(200);
    expect(long).toBe(`${'x'.repeat(200 - ':1:e4ac068b'.length)}:1:e4ac068b`);
  });
});

describe('inBatches', () => {
  it('cuts a list into whole batches with no empty one at the end', () => {
    expect(inBatches([1, 2, 3, 4], 2)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(inBatches(['a', 'b', 'c'], 25)).toEqual([['a', 'b', 'c']]);
    expect(inBatches([], 25)).toEqual([]);
  });
});

describe('sameSalesforceInstance', () => {
  it('compares hosts whatever the spaces, case, http or https scheme and trailing slashes', () => {
    expect(sameSalesforceInstance('  https://acme.my.salesforce.com  ', 'acme.my.salesforce.com')).toBe(true);
    expect(sameSalesforceInstance('http://ACME.my.salesforce.com', 'https://acme.my.salesforce.com')).toBe(
      true,
    );
    expect(sameSalesforceInstance('acme.my.salesforce.com//', 'acme.my.salesforce.com')).toBe(true);
    expect(sameSalesforceInstance('00D5e000000AbCdEAK', '00d5e000000abcdeak')).toBe(true);
    expect(sameSalesforceInstance(PROD, SANDBOX)).toBe(false);
    expect(sameSalesforceInstance('ftp://acme.my.salesforce.com', 'acme.my.salesforce.com')).toBe(false);
  });
});

describe('checkSalesforcePreflight', () => {
  const facts = (overrides: Partial<SalesforceFacts>): SalesforceFacts => ({
    salesConnect: { instanceUrl: PROD, isProduction: true },
    marketo: { instance: PROD },
    subscription: { apiEnabled: true, apexClassesEnabled: true },
    ...overrides,
  });

  it('refuses Measure on another production instance, with the values seen and the fix', () => {
    expect(checkSalesforcePreflight(facts({ measure: { instance: LEGACY, isProduction: true } }))).toEqual([
      {
        rule: 'measure-one-instance',
        severity: 'violation',
        seen: { measure: `${LEGACY} (production)`, salesConnect: `${PROD} (production)` },
        message: `Marketo Measure is connected to Salesforce ${LEGACY}, Sales Connect to ${PROD}; Measure works with one Salesforce instance at a time, and it is the same one Marketo and Sales Connect use.`,
        fix: 'Use one production Salesforce instance for Marketo, Sales Connect and Marketo Measure (salesforce.marketoMeasure.instance in the config says where Measure is now).',
      },
    ]);
  });

  it('refuses Measure on production when Sales Connect is on a sandbox, naming both as seen', () => {
    const [finding] = checkSalesforcePreflight(
      facts({
        salesConnect: { instanceUrl: SANDBOX, isProduction: false },
        marketo: { instance: SANDBOX },
        measure: { instance: PROD, isProduction: true },
      }),
    );
    expect(finding).toMatchObject({
      rule: 'measure-production-is-final',
      severity: 'violation',
      seen: { measure: `${PROD} (production)`, salesConnect: `${SANDBOX} (sandbox)` },
    });
  });

  it('warns while Measure is tested on a sandbox, and says what to do when testing is done', () => {
    expect(
      checkSalesforcePreflight(
        facts({ measure: { instance: SANDBOX, isProduction: false, sandboxMirrorsProduction: true } }),
      ),
    ).toEqual([
      {
        rule: 'measure-one-instance',
        severity: 'warning',
        seen: { measure: `${SANDBOX} (sandbox)`, salesConnect: `${PROD} (production)` },
        message: `Marketo Measure is being tested against sandbox ${SANDBOX} while Sales Connect uses ${PROD}.`,
        fix: `When testing is done, connect Measure to ${PROD}; after that it can never return to a sandbox.`,
      },
    ]);
  });

  it('accepts a daily CRM API limit of exactly 100,000, and refuses one below as a violation', () => {
    expect(
      checkSalesforcePreflight(
        facts({ measure: { instance: PROD, isProduction: true, dailyApiLimit: 100_000 } }),
      ),
    ).toEqual([]);
    const findings = checkSalesforcePreflight(
      facts({ measure: { instance: PROD, isProduction: true, dailyApiLimit: 99_999 } }),
    );
    expect(findings.map((finding) => [finding.rule, finding.severity, finding.seen])).toEqual([
      ['measure-daily-api-limit', 'violation', { dailyApiLimit: '99999' }],
    ]);
  });

  it('reports every rule broken, in order, each as one line with its fix', () => {
    const findings = checkSalesforcePreflight(
      facts({
        marketo: { instance: LEGACY },
        measure: { instance: LEGACY, isProduction: true, dailyApiLimit: 5_000 },
      }),
    );
    expect(findings.map((finding) => finding.rule)).toEqual([
      'same-salesforce-instance',
      'measure-one-instance',
      'measure-daily-api-limit',
    ]);
    expect(describeFinding(findings[2]!)).toBe(
      "[measure-daily-api-limit] Marketo Measure's daily CRM API limit is 5,000; Adobe requires at least 100,000 (the limit resets every 24 hours). " +
        'Fix: Raise the limit to 100,000 or more in Marketo Measure, or remove it, and update salesforce.marketoMeasure.dailyApiLimit.',
    );
  });
});

describe('remainingWaitMs', () => {
  it('waits nothing once the connection is exactly as old as the delay', () => {
    expect(remainingWaitMs(1_000_000, 1_600_000, 600_000)).toBe(0);
    expect(remainingWaitMs(1_000_000, 1_599_999, 600_000)).toBe(600_000);
  });
});
