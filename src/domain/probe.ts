/**
 * One line of `cutover probe`: a read-only check of the real organisation
 * and what to set or fix when it fails. A blocker stops a migration's
 * preflight; a warning is a fact a person should confirm.
 */
export interface ProbeFinding {
  check: string;
  result: 'ok' | 'warning' | 'blocker';
  detail: string;
  /** What to set or fix; empty when the check passed. */
  fix: string;
}

export const ok = (check: string, detail: string): ProbeFinding => ({ check, result: 'ok', detail, fix: '' });
export const blocker = (check: string, detail: string, fix: string): ProbeFinding => ({
  check,
  result: 'blocker',
  detail,
  fix,
});
export const warning = (check: string, detail: string, fix: string): ProbeFinding => ({
  check,
  result: 'warning',
  detail,
  fix,
});

export const isBlocked = (findings: ProbeFinding[]) =>
  findings.some((finding) => finding.result === 'blocker');

/** What a finding says of a failed check: the error's own message, which names what was refused. */
export const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
