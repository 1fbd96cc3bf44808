import { z } from 'zod';
import type { SimulatorContext } from '../core/module';
import type { Router, SimResponse } from '../core/router';
import { MARKETO_ERROR_MESSAGES } from './envelope';
import { callsToday, quotaDay } from './quota';
import {
  findInstance,
  instanceKey,
  leadFieldRecord,
  newInstance,
  type MarketoInstanceRecord,
  type MarketoSimulatorState,
} from './state';
import { invalidAdminRequest } from '../core/admin';

const clientSchema = z
  .object({ secret: z.string().min(1).optional(), apiUser: z.string().min(1).optional() })
  .strict();

const quotaSchema = z
  .object({ dailyQuota: z.number().int().min(0), used: z.number().int().min(0).optional() })
  .strict();

const leadFieldsSchema = z.array(
  z
    .object({
      id: z.number().int(),
      displayName: z.string().min(1),
      dataType: z.string().min(1),
      length: z.number().int().positive().optional(),
      restName: z.string().min(1),
      soapName: z.string().min(1).optional(),
      readOnly: z.boolean().optional(),
    })
    .strict(),
);

const scriptedErrorSchema = z
  .object({
    code: z.string().regex(/^\d+$/),
    message: z.string().min(1).optional(),
    count: z.number().int().positive().default(1),
  })
  .strict();

function unknownInstance(munchkinId: string): SimResponse {
  return {
    status: 404,
    body: { error: 'not_found', message: `No simulated Marketo instance ${munchkinId}` },
  };
}

function quotaView(instance: MarketoInstanceRecord, now: number) {
  return {
    munchkinId: instance.munchkinId,
    dailyQuota: instance.dailyQuota,
    used: callsToday(instance, now),
  };
}

/** Local-only controls: API clients, lead fields, the daily quota and scripted in-body errors. */
export function registerMarketoAdmin(
  router: Router,
  state: () => MarketoSimulatorState,
  context: SimulatorContext,
): void {
  router.put('/__admin/marketo/:munchkinId/clients/:clientId', (request) => {
    const parsed = clientSchema.safeParse(request.body ?? {});
    if (!parsed.success) return invalidAdminRequest(parsed.error);
    const key = instanceKey(request.params.munchkinId ?? '');
    const instance = (state().instances[key] ??= newInstance(key));
    const clientId = request.params.clientId ?? '';
    const apiUser =
      parsed.data.apiUser ?? instance.clients[clientId]?.apiUser ?? `api-user@${key.toLowerCase()}.example`;
    instance.clients[clientId] = {
      clientId,
      apiUser,
      ...(parsed.data.secret === undefined ? {} : { secret: parsed.data.secret }),
    };
    context.changed();
    return {
      status: 200,
      body: { munchkinId: key, clientId, apiUser, secretRequired: parsed.data.secret !== undefined },
    };
  });

  router.put('/__admin/marketo/:munchkinId/quota', (request) => {
    const parsed = quotaSchema.safeParse(request.body ?? {});
    if (!parsed.success) return invalidAdminRequest(parsed.error);
    const instance = findInstance(state(), request.params.munchkinId);
    if (!instance) return unknownInstance(request.params.munchkinId ?? '');
    const now = context.clock.now();
    instance.dailyQuota = parsed.data.dailyQuota;
    if (parsed.data.used !== undefined) instance.usage = { day: quotaDay(now), calls: parsed.data.used };
    context.changed();
    return { status: 200, body: quotaView(instance, now) };
  });

  router.get('/__admin/marketo/:munchkinId/quota', (request) => {
    const instance = findInstance(state(), request.params.munchkinId);
    if (!instance) return unknownInstance(request.params.munchkinId ?? '');
    return { status: 200, body: quotaView(instance, context.clock.now()) };
  });

  router.put('/__admin/marketo/:munchkinId/lead-fields', (request) => {
    const parsed = leadFieldsSchema.safeParse(request.body);
    if (!parsed.success) return invalidAdminRequest(parsed.error);
    const instance = findInstance(state(), request.params.munchkinId);
    if (!instance) return unknownInstance(request.params.munchkinId ?? '');
    instance.leadFields = parsed.data.map((field) => leadFieldRecord(field));
    context.changed();
    return { status: 200, body: { munchkinId: instance.munchkinId, leadFields: instance.leadFields.length } };
  });

  router.post('/__admin/marketo/:munchkinId/errors', (request) => {
    const parsed = scriptedErrorSchema.safeParse(request.body ?? {});
    if (!parsed.success) return invalidAdminRequest(parsed.error);
    const instance = findInstance(state(), request.params.munchkinId);
    if (!instance) return unknownInstance(request.params.munchkinId ?? '');
    const { code, message, count } = parsed.data;
    instance.scriptedErrors.push({
      code,
      message: message ?? MARKETO_ERROR_MESSAGES[code] ?? 'Error',
      remaining: count,
    });
    context.changed();
    return {
      status: 200,
      body: { munchkinId: instance.munchkinId, scriptedErrors: instance.scriptedErrors },
    };
  });
}
