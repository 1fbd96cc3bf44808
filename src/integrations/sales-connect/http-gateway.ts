import { RemoteApiError } from '../http/errors';
import { JsonHttpClient, type RemoteErrorBody } from '../http/json-http-client';
import type {
  InvitationReport,
  InvitationRequest,
  InvitationResult,
  MarketoConnection,
  MarketoConnectionStatus,
  MarketoCredentials,
  SalesConnectGateway,
  SalesforceConnectionStatus,
  TeamMember,
  TeamMemberPage,
  TeamMemberPageRequest,
  WorkspaceList,
} from './gateway';
import {
  CONTRACT_VERSION,
  MAX_USERS_PER_INVITATION,
  errorBodySchema,
  invitationReportSchema,
  marketoConnectedSchema,
  marketoConnectionSchema,
  salesforceConnectionSchema,
  teamMemberPageSchema,
  workspaceListSchema,
  type InvitationResultBody,
  type TeamMemberBody,
} from './schemas';

export interface HttpSalesConnectGatewayOptions {
  /** e.g. https://bridge.example.com/sales-connect (config `salesConnect.gateway.baseUrl`). */
  baseUrl: string;
  /** The resolved key, sent as `x-api-key`; omit when the bridge needs none. */
  apiKey?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Reads the contract's `{"error":{"code","message"}}`, and the bare `{"error":"…"}` of a proxy in front of it. */
export function readSalesConnectErrorBody(body: unknown): RemoteErrorBody {
  const parsed = errorBodySchema.safeParse(body);
  if (parsed.success) return parsed.data.error;
  if (typeof body === 'object' && body !== null) {
    const { error, message } = body as { error?: unknown; message?: unknown };
    return {
      code: typeof error === 'string' ? error : undefined,
      message: typeof message === 'string' ? message : undefined,
    };
  }
  return typeof body === 'string' && body ? { message: body.slice(0, 200) } : {};
}

function hintFor({ status, body }: { status: number; body: RemoteErrorBody }): string | undefined {
  if (status === 401 || status === 403) {
    return 'Check that salesConnect.gateway.apiKey holds the key the Sales Connect bridge expects';
  }
  switch (body.code) {
    case 'instance-not-found':
      return 'Check the Sales Connect instance id; the bridge does not know it';
    case 'salesforce-not-connected':
      return 'Connect Sales Connect to Salesforce first (the same Salesforce instance Marketo syncs with)';
    case 'marketo-already-connected':
      return 'Sales Connect is connected to another Marketo instance; disconnect it in Sales Connect Settings › Admin Settings › Marketo before connecting this one';
    case 'idempotency-key-reused':
      return 'An invitation request id was reused for a different set of users; derive a new id for a new request';
    default:
      return undefined;
  }
}

/** Outer spaces are a pasting accident and are removed; inner whitespace cannot be part of a credential. */
function cleanCredentials(credentials: MarketoCredentials, endpoint: string): MarketoCredentials {
  const cleaned = {
    munchkinId: credentials.munchkinId.trim(),
    clientId: credentials.clientId.trim(),
    clientSecret: credentials.clientSecret.trim(),
  };
  for (const [field, value] of Object.entries(cleaned)) {
    if (!value || /\s/.test(value)) {
      throw new RemoteApiError({
        api: 'sales-connect',
        endpoint,
        kind: 'bad-request',
        remoteCode: 'invalid-credentials',
        remoteMessage: `the Marketo ${field} is ${value ? 'pasted with whitespace inside it' : 'empty'}; copy it again from Marketo Admin › Sales Connect`,
      });
    }
  }
  return cleaned;
}

function toTeamMember(body: TeamMemberBody): TeamMember {
  const member: TeamMember = { email: body.email, name: body.name, status: body.status };
  if (body.workspace !== null) member.workspace = body.workspace;
  return member;
}

function toInvitationResult(body: InvitationResultBody): InvitationResult {
  if (body.outcome !== 'rejected')
    return { email: body.email, outcome: body.outcome, workspace: body.workspace };
  const result: InvitationResult = { email: body.email, outcome: 'rejected', reason: body.reason };
  if (body.workspace !== null) result.workspace = body.workspace;
  return result;
}

function chunked<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/** The Sales Connect port over our v1 JSON contract, for a bridge in front of the UI or the simulator. */
export class HttpSalesConnectGateway implements SalesConnectGateway {
  private readonly http: JsonHttpClient;

  constructor(options: HttpSalesConnectGatewayOptions) {
    this.http = new JsonHttpClient({
      api: 'sales-connect',
      baseUrl: options.baseUrl,
      headers: options.apiKey ? { 'x-api-key': options.apiKey } : undefined,
      timeoutMs: options.timeoutMs,
      fetch: options.fetch,
      readErrorBody: readSalesConnectErrorBody,
      hintFor,
    });
  }

  async getSalesforceConnection(instanceId: string): Promise<SalesforceConnectionStatus> {
    const { body } = await this.http.request(
      { method: 'GET', path: this.instancePath(instanceId, 'salesforce-connection') },
      salesforceConnectionSchema,
    );
    if (!body.connected) return { connected: false };
    const status: SalesforceConnectionStatus = {
      connected: true,
      instanceUrl: body.instanceUrl,
      isProduction: body.isProduction,
    };
    if (body.orgId !== null) status.orgId = body.orgId;
    return status;
  }

  async connectMarketo(instanceId: string, credentials: MarketoCredentials): Promise<MarketoConnection> {
    const path = this.instancePath(instanceId, 'marketo-connection');
    const { body } = await this.http.request(
      { method: 'PUT', path, json: cleanCredentials(credentials, `PUT ${path}`) },
      marketoConnectedSchema,
    );
    return { munchkinId: body.munchkinId, connectedAt: body.connectedAt };
  }

  async getMarketoConnection(instanceId: string): Promise<MarketoConnectionStatus> {
    const { body } = await this.http.request(
      { method: 'GET', path: this.instancePath(instanceId, 'marketo-connection') },
      marketoConnectionSchema,
    );
    return body.connected
      ? { connected: true, munchkinId: body.munchkinId, connectedAt: body.connectedAt }
      : { connected: false };
  }

  async listTeamMembers(instanceId: string, page: TeamMemberPageRequest = {}): Promise<TeamMemberPage> {
    const { body } = await this.http.request(
      {
        method: 'GET',
        path: this.instancePath(instanceId, 'team-members'),
        query: { cursor: page.cursor, limit: page.limit },
      },
      teamMemberPageSchema,
    );
    const result: TeamMemberPage = { members: body.members.map(toTeamMember) };
    if (body.nextCursor !== null) result.nextCursor = body.nextCursor;
    return result;
  }

  async listWorkspaces(instanceId: string): Promise<WorkspaceList> {
    const { body } = await this.http.request(
      { method: 'GET', path: this.instancePath(instanceId, 'workspaces') },
      workspaceListSchema,
    );
    return {
      workspaces: body.workspaces.map((workspace) => workspace.name),
      defaultWorkspace: body.defaultWorkspace,
    };
  }

  /**
   * Requests larger than the contract's limit go out in chunks, each keyed
   * `<requestId>.<n>` so a retry of the whole call repeats the same keys.
   */
  async inviteUsers(instanceId: string, request: InvitationRequest): Promise<InvitationReport> {
    const chunks = chunked(request.users, MAX_USERS_PER_INVITATION);
    const results: InvitationResult[] = [];
    for (const [index, users] of chunks.entries()) {
      const requestId = chunks.length === 1 ? request.requestId : `${request.requestId}.${index + 1}`;
      const { body } = await this.http.request(
        {
          method: 'POST',
          path: this.instancePath(instanceId, 'invitations'),
          json: {
            requestId,
            users: users.map(({ email, workspace }) => ({ email, workspace: workspace ?? null })),
          },
        },
        invitationReportSchema,
      );
      if (body.results.length !== users.length) {
        throw new RemoteApiError({
          api: 'sales-connect',
          endpoint: `POST ${this.instancePath(instanceId, 'invitations')}`,
          kind: 'unexpected-response',
          remoteMessage: `expected one result per requested user (${users.length}), got ${body.results.length}`,
        });
      }
      results.push(...body.results.map(toInvitationResult));
    }
    return { requestId: request.requestId, results };
  }

  private instancePath(instanceId: string, resource: string): string {
    return `/${CONTRACT_VERSION}/instances/${encodeURIComponent(instanceId)}/${resource}`;
  }
}
