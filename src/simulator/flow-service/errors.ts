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

export const badRequest = (detail: string, type?: string) =>
  flowError(400, '1100', 'Bad Request', detail, type);
export const notFound = (what: string, id: string) =>
  flowError(404, '1439', 'Resource not found', `No ${what} found with id ${id}`, what);
