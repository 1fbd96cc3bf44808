import { MIGRATION_RUNS } from '../runs';
import { EXIT, explainError } from './errors';
import { codecServerCommand } from './commands/codec-server';
import { demoCommand } from './commands/demo';
import { doctorCommand } from './commands/doctor';
import { ingestionCommand } from './commands/ingestion';
import { probeCommand } from './commands/probe';
import { salesConnectCommand } from './commands/sales-connect';
import { searchAttributesCommand } from './commands/search-attributes';
import { simulatorCommand } from './commands/simulator';
import { approveCommand, migrationCommand, rejectCommand, statusCommand } from './commands/migration';
import { workerCommand } from './commands/worker';

export const COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; help: string }> = {
  demo: {
    run: demoCommand,
    help: 'demo [--port 7233] [--ui-port 8233] [--simulator-port 4010] [--metrics-port 9464] [--exit]   dev server + UI + simulator + worker + a run',
  },
  ...Object.fromEntries(
    MIGRATION_RUNS.map((run) => [
      run.command,
      {
        run: migrationCommand(run),
        help: `${run.command} plan|run [--config F] [--sandbox S]... [--json] [--detach]   ${run.title}: dry-run plan, or run it`,
      },
    ]),
  ),
  'sales-connect': {
    run: salesConnectCommand,
    help: 'sales-connect plan|run|confirm|status [--config F] [--step S ...]   Sales Connect: preflight, connect Marketo, wait, invite users',
  },
  ingestion: {
    run: ingestionCommand,
    help: 'ingestion sync [--dry-run] | schedule create|list|describe|pause|unpause|trigger|backfill|delete --name N [--from T --to T]',
  },
  status: {
    run: statusCommand,
    help: `status [--workflow-id ID | --kind ${MIGRATION_RUNS.map((run) => run.command).join('|')}] [--follow]   progress of a migration run (--follow: live, per sandbox)`,
  },
  approve: {
    run: approveCommand,
    help: 'approve [--workflow-id ID | --kind K] [--sandbox S]...   approve deleting V1 where V2 is verified',
  },
  reject: {
    run: rejectCommand,
    help: 'reject --reason "..." [--workflow-id ID | --kind K]   roll the waiting sandboxes back',
  },
  worker: {
    run: workerCommand,
    help: 'worker [--config FILE]                         run a cutover worker until SIGINT/SIGTERM',
  },
  'codec-server': {
    run: codecServerCommand,
    help: 'codec-server [--config FILE]                   decode/encode payloads for the Temporal UI and CLI (codec keys of the config)',
  },
  probe: {
    run: probeCommand,
    help: 'probe [--config FILE] [--json]                 read-only check of the organisation: token, specs, permissions, SFMC, Marketo, Sales Connect',
  },
  doctor: {
    run: doctorCommand,
    help: 'doctor [--config FILE]                         round trip through a worker; checks its secret references',
  },
  simulator: {
    run: simulatorCommand,
    help: 'simulator [--port 4010] [--seed demo|large|empty] [--state FILE] [--fresh] [--speed N]  the remote-API simulator',
  },
  'search-attributes': {
    run: searchAttributesCommand,
    help: 'search-attributes [--config FILE]              register cutover search attributes (self-hosted Temporal)',
  },
};

function usage(): string {
  return [
    'Usage: cutover <command> [flags]',
    '',
    ...Object.values(COMMANDS).map((command) => `  ${command.help}`),
    '',
    'The config file defaults to $CUTOVER_CONFIG, then ./cutover.yaml. See examples/cutover.simulator.yaml.',
    'Exit codes: 0 done; 1 not done (blocked, items failed, a run failed, a remote API or Temporal refused);',
    '2 fix the command or the config first. --debug adds stack traces to errors.',
  ].join('\n');
}

/**
 * Runs one command. Every failure ends here, explained by `explainError`
 * (what failed, why, what to do; no stack trace unless `--debug` or
 * CUTOVER_DEBUG=1) with a documented exit code.
 */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug') || process.env.CUTOVER_DEBUG === '1';
  const [name, ...rest] = argv.filter((arg) => arg !== '--debug');
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    console.log(usage());
    return name ? EXIT.done : EXIT.fixInput;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`cutover: unknown command "${name}".\n\n${usage()}`);
    return EXIT.fixInput;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    const { text, exitCode } = explainError(error, debug);
    console.error(text);
    return exitCode;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    // A failed start can leave Temporal's native runtime holding the process open: a worker that
    // cannot work must exit, or a supervisor sees it as healthy. Output is written by now.
    setTimeout(() => process.exit(code), 1_000).unref();
  });
}
