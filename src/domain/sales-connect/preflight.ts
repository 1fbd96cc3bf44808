/** Facts the Salesforce-instance preflight reads: from Sales Connect (or its operator) and from the config. */
export interface SalesforceFacts {
  /** The Salesforce org Sales Connect is connected to. */
  salesConnect: { instanceUrl: string; isProduction: boolean };
  /** The Salesforce org Marketo is (or will be) synced with. */
  marketo: { instance: string };
  /** What the config says of the Salesforce subscription; a fact left out is not known. */
  subscription?: { apiEnabled?: boolean; apexClassesEnabled?: boolean };
  /** Marketo Measure's current Salesforce connection and its daily CRM API limit, when Measure is used. */
  measure?: {
    instance: string;
    isProduction: boolean;
    dailyApiLimit?: number;
    /** Someone checked that the sandbox mirrors production's fields and active APEX triggers. */
    sandboxMirrorsProduction?: boolean;
  };
}

export type PreflightRule =
  | 'same-salesforce-instance'
  | 'salesforce-api-calls'
  | 'salesforce-apex-classes'
  | 'measure-one-instance'
  | 'measure-production-is-final'
  | 'measure-daily-api-limit'
  | 'measure-sandbox-mirror'
  | 'email-on-one-instance';

export interface PreflightFinding {
  rule: PreflightRule;
  severity: 'violation' | 'warning';
  /** The values the rule looked at, by name. */
  seen: Record<string, string>;
  message: string;
  fix: string;
}

export const MINIMUM_DAILY_CRM_API_LIMIT = 100_000;

/** The objects whose fields and active APEX triggers a Measure test sandbox should share with production (seed 003). */
export const MEASURE_MIRRORED_OBJECTS = ['Lead', 'Contact', 'Account', 'Opportunity', 'Campaign', 'Case'];

const SUBSCRIPTION_FEATURES = [
  {
    rule: 'salesforce-api-calls',
    field: 'apiEnabled',
    what: 'API calls',
    enable:
      'use a Salesforce edition with API access and give the Sales Connect integration user the "API Enabled" permission',
  },
  {
    rule: 'salesforce-apex-classes',
    field: 'apexClassesEnabled',
    what: 'Apex classes',
    enable: 'use a Salesforce edition that runs Apex classes',
  },
] as const;

/** Sales Connect needs a Salesforce subscription with API calls and Apex classes enabled (seed 002). */
function checkSubscription(facts: SalesforceFacts): PreflightFinding[] {
  return SUBSCRIPTION_FEATURES.flatMap(({ rule, field, what, enable }): PreflightFinding[] => {
    const enabled = facts.subscription?.[field];
    if (enabled === true) return [];
    const seen = { [`salesforce.${field}`]: enabled === undefined ? '(not set)' : String(enabled) };
    if (enabled === false)
      return [
        {
          rule,
          severity: 'violation',
          seen,
          message: `Sales Connect needs a Salesforce subscription with ${what} enabled, and salesforce.${field} says it is not.`,
          fix: `In Salesforce, ${enable}; then set salesforce.${field}: true.`,
        },
      ];
    return [
      {
        rule,
        severity: 'warning',
        seen,
        message: `Sales Connect needs a Salesforce subscription with ${what} enabled; the config does not say whether it is (salesforce.${field}).`,
        fix: `Check it with your Salesforce admin and set salesforce.${field}: true (or false, which stops the run).`,
      },
    ];
  });
}

/** A Measure test on a sandbox should run against a replica of production (seed 003): a warning, never a blocker. */
function checkMeasureSandboxMirror(facts: SalesforceFacts): PreflightFinding[] {
  const measure = facts.measure;
  if (!measure || measure.isProduction || measure.sandboxMirrorsProduction === true) return [];
  const objects = MEASURE_MIRRORED_OBJECTS.join(', ');
  const said = measure.sandboxMirrorsProduction === false ? 'says it does not' : 'does not confirm it';
  return [
    {
      rule: 'measure-sandbox-mirror',
      severity: 'warning',
      seen: {
        measure: `${measure.instance} (sandbox)`,
        'salesforce.marketoMeasure.sandboxMirrorsProduction':
          measure.sandboxMirrorsProduction === undefined
            ? '(not set)'
            : String(measure.sandboxMirrorsProduction),
      },
      message: `Marketo Measure is pointed at sandbox ${measure.instance}; Adobe recommends testing against an exact replica of production's fields on ${objects}, with the APEX triggers active in production on those objects active in the sandbox too, and the config ${said} (salesforce.marketoMeasure.sandboxMirrorsProduction).`,
      fix: `Compare the fields and active APEX triggers of ${objects} between the sandbox and production and align them, then set salesforce.marketoMeasure.sandboxMirrorsProduction: true.`,
    },
  ];
}

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
  findings.push(...checkSubscription(facts));
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
  findings.push(...checkMeasureSandboxMirror(facts));
  return findings;
}

/** One line per finding, for failures, the CLI and the UI. */
export function describeFinding(finding: PreflightFinding): string {
  return `[${finding.rule}] ${finding.message} Fix: ${finding.fix}`;
}
