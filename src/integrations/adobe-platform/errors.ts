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

/**
 * What to do about a 403 from Experience Platform: an unknown sandbox is a
 * config mistake, not a missing permission, so the two get different advice.
 */
export function platformForbiddenHint(
  status: number,
  code: string | undefined,
  sandbox: string,
): string | undefined {
  if (status !== 403) return undefined;
  if (code === UNKNOWN_SANDBOX_CODE)
    return `Sandbox "${sandbox}" is not one of this organisation's (or the credential's product profile cannot see it): check the name in adobe.sandboxes against Adobe Admin Console > Sandboxes`;
  return `The credential's product profile in sandbox "${sandbox}" lacks a permission this call needs`;
}
