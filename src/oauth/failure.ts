import { DEFAULT_TOKEN_URL } from '../base/input-rules.js'
import { redact } from '../base/mask.js'
import { neutralise } from '../base/untrusted.js'
import { parseJsonObject } from '../http/json.js'
import { noDiscoveryHint } from './discovery.js'
import type { HttpResponse } from '../http/types.js'

/** Which endpoint answered, for messages: how to call it, and the input that points at it. */
export interface Endpoint {
  label: string
  input: string
  /** The hint for every failure, when the endpoint is not an OAuth one (GitHub's token service). */
  hint?: string
}
export const TOKEN_ENDPOINT: Endpoint = { label: 'The token endpoint', input: 'token-url' }

/**
 * The message for a response that is not a success: its status, the OAuth error code and sanitised
 * description (RFC 6749 §5.2) with every form of the secrets removed, and a hint. Never the body.
 */
export function describeFailure(
  response: HttpResponse,
  secrets: readonly string[],
  endpoint: Endpoint = TOKEN_ENDPOINT,
  url?: URL
): string {
  const status = `HTTP ${response.status}`
  const json = parseJsonObject(response)
  const code = typeof json?.error === 'string' ? neutralise(redact(json.error, secrets), 64) : ''
  if (!code) {
    const discovery = typeof json?.token_endpoint === 'string'
    return `${endpoint.label} answered ${status}${response.body ? ` with ${isHtml(response) ? 'an HTML page' : discovery ? 'a discovery document' : 'a body that is not an OAuth error'}` : ''}. Hint: ${hintFor(response.status, undefined, endpoint, url, discovery)}`
  }
  const description =
    typeof json?.error_description === 'string'
      ? neutralise(redact(json.error_description, secrets), 300)
      : ''
  // Servers say "response_type" in invalid_request too when they refuse Stent's parameter.
  const hintCode =
    code === 'invalid_request' && /response.?type/i.test(description)
      ? 'unsupported_response_type'
      : code
  return `${endpoint.label} refused the request: ${status}, error '${code}'${description ? `: ${description}` : ''}. Hint: ${hintFor(response.status, hintCode, endpoint, url)}`
}

const ERROR_HINTS: Record<string, string> = {
  invalid_client:
    'the server did not accept the client credentials. Check client-id and client-secret (rotated or expired?), or the key or federation for private_key_jwt and github_oidc, and that auth-method matches how the client is registered.',
  unauthorized_client:
    'this client may not use the grant it asked for (grant-type, client_credentials by default). Allow that grant for the client on the authorization server.',
  unsupported_response_type:
    "the server does not take Stent's response_type=token: set response-type: '' for servers other than Stent.",
  unsupported_grant_type:
    'the server does not offer this grant-type at this token-url (client_credentials by default; token-exchange and jwt-bearer are opt-in).',
  invalid_scope: 'check the scope input: the scopes must exist and be allowed for this client.',
  invalid_target:
    'the server does not accept the audience or resource asked for (RFC 8693 §2.2.2): check the audience and resource inputs, and any resource in extra-params.',
  invalid_request:
    'the server found the request malformed. Check extra-params and audience (for token-exchange, subject-token-type and requested-token-type too), and set response-type to an empty string if the server rejects response_type.',
  invalid_grant:
    'the server refused the grant: for client_credentials check the client configuration on the server; for token-exchange and jwt-bearer, that the subject token is one the server trusts (issuer, audience: oidc-audience, expiry).',
  temporarily_unavailable: 'the server is temporarily unavailable. Try again later.',
  server_error: 'the server failed. Try again later.'
}

/**
 * An endpoint's own hint for a refusal of the client (the method's inputs, for a request that
 * carries credentials), else the OAuth code's or status's. Servers refuse a client in many ways:
 * Glewlwyd with an empty 403, oidc-provider with invalid_client in a 401, Duende in a 400.
 */
function hintFor(
  status: number,
  code: string | undefined,
  endpoint: Endpoint,
  url?: URL,
  discovery = false
): string {
  // Own keys only: a server's error code 'constructor' must not find Object's.
  const known = code !== undefined && Object.hasOwn(ERROR_HINTS, code)
  const refusing = status === 400 || status === 401 || status === 403
  // A 400 with a code of its own refused something else (a scope); a 401 or 403, the client.
  const client = code === undefined || code === 'invalid_client' || (!known && status !== 400)
  if (endpoint.hint && refusing && client) return endpoint.hint
  return known ? (ERROR_HINTS[code] as string) : statusHint(status, endpoint, url, discovery)
}

function statusHint(status: number, { input }: Endpoint, url?: URL, discovery = false): string {
  if (input === 'issuer' && url && (status === 404 || status === 405 || status === 410)) {
    return noDiscoveryHint(url)
  }
  if (status === 401 || status === 403) return 'check client-id, client-secret and auth-method.'
  if ((status === 404 || status === 405) && input === 'token-url') {
    // Two common mix-ups: the issuer's root, and its discovery document, given as token-url.
    if (discovery || url?.pathname.endsWith('/.well-known/openid-configuration'))
      return 'token-url is a discovery document, not the token endpoint: set issuer: to the URL before /.well-known/openid-configuration, or token-url to the token_endpoint it lists.'
    if (url && (url.pathname === '/' || url.pathname === ''))
      return `token-url looks like the issuer root: set issuer: ${url.origin} or token-url to the token_endpoint it lists.`
  }
  if (status === 404 || status === 405)
    return input === 'token-url'
      ? `check that token-url is the token endpoint, e.g. ${DEFAULT_TOKEN_URL}.`
      : `check ${input}.`
  if (status >= 300 && status < 400)
    return `redirects are not followed because the request may carry credentials. Set ${input} to the final URL.`
  if (status === 408 || status === 429 || status >= 500)
    return 'the server is unavailable or throttling requests. Try again later, or raise max-attempts.'
  return `check ${input} and that the inputs are what the server expects.`
}

export function isHtml(response: HttpResponse): boolean {
  return /html/i.test(response.headers['content-type'] ?? '') || /^\s*</.test(response.body)
}
