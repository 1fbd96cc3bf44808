import {
  ServiceError,
  WorkflowFailedError,
  WorkflowUpdateFailedError,
  isGrpcServiceError,
} from '@temporalio/client';
import { ApplicationFailure, NamespaceNotFoundError, WorkflowNotFoundError } from '@temporalio/common';
import { CodecError } from '../codec/aes-gcm-codec';
import { CodecKeyError } from '../config/codec';
import { ConfigError } from '../config/load';
import { SecretResolutionError, processRedactor } from '../config/secrets';
import { RemoteApiError } from '../integrations/http/errors';
import { MarketoCredentialError } from '../integrations/marketo';
import { TemporalBinaryNotFoundError } from '../temporal/binaries';
import { MetricsPortInUseError, TemporalUnreachableError } from '../temporal/connection-options';
import { UsageError } from './args';

/**
 * What a `cutover` command's exit code says:
 * 0 it did what was asked; 1 it ran but the outcome is not done (a plan is
 * blocked, items failed, a run failed, a remote API or Temporal refused or
 * could not be reached); 2 the command or the config must be fixed first.
 */
export const EXIT = { done: 0, notDone: 1, fixInput: 2 } as const;

/** A failure the command already explained in full, with the exit code it deserves. */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.notDone,
  ) {
    super(message);
    this.name = 'CliFailure';
  }
}

const FIX_INPUT = [
  UsageError,
  ConfigError,
  SecretResolutionError,
  MarketoCredentialError,
  TemporalBinaryNotFoundError,
  MetricsPortInUseError,
  // A key of the wrong size, a key id the config lacks, a key that does not open the payload.
  CodecError,
  CodecKeyError,
] as const;

/**
 * Failure types activities raise for what the person must fix in the config
 * or environment (the CLI runs the same activities for `plan`).
 */
const INPUT_FAILURE_TYPES = new Set([
  'SecretResolutionError',
  'MarketoCredentialsInvalid',
  'MarketoCredentialsMissing',
  'SfmcCredentialsMissing',
]);

/** Whether an error says the config or environment must be fixed, rather than that a remote refused. */
export function isInputFailure(error: unknown): boolean {
  if (FIX_INPUT.some((type) => error instanceof type)) return true;
  return error instanceof ApplicationFailure && INPUT_FAILURE_TYPES.has(error.type ?? '');
}

/**
 * The error to show when a payload the run's worker wrote cannot be read with
 * this config's codec: the key is missing or another one. Undefined for any
 * other failure (no worker to answer, a refused request).
 */
export function unreadablePayload(error: unknown): Error | undefined {
  if (error instanceof CodecError) return error;
  const message = error instanceof Error ? error.message : '';
  if (/Unknown encoding: binary\/encrypted/.test(message))
    return new CliFailure(
      "The run's payloads are encrypted, and this config has no codec section to read them: add codec.keys with the worker's key (the same id and key), then run this again.",
      EXIT.fixInput,
    );
  return undefined;
}

/** Words a credential check's failure as a plan blocker, unless the config itself must be fixed first. */
export function explainBlocker(error: unknown): string {
  if (isInputFailure(error)) throw error;
  return (error as Error).message;
}

/** Temporal's wrappers around the failure that matters; they say nothing a person can act on. */
const WRAPPER = /^(Activity task failed|Child Workflow execution failed|Workflow execution failed)$/;

/** The messages of an error and its causes, outermost first, each once, without Temporal's bare wrappers. */
function causeChain(error: unknown): string[] {
  const messages: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 8; depth += 1) {
    const message = current instanceof Error ? current.message : String(current);
    if (message && !WRAPPER.test(message) && !messages.some((earlier) => earlier.includes(message)))
      messages.push(message);
    current = current instanceof Error ? current.cause : undefined;
  }
  return messages;
}

/** What Temporal's server said, when the error (or one of its causes) is its answer. */
function grpcDetails(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 8; depth += 1) {
    if (isGrpcServiceError(current)) return current.details || current.message;
    if (current instanceof ServiceError && !current.cause) return current.message;
    current = current instanceof Error ? current.cause : undefined;
  }
  return undefined;
}

function describe(error: unknown): { lines: string[]; exitCode: number } {
  if (error instanceof CliFailure) return { lines: [error.message], exitCode: error.exitCode };
  if (isInputFailure(error))
    return {
      lines: [
        error instanceof MarketoCredentialError
          ? `marketo.${error.field}: ${error.message}`
          : (error as Error).message,
      ],
      exitCode: EXIT.fixInput,
    };
  if (error instanceof WorkflowNotFoundError)
    return {
      lines: [
        `No workflow ${error.workflowId} in this namespace: check --workflow-id, or leave it out to find the running run of your organisation.`,
      ],
      exitCode: EXIT.fixInput,
    };
  if (error instanceof NamespaceNotFoundError)
    return {
      lines: [
        `Namespace ${error.namespace} does not exist on this Temporal server: set temporal.namespace (or TEMPORAL_NAMESPACE), or create it with \`temporal operator namespace create ${error.namespace}\`.`,
      ],
      exitCode: EXIT.fixInput,
    };
  if (error instanceof WorkflowUpdateFailedError)
    return { lines: causeChain(error.cause ?? error).slice(-1), exitCode: EXIT.fixInput };
  if (error instanceof WorkflowFailedError)
    return {
      lines: ['The run failed:', ...causeChain(error.cause).map((line) => `  ${line}`)],
      exitCode: EXIT.notDone,
    };
  if (
    error instanceof RemoteApiError ||
    error instanceof TemporalUnreachableError ||
    error instanceof ApplicationFailure
  )
    return { lines: causeChain(error), exitCode: EXIT.notDone };
  const grpc = grpcDetails(error);
  if (grpc !== undefined) {
    if (/already completed|already finished/i.test(grpc))
      return {
        lines: [`The run has already ended (${grpc}): there is nothing left to approve, reject or confirm.`],
        exitCode: EXIT.fixInput,
      };
    const context = error instanceof Error && !error.message.includes(grpc) ? `${error.message}: ` : '';
    return { lines: [`Temporal refused the request: ${context}${grpc}`], exitCode: EXIT.notDone };
  }
  return {
    lines: [
      ...causeChain(error),
      'This is a fault in cutover, not in your input: run again with --debug and report the stack trace.',
    ],
    exitCode: EXIT.notDone,
  };
}

/**
 * The one place a failed command becomes what a person reads: what failed
 * and why, the chain of causes, never a stack frame (unless `debug`), and
 * never a secret in any spelling.
 */
export function explainError(error: unknown, debug = false): { text: string; exitCode: number } {
  const { lines, exitCode } = describe(error);
  const stack = debug && error instanceof Error && error.stack ? [`\n${error.stack}`] : [];
  return { text: processRedactor.redact([...lines, ...stack].join('\n')), exitCode };
}
