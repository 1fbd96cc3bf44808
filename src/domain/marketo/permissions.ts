/** What each step of the Marketo migration does in Experience Platform, and the permissions that needs. */
export const PERMISSIONS_FOR_STEP = {
  discover: ['View Destinations'],
  connect: ['Manage Destinations'],
  // A credential with only the three activation permissions is refused: activating edits the dataflow (seed 004).
  activate: ['Manage Destinations', 'Activate Destinations', 'View Profiles', 'View Segments'],
  'remove-v1': ['Manage Destinations'],
} as const satisfies Record<string, readonly string[]>;

export type DestinationStep = keyof typeof PERMISSIONS_FOR_STEP;

const STEP_LABEL: Record<DestinationStep, string> = {
  discover: 'read destination dataflows',
  connect: 'create the V2 destination connection and dataflow',
  activate: 'activate audiences on the V2 dataflow',
  'remove-v1': 'delete the V1 dataflow',
};

/** The message for a 403 from Experience Platform: which permission to grant, and where. */
export function missingPermissionMessage(step: DestinationStep, endpoint: string): string {
  const permissions = PERMISSIONS_FOR_STEP[step];
  return (
    `Experience Platform refused to ${STEP_LABEL[step]} (${endpoint}, HTTP 403): the API credential's product profile ` +
    `needs the permission${permissions.length > 1 ? 's' : ''} ${permissions.map((name) => `"${name}"`).join(', ')}. ` +
    `Add ${permissions.length > 1 ? 'them' : 'it'} to a role in Adobe Admin Console (Experience Platform > Permissions) that covers this sandbox, then run again.`
  );
}
