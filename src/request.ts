import type { Settings } from './inputs.js'

/** One token request, fully formed; the body holds the secret for client_secret_post. */
export interface TokenRequest {
  url: URL
  headers: Record<string, string>
  body: string
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

export function buildTokenRequest(settings: Settings): TokenRequest {
  const form = new URLSearchParams({ grant_type: 'client_credentials' })
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json'
  }
  if (settings.authMethod === 'client_secret_basic') {
    headers.authorization = basicAuthorization(settings.clientId, settings.clientSecret)
  } else {
    form.set('client_id', settings.clientId)
    form.set('client_secret', settings.clientSecret)
  }
  if (settings.responseType) form.set('response_type', settings.responseType)
  if (settings.scope) form.set('scope', settings.scope)
  if (settings.audience) form.set('audience', settings.audience)
  for (const [name, value] of settings.extraParams) form.append(name, value)
  return { url: settings.tokenUrl, headers, body: form.toString() }
}
