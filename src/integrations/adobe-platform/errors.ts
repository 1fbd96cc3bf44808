import { z } from 'zod';
import type { RemoteErrorBody } from '../http/json-http-client';

const platformErrorSchema = z.looseObject({
  type: z.string().optional(),
  title: z.string().optional(),
  status: z.number().optional(),
  detail: z.string().optional(),
  report: z.looseObject({ 'detailed-message': z.string().optional() }).optional(),
  errorMessage: z.string().optional(),
  error_code: z.string().optional(),
  message: z.string().optional(),
});

/** Adobe's error bodies: the Flow Service's problem format, or the API gateway's `{error_code, message}`. */
export function readPlatformError(body: unknown): RemoteErrorBody {
  const parsed = platformErrorSchema.safeParse(body);
  if (!parsed.success) return {};
  const error = parsed.data;
  const code = error.type?.split('/').pop() ?? error.error_code;
  const message = [
    error.title,
    error.report?.['detailed-message'] ?? error.detail ?? error.errorMessage ?? error.message,
  ]
    .filter(Boolean)
    .join(': ');
  return { code, message: message || undefined };
}

/** The API gateway's code for a sandbox this organisation does not have (or the credential cannot see). */
export const UNKNOWN_SANDBOX_CODE = '403025';

/** Flow Service codes of a refused permission: 2120 names none; 2118 and 2121 name it in their message. */
const PERMISSION_CODES = {
  missing: 'FLOW-2118-403',
  denied: 'FLOW-2121-403',
} as const;

/** Flow Service codes refusing to delete a connection something still uses (1447: dataflows use it). */
const IN_USE_CODES: readonly string[] = ['FLOW-1418-400', 'FLOW-1447-400'];

export function isInUseCode(status: number | undefined, code: string | undefined): boolean {
  return status === 400 && code !== undefined && IN_USE_CODES.includes(code);
}

/**
 * The permission a 2118 ("The permission write is missing") or 2121 ("The
 * permission manage is denied on resource …") names, with the resource of a
 * 2121; undefined for any other answer.
 */
export function namedPermission(
  code: string | undefined,
  message: string | undefined,
): { permission: string; resource?: string } | undefined {
  if (code !== PERMISSION_CODES.missing && code !== PERMISSION_CODES.denied) return undefined;
  const named = /\bpermission\s+"?([\w.:-]+)"?\s+is\s+(?:missing|denied)(?:\s+on\s+resource\s+(\S+))?/i.exec(
    message ?? '',
  );
  if (!named?.[1]) return undefined;
  return named[2] ? { permission: named[1], resource: named[2] } : { permission: named[1] };
}

/**
 * What a call on this endpoint needs in Experience Platform's access control,
 * for a 2120 that names nothing. The endpoint is `METHOD /path` without the query.
 */
function permissionsForCall(endpoint: string): string {
  const [method = 'GET', path = ''] = endpoint.split(' ');
  if (path.startsWith('/mappingSets'))
    return method === 'GET' ? 'View Sources' : 'Manage Sources (Data Prep mapping sets belong to sources)';
  if (method === 'GET') return 'View Sources or View Destinations';
  const manage = 'Manage Sources (source objects) or Manage Destinations (destination objects)';
  return method === 'PATCH' && path.startsWith('/flows/')
    ? `${manage}; adding audiences to a destination dataflow also needs Activate Destinations, View Profiles and View Segments`
    : manage;
}

const GRANT_IT =
  'grant it to the product profile of the API credential in Adobe Admin Console (Adobe Experience Platform > the profile > Permissions)';

/**
 * What to do about a 403 from Experience Platform: an unknown sandbox is a
 * config mistake, not a missing permission, so the two get different advice;
 * a refusal naming its permission (2118, 2121) is reported with that name.
 */
export function platformForbiddenHint(
  status: number,
  code: string | undefined,
  sandbox: string,
  call?: { endpoint: string; message?: string },
): string | undefined {
  if (status !== 403) return undefined;
  if (code === UNKNOWN_SANDBOX_CODE)
    return `Sandbox "${sandbox}" is not one of this organisation's (or the credential's product profile cannot see it): check the name in adobe.sandboxes against Adobe Admin Console > Sandboxes`;
  const named = namedPermission(code, call?.message);
  if (named)
    return `The API credential lacks the permission "${named.permission}"${named.resource ? ` on ${named.resource}` : ''} in sandbox "${sandbox}": ${GRANT_IT}`;
  if (call)
    return `${call.endpoint} needs ${permissionsForCall(call.endpoint)}, which the credential's product profile in sandbox "${sandbox}" lacks (Adobe's answer names none): ${GRANT_IT}`;
  return `The credential's product profile in sandbox "${sandbox}" lacks a permission this call needs`;
}
