import type { InvitationRejectionReason, InvitationRequestBody, InvitationResultBody } from './contract';
import type { SalesConnectSimulatorState, SimSalesConnectInstance, SimTeamMember } from './state';

export type InvitationOutcome =
  { type: 'answered'; results: InvitationResultBody[]; replayed: boolean } | { type: 'key-reused' };

function sameEmail(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function fingerprintOf(request: InvitationRequestBody): string {
  return JSON.stringify(request.users.map((user) => [user.email.toLowerCase(), user.workspace ?? null]));
}

function holdsAccountElsewhere(
  state: SalesConnectSimulatorState,
  instanceId: string,
  email: string,
): boolean {
  return Object.values(state.instances).some(
    (other) =>
      other.id !== instanceId &&
      other.members.some((member) => sameEmail(member.email, email) && member.status !== 'not-connected'),
  );
}

/** Why nobody can be invited on this instance right now, if anything stops everyone alike. */
function instanceBlocker(
  instance: SimSalesConnectInstance,
  now: number,
): InvitationRejectionReason | undefined {
  if (!instance.marketo) return 'marketo-not-connected';
  if (now < instance.marketo.connectedAt + instance.minimumProvisioningDelaySeconds * 1000)
    return 'too-early';
  return undefined;
}

function rejected(
  email: string,
  reason: InvitationRejectionReason,
  member?: SimTeamMember,
): InvitationResultBody {
  return { email, outcome: 'rejected', reason, workspace: member?.workspace ?? null };
}

/**
 * Sales Connect's invitation rules: the workspace is fixed at invite time,
 * an e-mail holds an account on one instance only, and a request id answers
 * the same way every time it is repeated.
 */
export function inviteUsers(
  state: SalesConnectSimulatorState,
  instance: SimSalesConnectInstance,
  request: InvitationRequestBody,
  now: number,
): InvitationOutcome {
  const fingerprint = fingerprintOf(request);
  const previous = instance.invitationRequests[request.requestId];
  if (previous) {
    return previous.fingerprint === fingerprint
      ? { type: 'answered', results: previous.results, replayed: true }
      : { type: 'key-reused' };
  }

  const blocker = instanceBlocker(instance, now);
  if (blocker) {
    // Nothing happened, so nothing is remembered: the same request id may be sent again once the wait is over.
    const results = request.users.map((user) =>
      rejected(
        user.email,
        blocker,
        instance.members.find((member) => sameEmail(member.email, user.email)),
      ),
    );
    return { type: 'answered', results, replayed: false };
  }

  const results = request.users.map((user): InvitationResultBody => {
    const member = instance.members.find((candidate) => sameEmail(candidate.email, user.email));
    if (!member) return rejected(user.email, 'unknown-user');
    const requestedWorkspace = user.workspace ?? undefined;
    if (requestedWorkspace !== undefined && !instance.workspaces.includes(requestedWorkspace)) {
      return rejected(user.email, 'unknown-workspace', member);
    }
    if (member.status !== 'not-connected') {
      const current = member.workspace ?? instance.defaultWorkspace;
      if (requestedWorkspace !== undefined && requestedWorkspace !== current) {
        return rejected(user.email, 'workspace-change-requires-disconnect', member);
      }
      if (member.status === 'connected')
        return { email: user.email, outcome: 'already-connected', workspace: current };
    }
    if (member.status === 'not-connected' && holdsAccountElsewhere(state, instance.id, member.email)) {
      return rejected(user.email, 'email-used-on-other-instance', member);
    }
    const workspace = member.workspace ?? requestedWorkspace ?? instance.defaultWorkspace;
    member.status = 'invited';
    member.workspace = workspace;
    instance.sentInvitations.push({ email: member.email, workspace, requestId: request.requestId, at: now });
    return { email: user.email, outcome: 'invited', workspace };
  });

  instance.invitationRequests[request.requestId] = { fingerprint, results, at: now };
  return { type: 'answered', results, replayed: false };
}
