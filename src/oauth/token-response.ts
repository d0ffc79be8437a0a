import { ActionError } from '../base/errors.js'
import { DEFAULT_TOKEN_URL } from '../base/input-rules.js'
import {
  checkBearerToken,
  checkExpiresIn,
  checkScope,
  checkToken,
  checkTokenType,
  checkTokenTypeUri
} from '../base/untrusted.js'
import { parseJsonObject } from '../http/json.js'
import type { HttpResponse } from '../http/types.js'
import { beforeWellKnown, discoveredEndpoint } from './discovery.js'
import { isHtml } from './failure.js'

/**
 * How a grant's answer is judged: by RFC 6749 §5.1 (a Bearer token), or by RFC 8693 §2.2.1 for a
 * token exchange (issued_token_type required, and N_A for a token that is not an access token).
 */
export type ResponseRules = 'rfc6749' | 'rfc8693'

/** A validated token response (RFC 6749 §5.1, RFC 8693 §2.2.1). */
export interface TokenResponse {
  accessToken: string
  /** N_A only from a token exchange whose issued token is not an access token. */
  tokenType: 'Bearer' | 'N_A'
  /** The issued token's type URI: required of a token exchange, else when the server says. */
  issuedTokenType: string | undefined
  /** Seconds; undefined when the server omits expires_in (it is only RECOMMENDED). */
  expiresIn: number | undefined
  /** Granted scope, when the server says. */
  scope: string | undefined
}

/**
 * Parses a 2xx token response; anything not a usable Bearer token (or, from a token exchange, an
 * N_A one) is an ActionError. Every field is checked against its grammar (base/untrusted.ts) before
 * anything can print or publish it.
 */
export function parseTokenResponse(
  response: HttpResponse,
  rules: ResponseRules = 'rfc6749',
  tokenUrl?: URL
): TokenResponse {
  const json = parseJsonObject(response)
  if (!json) {
    throw new ActionError(
      `${notJson(response)} Hint: ${isHtml(response) ? 'an HTML page means token-url is not the token endpoint (e.g. a sign-in page); ' : ''}check that token-url is the token endpoint, e.g. ${DEFAULT_TOKEN_URL}.`
    )
  }
  const discovery =
    json.access_token === undefined &&
    (typeof json.token_endpoint === 'string' || typeof json.issuer === 'string')
  if (discovery) throw new ActionError(discoveryInstead(response, json, tokenUrl))
  const where = `The token response (HTTP ${response.status})`
  const accessToken = checkToken(json.access_token, where, 'access_token')
  const tokenType = checkTokenType(json.token_type, where, 'token_type')
  const exchange = rules === 'rfc8693'
  // RFC 8693 §2.2.1: N_A says the issued token is not an access token (an ID token, say).
  const notAccessToken = exchange && tokenType === 'N_A'
  if (tokenType.toLowerCase() !== 'bearer' && !notAccessToken) {
    throw new ActionError(
      `${where} has token_type '${tokenType}'; this action supports Bearer tokens${exchange ? ' (and N_A from a token exchange)' : ''} only.`
    )
  }
  // An N_A token (an ID token, say) is not sent as a Bearer token: RFC 6749's VSCHAR rule only.
  if (!notAccessToken) checkBearerToken(accessToken, where, 'access_token')
  const issuedTokenType = checkTokenTypeUri(json.issued_token_type, where, 'issued_token_type')
  if (exchange && !issuedTokenType) {
    throw new ActionError(
      `${where} has no issued_token_type, which a token exchange response must have (RFC 8693 §2.2.1). Check that token-url is a token exchange endpoint.`
    )
  }
  return {
    accessToken,
    tokenType: notAccessToken ? 'N_A' : 'Bearer',
    issuedTokenType,
    expiresIn: checkExpiresIn(json.expires_in, where, 'expires_in'),
    scope: checkScope(json.scope, where, 'scope')
  }
}

/**
 * token-url is a discovery document: say so, with the issuer it implies (ours: the input before
 * /.well-known/) and the token_endpoint it lists, printed only once it passes the rules a discovered
 * endpoint must, and then only its host and path.
 */
function discoveryInstead(
  response: HttpResponse,
  json: Record<string, unknown>,
  tokenUrl: URL | undefined
): string {
  let listed: string | undefined
  if (typeof json.token_endpoint === 'string') {
    try {
      const url = discoveredEndpoint(
        json.token_endpoint,
        'token_endpoint',
        tokenUrl?.protocol === 'http:'
      )
      listed = `${url.host}${url.pathname}`
    } catch {
      listed = undefined
    }
  }
  const issuer = tokenUrl && beforeWellKnown(tokenUrl.href)
  return `The token endpoint answered HTTP ${response.status} with a discovery document, not a token response: token-url is the discovery document's URL. Set issuer${issuer ? `: ${issuer}` : ' to the URL before /.well-known/openid-configuration'} instead (the action then finds the token endpoint), or token-url to the token_endpoint it lists${listed && listed.length <= 200 ? ` (${listed})` : ''}.`
}

function notJson(response: HttpResponse): string {
  const what = isHtml(response)
    ? 'an HTML page'
    : response.body.trim()
      ? 'a body that is not a JSON object'
      : 'an empty body'
  return `The token endpoint answered HTTP ${response.status} with ${what} instead of a JSON token response.`
}
