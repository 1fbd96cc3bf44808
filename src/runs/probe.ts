import { createProbeActivities } from '../activities/probe';
import type { CutoverConfig } from '../config/schema';
import { blocker, ok, warning, type ProbeFinding } from '../domain/probe';
import type { PreflightFinding } from '../domain/sales-connect/preflight';
import { planningClients } from './clients';
import { salesConnectRun } from './sales-connect';

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

function fromPreflight(finding: PreflightFinding): ProbeFinding {
  const check = `Sales Connect preflight: ${finding.rule}`;
  return finding.severity === 'violation'
    ? blocker(check, finding.message, finding.fix)
    : warning(check, finding.message, finding.fix);
}

/**
 * The seed rules a Sales Connect run would check (Salesforce subscription,
 * Marketo Measure, one e-mail per instance), from the run's own plan: the
 * same reads, nothing written.
 */
async function salesConnectFindings(config: CutoverConfig): Promise<ProbeFinding[]> {
  if (!config.salesConnect) return [];
  const request = salesConnectRun.fromConfig(config);
  if (request.problems.length)
    return request.problems.map((problem) => blocker('Sales Connect config', problem, 'Fix the config.'));
  try {
    const plan = await salesConnectRun.plan(config, request.input, messageOf);
    const blocked = plan.blockers
      // The Marketo credentials have their own check above; the findings have their own lines.
      .filter((text) => !text.startsWith('Marketo credentials:'))
      .filter((text) => !plan.findings.some((finding) => text.includes(finding.message)))
      .map((text) => blocker('Sales Connect plan', text, 'See `cutover sales-connect plan`.'));
    return [...plan.findings.map(fromPreflight), ...blocked];
  } catch (error) {
    return [blocker('Sales Connect plan', messageOf(error), 'Run `cutover sales-connect plan` for details.')];
  }
}

/** Whether the SFMC tenant wants `$search` on data-extension lists: informs, never blocks (the client always sends it). */
async function sfmcSearchFinding(config: CutoverConfig): Promise<ProbeFinding[]> {
  if (!config.sfmc) return [];
  const check = 'SFMC data extensions: $search';
  try {
    const sfmc = await planningClients(config).sfmc();
    if (!sfmc) return [];
    return [
      ok(
        check,
        (await sfmc.searchRequired())
          ? 'required by this tenant; discovery lists data extensions through searches'
          : 'not required; discovery sends it anyway',
      ),
    ];
  } catch (error) {
    return [
      blocker(check, messageOf(error), 'Check the SFMC credentials and the Data Extensions: Read scope.'),
    ];
  }
}

/** `cutover probe`: every read a migration depends on, from this machine, before anything changes. */
export const probeRun = {
  async execute(config: CutoverConfig): Promise<ProbeFinding[]> {
    const clients = planningClients(config);
    const [organisation, search, salesConnect] = await Promise.all([
      createProbeActivities({ clients, config }).probeOrganisation(),
      sfmcSearchFinding(config),
      salesConnectFindings(config),
    ]);
    return [...organisation, ...search, ...salesConnect];
  },
};
