import type { Credentials, TlsIdentity } from './auth/types.js'
import type { Settings } from './inputs.js'

/** One HTTP request, fully formed; a token request's body or header holds the credential. */
export interface HttpRequest {
  method: 'GET' | 'POST'
  url: URL
  headers: Record<string, string>
  body: string
  /** A client certificate to present on the connection (mTLS, RFC 8705). */
  tls?: TlsIdentity
  /** The origin the credentials in it were made for: exchange sends it to no other. */
  credentialsFor?: string
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

/**
 * The token request for one attempt: the grant's fields (grant_type first), the client's
 * credentials, then the parameters, repeated ones (resource, extra-params) as one field each.
 */
export function buildTokenRequest(
  settings: Settings,
  tokenUrl: URL,
  credentials: Credentials,
  grantForm: Array<[string, string]>
): HttpRequest {
  const form = new URLSearchParams(grantForm)
  for (const [name, value] of credentials.form) form.append(name, value)
  // Stent's response_type=token belongs to its client-credentials request only.
  if (settings.responseType && settings.grant.type === 'client_credentials') {
    form.set('response_type', settings.responseType)
  }
  if (settings.scope) form.set('scope', settings.scope)
  if (settings.audience) form.set('audience', settings.audience)
  for (const resource of settings.resources) form.append('resource', resource)
  for (const [name, value] of settings.extraParams) form.append(name, value)
  return post(tokenUrl, form, credentials)
}

function post(url: URL, form: URLSearchParams, credentials: Credentials): HttpRequest {
  return {
    method: 'POST',
    url,
    headers: { ...FORM_HEADERS, ...credentials.headers },
    body: form.toString(),
    ...(credentials.tls ? { tls: credentials.tls } : {}),
    credentialsFor: credentials.origin
  }
}

/** RFC 7009: revoke an access token, authenticating as for the token request. */
export function buildRevocationRequest(
  revocationUrl: URL,
  token: string,
  credentials: Credentials
): HttpRequest {
  const form = new URLSearchParams({ token, token_type_hint: 'access_token' })
  for (const [name, value] of credentials.form) form.append(name, value)
  return post(revocationUrl, form, credentials)
}

/** A JSON document fetched with GET: discovery, JWKS. */
export function buildGetRequest(url: URL): HttpRequest {
  return { method: 'GET', url, headers: { accept: 'application/json' }, body: '' }
}
