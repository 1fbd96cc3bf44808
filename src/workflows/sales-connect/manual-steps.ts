import { condition, setHandler } from '@temporalio/workflow';
import type { MarketoMigrationActivities } from '../../activities/marketo-migration';
import { sameSalesforceInstance } from '../../domain/sales-connect/preflight';
import { READ } from '../activity-options';
import { patientActivities } from '../shared/outage';
import { manualInstructions } from './instructions';
import {
  confirmStepUpdate,
  type ProvisioningProgress,
  type SalesConnectProvisioningInput,
  type StepConfirmation,
} from './messages';
import type { SalesConnectSteps } from './steps';

const credentials = patientActivities<Pick<MarketoMigrationActivities, 'verifyMarketoCredentials'>>({
  ...READ,
  summary: 'Prove the Marketo credentials before a person pastes them into Sales Connect',
});

const MUNCHKIN = /^\d{3}-[A-Z]{3}-\d{3}$/;
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * The `confirm` update: a person says they did the step the run waits for.
 * Registered in every run, so one that waits for nothing says so; what does
 * not fit the step is refused before anything is recorded.
 */
export class ConfirmationGate {
  private readonly confirmations = new Map<string, StepConfirmation>();

  constructor(
    private readonly input: SalesConnectProvisioningInput,
    private readonly progress: ProvisioningProgress,
    /** Tells the UI a person must act: called with the step's instructions. */
    private readonly onAwait: (step: string, instructions: string) => void,
  ) {
    setHandler(
      confirmStepUpdate,
      (confirmation) => {
        this.confirmations.set(confirmation.step, confirmation);
        this.progress.awaiting = undefined;
        return `Confirmed "${confirmation.step}".`;
      },
      {
        validator: (confirmation) => this.validate(confirmation),
        description: 'Confirm the manual Sales Connect step the run is waiting for.',
      },
    );
  }

  /** Waits for a person to do `step` and confirm it. */
  async confirmed(step: string, instructions: string, users?: string[]): Promise<StepConfirmation> {
    this.progress.awaiting = { step, instructions, ...(users ? { users } : {}) };
    this.onAwait(step, instructions);
    await condition(() => this.confirmations.has(step));
    return this.confirmations.get(step)!;
  }

  private validate(confirmation: StepConfirmation): void {
    const awaiting = this.progress.awaiting;
    if (!awaiting)
      throw new Error(`Nothing is waiting for confirmation: the run is in phase "${this.progress.phase}".`);
    if (confirmation.step !== awaiting.step)
      throw new Error(`The run waits for step "${awaiting.step}", not "${confirmation.step}".`);
    if (confirmation.step === 'salesforce-connected') this.validateSalesforce(confirmation);
    if (confirmation.step === 'marketo-connected') this.validateMarketo(confirmation);
    const reported = [
      ...(confirmation.alreadyConnected ?? []),
      ...(confirmation.rejected ?? []).map((user) => user.email),
    ];
    const outsideBatch = reported.filter((email) => !awaiting.users?.some((user) => same(user, email)));
    if (outsideBatch.length)
      throw new Error(`Not in the batch step "${awaiting.step}" waits for: ${outsideBatch.join(', ')}.`);
  }

  private validateSalesforce(confirmation: StepConfirmation): void {
    const marketoInstance = this.input.salesforce.marketo.instance;
    if (!confirmation.instanceUrl || confirmation.isProduction === undefined)
      throw new Error(
        'Step "salesforce-connected" needs --instance-url (the Salesforce org Sales Connect shows) and --production or --sandbox.',
      );
    // Sales Connect must use Marketo's org: the wrong one is refused here, not found by the preflight later.
    if (!sameSalesforceInstance(confirmation.instanceUrl, marketoInstance))
      throw new Error(
        `Sales Connect shows Salesforce ${confirmation.instanceUrl}, but Marketo uses ${marketoInstance}: disconnect it in Sales Connect Settings > Admin Settings > Salesforce and connect ${marketoInstance}, or fix salesforce.marketoInstance.`,
      );
  }

  private validateMarketo(confirmation: StepConfirmation): void {
    const munchkinId = confirmation.munchkinId?.trim().toUpperCase() ?? '';
    if (!MUNCHKIN.test(munchkinId))
      throw new Error('Step "marketo-connected" needs --munchkin-id, shaped like 123-ABC-456.');
    if (munchkinId !== this.input.munchkinId.toUpperCase())
      throw new Error(
        `Sales Connect shows Munchkin ID ${munchkinId}, but marketo.munchkinId is ${this.input.munchkinId}: connect it with the Marketo subscription in the config.`,
      );
  }
}

/** The steps a person does in the Sales Connect UI, each confirmed through the gate. */
export function manualSteps(input: SalesConnectProvisioningInput, gate: ConfirmationGate): SalesConnectSteps {
  return {
    verifyMarketoCredentials: credentials.verifyMarketoCredentials,

    async salesforce() {
      const confirmation = await gate.confirmed(
        'salesforce-connected',
        manualInstructions.salesforce(input.salesforce.marketo.instance),
      );
      return { instanceUrl: confirmation.instanceUrl!, isProduction: confirmation.isProduction! };
    },

    // The person connects Marketo in the next step; the run cannot see an earlier connection.
    marketoConnection: async () => undefined,
    // Without a team list every user is invited and Sales Connect has the last word.
    team: async () => undefined,

    // The person confirmed the connection and does each invitation in the same UI: no API to ask.
    stillConnectedToMarketo: async () => true,

    async connectMarketo() {
      await gate.confirmed('marketo-connected', manualInstructions.marketo(input.munchkinId));
      return Date.now();
    },

    async invite(batch, number) {
      const confirmation = await gate.confirmed(
        `invitations-${number}`,
        manualInstructions.invite(batch),
        batch.map((user) => user.email),
      );
      return batch.map((user) => {
        const rejected = confirmation.rejected?.find((candidate) => same(candidate.email, user.email));
        const connected = confirmation.alreadyConnected?.some((email) => same(email, user.email));
        return {
          email: user.email,
          status: rejected ? 'rejected' : connected ? 'already-connected' : 'invited',
          ...(user.workspace ? { workspace: user.workspace } : {}),
          reason: rejected ? rejected.reason : `confirmed${confirmation.by ? ` by ${confirmation.by}` : ''}`,
        };
      });
    },
  };
}
