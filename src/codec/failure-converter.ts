import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failure messages and stack traces travel as a payload, so the payload codec
 * encrypts them like any other: a remote's words in a message may hold what
 * redaction missed. Loaded by path, because workflows convert their failures
 * inside the workflow bundle.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
