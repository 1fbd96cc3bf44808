import type { IncomingHttpHeaders } from 'node:http';
import type { SimResponse } from './router';

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?$/i;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function refused(message: string): SimResponse {
  return { status: 403, body: { error: 'admin_forbidden', message } };
}

/**
 * The admin API changes and reveals the whole simulated world, so it answers
 * only this machine: a Host naming loopback (a DNS-rebinding page names its
 * own host), no foreign Origin (a browser always sends one cross-origin), a
 * change only as JSON or with `x-cutover-admin` (neither is a "simple"
 * request a page can send without a CORS preflight, which is never granted),
 * and the admin token when one is set. Undefined when the request may pass.
 */
export function adminRefusal(
  method: string,
  headers: IncomingHttpHeaders,
  adminToken: string | undefined,
): SimResponse | undefined {
  const host = header(headers, 'host') ?? '';
  if (!LOOPBACK_HOST.test(host))
    return refused(
      `The admin API answers only requests addressed to localhost, 127.0.0.1 or [::1], not "${host}".`,
    );
  const origin = header(headers, 'origin');
  if (origin !== undefined) {
    let originHost = '';
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = origin;
    }
    if (!LOOPBACK_HOST.test(originHost))
      return refused(`The admin API refuses requests from web pages (Origin ${origin}).`);
  }
  const changes = !['GET', 'HEAD', 'OPTIONS'].includes(method);
  const json = /^application\/json\b/i.test(header(headers, 'content-type') ?? '');
  if (changes && !json && header(headers, 'x-cutover-admin') === undefined)
    return refused(
      'An admin change must be sent as JSON (content-type: application/json) or carry the x-cutover-admin header.',
    );
  if (adminToken !== undefined && header(headers, 'authorization') !== `Bearer ${adminToken}`)
    return {
      status: 401,
      body: {
        error: 'admin_unauthorized',
        message: 'The admin API needs authorization: Bearer <admin token>.',
      },
    };
  return undefined;
}
