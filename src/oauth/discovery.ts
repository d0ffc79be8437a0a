import { ActionError } from '../base/errors.js'
import { parseUrl } from '../base/input-rules.js'
import { parseJsonObject } from '../http/json.js'
import type { HttpResponse } from '../http/types.js'

/** Where the action sends what: from the inputs, completed by discovery. */
export interface Endpoints {
  tokenUrl: URL
  jwksUrl: URL | undefined
  revocationUrl: URL | undefined
}

/** OpenID Connect Discovery 1.0 §4: the issuer, less a trailing slash, plus the well-known path. */
export function discoveryUrl(issuer: string): URL {
  return new URL(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`)
}

/** What an issuer looks like at the providers users ask about most, for messages. */
export const ISSUER_SHAPES =
  'Keycloak https://<host>/realms/<realm>, Okta https://<org>.okta.com/oauth2/default, Entra ID https://login.microsoftonline.com/<tenant>/v2.0'

/** Where an issuer's discovery document was looked for, and what issuer should be instead. */
export function noDiscoveryHint(url: URL): string {
  return `there is no discovery document at ${url.host}${url.pathname} (issuer + /.well-known/openid-configuration). Set issuer to the server's issuer, e.g. ${ISSUER_SHAPES}.`
}

/**
 * A URL that already holds /.well-known/ (the discovery document's own URL): the part before it,
 * which is what issuer and the action's discovery expect. Undefined for any other URL.
 */
export function beforeWellKnown(url: string): string | undefined {
  const at = url.indexOf('/.well-known/')
  return at < 0 ? undefined : url.slice(0, at)
}

/**
 * An endpoint a discovery document names: the same rules as an input URL, and https:// unless the
 * issuer is an http:// loopback test server (`plainIssuer`). `field` names it in messages.
 */
export function discoveredEndpoint(value: string, field: string, plainIssuer: boolean): URL {
  const endpoint = parseUrl(value, `The discovery document's ${field}`)
  // The loopback exception is for a local test server as issuer, not for a remote https issuer
  // that would send the credentials to a local port in cleartext.
  if (endpoint.protocol === 'http:' && !plainIssuer) {
    throw new ActionError(
      `The discovery document's ${field} must use https://, as the issuer does (got http://${endpoint.host}); plain http:// endpoints are accepted only from an http:// loopback issuer in local tests. Hint: the server's discovery document must list https:// endpoints; or set token-url (and jwks-url, revocation-url) instead of issuer.`
    )
  }
  return endpoint
}

/**
 * Reads a discovery document: its issuer must be exactly the one asked for (§4.3), and every
 * endpoint in it obeys the same rules as an input URL, and is https:// unless the issuer is not.
 */
export function parseDiscovery(
  response: HttpResponse,
  issuer: string,
  { mtls = false } = {}
): Partial<Endpoints> {
  const fields = parseJsonObject(response)
  const at = discoveryUrl(issuer)
  if (!fields) {
    throw new ActionError(
      `The discovery document at ${at.host}${at.pathname} (HTTP ${response.status}) is not a JSON object. Hint: ${noDiscoveryHint(at)}`
    )
  }
  if (typeof fields.issuer !== 'string') {
    throw new ActionError(
      `The discovery document at ${at.host}${at.pathname} names no issuer, so it cannot be matched to the issuer input ('${issuer}') as OpenID Connect Discovery §4.3 requires. Hint: ${noDiscoveryHint(at)}`
    )
  }
  if (fields.issuer !== issuer) {
    // The server's issuer is not printed (it is the server's text); an input with or without a
    // trailing slash is ours.
    const slash = issuer.endsWith('/') ? issuer.slice(0, -1) : `${issuer}/`
    throw new ActionError(
      `The discovery document names another issuer than the issuer input ('${issuer}'); the two must be equal, character for character (OpenID Connect Discovery §4.3). Hint: ${fields.issuer === slash ? `they differ only by a trailing slash: set issuer: ${slash}` : "set issuer to the issuer the server's discovery document names, trailing slash included."}`
    )
  }
  // The issuer passed parseUrl: http:// means a loopback test server.
  const plainIssuer = new URL(issuer).protocol === 'http:'
  const url = (name: string, from = fields): URL | undefined => {
    const value = from[name]
    if (value === undefined) return undefined
    const field = from === fields ? name : `mtls_endpoint_aliases.${name}`
    if (typeof value !== 'string') {
      throw new ActionError(`The discovery document's ${field} is not a string URL.`)
    }
    return discoveredEndpoint(value, field, plainIssuer)
  }
  // RFC 8705 §5: a client that authenticates with its certificate uses the mTLS aliases.
  const aliases = fields.mtls_endpoint_aliases
  const mtlsAliases =
    mtls && typeof aliases === 'object' && aliases !== null && !Array.isArray(aliases)
      ? (aliases as Record<string, unknown>)
      : {}
  const endpoint = (name: string) => url(name, mtlsAliases) ?? url(name)
  return {
    tokenUrl: endpoint('token_endpoint'),
    jwksUrl: url('jwks_uri'),
    revocationUrl: endpoint('revocation_endpoint')
  }
}
