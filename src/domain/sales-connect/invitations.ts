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

export type UserPlan =
  | { email: string; action: 'invite'; workspace?: string }
  | { email: string; action: 'skip'; workspace?: string; reason: 'already-connected' }
  | {
      email: string;
      action: 'reject';
      workspace?: string;
      reason: 'workspace-change-requires-disconnect' | 'unknown-workspace' | 'unknown-user';
      detail: string;
    };

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Pure: what to do with each requested user, from what Sales Connect reports.
 * A workspace is assigned once, at invite time: asking to change it is
 * reported as needing a disconnect, never attempted. With no team list (the
 * manual adapter), every user is invited and Sales Connect has the last word.
 */
export function planInvitations(
  requested: RequestedUser[],
  team?: { members: KnownMember[]; workspaces: string[]; defaultWorkspace: string },
): UserPlan[] {
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
            detail: `already in workspace "${member.workspace}"; Sales Connect assigns a workspace once, so moving to "${wanted}" means disconnecting the user first (Team Access)`,
          },
        ];
      }
      if (member.status === 'connected')
        return [
          { email: user.email, action: 'skip', reason: 'already-connected', workspace: member.workspace },
        ];
    }
    return [{ email: user.email, action: 'invite', workspace: user.workspace ?? team.defaultWorkspace }];
  });
}

/** Consecutive batches of at most `size`, in order. */
export function inBatches<T>(items: T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let start = 0; start < items.length; start += size) batches.push(items.slice(start, start + size));
  return batches;
}
