/**
 * The V2 source's "Base endpoint" is the prefix of the SFMC authentication
 * base URI (`https://<prefix>.auth.marketingcloudapis.com/`). Users paste the
 * whole URI, with paths, slashes and spaces; cutover keeps only the prefix.
 */
export type BaseEndpointResult = { ok: true; prefix: string } | { ok: false; error: string };

const AUTH_HOST_SUFFIX = '.auth.marketingcloudapis.com';
const PREFIX_PATTERN = /^[a-z0-9][a-z0-9-]{2,62}$/;

export function normaliseSfmcBaseEndpoint(pasted: string | undefined): BaseEndpointResult {
  const field = 'sfmc.baseEndpoint';
  const input = (pasted ?? '').trim();
  if (!input) {
    return {
      ok: false,
      error: `${field} is empty: paste the authentication base URI of the SFMC installed package (https://<prefix>.auth.marketingcloudapis.com/).`,
    };
  }
  const withoutScheme = input.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const host = (withoutScheme.split(/[/?#]/)[0] ?? '').toLowerCase();
  let prefix = host;
  if (host.endsWith(AUTH_HOST_SUFFIX)) prefix = host.slice(0, -AUTH_HOST_SUFFIX.length);
  else if (host.includes('.marketingcloudapis.com')) {
    return {
      ok: false,
      error: `${field} "${input}" is not the authentication base URI: use the one ending in ${AUTH_HOST_SUFFIX} (the REST or SOAP URI will not work).`,
    };
  } else if (host.includes('.')) {
    return {
      ok: false,
      error: `${field} "${input}" is not an SFMC authentication base URI (https://<prefix>${AUTH_HOST_SUFFIX}/).`,
    };
  }
  if (!PREFIX_PATTERN.test(prefix)) {
    return {
      ok: false,
      error: `${field} "${input}" does not contain a valid prefix: expected 3-63 lower-case letters, digits or hyphens before ${AUTH_HOST_SUFFIX}.`,
    };
  }
  return { ok: true, prefix };
}

const TENANT_HOST = /^([a-z0-9][a-z0-9-]{2,62})\.(auth|rest|soap)\.marketingcloudapis\.com$/;

/**
 * The tenant (the subdomain every SFMC endpoint of an account shares) a V1
 * base connection's `host` or `subdomain` names: the bare subdomain or a
 * `{subdomain}.rest.marketingcloudapis.com` host (Adobe's guidance varies),
 * with or without a scheme and path. Undefined when it names none.
 */
export function sfmcTenantOf(hostOrSubdomain: string): string | undefined {
  const host = (
    hostOrSubdomain
      .trim()
      .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
      .split(/[/?#]/)[0] ?? ''
  )
    .toLowerCase()
    .replace(/\.$/, '');
  const fromHost = TENANT_HOST.exec(host)?.[1];
  if (fromHost) return fromHost;
  return PREFIX_PATTERN.test(host) ? host : undefined;
}
