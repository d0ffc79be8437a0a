import type { Settings } from './inputs.js'

/** One HTTP request, fully formed; a token request's body or header holds the credential. */
export interface HttpRequest {
  method: 'GET' | 'POST'
  url: URL
  headers: Record<string, string>
  body: string
}

/** RFC 7523 §2.2: a JWT as client authentication. */
export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

const FORM_HEADERS = {
  'content-type': 'application/x-www-form-urlencoded',
  accept: 'application/json'
}

/**
 * application/x-www-form-urlencoded for one value, as RFC 6749 §2.3.1 asks for Basic credentials,
 * with a space written %20 so that servers decoding with plain percent-decoding agree too.
 */
export function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1).replaceAll('+', '%20')
}

export function basicAuthorization(clientId: string, clientSecret: string): string {
  const credentials = `${formEncode(clientId)}:${formEncode(clientSecret)}`
  return `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`
}

/**
 * Adds the client's authentication to a form and its headers, for the method in the settings.
 * `assertion` is the signed JWT (private_key_jwt) or GitHub ID token (github_oidc) for this attempt.
 */
function authenticate(
  settings: Settings,
  form: URLSearchParams,
  headers: Record<string, string>,
  assertion: string | undefined
): void {
  const { auth, clientId } = settings
  if (auth.method === 'client_secret_basic') {
    headers.authorization = basicAuthorization(clientId, auth.secret)
    return
  }
  form.set('client_id', clientId)
  if (auth.method === 'client_secret_post') {
    form.set('client_secret', auth.secret)
    return
  }
  if (!assertion) throw new Error(`${auth.method} needs a client assertion`)
  form.set('client_assertion_type', JWT_BEARER)
  form.set('client_assertion', assertion)
}

export function buildTokenRequest(
  settings: Settings,
  tokenUrl: URL,
  assertion?: string
): HttpRequest {
  const form = new URLSearchParams({ grant_type: 'client_credentials' })
  const headers: Record<string, string> = { ...FORM_HEADERS }
  authenticate(settings, form, headers, assertion)
  if (settings.responseType) form.set('response_type', settings.responseType)
  if (settings.scope) form.set('scope', settings.scope)
  if (settings.audience) form.set('audience', settings.audience)
  for (const [name, value] of settings.extraParams) form.append(name, value)
  return { method: 'POST', url: tokenUrl, headers, body: form.toString() }
}

/** RFC 7009: revoke an access token, authenticating as for the token request. */
export function buildRevocationRequest(
  settings: Settings,
  revocationUrl: URL,
  token: string,
  assertion?: string
): HttpRequest {
  const form = new URLSearchParams({ token, token_type_hint: 'access_token' })
  const headers: Record<string, string> = { ...FORM_HEADERS }
  authenticate(settings, form, headers, assertion)
  return { method: 'POST', url: revocationUrl, headers, body: form.toString() }
}

/** A JSON document fetched with GET: discovery, JWKS. */
export function buildGetRequest(url: URL): HttpRequest {
  return { method: 'GET', url, headers: { accept: 'application/json' }, body: '' }
}
