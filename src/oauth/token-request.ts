import type { HttpRequest, TlsIdentity } from '../http/types.js'

/** RFC 7523 §2.2: a JWT as client authentication. */
export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/** What client authentication adds to a request: form fields, headers, a TLS certificate. */
export interface RequestCredentials {
  /** Form fields: client_id, client_secret, client_assertion... */
  form: Array<[name: string, value: string]>
  headers: Record<string, string>
  tls?: TlsIdentity
  /** The origin they were made for, the token endpoint's: the only one they are sent to. */
  origin: string
}

/** The token request's own parameters, besides the grant's fields and the credentials. */
export interface TokenParameters {
  /** Sent as `response_type` unless empty. */
  responseType: string
  scope: string
  audience: string
  resources: readonly string[]
  extraParams: ReadonlyArray<readonly [name: string, value: string]>
  /** PEM trusted besides the default CAs (ca-certificate), or '' for none. */
  caCertificate: string
}

const FORM_HEADERS = {
  'content-type': 'application/x-www-form-urlencoded',
  accept: 'application/json'
}

/**
 * The token request for one attempt: the grant's fields (grant_type first), the client's
 * credentials, then the parameters, repeated ones (resource, extra-params) as one field each.
 */
export function buildTokenRequest(
  tokenUrl: URL,
  credentials: RequestCredentials,
  grantForm: Array<[string, string]>,
  params: TokenParameters
): HttpRequest {
  const form = new URLSearchParams(grantForm)
  for (const [name, value] of credentials.form) form.append(name, value)
  if (params.responseType) form.set('response_type', params.responseType)
  if (params.scope) form.set('scope', params.scope)
  if (params.audience) form.set('audience', params.audience)
  for (const resource of params.resources) form.append('resource', resource)
  for (const [name, value] of params.extraParams) form.append(name, value)
  return post(tokenUrl, form, credentials, params.caCertificate)
}

function post(
  url: URL,
  form: URLSearchParams,
  credentials: RequestCredentials,
  caCertificate: string
): HttpRequest {
  return {
    method: 'POST',
    url,
    headers: { ...FORM_HEADERS, ...credentials.headers },
    body: form.toString(),
    ...(credentials.tls ? { tls: credentials.tls } : {}),
    caCertificate,
    credentialsFor: credentials.origin
  }
}

/** RFC 7009: revoke an access token, authenticating as for the token request. */
export function buildRevocationRequest(
  revocationUrl: URL,
  token: string,
  credentials: RequestCredentials,
  caCertificate: string
): HttpRequest {
  const form = new URLSearchParams({ token, token_type_hint: 'access_token' })
  for (const [name, value] of credentials.form) form.append(name, value)
  return post(revocationUrl, form, credentials, caCertificate)
}

/** A JSON document fetched with GET: discovery, JWKS. */
export function buildGetRequest(url: URL, caCertificate: string): HttpRequest {
  return { method: 'GET', url, headers: { accept: 'application/json' }, body: '', caCertificate }
}
