import { bearerToken } from '../core/tokens';
import type { SimulatorContext } from '../core/module';
import type { Router, SimRequest, SimResponse } from '../core/router';
import { isSfmcTokenSubject } from './auth-routes';
import { badRequest, insufficientPrivileges, notAuthorized, notFound } from './responses';
import {
  DATA_EXTENSIONS_READ_SCOPE,
  type SfmcDataExtensionRecord,
  type SfmcSimulatorState,
  type SfmcTenant,
} from './state';

/*
 * A live tenant pages this list at 25 whatever `$pageSize` asks for
 * (dawidmachon/mcecli docs/dev/endpoint-notes.md). Assumed: that a smaller
 * `$pageSize` is honoured, ordering by name, and the `links` object.
 */
const MAX_PAGE_SIZE = 25;
const DEFAULT_PAGE_SIZE = MAX_PAGE_SIZE;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CUSTOM_OBJECTS = '/sfmc/:subdomain/rest/data/v1/customobjects';

/** SFMC query parameter names are not case-sensitive (clients send both `$pageSize` and `$pagesize`). */
function queryValue(query: URLSearchParams, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of query) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

function positiveInteger(value: string | undefined, fallback: number): number | undefined {
  if (value === undefined || value === '') return fallback;
  return /^\d+$/.test(value) && Number(value) >= 1 ? Number(value) : undefined;
}

function summary(record: SfmcDataExtensionRecord) {
  return {
    id: record.id,
    name: record.name,
    key: record.customerKey,
    description: record.description,
    categoryId: record.categoryId,
    isSendable: record.isSendable,
    isTestable: false,
    rowCount: record.rowCount,
    fieldCount: record.fields.length,
    createdDate: record.createdDate,
    modifiedDate: record.modifiedDate,
  };
}

function fieldsOf(record: SfmcDataExtensionRecord) {
  return [...record.fields]
    .sort((a, b) => a.ordinal - b.ordinal)
    .map((field) => ({
      name: field.name,
      type: field.type,
      ...(field.length === undefined ? {} : { length: field.length }),
      ...(field.scale === undefined ? {} : { scale: field.scale }),
      ordinal: field.ordinal,
      isNullable: field.isNullable,
      isPrimaryKey: field.isPrimaryKey,
      isTemplateField: false,
      isInheritable: true,
      isOverridable: true,
      isHidden: false,
      isReadOnly: false,
      mustOverride: false,
    }));
}

type Authorized = { tenant: SfmcTenant } | { denied: SimResponse };

/** SFMC checks the token first, then the token's scopes, before looking at the request itself. */
function authorize(request: SimRequest, state: SfmcSimulatorState, context: SimulatorContext): Authorized {
  const grant = context.tokens.check<unknown>(bearerToken(request.headers.authorization));
  const subdomain = request.params.subdomain ?? '';
  const tenant = state.tenants[subdomain];
  if (!grant || !isSfmcTokenSubject(grant.subject) || grant.subject.subdomain !== subdomain || !tenant) {
    return { denied: notAuthorized() };
  }
  if (!grant.subject.scopes.includes(DATA_EXTENSIONS_READ_SCOPE)) return { denied: insufficientPrivileges() };
  return { tenant };
}

function findById(tenant: SfmcTenant, id: string): SfmcDataExtensionRecord | SimResponse {
  if (!GUID.test(id)) return badRequest('Id is invalid.');
  const record = tenant.dataExtensions.find((candidate) => candidate.id.toLowerCase() === id.toLowerCase());
  return record ?? notFound(`Custom object with id ${id} was not found.`);
}

function listPage(request: SimRequest, tenant: SfmcTenant): SimResponse {
  const search = queryValue(request.query, '$search')?.trim();
  if (tenant.requireSearch && !search) return badRequest('$search is a required parameter', 10005);
  const page = positiveInteger(queryValue(request.query, '$page'), 1);
  const requestedSize = positiveInteger(queryValue(request.query, '$pageSize'), DEFAULT_PAGE_SIZE);
  if (page === undefined) return badRequest('$page must be a positive integer.');
  if (requestedSize === undefined) return badRequest('$pageSize must be a positive integer.');
  const pageSize = Math.min(requestedSize, MAX_PAGE_SIZE);

  const needle = search?.toLowerCase();
  const matching = tenant.dataExtensions
    .filter(
      (record) =>
        !needle ||
        [record.name, record.customerKey, record.description].some((text) =>
          text.toLowerCase().includes(needle),
        ),
    )
    .sort((a, b) => a.name.localeCompare(b.name));
  const items = matching.slice((page - 1) * pageSize, page * pageSize).map(summary);
  const href = (target: number) =>
    `/data/v1/customobjects?${new URLSearchParams({ ...(search ? { $search: search } : {}), $page: String(target), $pageSize: String(pageSize) })}`;
  return {
    status: 200,
    body: {
      count: matching.length,
      page,
      pageSize,
      links: {
        self: { href: href(page) },
        ...(page * pageSize < matching.length ? { next: { href: href(page + 1) } } : {}),
      },
      items,
    },
  };
}

export function registerRestRoutes(
  router: Router,
  state: () => SfmcSimulatorState,
  context: SimulatorContext,
): void {
  const guarded =
    (handler: (request: SimRequest, tenant: SfmcTenant) => SimResponse) =>
    (request: SimRequest): SimResponse => {
      const access = authorize(request, state(), context);
      return 'denied' in access ? access.denied : handler(request, access.tenant);
    };

  router.get(CUSTOM_OBJECTS, guarded(listPage));

  router.get(
    `${CUSTOM_OBJECTS}/:id`,
    guarded((request, tenant) => {
      const found = findById(tenant, request.params.id ?? '');
      if ('status' in found) return found;
      return { status: 200, body: { ...summary(found), fields: fieldsOf(found) } };
    }),
  );

  router.get(
    `${CUSTOM_OBJECTS}/:id/fields`,
    guarded((request, tenant) => {
      const found = findById(tenant, request.params.id ?? '');
      if ('status' in found) return found;
      return { status: 200, body: { id: found.id, fields: fieldsOf(found) } };
    }),
  );
}
