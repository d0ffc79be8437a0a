import type { IncomingHttpHeaders } from 'node:http'
import { ActionError } from './errors.js'
import { redact } from './mask.js'

/** A validated token response (RFC 6749 §5.1). */
export interface TokenResponse {
  accessToken: string
  tokenType: 'Bearer'
  /** Seconds; undefined when the server omits expires_in (it is only RECOMMENDED). */
  expiresIn: number | undefined
  /** Granted scope, when the server says. */
  scope: string | undefined
}

export interface HttpResponse {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

/** Parses a 2xx token response; anything not a usable Bearer token is an ActionError. */
export function parseTokenResponse(response: HttpResponse): TokenResponse {
  const json = parseJsonObject(response)
  if (!json) {
    throw new ActionError(
      `${notJson(response)} Hint: ${isHtml(response) ? 'an HTML page means token-url is not the token endpoint (e.g. a sign-in page); ' : ''}check that token-url is the token endpoint, e.g. https://auth.stent.io/connect/token.`
    )
  }
  const { access_token: accessToken, token_type: tokenType } = json
  if (typeof accessToken !== 'string' || accessToken.length === 0) {
    throw new ActionError(
      `The token response (HTTP ${response.status}) has no access_token: ${describeType(accessToken)} instead of a non-empty string. Check that token-url is a client-credentials token endpoint.`
    )
  }
  if (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer') {
    throw new ActionError(
      `The token response (HTTP ${response.status}) has ${typeof tokenType === 'string' ? 'a token_type other than Bearer' : `token_type ${describeType(tokenType)}`}; this action supports Bearer tokens only.`
    )
  }
  return {
    accessToken,
    tokenType: 'Bearer',
    expiresIn: parseExpiresIn(json.expires_in, response.status),
    scope: typeof json.scope === 'string' && json.scope ? json.scope : undefined
  }
}

function parseExpiresIn(value: unknown, status: number): number | undefined {
  if (value === undefined || value === null) return undefined
  const seconds =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d+$/.test(value)
        ? Number(value)
        : NaN
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new ActionError(
      `The token response (HTTP ${status}) has an invalid expires_in: expected a positive number of seconds, got ${typeof value === 'number' ? 'a number that is not positive' : describeType(value)}.`
    )
  }
  return Math.floor(seconds)
}

/** Which endpoint answered, for messages: how to call it, and the input that points at it. */
export interface Endpoint {
  label: string
  input: string
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
  const code = typeof json?.error === 'string' ? sanitize(redact(json.error, secrets), 64) : ''
  if (!code) {
    const discovery = typeof json?.token_endpoint === 'string'
    return `${endpoint.label} answered ${status}${response.body ? ` with ${isHtml(response) ? 'an HTML page' : discovery ? 'a discovery document' : 'a body that is not an OAuth error'}` : ''}. Hint: ${statusHint(response.status, endpoint, url, discovery)}`
  }
  const description =
    typeof json?.error_description === 'string'
      ? sanitize(redact(json.error_description, secrets), 300)
      : ''
  // Servers say "response_type" in invalid_request too when they refuse Stent's parameter.
  const hint =
    code === 'invalid_request' && /response.?type/i.test(description)
      ? ERROR_HINTS.unsupported_response_type
      : ERROR_HINTS[code]
  return `${endpoint.label} refused the request: ${status}, error '${code}'${description ? `: ${description}` : ''}. Hint: ${hint ?? statusHint(response.status, endpoint, url)}`
}

const ERROR_HINTS: Record<string, string> = {
  invalid_client:
    'the server did not accept the client credentials. Check client-id and client-secret (rotated or expired?), or the key or federation for private_key_jwt and github_oidc, and that auth-method matches how the client is registered.',
  unauthorized_client:
    'this client may not use the client_credentials grant. Allow that grant for the client on the authorization server.',
  unsupported_response_type:
    "the server does not take Stent's response_type=token: set response-type: '' for servers other than Stent.",
  unsupported_grant_type:
    'the server does not offer the client_credentials grant at this token-url.',
  invalid_scope: 'check the scope input: the scopes must exist and be allowed for this client.',
  invalid_target: 'check the audience input and any resource in extra-params.',
  invalid_request:
    'the server found the request malformed. Check extra-params and audience, and set response-type to an empty string if the server rejects response_type.',
  invalid_grant: 'the server refused the grant. Check the client configuration on the server.',
  temporarily_unavailable: 'the server is temporarily unavailable. Try again later.',
  server_error: 'the server failed. Try again later.'
}

function statusHint(status: number, { input }: Endpoint, url?: URL, discovery = false): string {
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
      ? 'check that token-url is the token endpoint, e.g. https://auth.stent.io/connect/token.'
      : `check ${input}.`
  if (status >= 300 && status < 400)
    return `redirects are not followed because the request may carry credentials. Set ${input} to the final URL.`
  if (status === 408 || status === 429 || status >= 500)
    return 'the server is unavailable or throttling requests. Try again later, or raise max-attempts.'
  return `check ${input} and that the inputs are what the server expects.`
}

/** The body as a JSON object, or undefined for anything else (never throws, never quotes it). */
export function parseJsonObject(response: HttpResponse): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(response.body)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

function notJson(response: HttpResponse): string {
  const what = isHtml(response)
    ? 'an HTML page'
    : response.body.trim()
      ? 'a body that is not a JSON object'
      : 'an empty body'
  return `The token endpoint answered HTTP ${response.status} with ${what} instead of a JSON token response.`
}

function isHtml(response: HttpResponse): boolean {
  return /html/i.test(response.headers['content-type'] ?? '') || /^\s*</.test(response.body)
}

function describeType(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return value ? 'a string' : 'an empty string'
  return `a ${typeof value}`
}

/** Printable ASCII without quotes and backslashes (RFC 6749 §5.2's charset), bounded. */
function sanitize(text: string, max: number): string {
  const clean = text.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '?')
  return clean.length > max ? `${clean.slice(0, max)}...` : clean
}
