import { processRedactor } from '../../config/secrets';
import type { RemoteApiName } from '../../domain/outage';

/** Which remote API a client speaks; used in messages and failure types. */
export type RemoteApi = RemoteApiName;

export type RemoteErrorKind =
  | 'network'
  | 'server'
  | 'rate-limited'
  | 'quota-exhausted'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'precondition-failed'
  | 'bad-request'
  | 'unprocessable'
  | 'unexpected-response';

/** The most of a remote's own words a message keeps: its code, title and status say what happened; a whole body may echo anything. */
const REMOTE_EXCERPT_CHARS = 300;

function excerpt(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > REMOTE_EXCERPT_CHARS ? `${oneLine.slice(0, REMOTE_EXCERPT_CHARS)}…` : oneLine;
}

const RETRYABLE_KINDS: ReadonlySet<RemoteErrorKind> = new Set(['network', 'server', 'rate-limited']);

export interface RemoteApiErrorDetails {
  api: RemoteApi;
  /** Method and path without the query string, e.g. "GET /flows/123"; queries may carry credentials. */
  endpoint: string;
  kind: RemoteErrorKind;
  status?: number;
  remoteCode?: string;
  remoteMessage?: string;
  retryAfterMs?: number;
  /** The remote API's own words on what to do, when we know better than the status code. */
  hint?: string;
}

/**
 * The one error every client throws. Network failures, 5xx and 429 are
 * retryable (with the server's Retry-After); everything else is not, because
 * retrying the same request cannot change the answer.
 */
export class RemoteApiError extends Error {
  readonly api: RemoteApi;
  readonly endpoint: string;
  readonly kind: RemoteErrorKind;
  readonly status: number | undefined;
  readonly remoteCode: string | undefined;
  readonly remoteMessage: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly retryable: boolean;

  constructor(given: RemoteApiErrorDetails, options?: { cause?: unknown }) {
    const details = {
      ...given,
      remoteMessage: given.remoteMessage && excerpt(processRedactor.redact(given.remoteMessage)),
    };
    super(processRedactor.redact(RemoteApiError.describe(details)), options);
    this.name = 'RemoteApiError';
    this.api = details.api;
    this.endpoint = details.endpoint;
    this.kind = details.kind;
    this.status = details.status;
    this.remoteCode = details.remoteCode;
    this.remoteMessage = details.remoteMessage;
    this.retryAfterMs = details.retryAfterMs;
    this.retryable = RETRYABLE_KINDS.has(details.kind);
  }

  private static describe({
    api,
    endpoint,
    kind,
    status,
    remoteCode,
    remoteMessage,
    hint,
  }: RemoteApiErrorDetails): string {
    const what = [status ? `HTTP ${status}` : undefined, remoteCode ? `code ${remoteCode}` : undefined]
      .filter(Boolean)
      .join(', ');
    const said = remoteMessage ? `: ${remoteMessage}` : '';
    return `${api} ${endpoint} failed (${kind}${what ? `, ${what}` : ''})${said}${hint ? `. ${hint}` : ''}`;
  }
}

export function kindForStatus(status: number): RemoteErrorKind {
  if (status === 429) return 'rate-limited';
  if (status >= 500) return 'server';
  switch (status) {
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not-found';
    case 409:
      return 'conflict';
    case 412:
      return 'precondition-failed';
    case 422:
      return 'unprocessable';
    default:
      return 'bad-request';
  }
}
