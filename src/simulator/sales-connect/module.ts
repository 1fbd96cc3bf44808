import { z } from 'zod';
import type { SimulatorContext, SimulatorModule } from '../core/module';
import type { Router, SimHandler, SimRequest, SimResponse } from '../core/router';
import {
  DEFAULT_TEAM_PAGE_SIZE,
  MAX_TEAM_PAGE_SIZE,
  connectMarketoProblems,
  type ConnectMarketoRequestBody,
  asInvitationRequest,
  invitationProblems,
  type InvitationReportBody,
  type MarketoConnectionBody,
  type SalesforceConnectionBody,
  type TeamMemberPageBody,
  type WorkspaceListBody,
} from './contract';
import { inviteUsers } from './invitations';
import { contractError, invalidRequest } from './responses';
import { seedSalesConnect, type SalesConnectSimulatorState, type SimSalesConnectInstance } from './state';

export type { SalesConnectSimulatorState } from './state';

const PREFIX = '/sales-connect';
const INSTANCE_PATH = `${PREFIX}/v1/instances/:instanceId`;
const MUNCHKIN_ID = /^\d{3}-[A-Z]{3}-\d{3}$/;

const settingsSchema = z
  .object({
    minimumProvisioningDelaySeconds: z.number().int().min(0).optional(),
    /** null removes the key requirement. */
    apiKey: z.string().min(1).nullable().optional(),
  })
  .strict();

const cursorSchema = z.object({ offset: z.number().int().min(0) });

function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64url');
}

function decodeCursor(cursor: string): number | undefined {
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data.offset : undefined;
  } catch {
    return undefined;
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

type InstanceHandler = (instance: SimSalesConnectInstance, request: SimRequest) => SimResponse;

const unknownInstance = (): SimResponse => ({
  status: 404,
  body: { error: 'unknown_instance', message: 'No such Sales Connect instance.' },
});

/** Finds the instance and checks its API key before the route's own work. */
function forInstance(state: () => SalesConnectSimulatorState, handler: InstanceHandler): SimHandler {
  return (request) => {
    const instanceId = request.params.instanceId ?? '';
    const instance = state().instances[instanceId];
    if (!instance) {
      return contractError(
        'instance-not-found',
        `No Sales Connect instance "${instanceId}" is known to this bridge.`,
      );
    }
    if (instance.apiKey !== null && headerValue(request.headers['x-api-key']) !== instance.apiKey) {
      return contractError('unauthorized', 'A valid x-api-key header is required for this instance.');
    }
    return handler(instance, request);
  };
}

function salesforceConnection(instance: SimSalesConnectInstance): SimResponse {
  const body: SalesforceConnectionBody = instance.salesforce
    ? { connected: true, ...instance.salesforce }
    : { connected: false };
  return { status: 200, body };
}

function marketoConnection(instance: SimSalesConnectInstance): SimResponse {
  const body: MarketoConnectionBody = instance.marketo
    ? {
        connected: true,
        munchkinId: instance.marketo.munchkinId,
        connectedAt: new Date(instance.marketo.connectedAt).toISOString(),
      }
    : { connected: false };
  return { status: 200, body };
}

function connectMarketo(
  instance: SimSalesConnectInstance,
  request: SimRequest,
  context: SimulatorContext,
): SimResponse {
  const problems = connectMarketoProblems(request.body);
  if (problems.length) return invalidRequest(problems);
  const credentials = request.body as ConnectMarketoRequestBody;
  for (const [field, value] of Object.entries(credentials)) {
    if (/\s/.test(value)) {
      return contractError(
        'invalid-credentials',
        `${field} contains whitespace; paste it again without spaces.`,
      );
    }
  }
  if (!MUNCHKIN_ID.test(credentials.munchkinId)) {
    return contractError(
      'invalid-credentials',
      'munchkinId is not a Munchkin ID (expected e.g. 123-ABC-456).',
    );
  }
  if (!instance.salesforce) {
    return contractError(
      'salesforce-not-connected',
      'Connect Sales Connect to Salesforce before connecting Marketo.',
    );
  }
  if (instance.marketo) {
    if (instance.marketo.munchkinId !== credentials.munchkinId) {
      return contractError(
        'marketo-already-connected',
        `This instance is already connected to Marketo ${instance.marketo.munchkinId}.`,
      );
    }
    return marketoConnection(instance);
  }
  instance.marketo = {
    munchkinId: credentials.munchkinId,
    clientId: credentials.clientId,
    connectedAt: context.clock.now(),
  };
  context.changed();
  return { ...marketoConnection(instance), status: 201 };
}

function teamMembers(instance: SimSalesConnectInstance, request: SimRequest): SimResponse {
  const limitText = request.query.get('limit');
  const limit = limitText === null ? DEFAULT_TEAM_PAGE_SIZE : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TEAM_PAGE_SIZE) {
    return contractError('invalid-request', `limit must be an integer from 1 to ${MAX_TEAM_PAGE_SIZE}.`);
  }
  const cursor = request.query.get('cursor');
  const offset = cursor === null ? 0 : decodeCursor(cursor);
  if (offset === undefined) {
    return contractError(
      'invalid-cursor',
      'cursor is not one this bridge handed out; start again without it.',
    );
  }
  const end = offset + limit;
  const body: TeamMemberPageBody = {
    members: instance.members.slice(offset, end).map((member) => ({ ...member })),
    nextCursor: end < instance.members.length ? encodeCursor(end) : null,
  };
  return { status: 200, body };
}

function workspaces(instance: SimSalesConnectInstance): SimResponse {
  const body: WorkspaceListBody = {
    workspaces: instance.workspaces.map((name) => ({ name })),
    defaultWorkspace: instance.defaultWorkspace,
  };
  return { status: 200, body };
}

function invitations(
  state: SalesConnectSimulatorState,
  instance: SimSalesConnectInstance,
  request: SimRequest,
  context: SimulatorContext,
): SimResponse {
  const problems = invitationProblems(request.body);
  if (problems.length) return invalidRequest(problems);
  const invitation = asInvitationRequest(request.body);
  const outcome = inviteUsers(state, instance, invitation, context.clock.now());
  if (outcome.type === 'key-reused') {
    return contractError(
      'idempotency-key-reused',
      `requestId "${invitation.requestId}" was already used for a different set of users.`,
    );
  }
  if (!outcome.replayed) context.changed();
  const body: InvitationReportBody = { requestId: invitation.requestId, results: outcome.results };
  return { status: 200, body, headers: outcome.replayed ? { 'idempotent-replayed': 'true' } : undefined };
}

function instanceIdOf(request: SimRequest): string {
  return request.params.instanceId ?? /\/v1\/instances\/([^/]+)/.exec(request.path)?.[1] ?? 'unknown';
}

/**
 * A Sales Connect bridge speaking our v1 contract: Sales Connect itself has
 * no API, so this emulates what a bridge in front of its web UI would answer.
 */
export const salesConnectSimulatorModule: SimulatorModule<SalesConnectSimulatorState> = {
  name: 'salesConnect',
  prefix: PREFIX,

  initialState: () => ({ instances: {} }),

  seed: seedSalesConnect,

  register(router: Router, state: () => SalesConnectSimulatorState, context: SimulatorContext): void {
    router.get(`${INSTANCE_PATH}/salesforce-connection`, forInstance(state, salesforceConnection));
    router.get(`${INSTANCE_PATH}/marketo-connection`, forInstance(state, marketoConnection));
    router.put(
      `${INSTANCE_PATH}/marketo-connection`,
      forInstance(state, (instance, request) => connectMarketo(instance, request, context)),
    );
    router.get(`${INSTANCE_PATH}/team-members`, forInstance(state, teamMembers));
    router.get(`${INSTANCE_PATH}/workspaces`, forInstance(state, workspaces));
    router.post(
      `${INSTANCE_PATH}/invitations`,
      forInstance(state, (instance, request) => invitations(state(), instance, request, context)),
    );
  },

  registerAdmin(router: Router, state: () => SalesConnectSimulatorState, context: SimulatorContext): void {
    router.put('/__admin/sales-connect/:instanceId/settings', (request) => {
      const instance = state().instances[request.params.instanceId ?? ''];
      if (!instance) return unknownInstance();
      const parsed = settingsSchema.safeParse(request.body ?? {});
      if (!parsed.success) {
        const problems = parsed.error.issues.map(
          (issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`,
        );
        return { status: 400, body: { error: 'invalid_admin_request', problems } };
      }
      if (parsed.data.minimumProvisioningDelaySeconds !== undefined) {
        instance.minimumProvisioningDelaySeconds = parsed.data.minimumProvisioningDelaySeconds;
      }
      if (parsed.data.apiKey !== undefined) instance.apiKey = parsed.data.apiKey;
      context.changed();
      return {
        status: 200,
        body: {
          instanceId: instance.id,
          minimumProvisioningDelaySeconds: instance.minimumProvisioningDelaySeconds,
          apiKeyRequired: instance.apiKey !== null,
        },
      };
    });
    // Someone disconnecting Marketo in Sales Connect's UI, e.g. during the wait before invitations.
    router.delete('/__admin/sales-connect/:instanceId/marketo-connection', (request) => {
      const instance = state().instances[request.params.instanceId ?? ''];
      if (!instance) return unknownInstance();
      instance.marketo = null;
      context.changed();
      return { status: 204 };
    });
  },

  tenantOf: instanceIdOf,

  faultResponse(kind, retryAfterSeconds): SimResponse {
    const headers = { 'retry-after': String(retryAfterSeconds) };
    if (kind === 'forbidden') return contractError('forbidden', 'This API key may not act on this instance.');
    return kind === 'rate-limited'
      ? contractError(
          'rate-limited',
          `Too many requests for this instance; retry after ${retryAfterSeconds} s.`,
          headers,
        )
      : contractError('unavailable', 'Sales Connect is temporarily unavailable; retry later.', headers);
  },

  describeBaseUrls: (baseUrl) => ({
    'Sales Connect bridge, contract v1 (salesConnect.gateway.baseUrl)': `${baseUrl}${PREFIX}`,
  }),
};
