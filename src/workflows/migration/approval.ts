import { condition, setHandler } from '@temporalio/workflow';
import { approveUpdate, rejectUpdate, type MigrationProgress } from './messages';

export type Decision = 'approved' | 'rejected';

/**
 * The cut-over gate: sandboxes whose V1 deletion waits for a person, the
 * `approve` and `reject` updates (refused by their validators unless the run
 * waits, before anything is recorded), and the decisions they made.
 */
export class ApprovalGate {
  private readonly decisions = new Map<string, Decision>();
  /** The person's words on a rejection, kept with every rolled-back item. */
  rejection = '';

  constructor(private readonly progress: MigrationProgress) {
    setHandler(approveUpdate, (request) => this.decide('approved', request.sandboxes), {
      validator: (request) => this.validate(request.sandboxes),
      description: 'Approve deleting the V1 dataflows whose V2 replacement is verified.',
    });
    setHandler(
      rejectUpdate,
      (request) => {
        this.rejection = `${request.reason}${request.by ? ` (by ${request.by})` : ''}`;
        return this.decide('rejected');
      },
      {
        validator: (_request) => this.validate(),
        description: 'Reject the cut-over: remove V2 (and restore V1) in the waiting sandboxes.',
      },
    );
  }

  decisionFor(sandbox: string): Decision | undefined {
    return this.decisions.get(sandbox);
  }

  /** Auto-approved sandboxes pass at once; the others wait for `approve` or `reject`. */
  async await(
    sandboxes: string[],
    autoApproved: (sandbox: string) => boolean,
    waiting: () => void,
  ): Promise<void> {
    for (const sandbox of sandboxes) {
      if (autoApproved(sandbox)) this.decisions.set(sandbox, 'approved');
      else this.progress.awaitingApproval.push(sandbox);
    }
    if (!this.progress.awaitingApproval.length) return;
    waiting();
    await condition(() => this.progress.awaitingApproval.length === 0);
  }

  private validate(sandboxes?: string[]): void {
    const { phase, awaitingApproval } = this.progress;
    if (phase !== 'awaiting-approval' || awaitingApproval.length === 0)
      throw new Error(`Nothing is waiting for approval: the migration is in phase "${phase}".`);
    const unknown = (sandboxes ?? []).filter((sandbox) => !awaitingApproval.includes(sandbox));
    if (unknown.length)
      throw new Error(
        `Not waiting for approval: ${unknown.join(', ')}. Waiting: ${awaitingApproval.join(', ')}.`,
      );
  }

  private decide(decision: Decision, sandboxes?: string[]): string[] {
    const chosen = sandboxes?.length ? sandboxes : [...this.progress.awaitingApproval];
    for (const sandbox of chosen) this.decisions.set(sandbox, decision);
    this.progress.awaitingApproval = this.progress.awaitingApproval.filter(
      (sandbox) => !chosen.includes(sandbox),
    );
    return chosen;
  }
}
