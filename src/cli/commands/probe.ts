import { z } from 'zod';
import { loadConfigFile } from '../../config/load';
import { isBlocked, type ProbeFinding } from '../../domain/probe';
import { probeRun } from '../../runs/probe';
import { configFlag, configPathFrom, parseCommandArgs } from '../args';
import { EXIT } from '../errors';
import { formatTable } from '../table';

const RESULT_LABEL: Record<ProbeFinding['result'], string> = {
  ok: 'ok',
  warning: 'WARNING',
  blocker: 'BLOCKER',
};

function formatFindings(findings: ProbeFinding[]): string {
  return formatTable(
    ['check', 'result', 'what to set or fix'],
    findings.map((finding) => [
      finding.check,
      `${RESULT_LABEL[finding.result]}: ${finding.detail}`,
      finding.fix,
    ]),
  );
}

/** `cutover probe`: reads the organisation as every run will, changes nothing, exits 1 on a blocker. */
export async function probeCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    'probe',
    argv,
    { ...configFlag, json: { type: 'boolean' } },
    z.object({ config: z.string().optional(), json: z.boolean().optional() }),
  );
  const config = loadConfigFile(configPathFrom(args.config));
  const findings = await probeRun.execute(config);
  if (args.json) console.log(JSON.stringify({ findings, blocked: isBlocked(findings) }, null, 2));
  else {
    console.log(formatFindings(findings));
    const counts = (['blocker', 'warning'] as const).map(
      (result) => findings.filter((finding) => finding.result === result).length,
    );
    console.log(
      `\n${findings.length} checks: ${counts[0]} blocker(s), ${counts[1]} warning(s). Nothing was changed.`,
    );
  }
  return isBlocked(findings) ? EXIT.notDone : EXIT.done;
}
