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
  if (!fields) {
    throw new ActionError(
      `The discovery document at ${discoveryUrl(issuer).host} (HTTP ${response.status}) is not a JSON object. Hint: check issuer; it is the URL before /.well-known/openid-configuration.`
    )
  }
  if (fields.issuer !== issuer) {
    throw new ActionError(
      `The discovery document names ${typeof fields.issuer === 'string' ? 'another issuer' : 'no issuer'} than the issuer input ('${issuer}'); they must match exactly (OpenID Connect Discovery §4.3). Hint: check issuer, including any trailing slash.`
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
