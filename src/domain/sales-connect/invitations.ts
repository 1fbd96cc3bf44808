import type { PreflightFinding } from './preflight';

/** A user the config asks to provision, with the workspace to assign at invite time (default when absent). */
export interface RequestedUser {
  email: string;
  workspace?: string;
}

export interface KnownMember {
  email: string;
  status: 'connected' | 'invited' | 'not-connected';
  workspace?: string;
}

/** An e-mail that holds an account (connected or invited) on another Sales Connect instance of the org. */
export interface AccountElsewhere {
  email: string;
  instanceId: string;
}

export interface SalesConnectTeamFacts {
  members: KnownMember[];
  workspaces: string[];
  defaultWorkspace: string;
  /** Accounts the run's users hold on the instances `salesConnect.otherInstanceIds` names. */
  elsewhere?: AccountElsewhere[];
}

export type UserPlan =
  | { email: string; action: 'invite'; workspace?: string }
  | { email: string; action: 'skip'; workspace?: string; reason: 'already-connected' | 'already-invited' }
  | {
      email: string;
      action: 'reject';
      workspace?: string;
      reason:
        | 'workspace-change-requires-disconnect'
        | 'unknown-workspace'
        | 'unknown-user'
        | 'email-used-on-other-instance';
      detail: string;
    };

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Pure: what to do with each requested user, from what Sales Connect reports.
 * A workspace is assigned once, at invite time: asking to change it is
 * reported as needing a disconnect, never attempted. An e-mail holds an
 * account on one instance only, so one already used on another instance is
 * reported before any invitation. With no team list (the manual adapter),
 * every user is invited and Sales Connect has the last word.
 */
export function planInvitations(requested: RequestedUser[], team?: SalesConnectTeamFacts): UserPlan[] {
  const seen = new Set<string>();
  return requested.flatMap((user): UserPlan[] => {
    const key = user.email.toLowerCase();
    if (seen.has(key)) return [];
    seen.add(key);
    if (!team) return [{ email: user.email, action: 'invite', workspace: user.workspace }];
    const member = team.members.find((candidate) => same(candidate.email, user.email));
    if (!member) {
      return [
        {
          email: user.email,
          action: 'reject',
          reason: 'unknown-user',
          detail: 'not among the Sales Connect team members (users come from the connected Salesforce org)',
        },
      ];
    }
    if (user.workspace && !team.workspaces.some((name) => same(name, user.workspace!))) {
      return [
        {
          email: user.email,
          action: 'reject',
          reason: 'unknown-workspace',
          workspace: user.workspace,
          detail: `workspace "${user.workspace}" does not exist (known: ${team.workspaces.join(', ')})`,
        },
      ];
    }
    if (member.status !== 'not-connected') {
      const wanted = user.workspace ?? member.workspace;
      if (member.workspace && wanted && !same(member.workspace, wanted)) {
        return [
          {
            email: user.email,
            action: 'reject',
            reason: 'workspace-change-requires-disconnect',
            workspace: member.workspace,
            detail: `already in workspace "${member.workspace}"; Sales Connect assigns a workspace once, so moving to "${wanted}" means disconnecting the user first (Settings > Admin Settings > Marketo, Team Access tab)`,
          },
        ];
      }
      // A pending invitation is not sent again: re-running a provisioning must not e-mail people twice.
      return [
        {
          email: user.email,
          action: 'skip',
          reason: member.status === 'connected' ? 'already-connected' : 'already-invited',
          workspace: member.workspace,
        },
      ];
    }
    const elsewhere = instancesHolding(team.elsewhere ?? [], user.email);
    if (elsewhere.length) {
      return [
        {
          email: user.email,
          action: 'reject',
          reason: 'email-used-on-other-instance',
          detail: `already holds a Sales Connect account on ${elsewhere.join(', ')}; an e-mail can hold an account on one instance only, so this instance needs a different address`,
        },
      ];
    }
    return [{ email: user.email, action: 'invite', workspace: user.workspace ?? team.defaultWorkspace }];
  });
}

function instancesHolding(accounts: AccountElsewhere[], email: string): string[] {
  return [...new Set(accounts.filter((account) => same(account.email, email)).map((a) => a.instanceId))];
}

/**
 * Pure: one warning per planned user whose e-mail is already used on another
 * Sales Connect instance (seed 002), so the plan says why before anything is
 * sent; the other users are provisioned as planned.
 */
export function checkEmailsOnOneInstance(instanceId: string, users: UserPlan[]): PreflightFinding[] {
  return users.flatMap((user): PreflightFinding[] =>
    user.action === 'reject' && user.reason === 'email-used-on-other-instance'
      ? [
          {
            rule: 'email-on-one-instance',
            severity: 'warning',
            seen: { email: user.email, instance: instanceId },
            message: `${user.email} ${user.detail}; it is not invited on ${instanceId}.`,
            fix: `Give this person a different e-mail address for ${instanceId} in salesConnect.users (Sales Connect accounts are one per e-mail across instances), or remove ${user.email} from salesConnect.users.`,
          },
        ]
      : [],
  );
}

/**
 * The idempotency key of one invitation batch: the same users and workspaces
 * always get the same key, in this run or a later one, so the bridge answers a
 * repeat from memory instead of inviting again.
 */
export function invitationRequestId(scope: string, batch: RequestedUser[]): string {
  let hash = 2166136261;
  const text = batch.map((user) => `${user.email.toLowerCase()}>${user.workspace ?? ''}`).join('|');
  for (const char of text) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  const key = `${scope}:${batch.length}:${hash.toString(16).padStart(8, '0')}`;
  return key.replace(/[^\x21-\x7e]/g, '_').slice(-200);
}

/** Consecutive batches of at most `size`, in order. */
export function inBatches<T>(items: T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let start = 0; start < items.length; start += size) batches.push(items.slice(start, start + size));
  return batches;
}
