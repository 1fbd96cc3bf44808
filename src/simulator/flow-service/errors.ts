import type { SimResponse } from '../core/router';

/** Adobe's Flow Service problem format (remote-apis.md A9). */
export function flowError(
  status: number,
  code: string,
  title: string,
  detail: string,
  type = 'flows',
): SimResponse {
  return {
    status,
    body: {
      type: `https://ns.adobe.com/aep/errors/FLOW-${code}-${status}`,
      title,
      status,
      report: { 'detailed-message': detail, type },
      errorMessage: detail,
      errorDetails: detail,
    },
  };
}

// Codes and titles from Adobe's Flow Service error catalogue (Experience League, "Flow Service error messages").
export const badRequest = (detail: string, type?: string) =>
  flowError(400, '1100', 'Invalid request', detail, type);
export const notFound = (what: string, id: string) =>
  flowError(404, '1439', 'Resource not found', `No ${what} found with id ${id}`, what);
export const missingHeader = (header: string, type?: string) =>
  flowError(
    400,
    '1403',
    'Header is missing',
    `The header '${header}' is missing in the request. Please provide the header and try again.`,
    type,
  );
export const versionNotMatching = (supplied: string, current: string, type?: string) =>
  flowError(
    412,
    '1404',
    'Version not matching',
    `The supplied version '${supplied}' does not match the current version on entity '${current}'. Please fetch the latest version and try again.`,
    type,
  );

/** A connection is refused deletion while something uses it; dataflows get their own code. */
export const stillInUse = (
  what: string,
  id: string,
  user: { kind: 'flow' | 'connection'; id: string },
  type?: string,
) =>
  user.kind === 'flow'
    ? flowError(
        400,
        '1447',
        'Found active flows',
        `Found active flows for the ${what} ${id}: ${user.id}. Delete the flows and try again.`,
        type,
      )
    : flowError(
        400,
        '1418',
        'Invalid request',
        `The ${what} ${id} is in use by the connection ${user.id}. Delete it first and try again.`,
        type,
      );

type PermissionAnswer = 'generic' | 'missing' | 'denied';

/**
 * A refused permission: 2120 names none, 2118 names the missing one, 2121 the
 * one denied on the resource addressed.
 */
export function forbidden(
  answer: PermissionAnswer,
  permission: string,
  resource: string | undefined,
  type?: string,
): SimResponse {
  if (answer === 'missing' || (answer === 'denied' && !resource))
    return flowError(403, '2118', 'Forbidden', `The permission ${permission} is missing`, type);
  if (answer === 'denied')
    return flowError(
      403,
      '2121',
      'Forbidden',
      `The permission ${permission} is denied on resource ${resource}`,
      type,
    );
  return flowError(403, '2120', 'Forbidden', 'The user is not authorized to access this resource', type);
}
