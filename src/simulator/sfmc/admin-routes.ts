import { z } from 'zod';
import type { SimulatorContext } from '../core/module';
import type { Router } from '../core/router';
import { emptyTenant, type SfmcSimulatorState } from './state';
import { invalidAdminRequest } from '../core/admin';

const clientSchema = z
  .object({ secret: z.string().min(1).optional(), scopes: z.array(z.string().min(1)) })
  .strict();

const tenantSettingsSchema = z.object({ requireSearch: z.boolean().optional() }).strict();

/** Local controls: installed-package clients (wrong secret, missing scope) and tenant quirks. */
export function registerSfmcAdminRoutes(
  router: Router,
  state: () => SfmcSimulatorState,
  context: SimulatorContext,
): void {
  router.put('/__admin/sfmc/:subdomain/clients/:clientId', (request) => {
    const parsed = clientSchema.safeParse(request.body ?? {});
    if (!parsed.success) return invalidAdminRequest(parsed.error);
    const subdomain = request.params.subdomain ?? '';
    const clientId = request.params.clientId ?? '';
    const tenant = (state().tenants[subdomain] ??= emptyTenant(subdomain));
    tenant.clients[clientId] = {
      clientId,
      scopes: parsed.data.scopes,
      ...(parsed.data.secret ? { secret: parsed.data.secret } : {}),
    };
    context.changed();
    return {
      status: 200,
      body: { subdomain, clientId, scopes: parsed.data.scopes, secretRequired: !!parsed.data.secret },
    };
  });

  router.put('/__admin/sfmc/:subdomain/settings', (request) => {
    const parsed = tenantSettingsSchema.safeParse(request.body ?? {});
    if (!parsed.success) return invalidAdminRequest(parsed.error);
    const subdomain = request.params.subdomain ?? '';
    const tenant = state().tenants[subdomain];
    if (!tenant) return { status: 404, body: { error: 'not_found', message: `No SFMC tenant ${subdomain}` } };
    if (parsed.data.requireSearch !== undefined) tenant.requireSearch = parsed.data.requireSearch;
    context.changed();
    return { status: 200, body: { subdomain, requireSearch: tenant.requireSearch } };
  });
}
