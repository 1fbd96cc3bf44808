import type { SimulatorModule } from '../core/module';
import type { SimRequest } from '../core/router';
import { DEMO_SFMC } from '../seeds/demo-catalog';
import { registerSfmcAdminRoutes } from './admin-routes';
import { registerAuthRoutes, tenantBaseUrl } from './auth-routes';
import { rateLimited, restError, serverError } from './responses';
import { registerRestRoutes } from './rest-routes';
import { initialSfmcState, seedSfmcState, type SfmcSimulatorState } from './state';

/** The SFMC subdomain of a request: `/sfmc/{subdomain}/…` stands for `{subdomain}.*.marketingcloudapis.com`. */
function subdomainOf(request: SimRequest): string {
  const segment = request.params.subdomain ?? request.path.split('/')[2];
  return segment ? decodeURIComponent(segment) : 'unknown';
}

/** The simulated auth base URL to configure an SFMC client with, for a given subdomain. */
export function simulatedSfmcAuthBaseUrl(simulatorBaseUrl: string, subdomain: string): string {
  return `${tenantBaseUrl(simulatorBaseUrl, subdomain)}/auth`;
}

/**
 * Salesforce Marketing Cloud: the per-tenant auth server (`/v2/token`) and
 * the Custom Object (data extension) REST API a token's `rest_instance_url`
 * points to.
 */
export const sfmcSimulatorModule: SimulatorModule<SfmcSimulatorState> = {
  name: 'sfmc',
  prefix: '/sfmc',
  initialState: initialSfmcState,
  seed: seedSfmcState,
  register(router, state, context) {
    registerAuthRoutes(router, state, context);
    registerRestRoutes(router, state, context);
  },
  registerAdmin: registerSfmcAdminRoutes,
  tenantOf: subdomainOf,
  faultResponse: (kind, retryAfterSeconds) =>
    kind === 'rate-limited'
      ? rateLimited(retryAfterSeconds)
      : kind === 'forbidden'
        ? restError(403, 'Insufficient privileges to complete this action.', 0)
        : kind === 'unavailable'
          ? restError(503, 'Service Unavailable', 0)
          : serverError(),
  describeBaseUrls: (baseUrl) => ({
    'SFMC auth, demo tenant (sfmc.authBaseUrl)': simulatedSfmcAuthBaseUrl(baseUrl, DEMO_SFMC.subdomain),
  }),
};
