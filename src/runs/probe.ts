import { createProbeActivities } from '../activities/probe';
import type { CutoverConfig } from '../config/schema';
import { blocker, warning, type ProbeFinding } from '../domain/probe';
import type { RemoteClients } from '../activities/remote-clients';
import { describeFinding, type PreflightFinding } from '../domain/sales-connect/preflight';
import { describeFailure } from '../workflows/shared/failures';
import { planProvisioning } from '../workflows/sales-connect/plan';
import { planningClients } from './clients';
import { readsFromHere, salesConnectRun } from './sales-connect';

function fromPreflight(finding: PreflightFinding): ProbeFinding {
  const check = `Sales Connect preflight: ${finding.rule}`;
  return finding.severity === 'violation'
    ? blocker(check, finding.message, finding.fix)
    : warning(check, finding.message, finding.fix);
}

/**
 * The seed rules a Sales Connect run would check (Salesforce subscription,
 * Marketo Measure, one e-mail per instance), from the run's own plan over the
 * probe's clients: the same reads, nothing written. The Marketo credentials
 * have their own line in the probe, so the plan does not prove them again.
 */
async function salesConnectFindings(config: CutoverConfig, clients: RemoteClients): Promise<ProbeFinding[]> {
  if (!config.salesConnect) return [];
  const request = salesConnectRun.fromConfig(config);
  if (request.problems.length)
    return request.problems.map((problem) => blocker('Sales Connect config', problem, 'Fix the config.'));
  try {
    const reads = {
      ...readsFromHere(config, request.input, clients),
      verifyMarketoCredentials: async () => undefined,
    };
    const plan = await planProvisioning(reads, request.input, describeFailure);
    const violations = new Set(
      plan.findings.filter((finding) => finding.severity === 'violation').map(describeFinding),
    );
    const blocked = plan.blockers
      .filter((text) => !violations.has(text))
      .map((text) => blocker('Sales Connect plan', text, 'See `cutover sales-connect plan`.'));
    return [...plan.findings.map(fromPreflight), ...blocked];
  } catch (error) {
    return [
      blocker('Sales Connect plan', describeFailure(error), 'Run `cutover sales-connect plan` for details.'),
    ];
  }
}

/** `cutover probe`: every read a migration depends on, from this machine, before anything changes. */
export const probeRun = {
  async execute(config: CutoverConfig): Promise<ProbeFinding[]> {
    const clients = planningClients(config);
    const [organisation, salesConnect] = await Promise.all([
      createProbeActivities({ clients, config }).probeOrganisation(),
      salesConnectFindings(config, clients),
    ]);
    return [...organisation, ...salesConnect];
  },
};
