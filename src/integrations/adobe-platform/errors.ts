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
