import { ActionError } from './errors.js'
import { DEFAULT_TOKEN_URL, parseUrl, type Settings } from './inputs.js'
import { parseJsonObject, type HttpResponse } from './response.js'

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
 * endpoint in it obeys the same rules as an input URL.
 */
export function parseDiscovery(response: HttpResponse, issuer: string): Partial<Endpoints> {
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
  const url = (name: string): URL | undefined => {
    const value = fields[name]
    if (value === undefined) return undefined
    if (typeof value !== 'string') {
      throw new ActionError(`The discovery document's ${name} is not a string URL.`)
    }
    return parseUrl(value, `The discovery document's ${name}`)
  }
  return {
    tokenUrl: url('token_endpoint'),
    jwksUrl: url('jwks_uri'),
    revocationUrl: url('revocation_endpoint')
  }
}

/** The inputs' explicit endpoints win over discovered ones; the token endpoint must be known. */
export function resolveEndpoints(settings: Settings, discovered: Partial<Endpoints>): Endpoints {
  const tokenUrl = settings.tokenUrl ?? discovered.tokenUrl
  if (!tokenUrl) {
    throw new ActionError(
      `The discovery document lists no token_endpoint. Set token-url (it defaults to ${DEFAULT_TOKEN_URL}).`
    )
  }
  return {
    tokenUrl,
    jwksUrl: settings.jwksUrl ?? discovered.jwksUrl,
    revocationUrl: settings.revocationUrl ?? discovered.revocationUrl
  }
}
