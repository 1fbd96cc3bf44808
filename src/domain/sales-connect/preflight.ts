/** Facts the Salesforce-instance preflight reads: from Sales Connect (or its operator) and from the config. */
export interface SalesforceFacts {
  /** The Salesforce org Sales Connect is connected to. */
  salesConnect: { instanceUrl: string; isProduction: boolean };
  /** The Salesforce org Marketo is (or will be) synced with. */
  marketo: { instance: string };
  /** Marketo Measure's current Salesforce connection and its daily CRM API limit, when Measure is used. */
  measure?: { instance: string; isProduction: boolean; dailyApiLimit?: number };
}

export type PreflightRule =
  | 'same-salesforce-instance'
  | 'measure-one-instance'
  | 'measure-production-is-final'
  | 'measure-daily-api-limit';

export interface PreflightFinding {
  rule: PreflightRule;
  severity: 'violation' | 'warning';
  /** The values the rule looked at, by name. */
  seen: Record<string, string>;
  message: string;
  fix: string;
}

export const MINIMUM_DAILY_CRM_API_LIMIT = 100_000;

/** Salesforce instances compare by host (or org id), whatever the scheme, case or trailing slash. */
export function sameSalesforceInstance(a: string, b: string): boolean {
  const key = (value: string) =>
    value
      .trim()
      .toLowerCase()
      .replace(/^https?:\/\//, '')
      .replace(/\/+$/, '');
  return key(a) === key(b);
}

/**
 * Pure: Adobe's rules for the Salesforce instance behind Sales Connect,
 * Marketo and Marketo Measure. Violations stop provisioning; warnings are
 * reported with it.
 */
export function checkSalesforcePreflight(facts: SalesforceFacts): PreflightFinding[] {
  const findings: PreflightFinding[] = [];
  const salesConnect = facts.salesConnect.instanceUrl;
  if (!sameSalesforceInstance(salesConnect, facts.marketo.instance)) {
    findings.push({
      rule: 'same-salesforce-instance',
      severity: 'violation',
      seen: { salesConnect, marketo: facts.marketo.instance },
      message: `Sales Connect is connected to Salesforce ${salesConnect}, but Marketo is (or will be) synced with ${facts.marketo.instance}; they must use the same Salesforce instance.`,
      fix: `Reconnect Sales Connect to ${facts.marketo.instance} (Sales Connect Settings > Admin Settings > Salesforce), or correct salesforce.marketoInstance in the config.`,
    });
  }

  const measure = facts.measure;
  if (measure) {
    const seen = {
      measure: `${measure.instance} (${measure.isProduction ? 'production' : 'sandbox'})`,
      salesConnect: `${salesConnect} (${facts.salesConnect.isProduction ? 'production' : 'sandbox'})`,
    };
    if (!sameSalesforceInstance(measure.instance, salesConnect)) {
      if (measure.isProduction && !facts.salesConnect.isProduction) {
        findings.push({
          rule: 'measure-production-is-final',
          severity: 'violation',
          seen,
          message: `Marketo Measure is connected to production Salesforce ${measure.instance}; once on production it can never go back to a sandbox, so it cannot follow Sales Connect and Marketo to sandbox ${salesConnect}.`,
          fix: `Connect Sales Connect and Marketo to the production instance ${measure.instance} instead.`,
        });
      } else if (measure.isProduction) {
        findings.push({
          rule: 'measure-one-instance',
          severity: 'violation',
          seen,
          message: `Marketo Measure is connected to Salesforce ${measure.instance}, Sales Connect to ${salesConnect}; Measure works with one Salesforce instance at a time, and it is the same one Marketo and Sales Connect use.`,
          fix: `Use one production Salesforce instance for Marketo, Sales Connect and Marketo Measure (salesforce.marketoMeasure.instance in the config says where Measure is now).`,
        });
      } else {
        findings.push({
          rule: 'measure-one-instance',
          severity: 'warning',
          seen,
          message: `Marketo Measure is being tested against sandbox ${measure.instance} while Sales Connect uses ${salesConnect}.`,
          fix: `When testing is done, connect Measure to ${salesConnect}; after that it can never return to a sandbox.`,
        });
      }
    }
    if (measure.dailyApiLimit !== undefined && measure.dailyApiLimit < MINIMUM_DAILY_CRM_API_LIMIT) {
      findings.push({
        rule: 'measure-daily-api-limit',
        severity: 'violation',
        seen: { dailyApiLimit: String(measure.dailyApiLimit) },
        message: `Marketo Measure's daily CRM API limit is ${measure.dailyApiLimit.toLocaleString('en-US')}; Adobe requires at least ${MINIMUM_DAILY_CRM_API_LIMIT.toLocaleString('en-US')} (the limit resets every 24 hours).`,
        fix: `Raise the limit to ${MINIMUM_DAILY_CRM_API_LIMIT.toLocaleString('en-US')} or more in Marketo Measure, or remove it, and update salesforce.marketoMeasure.dailyApiLimit.`,
      });
    }
  }
  return findings;
}

/** One line per finding, for failures, the CLI and the UI. */
export function describeFinding(finding: PreflightFinding): string {
  return `[${finding.rule}] ${finding.message} Fix: ${finding.fix}`;
}
